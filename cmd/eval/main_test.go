package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/urpc-go/urpc/urpc/metrics"
	"github.com/urpc-go/urpc/urpc/nifti"
)

// dims is the test volumes' size along x, y, z; spacingXYZ their voxel size.
var (
	dims       = [3]int{9, 8, 6}
	spacingXYZ = [3]float64{0.8, 0.9, 2.5}
)

// writeLabels writes a label map of size dims with voxel size spacingXYZ.
func writeLabels(t *testing.T, path string, labels []uint8) {
	t.Helper()
	ref := &nifti.Volume{Dims: dims, Frames: 1, Spacing: spacingXYZ}
	for a := range 3 {
		ref.Affine[a][a] = spacingXYZ[a]
	}
	ref.Affine[3][3] = 1
	if err := nifti.WriteLabels(path, labels, ref); err != nil {
		t.Fatal(err)
	}
}

// boxLabels returns a label map (x fastest) holding label on the box [lo, hi) of
// (x, y, z) coordinates, on top of base.
func boxLabels(base []uint8, label uint8, lo, hi [3]int) []uint8 {
	out := make([]uint8, dims[0]*dims[1]*dims[2])
	copy(out, base)
	for z := lo[2]; z < hi[2]; z++ {
		for y := lo[1]; y < hi[1]; y++ {
			for x := lo[0]; x < hi[0]; x++ {
				out[(z*dims[1]+y)*dims[0]+x] = label
			}
		}
	}
	return out
}

// fixture writes two cases: "a" (classes 1 and 2 in gt; class 2 missing from pred, as
// .nii.gz against .nii) and "b" (class 1 only).
func fixture(t *testing.T) (predDir, gtDir string, cases map[string][2][]uint8) {
	dir := t.TempDir()
	predDir, gtDir = filepath.Join(dir, "pred"), filepath.Join(dir, "gt")
	for _, d := range []string{predDir, gtDir} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	gtA := boxLabels(boxLabels(nil, 1, [3]int{1, 1, 1}, [3]int{5, 5, 4}), 2,
		[3]int{6, 5, 2}, [3]int{9, 8, 6})
	predA := boxLabels(nil, 1, [3]int{2, 1, 1}, [3]int{6, 4, 4})
	gtB := boxLabels(nil, 1, [3]int{0, 0, 0}, [3]int{4, 3, 2})
	predB := boxLabels(nil, 1, [3]int{0, 0, 1}, [3]int{4, 4, 3})
	writeLabels(t, filepath.Join(gtDir, "a.nii"), gtA)
	writeLabels(t, filepath.Join(predDir, "a.nii.gz"), predA)
	writeLabels(t, filepath.Join(gtDir, "b.nii.gz"), gtB)
	writeLabels(t, filepath.Join(predDir, "b.nii.gz"), predB)
	return predDir, gtDir, map[string][2][]uint8{"a": {predA, gtA}, "b": {predB, gtB}}
}

