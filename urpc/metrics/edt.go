package metrics

import "math"

// EDT returns, for every voxel of a row-major [D, H, W] volume, the Euclidean distance
// (in the units of spacing) from the voxel centre to the nearest voxel centre where
// features is true. A feature voxel has distance 0. With no feature voxel at all, every
// distance is +Inf.
//
// The transform is exact (not a chamfer approximation): it applies the 1-D lower
// envelope of parabolas of Felzenszwalb and Huttenlocher along W, then H, then D, on
// squared distances in float64. It equals scipy.ndimage.distance_transform_edt(~features,
// sampling=spacing) up to round-off.
func EDT(features []bool, shape [3]int, spacing Spacing) []float64 {
	checkVolume(len(features), shape)
	checkSpacing(spacing)
	g := make([]float64, len(features))
	for i, f := range features {
		if !f {
			g[i] = math.Inf(1)
		}
	}
	squaredEDT(g, shape, spacing)
	for i := range g {
		g[i] = math.Sqrt(g[i])
	}
	return g
}

// squaredEDT transforms g in place. On entry g is 0 at feature voxels and +Inf
// elsewhere; on return g[v] = min over features u of sum_a ((v_a - u_a) * spacing[a])^2.
// The minimum over the three axes separates, so three passes of the 1-D transform, one
// per axis and each over every line of the volume along that axis, give the exact result.
func squaredEDT(g []float64, shape [3]int, spacing Spacing) {
	longest := max(shape[0], shape[1], shape[2])
	line := make([]float64, longest)
	out := make([]float64, longest)
	sites := make([]int, longest)
	bounds := make([]float64, longest+1)
	strides := [3]int{shape[1] * shape[2], shape[2], 1}
	total := shape[0] * shape[1] * shape[2]
	for axis := 2; axis >= 0; axis-- {
		n, stride := shape[axis], strides[axis]
		block := n * stride
		// Lines along this axis start at b + off for every block b and every offset
		// off < stride, and visit b + off + i*stride for i < n.
		for b := 0; b < total; b += block {
			for off := 0; off < stride; off++ {
				start := b + off
				for i := 0; i < n; i++ {
					line[i] = g[start+i*stride]
				}
				lowerEnvelope(line[:n], out[:n], spacing[axis], sites, bounds)
				for i := 0; i < n; i++ {
					g[start+i*stride] = out[i]
				}
			}
		}
	}
}

// lowerEnvelope computes the 1-D squared distance transform of a sampled function:
//
//	d[q] = min_p ((q - p) * s)^2 + f[p]
//
// where p runs over the samples with finite f. Each finite sample is a parabola with
// apex (p*s, f[p]); the lower envelope of these parabolas is built left to right, sites
// holding the parabolas kept and bounds[k]..bounds[k+1] the interval where parabola k is
// lowest. If every f[p] is +Inf, every d[q] is +Inf. sites needs len(f) entries and
// bounds len(f)+1.
func lowerEnvelope(f, d []float64, s float64, sites []int, bounds []float64) {
	k := -1
	for q, fq := range f {
		if math.IsInf(fq, 1) {
			continue
		}
		xq := float64(q) * s
		hq := fq + xq*xq
		var cross float64
		for k >= 0 {
			// Abscissa where the parabola at q meets the one at sites[k].
			p := sites[k]
			xp := float64(p) * s
			cross = (hq - (f[p] + xp*xp)) / (2 * (xq - xp))
			if cross > bounds[k] {
				break
			}
			k--
		}
		k++
		sites[k] = q
		if k == 0 {
			bounds[0] = math.Inf(-1)
		} else {
			bounds[k] = cross
		}
	}
	if k < 0 {
		for q := range d {
			d[q] = math.Inf(1)
		}
		return
	}
	bounds[k+1] = math.Inf(1)
	j := 0
	for q := range d {
		xq := float64(q) * s
		for bounds[j+1] < xq {
			j++
		}
		dx := xq - float64(sites[j])*s
		d[q] = dx*dx + f[sites[j]]
	}
}
