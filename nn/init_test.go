package nn

import (
	"math"
	"testing"

	"github.com/urpc-go/urpc/tensor"
)

func TestKaimingNormalAndBiasInit(t *testing.T) {
	rng := tensor.NewRNG(40)
	w := tensor.Zeros[float64](64, 16, 3, 3, 3) // fan-in 432, std sqrt(2/432) = 0.068
	KaimingNormal(rng, w)
	mean, sq := 0.0, 0.0
	for _, v := range w.Data {
		mean += v / float64(len(w.Data))
		sq += v * v / float64(len(w.Data))
	}
	std, want := math.Sqrt(sq-mean*mean), math.Sqrt(2.0/432)
	// 27648 samples: the sample std is within 1% of the true one with high probability.
	if math.Abs(std/want-1) > 0.02 || math.Abs(mean) > 3*want/math.Sqrt(27648) {
		t.Errorf("Kaiming sample mean %g std %g, want 0 and %g", mean, std, want)
	}

	b := tensor.Zeros[float64](1000)
	ConvBiasUniform(rng, b, w.Shape)
	bound, low, high := 1/math.Sqrt(432), 0.0, 0.0
	for _, v := range b.Data {
		low, high = min(low, v), max(high, v)
	}
	if low < -bound || high > bound || low > -0.9*bound || high < 0.9*bound {
		t.Errorf("bias range [%g, %g], want to fill [-%g, %g]", low, high, bound, bound)
	}
}
