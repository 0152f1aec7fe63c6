package autograd

import "github.com/urpc-go/urpc/tensor"

// Softmax returns s = softmax(x) along axis (the channel axis 1 of [N, C, D, H, W]).
// Backward: dx += s * (g - sum_c g*s), fused in tensor.SoftmaxBackward.
func Softmax[T tensor.Float](x *Value[T], axis int) *Value[T] {
	s := tensor.Softmax(x.Data, axis)
	return x.tape.RecordOwned("softmax", s, []*Value[T]{x}, func(g *tensor.Tensor[T]) {
		x.AccumulateOwnedGrad(tensor.SoftmaxBackward(g, s, axis))
	})
}

// LogSoftmax returns log(softmax(x)) along axis, computed without forming the log of
// a probability. Backward: dx += g - softmax(x) * sum_c g, fused in
// tensor.LogSoftmaxBackward.
//
// TODO(speed): the backward recomputes softmax(x) = exp(y); keeping it from the
// forward would trade one tensor of memory for one exponential per element.
func LogSoftmax[T tensor.Float](x *Value[T], axis int) *Value[T] {
	out := tensor.LogSoftmax(x.Data, axis)
	return x.tape.RecordOwned("log_softmax", out, []*Value[T]{x}, func(g *tensor.Tensor[T]) {
		x.AccumulateOwnedGrad(tensor.LogSoftmaxBackward(g, out, axis))
	})
}
