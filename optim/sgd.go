// Package optim holds the optimiser of URPC training: stochastic gradient descent with
// momentum and L2 weight decay (torch.optim.SGD semantics) over one flat parameter
// buffer and one flat gradient buffer, and the poly learning-rate schedule.
//
// Misuse (buffers of different lengths) panics with a message that starts with
// "optim:"; a bad checkpoint returns an error.
package optim

import (
	"fmt"

	"github.com/urpc-go/urpc/asm"
	"github.com/urpc-go/urpc/tensor"
)

// sgdMomentum32 is the float32 kernel of Step; asm picks AVX2/FMA or pure Go.
var sgdMomentum32 = asm.SGDMomentum

// SGD is stochastic gradient descent with momentum mu and weight decay wd, with the
// semantics of torch.optim.SGD (dampening 0, not Nesterov). For every parameter
// theta with gradient g, one step at learning rate lr does
//
//	d = g + wd theta
//	buf = d                 at the first step
//	buf = mu buf + d        afterwards
//	theta = theta - lr buf
type SGD[T tensor.Float] struct {
	// Momentum is mu (0.9 for URPC); WeightDecay is wd (1e-4 for URPC).
	Momentum, WeightDecay float64

	buf   []T
	steps int
}

// NewSGD returns an optimiser for a flat buffer of size parameters.
func NewSGD[T tensor.Float](size int, momentum, weightDecay float64) *SGD[T] {
	return &SGD[T]{Momentum: momentum, WeightDecay: weightDecay, buf: make([]T, size)}
}

// Steps returns the number of steps taken (restored with the state).
func (o *SGD[T]) Steps() int { return o.steps }

// Step updates params in place from grads at learning rate lr, in one contiguous pass;
// both buffers must have the optimiser's size.
func (o *SGD[T]) Step(params, grads []T, lr float64) {
	if len(params) != len(o.buf) || len(grads) != len(o.buf) {
		panic(fmt.Sprintf("optim: SGD.Step: %d parameters and %d gradients for size %d",
			len(params), len(grads), len(o.buf)))
	}
	first := o.steps == 0
	switch p := any(params).(type) {
	case []float32:
		sgdMomentum32(p, any(grads).([]float32), any(o.buf).([]float32), float32(lr),
			float32(o.Momentum), float32(o.WeightDecay), first)
	default:
		SGDMomentumGo(params, grads, o.buf, T(lr), T(o.Momentum), T(o.WeightDecay), first)
	}
	o.steps++
}

// SGDMomentumGo is the plain loop of one SGD step with momentum and weight decay, in
// place, for any element type (the reference of the float32 kernel):
//
//	d := grad[i] + weightDecay*theta[i]
//	buf[i] = momentum*buf[i] + d   (buf[i] = d when first)
//	theta[i] -= lr * buf[i]
func SGDMomentumGo[T tensor.Float](theta, grad, buf []T, lr, momentum, weightDecay T,
	first bool) {
	if len(grad) != len(theta) || len(buf) != len(theta) {
		panic("optim: SGDMomentumGo: theta, grad and buf lengths differ")
	}
	for i := range theta {
		d := grad[i] + weightDecay*theta[i]
		if first {
			buf[i] = d
		} else {
			buf[i] = momentum*buf[i] + d
		}
		theta[i] -= lr * buf[i]
	}
}

// State is what a checkpoint needs to resume an SGD: the momentum buffer and the
// number of steps taken (0 means the next step initialises the buffer).
type State[T tensor.Float] struct {
	Steps          int
	MomentumBuffer []T
}

// State returns a copy of the optimiser's state.
func (o *SGD[T]) State() State[T] {
	return State[T]{Steps: o.steps, MomentumBuffer: append([]T(nil), o.buf...)}
}

// SetState restores a state taken by State; the buffer is copied and must have the
// optimiser's size.
func (o *SGD[T]) SetState(s State[T]) error {
	if len(s.MomentumBuffer) != len(o.buf) || s.Steps < 0 {
		return fmt.Errorf("optim: SGD state with %d buffer elements and %d steps, want %d "+
			"elements (a checkpoint of another model?)", len(s.MomentumBuffer), s.Steps,
			len(o.buf))
	}
	copy(o.buf, s.MomentumBuffer)
	o.steps = s.Steps
	return nil
}
