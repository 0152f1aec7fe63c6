package tensor

import (
	"fmt"
	"math"
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
	forEachRun(shape, stridesA, stridesB, func(i, offA, offB, n, stepA, stepB int) {
		for j := range n {
			visit(i+j, offA+j*stepA, offB+j*stepB)
		}
	})
}

// Binary applies f elementwise to a and b broadcast against each other.
func Binary[T Float](a, b *Tensor[T], f func(x, y T) T) *Tensor[T] {
	shape := BroadcastShape(a.Shape, b.Shape)
	out := Zeros[T](shape...)
	forEach2(shape, broadcastStrides(a.Shape, shape), broadcastStrides(b.Shape, shape),
		func(i, offA, offB int) { out.Data[i] = f(a.Data[offA], b.Data[offB]) })
	return out
}

// arith returns a op b broadcast against each other, run by run (see forEachRun).
func arith[T Float](a, b *Tensor[T], op arithOp) *Tensor[T] {
	if slices.Equal(a.Shape, b.Shape) {
		out := empty[T](a.Shape...)
		arithVV(op, out.Data, a.Data, b.Data)
		return out
	}
	shape := BroadcastShape(a.Shape, b.Shape)
	out := empty[T](shape...)
	forEachRun(shape, broadcastStrides(a.Shape, shape), broadcastStrides(b.Shape, shape),
		func(i, offA, offB, n, stepA, stepB int) {
			arithRun(op, out.Data[i:i+n], a.Data[offA:], stepA, b.Data[offB:], stepB)
		})
	return out
}

// Expand returns a copy of t broadcast to shape.
func Expand[T Float](t *Tensor[T], shape ...int) *Tensor[T] {
	if !slices.Equal(BroadcastShape(t.Shape, shape), shape) {
		panic(fmt.Sprintf("tensor: cannot expand %v to %v", t.Shape, shape))
	}
	out := empty[T](shape...)
	strides := broadcastStrides(t.Shape, shape)
	forEachRun(shape, strides, strides, func(i, off, _, n, step, _ int) {
		dst := out.Data[i : i+n]
		if step == 1 {
			copy(dst, t.Data[off:off+n])
			return
		}
		for j := range dst {
			dst[j] = t.Data[off+j*step]
		}
	})
	return out
}

// reduction is the combining rule of reduceTo.
type reduction int

const (
	reduceSum reduction = iota
	reduceMax
)

// reduceTo folds every element of t into the element of a tensor of shape target
// that t's element broadcasts from, by sum or max. target must broadcast to t's shape
// and have the same rank or less. Each run of t either folds into one element of the
// result (a reduced inner axis) or into a run of it (a kept inner axis).
func reduceTo[T Float](t *Tensor[T], target []int, how reduction) *Tensor[T] {
	if !slices.Equal(BroadcastShape(target, t.Shape), t.Shape) {
		panic(fmt.Sprintf("tensor: cannot reduce %v to %v", t.Shape, target))
	}
	out := Zeros[T](target...)
	if how == reduceMax {
		out.Fill(T(math.Inf(-1)))
	}
	forEachRun(t.Shape, Strides(t.Shape), broadcastStrides(target, t.Shape),
		func(_, offIn, offOut, n, _, stepOut int) {
			in := t.Data[offIn : offIn+n]
			switch {
			case stepOut == 0 && how == reduceSum:
				out.Data[offOut] += sumOf(in)
			case stepOut == 0:
				out.Data[offOut] = maxOf(out.Data[offOut], in)
			case how == reduceSum:
				dst := out.Data[offOut : offOut+n]
				arithVV(opAdd, dst, dst, in)
			default:
				maxInto(out.Data[offOut:offOut+n], in)
			}
		})
	return out
}

// SumTo sums t over the axes along which target was broadcast to t's shape; it is
// the adjoint of broadcasting and gives the gradient of a broadcast operand.
func SumTo[T Float](t *Tensor[T], target ...int) *Tensor[T] {
	if slices.Equal(t.Shape, target) {
		return t.Clone()
	}
	return reduceTo(t, target, reduceSum)
}
