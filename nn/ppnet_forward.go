package nn

import (
	"errors"
	"fmt"
	"math/rand/v2"

	"github.com/urpc-go/urpc/autograd"
	"github.com/urpc-go/urpc/tensor"
)

// Forward runs the network on x [N, InChannels, D, H, W] and returns the logits
// [N, C, D, H, W] of the S heads at the input size, finest first (head 1 gives p_0).
// In training (train true) the perturbations of Config.Perturb are drawn from rng and
// batch norms use, and update, batch statistics; in inference there are no
// perturbations and rng may be nil. An input side that is not a multiple of 16 is an
// error (see CheckInputShape).
func (m *PPNet[T]) Forward(tape *autograd.Tape[T], x *autograd.Value[T], train bool,
	rng *rand.Rand) ([]*autograd.Value[T], error) {
	var perturb Perturbation[T]
	if rng != nil {
		perturb = RandomPerturbation[T]{Rng: rng}
	}
	return m.ForwardPerturbed(tape, x, train, perturb)
}

// ForwardPerturbed is Forward with the perturbation factors taken from perturb, for
// example a ReplayPerturbation that fixes them for a gradient check.
func (m *PPNet[T]) ForwardPerturbed(tape *autograd.Tape[T], x *autograd.Value[T], train bool,
	perturb Perturbation[T]) ([]*autograd.Value[T], error) {
	return m.forward(tape, x, train, perturb, m.Config.Heads)
}

// forward runs the encoder, the decoder and the first heads heads.
func (m *PPNet[T]) forward(tape *autograd.Tape[T], x *autograd.Value[T], train bool,
	perturb Perturbation[T], heads int) ([]*autograd.Value[T], error) {
	if err := m.CheckInputShape(x.Data.Shape); err != nil {
		return nil, err
	}
	perturbing := train && m.Config.Perturb != PerturbNone
	if perturbing && perturb == nil {
		return nil, errors.New("nn: PPNet training with perturbations needs an rng")
	}
	if !perturbing {
		perturb = nil
	}

	pass := forwardPass[T]{net: m, train: train, perturb: perturb,
		params: make([]*autograd.Value[T], len(m.Params.Entries))}
	for i := range pass.params {
		pass.params[i] = m.Params.Value(tape, i)
	}
	features := pass.unet(x)
	logits := make([]*autograd.Value[T], heads)
	for s := range heads {
		logits[s] = pass.head(s, features[s], x.Data.Shape[2:])
	}
	return logits, nil
}

// forwardPass holds what one forward pass needs besides the activations.
type forwardPass[T tensor.Float] struct {
	net     *PPNet[T]
	params  []*autograd.Value[T]
	train   bool
	perturb Perturbation[T] // nil when nothing is perturbed
}

// unet returns the decoder output of each level 0..3 (finest first) and, at index 4,
// the bottleneck output.
func (f *forwardPass[T]) unet(x *autograd.Value[T]) [Levels]*autograd.Value[T] {
	var skips, features [Levels]*autograd.Value[T]
	h := x
	for k := range Levels {
		if k > 0 {
			h = MaxPool3d(h)
		}
		h = f.block(f.net.encoder[k], []*autograd.Value[T]{h})
		skips[k] = h
	}
	features[Levels-1] = h

	for k := Levels - 2; k >= 0; k-- {
		size := [3]int(skips[k].Data.Shape[2:])
		up := UpsampleTrilinear(h, size, false)
		h = f.block(f.net.decoder[k], []*autograd.Value[T]{skips[k], up})
		if f.perturb != nil && f.net.Config.Perturb == PerturbReference {
			shape := h.Data.Shape
			site := fmt.Sprintf("up_concat%d.dropout3d", k+1)
			h = Dropout3dWithMask(h, f.perturb.ChannelMask(site, shape[0], shape[1],
				ReferenceDropoutP[k]))
		}
		features[k] = h
	}
	return features
}

// block applies UnetConv3: two stages of Conv3d 3x3x3 pad 1 -> norm -> ReLU, to the
// concatenation along channels of inputs (in the decoder the skip connection and the
// upsampled features, read in place by Conv3dConcat).
func (f *forwardPass[T]) block(b convBlock, inputs []*autograd.Value[T]) *autograd.Value[T] {
	var h *autograd.Value[T]
	for i := range 2 {
		c := b.convs[i]
		if i > 0 {
			inputs = []*autograd.Value[T]{h}
		}
		h = Conv3dConcat(inputs, f.params[c.weight], f.params[c.bias], [3]int{1, 1, 1},
			[3]int{1, 1, 1})
		h = f.normReLU(b.norms[i], h)
	}
	return h
}

// normReLU applies the block's norm and the ReLU as one operation: InstanceNorm3dReLU,
// or BatchNorm3dReLU with the layer's parameters and running statistics.
func (f *forwardPass[T]) normReLU(n normLayer, h *autograd.Value[T]) *autograd.Value[T] {
	if n.gamma < 0 {
		return InstanceNorm3dReLU(h, nil, nil, NormEps)
	}
	buffers := f.net.Buffers
	state := BatchNorm3dState[T]{
		RunningMean: buffers.Tensor(n.mean).Data,
		RunningVar:  buffers.Tensor(n.variance).Data,
		Momentum:    BatchNormMomentum, Eps: NormEps,
	}
	return BatchNorm3dReLU(h, f.params[n.gamma], f.params[n.beta], state, f.train)
}

// head returns the logits of head s+1 on features h, resized to size [D, H, W].
// Under PerturbPaper in training, h first goes through element-wise dropout and
// feature noise.
func (f *forwardPass[T]) head(s int, h *autograd.Value[T], size []int) *autograd.Value[T] {
	if f.perturb != nil && f.net.Config.Perturb == PerturbPaper {
		shape := h.Data.Shape
		site := fmt.Sprintf("dsv%d.", s+1)
		h = DropoutWithMask(h, f.perturb.ElementMask(site+"dropout", shape, PaperDropoutP))
		noiseShape := append([]int{1}, shape[1:]...)
		h = FeatureNoiseWithNoise(h, f.perturb.Noise(site+"noise", noiseShape, PaperNoiseR))
	}

	c := f.net.heads[s]
	logits := Conv3d(h, f.params[c.weight], f.params[c.bias], [3]int{1, 1, 1}, [3]int{})
	if s == 0 {
		return logits
	}
	return UpsampleTrilinear(logits, [3]int(size), false)
}

// Predict returns class probabilities [N, C, D, H, W] for x [N, InChannels, D, H, W]
// in inference mode, without recording gradients: the softmax of head 1 (InferMain),
// or p_c, the mean of the S heads' softmaxes (InferMean, Eq. 2).
func (m *PPNet[T]) Predict(x *tensor.Tensor[T]) (*tensor.Tensor[T], error) {
	heads := 1
	if m.Config.Inference == InferMean {
		heads = m.Config.Heads
	}
	tape := autograd.NewNoGradTape[T]()
	logits, err := m.forward(tape, tape.Const(x), false, nil, heads)
	if err != nil {
		return nil, err
	}

	probs := tensor.Softmax(logits[0].Data, 1)
	for _, l := range logits[1:] {
		tensor.AddInPlace(probs, tensor.Softmax(l.Data, 1))
	}
	if heads > 1 {
		probs = tensor.Scale(probs, 1/T(heads))
	}
	return probs, nil
}
