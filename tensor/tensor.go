// Package tensor holds dense, row-major tensors of up to five axes, laid out as
// [N, C, D, H, W] for volumes. The element type is float32 for training and float64
// for gradient checks; every operation is written once, generically, for both.
//
// Misuse (a shape mismatch, a bad axis) is a programming error and panics with a
// constant message that starts with "tensor:" and names the shapes involved.
package tensor

import (
	"fmt"
	"slices"
)

// Float is the set of element types a Tensor may hold.
type Float interface {
	~float32 | ~float64
}

// MaxRank is the largest number of axes a tensor may have: [N, C, D, H, W].
const MaxRank = 5

// Tensor is a dense row-major array: element (i0, ..., ik) sits at
// Data[i0*stride0 + ... + ik], where each stride is the product of the later sizes.
type Tensor[T Float] struct {
	Shape []int
	Data  []T
}

// Numel returns the number of elements of a tensor of the given shape.
func Numel(shape []int) int {
	n := 1
	for _, s := range shape {
		n *= s
	}
	return n
}

// Strides returns the row-major strides of shape, in elements.
func Strides(shape []int) []int {
	strides := make([]int, len(shape))
	step := 1
	for axis := len(shape) - 1; axis >= 0; axis-- {
		strides[axis] = step
		step *= shape[axis]
	}
	return strides
}

func checkShape(shape []int) {
	if len(shape) > MaxRank {
		panic(fmt.Sprintf("tensor: shape %v has more than %d axes", shape, MaxRank))
	}
	for _, s := range shape {
		if s < 0 {
			panic(fmt.Sprintf("tensor: shape %v has a negative size", shape))
		}
	}
}

// Zeros returns a tensor of the given shape filled with 0.
func Zeros[T Float](shape ...int) *Tensor[T] {
	checkShape(shape)
	return &Tensor[T]{Shape: slices.Clone(shape), Data: allocate[T](Numel(shape), true)}
}

// Uninitialized returns a tensor of the given shape whose elements are unspecified
// (possibly a recycled buffer's), for callers that write every element: it skips
// the clearing that Zeros does.
func Uninitialized[T Float](shape ...int) *Tensor[T] { return empty[T](shape...) }

// empty returns a tensor of the given shape whose elements are unspecified (possibly
// a recycled buffer's), for operations that write every element.
func empty[T Float](shape ...int) *Tensor[T] {
	checkShape(shape)
	return &Tensor[T]{Shape: slices.Clone(shape), Data: allocate[T](Numel(shape), false)}
}

// Full returns a tensor of the given shape with every element equal to value.
func Full[T Float](value T, shape ...int) *Tensor[T] {
	t := Zeros[T](shape...)
	for i := range t.Data {
		t.Data[i] = value
	}
	return t
}

// FromSlice wraps data (not copied) as a tensor of the given shape.
func FromSlice[T Float](data []T, shape ...int) *Tensor[T] {
	checkShape(shape)
	if len(data) != Numel(shape) {
		panic(fmt.Sprintf("tensor: FromSlice got %d elements for shape %v", len(data), shape))
	}
	return &Tensor[T]{Shape: slices.Clone(shape), Data: data}
}

// Scalar returns a tensor of shape [] holding value.
func Scalar[T Float](value T) *Tensor[T] {
	return &Tensor[T]{Shape: []int{}, Data: []T{value}}
}

// Numel returns the number of elements of t.
func (t *Tensor[T]) Numel() int { return len(t.Data) }

// Rank returns the number of axes of t.
func (t *Tensor[T]) Rank() int { return len(t.Shape) }

// Clone returns a deep copy of t.
func (t *Tensor[T]) Clone() *Tensor[T] {
	data := allocate[T](len(t.Data), false)
	copy(data, t.Data)
	return &Tensor[T]{Shape: slices.Clone(t.Shape), Data: data}
}

// Item returns the single element of a tensor holding exactly one.
func (t *Tensor[T]) Item() T {
	if len(t.Data) != 1 {
		panic(fmt.Sprintf("tensor: Item on shape %v", t.Shape))
	}
	return t.Data[0]
}

// Offset returns the flat index of the element at index.
func (t *Tensor[T]) Offset(index ...int) int {
	if len(index) != len(t.Shape) {
		panic(fmt.Sprintf("tensor: index %v does not match shape %v", index, t.Shape))
	}
	offset := 0
	for axis, i := range index {
		if i < 0 || i >= t.Shape[axis] {
			panic(fmt.Sprintf("tensor: index %v out of range for shape %v", index, t.Shape))
		}
		offset = offset*t.Shape[axis] + i
	}
	return offset
}

// At returns the element at index.
func (t *Tensor[T]) At(index ...int) T { return t.Data[t.Offset(index...)] }

// Set stores value at index.
func (t *Tensor[T]) Set(value T, index ...int) { t.Data[t.Offset(index...)] = value }

// Fill sets every element of t to value.
func (t *Tensor[T]) Fill(value T) {
	for i := range t.Data {
		t.Data[i] = value
	}
}

// SameShape reports whether a and b have identical shapes.
func SameShape(a, b []int) bool { return slices.Equal(a, b) }

// MustSameShape panics with a message naming op and both shapes when they differ.
func MustSameShape(op string, a, b []int) {
	if !slices.Equal(a, b) {
		panic(fmt.Sprintf("tensor: %s: shapes %v and %v differ", op, a, b))
	}
}

// Convert returns a copy of t with elements converted to type U.
func Convert[U, T Float](t *Tensor[T]) *Tensor[U] {
	out := empty[U](t.Shape...)
	for i, v := range t.Data {
		out.Data[i] = U(v)
	}
	return out
}

// Reshape returns a tensor sharing t's data with a new shape of the same size.
// One size may be -1 and is then inferred.
func (t *Tensor[T]) Reshape(shape ...int) *Tensor[T] {
	shape = slices.Clone(shape)
	inferred, known := -1, 1
	for axis, s := range shape {
		if s == -1 && inferred < 0 {
			inferred = axis
			continue
		}
		known *= s
	}
	if inferred >= 0 && known > 0 {
		shape[inferred] = len(t.Data) / known
	}
	checkShape(shape)
	if Numel(shape) != len(t.Data) {
		panic(fmt.Sprintf("tensor: cannot reshape %v to %v", t.Shape, shape))
	}
	return &Tensor[T]{Shape: shape, Data: t.Data}
}

// String describes t's shape and, for small tensors, its values.
func (t *Tensor[T]) String() string {
	if len(t.Data) <= 16 {
		return fmt.Sprintf("Tensor%v%v", t.Shape, t.Data)
	}
	return fmt.Sprintf("Tensor%v[%v %v ... %v]", t.Shape, t.Data[0], t.Data[1], t.Data[len(t.Data)-1])
}
