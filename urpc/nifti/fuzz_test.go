package nifti

import (
	"bytes"
	"compress/gzip"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var updateSeeds = flag.Bool("update-seeds", false,
	"rewrite the seed corpus in testdata/fuzz/FuzzRead from fuzzSeeds")

// fuzzSeeds returns small files of every kind the tests use, by name: each voxel type,
// byte order and version, gzip, extensions, transforms, scaling and broken files.
func fuzzSeeds(t testing.TB) map[string][]byte {
	seeds := map[string][]byte{}
	for _, version := range []int{1, 2} {
		for _, order := range []string{"le", "be"} {
			for _, dt := range readableTypes {
				h := testHeader(version, le, dt, 2, 2, 1)
				if order == "be" {
					h.ByteOrder = be
				}
				b := mustEncode(t, h, fitToType(extremes(dt)[:4], dt))
				seeds[fmt.Sprintf("seed_v%d_%s_%v", version, order, dt)] = b
			}
		}
	}
	h := testHeader(1, le, Int16, 2, 2, 2, 1)
	h.SclSlope, h.SclInter, h.QformCode, h.SformCode = 0.5, 1, 1, 2
	h.Quatern, h.QOffset = [3]float64{0.1, 0.2, 0.3}, [3]float64{1, 2, 3}
	h.Srow = [3][4]float64{{1, 0, 0, 4}, {0, 2, 0, 5}, {0, 0, 3, 6}}
	base := mustEncode(t, h, ramp(8, 0))
	seeds["seed_transforms_4d"] = base
	seeds["seed_transforms_4d_gz"] = gzipBytes(t, base)
	ext := []byte{1, 0, 0, 0, 16, 0, 0, 0, 6, 0, 0, 0, 'c', 'o', 'm', 'm', 'e', 'n', 't', 0}
	withExt := append(append(append([]byte(nil), base[:348]...), ext...), base[352:]...)
	putF32(le, withExt[108:], 368)
	seeds["seed_extension"] = withExt
	zero := append([]byte(nil), base...)
	putF32(le, zero[108:], 0)
	seeds["seed_vox_offset_0"] = zero
	two := testHeader(1, le, Uint8, 2, 2, 1, 2)
	seeds["seed_two_frames"] = mustEncode(t, two, ramp(8, 0))
	rgb := append([]byte(nil), base...)
	le.PutUint16(rgb[70:], uint16(RGB24))
	seeds["seed_rgb24"] = rgb
	huge := testHeader(1, le, Float64, 8000, 8000, 8000)
	seeds["seed_huge_dims"] = mustEncode(t, huge, ramp(2, 0))
	gz := gzipBytes(t, base)
	seeds["seed_truncated_gz"] = gz[:len(gz)/2]
	if real := realHeader(t); real != nil {
		seeds["seed_hippocampus_003_label_header"] = real
	}
	return seeds
}

// realHeader returns the header of a real label map of the data set (float32,
// vox_offset 0, NaN scaling) with its dims cut to 2x2x2 and 8 voxels after it, or nil
// when the data set is absent.
func realHeader(t testing.TB) []byte {
	f, err := os.Open(filepath.Join(hippocampusDir, "labelsTr", "hippocampus_003.nii.gz"))
	if err != nil {
		return nil
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, minOffset1+8*4)
	if _, err := io.ReadFull(zr, b); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 3; i++ {
		le.PutUint16(b[40+2*i:], 2)
	}
	return b
}

// TestFuzzSeedCorpus checks that the committed seed corpus holds fuzzSeeds, or with
// -update-seeds writes it.
func TestFuzzSeedCorpus(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzRead")
	for name, b := range fuzzSeeds(t) {
		want := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", b)
		path := filepath.Join(dir, name)
		if *updateSeeds {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if got, err := os.ReadFile(path); err != nil || string(got) != want {
			t.Errorf("seed %s is missing or stale (%v); run go test -run "+
				"TestFuzzSeedCorpus -update-seeds", path, err)
		}
	}
}

// FuzzRead decodes arbitrary bytes as an image and as a label map. It must never
// panic; errors must name the input; a decoded volume must be consistent and must
// survive being written as float32 and read back.
func FuzzRead(f *testing.F) {
	for _, b := range fuzzSeeds(f) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, asLabels := range []bool{false, true} {
			v, labels, err := decode("fuzz.nii", bytes.NewReader(b), int64(len(b)), asLabels)
			if err != nil {
				if !strings.HasPrefix(err.Error(), "nifti: fuzz.nii: ") {
					t.Fatalf("error does not name the input: %v", err)
				}
				continue
			}
			checkDecoded(t, v, labels, asLabels)
			if !asLabels {
				checkRewrite(t, v)
			}
		}
	})
}

// checkDecoded checks the invariants of a decoded volume.
func checkDecoded(t *testing.T, v *Volume, labels []uint8, asLabels bool) {
	if v.Frames < 1 || v.Dims[0] < 1 || v.Dims[1] < 1 || v.Dims[2] < 1 ||
		len(v.Data) != v.Voxels()*v.Frames {
		t.Fatalf("dims %v frames %d with %d values", v.Dims, v.Frames, len(v.Data))
	}
	for _, s := range v.Spacing {
		if !(s > 0) || math.IsInf(s, 0) {
			t.Fatalf("spacing %v", v.Spacing)
		}
	}
	for _, row := range v.Affine {
		for _, a := range row {
			if math.IsNaN(a) || math.IsInf(a, 0) {
				t.Fatalf("affine %v", v.Affine)
			}
		}
	}
	if !asLabels {
		return
	}
	if v.Frames != 1 || len(labels) != len(v.Data) {
		t.Fatalf("%d labels, %d values, %d frames", len(labels), len(v.Data), v.Frames)
	}
	for i, l := range labels {
		if float32(l) != v.Data[i] {
			t.Fatalf("label %d is %d but the value is %v", i, l, v.Data[i])
		}
	}
}

// checkRewrite encodes v as WriteFloat32 would, in memory, and decodes it again.
func checkRewrite(t *testing.T, v *Volume) {
	h, err := derivedHeader(v, Float32, len(v.Data), true)
	if err != nil {
		return // e.g. an affine beyond float32
	}
	vals := make([]float64, len(v.Data))
	for i, x := range v.Data {
		vals[i] = float64(x)
	}
	b, err := encodeImage(h, vals)
	if err != nil {
		return // e.g. an axis too long for NIfTI-1
	}
	w, _, err := decode("rewrite.nii", bytes.NewReader(b), int64(len(b)), false)
	if err != nil {
		t.Fatalf("cannot read back what the writer made: %v", err)
	}
	if w.Dims != v.Dims || w.Frames != v.Frames {
		t.Fatalf("rewritten dims %v frames %d, want %v %d", w.Dims, w.Frames, v.Dims, v.Frames)
	}
	for i := range v.Data {
		if a, b := w.Data[i], v.Data[i]; a != b && !(a != a && b != b) {
			t.Fatalf("rewritten voxel %d is %v, want %v", i, a, b)
		}
	}
	for r := range 4 {
		for c := range 4 {
			if w.Affine[r][c] != float64(float32(v.Affine[r][c])) {
				t.Fatalf("rewritten affine %v, want %v", w.Affine, v.Affine)
			}
		}
	}
}
