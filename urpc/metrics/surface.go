package metrics

import (
	"math"
	"slices"
)

// Surface returns the surface of a binary [D, H, W] mask: the mask minus its erosion by
// the 6-connected cross (the voxel and its face neighbours). Voxels outside the volume
// count as background (scipy's border_value 0), so a mask voxel on the volume border is
// always a surface voxel.
func Surface(mask []bool, shape [3]int) []bool {
	checkVolume(len(mask), shape)
	surf := make([]bool, len(mask))
	sd, sh := shape[1]*shape[2], shape[2]
	for d := 0; d < shape[0]; d++ {
		for h := 0; h < shape[1]; h++ {
			for w := 0; w < shape[2]; w++ {
				i := d*sd + h*sh + w
				if !mask[i] {
					continue
				}
				interior := d > 0 && d < shape[0]-1 &&
					h > 0 && h < shape[1]-1 &&
					w > 0 && w < shape[2]-1 &&
					mask[i-sd] && mask[i+sd] &&
					mask[i-sh] && mask[i+sh] &&
					mask[i-1] && mask[i+1]
				surf[i] = !interior
			}
		}
	}
	return surf
}

// box is a half-open sub-volume [lo, hi) of a [D, H, W] volume.
type box struct{ lo, hi [3]int }

// boundingBox returns the smallest box holding every true voxel of a or b, and false if
// there is none.
func boundingBox(a, b []bool, shape [3]int) (box, bool) {
	bb := box{lo: shape}
	found := false
	i := 0
	for d := 0; d < shape[0]; d++ {
		for h := 0; h < shape[1]; h++ {
			for w := 0; w < shape[2]; w++ {
				if a[i] || b[i] {
					found = true
					c := [3]int{d, h, w}
					for ax := range 3 {
						bb.lo[ax] = min(bb.lo[ax], c[ax])
						bb.hi[ax] = max(bb.hi[ax], c[ax]+1)
					}
				}
				i++
			}
		}
	}
	return bb, found
}

// surfaceDistances returns sd(A -> B): for every surface voxel of A, in raster order,
// the distance to the nearest surface voxel of B, in the units of spacing. Both surfaces
// must be non-empty. The distance transform runs only on the bounding box of the two
// surfaces; a box that holds every feature and every query point gives the same exact
// distances as the whole volume.
func surfaceDistances(surfA, surfB []bool, shape [3]int, spacing Spacing, bb box) []float64 {
	sub := [3]int{bb.hi[0] - bb.lo[0], bb.hi[1] - bb.lo[1], bb.hi[2] - bb.lo[2]}
	g := make([]float64, sub[0]*sub[1]*sub[2])
	forBox(shape, bb, func(i, j int) {
		if !surfB[i] {
			g[j] = math.Inf(1)
		}
	})
	squaredEDT(g, sub, spacing)
	var dist []float64
	forBox(shape, bb, func(i, j int) {
		if surfA[i] {
			dist = append(dist, math.Sqrt(g[j]))
		}
	})
	return dist
}

// forBox calls visit(i, j) for every voxel of bb in raster order, with i its index in
// the whole volume and j its index in the box.
func forBox(shape [3]int, bb box, visit func(i, j int)) {
	j := 0
	for d := bb.lo[0]; d < bb.hi[0]; d++ {
		for h := bb.lo[1]; h < bb.hi[1]; h++ {
			i := (d*shape[1]+h)*shape[2] + bb.lo[2]
			for w := bb.lo[2]; w < bb.hi[2]; w++ {
				visit(i, j)
				i++
				j++
			}
		}
	}
}

// percentile returns the q-th percentile (0 <= q <= 100) of values with numpy's default
// "linear" method: the sorted values are indexed at (n-1)*q/100 and the two neighbouring
// order statistics are interpolated linearly. values is sorted in place; it must not be
// empty.
func percentile(values []float64, q float64) float64 {
	slices.Sort(values)
	pos := q / 100 * float64(len(values)-1)
	lo := int(math.Floor(pos))
	hi := min(lo+1, len(values)-1)
	t := pos - float64(lo)
	a, b := values[lo], values[hi]
	// Interpolate from the nearer end, as numpy does, so that t = 0 and t = 1 give
	// a and b exactly.
	if t >= 0.5 {
		return b - (b-a)*(1-t)
	}
	return a + (b-a)*t
}
