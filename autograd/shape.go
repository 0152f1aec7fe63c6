package autograd

import (
	"slices"

	"github.com/urpc-go/urpc/tensor"
)

// Reshape returns x with a new shape of the same size (data shared).
func Reshape[T tensor.Float](x *Value[T], shape ...int) *Value[T] {
	return x.tape.Record("reshape", x.Data.Reshape(shape...), []*Value[T]{x},
		func(g *tensor.Tensor[T]) { x.AccumulateGrad(g.Reshape(x.Data.Shape...)) })
}

// Permute reorders the axes of x: output axis i is input axis perm[i].
// Backward: the gradient is permuted back by the inverse permutation.
func Permute[T tensor.Float](x *Value[T], perm ...int) *Value[T] {
	perm = slices.Clone(perm)
	return x.tape.Record("permute", tensor.Permute(x.Data, perm...), []*Value[T]{x},
		func(g *tensor.Tensor[T]) {
			x.AccumulateOwnedGrad(tensor.Permute(g, tensor.InversePermutation(perm)...))
		})
}

// Slice crops x to start[i] <= index[i] < end[i]. Backward: the gradient is added
// into the box of x's gradient it came from.
func Slice[T tensor.Float](x *Value[T], start, end []int) *Value[T] {
	start = slices.Clone(start)
	return x.tape.Record("slice", tensor.Slice(x.Data, start, end), []*Value[T]{x},
		func(g *tensor.Tensor[T]) { tensor.AddToBox(x.GradBuffer(), start, g) })
}

// Pad surrounds x with before[i] and after[i] constant elements along each axis.
// Backward: the gradient is cropped back to x's box.
func Pad[T tensor.Float](x *Value[T], before, after []int, value T) *Value[T] {
	before = slices.Clone(before)
	return x.tape.Record("pad", tensor.Pad(x.Data, before, after, value), []*Value[T]{x},
		func(g *tensor.Tensor[T]) {
			end := make([]int, len(before))
			for axis := range end {
				end[axis] = before[axis] + x.Data.Shape[axis]
			}
			x.AccumulateOwnedGrad(tensor.Slice(g, before, end))
		})
}

// Concat joins values along axis (for example channels, axis 1 of [N, C, D, H, W]).
// Backward: the gradient is split back into the parts.
func Concat[T tensor.Float](axis int, parts ...*Value[T]) *Value[T] {
	datas := make([]*tensor.Tensor[T], len(parts))
	sizes := make([]int, len(parts))
	for i, p := range parts {
		datas[i] = p.Data
	}
	out := tensor.Concat(axis, datas...)
	axis = tensor.NormAxis(axis, len(out.Shape), out.Shape)
	for i, p := range parts {
		sizes[i] = p.Data.Shape[axis]
	}
	return parts[0].tape.RecordOwned("concat", out, parts, func(g *tensor.Tensor[T]) {
		for i, piece := range tensor.Split(g, axis, sizes...) {
			parts[i].AccumulateOwnedGrad(piece)
		}
	})
}

// MatMul returns a b for a [M, K] and b [K, N]. Backward: da += g b^T, db += a^T g.
func MatMul[T tensor.Float](a, b *Value[T]) *Value[T] {
	return a.tape.RecordOwned("matmul", tensor.MatMul(a.Data, b.Data), []*Value[T]{a, b},
		func(g *tensor.Tensor[T]) {
			if a.requiresGrad {
				a.AccumulateOwnedGrad(tensor.MatMul(g, tensor.Transpose(b.Data)))
			}
			if b.requiresGrad {
				b.AccumulateOwnedGrad(tensor.MatMul(tensor.Transpose(a.Data), g))
			}
		})
}
