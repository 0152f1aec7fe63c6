package vk

import (
	"errors"
	"fmt"

	"github.com/urpc-go/urpc/nn"
	"github.com/urpc-go/urpc/tensor"
)

// blockPass holds what the backward pass of one UnetConv3 block needs: for each of its
// two stages the conv input, the conv output (the norm's input) and the norm's
// statistics; post[1] is the block's output.
type blockPass struct {
	in    *Buffer
	pre   [2]*Buffer
	post  [2]*Buffer
	stats [2]*Buffer
}

// headPass holds a head's conv input and its paper perturbation factors (nil under the
// other layouts).
type headPass struct {
	in, mask, noise *Buffer
}

// devicePass is one forward pass on the device: the activations its backward needs and
// every buffer it owns.
type devicePass struct {
	n    int
	size [3]int // input [D, H, W]

	encoder  [nn.Levels]blockPass
	pool     [nn.Levels - 1]*Buffer // MaxPool3d indices into encoder level k's output
	decoder  [nn.Levels - 1]blockPass
	masks    [nn.Levels - 1]*Buffer // reference Dropout3d masks [N, C, 1, 1, 1]
	features [nn.Levels]*Buffer     // input of head s: decoder outputs, then the bottleneck
	heads    []headPass

	owned []*Buffer
}

// alloc returns a new buffer owned by the pass.
func (p *devicePass) alloc(d *Device, n int) *Buffer {
	b := d.NewBuffer(n)
	p.owned = append(p.owned, b)
	return b
}

// upload returns a new buffer owned by the pass holding data.
func (p *devicePass) upload(d *Device, data []float32) *Buffer {
	b := d.Upload(data)
	p.owned = append(p.owned, b)
	return b
}

// levelSize returns the spatial size of level k: the input size / 2^k.
func (p *devicePass) levelSize(k int) [3]int {
	return [3]int{p.size[0] >> k, p.size[1] >> k, p.size[2] >> k}
}

// levelShape returns [N, channels, size of level k].
func (p *devicePass) levelShape(k, channels int) []int {
	s := p.levelSize(k)
	return []int{p.n, channels, s[0], s[1], s[2]}
}

// releasePass returns the buffers of the last Forward to the pool.
func (t *PPNetTrainer) releasePass() {
	if t.pass == nil {
		return
	}
	for _, b := range t.pass.owned {
		b.Release()
	}
	t.pass = nil
}

// perturbFactors are the random factors of one training pass, drawn on the CPU.
type perturbFactors struct {
	channelMasks        [nn.Levels - 1]*tensor.Tensor[float32] // reference
	elementMasks, noise []*tensor.Tensor[float32]              // paper, per head
}

// drawPerturbation requests the factors of Config.Perturb from perturb at the sites and
// in the order of nn.PPNet.Forward: the decoder's Dropout3d masks coarse to fine, then
// each head's dropout mask and noise, finest head first.
func (t *PPNetTrainer) drawPerturbation(p *devicePass,
	perturb nn.Perturbation[float32]) perturbFactors {
	cfg := t.net.Config
	var f perturbFactors
	switch cfg.Perturb {
	case nn.PerturbReference:
		for k := nn.Levels - 2; k >= 0; k-- {
			f.channelMasks[k] = perturb.ChannelMask(fmt.Sprintf("up_concat%d.dropout3d", k+1),
				p.n, cfg.Channels(k), nn.ReferenceDropoutP[k])
		}
	case nn.PerturbPaper:
		for s := range cfg.Heads {
			shape := p.levelShape(s, cfg.Channels(s))
			site := fmt.Sprintf("dsv%d.", s+1)
			f.elementMasks = append(f.elementMasks,
				perturb.ElementMask(site+"dropout", shape, nn.PaperDropoutP))
			f.noise = append(f.noise, perturb.Noise(site+"noise",
				append([]int{1}, shape[1:]...), nn.PaperNoiseR))
		}
	}
	return f
}

// Forward runs the network in training mode on images [N, InChannels, D, H, W] and
// returns the logits [N, C, D, H, W] of the S heads at the input size, finest first,
// as nn.PPNet.Forward does. The perturbations of Config.Perturb are drawn from perturb
// (nil is allowed under nn.PerturbNone). The activations stay on the device for the
// next Backward.
func (t *PPNetTrainer) Forward(images *tensor.Tensor[float32],
	perturb nn.Perturbation[float32]) ([]*tensor.Tensor[float32], error) {
	if err := t.net.CheckInputShape(images.Shape); err != nil {
		return nil, err
	}
	if t.net.Config.Perturb != nn.PerturbNone && perturb == nil {
		return nil, errors.New("vk: PPNetTrainer.Forward: perturbations need a source")
	}
	t.releasePass()
	p := &devicePass{n: images.Shape[0], size: [3]int(images.Shape[2:])}
	t.pass = p
	factors := t.drawPerturbation(p, perturb)
	x := p.upload(t.dev, images.Data)
	t.uploadPerturbation(p, factors)

	t.unet(p, x)
	full := make([]*Buffer, len(t.heads))
	for s := range t.heads {
		full[s] = t.head(p, s)
	}
	logits := make([]*tensor.Tensor[float32], len(full))
	for s, b := range full {
		logits[s] = tensor.Zeros[float32](p.levelShape(0, t.net.Config.Classes)...)
		b.Read(logits[s].Data)
	}
	return logits, nil
}

