package vk

import (
	"errors"
	"fmt"

	"github.com/urpc-go/urpc/nn"
	"github.com/urpc-go/urpc/optim"
)

// convLayer is one convolution of PPNet: where its weight [Cout, Cin, K, K, K] and bias
// [Cout] sit in the flat parameter (and gradient) buffer.
type convLayer struct {
	cout, cin, k, pad    int
	weightOff, weightLen int
	biasOff, biasLen     int
}

// weightIn and biasIn view the layer's weight and bias inside a flat buffer laid out
// like the model's Params (the parameters or their gradients).
func (c convLayer) weightIn(b *Buffer) view {
	return view{buf: b, off: c.weightOff, n: c.weightLen}
}

func (c convLayer) biasIn(b *Buffer) view { return view{buf: b, off: c.biasOff, n: c.biasLen} }

// shape returns the geometry of the layer on a batch of n volumes of the given size
// (stride 1, padding K/2: sizes are kept).
func (c convLayer) shape(n int, size [3]int) Conv3dShape {
	return Conv3dShape{N: n, Cin: c.cin, D: size[0], H: size[1], W: size[2], Cout: c.cout,
		KD: c.k, KH: c.k, KW: c.k, Stride: [3]int{1, 1, 1},
		Padding: [3]int{c.pad, c.pad, c.pad}}
}

// PPNetTrainer runs training steps of an nn.PPNet[float32] on a Vulkan device: the flat
// parameters, their gradients and the SGD momentum buffer stay on the device; a step is
// Forward (logits of the S heads downloaded), a loss and its logit gradients computed
// on the CPU (for example URPCLoss), Backward (logit gradients uploaded, gradients of
// every parameter on the device) and Update (SGD with momentum on the device).
// SyncToHost copies the parameters and the optimiser state back for validation and
// checkpoints. Only instance norm is supported; perturbations are drawn on the CPU
// through nn.Perturbation in the order of nn.PPNet.Forward, so that the same rng gives
// the same masks as the CPU path.
type PPNetTrainer struct {
	dev *Device
	net *nn.PPNet[float32]

	encoder [nn.Levels][2]convLayer
	decoder [nn.Levels - 1][2]convLayer
	heads   []convLayer

	theta, grad, velocity *Buffer
	momentum, weightDecay float32
	steps                 int

	pass *devicePass // the activations of the last Forward, until Backward
}

// TODO(speed): the losses run on the CPU, so every step downloads the S logits and
// uploads their gradients (2*S*N*C*D*H*W values) and waits for the device twice; the
// convolutions run one GEMM per sample and column block.

// Block and head names of the reference state_dict (see nn.PPNet).
var (
	encoderNames = [nn.Levels]string{"conv1", "conv2", "conv3", "conv4", "center"}
	decoderNames = [nn.Levels - 1]string{"up_concat1.conv", "up_concat2.conv",
		"up_concat3.conv", "up_concat4.conv"}
)

// NewPPNetTrainer uploads the parameters of net and the state of opt (momentum,
// weight decay, momentum buffer and step count) to d. net must use instance norm.
func NewPPNetTrainer(d *Device, net *nn.PPNet[float32],
	opt *optim.SGD[float32]) (*PPNetTrainer, error) {
	if net.Config.Norm != nn.NormInstance {
		return nil, fmt.Errorf("vk: PPNetTrainer: norm %q is not supported on the device "+
			"(use -norm %s)", net.Config.Norm, nn.NormInstance)
	}
	state := opt.State()
	if len(state.MomentumBuffer) != net.Params.Len() {
		return nil, fmt.Errorf("vk: PPNetTrainer: optimiser of %d values for %d parameters",
			len(state.MomentumBuffer), net.Params.Len())
	}
	t := &PPNetTrainer{dev: d, net: net, momentum: float32(opt.Momentum),
		weightDecay: float32(opt.WeightDecay), steps: state.Steps}
	if err := t.locateLayers(); err != nil {
		return nil, err
	}
	t.theta = d.Upload(net.Params.Data)
	t.grad = d.NewBuffer(net.Params.Len())
	t.velocity = d.Upload(state.MomentumBuffer)
	return t, nil
}

