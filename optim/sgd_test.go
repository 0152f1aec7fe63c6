package optim

import (
	"math"
	"strings"
	"testing"

	"github.com/urpc-go/urpc/tensor"
)

// randomSlice returns n seeded standard-normal values.
func randomSlice[T tensor.Float](seed uint64, n int) []T {
	return tensor.RandNormal[T](tensor.NewRNG(seed), 0, 1, n).Data
}

func TestSGDHandComputed(t *testing.T) {
	// One parameter, mu = 0.9, wd = 0.1, lr = 0.5, gradients 1 then 2:
	// step 1: d = 1 + 0.1*2 = 1.2, buf = 1.2, theta = 2 - 0.6 = 1.4
	// step 2: d = 2 + 0.14 = 2.14, buf = 1.08 + 2.14 = 3.22, theta = 1.4 - 1.61 = -0.21
	for _, run := range []func() (theta, buf float64){
		func() (float64, float64) {
			sgd, theta := NewSGD[float64](1, 0.9, 0.1), []float64{2}
			sgd.Step(theta, []float64{1}, 0.5)
			sgd.Step(theta, []float64{2}, 0.5)
			return theta[0], sgd.State().MomentumBuffer[0]
		},
		func() (float64, float64) {
			sgd, theta := NewSGD[float32](1, 0.9, 0.1), []float32{2}
			sgd.Step(theta, []float32{1}, 0.5)
			sgd.Step(theta, []float32{2}, 0.5)
			return float64(theta[0]), float64(sgd.State().MomentumBuffer[0])
		},
	} {
		theta, buf := run()
		if math.Abs(theta+0.21) > 1e-6 || math.Abs(buf-3.22) > 1e-6 {
			t.Errorf("theta %v (want -0.21), buffer %v (want 3.22)", theta, buf)
		}
	}
}

func TestSGDFloat32MatchesGoLoop(t *testing.T) {
	for _, n := range []int{0, 1, 7, 8, 9, 31, 33, 1000} {
		params, grads := randomSlice[float32](1, n), randomSlice[float32](2, n)
		want, buf := append([]float32(nil), params...), make([]float32, n)
		sgd := NewSGD[float32](n, 0.9, 1e-4)
		for step, lr := range []float64{0.1, 0.05, 0.01} {
			sgd.Step(params, grads, lr)
			SGDMomentumGo(want, grads, buf, float32(lr), 0.9, 1e-4, step == 0)
		}
		for i := range want {
			if params[i] != want[i] {
				t.Fatalf("n=%d: element %d is %v, the Go loop gives %v", n, i, params[i], want[i])
			}
		}
	}
}

func TestSGDStateResumes(t *testing.T) {
	const n = 50
	grads := [][]float32{randomSlice[float32](3, n), randomSlice[float32](4, n),
		randomSlice[float32](5, n), randomSlice[float32](6, n)}
	straight, params := NewSGD[float32](n, 0.9, 1e-4), randomSlice[float32](7, n)
	resumed := append([]float32(nil), params...)
	for _, g := range grads {
		straight.Step(params, g, 0.1)
	}

	first := NewSGD[float32](n, 0.9, 1e-4)
	first.Step(resumed, grads[0], 0.1)
	first.Step(resumed, grads[1], 0.1)
	encoded, err := first.State().MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var state State[float32]
	if err := state.UnmarshalBinary(encoded); err != nil {
		t.Fatal(err)
	}
	second := NewSGD[float32](n, 0.9, 1e-4)
	if err := second.SetState(state); err != nil {
		t.Fatal(err)
	}
	second.Step(resumed, grads[2], 0.1)
	second.Step(resumed, grads[3], 0.1)

	if second.Steps() != 4 {
		t.Errorf("resumed optimiser counts %d steps, want 4", second.Steps())
	}
	for i := range params {
		if params[i] != resumed[i] {
			t.Fatalf("element %d: %v after a resume, %v without", i, resumed[i], params[i])
		}
	}
}

func TestSGDStateRejectsBadInput(t *testing.T) {
	good, _ := State[float64]{Steps: 3, MomentumBuffer: []float64{1, 2}}.MarshalBinary()
	var s64 State[float64]
	var s32 State[float32]
	cases := map[string]error{
		"short":        s64.UnmarshalBinary(good[:10]),
		"magic":        s64.UnmarshalBinary(append([]byte("XXXXXXXX"), good[8:]...)),
		"truncated":    s64.UnmarshalBinary(good[:len(good)-1]),
		"element size": s32.UnmarshalBinary(good),
	}
	small := State[float64]{MomentumBuffer: []float64{1}}
	cases["size"] = NewSGD[float64](3, 0.9, 0).SetState(small)
	bumped := append([]byte(nil), good...)
	bumped[8]++
	cases["version"] = s64.UnmarshalBinary(bumped)
	for name, err := range cases {
		if err == nil || !strings.HasPrefix(err.Error(), "optim:") {
			t.Errorf("%s: error %v, want one starting with optim:", name, err)
		}
	}
}

func TestSGDStepPanicsOnLengthMismatch(t *testing.T) {
	defer func() {
		if msg, _ := recover().(string); !strings.HasPrefix(msg, "optim:") {
			t.Errorf("panic %q, want one starting with optim:", msg)
		}
	}()
	NewSGD[float32](3, 0.9, 0).Step(make([]float32, 3), make([]float32, 2), 0.1)
}

func TestPolyLRTiming(t *testing.T) {
	if PolyLRAtStep(0.1, 0, 100, 0.9) != 0.1 || PolyLRAtStep(0.1, 1, 100, 0.9) != 0.1 {
		t.Error("steps 0 and 1 must both use the base learning rate")
	}
	if got, want := PolyLRAtStep(0.1, 51, 100, 0.9), 0.1*math.Pow(0.5, 0.9); got != want {
		t.Errorf("step 51 uses %v, want lr_after(50) = %v", got, want)
	}
	if PolyLR(0.1, 100, 100, 0.9) != 0 || PolyLR(0.1, 150, 100, 0.9) != 0 {
		t.Error("the learning rate must be 0 from maxIter on")
	}
}

func BenchmarkSGDStep(b *testing.B) {
	const n = 5_000_000 // about the size of the 3-D pyramid U-Net with 16 base channels
	params, grads := randomSlice[float32](8, n), randomSlice[float32](9, n)
	sgd := NewSGD[float32](n, 0.9, 1e-4)
	b.Run("n=5M/impl=asm", func(b *testing.B) {
		b.SetBytes(5 * 4 * n) // reads theta, grad, buf and writes theta, buf
		for b.Loop() {
			sgd.Step(params, grads, 1e-6)
		}
	})
	buf := make([]float32, n)
	b.Run("n=5M/impl=go", func(b *testing.B) {
		b.SetBytes(5 * 4 * n)
		for b.Loop() {
			SGDMomentumGo(params, grads, buf, 1e-6, 0.9, 1e-4, false)
		}
	})
}
