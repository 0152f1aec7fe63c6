// Package autograd is a tape-based reverse-mode automatic differentiation engine over
// tensor.Tensor values.
//
// Every operation run on a Tape appends the Value it produces, and that Value records
// the operation's name, its inputs and a backward function. Tape.Backward walks the
// tape from the end: each backward function receives the gradient of the loss with
// respect to its output and adds (+=) the gradients with respect to its inputs, so a
// value used twice receives both contributions. A backward function never retains its
// gradOut (it may overwrite it: the tape recycles it right after); it hands gradients
// over with AccumulateGrad (copied at first use),
// AccumulateOwnedGrad (a tensor it has just allocated, taken over without a copy) or
// adds into GradBuffer in place. The tape order is an execution order,
// hence a valid reverse topological order; no graph sort is needed.
//
// A tape in no-grad mode records nothing (inference). After Backward the tape drops
// its nodes, their backward closures and the intermediate gradients, so the memory of
// the graph is released; the gradients of leaves remain. The intermediate gradients'
// buffers go to tensor.Recycle for the next step's tensors, which is safe because a
// gradient is only ever reachable through its value (the ownership rules above).
package autograd

import (
	"fmt"

	"github.com/urpc-go/urpc/tensor"
)

// Value is a tensor in a computation: its data, the gradient of the loss with respect
// to it (nil until some gradient reaches it) and, for computed values, how it was made.
type Value[T tensor.Float] struct {
	Data *tensor.Tensor[T]
	Grad *tensor.Tensor[T]

	// Op names the operation that produced this value ("leaf" for inputs).
	Op string

	inputs       []*Value[T]
	backward     func(gradOut *tensor.Tensor[T])
	requiresGrad bool
	tape         *Tape[T]

	// ownsData is set by RecordOwned: Data was allocated by the operation and nothing
	// else refers to it, so BackwardRecycling may hand it to tensor.Recycle.
	ownsData bool

	// outputUnread is set by RecordOwnedUnread: the value's own backward function does
	// not read Data, so BackwardRecycling may recycle it once the recorded operations
	// that read it are done (pending counts those still to run their backward).
	outputUnread bool
	pending      int
}

// Shape returns the shape of v's data.
func (v *Value[T]) Shape() []int { return v.Data.Shape }

// RequiresGrad reports whether gradients flow into v.
func (v *Value[T]) RequiresGrad() bool { return v.requiresGrad }

// Tape returns the tape v belongs to.
func (v *Value[T]) Tape() *Tape[T] { return v.tape }

// Inputs returns the values v was computed from (nil for leaves and after Backward).
func (v *Value[T]) Inputs() []*Value[T] { return v.inputs }

// AccumulateGrad adds g to v's gradient (v.Grad += g); the first gradient is copied.
// g is never retained. Nothing happens when v does not require a gradient.
func (v *Value[T]) AccumulateGrad(g *tensor.Tensor[T]) {
	if !v.requiresGrad {
		return
	}
	if v.Grad == nil {
		tensor.MustSameShape("autograd: AccumulateGrad", v.Data.Shape, g.Shape)
		v.Grad = g.Clone()
		return
	}
	tensor.AddInPlace(v.Grad, g)
}

// AccumulateOwnedGrad is AccumulateGrad for a gradient g that the caller hands over:
// a tensor it has just allocated, that no other value or variable refers to (not a
// view of gradOut, of data, or of another tensor). When v has no gradient yet, g
// becomes it without a copy; v's later gradients are then added into g's data, so
// the caller must neither read nor write g after the call.
func (v *Value[T]) AccumulateOwnedGrad(g *tensor.Tensor[T]) {
	if !v.requiresGrad {
		return
	}
	if v.Grad == nil {
		tensor.MustSameShape("autograd: AccumulateOwnedGrad", v.Data.Shape, g.Shape)
		v.Grad = g
		return
	}
	tensor.AddInPlace(v.Grad, g)
}

