package tensor

import (
	"fmt"
	"slices"
)

// BroadcastShape returns the shape that a and b broadcast to under NumPy's rule: shapes
// are aligned at their last axis, and each pair of sizes must be equal or contain a 1.
func BroadcastShape(a, b []int) []int {
	rank := max(len(a), len(b))
	out := make([]int, rank)
	for i := range rank {
		sa, sb := sizeFromEnd(a, rank-1-i), sizeFromEnd(b, rank-1-i)
		switch {
		case sa == sb || sb == 1:
			out[i] = sa
		case sa == 1:
			out[i] = sb
		default:
			panic(fmt.Sprintf("tensor: shapes %v and %v do not broadcast", a, b))
		}
	}
	return out
}

// sizeFromEnd returns shape[len-1-k], or 1 when the axis does not exist.
func sizeFromEnd(shape []int, k int) int {
	if k >= len(shape) {
		return 1
	}
	return shape[len(shape)-1-k]
}

// broadcastStrides returns, for each axis of out, the stride of shape inside it:
// the row-major stride, or 0 where shape has size 1 (or lacks the axis).
func broadcastStrides(shape, out []int) []int {
	own := Strides(shape)
	strides := make([]int, len(out))
	offset := len(out) - len(shape)
	for axis := range out {
		k := axis - offset
		if k >= 0 && shape[k] != 1 {
			strides[axis] = own[k]
		}
	}
	return strides
}

// forEach2 visits every index of shape in row-major order, passing the running flat
// index and the offsets into two operands with the given strides.
func forEach2(shape, stridesA, stridesB []int, visit func(i, offA, offB int)) {
	n := Numel(shape)
	if n == 0 {
		return
	}
	index := make([]int, len(shape))
	offA, offB := 0, 0
	for i := range n {
		visit(i, offA, offB)
		for axis := len(shape) - 1; axis >= 0; axis-- {
			index[axis]++
			offA += stridesA[axis]
			offB += stridesB[axis]
			if index[axis] < shape[axis] {
				break
			}
			offA -= stridesA[axis] * shape[axis]
			offB -= stridesB[axis] * shape[axis]
			index[axis] = 0
		}
	}
}

// Binary applies f elementwise to a and b broadcast against each other.
func Binary[T Float](a, b *Tensor[T], f func(x, y T) T) *Tensor[T] {
	if slices.Equal(a.Shape, b.Shape) {
		out := Zeros[T](a.Shape...)
		for i := range out.Data {
			out.Data[i] = f(a.Data[i], b.Data[i])
		}
		return out
	}
	shape := BroadcastShape(a.Shape, b.Shape)
	out := Zeros[T](shape...)
	forEach2(shape, broadcastStrides(a.Shape, shape), broadcastStrides(b.Shape, shape),
		func(i, offA, offB int) { out.Data[i] = f(a.Data[offA], b.Data[offB]) })
	return out
}

// Expand returns a copy of t broadcast to shape.
func Expand[T Float](t *Tensor[T], shape ...int) *Tensor[T] {
	if !slices.Equal(BroadcastShape(t.Shape, shape), shape) {
		panic(fmt.Sprintf("tensor: cannot expand %v to %v", t.Shape, shape))
	}
	return Binary(t, Zeros[T](shape...), func(x, _ T) T { return x })
}

// reduceTo folds every element of t into the element of a tensor of shape target
// that t's element broadcasts from, combining with combine, starting from init.
// target must broadcast to t's shape and have the same rank or less.
func reduceTo[T Float](t *Tensor[T], target []int, init T, combine func(acc, x T) T) *Tensor[T] {
	if !slices.Equal(BroadcastShape(target, t.Shape), t.Shape) {
		panic(fmt.Sprintf("tensor: cannot reduce %v to %v", t.Shape, target))
	}
	out := Full(init, target...)
	forEach2(t.Shape, Strides(t.Shape), broadcastStrides(target, t.Shape),
		func(_, offIn, offOut int) { out.Data[offOut] = combine(out.Data[offOut], t.Data[offIn]) })
	return out
}

// SumTo sums t over the axes along which target was broadcast to t's shape; it is
// the adjoint of broadcasting and gives the gradient of a broadcast operand.
func SumTo[T Float](t *Tensor[T], target ...int) *Tensor[T] {
	if slices.Equal(t.Shape, target) {
		return t.Clone()
	}
	return reduceTo(t, target, 0, func(acc, x T) T { return acc + x })
}