// uploadPerturbation uploads the drawn factors (before any work is recorded, so that
// the uploads do not wait for it).
func (t *PPNetTrainer) uploadPerturbation(p *devicePass, f perturbFactors) {
	for k, m := range f.channelMasks {
		if m != nil {
			p.masks[k] = p.upload(t.dev, m.Data)
		}
	}
	p.heads = make([]headPass, len(t.heads))
	for s := range f.elementMasks {
		p.heads[s].mask = p.upload(t.dev, f.elementMasks[s].Data)
		p.heads[s].noise = p.upload(t.dev, f.noise[s].Data)
	}
}

// unet records the encoder and the decoder and sets p.features.
func (t *PPNetTrainer) unet(p *devicePass, x *Buffer) {
	cfg := t.net.Config
	h, channels := x, cfg.InChannels
	for k := range nn.Levels {
		if k > 0 {
			pooled := p.alloc(t.dev, h.Len()/8)
			p.pool[k-1] = p.alloc(t.dev, pooled.Len())
			t.dev.MaxPool3d(pooled, p.pool[k-1], h, p.levelShape(k-1, channels))
			h = pooled
		}
		p.encoder[k] = t.block(p, t.encoder[k], h, k)
		h, channels = p.encoder[k].post[1], cfg.Channels(k)
	}
	p.features[nn.Levels-1] = h

	for k := nn.Levels - 2; k >= 0; k-- {
		size := p.levelSize(k)
		volume := size[0] * size[1] * size[2]
		up := t.dev.NewBuffer(p.n * cfg.Channels(k+1) * volume)
		t.dev.UpsampleTrilinear(up, h, p.levelShape(k+1, cfg.Channels(k+1)), size, false)
		cat := p.alloc(t.dev, p.n*(cfg.Channels(k)+cfg.Channels(k+1))*volume)
		t.dev.ConcatChannels(cat, []*Buffer{p.encoder[k].post[1], up}, p.n, volume)
		up.Release()
		p.decoder[k] = t.block(p, t.decoder[k], cat, k)
		h = p.decoder[k].post[1]
		if p.masks[k] != nil {
			masked := p.alloc(t.dev, h.Len())
			t.dev.MulBroadcast(masked, h, p.masks[k], volume, false)
			h = masked
		}
		p.features[k] = h
	}
}

// block records UnetConv3 on x at level k: two stages of Conv3d 3x3x3 pad 1 ->
// InstanceNorm3d -> ReLU (the norm and the ReLU fused).
func (t *PPNetTrainer) block(p *devicePass, layers [2]convLayer, x *Buffer,
	k int) blockPass {
	b := blockPass{in: x}
	h := x
	for i, c := range layers {
		shape := p.levelShape(k, c.cout)
		b.pre[i] = p.alloc(t.dev, tensor.Numel(shape))
		t.dev.conv3d(whole(b.pre[i]), whole(h), c.weightIn(t.theta), c.biasIn(t.theta),
			c.shape(p.n, p.levelSize(k)))
		b.post[i] = p.alloc(t.dev, b.pre[i].Len())
		b.stats[i] = p.alloc(t.dev, 2*p.n*c.cout)
		t.dev.InstanceNorm3d(b.post[i], b.stats[i], b.pre[i], shape, nn.NormEps, true)
		h = b.post[i]
	}
	return b
}

// head records head s on p.features[s] and returns its logits at the input size: the
// paper perturbation (dropout, then feature noise) when drawn, a 1x1x1 conv to C
// classes, and for s > 0 trilinear upsampling (align_corners false).
func (t *PPNetTrainer) head(p *devicePass, s int) *Buffer {
	hp := &p.heads[s]
	hp.in = p.features[s]
	if hp.mask != nil {
		dropped := t.dev.NewBuffer(hp.in.Len())
		t.dev.Mul(dropped, hp.in, hp.mask)
		noisy := p.alloc(t.dev, hp.in.Len())
		t.dev.FeatureNoise(noisy, dropped, hp.noise)
		dropped.Release()
		hp.in = noisy
	}

	c := t.heads[s]
	shape := p.levelShape(s, c.cout)
	logits := p.alloc(t.dev, tensor.Numel(shape))
	t.dev.conv3d(whole(logits), whole(hp.in), c.weightIn(t.theta), c.biasIn(t.theta),
		c.shape(p.n, p.levelSize(s)))
	if s == 0 {
		return logits
	}
	full := p.alloc(t.dev, p.n*c.cout*p.size[0]*p.size[1]*p.size[2])
	t.dev.UpsampleTrilinear(full, logits, shape, p.size, false)
	return full
}