// GradBuffer returns v's gradient for a backward function to add into in place,
// allocating zeros of v's shape at first use; nil when v does not require a gradient.
func (v *Value[T]) GradBuffer() *tensor.Tensor[T] {
	if !v.requiresGrad {
		return nil
	}
	if v.Grad == nil {
		v.Grad = tensor.Zeros[T](v.Data.Shape...)
	}
	return v.Grad
}

// GradOrZeros returns v's gradient, or zeros of v's shape when none has reached it.
func (v *Value[T]) GradOrZeros() *tensor.Tensor[T] {
	if v.Grad == nil {
		return tensor.Zeros[T](v.Data.Shape...)
	}
	return v.Grad
}

// Tape records operations in execution order for one forward and backward pass.
// A Tape is used by one goroutine at a time.
type Tape[T tensor.Float] struct {
	nodes     []*Value[T]
	noGrad    bool
	recycling bool // inside BackwardRecycling
}

// NewTape returns an empty tape that records operations.
func NewTape[T tensor.Float]() *Tape[T] { return &Tape[T]{} }

// NewNoGradTape returns a tape that records nothing: operations only compute forward
// values, as needed for inference.
func NewNoGradTape[T tensor.Float]() *Tape[T] { return &Tape[T]{noGrad: true} }

// NoGrad reports whether the tape is in no-grad mode.
func (tp *Tape[T]) NoGrad() bool { return tp.noGrad }

// SetNoGrad switches no-grad mode on or off for the operations that follow.
func (tp *Tape[T]) SetNoGrad(off bool) { tp.noGrad = off }

// Len returns the number of operations recorded and not yet released.
func (tp *Tape[T]) Len() int { return len(tp.nodes) }

// Leaf returns an input value whose gradient is wanted.
func (tp *Tape[T]) Leaf(data *tensor.Tensor[T]) *Value[T] {
	return &Value[T]{Data: data, Op: "leaf", requiresGrad: !tp.noGrad, tape: tp}
}

// Param returns a leaf whose gradient accumulates into grad, which must have data's
// shape; grad is typically a view into a model's flat gradient buffer.
func (tp *Tape[T]) Param(data, grad *tensor.Tensor[T]) *Value[T] {
	tensor.MustSameShape("autograd: Param", data.Shape, grad.Shape)
	v := tp.Leaf(data)
	if v.requiresGrad {
		v.Grad = grad
	}
	return v
}

// Const returns an input value that receives no gradient.
func (tp *Tape[T]) Const(data *tensor.Tensor[T]) *Value[T] {
	return &Value[T]{Data: data, Op: "const", tape: tp}
}

// Record returns the value out computed by op from inputs. When the tape records and
// some input requires a gradient, the value is appended to the tape with backward,
// which must add the gradients of the inputs given the gradient of out.
func (tp *Tape[T]) Record(op string, out *tensor.Tensor[T], inputs []*Value[T],
	backward func(gradOut *tensor.Tensor[T])) *Value[T] {
	v := &Value[T]{Data: out, Op: op, tape: tp}
	if tp.noGrad {
		return v
	}
	for _, in := range inputs {
		if in.tape != tp {
			panic(fmt.Sprintf("autograd: %s mixes values of two tapes", op))
		}
		v.requiresGrad = v.requiresGrad || in.requiresGrad
	}
	if v.requiresGrad {
		v.inputs = inputs
		v.backward = backward
		tp.nodes = append(tp.nodes, v)
		for _, in := range inputs {
			in.pending++
		}
	}
	return v
}

// RecordOwned is Record for an operation whose out it has just allocated and that
// nothing else refers to (not a view of an input, of a parameter or of another
// tensor, not even one made with a full slice expression). BackwardRecycling recycles
// such data once the backward pass is done with it.
func (tp *Tape[T]) RecordOwned(op string, out *tensor.Tensor[T], inputs []*Value[T],
	backward func(gradOut *tensor.Tensor[T])) *Value[T] {
	v := tp.Record(op, out, inputs, backward)
	v.ownsData = true
	return v
}

