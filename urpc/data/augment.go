package data

import (
	"math"
	"math/rand/v2"
)

// Augment describes how a training patch is drawn from a case.
type Augment struct {
	// Patch is the patch size [D, H, W].
	Patch [3]int
	// Flip mirrors each axis with probability 1/2.
	Flip bool
	// Rot90 turns the patch by k*90 degrees (k uniform in 0..3) in one plane whose two
	// patch sizes are equal.
	Rot90 bool
	// MaxDegrees is the largest small-angle rotation in the H-W plane (0: none).
	MaxDegrees float64
}

// Sample draws one patch of c: a random box (extending past the volume where the
// volume is smaller than the patch, filled with the image's minimum and label 0),
// rotated by a random small angle about the D axis (trilinear for the image, nearest
// for the label), then randomly flipped and turned by 90 degrees. label is nil when c
// has none. Both are row-major [D, H, W] of size Patch.
func Sample(rng *rand.Rand, c *Case, aug Augment) (image []float32, label []uint8) {
	p := aug.Patch
	n := p[0] * p[1] * p[2]
	image = make([]float32, n)
	if c.Label != nil {
		label = make([]uint8, n)
	}

	var origin [3]float64
	for axis := range 3 {
		span := c.Shape[axis] - p[axis]
		if span >= 0 {
			origin[axis] = float64(rng.IntN(span + 1))
		} else {
			origin[axis] = float64(span / 2)
		}
	}
	angle := 0.0
	if aug.MaxDegrees > 0 {
		angle = (2*rng.Float64() - 1) * aug.MaxDegrees * math.Pi / 180
	}
	resample(c, p, origin, angle, image, label)

	if aug.Flip {
		for axis := range 3 {
			if rng.IntN(2) == 1 {
				flip(image, p, axis)
				flip(label, p, axis)
			}
		}
	}
	if aug.Rot90 {
		if a, b, ok := squarePlane(rng, p); ok {
			for range rng.IntN(4) {
				rot90(image, p, a, b)
				rot90(label, p, a, b)
			}
		}
	}
	return image, label
}

// resample fills the patch p whose corner sits at origin in c, rotated by angle about
// the D axis around the patch centre.
func resample(c *Case, p [3]int, origin [3]float64, angle float64, image []float32,
	label []uint8) {
	fill := minimum(c.Image)
	cos, sin := math.Cos(angle), math.Sin(angle)
	ch, cw := float64(p[1]-1)/2, float64(p[2]-1)/2
	i := 0
	for z := range p[0] {
		for y := range p[1] {
			for x := range p[2] {
				dy, dx := float64(y)-ch, float64(x)-cw
				sz := origin[0] + float64(z)
				sy := origin[1] + ch + cos*dy - sin*dx
				sx := origin[2] + cw + sin*dy + cos*dx
				image[i] = trilinear(c, sz, sy, sx, fill)
				if label != nil {
					label[i] = nearest(c, sz, sy, sx)
				}
				i++
			}
		}
	}
}

func minimum(x []float32) float32 {
	m := float32(math.Inf(1))
	for _, v := range x {
		m = min(m, v)
	}
	return m
}

// trilinear interpolates c's image at (z, y, x); voxels outside the volume count as fill.
func trilinear(c *Case, z, y, x float64, fill float32) float32 {
	z0, y0, x0 := math.Floor(z), math.Floor(y), math.Floor(x)
	fz, fy, fx := z-z0, y-y0, x-x0
	total := 0.0
	for corner := range 8 {
		iz, iy, ix := int(z0)+corner>>2, int(y0)+corner>>1&1, int(x0)+corner&1
		w := pick(corner>>2, fz) * pick(corner>>1&1, fy) * pick(corner&1, fx)
		if w == 0 {
			continue
		}
		v := fill
		if inside(c.Shape, iz, iy, ix) {
			v = c.Image[(iz*c.Shape[1]+iy)*c.Shape[2]+ix]
		}
		total += w * float64(v)
	}
	return float32(total)
}

func pick(upper int, frac float64) float64 {
	if upper == 1 {
		return frac
	}
	return 1 - frac
}

// nearest returns c's label at the voxel nearest to (z, y, x), 0 outside.
func nearest(c *Case, z, y, x float64) uint8 {
	iz, iy, ix := int(math.Round(z)), int(math.Round(y)), int(math.Round(x))
	if !inside(c.Shape, iz, iy, ix) {
		return 0
	}
	return c.Label[(iz*c.Shape[1]+iy)*c.Shape[2]+ix]
}

func inside(shape [3]int, z, y, x int) bool {
	return z >= 0 && y >= 0 && x >= 0 && z < shape[0] && y < shape[1] && x < shape[2]
}

// squarePlane picks at random a pair of axes (a < b) with equal patch sizes.
func squarePlane(rng *rand.Rand, p [3]int) (a, b int, ok bool) {
	var planes [][2]int
	for _, plane := range [][2]int{{0, 1}, {0, 2}, {1, 2}} {
		if p[plane[0]] == p[plane[1]] {
			planes = append(planes, plane)
		}
	}
	if len(planes) == 0 {
		return 0, 0, false
	}
	plane := planes[rng.IntN(len(planes))]
	return plane[0], plane[1], true
}

// flip mirrors v, a [D, H, W] array of shape p, along axis.
func flip[E any](v []E, p [3]int, axis int) {
	if v == nil {
		return
	}
	src := append([]E(nil), v...)
	for z := range p[0] {
		for y := range p[1] {
			for x := range p[2] {
				idx := [3]int{z, y, x}
				idx[axis] = p[axis] - 1 - idx[axis]
				v[(z*p[1]+y)*p[2]+x] = src[(idx[0]*p[1]+idx[1])*p[2]+idx[2]]
			}
		}
	}
}

// rot90 turns v, a [D, H, W] array of shape p with p[a] == p[b], by 90 degrees in the
// plane of axes a and b: out[..i_a.., ..i_b..] = in[..i_b.., ..n-1-i_a..].
func rot90[E any](v []E, p [3]int, a, b int) {
	if v == nil {
		return
	}
	src := append([]E(nil), v...)
	n := p[a]
	for z := range p[0] {
		for y := range p[1] {
			for x := range p[2] {
				idx := [3]int{z, y, x}
				ia, ib := idx[a], idx[b]
				idx[a], idx[b] = ib, n-1-ia
				v[(z*p[1]+y)*p[2]+x] = src[(idx[0]*p[1]+idx[1])*p[2]+idx[2]]
			}
		}
	}
}