// locateLayers finds every convolution of the network in the parameter layout.
func (t *PPNetTrainer) locateLayers() error {
	cfg := t.net.Config
	var errs []error
	conv := func(prefix string, cin, cout, k int) convLayer {
		c, err := t.findConv(prefix, cin, cout, k)
		errs = append(errs, err)
		return c
	}
	in := cfg.InChannels
	for k := range nn.Levels {
		for i := range 2 {
			t.encoder[k][i] = conv(fmt.Sprintf("%s.conv%d.0", encoderNames[k], i+1), in,
				cfg.Channels(k), 3)
			in = cfg.Channels(k)
		}
	}
	for k := range nn.Levels - 1 {
		cin := cfg.Channels(k) + cfg.Channels(k+1)
		for i := range 2 {
			t.decoder[k][i] = conv(fmt.Sprintf("%s.conv%d.0", decoderNames[k], i+1), cin,
				cfg.Channels(k), 3)
			cin = cfg.Channels(k)
		}
	}
	t.heads = make([]convLayer, cfg.Heads)
	for s := range t.heads {
		prefix := fmt.Sprintf("dsv%d.dsv.0", s+1)
		if s == 0 {
			prefix = "dsv1"
		}
		t.heads[s] = conv(prefix, cfg.Channels(s), cfg.Classes, 1)
	}
	return errors.Join(errs...)
}

// findConv looks up prefix.weight [cout, cin, k, k, k] and prefix.bias [cout].
func (t *PPNetTrainer) findConv(prefix string, cin, cout, k int) (convLayer, error) {
	c := convLayer{cout: cout, cin: cin, k: k, pad: k / 2}
	p := t.net.Params
	wi, okW := p.Index(prefix + ".weight")
	bi, okB := p.Index(prefix + ".bias")
	if !okW || !okB {
		return c, fmt.Errorf("vk: PPNetTrainer: no parameter %s.weight or %s.bias", prefix,
			prefix)
	}
	w, b := p.Entries[wi], p.Entries[bi]
	if w.Size() != cout*cin*k*k*k || b.Size() != cout {
		return c, fmt.Errorf("vk: PPNetTrainer: %s %v and %s %v, want [%d, %d, %d, %d, %d]",
			w.Name, w.Shape, b.Name, b.Shape, cout, cin, k, k, k)
	}
	c.weightOff, c.weightLen, c.biasOff, c.biasLen = w.Offset, w.Size(), b.Offset, b.Size()
	return c, nil
}

// Device returns the device the trainer runs on.
func (t *PPNetTrainer) Device() *Device { return t.dev }

// Steps returns the number of SGD updates taken, including those of the optimiser
// state the trainer started from.
func (t *PPNetTrainer) Steps() int { return t.steps }

// Update applies one SGD step with momentum and weight decay (torch.optim.SGD, as
// optim.SGD) at learning rate lr to the device parameters, from the gradients of the
// last Backward.
func (t *PPNetTrainer) Update(lr float64) {
	t.dev.SGDMomentum(t.theta, t.grad, t.velocity, float32(lr), t.momentum, t.weightDecay,
		t.steps == 0)
	t.steps++
}

// SyncToHost downloads the device parameters into the model's Params.Data and, when
// opt is not nil, the momentum buffer and step count into opt (for validation on the
// CPU and for checkpoints).
func (t *PPNetTrainer) SyncToHost(opt *optim.SGD[float32]) error {
	t.theta.Read(t.net.Params.Data)
	if opt == nil {
		return nil
	}
	return opt.SetState(optim.State[float32]{Steps: t.steps,
		MomentumBuffer: t.velocity.Download()})
}

// Gradients returns a copy of the flat gradient buffer of the last Backward, laid out
// like the model's Params.Grad.
func (t *PPNetTrainer) Gradients() []float32 { return t.grad.Download() }

// Close releases the trainer's device buffers; the device stays open.
func (t *PPNetTrainer) Close() {
	t.releasePass()
	for _, b := range []*Buffer{t.theta, t.grad, t.velocity} {
		b.Release()
	}
	t.theta, t.grad, t.velocity = nil, nil, nil
}
