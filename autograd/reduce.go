package autograd

import "github.com/urpc-go/urpc/tensor"

// Sum sums x over axes (all when none are given), keeping reduced axes with size 1.
// Backward: every element of x receives the gradient of its sum.
func Sum[T tensor.Float](x *Value[T], axes ...int) *Value[T] {
	return x.tape.RecordOwned("sum", tensor.Sum(x.Data, axes...), []*Value[T]{x},
		func(g *tensor.Tensor[T]) { x.AccumulateOwnedGrad(tensor.Expand(g, x.Data.Shape...)) })
}

// Mean averages x over axes (all when none are given), keeping reduced axes.
// Backward: every element receives g divided by the number of elements averaged.
func Mean[T tensor.Float](x *Value[T], axes ...int) *Value[T] {
	out := tensor.Mean(x.Data, axes...)
	count := T(x.Data.Numel() / max(out.Numel(), 1))
	return x.tape.RecordOwned("mean", out, []*Value[T]{x}, func(g *tensor.Tensor[T]) {
		x.AccumulateOwnedGrad(tensor.Expand(tensor.Scale(g, 1/count), x.Data.Shape...))
	})
}

// SumAll returns the sum of all elements of x as a scalar of shape [].
func SumAll[T tensor.Float](x *Value[T]) *Value[T] {
	return Reshape(Sum(x), []int{}...)
}

// MeanAll returns the mean of all elements of x as a scalar of shape [].
func MeanAll[T tensor.Float](x *Value[T]) *Value[T] {
	return Reshape(Mean(x), []int{}...)
}
