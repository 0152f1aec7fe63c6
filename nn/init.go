package nn

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/urpc-go/urpc/tensor"
)

// convFanIn returns the fan-in Cin*kD*kH*kW of a convolution weight
// [Cout, Cin, kD, kH, kW], as PyTorch computes it.
func convFanIn(shape []int) int {
	if len(shape) < 2 {
		panic(fmt.Sprintf("nn: fan-in of weight shape %v needs [Cout, Cin, ...]", shape))
	}
	return tensor.Numel(shape[1:])
}

// KaimingNormal fills w, a convolution weight [Cout, Cin, kD, kH, kW], with
// N(0, 2/fanIn), fanIn = Cin*kD*kH*kW: He initialisation for ReLU (gain sqrt 2),
// PyTorch's kaiming_normal_(a=0, mode='fan_in'), which the reference network applies to
// every Conv3d.
func KaimingNormal[T tensor.Float](rng *rand.Rand, w *tensor.Tensor[T]) {
	std := math.Sqrt(2 / float64(convFanIn(w.Shape)))
	for i := range w.Data {
		w.Data[i] = T(std * rng.NormFloat64())
	}
}

// ConvBiasUniform fills a convolution bias [Cout] with U(-1/sqrt(fanIn), 1/sqrt(fanIn)),
// fanIn taken from the weight shape [Cout, Cin, kD, kH, kW]: PyTorch's default bias
// initialisation, which the reference network keeps.
func ConvBiasUniform[T tensor.Float](rng *rand.Rand, bias *tensor.Tensor[T], weightShape []int) {
	bound := 1 / math.Sqrt(float64(convFanIn(weightShape)))
	for i := range bias.Data {
		bias.Data[i] = T(bound * (2*rng.Float64() - 1))
	}
}

// NormAffineInit sets a norm's gamma [C] to N(1, 0.02^2) and beta [C] to 0, the
// reference code's initialisation of BatchNorm layers (weights_init_kaiming).
func NormAffineInit[T tensor.Float](rng *rand.Rand, gamma, beta *tensor.Tensor[T]) {
	for i := range gamma.Data {
		gamma.Data[i] = T(1 + 0.02*rng.NormFloat64())
	}
	beta.Fill(0)
}
