package metrics

import (
	"math"
	"math/rand/v2"
	"sort"
)

// This file holds slow, obviously correct versions of the package's computations,
// used as test oracles on small volumes.

// bruteSurface marks every mask voxel that has a face neighbour outside the mask or
// outside the volume.
func bruteSurface(mask []bool, shape [3]int) []bool {
	at := func(d, h, w int) bool {
		if d < 0 || h < 0 || w < 0 || d >= shape[0] || h >= shape[1] || w >= shape[2] {
			return false
		}
		return mask[(d*shape[1]+h)*shape[2]+w]
	}
	steps := [6][3]int{{-1, 0, 0}, {1, 0, 0}, {0, -1, 0}, {0, 1, 0}, {0, 0, -1}, {0, 0, 1}}
	surf := make([]bool, len(mask))
	for i := range mask {
		d, h, w := coords(i, shape)
		if !mask[i] {
			continue
		}
		for _, s := range steps {
			if !at(d+s[0], h+s[1], w+s[2]) {
				surf[i] = true
			}
		}
	}
	return surf
}

// coords returns the (d, h, w) position of flat index i.
func coords(i int, shape [3]int) (int, int, int) {
	return i / (shape[1] * shape[2]), i / shape[2] % shape[1], i % shape[2]
}

// dist returns the Euclidean distance between voxel centres i and j.
func dist(i, j int, shape [3]int, spacing Spacing) float64 {
	d0, h0, w0 := coords(i, shape)
	d1, h1, w1 := coords(j, shape)
	a := float64(d0-d1) * spacing[0]
	b := float64(h0-h1) * spacing[1]
	c := float64(w0-w1) * spacing[2]
	return math.Sqrt(a*a + b*b + c*c)
}

// bruteEDT is the distance to the nearest feature by trying every feature voxel.
func bruteEDT(features []bool, shape [3]int, spacing Spacing) []float64 {
	out := make([]float64, len(features))
	for i := range out {
		out[i] = math.Inf(1)
		for j, f := range features {
			if f {
				out[i] = min(out[i], dist(i, j, shape, spacing))
			}
		}
	}
	return out
}

// bruteDirected lists, for every surface voxel of a, the distance to the nearest
// surface voxel of b, by trying every pair.
func bruteDirected(a, b []bool, shape [3]int, spacing Spacing) []float64 {
	edt := bruteEDT(b, shape, spacing)
	var out []float64
	for i, s := range a {
		if s {
			out = append(out, edt[i])
		}
	}
	return out
}

// bruteDistances computes the distance metrics of two non-empty masks by brute force;
// the percentile is the textbook interpolation between order statistics.
func bruteDistances(pred, gt []bool, shape [3]int, spacing Spacing) Distances {
	sp, sg := bruteSurface(pred, shape), bruteSurface(gt, shape)
	pg := bruteDirected(sp, sg, shape, spacing)
	gp := bruteDirected(sg, sp, shape, spacing)
	var d Distances
	for _, v := range pg {
		d.ASDPredToGT += v / float64(len(pg))
	}
	for _, v := range gp {
		d.ASDGTToPred += v / float64(len(gp))
	}
	d.ASSD = (d.ASDPredToGT + d.ASDGTToPred) / 2
	all := append(append([]float64{}, pg...), gp...)
	sort.Float64s(all)
	d.HD = all[len(all)-1]
	pos := 0.95 * float64(len(all)-1)
	lo := int(pos)
	if lo+1 < len(all) {
		d.HD95 = all[lo] + (all[lo+1]-all[lo])*(pos-float64(lo))
	} else {
		d.HD95 = all[lo]
	}
	return d
}

// randomMask returns a mask of blobs: random seeds grown by a few random dilation
// steps, so that shapes have interiors, holes and border contact.
func randomMask(rng *rand.Rand, shape [3]int, seedProb float64) []bool {
	m := make([]bool, shape[0]*shape[1]*shape[2])
	for i := range m {
		m[i] = rng.Float64() < seedProb
	}
	for range rng.IntN(3) {
		grown := append([]bool{}, m...)
		for i, v := range m {
			if !v {
				continue
			}
			d, h, w := coords(i, shape)
			c := [3]int{d, h, w}
			ax := rng.IntN(3)
			for _, s := range []int{-1, 1} {
				c2 := c
				c2[ax] += s
				if c2[ax] >= 0 && c2[ax] < shape[ax] {
					grown[(c2[0]*shape[1]+c2[1])*shape[2]+c2[2]] = true
				}
			}
		}
		m = grown
	}
	return m
}

// randomShape returns a shape with each axis in [lo, hi].
func randomShape(rng *rand.Rand, lo, hi int) [3]int {
	return [3]int{lo + rng.IntN(hi-lo+1), lo + rng.IntN(hi-lo+1), lo + rng.IntN(hi-lo+1)}
}

// randomSpacing returns an anisotropic spacing with each value in [0.3, 3).
func randomSpacing(rng *rand.Rand) Spacing {
	return Spacing{0.3 + 2.7*rng.Float64(), 0.3 + 2.7*rng.Float64(), 0.3 + 2.7*rng.Float64()}
}