// RecordOwnedUnread is RecordOwned for an operation whose backward function does not
// read out (it reads its inputs, saved statistics or masks, and its gradient). With
// BackwardRecycling, out is then recycled as soon as the last recorded operation that
// takes it as an input has run its backward function (or earlier, when that function
// calls ReleaseAfterLastUse), before its own backward function runs: a network's
// activation makes room for the gradients computed next, as in a framework that frees
// a tensor with its last reference.
func (tp *Tape[T]) RecordOwnedUnread(op string, out *tensor.Tensor[T], inputs []*Value[T],
	backward func(gradOut *tensor.Tensor[T])) *Value[T] {
	v := tp.RecordOwned(op, out, inputs, backward)
	v.outputUnread = true
	return v
}

// ReleaseAfterLastUse is called by the backward function of an operation that has v
// among its inputs, once it no longer reads v's data. Inside BackwardRecycling, when v
// was recorded with RecordOwnedUnread and no other operation still to run its
// backward function takes v as an input, v's data goes to tensor.Recycle at once, so
// that a gradient allocated next (typically v's own) can reuse the memory; otherwise
// nothing happens.
func (v *Value[T]) ReleaseAfterLastUse() {
	if v.tape.recycling && v.pending == 1 {
		v.releaseUnread()
	}
}

// releaseUnread recycles the data of an owned value whose backward does not read it.
func (v *Value[T]) releaseUnread() {
	if v.ownsData && v.outputUnread {
		tensor.Recycle(v.Data)
	}
}

// Backward computes the gradient of the scalar loss with respect to every value that
// requires one, then releases the graph. Leaf gradients accumulate across calls.
func (tp *Tape[T]) Backward(loss *Value[T]) { tp.backward(loss, false) }

// BackwardRecycling is Backward for a training step that keeps nothing of its graph:
// as soon as a value's backward function has run, the data its operation owns
// (RecordOwned: the network's activations, and the outputs of this package's
// arithmetic, reductions, softmaxes and MatMul) goes to tensor.Recycle, so that the
// gradients computed later in the same pass, and the next step, reuse that memory
// instead of faulting in fresh pages. Afterwards the data of the values recorded with
// RecordOwned (other than loss), and of every view of them, must not be read: a
// recycled buffer's Data is nil, but a view (Reshape) still points at memory that
// later tensors reuse. Buffers under the free list's minimum (tensor.Recycle) are left
// alone. Values recorded with Record (the views and copies of shape.go but Concat),
// leaves and constants keep their data.
func (tp *Tape[T]) BackwardRecycling(loss *Value[T]) { tp.backward(loss, true) }

// backward runs the backward functions from the end of the tape. Each intermediate
// gradient is recycled as soon as its value's backward function has consumed it
// (nothing reads it afterwards); with recycleData the owned data of every value but
// loss is recycled at the same point, or, for RecordOwnedUnread, once the last
// operation reading it is done.
func (tp *Tape[T]) backward(loss *Value[T], recycleData bool) {
	if loss.Data.Numel() != 1 {
		panic(fmt.Sprintf("autograd: Backward from a non-scalar of shape %v", loss.Data.Shape))
	}
	if loss.tape != tp {
		panic("autograd: Backward from a value of another tape")
	}
	loss.AccumulateOwnedGrad(tensor.Full[T](1, loss.Data.Shape...))
	tp.recycling = recycleData
	loss.pending++ // never released early

	for i := len(tp.nodes) - 1; i >= 0; i-- {
		node := tp.nodes[i]
		if node.Grad != nil {
			node.backward(node.Grad)
			tensor.Recycle(node.Grad)
			node.Grad = nil
		}
		for _, in := range node.inputs {
			in.pending--
			if recycleData && in.pending == 0 {
				in.releaseUnread()
			}
		}
		if recycleData && node.ownsData && node != loss {
			tensor.Recycle(node.Data)
		}
	}

	tp.recycling = false
	tp.Release()
}

// Release drops every recorded node with its inputs, backward function and gradient,
// so that the graph's memory can be reclaimed; the gradients' buffers are recycled
// (tensor.Recycle). Leaves keep their gradients.
func (tp *Tape[T]) Release() {
	for _, node := range tp.nodes {
		node.inputs = nil
		node.backward = nil
		tensor.Recycle(node.Grad)
		node.Grad = nil
	}
	tp.nodes = nil
}
