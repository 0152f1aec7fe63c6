package vk

import (
	"testing"

	"github.com/urpc-go/urpc/autograd"
	"github.com/urpc-go/urpc/tensor"
)

func init() {
	register(conformanceCase{name: "concat-split-channels", run: concatCase})
}

// concatCase compares ConcatChannels and SplitChannels (overwrite and accumulate) with
// autograd.Concat on axis 1 of three parts [2, C_i, 3, 4, 5].
func concatCase(t *testing.T, d *Device) []result {
	shapes := [][]int{{2, 3, 3, 4, 5}, {2, 1, 3, 4, 5}, {2, 4, 3, 4, 5}}
	var inputs []*tensor.Tensor[float32]
	var parts []*Buffer
	for i, s := range shapes {
		inputs = append(inputs, randomTensor(uint64(31+i), s...))
		parts = append(parts, d.Upload(inputs[i].Data))
	}
	g := randomSlice(35, 2*8*60)
	out, grads := cpuForwardBackward(inputs, g,
		func(in []*autograd.Value[float32]) *autograd.Value[float32] {
			return autograd.Concat(1, in...)
		})

	bout, bg := d.NewBuffer(len(out)), d.Upload(g)
	d.ConcatChannels(bout, parts, 2, 60)
	gparts := make([]*Buffer, len(parts))
	for i := range gparts {
		gparts[i] = d.NewBuffer(parts[i].Len())
	}
	d.SplitChannels(gparts, bg, 2, 60, false)
	d.SplitChannels(parts, bg, 2, 60, true)
	bg.Release()
	results := []result{{"out", download(bout), out}}
	for i := range parts {
		twice := make([]float32, len(grads[i]))
		for j := range twice {
			twice[j] = inputs[i].Data[j] + grads[i][j]
		}
		results = append(results, result{"grad part", download(gparts[i]), grads[i]},
			result{"grad part accumulated", download(parts[i]), twice})
	}
	return results
}
