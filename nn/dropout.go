package nn

import (
	"fmt"
	"math/rand/v2"

	"github.com/urpc-go/urpc/autograd"
	"github.com/urpc-go/urpc/tensor"
)

// scaleByFactor records y = x * f for x [N, C, D, H, W] and a constant factor f that
// is [N, C, D, H, W], [N, C, 1, 1, 1] (one factor per channel) or [1, C, D, H, W] (one
// volume shared by the batch). Backward: dx += g * f. It is the common op of the
// dropouts and of the feature noise, whose random factors are drawn outside.
func scaleByFactor[T tensor.Float](op string, x *autograd.Value[T],
	factor *tensor.Tensor[T]) *autograd.Value[T] {
	shape, fshape := x.Data.Shape, factor.Shape
	if len(shape) != 5 || len(fshape) != 5 || fshape[1] != shape[1] {
		panic(fmt.Sprintf("nn: %s: factor %v does not fit x %v", op, fshape, shape))
	}
	perSample := fshape[0] == shape[0]
	perVoxel := tensor.SameShape(fshape[2:], shape[2:])
	if !(perSample || fshape[0] == 1) || !(perVoxel || tensor.Numel(fshape[2:]) == 1) {
		panic(fmt.Sprintf("nn: %s: factor %v does not fit x %v", op, fshape, shape))
	}

	n, c, voxels := shape[0], shape[1], tensor.Numel(shape[2:])
	apply := func(dst, src []T) { // dst += src * f, one (n, c) plane per item
		forPlanes(n*c, voxels, func(_, plane int) {
			at, base := plane%c, plane*voxels
			if perSample {
				at = plane
			}
			d, x := dst[base:base+voxels], src[base:base+voxels]
			if !perVoxel {
				f := factor.Data[at]
				for v := range d {
					d[v] += x[v] * f
				}
				return
			}
			f := factor.Data[at*voxels : (at+1)*voxels]
			for v := range d {
				d[v] += x[v] * f[v]
			}
		})
	}

	out := tensor.Zeros[T](shape...)
	apply(out.Data, x.Data.Data)
	inputs := []*autograd.Value[T]{x}
	return x.Tape().RecordOwnedUnread(op, out, inputs, func(g *tensor.Tensor[T]) {
		x.ReleaseAfterLastUse() // the factors are all the backward reads
		if x.RequiresGrad() {
			apply(x.GradBuffer().Data, g.Data)
		}
	})
}

// checkDropP panics unless 0 <= p <= 1.
func checkDropP(op string, p float64) {
	if !(p >= 0 && p <= 1) {
		panic(fmt.Sprintf("nn: %s: drop probability %v is not in [0, 1]", op, p))
	}
}

// keepFactor draws one dropout multiplier: 0 with probability p, else 1/(1-p).
func keepFactor[T tensor.Float](rng *rand.Rand, p float64) T {
	if rng.Float64() < p {
		return 0
	}
	return T(1 / (1 - p))
}

// Dropout3dMask draws the mask of Dropout3d for x [N, C, D, H, W]: a tensor
// [N, C, 1, 1, 1] whose entries are 0 with probability p (the whole channel is dropped)
// and 1/(1-p) otherwise (the surviving channel is rescaled).
func Dropout3dMask[T tensor.Float](rng *rand.Rand, n, c int, p float64) *tensor.Tensor[T] {
	checkDropP("Dropout3dMask", p)
	mask := tensor.Zeros[T](n, c, 1, 1, 1)
	for i := range mask.Data {
		mask.Data[i] = keepFactor[T](rng, p)
	}
	return mask
}

// Dropout3dWithMask returns x * mask for x [N, C, D, H, W] and a channel mask
// [N, C, 1, 1, 1] (from Dropout3dMask), shared by all voxels of a channel.
// Backward: dx = g * mask.
func Dropout3dWithMask[T tensor.Float](x *autograd.Value[T],
	mask *tensor.Tensor[T]) *autograd.Value[T] {
	shape := x.Data.Shape
	if len(shape) != 5 || !tensor.SameShape(mask.Shape, []int{shape[0], shape[1], 1, 1, 1}) {
		panic(fmt.Sprintf("nn: Dropout3dWithMask wants mask [N, C, 1, 1, 1] for x %v, got %v",
			shape, mask.Shape))
	}
	return scaleByFactor("dropout3d", x, mask)
}

// Dropout3d zeroes each whole channel (n, c) of x [N, C, D, H, W] with probability p
// and scales the others by 1/(1-p) in training (train true, mask drawn from rng); in
// inference it returns x unchanged.
func Dropout3d[T tensor.Float](x *autograd.Value[T], p float64, train bool,
	rng *rand.Rand) *autograd.Value[T] {
	if !train {
		return x
	}
	shape := x.Data.Shape
	if len(shape) != 5 {
		panic(fmt.Sprintf("nn: Dropout3d wants x [N, C, D, H, W], got %v", shape))
	}
	return Dropout3dWithMask(x, Dropout3dMask[T](rng, shape[0], shape[1], p))
}

// DropoutMask draws the mask of element-wise dropout for x of the given shape
// [N, C, D, H, W]: each entry is 0 with probability p and 1/(1-p) otherwise.
func DropoutMask[T tensor.Float](rng *rand.Rand, p float64, shape ...int) *tensor.Tensor[T] {
	checkDropP("DropoutMask", p)
	mask := tensor.Zeros[T](shape...)
	for i := range mask.Data {
		mask.Data[i] = keepFactor[T](rng, p)
	}
	return mask
}

// DropoutWithMask returns x * mask elementwise for x and mask [N, C, D, H, W] (mask
// from DropoutMask). Backward: dx = g * mask.
func DropoutWithMask[T tensor.Float](x *autograd.Value[T],
	mask *tensor.Tensor[T]) *autograd.Value[T] {
	if len(x.Data.Shape) != 5 || !tensor.SameShape(mask.Shape, x.Data.Shape) {
		panic(fmt.Sprintf("nn: DropoutWithMask wants mask of x's shape %v, got %v",
			x.Data.Shape, mask.Shape))
	}
	return scaleByFactor("dropout", x, mask)
}

// Dropout zeroes each element of x [N, C, D, H, W] with probability p and scales the
// others by 1/(1-p) in training (mask drawn from rng); in inference it returns x.
func Dropout[T tensor.Float](x *autograd.Value[T], p float64, train bool,
	rng *rand.Rand) *autograd.Value[T] {
	if !train {
		return x
	}
	return DropoutWithMask(x, DropoutMask[T](rng, p, x.Data.Shape...))
}
