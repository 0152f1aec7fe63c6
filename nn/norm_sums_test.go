package nn

import (
	"math"
	"testing"

	"github.com/urpc-go/urpc/tensor"
)

// The four-way sums equal the plain running sums up to rounding, for every length
// around the unrolling (0..9) and a long one; on small integers they are exact.
func TestNormSums(t *testing.T) {
	rng := tensor.NewRNG(31)
	for _, n := range []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 1001} {
		x := tensor.RandNormal[float32](rng, 0.5, 2, n).Data
		dy := tensor.RandNormal[float32](rng, 0, 1, n).Data
		mu := 0.3
		var sum, dev, sdy, sdx float64
		for i, v := range x {
			sum += float64(v)
			dev += (float64(v) - mu) * (float64(v) - mu)
			sdy += float64(dy[i])
			sdx += float64(dy[i]) * (float64(v) - mu)
		}
		gotSdy, gotSdx := gradientSums(dy, x, mu)
		for name, pair := range map[string][2]float64{"sum": {sumOf(x), sum},
			"squared deviations": {squaredDeviations(x, mu), dev},
			"sum dy":             {gotSdy, sdy}, "sum dy (x - mu)": {gotSdx, sdx}} {
			if math.Abs(pair[0]-pair[1]) > 1e-12*max(1, math.Abs(pair[1])) {
				t.Errorf("n=%d: %s %v, plain sum %v", n, name, pair[0], pair[1])
			}
		}

		ints := make([]float64, n)
		want := 0.0
		for i := range ints {
			ints[i] = float64(i%7 - 3)
			want += ints[i]
		}
		if got := sumOf(ints); got != want {
			t.Errorf("n=%d: integer sum %v, want %v", n, got, want)
		}
	}
}
