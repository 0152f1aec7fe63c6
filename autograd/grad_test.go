package autograd_test

import (
	"testing"

	"github.com/urpc-go/urpc/autograd"
	"github.com/urpc-go/urpc/autograd/autogradtest"
	"github.com/urpc-go/urpc/tensor"
)

type (
	v64  = autograd.Value[float64]
	tp64 = autograd.Tape[float64]
)

// unaryCase is an op of one input checked on a given input.
type unaryCase struct {
	name  string
	op    func(x *v64) *v64
	input *tensor.Tensor[float64]
}

// positive returns a seeded tensor with elements in [0.5, 2.5), for log and sqrt.
func positive(seed uint64, shape ...int) *tensor.Tensor[float64] {
	return tensor.RandUniform[float64](tensor.NewRNG(seed), 0.5, 2.5, shape...)
}

// awayFromZero returns a seeded normal tensor with no element within 1e-3 of zero,
// where ReLU's derivative jumps and central differences would straddle the kink.
func awayFromZero(seed uint64, shape ...int) *tensor.Tensor[float64] {
	x := autogradtest.Rand(seed, shape...)
	for i, v := range x.Data {
		if v > -1e-3 && v < 1e-3 {
			x.Data[i] = 0.5
		}
	}
	return x
}

func TestGradUnary(t *testing.T) {
	cases := []unaryCase{
		{"neg", autograd.Neg[float64], autogradtest.Rand(1, 2, 3, 4)},
		{"scale", func(x *v64) *v64 { return autograd.Scale(x, -1.7) }, autogradtest.Rand(2, 5)},
		{"add_scalar", func(x *v64) *v64 { return autograd.AddScalar(x, 3) },
			autogradtest.Rand(3, 5)},
		{"exp", autograd.Exp[float64], autogradtest.Rand(4, 3, 4)},
		{"log", autograd.Log[float64], positive(5, 3, 4)},
		{"sqrt", autograd.Sqrt[float64], positive(6, 3, 4)},
		{"square", autograd.Square[float64], autogradtest.Rand(7, 3, 4)},
		{"relu", autograd.ReLU[float64], awayFromZero(8, 2, 3, 5)},
		{"leaky_relu", func(x *v64) *v64 { return autograd.LeakyReLU(x, 0.01) },
			awayFromZero(9, 2, 3, 5)},
		{"sum_axes", func(x *v64) *v64 { return autograd.Sum(x, 0, 2) },
			autogradtest.Rand(10, 2, 3, 4)},
		{"sum_all", autograd.SumAll[float64], autogradtest.Rand(11, 2, 3)},
		{"mean_axes", func(x *v64) *v64 { return autograd.Mean(x, -1) },
			autogradtest.Rand(12, 2, 3, 4)},
		{"mean_all", autograd.MeanAll[float64], autogradtest.Rand(13, 4, 3)},
		{"reshape", func(x *v64) *v64 { return autograd.Reshape(x, 4, -1) },
			autogradtest.Rand(14, 2, 3, 4)},
		{"permute", func(x *v64) *v64 { return autograd.Permute(x, 2, 0, 1) },
			autogradtest.Rand(15, 2, 3, 4)},
		{"slice", func(x *v64) *v64 {
			return autograd.Slice(x, []int{0, 1, 1}, []int{2, 3, 3})
		}, autogradtest.Rand(16, 2, 3, 4)},
		{"pad", func(x *v64) *v64 {
			return autograd.Pad(x, []int{0, 1, 2}, []int{1, 0, 1}, 0.5)
		}, autogradtest.Rand(17, 2, 3, 4)},
		{"softmax", func(x *v64) *v64 { return autograd.Softmax(x, 1) },
			autogradtest.Rand(18, 2, 3, 2, 2, 3)},
		{"log_softmax", func(x *v64) *v64 { return autograd.LogSoftmax(x, 1) },
			autogradtest.Rand(19, 2, 3, 2, 2, 3)},
	}
	for _, c := range cases {
		autogradtest.Check(t, c.name, func(_ *tp64, in []*v64) *v64 { return c.op(in[0]) },
			c.input)
	}
}

func TestGradBinary(t *testing.T) {
	cases := []struct {
		name string
		op   func(a, b *v64) *v64
		a, b *tensor.Tensor[float64]
	}{
		{"add", autograd.Add[float64], autogradtest.Rand(1, 2, 3), autogradtest.Rand(2, 2, 3)},
		{"add_broadcast", autograd.Add[float64], autogradtest.Rand(3, 2, 3, 4),
			autogradtest.Rand(4, 3, 1)},
		{"sub_broadcast", autograd.Sub[float64], autogradtest.Rand(5, 2, 1, 4),
			autogradtest.Rand(6, 3, 4)},
		{"mul_broadcast", autograd.Mul[float64], autogradtest.Rand(7, 2, 3, 4),
			autogradtest.Rand(8, 1, 3, 1)},
		{"div_broadcast", autograd.Div[float64], autogradtest.Rand(9, 2, 3, 4),
			positive(10, 4)},
		{"matmul", autograd.MatMul[float64], autogradtest.Rand(11, 3, 5),
			autogradtest.Rand(12, 5, 2)},
		{"concat", func(a, b *v64) *v64 { return autograd.Concat(1, a, b) },
			autogradtest.Rand(13, 2, 3, 2), autogradtest.Rand(14, 2, 1, 2)},
	}
	for _, c := range cases {
		autogradtest.Check(t, c.name, func(_ *tp64, in []*v64) *v64 { return c.op(in[0], in[1]) },
			c.a, c.b)
	}
}
