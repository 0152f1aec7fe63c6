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
	value := x.Tape().Record("max_pool3d", out, []*autograd.Value[T]{x},
		func(g *tensor.Tensor[T]) {
			gx := gradBuffer(x)
			for i, winner := range indices {
				gx[(i/outVolume)*inVolume+winner] += g.Data[i]
			}
		})
	return value, indices
}

// maxPoolForward writes the window maxima of x (shape xs) into out and the flat index
// of each winner (within its (n, c) volume) into indices.
func maxPoolForward[T tensor.Float](out []T, indices []int, x []T, xs []int) {
	d, h, w := xs[2], xs[3], xs[4]
	od, oh, ow := d/2, h/2, w/2
	volume := d * h * w
	i := 0
	for nc := range xs[0] * xs[1] {
		vol := x[nc*volume : (nc+1)*volume]
		for z := range od {
			for y := range oh {
				for xx := range ow {
					first := (2*z*h+2*y)*w + 2*xx
					out[i], indices[i] = windowMax(vol, first, h, w)
					i++
				}
			}
		}
	}
}

// windowMax scans the 2x2x2 window whose first element is vol[first] in raster order
// and returns the first maximum (replaced only by a larger value or NaN) and its index.
func windowMax[T tensor.Float](vol []T, first, h, w int) (T, int) {
	best, at := vol[first], first
	for a := range 2 {
		for b := range 2 {
			for e := range 2 {
				j := first + (a*h+b)*w + e
				if v := vol[j]; v > best || v != v {
					best, at = v, j
				}
			}
		}
	}
	return best, at
}
