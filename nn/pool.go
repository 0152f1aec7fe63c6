package nn

import (
	"fmt"
	"math/bits"

	"github.com/urpc-go/urpc/autograd"
	"github.com/urpc-go/urpc/tensor"
)

// MaxPool3d returns the maximum of each 2x2x2 window of x [N, C, D, H, W] with stride 2
// and no padding, as [N, C, D/2, H/2, W/2] (floor mode: a trailing odd slice is
// dropped). Each window is scanned in raster order (d, then h, then w) and the first
// maximum wins (a later element replaces it only when it is larger, or NaN), as in
// PyTorch. Backward: each gout element goes to that winner alone.
func MaxPool3d[T tensor.Float](x *autograd.Value[T]) *autograd.Value[T] {
	out, _ := maxPool3d(x)
	return out
}

// MaxPool3dWithIndices is MaxPool3d that also returns, for each output element, the
// flat index d*H*W + h*W + w of its winner inside the input volume of the same (n, c)
// (PyTorch's return_indices), in the output's row-major order.
func MaxPool3dWithIndices[T tensor.Float](x *autograd.Value[T]) (*autograd.Value[T], []int) {
	out, winners := maxPool3d(x)
	indices := make([]int, len(winners.codes))
	inVolume := winners.in[0] * winners.in[1] * winners.in[2]
	for p := range winners.planes {
		winners.forEach(p, func(i, winner int) { indices[i] = winner - p*inVolume })
	}
	return out, indices
}

// maxPool3d is MaxPool3d, also returning where each window's maximum was.
func maxPool3d[T tensor.Float](x *autograd.Value[T]) (*autograd.Value[T], poolWinners) {
	xs := x.Shape()
	if len(xs) != 5 || xs[2] < 2 || xs[3] < 2 || xs[4] < 2 {
		panic(fmt.Sprintf("nn: MaxPool3d input %v, want [N, C, D, H, W] with D, H, W >= 2",
			xs))
	}
	out := tensor.Zeros[T](xs[0], xs[1], xs[2]/2, xs[3]/2, xs[4]/2)
	winners := poolWinners{codes: make([]uint8, out.Numel()), in: [3]int(xs[2:]),
		planes: xs[0] * xs[1]}
	maxPoolForward(out.Data, winners.codes, x.Data.Data, xs)

	inVolume := xs[2] * xs[3] * xs[4]
	value := x.Tape().RecordOwnedUnread("max_pool3d", out, []*autograd.Value[T]{x},
		func(g *tensor.Tensor[T]) {
			x.ReleaseAfterLastUse() // the winners' codes are all the backward reads
			gx := x.GradBuffer().Data
			parallelItems(convWorkers(winners.planes), winners.planes, func(_, p int) {
				plane := gx[p*inVolume : (p+1)*inVolume]
				winners.forEach(p, func(i, winner int) {
					plane[winner-p*inVolume] += g.Data[i]
				})
			})
		})
	return value, winners
}

// poolWinners records which element of each 2x2x2 window won the max pooling of an
// input [N, C, D, H, W]: code dz*4 + dy*2 + dx per output element, in the output's
// row-major order. A byte per output, kept until the backward pass (a flat index
// would take eight).
type poolWinners struct {
	codes  []uint8
	in     [3]int // D, H, W of the input
	planes int    // N*C
}

// forEach calls f(i, winner) for every output element i (flat, over all planes) of
// plane p, with winner the flat index of its window's maximum in the input counted
// from the start of the whole input (plane p starts at p*D*H*W).
func (pw poolWinners) forEach(p int, f func(i, winner int)) {
	d, h, w := pw.in[0], pw.in[1], pw.in[2]
	od, oh, ow := d/2, h/2, w/2
	i := p * od * oh * ow
	for z := range od {
		for y := range oh {
			first := p*d*h*w + (2*z*h+2*y)*w
			for xx := range ow {
				code := int(pw.codes[i])
				f(i, first+(code>>2)*h*w+(code>>1&1)*w+2*xx+code&1)
				i++
			}
		}
	}
}

// maxPoolForward writes the window maxima of x (shape xs) into out and each winner's
// code (poolWinners) into codes, one (n, c) plane per item spread over the cores.
func maxPoolForward[T tensor.Float](out []T, codes []uint8, x []T, xs []int) {
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
				rowMax(out[i:i+ow], codes[i:i+ow], rows)
				i += ow
			}
		}
	})
}

// rowMax computes one output row of the pooling: rows are the input rows (d, h),
// (d, h+1), (d+1, h), (d+1, h+1) of the windows, scanned in that raster order with
// the first maximum kept (replaced only by a larger value or NaN); the winner's code
// is row*2 + (its position in the window's pair of columns). The window's maximum is
// taken first and the winner found from a mask of the elements equal to it, so that
// no branch depends on the data's order (on random data those branches mispredicted).
func rowMax[T tensor.Float](out []T, codes []uint8, rows [4][]T) {
	r0, r1, r2, r3 := rows[0], rows[1], rows[2], rows[3]
	for xx := range out {
		j := 2 * xx
		v := [8]T{r0[j], r0[j+1], r1[j], r1[j+1], r2[j], r2[j+1], r3[j], r3[j+1]}
		m := max(max(max(v[0], v[1]), max(v[2], v[3])), max(max(v[4], v[5]), max(v[6], v[7])))
		var equal, nan uint8
		for k, x := range v {
			equal |= b2u8(x == m) << k
			nan |= b2u8(x != x) << k
		}
		code := uint8(bits.TrailingZeros8(equal))
		if nan != 0 { // the scan keeps the last NaN
			code = uint8(bits.Len8(nan) - 1)
		}
		out[xx], codes[xx] = v[code], code
	}
}

// b2u8 is 1 for true and 0 for false.
func b2u8(b bool) uint8 {
	var u uint8
	if b {
		u = 1
	}
	return u
}
