package nn

import (
	"errors"
	"fmt"
	"math/rand/v2"

	"github.com/urpc-go/urpc/tensor"
)

// Perturbation layouts of PPNetConfig.Perturb.
const (
	// PerturbPaper follows the paper: before each prediction head, in training, an
	// element-wise dropout (p = PaperDropoutP) and then a feature-noise layer
	// (r = PaperNoiseR). The decoder path itself is not perturbed.
	PerturbPaper = "paper"
	// PerturbReference follows the reference 3-D code (unet_3D_dv_semi): channel-wise
	// Dropout3d with ReferenceDropoutP on the output of each decoder block, which feeds
	// both the next block and the head; no feature noise.
	PerturbReference = "reference"
	// PerturbNone trains without perturbations.
	PerturbNone = "none"
)

// Norms of PPNetConfig.Norm.
const (
	// NormInstance is InstanceNorm3d without affine part, as in the reference network.
	NormInstance = "instance"
	// NormBatch is BatchNorm3d with affine part and running statistics.
	NormBatch = "batch"
)

// Inference modes of PPNetConfig.Inference.
const (
	// InferMain predicts with the full-resolution head p_0 only (the reference).
	InferMain = "main"
	// InferMean predicts with p_c, the mean of the S heads' probabilities (Eq. 2).
	InferMean = "mean"
)

// PaperDropoutP and PaperNoiseR are the perturbations of PerturbPaper: element-wise
// dropout p = 0.5 (the reference 2-D code's F.dropout) and noise u ~ U(-0.3, 0.3).
const (
	PaperDropoutP = 0.5
	PaperNoiseR   = 0.3
)

// ReferenceDropoutP is the Dropout3d probability of PerturbReference after the decoder
// block of each level, finest (level 0, up_concat1) to coarsest (level 3, up_concat4):
// the reference's 0.5, 0.3, 0.2, 0.1 listed coarse to fine, reversed.
var ReferenceDropoutP = [4]float64{0.1, 0.2, 0.3, 0.5}

// Levels is the number of resolution levels of PPNet: the input resolution and four
// max-pooling steps, so every input side must be a multiple of 2^4 = 16.
const Levels = 5

// PPNetConfig describes a pyramid prediction network. Zero fields take the defaults
// noted in brackets; InChannels and Classes must be set.
type PPNetConfig struct {
	InChannels int    // channels of the input image
	Classes    int    // C, classes predicted by every head (background included)
	Base       int    // channels of the finest level [16]; level k has Base * 2^k
	Heads      int    // S, number of prediction heads, 1..5 [4]
	Perturb    string // PerturbPaper, PerturbReference or PerturbNone [paper]
	Norm       string // NormInstance or NormBatch [instance]
	Inference  string // InferMain or InferMean [main]
}

// withDefaults returns cfg with its zero fields set to their defaults.
func (cfg PPNetConfig) withDefaults() PPNetConfig {
	if cfg.Base == 0 {
		cfg.Base = 16
	}
	if cfg.Heads == 0 {
		cfg.Heads = 4
	}
	if cfg.Perturb == "" {
		cfg.Perturb = PerturbPaper
	}
	if cfg.Norm == "" {
		cfg.Norm = NormInstance
	}
	if cfg.Inference == "" {
		cfg.Inference = InferMain
	}
	return cfg
}

