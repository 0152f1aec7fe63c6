package tensor

import (
	"fmt"
	"slices"
)

// Permute returns a copy of t whose axis i is t's axis perm[i]; for example
// perm (0, 2, 1) swaps the last two axes of a rank-3 tensor.
func Permute[T Float](t *Tensor[T], perm ...int) *Tensor[T] {
	if len(perm) != len(t.Shape) || !isPermutation(perm) {
		panic(fmt.Sprintf("tensor: Permute %v does not fit shape %v", perm, t.Shape))
	}
	shape := make([]int, len(perm))
	inStrides := Strides(t.Shape)
	strides := make([]int, len(perm))
	for i, p := range perm {
		shape[i] = t.Shape[p]
		strides[i] = inStrides[p]
	}
	out := empty[T](shape...)
	forEachRun(shape, strides, strides, func(i, off, _, n, step, _ int) {
		for j, dst := 0, out.Data[i:i+n]; j < len(dst); j++ {
			dst[j] = t.Data[off+j*step]
		}
	})
	return out
}

func isPermutation(perm []int) bool {
	seen := make([]bool, len(perm))
	for _, p := range perm {
		if p < 0 || p >= len(perm) || seen[p] {
			return false
		}
		seen[p] = true
	}
	return true
}

// InversePermutation returns q with q[perm[i]] = i, so Permute by q undoes perm.
func InversePermutation(perm []int) []int {
	inverse := make([]int, len(perm))
	for i, p := range perm {
		inverse[p] = i
	}
	return inverse
}

// Slice returns a copy of the box start[i] <= index[i] < end[i] of t (a crop).
func Slice[T Float](t *Tensor[T], start, end []int) *Tensor[T] {
	if len(start) != len(t.Shape) || len(end) != len(t.Shape) {
		panic(fmt.Sprintf("tensor: Slice %v:%v does not fit shape %v", start, end, t.Shape))
	}
	shape := make([]int, len(start))
	for axis := range start {
		if start[axis] < 0 || end[axis] > t.Shape[axis] || start[axis] > end[axis] {
			panic(fmt.Sprintf("tensor: Slice %v:%v out of range for shape %v",
				start, end, t.Shape))
		}
		shape[axis] = end[axis] - start[axis]
	}
	out := empty[T](shape...)
	forEachBoxRow(t.Shape, shape, start, func(boxOff, off, n int) {
		copy(out.Data[boxOff:boxOff+n], t.Data[off:off+n])
	})
	return out
}

// AddToBox adds src into the box of dst that starts at start and has src's shape:
// dst[start + index] += src[index]. It is the adjoint of Slice, accumulated.
func AddToBox[T Float](dst *Tensor[T], start []int, src *Tensor[T]) {
	if len(start) != len(dst.Shape) || len(src.Shape) != len(dst.Shape) {
		panic(fmt.Sprintf("tensor: AddToBox of %v at %v does not fit shape %v",
			src.Shape, start, dst.Shape))
	}
	for axis := range start {
		if start[axis] < 0 || start[axis]+src.Shape[axis] > dst.Shape[axis] {
			panic(fmt.Sprintf("tensor: AddToBox of %v at %v out of range for shape %v",
				src.Shape, start, dst.Shape))
		}
	}
	forEachBoxRow(dst.Shape, src.Shape, start, func(boxOff, off, n int) {
		row := dst.Data[off : off+n]
		arithVV(opAdd, row, row, src.Data[boxOff:boxOff+n])
	})
}

// forEachBoxRow visits the box of a tensor of shape outer that starts at start and has
// shape box, one contiguous row at a time: visit(boxOff, off, n) covers the n box
// elements from flat index boxOff of the box, which sit from off in the outer tensor.
// (A box one element wide along the last axes has rows of one element.)
func forEachBoxRow(outer, box, start []int, visit func(boxOff, off, n int)) {
	strides := Strides(outer)
	offset := 0
	for axis := range start {
		offset += start[axis] * strides[axis]
	}
	forEachRun(box, strides, strides, func(i, off, _, n, step, _ int) {
		if step == 1 {
			visit(i, offset+off, n)
			return
		}
		for j := range n {
			visit(i+j, offset+off+j*step, 1)
		}
	})
}

// Pad returns t surrounded, along each axis, by before[axis] and after[axis] elements
// equal to value. The result has size before + size + after on each axis.
func Pad[T Float](t *Tensor[T], before, after []int, value T) *Tensor[T] {
	if len(before) != len(t.Shape) || len(after) != len(t.Shape) {
		panic(fmt.Sprintf("tensor: Pad %v,%v does not fit shape %v", before, after, t.Shape))
	}
	shape := make([]int, len(before))
	for axis := range shape {
		if before[axis] < 0 || after[axis] < 0 {
			panic(fmt.Sprintf("tensor: Pad %v,%v is negative", before, after))
		}
		shape[axis] = before[axis] + t.Shape[axis] + after[axis]
	}
	out := Zeros[T](shape...)
	if value != 0 {
		out.Fill(value)
	}
	forEachBoxRow(shape, t.Shape, before, func(i, off, n int) {
		copy(out.Data[off:off+n], t.Data[i:i+n])
	})
	return out
}

// Concat joins tensors along axis; all other sizes must agree.
func Concat[T Float](axis int, parts ...*Tensor[T]) *Tensor[T] {
	if len(parts) == 0 {
		panic("tensor: Concat of no tensors")
	}
	first := parts[0].Shape
	axis = NormAxis(axis, len(first), first)
	shape := slices.Clone(first)
	shape[axis] = 0
	for _, p := range parts {
		if len(p.Shape) != len(first) {
			panic(fmt.Sprintf("tensor: Concat shapes %v and %v differ in rank", first, p.Shape))
		}
		for k := range first {
			if k != axis && p.Shape[k] != first[k] {
				panic(fmt.Sprintf("tensor: Concat shapes %v and %v differ off axis %d",
					first, p.Shape, axis))
			}
		}
		shape[axis] += p.Shape[axis]
	}
	out := empty[T](shape...)
	outer := Numel(shape[:axis])
	rowOut := Numel(shape[axis:])
	done := 0
	for _, p := range parts {
		row := Numel(p.Shape[axis:])
		for o := range outer {
			copy(out.Data[o*rowOut+done:o*rowOut+done+row], p.Data[o*row:(o+1)*row])
		}
		done += row
	}
	return out
}

// Split is the inverse of Concat: it cuts t along axis into pieces of the given sizes.
func Split[T Float](t *Tensor[T], axis int, sizes ...int) []*Tensor[T] {
	axis = NormAxis(axis, len(t.Shape), t.Shape)
	parts := make([]*Tensor[T], len(sizes))
	start := make([]int, len(t.Shape))
	end := slices.Clone(t.Shape)
	for i, size := range sizes {
		end[axis] = start[axis] + size
		parts[i] = Slice(t, start, end)
		start[axis] = end[axis]
	}
	if start[axis] != t.Shape[axis] {
		panic(fmt.Sprintf("tensor: Split sizes %v do not cover axis %d of %v", sizes, axis, t.Shape))
	}
	return parts
}
