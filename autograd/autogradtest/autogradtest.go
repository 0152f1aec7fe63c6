// Package autogradtest holds test helpers shared by every package that defines
// differentiable operations: one call runs a float64 gradient check and logs one line
// per operation with its maximum relative error.
package autogradtest

import (
	"testing"

	"github.com/urpc-go/urpc/autograd"
	"github.com/urpc-go/urpc/tensor"
)

// Tolerance is the largest accepted gradient-check error (see autograd.RelError).
const Tolerance = 1e-6

// Check runs autograd.GradCheck on f at inputs, logs "grad <op>: max rel error ..." and
// fails the test when the error exceeds Tolerance.
func Check(t testing.TB, op string, f autograd.GradFunc, inputs ...*tensor.Tensor[float64]) {
	t.Helper()
	result := autograd.GradCheck(op, f, inputs, 7, autograd.DefaultStep)
	t.Logf("grad %-28s max rel error %.2e (%d elements)", op, result.MaxRelError, result.Checked)
	if !(result.MaxRelError <= Tolerance) {
		t.Errorf("gradient check failed: %v", result)
	}
}

// Rand returns a seeded standard-normal float64 tensor of the given shape.
func Rand(seed uint64, shape ...int) *tensor.Tensor[float64] {
	return tensor.RandNormal[float64](tensor.NewRNG(seed), 0, 1, shape...)
}
