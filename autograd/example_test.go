package autograd_test

import (
	"fmt"

	"github.com/urpc-go/urpc/autograd"
	"github.com/urpc-go/urpc/tensor"
)

// The gradient of L = sum(x*x + x) is 2x + 1: record the forward pass on a tape, call
// Backward, read the leaf's gradient.
func Example() {
	tape := autograd.NewTape[float64]()
	x := tape.Leaf(tensor.FromSlice([]float64{1, 2, 3}, 3))

	loss := autograd.SumAll(autograd.Add(autograd.Mul(x, x), x))
	tape.Backward(loss)

	fmt.Println(loss.Data.Item(), x.Grad.Data)
	// Output: 20 [3 5 7]
}

// GradCheck compares the gradients of a function of float64 inputs with central
// finite differences; every differentiable operation of the project is checked so.
func ExampleGradCheck() {
	square := func(_ *autograd.Tape[float64],
		in []*autograd.Value[float64]) *autograd.Value[float64] {
		return autograd.Mul(in[0], in[0])
	}
	x := tensor.FromSlice([]float64{0.5, -1.5, 2}, 3)

	result := autograd.GradCheck("square", square, []*tensor.Tensor[float64]{x}, 1,
		autograd.DefaultStep)
	fmt.Println(result.Checked, result.MaxRelError < 1e-6)
	// Output: 3 true
}
