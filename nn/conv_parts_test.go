package nn

import (
	"fmt"
	"math"
	"runtime"
	"testing"

	"github.com/urpc-go/urpc/autograd"
	"github.com/urpc-go/urpc/autograd/autogradtest"
	"github.com/urpc-go/urpc/tensor"
)

// concatCase is a convolution of the concatenation of parts with the given channels.
type concatCase struct {
	name             string
	parts            []int
	cout, n          int
	in               [3]int
	forward, adjoint bool // the forward product and its adjoint take the shifted form
	constPart        int  // index of a part that needs no gradient, -1 for none
}

// concatCases cover both forms: shifted forward and adjoint (one with part channels
// that are not multiples of the 8-channel transposes), a shifted forward whose adjoint
// has too many channels for the shifted form (72, gathered and split), the gathered
// form of small volumes, and parts that need no gradient.
var concatCases = []concatCase{
	{name: "shifted_16_32", parts: []int{16, 32}, cout: 16, n: 2, in: [3]int{3, 10, 9},
		forward: true, adjoint: true, constPart: -1},
	{name: "shifted_odd", parts: []int{5, 11, 3}, cout: 17, n: 1, in: [3]int{2, 11, 12},
		forward: true, adjoint: true, constPart: -1},
	{name: "shifted_const_skip", parts: []int{8, 16}, cout: 24, n: 2, in: [3]int{2, 9, 10},
		forward: true, adjoint: true, constPart: 0},
	{name: "adjoint_gathered", parts: []int{24, 48}, cout: 24, n: 2, in: [3]int{2, 9, 9},
		forward: true, adjoint: false, constPart: -1},
	{name: "gathered", parts: []int{3, 4}, cout: 5, n: 3, in: [3]int{3, 2, 4},
		constPart: -1},
	{name: "gathered_const_up", parts: []int{2, 3, 2}, cout: 3, n: 2, in: [3]int{2, 3, 2},
		constPart: 2},
}

// TestConv3dConcatMatchesConcat checks that Conv3dConcat gives bitwise the output and
// the gradients of Conv3d on the stored concatenation (autograd.Concat), in float32
// and float64, with 1, 2 and 3 workers; TestConvMatchesNaive checks that composition
// against the defining loops.
func TestConv3dConcatMatchesConcat(t *testing.T) {
	for i, c := range concatCases {
		total := 0
		for _, ch := range c.parts {
			total += ch
		}
		plan := newConvPlan(c.n, total, c.cout, c.in, c.in, [3]int{3, 3, 3},
			[3]int{1, 1, 1}, [3]int{1, 1, 1})
		if (plan.shiftY != nil) != c.forward || (plan.shiftX != nil) != c.adjoint {
			t.Fatalf("%s: shifted forward %v, adjoint %v; the case wants %v, %v", c.name,
				plan.shiftY != nil, plan.shiftX != nil, c.forward, c.adjoint)
		}
		for _, threads := range []int{1, 2, 3} {
			name := fmt.Sprintf("%s/threads=%d", c.name, threads)
			previous := runtime.GOMAXPROCS(threads)
			compareConcat[float32](t, name+"/float32", c, uint64(300+10*i))
			compareConcat[float64](t, name+"/float64", c, uint64(300+10*i))
			runtime.GOMAXPROCS(previous)
		}
	}
}

