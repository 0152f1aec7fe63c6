//go:build amd64 && !purego

package asm

// The AVX2 vector kernels, in vec_amd64.s and exp_amd64.s. Each computes the
// loop in the doc comment of its Generic twin in vec_generic.go; the callers
// check that the slices have equal lengths.

//go:noescape
func axpyAVX2(alpha float32, x, y []float32)

//go:noescape
func dotAVX2(x, y []float32) float32

//go:noescape
func scaleAVX2(alpha float32, x []float32)

//go:noescape
func addAVX2(dst, x, y []float32)

//go:noescape
func mulAVX2(dst, x, y []float32)

//go:noescape
func reluForwardAVX2(dst, x []float32)

//go:noescape
func reluBackwardAVX2(dst, gradOut, x []float32)

//go:noescape
func sumAVX2(x []float32) float32

//go:noescape
func maxAVX2(x []float32) float32

// expAVX2 needs len(dst) to be a multiple of 8.
//
//go:noescape
func expAVX2(dst, x []float32)

//go:noescape
func sgdMomentumAVX2(theta, grad, buf []float32, lr, momentum, weightDecay float32)

// toChannelsLast8AVX2 is the 8-row kernel of ToChannelsLast; see
// toChannelsLast8Generic. n8 is a positive multiple of 8.
//
//go:noescape
func toChannelsLast8AVX2(dst []float32, stride int, src []float32, ld, n8 int)

// addFromChannelsLast8AVX2 is the 8-row kernel of AddFromChannelsLast; see
// addFromChannelsLast8Generic. n8 is a positive multiple of 8.
//
//go:noescape
func addFromChannelsLast8AVX2(dst []float32, ld int, src []float32, stride int,
	bias []float32, n8 int)