func TestEvalMatchesMetrics(t *testing.T) {
	predDir, gtDir, cases := fixture(t)
	out := t.TempDir()
	csvPath, jsonPath := filepath.Join(out, "m.csv"), filepath.Join(out, "m.json")
	var stdout, stderr bytes.Buffer
	code := run([]string{"-pred", predDir, "-gt", gtDir, "-csv", csvPath, "-json", jsonPath},
		&stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr.String())
	}
	var rep report
	raw, err := os.ReadFile(jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Classes != 3 || len(rep.Cases) != 2 {
		t.Fatalf("%d classes, %d cases; want 3 and 2", rep.Classes, len(rep.Cases))
	}
	shape := [3]int{dims[2], dims[1], dims[0]}
	// NIfTI-1 stores pixdim as float32.
	f32 := func(v float64) float64 { return float64(float32(v)) }
	spacing := metrics.Spacing{f32(spacingXYZ[2]), f32(spacingXYZ[1]), f32(spacingXYZ[0])}
	for _, c := range rep.Cases {
		pair := cases[c.Case]
		want, _ := metrics.PerClass(pair[0], pair[1], shape, spacing, 3)
		for k, r := range c.Classes {
			if r.Result != want[k] {
				t.Errorf("case %s class %d: %+v, want %+v", c.Case, k+1, r.Result, want[k])
			}
		}
	}
	if e := rep.Cases[0].Classes[1].Empty; e != "pred" {
		t.Errorf("case a class 2: empty %q, want \"pred\"", e)
	}
	if e := rep.Cases[1].Classes[1].Empty; e != "both" {
		t.Errorf("case b class 2: empty %q, want \"both\"", e)
	}
	f, err := os.Open(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	records, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	// Header, 2 cases x (2 classes + mean), 2 class means, overall mean.
	if len(records) != 10 || records[9][0] != "MEAN" || records[9][1] != "mean" {
		t.Errorf("CSV has %d records, last %v", len(records), records[len(records)-1])
	}
	for _, r := range records[1:] {
		mean := r[0] == "MEAN" || r[1] == "mean"
		counts := r[len(r)-2] + r[len(r)-1]
		if mean != (counts == "") {
			t.Errorf("row %v: voxel counts %q (mean rows leave them blank, others not)", r[:2],
				counts)
		}
	}
	if !strings.Contains(stdout.String(), "MEAN") {
		t.Errorf("table lacks the MEAN rows:\n%s", stdout.String())
	}
}

// Without -csv and -json the scores are written beside the predictions, and a second
// run still sees only the label maps there.
func TestEvalWritesBesidePredictions(t *testing.T) {
	predDir, gtDir, _ := fixture(t)
	for range 2 {
		var stdout, stderr bytes.Buffer
		if code := run([]string{"-pred", predDir, "-gt", gtDir}, &stdout, &stderr); code != 0 {
			t.Fatalf("exit %d\n%s", code, stderr.String())
		}
	}
	for _, name := range []string{"metrics.csv", "metrics.json"} {
		if _, err := os.Stat(filepath.Join(predDir, name)); err != nil {
			t.Error(err)
		}
	}
}

func TestEvalBadInput(t *testing.T) {
	predDir, gtDir, _ := fixture(t)
	empty := t.TempDir()
	onlyA := t.TempDir()
	writeLabels(t, filepath.Join(onlyA, "a.nii"), make([]uint8, dims[0]*dims[1]*dims[2]))
	mismatch := t.TempDir()
	ref := &nifti.Volume{Dims: [3]int{2, 2, 2}, Frames: 1, Spacing: [3]float64{1, 1, 1},
		Affine: [4][4]float64{{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}, {0, 0, 0, 1}}}
	for _, name := range []string{"a.nii", "b.nii"} {
		if err := nifti.WriteLabels(filepath.Join(mismatch, name), make([]uint8, 8),
			ref); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"missing folder", []string{"-pred", "/nonexistent/x", "-gt", gtDir}, 2, "-pred"},
		{"no files", []string{"-pred", predDir, "-gt", empty}, 2, "no .nii"},
		{"no flags", nil, 2, "required"},
		{"bad classes", []string{"-pred", predDir, "-gt", gtDir, "-classes", "1"}, 2,
			"-classes"},
		{"shape mismatch", []string{"-pred", mismatch, "-gt", gtDir, "-csv", "",
			"-json", ""}, 1, "voxels"},
	}
	for _, c := range cases {
		var stdout, stderr bytes.Buffer
		code := run(c.args, &stdout, &stderr)
		lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
		if code != c.code || len(lines) != 1 || !strings.Contains(lines[0], c.want) {
			t.Errorf("%s: exit %d, stderr %q; want exit %d and one line with %q",
				c.name, code, stderr.String(), c.code, c.want)
		}
	}
	var partOut, partErr bytes.Buffer
	partial := []string{"-pred", onlyA, "-gt", gtDir, "-csv", "", "-json", ""}
	if code := run(partial, &partOut, &partErr); code != 0 ||
		!strings.Contains(partErr.String(), "labels without a prediction") {
		t.Errorf("unmatched label: exit %d, stderr %q; want a warning and exit 0", code,
			partErr.String())
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-h"}, &stdout, &stderr); code != 0 ||
		!strings.Contains(stderr.String(), "-pred") {
		t.Errorf("-h: exit %d, output %q", code, stderr.String())
	}
}
