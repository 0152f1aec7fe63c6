package autograd

import (
	"fmt"
	"math"

	"github.com/urpc-go/urpc/tensor"
)

// GradFunc builds, on tape, an output from inputs (one Value per checked input).
type GradFunc func(tape *Tape[float64], inputs []*Value[float64]) *Value[float64]

// GradCheckResult summarises a gradient check: the largest error over every element
// of every input, and where it occurred.
type GradCheckResult struct {
	Op          string
	MaxRelError float64
	WorstInput  int
	WorstIndex  int
	Analytic    float64
	Numeric     float64
	Checked     int
}

// String reports the worst element in one line.
func (r GradCheckResult) String() string {
	return fmt.Sprintf("%s: max rel error %.3e at input %d element %d "+
		"(analytic %.12g, numeric %.12g; %d elements checked)",
		r.Op, r.MaxRelError, r.WorstInput, r.WorstIndex, r.Analytic, r.Numeric, r.Checked)
}

// DefaultStep is the finite-difference step of GradCheck: near the optimum of
// truncation error (step^2) against round-off (eps/step) for central differences.
const DefaultStep = 1e-6

// RelError is the error measure of GradCheck: |a - n| / max(1, |a|, |n|). It is
// relative for gradients larger than 1 and absolute below, so that entries that are
// zero up to round-off do not fail the check.
func RelError(analytic, numeric float64) float64 {
	return math.Abs(analytic-numeric) / max(1, math.Abs(analytic), math.Abs(numeric))
}

// GradCheck compares the gradients from Backward with central finite differences, in
// float64. The scalar checked is L = sum(f(inputs) * r) for a fixed random r with f's
// output shape, so every output element takes part. Each input element x is moved to
// x +- step and dL/dx ~ (L(x+step) - L(x-step)) / (2 step).
func GradCheck(op string, f GradFunc, inputs []*tensor.Tensor[float64], seed uint64,
	step float64) GradCheckResult {
	analytic, projection := analyticGradients(f, inputs, seed)
	result := GradCheckResult{Op: op, MaxRelError: -1}
	for k, in := range inputs {
		for i := range in.Data {
			saved := in.Data[i]
			in.Data[i] = saved + step
			plus := projectedLoss(f, inputs, projection)
			in.Data[i] = saved - step
			minus := projectedLoss(f, inputs, projection)
			in.Data[i] = saved

			numeric := (plus - minus) / (2 * step)
			err := RelError(analytic[k].Data[i], numeric)
			result.Checked++
			if err > result.MaxRelError || math.IsNaN(err) {
				result.MaxRelError = err
				result.WorstInput, result.WorstIndex = k, i
				result.Analytic, result.Numeric = analytic[k].Data[i], numeric
			}
		}
	}
	return result
}

// analyticGradients runs f once with recording and returns each input's gradient of
// the projected loss, together with the projection r it drew.
func analyticGradients(f GradFunc, inputs []*tensor.Tensor[float64],
	seed uint64) ([]*tensor.Tensor[float64], *tensor.Tensor[float64]) {
	tape := NewTape[float64]()
	leaves := make([]*Value[float64], len(inputs))
	for i, in := range inputs {
		leaves[i] = tape.Leaf(in)
	}
	out := f(tape, leaves)
	projection := tensor.RandNormal[float64](tensor.NewRNG(seed), 0, 1, out.Data.Shape...)
	loss := SumAll(Mul(out, tape.Const(projection)))
	tape.Backward(loss)

	grads := make([]*tensor.Tensor[float64], len(inputs))
	for i, leaf := range leaves {
		grads[i] = leaf.GradOrZeros()
	}
	return grads, projection
}

// projectedLoss evaluates sum(f(inputs) * projection) without recording.
func projectedLoss(f GradFunc, inputs []*tensor.Tensor[float64],
	projection *tensor.Tensor[float64]) float64 {
	tape := NewNoGradTape[float64]()
	leaves := make([]*Value[float64], len(inputs))
	for i, in := range inputs {
		leaves[i] = tape.Const(in)
	}
	out := f(tape, leaves)
	return tensor.SumAll(tensor.Mul(out.Data, projection))
}
