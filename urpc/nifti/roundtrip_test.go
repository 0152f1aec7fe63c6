package nifti

import (
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// extremes returns test values for voxel type t: its extreme values and a few others,
// all of which t stores exactly.
func extremes(t DataType) []float64 {
	switch t {
	case Float32:
		return []float64{0, math.Copysign(0, -1), 1.5, -3.25e-41, math.MaxFloat32,
			-math.MaxFloat32, math.Inf(1), math.Inf(-1), 1.0 / 3}
	case Float64:
		return []float64{0, 1e-310, -2.5, 1e300, math.Inf(-1), float64(float32(0.1))}
	}
	lo, hi := intRange(t)
	return []float64{lo, hi, 0, 1, lo + 1, hi - 1, math.Trunc(hi / 3)}
}

// fitToType rounds v to float32 and fixes the few Float32 extremes it cannot hold.
func fitToType(vals []float64, t DataType) []float64 {
	if t != Float32 {
		return vals
	}
	for i, v := range vals {
		vals[i] = float64(float32(v))
	}
	return vals
}

var readableTypes = []DataType{Uint8, Int8, Int16, Uint16, Int32, Uint32, Int64, Uint64,
	Float32, Float64}

func TestRoundTripEveryType(t *testing.T) {
	for _, version := range []int{1, 2} {
		for _, order := range []binary.ByteOrder{le, be} {
			for _, dt := range readableTypes {
				name := fmt.Sprintf("v%d_%v_%v.nii.gz", version, order, dt)
				vals := fitToType(extremes(dt), dt)
				vals = append(vals, vals[:3]...) // 10 or more voxels: 2x1x(n/2)
				for len(vals)%2 != 0 {
					vals = append(vals, 0)
				}
				h := testHeader(version, order, dt, 2, 1, int64(len(vals)/2))
				v, err := Read(writeTemp(t, name, mustEncode(t, h, vals)))
				if err != nil {
					t.Fatal(err)
				}
				if v.Header.Datatype != dt || v.Header.Version != version {
					t.Errorf("%s: read as %v version %d", name, v.Header.Datatype,
						v.Header.Version)
				}
				sameValues(t, v.Data, vals)
			}
		}
	}
}

// obliqueRef returns a volume with an affine that rotates, flips an axis and scales.
func obliqueRef(t *testing.T) *Volume {
	h := testHeader(1, le, Int16, 4, 3, 2)
	h.QformCode, h.SformCode = 1, 0
	h.Pixdim[0] = -1
	h.Quatern = [3]float64{0.1, -0.2, 0.3}
	h.QOffset = [3]float64{-90.5, 126.25, -72}
	v, err := Read(writeTemp(t, "ref.nii", mustEncode(t, h, ramp(24, 0))))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestWriteRoundTrip(t *testing.T) {
	ref := obliqueRef(t)
	dir := t.TempDir()
	labels := make([]uint8, ref.Voxels())
	probs := make([]float32, ref.Voxels())
	for i := range labels {
		labels[i] = uint8(i * 37 % 256)
		probs[i] = float32(i) / 7
	}
	for _, name := range []string{"seg.nii", "seg.nii.gz"} {
		path := filepath.Join(dir, name)
		if err := WriteLabels(path, labels, ref); err != nil {
			t.Fatal(err)
		}
		got, v, err := ReadLabels(path)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(labels) {
			t.Errorf("%s: labels changed", name)
		}
		checkWritten(t, path, v, ref, Uint8, 1, 2)
		path = filepath.Join(dir, "p"+name)
		if err := WriteFloat32(path, probs, ref); err != nil {
			t.Fatal(err)
		}
		if v, err = Read(path); err != nil {
			t.Fatal(err)
		}
		for i := range probs {
			if v.Data[i] != probs[i] {
				t.Fatalf("%s: voxel %d is %v, want %v", path, i, v.Data[i], probs[i])
			}
		}
		checkWritten(t, path, v, ref, Float32, 1, 2)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 4 {
		t.Errorf("%d files in the output folder, want 4 (temporary files left?)", len(entries))
	}
}

// checkWritten compares the geometry of a written volume v with its reference.
func checkWritten(t *testing.T, path string, v, ref *Volume, dt DataType, qc, sc int32) {
	t.Helper()
	h := v.Header
	if h.Datatype != dt || h.Version != 1 || h.SclSlope != 1 || h.SclInter != 0 ||
		h.QformCode != qc || h.SformCode != sc || v.Dims != ref.Dims {
		t.Errorf("%s: header %+v", path, h)
	}
	for r := range 4 {
		for c := range 4 {
			if v.Affine[r][c] != float64(float32(ref.Affine[r][c])) {
				t.Errorf("%s: affine[%d][%d] = %v, want %v", path, r, c, v.Affine[r][c],
					ref.Affine[r][c])
			}
		}
	}
	h.SformCode = 0 // the qform alone must give the same affine
	q, err := voxelToWorld(h)
	if err != nil {
		t.Fatal(err)
	}
	if d := maxDiff(q, ref.Affine); d > 1e-5 {
		t.Errorf("%s: qform differs from the affine by %g:\n%v\n%v", path, d, q, ref.Affine)
	}
}

// maxDiff is the largest absolute difference between two matrices.
func maxDiff(a, b [4][4]float64) float64 {
	d := 0.0
	for r := range 4 {
		for c := range 4 {
			d = math.Max(d, math.Abs(a[r][c]-b[r][c]))
		}
	}
	return d
}

func TestQformOfAffines(t *testing.T) {
	// Rotations of every kind of quaternion branch, with and without a flipped z.
	quats := [][3]float64{{0, 0, 0}, {1, 0, 0}, {0, 1, 0}, {0, 0, 1},
		{0.5, 0.5, 0.5}, {0.6, -0.64, 0.48}, {-0.02, 0.7, 0.7}, {0.7, 0.1, -0.7}}
	for _, q := range quats {
		for _, qfac := range []float64{1, -1} {
			h := testHeader(2, le, Uint8, 2, 2, 2)
			h.QformCode, h.Quatern, h.Pixdim[0] = 1, q, qfac
			h.QOffset = [3]float64{1, -2, 3}
			a, err := voxelToWorld(h)
			if err != nil {
				t.Fatal(err)
			}
			h2 := testHeader(2, le, Uint8, 2, 2, 2)
			h2.QformCode = 1
			var steps [3]float64
			h2.Quatern, h2.QOffset, steps, h2.Pixdim[0] = qformOf(a)
			copy(h2.Pixdim[1:], steps[:])
			b, err := voxelToWorld(h2)
			if err != nil {
				t.Fatal(err)
			}
			if d := maxDiff(a, b); d > 1e-12 {
				t.Errorf("quaternion %v qfac %v: qform of the affine is off by %g", q, qfac, d)
			}
		}
	}
}

func TestWriteErrors(t *testing.T) {
	ref := obliqueRef(t)
	dir := t.TempDir()
	err := WriteLabels(filepath.Join(dir, "a.nii"), make([]uint8, 5), ref)
	wantError(t, err, "a.nii", "5 values", "4x3x2")
	err = WriteFloat32(filepath.Join(dir, "a.img"), make([]float32, 24), ref)
	wantError(t, err, "a.img", ".nii or .nii.gz")
	err = WriteFloat32(filepath.Join(dir, "a.nii"), nil, nil)
	wantError(t, err, "a.nii", "no reference")
	err = WriteFloat32(filepath.Join(dir, "missing", "a.nii"), make([]float32, 24), ref)
	wantError(t, err, "missing")
	big := &Volume{Dims: [3]int{40000, 1, 1}, Frames: 1, Affine: ref.Affine}
	err = WriteLabels(filepath.Join(dir, "big.nii"), make([]uint8, 40000), big)
	wantError(t, err, "big.nii", "dim[1] is 40000", "NIfTI-2")
}
