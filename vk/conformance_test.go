package vk

import (
	"fmt"
	"math"
	"testing"

	"github.com/urpc-go/urpc/asm"
	"github.com/urpc-go/urpc/autograd"
	"github.com/urpc-go/urpc/tensor"
)

// result is one output of a conformance case: the Vulkan values and the CPU reference.
type result struct {
	name      string
	got, want []float32
}

// conformanceCase runs one op on the Vulkan device and on the CPU implementation
// (nn/autograd/asm in float32) and returns the outputs to compare.
type conformanceCase struct {
	name string
	// tol is the largest accepted relative error, |got - want| / max(|want|, floor)
	// with floor = 1e-3 * max |want| of that output; 0 means 1e-4.
	tol float64
	run func(t *testing.T, d *Device) []result
}

// conformanceCases is the op table every backend must pass against the CPU.
var conformanceCases []conformanceCase

// register adds cases to the table (called from the init functions of the test files).
func register(cases ...conformanceCase) {
	conformanceCases = append(conformanceCases, cases...)
}

// TestConformance runs the op table against the CPU implementation.
func TestConformance(t *testing.T) {
	d := testDevice(t)
	for _, c := range conformanceCases {
		t.Run(c.name, func(t *testing.T) {
			tol := c.tol
			if tol == 0 {
				tol = 1e-4
			}
			for _, r := range c.run(t, d) {
				checkClose(t, r, tol)
			}
		})
	}
}

// checkClose fails when r.got differs from r.want by more than tol relative.
func checkClose(t *testing.T, r result, tol float64) {
	t.Helper()
	if len(r.got) != len(r.want) {
		t.Fatalf("%s: %d values, want %d", r.name, len(r.got), len(r.want))
	}
	peak := 0.0
	for _, w := range r.want {
		peak = math.Max(peak, math.Abs(float64(w)))
	}
	worst, at := maxRelError(r.got, r.want, math.Max(1e-3*peak, 1e-30))
	t.Logf("%s: max rel error %.3g over %d values", r.name, worst, len(r.want))
	if worst > tol {
		t.Errorf("%s: max rel error %.3g at %d (got %g, want %g), tolerance %g",
			r.name, worst, at, r.got[at], r.want[at], tol)
	}
}

// cpuForwardBackward runs build on a float32 tape, back-propagates
// L = sum(out * gradOut) and returns the output and the gradients of the inputs.
func cpuForwardBackward(inputs []*tensor.Tensor[float32], gradOut []float32,
	build func(in []*autograd.Value[float32]) *autograd.Value[float32]) ([]float32,
	[][]float32) {
	tape := autograd.NewTape[float32]()
	values := make([]*autograd.Value[float32], len(inputs))
	for i, x := range inputs {
		values[i] = tape.Leaf(x)
	}
	out := build(values)
	g := tensor.FromSlice(append([]float32(nil), gradOut...), out.Shape()...)
	tape.Backward(autograd.SumAll(autograd.Mul(out, tape.Const(g))))
	grads := make([][]float32, len(values))
	for i, v := range values {
		grads[i] = v.GradOrZeros().Data
	}
	return out.Data.Data, grads
}

// download reads b and releases it.
func download(b *Buffer) []float32 {
	out := b.Download()
	b.Release()
	return out
}

// gemmSetting is one GEMM conformance shape.
type gemmSetting struct {
	transA, transB bool
	m, n, k        int
	beta           float32
}

func init() {
	for _, s := range []gemmSetting{
		{false, false, 1, 1, 1, 0}, {false, false, 64, 64, 16, 0},
		{false, false, 37, 70, 129, 0}, {true, false, 65, 3, 200, 0.5},
		{false, true, 5, 130, 67, 1}, {true, true, 100, 90, 33, -2},
	} {
		for _, path := range []string{"tiled", "direct"} {
			register(conformanceCase{
				name: fmt.Sprintf("gemm/%s/tA=%v,tB=%v,m=%d,n=%d,k=%d,beta=%g", path,
					s.transA, s.transB, s.m, s.n, s.k, s.beta),
				run: func(t *testing.T, d *Device) []result {
					d.gemmPath = path
					defer func() { d.gemmPath = "" }()
					return gemmCase(d, s)
				},
			})
		}
	}
}

// gemmCase compares Gemm (alpha 1.5, padded leading dimensions) with asm.Sgemm.
func gemmCase(d *Device, s gemmSetting) []result {
	lda, ldb := s.k+3, s.n+1
	if s.transA {
		lda = s.m + 2
	}
	if s.transB {
		ldb = s.k
	}
	ldc := s.n + 5
	a := randomSlice(1, max(s.m, s.k)*lda)
	b := randomSlice(2, max(s.k, s.n)*ldb)
	c := randomSlice(3, s.m*ldc)
	want := append([]float32(nil), c...)
	asm.Sgemm(s.transA, s.transB, s.m, s.n, s.k, 1.5, a, lda, b, ldb, s.beta, want, ldc)
	ga, gb, gc := d.Upload(a), d.Upload(b), d.Upload(c)
	d.Gemm(s.transA, s.transB, s.m, s.n, s.k, 1.5, ga, lda, gb, ldb, s.beta, gc, ldc)
	ga.Release()
	gb.Release()
	return []result{{"C", download(gc), want}}
}
