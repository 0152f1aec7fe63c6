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
