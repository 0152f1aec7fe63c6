package nn

import (
	"fmt"
	"slices"

	"github.com/urpc-go/urpc/autograd"
	"github.com/urpc-go/urpc/tensor"
)

// ParamEntry places one named tensor inside a flat buffer: its elements are
// Data[Offset : Offset+Numel(Shape)], row-major.
type ParamEntry struct {
	Name   string
	Shape  []int
	Offset int
}

// Size returns the number of elements of the entry.
func (e ParamEntry) Size() int { return tensor.Numel(e.Shape) }

// ParamLayout lists named tensors in order before their buffer exists; each Add
// appends an entry right after the previous one.
type ParamLayout struct {
	Entries []ParamEntry
	size    int
}

// Add appends a tensor of the given shape named name and returns its index.
// Names must be unique.
func (l *ParamLayout) Add(name string, shape ...int) int {
	if slices.ContainsFunc(l.Entries, func(e ParamEntry) bool { return e.Name == name }) {
		panic(fmt.Sprintf("nn: ParamLayout: name %q added twice", name))
	}
	entry := ParamEntry{Name: name, Shape: slices.Clone(shape), Offset: l.size}
	l.Entries = append(l.Entries, entry)
	l.size += tensor.Numel(shape)
	return len(l.Entries) - 1
}

// Size returns the total number of elements of the layout.
func (l *ParamLayout) Size() int { return l.size }

// Params holds every parameter of a model in one flat buffer Data, and their gradients
// in Grad with the same layout, so that an optimiser step, a checkpoint or an upload
// is one contiguous pass. Entry i is viewed (not copied) by Tensor(i) and GradTensor(i).
// The same type holds non-trained buffers (BatchNorm running statistics), whose Grad
// is simply unused.
type Params[T tensor.Float] struct {
	Data, Grad []T
	Entries    []ParamEntry

	views, gradViews []*tensor.Tensor[T]
	index            map[string]int
}

// NewParams allocates zeroed data and gradient buffers for layout.
func NewParams[T tensor.Float](layout *ParamLayout) *Params[T] {
	p := &Params[T]{
		Data:    make([]T, layout.Size()),
		Grad:    make([]T, layout.Size()),
		Entries: slices.Clone(layout.Entries),
		index:   make(map[string]int, len(layout.Entries)),
	}
	for i, e := range p.Entries {
		end := e.Offset + e.Size()
		p.views = append(p.views, tensor.FromSlice(p.Data[e.Offset:end:end], e.Shape...))
		p.gradViews = append(p.gradViews, tensor.FromSlice(p.Grad[e.Offset:end:end], e.Shape...))
		p.index[e.Name] = i
	}
	return p
}

// Len returns the number of scalar parameters (the parameter count).
func (p *Params[T]) Len() int { return len(p.Data) }

// Index returns the index of the entry named name.
func (p *Params[T]) Index(name string) (int, bool) {
	i, ok := p.index[name]
	return i, ok
}

// Tensor returns entry i as a tensor viewing Data.
func (p *Params[T]) Tensor(i int) *tensor.Tensor[T] { return p.views[i] }

// GradTensor returns the gradient of entry i as a tensor viewing Grad.
func (p *Params[T]) GradTensor(i int) *tensor.Tensor[T] { return p.gradViews[i] }

// Value returns entry i as a parameter on tape: backward passes add its gradient into
// the matching part of Grad.
func (p *Params[T]) Value(tape *autograd.Tape[T], i int) *autograd.Value[T] {
	return tape.Param(p.views[i], p.gradViews[i])
}

// ZeroGrad sets every gradient to 0.
func (p *Params[T]) ZeroGrad() { clear(p.Grad) }
