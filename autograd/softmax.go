package autograd

import "github.com/urpc-go/urpc/tensor"

// Softmax returns s = softmax(x) along axis (the channel axis 1 of [N, C, D, H, W]).
// Backward: dx += s * (g - sum_c g*s).
func Softmax[T tensor.Float](x *Value[T], axis int) *Value[T] {
	s := tensor.Softmax(x.Data, axis)
	return x.tape.Record("softmax", s, []*Value[T]{x}, func(g *tensor.Tensor[T]) {
		dot := tensor.SumAlongAxis(tensor.Mul(g, s), axis)
		x.AccumulateGrad(tensor.Mul(s, tensor.Sub(g, dot)))
	})
}

// LogSoftmax returns log(softmax(x)) along axis, computed without forming the log of
// a probability. Backward: dx += g - softmax(x) * sum_c g.
func LogSoftmax[T tensor.Float](x *Value[T], axis int) *Value[T] {
	out := tensor.LogSoftmax(x.Data, axis)
	return x.tape.Record("log_softmax", out, []*Value[T]{x}, func(g *tensor.Tensor[T]) {
		s := tensor.Exp(out)
		x.AccumulateGrad(tensor.Sub(g, tensor.Mul(s, tensor.SumAlongAxis(g, axis))))
	})
}
