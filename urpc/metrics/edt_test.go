package metrics

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestEDTAgainstBruteForce checks the separable transform against the distance to every
// feature voxel, on random small volumes with anisotropic spacing, including volumes
// with no feature (all +Inf) and with every voxel a feature (all 0).
func TestEDTAgainstBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for trial := range 80 {
		shape := randomShape(rng, 1, 8)
		spacing := randomSpacing(rng)
		var features []bool
		switch trial {
		case 0:
			features = make([]bool, shape[0]*shape[1]*shape[2])
		case 1:
			features = randomMask(rng, shape, 1)
		default:
			features = randomMask(rng, shape, 0.1*rng.Float64())
		}
		got := EDT(features, shape, spacing)
		want := bruteEDT(features, shape, spacing)
		worst := 0.0
		for i := range got {
			if math.IsInf(want[i], 1) != math.IsInf(got[i], 1) {
				t.Fatalf("trial %d shape %v voxel %d: got %v, want %v",
					trial, shape, i, got[i], want[i])
			}
			if !math.IsInf(want[i], 1) {
				worst = max(worst, math.Abs(got[i]-want[i]))
			}
		}
		if worst > 1e-12 {
			t.Errorf("trial %d shape %v spacing %v: worst error %.3g", trial, shape, spacing, worst)
		}
	}
}

func BenchmarkEDT(b *testing.B) {
	rng := rand.New(rand.NewPCG(5, 6))
	shape := [3]int{64, 96, 96}
	features := randomMask(rng, shape, 0.001)
	b.SetBytes(int64(8 * len(features)))
	for b.Loop() {
		EDT(features, shape, Spacing{1, 0.8, 0.8})
	}
}

// BenchmarkBinary scores two overlapping balls of radius 30 in a volume of the size of
// the golden sliding-window case 0, with anisotropic spacing.
func BenchmarkBinary(b *testing.B) {
	shape := [3]int{150, 180, 140}
	ball := func(cd, ch, cw float64) []bool {
		m := make([]bool, shape[0]*shape[1]*shape[2])
		for i := range m {
			d, h, w := coords(i, shape)
			x, y, z := float64(d)-cd, float64(h)-ch, float64(w)-cw
			m[i] = x*x+y*y+z*z < 900
		}
		return m
	}
	pred, gt := ball(70, 90, 70), ball(74, 88, 69)
	b.Run("shape=150x180x140/r=30", func(b *testing.B) {
		for b.Loop() {
			Binary(pred, gt, shape, Spacing{3, 0.7, 0.7})
		}
	})
}
