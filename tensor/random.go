package tensor

import "math/rand/v2"

// NewRNG returns a PCG generator for seed; the same seed yields the same stream on
// every machine, so seeded tensors are reproducible.
func NewRNG(seed uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
}

// RandNormal returns a tensor of the given shape with elements drawn from
// N(mean, std^2) using rng.
func RandNormal[T Float](rng *rand.Rand, mean, std float64, shape ...int) *Tensor[T] {
	t := Zeros[T](shape...)
	for i := range t.Data {
		t.Data[i] = T(mean + std*rng.NormFloat64())
	}
	return t
}

// RandUniform returns a tensor of the given shape with elements drawn from U(low, high).
func RandUniform[T Float](rng *rand.Rand, low, high float64, shape ...int) *Tensor[T] {
	t := Zeros[T](shape...)
	for i := range t.Data {
		t.Data[i] = T(low + (high-low)*rng.Float64())
	}
	return t
}
