package autograd_test

import (
	"math"
	"strings"
	"testing"

	"github.com/urpc-go/urpc/autograd"
	"github.com/urpc-go/urpc/tensor"
)

// A value used twice receives both contributions: d(x*x + x)/dx = 2x + 1.
func TestGradientsAccumulateOverReuse(t *testing.T) {
	tape := autograd.NewTape[float64]()
	x := tape.Leaf(tensor.FromSlice([]float64{1.5, -2}, 2))
	y := autograd.Add(autograd.Mul(x, x), x)
	tape.Backward(autograd.SumAll(y))
	want := []float64{4, -3}
	for i, w := range want {
		if x.Grad.Data[i] != w {
			t.Fatalf("grad[%d] = %v, want %v", i, x.Grad.Data[i], w)
		}
	}
}

// Leaf gradients accumulate across two backward passes, as parameter gradients do
// over several losses.
func TestLeafGradientsAccumulateAcrossBackward(t *testing.T) {
	grad := tensor.Zeros[float64](1)
	for range 2 {
		tape := autograd.NewTape[float64]()
		w := tape.Param(tensor.FromSlice([]float64{3}, 1), grad)
		tape.Backward(autograd.SumAll(autograd.Scale(w, 2)))
	}
	if grad.Data[0] != 4 {
		t.Fatalf("accumulated grad = %v, want 4", grad.Data[0])
	}
}

func TestNoGradRecordsNothing(t *testing.T) {
	tape := autograd.NewNoGradTape[float32]()
	x := tape.Leaf(tensor.Full[float32](2, 3))
	y := autograd.Exp(autograd.Mul(x, x))
	if tape.Len() != 0 || y.RequiresGrad() || y.Inputs() != nil {
		t.Fatalf("no-grad tape recorded %d nodes", tape.Len())
	}
	if got := y.Data.Data[0]; math.Abs(float64(got)-math.Exp(4)) > 1e-4 {
		t.Fatalf("forward value %v, want e^4", got)
	}
}

func TestConstantsGetNoGradient(t *testing.T) {
	tape := autograd.NewTape[float64]()
	c := tape.Const(tensor.Full[float64](2, 3))
	x := tape.Leaf(tensor.Full[float64](1, 3))
	tape.Backward(autograd.SumAll(autograd.Mul(c, x)))
	if c.Grad != nil {
		t.Fatal("constant received a gradient")
	}
	if x.Grad.Data[0] != 2 {
		t.Fatalf("grad = %v, want 2", x.Grad.Data[0])
	}
}

func TestBackwardReleasesGraph(t *testing.T) {
	tape := autograd.NewTape[float64]()
	x := tape.Leaf(tensor.Full[float64](1, 4))
	hidden := autograd.Exp(x)
	loss := autograd.SumAll(hidden)
	if tape.Len() == 0 {
		t.Fatal("tape recorded nothing")
	}
	tape.Backward(loss)
	if tape.Len() != 0 || hidden.Inputs() != nil || hidden.Grad != nil {
		t.Fatal("graph not released after Backward")
	}
	if x.Grad == nil {
		t.Fatal("leaf lost its gradient")
	}
}

func TestBackwardFromNonScalarPanics(t *testing.T) {
	defer func() {
		msg, _ := recover().(string)
		if !strings.HasPrefix(msg, "autograd:") {
			t.Fatalf("panic %q, want an autograd: message", msg)
		}
	}()
	tape := autograd.NewTape[float64]()
	tape.Backward(tape.Leaf(tensor.Zeros[float64](2)))
}

// The checker must notice a wrong backward: here one that forgets a factor 2.
func TestGradCheckDetectsWrongGradient(t *testing.T) {
	wrongSquare := func(tape *tp64, in []*v64) *v64 {
		x := in[0]
		return tape.Record("wrong_square", tensor.Square(x.Data), in,
			func(g *tensor.Tensor[float64]) { x.AccumulateGrad(tensor.Mul(g, x.Data)) })
	}
	input := tensor.FromSlice([]float64{1, 2, 3}, 3)
	result := autograd.GradCheck("wrong_square", wrongSquare, []*tensor.Tensor[float64]{input},
		1, autograd.DefaultStep)
	if result.MaxRelError < 0.1 {
		t.Fatalf("checker missed a wrong gradient: %v", result)
	}
	if !strings.Contains(result.String(), "wrong_square") {
		t.Fatalf("message does not name the op: %v", result)
	}
}

// BackwardRecycling hands only owned data (Concat's output here) to the free list:
// the next tensor of that size reuses its memory, while the leaf, the constant, the
// reshaped view of the leaf and the loss keep theirs, and the gradients are right.
func TestBackwardRecyclingOnlyOwnedData(t *testing.T) {
	const n = 1 << 17 // 512 KiB of float32, above the free list's minimum
	tape := autograd.NewTape[float32]()
	leaf := tape.Leaf(tensor.Full[float32](1, n))
	constant := tape.Const(tensor.Full[float32](2, n))
	view := autograd.Reshape(leaf, 2, n/2)
	joined := autograd.Concat(0, autograd.Reshape(view, n), constant)
	loss := autograd.SumAll(autograd.Mul(joined, joined))
	joinedData := &joined.Data.Data[0]

	tape.BackwardRecycling(loss)

	if joined.Data.Data != nil {
		t.Fatal("owned concat output not recycled")
	}
	for name, v := range map[string]*autograd.Value[float32]{"leaf": leaf,
		"const": constant, "view": view, "loss": loss} {
		if v.Data.Data == nil {
			t.Fatalf("%s lost its data", name)
		}
	}
	if leaf.Data.Data[0] != 1 || constant.Data.Data[n-1] != 2 || loss.Data.Item() != 5*n {
		t.Fatal("inputs or loss changed")
	}
	for _, g := range leaf.Grad.Data {
		if g != 2 {
			t.Fatalf("d loss / d leaf = %v, want 2", g)
		}
	}
	reused := tensor.Zeros[float32](2 * n)
	if &reused.Data[0] != joinedData {
		t.Fatal("next allocation of the same size did not reuse the recycled buffer")
	}
	for _, v := range reused.Data {
		if v != 0 {
			t.Fatal("recycled buffer not cleared by Zeros")
		}
	}
}
