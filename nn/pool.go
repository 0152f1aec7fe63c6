package nn

import (
	"fmt"

	"github.com/urpc-go/urpc/autograd"
	"github.com/urpc-go/urpc/tensor"
)

// MaxPool3d returns the maximum of each 2x2x2 window of x [N, C, D, H, W] with stride 2
// and no padding, as [N, C, D/2, H/2, W/2] (floor mode: a trailing odd slice is
// dropped). Each window is scanned in raster order (d, then h, then w) and the first
// maximum wins (a later element replaces it only when it is larger, or NaN), as in
// PyTorch. Backward: each gout element goes to that winner alone.
func MaxPool3d[T tensor.Float](x *autograd.Value[T]) *autograd.Value[T] {
	out, _ := MaxPool3dWithIndices(x)
	return out
}

// MaxPool3dWithIndices is MaxPool3d that also returns, for each output element, the
// flat index d*H*W + h*W + w of its winner inside the input volume of the same (n, c)
// (PyTorch's return_indices), in the output's row-major order.
func MaxPool3dWithIndices[T tensor.Float](x *autograd.Value[T]) (*autograd.Value[T], []int) {
	xs := x.Shape()
	if len(xs) != 5 || xs[2] < 2 || xs[3] < 2 || xs[4] < 2 {
		panic(fmt.Sprintf("nn: MaxPool3d input %v, want [N, C, D, H, W] with D, H, W >= 2",
			xs))
	}
	out := tensor.Zeros[T](xs[0], xs[1], xs[2]/2, xs[3]/2, xs[4]/2)
	indices := make([]int, out.Numel())
	maxPoolForward(out.Data, indices, x.Data.Data, xs)

	inVolume, outVolume := xs[2]*xs[3]*xs[4], out.Numel()/max(xs[0]*xs[1], 1)
	value := x.Tape().RecordOwned("max_pool3d", out, []*autograd.Value[T]{x},
		func(g *tensor.Tensor[T]) {
			gx := x.GradBuffer().Data
			parallelItems(convWorkers(xs[0]*xs[1]), xs[0]*xs[1], func(_, p int) {
				plane := gx[p*inVolume : (p+1)*inVolume]
				for i, winner := range indices[p*outVolume : (p+1)*outVolume] {
					plane[winner] += g.Data[p*outVolume+i]
				}
			})
		})
	return value, indices
}

// maxPoolForward writes the window maxima of x (shape xs) into out and the flat index
// of each winner (within its (n, c) volume) into indices, one (n, c) plane per item
// spread over the cores.
func maxPoolForward[T tensor.Float](out []T, indices []int, x []T, xs []int) {
	d, h, w := xs[2], xs[3], xs[4]
	od, oh, ow := d/2, h/2, w/2
	inVolume, outVolume := d*h*w, od*oh*ow
	parallelItems(convWorkers(xs[0]*xs[1]), xs[0]*xs[1], func(_, p int) {
		vol := x[p*inVolume : (p+1)*inVolume]
		i := p * outVolume
		for z := range od {
			for y := range oh {
				first := (2*z*h + 2*y) * w
				rows := [4][]T{vol[first : first+w], vol[first+w : first+2*w],
					vol[first+h*w : first+h*w+w], vol[first+h*w+w : first+h*w+2*w]}
				rowMax(out[i:i+ow], indices[i:i+ow], rows, first, h*w, w)
				i += ow
			}
		}
	})
}

// rowMax computes one output row of the pooling: rows are the input rows (d, h),
// (d, h+1), (d+1, h), (d+1, h+1) of the windows, scanned in that raster order with
// the first maximum kept (replaced only by a larger value or NaN); first is the flat
// index of rows[0][0], plane = H*W and w = W.
func rowMax[T tensor.Float](out []T, indices []int, rows [4][]T, first, plane, w int) {
	offsets := [4]int{first, first + w, first + plane, first + plane + w}
	for xx := range out {
		j := 2 * xx
		best, at := rows[0][j], offsets[0]+j
		for r, row := range rows {
			for e := range 2 {
				if v := row[j+e]; v > best || v != v {
					best, at = v, offsets[r]+j+e
				}
			}
		}
		out[xx], indices[xx] = best, at
	}
}
