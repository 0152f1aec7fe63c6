package tensor

import (
	"math"
	"testing"
)

// log32 must stay within 1 ulp of the correctly rounded ln x over the normal range,
// and hand zero, negative, subnormal, infinite and NaN inputs to math.Log.
func TestLog32WithinOneUlp(t *testing.T) {
	rng := NewRNG(14)
	worst := 0.0
	for i := range 1 << 20 {
		x := float32(math.Exp(rng.Float64()*170 - 85))
		if i < 1000 {
			x = 1 + float32(i-500)*1e-4
		}
		want := math.Log(float64(x))
		got := float64(log32(x))
		ulp := float64(math.Nextafter32(float32(math.Abs(want)), float32(math.Inf(1)))) -
			float64(float32(math.Abs(want)))
		if ulp == 0 {
			continue
		}
		worst = max(worst, math.Abs(got-want)/ulp)
	}
	if worst > 1 {
		t.Errorf("log32 error %.2f ulp, want at most 1", worst)
	}
	t.Logf("log32: worst error %.2f ulp over 2^20 inputs", worst)
	for _, x := range []float32{0, -1, 1e-40, float32(math.Inf(1)), float32(math.NaN())} {
		want, got := float64(float32(math.Log(float64(x)))), float64(log32(x))
		if want != got && !(want != want && got != got) {
			t.Errorf("log32(%v) = %v, want %v", x, got, want)
		}
	}
}
