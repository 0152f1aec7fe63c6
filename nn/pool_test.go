package nn

import (
	"math"
	"slices"
	"testing"

	"github.com/urpc-go/urpc/autograd"
	"github.com/urpc-go/urpc/autograd/autogradtest"
	"github.com/urpc-go/urpc/tensor"
)

func TestGradMaxPool3d(t *testing.T) {
	for i, shape := range [][]int{{2, 2, 5, 6, 7}, {1, 3, 4, 2, 3}} {
		x := autogradtest.Rand(uint64(300+i), shape...)
		autogradtest.Check(t, "max_pool3d", func(tape *autograd.Tape[float64],
			in []*autograd.Value[float64]) *autograd.Value[float64] {
			return MaxPool3d(in[0])
		}, x)
	}
}

// TestMaxPool3dTies checks the first-maximum rule by hand: a window of equal values
// picks its first element, a later larger one wins, and NaN wins over numbers.
func TestMaxPool3dTies(t *testing.T) {
	x := tensor.Full[float64](1, 1, 3, 2, 2, 2)
	x.Set(5, 0, 1, 1, 0, 1)
	x.Set(5, 0, 1, 1, 1, 1)
	x.Set(math.NaN(), 0, 2, 0, 1, 0)
	tape := autograd.NewTape[float64]()
	in := tape.Leaf(x)
	out, indices := MaxPool3dWithIndices(in)
	if want := []int{0, 5, 2}; !slices.Equal(indices, want) {
		t.Errorf("indices %v, want %v", indices, want)
	}
	if out.Data.Data[0] != 1 || out.Data.Data[1] != 5 || !math.IsNaN(out.Data.Data[2]) {
		t.Errorf("maxima %v, want [1 5 NaN]", out.Data.Data)
	}

	tape.Backward(autograd.SumAll(autograd.Mul(out,
		tape.Const(tensor.FromSlice([]float64{2, 3, 4}, 1, 3, 1, 1, 1)))))
	want := make([]float64, 24)
	want[0], want[8+5], want[16+2] = 2, 3, 4
	if !slices.Equal(in.Grad.Data, want) {
		t.Errorf("gradient %v, want %v", in.Grad.Data, want)
	}
}

// TestMaxPool3dNaive compares with a direct scan over each window, in float32.
func TestMaxPool3dNaive(t *testing.T) {
	x := tensor.RandNormal[float32](tensor.NewRNG(9), 0, 1, 2, 3, 7, 5, 6)
	for i := range x.Data {
		x.Data[i] = float32(math.Round(float64(x.Data[i])))
	}
	got := MaxPool3d(autograd.NewNoGradTape[float32]().Const(x)).Data
	if !slices.Equal(got.Shape, []int{2, 3, 3, 2, 3}) {
		t.Fatalf("shape %v", got.Shape)
	}
	for i := range got.Data {
		o := unflatten(i, got.Shape)
		best := float32(math.Inf(-1))
		for j := range 8 {
			best = max(best, x.At(o[0], o[1], 2*o[2]+j/4, 2*o[3]+j/2%2, 2*o[4]+j%2))
		}
		if got.Data[i] != best {
			t.Fatalf("output %v is %v, want %v", o, got.Data[i], best)
		}
	}
}

// TestMaxPool3dScanRules checks in float32 the cases the raster scan decides that a
// plain maximum would not: of two NaNs the later one wins, and of -0 and +0 (equal)
// the first, with its sign.
func TestMaxPool3dScanRules(t *testing.T) {
	x := tensor.Zeros[float32](1, 2, 2, 2, 2)
	nan := float32(math.NaN())
	x.Set(nan, 0, 0, 0, 1, 0) // window position 2
	x.Set(nan, 0, 0, 1, 0, 1) // window position 5
	x.Set(-1, 0, 1, 0, 0, 1)
	x.Set(float32(math.Copysign(0, -1)), 0, 1, 0, 0, 0)
	for i := 2; i < 8; i++ {
		x.Data[8+i] = -1
	}
	x.Data[8+3] = 0 // +0 after -0

	tape := autograd.NewNoGradTape[float32]()
	out, indices := MaxPool3dWithIndices(tape.Const(x))
	if !math.IsNaN(float64(out.Data.Data[0])) || indices[0] != 5 {
		t.Errorf("two NaNs: %v at %d, want NaN at 5", out.Data.Data[0], indices[0])
	}
	if v := out.Data.Data[1]; v != 0 || !math.Signbit(float64(v)) || indices[1] != 0 {
		t.Errorf("-0 then +0: %v (sign %v) at %d, want -0 at 0", v,
			math.Signbit(float64(v)), indices[1])
	}
}
