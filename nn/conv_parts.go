package nn

import "github.com/urpc-go/urpc/tensor"

// channelParts is the X side of a convolution, [N, C, D, H, W], held as the
// concatenation along C of parts [N, C_i, D, H, W] (torch.cat(parts, 1)); a plain
// tensor is one part. The decoder's first convolution reads its skip connection and
// its upsampled input this way, so the concatenation is never stored and its gradient
// goes straight into the parts' gradients. A nil part in a destination is one that is
// not written (an input that needs no gradient).
type channelParts[T tensor.Float] struct {
	data     [][]T
	channels []int
	volume   int // D*H*W
}

// onePart is the whole tensor data [N, channels, volume] as a single part.
func onePart[T tensor.Float](data []T, channels, volume int) channelParts[T] {
	return channelParts[T]{data: [][]T{data}, channels: []int{channels}, volume: volume}
}

// sample returns part i of sample n: [C_i, volume], nil for a nil part.
func (p channelParts[T]) sample(i, n int) []T {
	if p.data[i] == nil {
		return nil
	}
	size := p.channels[i] * p.volume
	return p.data[i][n*size : (n+1)*size]
}

// single returns the data of a one-part tensor, nil when there are several parts.
func (p channelParts[T]) single() []T {
	if len(p.data) != 1 {
		return nil
	}
	return p.data[0]
}

// total returns C, the channels of all parts.
func (p channelParts[T]) total() int {
	total := 0
	for _, c := range p.channels {
		total += c
	}
	return total
}

// joined returns the whole tensor [N, C, volume] of a one-part tensor as it is;
// with several parts, their concatenation (tensor.Concat, from tensor's free list),
// recycled by release (which does nothing for one part).
func (p channelParts[T]) joined(batch int) (data []T, release func()) {
	if whole := p.single(); whole != nil {
		return whole, func() {}
	}
	parts := make([]*tensor.Tensor[T], len(p.data))
	for i, d := range p.data {
		parts[i] = tensor.FromSlice(d, batch, p.channels[i], p.volume)
	}
	cat := tensor.Concat(1, parts...)
	return cat.Data, func() { tensor.Recycle(cat) }
}

// addJoined adds whole [N, C, volume] into the parts: part i += channels
// [first_i, first_i + C_i) of every sample (nil parts skipped).
func (p channelParts[T]) addJoined(whole []T, batch int) {
	total := p.total()
	for n := range batch {
		at := n * total * p.volume
		for i := range p.data {
			part := p.sample(i, n)
			size := p.channels[i] * p.volume
			if part != nil {
				tensor.AddInPlace(tensor.FromSlice(part, size),
					tensor.FromSlice(whole[at:at+size], size))
			}
			at += size
		}
	}
}

// addChannelsLastRow adds the channels-last row of w positions, position x's channels
// at row[x*stride:] (all parts' channels in order), plus bias (nil: none), into sample
// n of the parts at voxel offset at: part i's channel ch += row[x*stride + first_i +
// ch] + bias[first_i + ch] (nil parts skipped).
func (p channelParts[T]) addChannelsLastRow(n, at int, row []T, stride int, bias []T,
	w int) {
	first := 0
	for i, channels := range p.channels {
		if part := p.sample(i, n); part != nil {
			var partBias []T
			if bias != nil {
				partBias = bias[first : first+channels]
			}
			addChannelsLast(part[at:], p.volume, row[first:], stride, partBias, channels, w)
		}
		first += channels
	}
}
