package vk

import "fmt"

var stridedCopyKernel = kernelSpec{name: "strided_copy", bindings: 2, pushWords: 7}

// channelBlocks returns the channels C_i of each part [N, C_i, volume] (nil parts
// count as absent) and their sum, checking the lengths against whole [N, sum C_i,
// volume].
func channelBlocks(op string, whole *Buffer, parts []*Buffer, n, volume int) []int {
	if n < 1 || volume < 1 {
		panic(fmt.Sprintf("vk: %s with N = %d and a volume of %d voxels", op, n, volume))
	}
	channels, total := make([]int, len(parts)), 0
	for i, b := range parts {
		if b == nil || b.n%(n*volume) != 0 {
			panic(fmt.Sprintf("vk: %s: part %d is not [%d, C, %d voxels]", op, i, n, volume))
		}
		channels[i] = b.n / (n * volume)
		total += channels[i]
	}
	if whole.n != n*total*volume {
		panic(fmt.Sprintf("vk: %s: %d values for [%d, %d, %d voxels]", op, whole.n, n,
			total, volume))
	}
	return channels
}

// stridedCopy records out[r*ostride + i] (+)= x[r*xstride + i] for r < rows, i < cols.
func (d *Device) stridedCopy(out, x view, rows, cols, ostride, xstride int, accumulate bool) {
	push := []uint32{uint32(rows), uint32(cols), uint32(xstride), uint32(ostride),
		boolWord(accumulate)}
	d.record(&stridedCopyKernel, d.grid1D(rows*cols), push, x, out)
}

// ConcatChannels writes the parts [N, C_i, D, H, W] one after another along the
// channel axis into out [N, sum C_i, D, H, W] (autograd.Concat on axis 1); volume is
// D*H*W.
func (d *Device) ConcatChannels(out *Buffer, parts []*Buffer, n, volume int) {
	channels := channelBlocks("ConcatChannels", out, parts, n, volume)
	stride, first := out.n/n, 0
	for i, b := range parts {
		block := channels[i] * volume
		d.stridedCopy(whole(out).sub(first, out.n-first), whole(b), n, block, stride, block,
			false)
		first += block
	}
}

// SplitChannels is the backward of ConcatChannels: it writes (or with accumulate adds)
// into grads[i] [N, C_i, D, H, W] the block of channels of part i of
// g [N, sum C_i, D, H, W].
func (d *Device) SplitChannels(grads []*Buffer, g *Buffer, n, volume int, accumulate bool) {
	channels := channelBlocks("SplitChannels", g, grads, n, volume)
	stride, first := g.n/n, 0
	for i, b := range grads {
		block := channels[i] * volume
		d.stridedCopy(whole(b), whole(g).sub(first, g.n-first), n, block, block, stride,
			accumulate)
		first += block
	}
}
