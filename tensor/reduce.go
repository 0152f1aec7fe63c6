package tensor

import (
	"fmt"
	"slices"
)

// reducedShape returns shape with every listed axis set to 1 (all axes when none
// are listed); negative axes count from the end.
func reducedShape(shape []int, axes []int) []int {
	out := slices.Clone(shape)
	if len(axes) == 0 {
		for i := range out {
			out[i] = 1
		}
		return out
	}
	for _, axis := range axes {
		out[NormAxis(axis, len(shape), shape)] = 1
	}
	return out
}

// NormAxis maps a possibly negative axis into [0, rank) and panics when it is out of
// range; shape only serves the message.
func NormAxis(axis, rank int, shape []int) int {
	if axis < 0 {
		axis += rank
	}
	if axis < 0 || axis >= rank {
		panic(fmt.Sprintf("tensor: axis %d out of range for shape %v", axis, shape))
	}
	return axis
}

// Sum sums t over axes (all axes when none are given), keeping each reduced axis
// with size 1.
func Sum[T Float](t *Tensor[T], axes ...int) *Tensor[T] {
	return SumTo(t, reducedShape(t.Shape, axes)...)
}

// Mean averages t over axes (all axes when none are given), keeping reduced axes.
func Mean[T Float](t *Tensor[T], axes ...int) *Tensor[T] {
	out := Sum(t, axes...)
	count := T(len(t.Data) / max(len(out.Data), 1))
	for i := range out.Data {
		out.Data[i] /= count
	}
	return out
}

// Max takes the maximum of t over axes (all when none are given), keeping reduced axes.
func Max[T Float](t *Tensor[T], axes ...int) *Tensor[T] {
	return reduceTo(t, reducedShape(t.Shape, axes), reduceMax)
}

// SumAll returns the sum of all elements of t, accumulated in float64.
func SumAll[T Float](t *Tensor[T]) float64 {
	total := 0.0
	for _, v := range t.Data {
		total += float64(v)
	}
	return total
}