// validate reports the first invalid field of cfg.
func (cfg PPNetConfig) validate() error {
	switch {
	case cfg.InChannels < 1:
		return fmt.Errorf("nn: PPNetConfig.InChannels %d: need at least 1", cfg.InChannels)
	case cfg.Classes < 2:
		return fmt.Errorf("nn: PPNetConfig.Classes %d: need at least 2 (background included)",
			cfg.Classes)
	case cfg.Base < 1:
		return fmt.Errorf("nn: PPNetConfig.Base %d: need at least 1", cfg.Base)
	case cfg.Heads < 1 || cfg.Heads > Levels:
		return fmt.Errorf("nn: PPNetConfig.Heads %d: need 1..%d", cfg.Heads, Levels)
	case cfg.Perturb != PerturbPaper && cfg.Perturb != PerturbReference &&
		cfg.Perturb != PerturbNone:
		return fmt.Errorf("nn: PPNetConfig.Perturb %q: want %q, %q or %q", cfg.Perturb,
			PerturbPaper, PerturbReference, PerturbNone)
	case cfg.Norm != NormInstance && cfg.Norm != NormBatch:
		return fmt.Errorf("nn: PPNetConfig.Norm %q: want %q or %q", cfg.Norm, NormInstance,
			NormBatch)
	case cfg.Inference != InferMain && cfg.Inference != InferMean:
		return fmt.Errorf("nn: PPNetConfig.Inference %q: want %q or %q", cfg.Inference,
			InferMain, InferMean)
	}
	return nil
}

// Channels returns the channels of level k = 0..4: Base * 2^k.
func (cfg PPNetConfig) Channels(level int) int { return cfg.Base << level }

// convLayer indexes a convolution's weight and bias in Params.
type convLayer struct{ weight, bias int }

// normLayer indexes a norm's gamma and beta in Params and its running statistics in
// Buffers; all are -1 for InstanceNorm3d, which has none.
type normLayer struct{ gamma, beta, mean, variance int }

// convBlock is UnetConv3: two stages of Conv3d 3x3x3 pad 1 -> norm -> ReLU.
type convBlock struct {
	convs [2]convLayer
	norms [2]normLayer
}

// PPNet is the pyramid prediction network of URPC (method section 2): a 3-D U-Net with
// 4 max-pooling steps whose decoder predicts at S scales. Encoder block k (k = 0..4,
// the last the bottleneck) works at input size / 2^k with Base * 2^k channels; decoder
// block k (k = 3..0) upsamples the level below trilinearly (x2, align_corners false),
// concatenates [skip_k, upsampled] on channels and applies a block. Head s = 1..S
// (finest first) is a 1x1x1 conv to C classes on decoder output s-1 (for s = 5, on the
// bottleneck), its logits resized to the input size trilinearly (align_corners false).
//
// Parameters live in Params under the state_dict names of the reference network
// unet_3D_dv_semi: conv1..conv4 and center for the encoder, up_concat4..up_concat1 for
// the decoder (up_concat4 the coarsest), "<block>.conv1.0.weight" for a block's first
// conv, "<block>.conv1.1.weight" for its batch norm, dsv1.weight for head 1 and
// dsv<s>.dsv.0.weight for heads 2..5 (dsv5 is this package's extension), in the
// reference's order. Buffers holds the batch norms' running_mean and running_var under
// their state_dict names (num_batches_tracked is not kept).
type PPNet[T tensor.Float] struct {
	Config  PPNetConfig
	Params  *Params[T]
	Buffers *Params[T]

	encoder [Levels]convBlock
	decoder [Levels - 1]convBlock
	heads   []convLayer
}

// encoderNames and decoderNames are the reference's module names of the blocks of
// each level.
var (
	encoderNames = [Levels]string{"conv1", "conv2", "conv3", "conv4", "center"}
	decoderNames = [Levels - 1]string{"up_concat1.conv", "up_concat2.conv",
		"up_concat3.conv", "up_concat4.conv"}
)

