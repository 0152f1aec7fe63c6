package nifti

import (
	"encoding/binary"
	"math"
	"testing"
)

func TestScalingSlopeZeroMeansNone(t *testing.T) {
	h := testHeader(1, le, Int16, 3, 2, 2)
	h.SclSlope, h.SclInter = 0, 5
	want := ramp(12, -6)
	v, err := Read(writeTemp(t, "slope0.nii", mustEncode(t, h, want)))
	if err != nil {
		t.Fatal(err)
	}
	sameValues(t, v.Data, want)
}

func TestScalingNonFinite(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	cases := []struct {
		name         string
		slope, inter float64
		a, b         float64 // want a*x + b
	}{
		{"both NaN", nan, nan, 1, 0},
		{"slope NaN", nan, 7, 1, 0},
		{"slope +Inf", inf, 7, 1, 0},
		{"slope -Inf", -inf, 0, 1, 0},
		{"slope 2 inter 3", 2, 3, 2, 3},
		{"slope -0.5", -0.5, 0, -0.5, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := testHeader(1, le, Float32, 2, 2, 2)
			h.SclSlope, h.SclInter = c.slope, c.inter
			x := ramp(8, 1)
			v, err := Read(writeTemp(t, "s.nii", mustEncode(t, h, x)))
			if err != nil {
				t.Fatal(err)
			}
			want := make([]float64, len(x))
			for i := range x {
				want[i] = c.a*x[i] + c.b
			}
			sameValues(t, v.Data, want)
		})
	}
	h := testHeader(1, le, Float32, 2, 2, 2)
	h.SclSlope, h.SclInter = 2, nan
	path := writeTemp(t, "badinter.nii", mustEncode(t, h, ramp(8, 0)))
	_, err := Read(path)
	wantError(t, err, path, "scl_inter")
}

func TestBigEndianInt16(t *testing.T) {
	want := ramp(4*3*2, -12)
	want[0], want[1] = -32768, 32767
	for _, name := range []string{"be.nii", "be.nii.gz"} {
		h := testHeader(1, be, Int16, 4, 3, 2)
		b := mustEncode(t, h, want)
		if b[0] != 0 || b[3] != 0x5c || b[352] != 0x80 {
			t.Fatalf("file does not start big-endian: % x ... % x", b[:4], b[352:354])
		}
		v, err := Read(writeTemp(t, name, b))
		if err != nil {
			t.Fatal(err)
		}
		sameValues(t, v.Data, want)
		if v.Header.ByteOrder != be || v.Dims != [3]int{4, 3, 2} {
			t.Errorf("%s: byte order %v dims %v", name, v.Header.ByteOrder, v.Dims)
		}
	}
}

func TestNIfTI2(t *testing.T) {
	for _, order := range []binary.ByteOrder{le, be} {
		h := testHeader(2, order, Float64, 3, 4, 5)
		h.SformCode = 1
		h.Srow = [3][4]float64{{0.1, 0, 0, -1e-9}, {0, 0.3, 0, 2}, {0, 0, 1.0 / 3, 3}}
		want := ramp(60, 0.1)
		path := writeTemp(t, "n2_"+order.String()+".nii.gz", mustEncode(t, h, want))
		v, err := Read(path)
		if err != nil {
			t.Fatal(err)
		}
		if v.Header.Version != 2 || v.Header.ByteOrder != h.ByteOrder {
			t.Errorf("%s: version %d order %v", order, v.Header.Version, v.Header.ByteOrder)
		}
		sameValues(t, v.Data, want)
		for r := range 3 {
			for c := range 4 {
				if v.Affine[r][c] != h.Srow[r][c] { // NIfTI-2 keeps float64 exactly
					t.Errorf("%s: affine[%d][%d] = %v, want %v", order, r, c,
						v.Affine[r][c], h.Srow[r][c])
				}
			}
		}
	}
}

