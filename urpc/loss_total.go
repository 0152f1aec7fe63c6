package urpc

import (
	"fmt"

	"github.com/urpc-go/urpc/autograd"
	"github.com/urpc-go/urpc/tensor"
)

// TotalLoss returns Eq. 6, Ltotal = Lsup + lambda Lunsup, for the scalar losses of
// Eq. 1 and 5. A nil sup or unsup (a batch without labelled or without unlabelled
// samples) drops that term.
func TotalLoss[T tensor.Float](sup, unsup *autograd.Value[T], lambda float64) *autograd.Value[T] {
	switch {
	case sup == nil && unsup == nil:
		panic("urpc: TotalLoss needs a supervised or an unsupervised loss")
	case unsup == nil:
		return sup
	case sup == nil:
		return autograd.Scale(unsup, T(lambda))
	}
	return autograd.Add(sup, autograd.Scale(unsup, T(lambda)))
}

// Result holds every term of Eq. 1-6 for one batch.
type Result[T tensor.Float] struct {
	// Total is Ltotal of Eq. 6, the scalar to run Backward from.
	Total *autograd.Value[T]
	// Supervised is Eq. 1 on the labelled samples; nil when there are none.
	Supervised *Supervised[T]
	// Unsupervised is Eq. 5 on the unlabelled samples; nil when there are none.
	Unsupervised *Unsupervised[T]
	// Lambda is the consistency weight lambda(t) the total used.
	Lambda float64
}

// Loss returns every URPC term for the logits z_s [N, C, D, H, W] of the S heads on
// a batch whose first labeledBS samples are labelled and the rest unlabelled:
// Ltotal = Lsup(labelled) + lambda Lunsup(unlabelled) (Eq. 6), with lambda from
// Ramp.Lambda. labels is [N, D, H, W] (the unlabelled samples' labels are ignored) or
// [labeledBS, D, H, W]. labeledBS = N gives the supervised loss alone.
//
// TODO(speed): forward and backward take about 37 ms of CPU in float32 (72 ms in
// float64) for four heads of [2, 3, 32, 32, 32] (BenchmarkLoss; 138 ms before the
// fused kernels). What remains is mostly the per-voxel logarithms of log-softmax and
// log p_c (package asm has no vectorised log), asm.Exp (about 1.4 ns per element
// here), the float64 per-voxel loops of Dice, SquaredDistance and KL, and clearing new
// tensors; LogSoftmaxBackward recomputes exp(y), which the forward could keep.
func Loss[T tensor.Float, L Label](logits []*autograd.Value[T], labels []L, labeledBS int,
	lambda float64, cfg Config) *Result[T] {
	checkHeads("Loss", logits)
	shape := logits[0].Shape()
	n, _, v := classLayout("Loss", shape)
	if labeledBS < 0 || labeledBS > n {
		panic(fmt.Sprintf("urpc: Loss: labeledBS %d out of range for shape %v", labeledBS, shape))
	}
	if len(labels) != n*v && len(labels) != labeledBS*v {
		panic(fmt.Sprintf("urpc: Loss: %d labels for shape %v and labeledBS %d",
			len(labels), shape, labeledBS))
	}

	result := &Result[T]{Lambda: lambda}
	var sup, unsup *autograd.Value[T]
	if labeledBS > 0 {
		result.Supervised = SupervisedLoss(sliceBatch(logits, 0, labeledBS), labels[:labeledBS*v])
		sup = result.Supervised.Loss
	}
	if labeledBS < n {
		result.Unsupervised = UnsupervisedLoss(sliceBatch(logits, labeledBS, n), cfg)
		unsup = result.Unsupervised.Loss
	}
	result.Total = TotalLoss(sup, unsup, lambda)
	return result
}

// sliceBatch returns samples [from, to) of every head, the heads themselves when that
// is the whole batch.
func sliceBatch[T tensor.Float](heads []*autograd.Value[T], from, to int) []*autograd.Value[T] {
	shape := heads[0].Shape()
	if from == 0 && to == shape[0] {
		return heads
	}
	start, end := make([]int, len(shape)), append([]int{to}, shape[1:]...)
	start[0] = from
	out := make([]*autograd.Value[T], len(heads))
	for s, h := range heads {
		out[s] = autograd.Slice(h, start, end)
	}
	return out
}

// Term is one line of Result.Explain: a term of an equation, the scale it belongs to
// (-1 for a total over scales), its value and the function that computes it.
type Term struct {
	Equation string
	Name     string
	Scale    int
	Value    float64
	Function string
}

// String formats the term as one aligned line.
func (t Term) String() string {
	scale := "all"
	if t.Scale >= 0 {
		scale = fmt.Sprintf("s=%d", t.Scale)
	}
	return fmt.Sprintf("%-6s %-17s %-4s %14.8g  %s", t.Equation, t.Name, scale, t.Value,
		t.Function)
}