// NewPPNet builds a PPNet for cfg with weights initialised from rng as the reference
// does: Kaiming normal conv weights, PyTorch's default uniform conv biases, and for
// batch norms gamma ~ N(1, 0.02^2), beta = 0, running mean 0 and variance 1.
func NewPPNet[T tensor.Float](cfg PPNetConfig, rng *rand.Rand) (*PPNet[T], error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if rng == nil {
		return nil, errors.New("nn: NewPPNet needs an rng to initialise the weights")
	}
	m := &PPNet[T]{Config: cfg}
	var params, buffers ParamLayout
	in := cfg.InChannels
	for k := range Levels {
		m.encoder[k] = declareBlock(&params, &buffers, encoderNames[k], in, cfg.Channels(k),
			cfg.Norm)
		in = cfg.Channels(k)
	}
	for k := Levels - 2; k >= 0; k-- {
		m.decoder[k] = declareBlock(&params, &buffers, decoderNames[k],
			cfg.Channels(k)+cfg.Channels(k+1), cfg.Channels(k), cfg.Norm)
	}
	m.heads = make([]convLayer, cfg.Heads)
	for s := cfg.Heads; s >= 1; s-- {
		prefix := fmt.Sprintf("dsv%d.dsv.0", s)
		if s == 1 {
			prefix = "dsv1"
		}
		m.heads[s-1] = declareConv(&params, prefix, cfg.Channels(s-1), cfg.Classes, 1)
	}

	m.Params, m.Buffers = NewParams[T](&params), NewParams[T](&buffers)
	m.initialise(rng)
	return m, nil
}

// declareConv adds the weight [cout, cin, k, k, k] and bias [cout] of a convolution.
func declareConv(params *ParamLayout, prefix string, cin, cout, k int) convLayer {
	return convLayer{
		weight: params.Add(prefix+".weight", cout, cin, k, k, k),
		bias:   params.Add(prefix+".bias", cout),
	}
}

// declareBlock adds the two conv (and, for batch norm, norm) stages of a block.
func declareBlock(params, buffers *ParamLayout, prefix string, cin, cout int,
	norm string) convBlock {
	var b convBlock
	for i := range 2 {
		stage := fmt.Sprintf("%s.conv%d", prefix, i+1)
		b.convs[i] = declareConv(params, stage+".0", cin, cout, 3)
		b.norms[i] = normLayer{-1, -1, -1, -1}
		if norm == NormBatch {
			b.norms[i] = normLayer{
				gamma:    params.Add(stage+".1.weight", cout),
				beta:     params.Add(stage+".1.bias", cout),
				mean:     buffers.Add(stage+".1.running_mean", cout),
				variance: buffers.Add(stage+".1.running_var", cout),
			}
		}
		cin = cout
	}
	return b
}

// initialise draws every parameter in layout order and sets the running statistics.
func (m *PPNet[T]) initialise(rng *rand.Rand) {
	p := m.Params
	initConv := func(c convLayer) {
		KaimingNormal(rng, p.Tensor(c.weight))
		ConvBiasUniform(rng, p.Tensor(c.bias), p.Entries[c.weight].Shape)
	}
	initBlock := func(b convBlock) {
		for i := range 2 {
			initConv(b.convs[i])
			if n := b.norms[i]; n.gamma >= 0 {
				NormAffineInit(rng, p.Tensor(n.gamma), p.Tensor(n.beta))
				m.Buffers.Tensor(n.mean).Fill(0)
				m.Buffers.Tensor(n.variance).Fill(1)
			}
		}
	}
	for k := range Levels {
		initBlock(m.encoder[k])
	}
	for k := Levels - 2; k >= 0; k-- {
		initBlock(m.decoder[k])
	}
	for s := len(m.heads) - 1; s >= 0; s-- {
		initConv(m.heads[s])
	}
}

// CheckInputShape reports whether x [N, InChannels, D, H, W] fits the network: every
// spatial side must be a positive multiple of 16, so that four 2x poolings divide it
// exactly and the decoder's upsampling meets the skips (sliding windows use such
// patches).
func (m *PPNet[T]) CheckInputShape(shape []int) error {
	if len(shape) != 5 || shape[0] < 1 || shape[1] != m.Config.InChannels {
		return fmt.Errorf("nn: PPNet input %v: want [N, %d, D, H, W]", shape,
			m.Config.InChannels)
	}
	const multiple = 1 << (Levels - 1)
	for axis, side := range shape[2:] {
		if side < multiple || side%multiple != 0 {
			return fmt.Errorf("nn: PPNet input %v: side %d of axis %c is not a positive "+
				"multiple of %d; pad or crop the patch", shape, side, "DHW"[axis], multiple)
		}
	}
	return nil
}
