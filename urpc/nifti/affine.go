package nifti

import (
	"fmt"
	"math"
)

// voxelSpacing returns the step along x, y and z in the header's units: the absolute
// value of pixdim[1..3], with 1 for a step that is zero or not finite.
func voxelSpacing(h *Header) [3]float64 {
	var s [3]float64
	for i := range s {
		p := math.Abs(h.Pixdim[i+1])
		if p == 0 || math.IsInf(p, 0) || math.IsNaN(p) {
			p = 1
		}
		s[i] = p
	}
	return s
}

// voxelToWorld returns the 4x4 matrix that maps voxel indices (i, j, k, 1) to world
// coordinates (x, y, z, 1), choosing as the NIfTI standard orders them: the sform
// when sform_code > 0, else the qform when qform_code > 0, else the pixdim diagonal
// with the origin at voxel (0, 0, 0).
func voxelToWorld(h *Header) ([4][4]float64, error) {
	var a [4][4]float64
	a[3][3] = 1
	switch {
	case h.SformCode > 0:
		for r := range 3 {
			for c := range 4 {
				if v := h.Srow[r][c]; math.IsNaN(v) || math.IsInf(v, 0) {
					return a, fmt.Errorf("srow[%d][%d] is %v while sform_code is %d; "+
						"want finite numbers or sform_code 0", r, c, v, h.SformCode)
				}
				a[r][c] = h.Srow[r][c]
			}
		}
	case h.QformCode > 0:
		return qformAffine(h)
	default:
		s := voxelSpacing(h)
		for r := range 3 {
			a[r][r] = s[r]
		}
	}
	return a, nil
}

// qformAffine builds the affine of the qform: rotation R from the unit quaternion
// (a, b, c, d) with a = sqrt(1 - b² - c² - d²), then columns scaled by the voxel
// spacing, the third one also by qfac (pixdim[0], -1 or else 1), then the offset.
func qformAffine(h *Header) ([4][4]float64, error) {
	var a [4][4]float64
	a[3][3] = 1
	for _, v := range append(h.Quatern[:], h.QOffset[:]...) {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return a, fmt.Errorf("quatern_b/c/d %v or qoffset %v are not finite while "+
				"qform_code is %d; want finite numbers or qform_code 0",
				h.Quatern, h.QOffset, h.QformCode)
		}
	}
	R, err := quaternRotation(h.Quatern[0], h.Quatern[1], h.Quatern[2])
	if err != nil {
		return a, err
	}
	s := voxelSpacing(h)
	if h.Pixdim[0] == -1 {
		s[2] = -s[2]
	}
	for r := range 3 {
		for c := range 3 {
			a[r][c] = R[r][c] * s[c]
		}
		a[r][3] = h.QOffset[r]
	}
	return a, nil
}

// quaternRotation returns the rotation matrix of the unit quaternion whose vector part
// is (b, c, d). A squared norm of (b, c, d) a little above 1, as float32 rounding
// gives for a 180-degree turn, is taken as a = 0 with (b, c, d) normalised; a larger
// one is an error.
func quaternRotation(b, c, d float64) ([3][3]float64, error) {
	a2 := 1 - (b*b + c*c + d*d)
	var a float64
	switch {
	case a2 >= 0:
		a = math.Sqrt(a2)
	case a2 > -1e-5:
		n := math.Sqrt(b*b + c*c + d*d)
		b, c, d = b/n, c/n, d/n
	default:
		return [3][3]float64{}, fmt.Errorf("quatern_b/c/d (%v, %v, %v) have squared "+
			"norm %v > 1, so they are not part of a unit quaternion; fix the qform "+
			"or store an sform", b, c, d, 1-a2)
	}
	return [3][3]float64{
		{a*a + b*b - c*c - d*d, 2 * (b*c - a*d), 2 * (b*d + a*c)},
		{2 * (b*c + a*d), a*a + c*c - b*b - d*d, 2 * (c*d - a*b)},
		{2 * (b*d - a*c), 2 * (c*d + a*b), a*a + d*d - b*b - c*c},
	}, nil
}

