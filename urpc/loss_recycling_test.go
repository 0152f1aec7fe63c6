package urpc

import (
	"math"
	"slices"
	"testing"

	"github.com/urpc-go/urpc/autograd"
	"github.com/urpc-go/urpc/tensor"
)

// The URPC loss's intermediate tensors (log-softmax, probabilities, p_c, distances,
// uncertainties, weights) are owned by their operations, so Tape.BackwardRecycling
// hands them to the free list as the backward pass goes. Its gradients must equal,
// bit for bit, those of Backward, for every loss form and also in a second round that
// reuses the recycled buffers. Four heads of [2, 3, 32, 32, 64] float32, one sample
// labelled: every intermediate of either half, per class or per voxel, is at least
// the free list's minimum size (65536 float32 values).
func TestLossBackwardRecyclingMatchesBackward(t *testing.T) {
	shape := []int{2, 3, 32, 32, 64}
	rng := tensor.NewRNG(21)
	var heads []*tensor.Tensor[float32]
	for range 4 {
		heads = append(heads, tensor.RandNormal[float32](rng, 0, 2, shape...))
	}
	labels := make([]int32, 32*32*64)
	for i := range labels {
		labels[i] = int32(rng.IntN(3))
	}

	gradients := func(cfg Config, recycling bool) [][]float32 {
		tape := autograd.NewTape[float32]()
		var leaves []*autograd.Value[float32]
		for _, h := range heads {
			leaves = append(leaves, tape.Leaf(h))
		}
		loss := Loss(leaves, labels, 1, 0.1, cfg).Total
		if math.IsNaN(float64(loss.Data.Item())) {
			t.Fatal("loss is NaN")
		}
		if recycling {
			tape.BackwardRecycling(loss)
		} else {
			tape.Backward(loss)
		}
		var grads [][]float32
		for _, l := range leaves {
			grads = append(grads, slices.Clone(l.Grad.Data))
		}
		return grads
	}

	for name, cfg := range map[string]Config{"default": DefaultConfig(), "code": CodeConfig(),
		"unrectified": {Minimise: true}} {
		want := gradients(cfg, false)
		for round := range 2 {
			got := gradients(cfg, true)
			for s := range want {
				if i := firstDifference(got[s], want[s]); i >= 0 {
					t.Fatalf("%s, round %d: head %d gradient %d is %v with BackwardRecycling, "+
						"%v with Backward", name, round, s, i, got[s][i], want[s][i])
				}
			}
		}
	}
}

// firstDifference returns the first index where a and b differ bitwise, or -1.
func firstDifference(a, b []float32) int {
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return i
		}
	}
	return -1
}