func TestDisagreeingTransforms(t *testing.T) {
	h := testHeader(1, le, Uint8, 2, 2, 2)
	h.Pixdim[0] = -1 // qfac
	h.QformCode, h.SformCode = 1, 2
	h.Quatern = [3]float64{0, 0, 1} // 180 degrees about z
	h.QOffset = [3]float64{10, 20, 30}
	h.Srow = [3][4]float64{{5, 0, 0, 1}, {0, 6, 0, 2}, {0, 0, 7, 3}}
	sform := [4][4]float64{{5, 0, 0, 1}, {0, 6, 0, 2}, {0, 0, 7, 3}, {0, 0, 0, 1}}
	qform := [4][4]float64{{-2, 0, 0, 10}, {0, -3, 0, 20}, {0, 0, -4, 30}, {0, 0, 0, 1}}
	check := func(label string, want [4][4]float64) {
		t.Helper()
		v, err := Read(writeTemp(t, "t.nii", mustEncode(t, h, ramp(8, 0))))
		if err != nil {
			t.Fatal(err)
		}
		if v.Affine != want {
			t.Errorf("%s: affine %v, want %v", label, v.Affine, want)
		}
		if v.Spacing != [3]float64{2, 3, 4} {
			t.Errorf("%s: spacing %v, want [2 3 4]", label, v.Spacing)
		}
	}
	check("sform_code 2", sform)
	h.SformCode = 0
	check("sform_code 0", qform)
	h.QformCode = 0
	check("no transform", [4][4]float64{{2, 0, 0, 0}, {0, 3, 0, 0}, {0, 0, 4, 0}, {0, 0, 0, 1}})
}

func TestQformRotation(t *testing.T) {
	// 90 degrees about x: a = b = sqrt(1/2); (i, j, k) -> (i, -k, j) scaled.
	h := testHeader(1, le, Uint8, 2, 2, 2)
	h.QformCode = 1
	h.Quatern = [3]float64{math.Sqrt(0.5), 0, 0}
	v, err := Read(writeTemp(t, "rot.nii", mustEncode(t, h, ramp(8, 0))))
	if err != nil {
		t.Fatal(err)
	}
	want := [4][4]float64{{2, 0, 0, 0}, {0, 0, -4, 0}, {0, 3, 0, 0}, {0, 0, 0, 1}}
	for r := range 4 {
		for c := range 4 {
			if math.Abs(v.Affine[r][c]-want[r][c]) > 1e-6 {
				t.Fatalf("affine %v, want %v", v.Affine, want)
			}
		}
	}
	h.Quatern = [3]float64{1, 1, 0}
	path := writeTemp(t, "badq.nii", mustEncode(t, h, ramp(8, 0)))
	_, err = Read(path)
	wantError(t, err, path, "quatern", "unit quaternion")
}

func TestSingletonFourthAxis(t *testing.T) {
	h := testHeader(1, le, Uint8, 3, 4, 5, 1)
	want := ramp(60, 0)
	path := writeTemp(t, "singleton4d.nii.gz", mustEncode(t, h, want))
	labels, v, err := ReadLabels(path)
	if err != nil {
		t.Fatal(err)
	}
	if v.Dims != [3]int{3, 4, 5} || v.Frames != 1 || len(labels) != 60 {
		t.Fatalf("dims %v frames %d labels %d", v.Dims, v.Frames, len(labels))
	}
	sameValues(t, v.Data, want)
	if data, shape := v.DHW(); shape != [3]int{5, 4, 3} || data[(2*4+1)*3+2] != 2+3*(1+4*2) {
		t.Errorf("DHW shape %v or element (2,1,2) wrong", shape)
	}
}

func TestLabelMapWithTwoVolumes(t *testing.T) {
	h := testHeader(1, le, Uint8, 3, 4, 5, 2)
	path := writeTemp(t, "two.nii", mustEncode(t, h, ramp(120, 0)))
	_, _, err := ReadLabels(path)
	wantError(t, err, path, "label map", "2 volumes")
	v, err := Read(path) // as an image, two frames are fine
	if err != nil {
		t.Fatal(err)
	}
	if v.Frames != 2 || v.Frame(1)[0] != 60 {
		t.Errorf("frames %d, frame 1 starts with %v", v.Frames, v.Frame(1)[0])
	}
}

func TestLabelValues(t *testing.T) {
	for _, bad := range []float64{1.5, 256, -1, math.NaN()} {
		h := testHeader(1, le, Float32, 2, 2, 2)
		vals := ramp(8, 0)
		vals[5] = bad // i=1, j=0, k=1
		path := writeTemp(t, "lab.nii", mustEncode(t, h, vals))
		_, _, err := ReadLabels(path)
		wantError(t, err, path, "i=1, j=0, k=1", "whole numbers")
	}
	h := testHeader(1, le, Int16, 2, 2, 2)
	h.SclSlope, h.SclInter = 0.5, 1
	_, _, err := ReadLabels(writeTemp(t, "scaled.nii", mustEncode(t, h, ramp(8, 0))))
	wantError(t, err, "scaled.nii", "1.5 (stored 1, scaled")
}
