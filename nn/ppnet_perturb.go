package nn

import (
	"fmt"
	"math/rand/v2"

	"github.com/urpc-go/urpc/tensor"
)

// Perturbation supplies the random factors of PPNet's training perturbations. Each
// request names its site, for example "up_concat4.dropout3d", "dsv2.dropout" or
// "dsv2.noise", so that a source can replay fixed factors (gradient checks) or draw
// new ones (training).
type Perturbation[T tensor.Float] interface {
	// ChannelMask returns a Dropout3d mask [N, C, 1, 1, 1] of drop probability p.
	ChannelMask(site string, n, c int, p float64) *tensor.Tensor[T]
	// ElementMask returns an element-wise dropout mask of the given shape
	// [N, C, D, H, W] and drop probability p.
	ElementMask(site string, shape []int, p float64) *tensor.Tensor[T]
	// Noise returns a feature-noise volume u ~ U(-r, r) of shape [1, C, D, H, W].
	Noise(site string, shape []int, r float64) *tensor.Tensor[T]
}

// RandomPerturbation draws new factors from Rng at every request (training).
//
// TODO(perf): the draws are one rng call per element on one goroutine; under
// PerturbPaper at a 112^3 patch (batch 4, Base 16) that is about 1.1e8 calls per step,
// roughly half a second. Split streams per goroutine if it shows in profiles.
type RandomPerturbation[T tensor.Float] struct{ Rng *rand.Rand }

// ChannelMask draws a Dropout3d mask with Dropout3dMask.
func (r RandomPerturbation[T]) ChannelMask(_ string, n, c int, p float64) *tensor.Tensor[T] {
	return Dropout3dMask[T](r.Rng, n, c, p)
}

// ElementMask draws an element-wise dropout mask with DropoutMask.
func (r RandomPerturbation[T]) ElementMask(_ string, shape []int, p float64) *tensor.Tensor[T] {
	return DropoutMask[T](r.Rng, p, shape...)
}

// Noise draws a feature-noise volume with FeatureNoiseDraw.
func (r RandomPerturbation[T]) Noise(_ string, shape []int, noiseRange float64) *tensor.Tensor[T] {
	return FeatureNoiseDraw[T](r.Rng, noiseRange, shape[1], shape[2], shape[3], shape[4])
}

// ReplayPerturbation draws each site's factors once, from Rng, at the site's first
// request, and returns the same tensor at every later request for that site: repeated
// forward passes then see identical masks and noise, as a gradient check needs.
type ReplayPerturbation[T tensor.Float] struct {
	Rng   *rand.Rand
	drawn map[string]*tensor.Tensor[T]
}

// NewReplayPerturbation returns a ReplayPerturbation drawing from rng.
func NewReplayPerturbation[T tensor.Float](rng *rand.Rand) *ReplayPerturbation[T] {
	return &ReplayPerturbation[T]{Rng: rng, drawn: map[string]*tensor.Tensor[T]{}}
}

// replay returns the tensor stored for site, drawing it first when absent; a stored
// tensor of another shape panics.
func (r *ReplayPerturbation[T]) replay(site string, shape []int,
	draw func() *tensor.Tensor[T]) *tensor.Tensor[T] {
	t, ok := r.drawn[site]
	if !ok {
		t = draw()
		r.drawn[site] = t
	}
	if !tensor.SameShape(t.Shape, shape) {
		panic(fmt.Sprintf("nn: ReplayPerturbation: site %s was drawn with shape %v, now %v",
			site, t.Shape, shape))
	}
	return t
}

// ChannelMask returns the site's Dropout3d mask, drawn at the first request.
func (r *ReplayPerturbation[T]) ChannelMask(site string, n, c int, p float64) *tensor.Tensor[T] {
	return r.replay(site, []int{n, c, 1, 1, 1}, func() *tensor.Tensor[T] {
		return Dropout3dMask[T](r.Rng, n, c, p)
	})
}

// ElementMask returns the site's dropout mask, drawn at the first request.
func (r *ReplayPerturbation[T]) ElementMask(site string, shape []int,
	p float64) *tensor.Tensor[T] {
	return r.replay(site, shape, func() *tensor.Tensor[T] {
		return DropoutMask[T](r.Rng, p, shape...)
	})
}

// Noise returns the site's noise volume, drawn at the first request.
func (r *ReplayPerturbation[T]) Noise(site string, shape []int,
	noiseRange float64) *tensor.Tensor[T] {
	return r.replay(site, shape, func() *tensor.Tensor[T] {
		return FeatureNoiseDraw[T](r.Rng, noiseRange, shape[1], shape[2], shape[3], shape[4])
	})
}
