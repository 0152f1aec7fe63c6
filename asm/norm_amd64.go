//go:build amd64 && !purego

package asm

// The AVX2 norm kernels of norm.go, in norm_amd64.s: the partial-sum kernels take a
// positive multiple of 16 elements and add into the partials (see their Go twins), the
// elementwise ones a positive multiple of 8; the lengths are already checked.

//go:noescape
func sumPartialsAVX2(x []float32, p *[16]float64)

//go:noescape
func squaredPartialsAVX2(x []float32, mu float64, p *[16]float64)

//go:noescape
func gradientPartialsAVX2(dy, x []float32, mu float64, s, t *[16]float64)

//go:noescape
func normalizeAVX2(dst, x []float32, mu, factor, shift float64)

//go:noescape
func gateNormReLUAVX2(grad, x []float32, mu, factor, shift float64)

//go:noescape
func addNormInputGradAVX2(dst, x, dy []float32, k *NormInputGrad)
