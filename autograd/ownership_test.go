package autograd_test

import (
	"testing"

	"github.com/urpc-go/urpc/autograd"
	"github.com/urpc-go/urpc/autograd/autogradtest"
	"github.com/urpc-go/urpc/tensor"
)

// AccumulateGrad copies its argument at first use and adds it afterwards: changing
// the argument later must not change the gradient.
func TestAccumulateGradDoesNotRetain(t *testing.T) {
	tape := autograd.NewTape[float64]()
	x := tape.Leaf(tensor.Zeros[float64](3))
	g := tensor.FromSlice([]float64{1, 2, 3}, 3)
	x.AccumulateGrad(g)
	g.Data[0] = 100
	x.AccumulateGrad(g)
	g.Data[1] = 100
	if want := []float64{101, 4, 6}; !equal(x.Grad.Data, want) {
		t.Fatalf("grad %v, want %v", x.Grad.Data, want)
	}
}

// AccumulateOwnedGrad takes the first tensor over and adds later ones into it.
func TestAccumulateOwnedGradTakesOver(t *testing.T) {
	tape := autograd.NewTape[float64]()
	x := tape.Leaf(tensor.Zeros[float64](2))
	first := tensor.FromSlice([]float64{1, 2}, 2)
	x.AccumulateOwnedGrad(first)
	if x.Grad != first {
		t.Fatal("first owned gradient was copied")
	}
	x.AccumulateOwnedGrad(tensor.FromSlice([]float64{10, 20}, 2))
	if want := []float64{11, 22}; !equal(x.Grad.Data, want) {
		t.Fatalf("grad %v, want %v", x.Grad.Data, want)
	}
	c := tape.Const(tensor.Zeros[float64](2))
	c.AccumulateOwnedGrad(first)
	if c.Grad != nil || c.GradBuffer() != nil {
		t.Fatal("a constant received a gradient")
	}
}

// A parameter's gradient view is added into, never replaced by an owned tensor.
func TestOwnedGradAddsIntoParamView(t *testing.T) {
	flat := []float64{1, 1, 5}
	tape := autograd.NewTape[float64]()
	w := tape.Param(tensor.Zeros[float64](2), tensor.FromSlice(flat[:2], 2))
	tape.Backward(autograd.SumAll(autograd.Exp(w)))
	if want := []float64{2, 2, 5}; !equal(flat, want) {
		t.Fatalf("flat gradient buffer %v, want %v", flat, want)
	}
}

func equal(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Gradients reach a value through several paths in one graph: overlapping slices
// (added into its gradient buffer), a concatenation with itself, a same-shape sub and
// elementwise ops that hand over fresh tensors, in every order of arrival.
func TestGradReusedValue(t *testing.T) {
	reuse := func(_ *tp64, in []*v64) *v64 {
		x := in[0]
		left := autograd.Slice(x, []int{0, 0}, []int{2, 3})
		right := autograd.Slice(x, []int{0, 1}, []int{2, 4})
		mixed := autograd.Sub(autograd.Mul(left, right), autograd.Exp(right))
		joined := autograd.Concat(1, mixed, autograd.Slice(x, []int{0, 0}, []int{2, 1}))
		return autograd.Add(autograd.Concat(0, joined, joined), autograd.Scale(
			autograd.Concat(0, autograd.Slice(x, []int{0, 0}, []int{2, 4}), x), 0.5))
	}
	autogradtest.Check(t, "slice/concat/sub reuse", reuse, autogradtest.Rand(20, 2, 4))

	square := func(_ *tp64, in []*v64) *v64 {
		return autograd.Sub(autograd.Square(in[0]), autograd.Log(in[1]))
	}
	autogradtest.Check(t, "square - log", square, autogradtest.Rand(21, 3, 2),
		positive(22, 3, 2))
}

// Backward recycles the gradients of intermediate values (tensor.Recycle), never those
// of leaves: allocations after Backward must not overwrite a leaf's gradient.
func TestReleaseKeepsLeafGradients(t *testing.T) {
	const n = 1 << 17 // 512 KiB of float32, above the recycling threshold
	tape := autograd.NewTape[float32]()
	x := tape.Leaf(tensor.Full[float32](1, n))
	hidden := autograd.Scale(autograd.Exp(x), 2)
	tape.Backward(autograd.SumAll(hidden))
	want := x.Grad.Data[0]
	for range 4 {
		tensor.Full[float32](-7, n)
	}
	for i, v := range x.Grad.Data {
		if v != want {
			t.Fatalf("leaf gradient element %d changed from %v to %v", i, want, v)
		}
	}
}
