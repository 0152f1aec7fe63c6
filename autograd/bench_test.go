package autograd_test

import (
	"testing"

	"github.com/urpc-go/urpc/autograd"
	"github.com/urpc-go/urpc/tensor"
)

type (
	v32  = autograd.Value[float32]
	tp32 = autograd.Tape[float32]
)

// backwardFrom runs the backward pass of tape from out, seeding out's gradient with
// gradOut through a scalar probe node (so out need not be a scalar).
func backwardFrom(tape *tp32, out *v32, gradOut *tensor.Tensor[float32]) {
	probe := tape.Record("probe", tensor.Scalar[float32](0), []*v32{out},
		func(*tensor.Tensor[float32]) { out.AccumulateGrad(gradOut) })
	tape.Backward(probe)
}

// BenchmarkOpBackward times forward and backward of the ops a training step uses
// outside the network, in float32 on [4, 3, 32, 48, 32].
func BenchmarkOpBackward(b *testing.B) {
	shape := []int{4, 3, 32, 48, 32}
	rng := tensor.NewRNG(1)
	x := tensor.RandNormal[float32](rng, 0, 1, shape...)
	y := tensor.RandNormal[float32](rng, 0, 1, shape...)
	g := tensor.RandNormal[float32](rng, 0, 1, shape...)
	half := tensor.RandNormal[float32](rng, 0, 1, 2, 3, 32, 48, 32)
	type op = func(tape *tp32, x *v32) *v32
	ops := []struct {
		name string
		op   op
		grad *tensor.Tensor[float32]
	}{
		{"log_softmax", func(_ *tp32, x *v32) *v32 {
			return autograd.LogSoftmax(x, 1)
		}, g},
		{"softmax", func(_ *tp32, x *v32) *v32 {
			return autograd.Softmax(x, 1)
		}, g},
		{"exp", func(_ *tp32, x *v32) *v32 {
			return autograd.Exp(x)
		}, g},
		{"mul", func(tape *tp32, x *v32) *v32 {
			return autograd.Mul(x, tape.Leaf(y))
		}, g},
		{"add_chain4", func(_ *tp32, x *v32) *v32 {
			return autograd.Add(autograd.Add(autograd.Add(x, x), x), x)
		}, g},
		{"slice_half", func(_ *tp32, x *v32) *v32 {
			return autograd.Slice(x, []int{2, 0, 0, 0, 0}, shape)
		}, half},
		{"concat", func(_ *tp32, x *v32) *v32 {
			return autograd.Concat(0, x, x)
		}, tensor.Concat(0, g, g)},
	}
	for _, o := range ops {
		b.Run("op="+o.name+"/shape=4x3x32x48x32", func(b *testing.B) {
			b.SetBytes(int64(4 * x.Numel()))
			for b.Loop() {
				tape := autograd.NewTape[float32]()
				leaf := tape.Leaf(x)
				backwardFrom(tape, o.op(tape, leaf), o.grad)
			}
		})
	}
}
