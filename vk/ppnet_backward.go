package vk

import (
	"fmt"

	"github.com/urpc-go/urpc/nn"
	"github.com/urpc-go/urpc/tensor"
)

// backwardPass holds the activation gradients of one Backward while they are summed:
// features[k] is the gradient of the input of head k (decoder output k, or the
// bottleneck for k = 4), skips[k] that of encoder output k for k < 4.
type backwardPass struct {
	features [nn.Levels]*Buffer
	skips    [nn.Levels - 1]*Buffer
	owned    []*Buffer
}

// alloc returns a new buffer released at the end of Backward.
func (g *backwardPass) alloc(d *Device, n int) *Buffer {
	b := d.NewBuffer(n)
	g.owned = append(g.owned, b)
	return b
}

// target returns the gradient buffer in *slot, allocating it at the first contribution,
// and whether a contribution must be added to it (false: it may overwrite).
func (g *backwardPass) target(d *Device, slot **Buffer, n int) (*Buffer, bool) {
	if *slot == nil {
		*slot = g.alloc(d, n)
		return *slot, false
	}
	return *slot, true
}

// Backward runs the backward pass of the last Forward from the gradients of a loss
// with respect to its logits (one [N, C, D, H, W] tensor per head, finest first) and
// leaves the gradient of every parameter on the device. Each parameter is used once
// by the forward pass, so its gradient is written, not added. The activations of the
// Forward are released.
func (t *PPNetTrainer) Backward(logitGrads []*tensor.Tensor[float32]) {
	p := t.pass
	if p == nil {
		panic("vk: PPNetTrainer.Backward without a Forward")
	}
	want := p.n * t.net.Config.Classes * p.size[0] * p.size[1] * p.size[2]
	if len(logitGrads) != len(t.heads) {
		panic(fmt.Sprintf("vk: PPNetTrainer.Backward: %d logit gradients for %d heads",
			len(logitGrads), len(t.heads)))
	}
	g := &backwardPass{}
	defer func() {
		for _, b := range g.owned {
			b.Release()
		}
		t.releasePass()
	}()
	uploaded := make([]*Buffer, len(logitGrads))
	for s, lg := range logitGrads {
		if lg.Numel() != want {
			panic(fmt.Sprintf("vk: PPNetTrainer.Backward: logit gradient %v for %d values",
				lg.Shape, want))
		}
		uploaded[s] = t.dev.Upload(lg.Data)
		g.owned = append(g.owned, uploaded[s])
	}

	for s := range t.heads {
		t.headBackward(p, g, s, uploaded[s])
	}
	for k := range nn.Levels - 1 {
		t.decoderBackward(p, g, k)
	}
	for k := nn.Levels - 1; k >= 0; k-- {
		t.encoderBackward(p, g, k)
	}
}

// headBackward sets the gradient of the features of head s (the first contribution to
// it; heads run first) from its logits' gradient at the input size, and writes its
// conv's parameter gradients.
func (t *PPNetTrainer) headBackward(p *devicePass, g *backwardPass, s int, grad *Buffer) {
	c, hp := t.heads[s], p.heads[s]
	shape := p.levelShape(s, c.cout)
	if s > 0 {
		small := g.alloc(t.dev, tensor.Numel(shape))
		t.dev.UpsampleTrilinearBackward(small, grad, shape, p.size, false, false)
		grad = small
	}

	gIn := g.alloc(t.dev, tensor.Numel(p.levelShape(s, c.cin)))
	if hp.mask == nil {
		g.features[s] = gIn
	}
	t.dev.conv3dBackward(whole(gIn), c.weightIn(t.grad), c.biasIn(t.grad), whole(grad),
		whole(hp.in), c.weightIn(t.theta), c.shape(p.n, p.levelSize(s)), false)
	if hp.mask == nil {
		return
	}

	// x -> x * mask -> (x * mask) * (1 + u): the gradient is g * (1 + u) * mask.
	t.dev.FeatureNoise(gIn, gIn, hp.noise)
	g.features[s] = g.alloc(t.dev, gIn.Len())
	t.dev.MulBroadcast(g.features[s], gIn, hp.mask, 1, false)
}

// decoderBackward back-propagates decoder block k: through its Dropout3d mask, the
// block, the concatenation (into the skip's gradient) and the upsampling (into the
// gradient of the level below).
func (t *PPNetTrainer) decoderBackward(p *devicePass, g *backwardPass, k int) {
	cfg := t.net.Config
	size := p.levelSize(k)
	volume := size[0] * size[1] * size[2]
	out := g.features[k]
	if p.masks[k] != nil {
		masked := g.alloc(t.dev, out.Len())
		t.dev.MulBroadcast(masked, out, p.masks[k], volume, false)
		out = masked
	}

	gCat := g.alloc(t.dev, p.decoder[k].in.Len())
	t.blockBackward(p, g, p.decoder[k], t.decoder[k], out, gCat, k)
	gUp := g.alloc(t.dev, p.n*cfg.Channels(k+1)*volume)
	skip, _ := g.target(t.dev, &g.skips[k], p.n*cfg.Channels(k)*volume)
	t.dev.SplitChannels([]*Buffer{skip, gUp}, gCat, p.n, volume, false)

	below := p.levelShape(k+1, cfg.Channels(k+1))
	dst, add := g.target(t.dev, &g.features[k+1], tensor.Numel(below))
	t.dev.UpsampleTrilinearBackward(dst, gUp, below, size, false, add)
}

// encoderBackward back-propagates encoder block k and the max pooling in front of it
// (into the gradient of encoder output k-1).
func (t *PPNetTrainer) encoderBackward(p *devicePass, g *backwardPass, k int) {
	out := g.features[nn.Levels-1]
	if k < nn.Levels-1 {
		out = g.skips[k]
	}
	if k == 0 {
		t.blockBackward(p, g, p.encoder[0], t.encoder[0], out, nil, 0)
		return
	}
	gIn := g.alloc(t.dev, p.encoder[k].in.Len())
	t.blockBackward(p, g, p.encoder[k], t.encoder[k], out, gIn, k)
	t.dev.MaxPool3dBackward(g.skips[k-1], gIn, p.pool[k-1],
		p.levelShape(k-1, t.net.Config.Channels(k-1)))
}

// blockBackward back-propagates a UnetConv3 block at level k from the gradient of its
// output: it writes the gradient of its input into gIn (skipped when nil) and the
// gradients of its conv weights and biases.
func (t *PPNetTrainer) blockBackward(p *devicePass, g *backwardPass, b blockPass,
	layers [2]convLayer, out, gIn *Buffer, k int) {
	grad := out
	for i := 1; i >= 0; i-- {
		c := layers[i]
		shape := p.levelShape(k, c.cout)
		gPre := g.alloc(t.dev, b.pre[i].Len())
		t.dev.InstanceNorm3dBackward(gPre, grad, b.pre[i], b.stats[i], shape, true, false)

		input, gx := b.in, optional(gIn)
		if i == 1 {
			input = b.post[0]
			gx = whole(g.alloc(t.dev, input.Len()))
		}
		t.dev.conv3dBackward(gx, c.weightIn(t.grad), c.biasIn(t.grad), whole(gPre),
			whole(input), c.weightIn(t.theta), c.shape(p.n, p.levelSize(k)), false)
		grad = gx.buf
	}
}
