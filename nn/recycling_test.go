package nn

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/urpc-go/urpc/autograd"
	"github.com/urpc-go/urpc/tensor"
)

// A training step with Tape.BackwardRecycling gives the same parameter gradients, bit
// for bit, as one with Backward, also in a second step that reuses the recycled
// buffers, with either norm and either perturbation (the batch norm's gate reads its
// affine parameters in the backward pass; the paper's perturbation adds element-wise
// dropout and feature noise). The network (base 4, 32^3, two patches) is large
// enough for its activations and gradients to cross the free list's minimum size,
// which the small networks of the other tests do not.
func TestBackwardRecyclingMatchesBackward(t *testing.T) {
	for _, norm := range []string{NormInstance, NormBatch} {
		for _, perturb := range []string{PerturbReference, PerturbPaper} {
			checkRecycling(t, PPNetConfig{InChannels: 1, Classes: 3, Base: 4, Heads: 4,
				Perturb: perturb, Norm: norm})
		}
	}
}

// checkRecycling compares the gradients of Backward and BackwardRecycling for cfg.
func checkRecycling(t *testing.T, cfg PPNetConfig) {
	t.Helper()
	m, err := NewPPNet[float32](cfg, tensor.NewRNG(5))
	if err != nil {
		t.Fatal(err)
	}
	rng := tensor.NewRNG(6)
	x := tensor.RandNormal[float32](rng, 0, 1, 2, 1, 32, 32, 32)
	weights := tensor.RandNormal[float32](rng, 0, 1, 2, 3, 32, 32, 32)

	step := func(recycling bool) []float32 {
		m.Params.ZeroGrad()
		tape := autograd.NewTape[float32]()
		logits, err := m.Forward(tape, tape.Const(x), true, rand.New(rand.NewPCG(7, 7)))
		if err != nil {
			t.Fatal(err)
		}
		var loss *autograd.Value[float32]
		for _, l := range logits {
			term := autograd.SumAll(autograd.Mul(l, tape.Const(weights)))
			if loss == nil {
				loss = term
			} else {
				loss = autograd.Add(loss, term)
			}
		}
		if recycling {
			tape.BackwardRecycling(loss)
		} else {
			tape.Backward(loss)
		}
		return slices.Clone(m.Params.Grad)
	}

	want := step(false)
	for round := range 2 {
		got := step(true)
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("%s norm, %s perturbation, round %d: gradient %d is %v with "+
					"BackwardRecycling, %v with Backward", cfg.Norm, cfg.Perturb, round, i,
					got[i], want[i])
			}
		}
	}
}