// qformOf splits an affine into the parts of a qform: quaternion (b, c, d), offset,
// voxel steps (the column lengths) and qfac. A column of length 0 is taken as the
// unit axis vector. When the 3x3 part is not a rotation times a scaling (it shears),
// the nearest rotation is used, so the qform then only approximates the affine.
func qformOf(m [4][4]float64) (quat, offset, steps [3]float64, qfac float64) {
	var q [3][3]float64
	for c := range 3 {
		n := math.Sqrt(m[0][c]*m[0][c] + m[1][c]*m[1][c] + m[2][c]*m[2][c])
		if n == 0 || math.IsNaN(n) || math.IsInf(n, 0) {
			q[c][c], n = 1, 1
		} else {
			for r := range 3 {
				q[r][c] = m[r][c] / n
			}
		}
		steps[c] = n
		offset[c] = m[c][3]
	}
	qfac = 1
	if det3(q) < 0 {
		qfac = -1
		for r := range 3 {
			q[r][2] = -q[r][2]
		}
	}
	return rotationQuatern(nearestRotation(q)), offset, steps, qfac
}

// det3 is the determinant of a 3x3 matrix.
func det3(m [3][3]float64) float64 {
	return m[0][0]*(m[1][1]*m[2][2]-m[1][2]*m[2][1]) -
		m[0][1]*(m[1][0]*m[2][2]-m[1][2]*m[2][0]) +
		m[0][2]*(m[1][0]*m[2][1]-m[1][1]*m[2][0])
}

// nearestRotation returns the orthogonal polar factor of q (det q > 0) by the
// iteration Q <- (Q + Q^-T) / 2, which converges quadratically for a matrix that is
// close to a rotation. It stops after 50 steps or when Q no longer changes, and
// returns the identity for a singular q.
func nearestRotation(q [3][3]float64) [3][3]float64 {
	for range 50 {
		d := det3(q)
		if d == 0 || math.IsNaN(d) {
			return [3][3]float64{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}
		}
		// Q^-T is the cofactor matrix divided by the determinant.
		var next [3][3]float64
		change := 0.0
		for r := range 3 {
			for c := range 3 {
				r1, r2 := (r+1)%3, (r+2)%3
				c1, c2 := (c+1)%3, (c+2)%3
				cof := q[r1][c1]*q[r2][c2] - q[r1][c2]*q[r2][c1]
				next[r][c] = (q[r][c] + cof/d) / 2
				change = math.Max(change, math.Abs(next[r][c]-q[r][c]))
			}
		}
		q = next
		if change < 1e-15 {
			break
		}
	}
	return q
}

// rotationQuatern returns (b, c, d) of the unit quaternion with a >= 0 whose rotation
// matrix is R, computed from the largest of the four squared components for accuracy.
func rotationQuatern(R [3][3]float64) [3]float64 {
	var a, b, c, d float64
	tr := R[0][0] + R[1][1] + R[2][2]
	switch {
	case tr > 0:
		a = math.Sqrt(1+tr) / 2
		b, c, d = (R[2][1]-R[1][2])/(4*a), (R[0][2]-R[2][0])/(4*a), (R[1][0]-R[0][1])/(4*a)
	case R[0][0] >= R[1][1] && R[0][0] >= R[2][2]:
		b = math.Sqrt(1+R[0][0]-R[1][1]-R[2][2]) / 2
		a, c, d = (R[2][1]-R[1][2])/(4*b), (R[0][1]+R[1][0])/(4*b), (R[0][2]+R[2][0])/(4*b)
	case R[1][1] >= R[2][2]:
		c = math.Sqrt(1+R[1][1]-R[0][0]-R[2][2]) / 2
		a, b, d = (R[0][2]-R[2][0])/(4*c), (R[0][1]+R[1][0])/(4*c), (R[1][2]+R[2][1])/(4*c)
	default:
		d = math.Sqrt(1+R[2][2]-R[0][0]-R[1][1]) / 2
		a, b, c = (R[1][0]-R[0][1])/(4*d), (R[0][2]+R[2][0])/(4*d), (R[1][2]+R[2][1])/(4*d)
	}
	if a < 0 {
		b, c, d = -b, -c, -d
	}
	return [3]float64{b, c, d}
}
