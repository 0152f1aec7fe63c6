package urpc

import (
	"fmt"
	"slices"

	"github.com/urpc-go/urpc/autograd"
	"github.com/urpc-go/urpc/tensor"
)

// Form selects between the paper's and the reference code's reading of Eq. 3 and 5.
type Form int

const (
	// FormPaper sums the squared distance over classes and normalises the rectified
	// term by sum_v w_s.
	FormPaper Form = iota
	// FormCode is SSL4MIS: the squared distance is averaged over classes too (1/C) and
	// the rectified term is divided by mean_v w_s + 1e-8.
	FormCode
)

// KLDirection selects the direction of the divergence D_s of Eq. 4.
type KLDirection int

const (
	// KLPaper is D_s = KL(p_s || p_c) = sum_j p_s^j log(p_s^j / p_c^j), the paper's.
	KLPaper KLDirection = iota
	// KLCode is D_s = KL(p_c || p_s), what the reference code computes.
	KLCode
)

// URNormalisation selects how the rectified consistency of Eq. 5 is normalised.
type URNormalisation int

const (
	// URPerScale divides each scale's weighted sum by that scale's sum of weights.
	URPerScale URNormalisation = iota
	// URGlobal divides the weighted sum over all scales by the sum of all weights
	// (a variant reading of Eq. 5; paper form only).
	URGlobal
)

// UMReduction selects how uncertainty minimisation reduces D_s over voxels.
type UMReduction int

const (
	// UMMean takes mean_v D_s, as the reference code does (the default).
	UMMean UMReduction = iota
	// UMSum takes sum_v D_s, the literal norm of Eq. 5 (dwarfs every other term).
	UMSum
	// UMSquaredSum takes sum_v D_s^2, a squared-norm reading of Eq. 5 (a variant).
	UMSquaredSum
)

// Config holds the switches of the unsupervised loss (Eq. 3-5).
type Config struct {
	Form Form
	KL   KLDirection
	// Rectify uses the rectified consistency UR of Eq. 5; without it the plain
	// pyramid consistency of Eq. 3 is used (the ablation of Table 1).
	Rectify bool
	// Minimise adds the uncertainty minimisation UM of Eq. 5.
	Minimise bool
	URNorm   URNormalisation
	UMReduce UMReduction
}

// DefaultConfig is the paper's form: KL(p_s || p_c), UR and UM on, UM as a mean.
func DefaultConfig() Config { return Config{Rectify: true, Minimise: true} }

// CodeConfig is the reference code's (SSL4MIS) form: KL(p_c || p_s), UR and UM on.
func CodeConfig() Config {
	return Config{Form: FormCode, KL: KLCode, Rectify: true, Minimise: true}
}

// String names the form as a flag value: "paper" or "code".
func (f Form) String() string { return switchName(int(f)) }

// String names the direction as a flag value: "paper" or "code".
func (d KLDirection) String() string { return switchName(int(d)) }

// switchName names a paper-or-code switch value.
func switchName(value int) string {
	if value < 0 || value > 1 {
		return fmt.Sprintf("invalid(%d)", value)
	}
	return [...]string{"paper", "code"}[value]
}

// checkHeads panics unless there is at least one head and every head has the same
// [N, C, ...] shape.
func checkHeads[T tensor.Float](op string, heads []*autograd.Value[T]) {
	if len(heads) == 0 {
		panic(fmt.Sprintf("urpc: %s needs at least one head", op))
	}
	classLayout(op, heads[0].Shape())
	for s, h := range heads {
		if !slices.Equal(h.Shape(), heads[0].Shape()) {
			panic(fmt.Sprintf("urpc: %s: head %d has shape %v, head 0 has %v",
				op, s, h.Shape(), heads[0].Shape()))
		}
	}
}

// scalarOf returns the value of a one-element value as float64.
func scalarOf[T tensor.Float](v *autograd.Value[T]) float64 { return float64(v.Data.Item()) }

// scalarsOf returns the values of one-element values as float64.
func scalarsOf[T tensor.Float](vs []*autograd.Value[T]) []float64 {
	out := make([]float64, len(vs))
	for i, v := range vs {
		out[i] = scalarOf(v)
	}
	return out
}

// sumAll returns the sum of every element of x as a scalar [], accumulated in float64
// so that float32 sums over millions of voxels keep their precision.
// Backward: every element receives g.
func sumAll[T tensor.Float](x *autograd.Value[T]) *autograd.Value[T] {
	out := tensor.Scalar(T(tensor.SumAll(x.Data)))
	return x.Tape().Record("sum_all", out, []*autograd.Value[T]{x}, func(g *tensor.Tensor[T]) {
		x.AccumulateOwnedGrad(tensor.Full(g.Data[0], x.Shape()...))
	})
}

// meanAll returns the mean of every element of x as a scalar [], accumulated in
// float64. Backward: every element receives g / numel.
func meanAll[T tensor.Float](x *autograd.Value[T]) *autograd.Value[T] {
	return autograd.Scale(sumAll(x), T(1/float64(x.Data.Numel())))
}

// sumOfValues returns vs[0] + ... + vs[len-1].
func sumOfValues[T tensor.Float](vs []*autograd.Value[T]) *autograd.Value[T] {
	total := vs[0]
	for _, v := range vs[1:] {
		total = autograd.Add(total, v)
	}
	return total
}

// meanOfValues returns (1/S) sum_s vs[s], the average over scales.
func meanOfValues[T tensor.Float](vs []*autograd.Value[T]) *autograd.Value[T] {
	return autograd.Scale(sumOfValues(vs), T(1/float64(len(vs))))
}
