package tensor_test

import (
	"fmt"
	"testing"

	"github.com/urpc-go/urpc/tensor"
)

var benchSizes = []int{4096, 1 << 20}

// benchShape is the shape of one head's logits in a default training step:
// [N, C, D, H, W] = [4, 3, 32, 48, 32].
var benchShape = []int{4, 3, 32, 48, 32}

// impls lists the kernel sets a float32 benchmark runs with: the generic Go loops and
// the asm kernels (see SetAsm).
var impls = []struct {
	name string
	asm  bool
}{{"go", false}, {"asm", true}}

// runImpls runs op under name once per kernel set, reporting bytes per call.
func runImpls(b *testing.B, name string, bytes int, op func()) {
	for _, impl := range impls {
		b.Run(fmt.Sprintf("%s/impl=%s", name, impl.name), func(b *testing.B) {
			defer tensor.SetAsm(impl.asm)()
			b.SetBytes(int64(bytes))
			for b.Loop() {
				op()
			}
		})
	}
}

func BenchmarkElementwise(b *testing.B) {
	for _, n := range benchSizes {
		x := tensor.RandNormal[float32](tensor.NewRNG(1), 0, 1, n)
		y := tensor.RandNormal[float32](tensor.NewRNG(2), 0, 1, n)
		ops := []struct {
			name string
			op   func()
		}{
			{"add", func() { tensor.Add(x, y) }},
			{"mul", func() { tensor.Mul(x, y) }},
			{"sub", func() { tensor.Sub(x, y) }},
			{"exp", func() { tensor.Exp(x) }},
			{"relu", func() { tensor.ReLU(x) }},
			{"scale", func() { tensor.Scale(x, 0.5) }},
			{"add_in_place", func() { tensor.AddInPlace(x, y) }},
		}
		for _, o := range ops {
			runImpls(b, fmt.Sprintf("op=%s/n=%d", o.name, n), 12*n, o.op)
		}
	}
}

// BenchmarkBroadcast times the broadcast layouts of a training step on [4, 3, 32, 48,
// 32]: a per-channel [1, C, 1, 1, 1] operand, a per-voxel [N, 1, D, H, W] one and a
// scalar.
func BenchmarkBroadcast(b *testing.B) {
	x := tensor.RandNormal[float32](tensor.NewRNG(1), 0, 1, benchShape...)
	channel := tensor.RandNormal[float32](tensor.NewRNG(2), 0, 1, 1, 3, 1, 1, 1)
	voxel := tensor.RandNormal[float32](tensor.NewRNG(3), 0, 1, 4, 1, 32, 48, 32)
	scalar := tensor.Scalar[float32](1.5)
	ops := []struct {
		name string
		op   func()
	}{
		{"add/operand=1x3x1x1x1", func() { tensor.Add(x, channel) }},
		{"mul/operand=4x1x32x48x32", func() { tensor.Mul(x, voxel) }},
		{"sub/operand=scalar", func() { tensor.Sub(x, scalar) }},
		{"expand/from=1x3x1x1x1", func() { tensor.Expand(channel, benchShape...) }},
		{"sum_to/to=1x3x1x1x1", func() { tensor.SumTo(x, 1, 3, 1, 1, 1) }},
	}
	for _, o := range ops {
		runImpls(b, "op="+o.name+"/shape=4x3x32x48x32", 8*x.Numel(), o.op)
	}
}

func BenchmarkReduce(b *testing.B) {
	x := tensor.RandNormal[float32](tensor.NewRNG(1), 0, 1, benchShape...)
	ops := []struct {
		name string
		op   func()
	}{
		{"sum_all", func() { tensor.SumAll(x) }},
		{"sum_channels", func() { tensor.Sum(x, 1) }},
		{"sum_spatial", func() { tensor.Sum(x, 2, 3, 4) }},
		{"max_channels", func() { tensor.Max(x, 1) }},
		{"max_spatial", func() { tensor.Max(x, 2, 3, 4) }},
		{"sum_along_channels", func() { tensor.SumAlongAxis(x, 1) }},
		{"softmax", func() { tensor.Softmax(x, 1) }},
		{"log_softmax", func() { tensor.LogSoftmax(x, 1) }},
	}
	for _, o := range ops {
		runImpls(b, "op="+o.name+"/shape=4x3x32x48x32", 4*x.Numel(), o.op)
	}
}

// BenchmarkShape times the copies of the shape operations on [4, 3, 32, 48, 32].
func BenchmarkShape(b *testing.B) {
	x := tensor.RandNormal[float32](tensor.NewRNG(1), 0, 1, benchShape...)
	half := tensor.RandNormal[float32](tensor.NewRNG(2), 0, 1, 2, 3, 32, 48, 32)
	zero := []int{0, 0, 0, 0, 0}
	ops := []struct {
		name string
		op   func()
	}{
		{"slice/box=2x3x32x48x32", func() { tensor.Slice(x, zero, []int{2, 3, 32, 48, 32}) }},
		{"pad/to=4x3x32x48x32", func() { tensor.Pad(half, zero, []int{2, 0, 0, 0, 0}, 0) }},
		{"concat/axis=1", func() { tensor.Concat(1, x, x) }},
		{"split/axis=1", func() { tensor.Split(x, 1, 1, 2) }},
		{"permute/perm=0,2,3,4,1", func() { tensor.Permute(x, 0, 2, 3, 4, 1) }},
	}
	for _, o := range ops {
		runImpls(b, "op="+o.name+"/shape=4x3x32x48x32", 8*x.Numel(), o.op)
	}
}
