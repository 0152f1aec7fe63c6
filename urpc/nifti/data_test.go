package nifti

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// hippocampusDir is the data set folder, relative to this package.
const hippocampusDir = "../../data/hippocampus"

// manifestRow is one case of MANIFEST.tsv.
type manifestRow struct {
	file           string
	dims           [3]int
	dtype          string
	imgMin, imgMax float64
	classVoxels    [3]int // index 1 and 2 used
}

// readManifest parses MANIFEST.tsv.
func readManifest(t *testing.T) []manifestRow {
	f, err := os.Open(filepath.Join(hippocampusDir, "MANIFEST.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows []manifestRow
	sc := bufio.NewScanner(f)
	for line := 0; sc.Scan(); line++ {
		fields := strings.Split(sc.Text(), "\t")
		if line == 0 {
			continue
		}
		var r manifestRow
		_, err1 := fmt.Sscanf(fields[1], "%dx%dx%d", &r.dims[0], &r.dims[1], &r.dims[2])
		var err2, err3, err4, err5 error
		r.imgMin, err2 = strconv.ParseFloat(fields[3], 64)
		r.imgMax, err3 = strconv.ParseFloat(fields[4], 64)
		r.classVoxels[1], err4 = strconv.Atoi(fields[5])
		r.classVoxels[2], err5 = strconv.Atoi(fields[6])
		for _, err := range []error{err1, err2, err3, err4, err5} {
			if err != nil {
				t.Fatalf("MANIFEST.tsv line %d: %v", line+1, err)
			}
		}
		r.file, r.dtype = fields[0], fields[2]
		rows = append(rows, r)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestHippocampusDataSet reads every volume of the data set and checks it against
// MANIFEST.tsv (shape, image type and range, voxels per class) and SHA256SUMS.
func TestHippocampusDataSet(t *testing.T) {
	if _, err := os.Stat(hippocampusDir); err != nil {
		t.Fatalf("data set missing: %v (copy it from /work/shared/data/hippocampus)", err)
	}
	checkSHA256Sums(t)
	rows := readManifest(t)
	if len(rows) != 260 {
		t.Fatalf("MANIFEST.tsv lists %d cases, want 260", len(rows))
	}
	var wg sync.WaitGroup
	for part := range 2 { // two goroutines: the data is small and the CPU is shared
		wg.Go(func() {
			for i := part; i < len(rows); i += 2 {
				checkCase(t, rows[i])
			}
		})
	}
	wg.Wait()
	v, err := Read(filepath.Join(hippocampusDir, "extra_unlabeled/hippocampus_118.nii.gz"))
	if err != nil {
		t.Fatal(err)
	}
	if v.Dims != [3]int{37, 52, 33} {
		t.Errorf("hippocampus_118: dims %v", v.Dims)
	}
}

// checkCase reads one image and its label map and compares them with the manifest.
func checkCase(t *testing.T, r manifestRow) {
	img, err := Read(filepath.Join(hippocampusDir, "imagesTr", r.file))
	if err != nil {
		t.Error(err)
		return
	}
	labels, lab, err := ReadLabels(filepath.Join(hippocampusDir, "labelsTr", r.file))
	if err != nil {
		t.Error(err)
		return
	}
	if img.Dims != r.dims || lab.Dims != r.dims || img.Frames != 1 {
		t.Errorf("%s: image %v label %v, manifest %v", r.file, img.Dims, lab.Dims, r.dims)
	}
	if img.Header.Datatype.String() != r.dtype {
		t.Errorf("%s: image type %v, manifest %s", r.file, img.Header.Datatype, r.dtype)
	}
	if img.Affine != lab.Affine || img.Spacing != [3]float64{1, 1, 1} {
		t.Errorf("%s: image affine %v, label affine %v, spacing %v", r.file, img.Affine,
			lab.Affine, img.Spacing)
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, x := range img.Data {
		lo, hi = math.Min(lo, float64(x)), math.Max(hi, float64(x))
	}
	// The manifest prints six significant digits.
	if math.Abs(lo-r.imgMin) > 1e-5*math.Abs(lo)+1e-9 || math.Abs(hi-r.imgMax) > 1e-5*hi {
		t.Errorf("%s: intensities %v..%v, manifest %v..%v", r.file, lo, hi, r.imgMin, r.imgMax)
	}
	var count [256]int
	for _, l := range labels {
		count[l]++
	}
	if count[1] != r.classVoxels[1] || count[2] != r.classVoxels[2] ||
		count[0]+count[1]+count[2] != len(labels) {
		t.Errorf("%s: class voxels %v, manifest %v", r.file, count[:4], r.classVoxels[1:])
	}
}

// checkSHA256Sums verifies every line of SHA256SUMS ("hash  path").
func checkSHA256Sums(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(hippocampusDir, "SHA256SUMS"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 521 {
		t.Errorf("SHA256SUMS has %d lines, want 521 (260 images, 260 labels, 1 extra)",
			len(lines))
	}
	for _, line := range lines {
		want, name, ok := strings.Cut(line, "  ")
		if !ok {
			t.Fatalf("SHA256SUMS: bad line %q", line)
		}
		data, err := os.ReadFile(filepath.Join(hippocampusDir, name))
		if err != nil {
			t.Error(err)
			continue
		}
		sum := sha256.Sum256(data)
		if got := hex.EncodeToString(sum[:]); got != want {
			t.Errorf("%s: SHA-256 %s, SHA256SUMS says %s", name, got, want)
		}
	}
}
