package nn

import (
	"fmt"
	"math/rand/v2"

	"github.com/urpc-go/urpc/autograd"
	"github.com/urpc-go/urpc/tensor"
)

// FeatureNoiseDraw draws the feature-noise volume u ~ U(-r, r) of shape
// [1, C, D, H, W]: one draw shared by every sample of the batch, as in the reference
// FeatureNoise layer (noise of shape x.shape[1:]).
func FeatureNoiseDraw[T tensor.Float](rng *rand.Rand, r float64,
	c, d, h, w int) *tensor.Tensor[T] {
	if !(r >= 0) {
		panic(fmt.Sprintf("nn: FeatureNoiseDraw: noise range %v is negative", r))
	}
	return tensor.RandUniform[T](rng, -r, r, 1, c, d, h, w)
}

// FeatureNoiseWithNoise returns x + x * u = x * (1 + u) for x [N, C, D, H, W] and a noise
// volume u [1, C, D, H, W] (from FeatureNoiseDraw) broadcast over the batch.
// Backward: dx = g * (1 + u).
func FeatureNoiseWithNoise[T tensor.Float](x *autograd.Value[T],
	u *tensor.Tensor[T]) *autograd.Value[T] {
	shape := x.Data.Shape
	if len(shape) != 5 || !tensor.SameShape(u.Shape, append([]int{1}, shape[1:]...)) {
		panic(fmt.Sprintf("nn: FeatureNoiseWithNoise wants noise [1, C, D, H, W] for x %v, got %v",
			shape, u.Shape))
	}
	return scaleByFactor("feature_noise", x, tensor.AddScalar(u, 1))
}

// FeatureNoise multiplies x [N, C, D, H, W] by 1 + u, u ~ U(-r, r) of shape
// [1, C, D, H, W] drawn from rng once for the whole batch, in training; in inference it
// returns x unchanged. The reference 2-D URPC code uses r = 0.3.
func FeatureNoise[T tensor.Float](x *autograd.Value[T], r float64, train bool,
	rng *rand.Rand) *autograd.Value[T] {
	if !train {
		return x
	}
	shape := x.Data.Shape
	if len(shape) != 5 {
		panic(fmt.Sprintf("nn: FeatureNoise wants x [N, C, D, H, W], got %v", shape))
	}
	return FeatureNoiseWithNoise(x, FeatureNoiseDraw[T](rng, r, shape[1], shape[2], shape[3],
		shape[4]))
}