// compareConcat runs the case both ways on the same seeded data and fails on any
// bitwise difference.
func compareConcat[T tensor.Float](t *testing.T, name string, c concatCase, seed uint64) {
	t.Helper()
	rng := tensor.NewRNG(seed)
	var parts []*tensor.Tensor[T]
	total := 0
	for _, ch := range c.parts {
		parts = append(parts, tensor.RandNormal[T](rng, 0, 1, c.n, ch, c.in[0], c.in[1],
			c.in[2]))
		total += ch
	}
	w := tensor.RandNormal[T](rng, 0, 0.2, c.cout, total, 3, 3, 3)
	b := tensor.RandNormal[T](rng, 0, 1, c.cout)
	g := tensor.RandNormal[T](rng, 0, 1, c.n, c.cout, c.in[0], c.in[1], c.in[2])
	one := [3]int{1, 1, 1}

	run := func(fused bool) []*tensor.Tensor[T] {
		tape := autograd.NewTape[T]()
		var leaves []*autograd.Value[T]
		for k, p := range parts {
			if k == c.constPart {
				leaves = append(leaves, tape.Const(p))
			} else {
				leaves = append(leaves, tape.Leaf(p))
			}
		}
		wv, bv := tape.Leaf(w), tape.Leaf(b)
		var out *autograd.Value[T]
		if fused {
			out = Conv3dConcat(leaves, wv, bv, one, one)
		} else {
			out = Conv3d(autograd.Concat(1, leaves...), wv, bv, one, one)
		}
		result := []*tensor.Tensor[T]{out.Data.Clone()}
		tape.Backward(autograd.SumAll(autograd.Mul(out, tape.Const(g))))
		for _, v := range append(leaves, wv, bv) {
			result = append(result, v.Grad)
		}
		return result
	}

	want, got := run(false), run(true)
	labels := []string{"output"}
	for k := range parts {
		labels = append(labels, fmt.Sprintf("grad part %d", k))
	}
	labels = append(labels, "grad weight", "grad bias")
	for k, label := range labels {
		if (got[k] == nil) != (want[k] == nil) {
			t.Fatalf("%s: %s present %v, want %v", name, label, got[k] != nil, want[k] != nil)
		}
		if got[k] == nil {
			continue
		}
		for j := range want[k].Data {
			if math.Float64bits(float64(got[k].Data[j])) !=
				math.Float64bits(float64(want[k].Data[j])) {
				t.Fatalf("%s: %s[%d] = %v, want %v", name, label, j, got[k].Data[j],
					want[k].Data[j])
			}
		}
	}
}

// TestGradConv3dConcat checks Conv3dConcat's gradients against finite differences on
// a small gathered case with three parts.
func TestGradConv3dConcat(t *testing.T) {
	a := autogradtest.Rand(401, 2, 1, 3, 2, 3)
	b := autogradtest.Rand(402, 2, 2, 3, 2, 3)
	c := autogradtest.Rand(403, 2, 1, 3, 2, 3)
	w := autogradtest.Rand(404, 2, 4, 3, 3, 3)
	bias := autogradtest.Rand(405, 2)
	autogradtest.Check(t, "conv3d_concat", func(tape *autograd.Tape[float64],
		in []*autograd.Value[float64]) *autograd.Value[float64] {
		return Conv3dConcat(in[:3], in[3], in[4], [3]int{1, 1, 1}, [3]int{1, 1, 1})
	}, a, b, c, w, bias)
}

// TestConv3dConcatPanics checks that parts of different sizes are refused.
func TestConv3dConcatPanics(t *testing.T) {
	tape := autograd.NewNoGradTape[float64]()
	w := tape.Const(tensor.Zeros[float64](2, 3, 3, 3, 3))
	for name, parts := range map[string][]*tensor.Tensor[float64]{
		"batch":   {tensor.Zeros[float64](1, 1, 4, 4, 4), tensor.Zeros[float64](2, 2, 4, 4, 4)},
		"spatial": {tensor.Zeros[float64](1, 1, 4, 4, 4), tensor.Zeros[float64](1, 2, 4, 4, 5)},
		"channels": {tensor.Zeros[float64](1, 1, 4, 4, 4),
			tensor.Zeros[float64](1, 1, 4, 4, 4)},
	} {
		func() {
			defer func() {
				msg, _ := recover().(string)
				if len(msg) < 4 || msg[:4] != "nn: " {
					t.Errorf("%s: panic %q, want an \"nn: \" message", name, msg)
				}
			}()
			var values []*autograd.Value[float64]
			for _, p := range parts {
				values = append(values, tape.Const(p))
			}
			Conv3dConcat(values, w, nil, [3]int{1, 1, 1}, [3]int{1, 1, 1})
		}()
	}
}
