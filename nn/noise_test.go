package nn

import (
	"testing"

	"github.com/urpc-go/urpc/autograd"
	"github.com/urpc-go/urpc/autograd/autogradtest"
	"github.com/urpc-go/urpc/tensor"
)

func TestGradFeatureNoise(t *testing.T) {
	x := autogradtest.Rand(30, 2, 3, 2, 3, 4)
	u := FeatureNoiseDraw[float64](tensor.NewRNG(31), 0.3, 3, 2, 3, 4)
	autogradtest.Check(t, "feature_noise", func(_ *autograd.Tape[float64],
		in []*autograd.Value[float64]) *autograd.Value[float64] {
		return FeatureNoiseWithNoise(in[0], u)
	}, x)
}

func TestFeatureNoiseIsSharedByTheBatch(t *testing.T) {
	const r = 0.3
	x := autogradtest.Rand(32, 3, 2, 4, 5, 6)
	tape := autograd.NewNoGradTape[float64]()
	y := FeatureNoise(tape.Const(x), r, true, tensor.NewRNG(33)).Data
	volume := 2 * 4 * 5 * 6
	seen := map[float64]bool{}
	for i := range volume {
		u0 := y.Data[i]/x.Data[i] - 1
		if u0 < -r || u0 > r {
			t.Fatalf("element %d: noise %g outside [-%g, %g]", i, u0, r, r)
		}
		for n := 1; n < 3; n++ {
			un := y.Data[n*volume+i]/x.Data[n*volume+i] - 1
			if diff := un - u0; diff > 1e-12 || diff < -1e-12 {
				t.Fatalf("element %d: sample %d noise %g, sample 0 noise %g", i, n, un, u0)
			}
		}
		seen[u0] = true
	}
	if len(seen) < volume/2 {
		t.Errorf("only %d distinct noise values over %d voxels", len(seen), volume)
	}
	if got := FeatureNoise(tape.Const(x), r, false, nil); got.Data != x {
		t.Error("FeatureNoise in inference is not the identity")
	}
}
