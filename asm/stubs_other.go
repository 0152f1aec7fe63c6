//go:build !amd64 || purego

package asm

// Stand-ins for the assembly kernels where they are not compiled. useAVX2 and
// useAVX512 are always false here, so these are never called; they only keep the
// dispatching code in one file for every architecture.

const noAsm = "asm: assembly kernel called without assembly support"

func axpyAVX2(alpha float32, x, y []float32)     { panic(noAsm) }
func dotAVX2(x, y []float32) float32             { panic(noAsm) }
func scaleAVX2(alpha float32, x []float32)       { panic(noAsm) }
func addAVX2(dst, x, y []float32)                { panic(noAsm) }
func mulAVX2(dst, x, y []float32)                { panic(noAsm) }
func reluForwardAVX2(dst, x []float32)           { panic(noAsm) }
func reluBackwardAVX2(dst, gradOut, x []float32) { panic(noAsm) }
func sumAVX2(x []float32) float32                { panic(noAsm) }
func maxAVX2(x []float32) float32                { panic(noAsm) }
func expAVX2(dst, x []float32)                   { panic(noAsm) }
func sgdMomentumAVX2(theta, grad, buf []float32, lr, momentum, weightDecay float32) {
	panic(noAsm)
}

func sgemmKernelAVX2(k int, a []float32, aRow, aStep int, b []float32, bStep int,
	c []float32, ldc int, alpha float32) {
	panic(noAsm)
}

func packBRows16AVX2(k int, src []float32, ld int, dst []float32, panels int) {
	panic(noAsm)
}

func sgemmKernelAVX512(k int, a []float32, aRow, aStep int, b []float32, bStep int,
	c []float32, ldc int, alpha float32, rows int) {
	panic(noAsm)
}

func sgemmKernelAVX512x16(k int, a []float32, aRow, aStep int, b []float32, bStep int,
	c []float32, ldc int, alpha float32, rows int) {
	panic(noAsm)
}

func packBRows32AVX512(k int, src []float32, ld int, dst []float32, panels int) {
	panic(noAsm)
}

func packAAsm(mr, k int, src []float32, lda int, dst []float32) { panic(noAsm) }

func fmaPeakAVX2(n int) float32   { panic(noAsm) }
func fmaPeakAVX512(n int) float32 { panic(noAsm) }

func toChannelsLast8AVX2(dst []float32, stride int, src []float32, ld, n8 int) { panic(noAsm) }

func addFromChannelsLast8AVX2(dst []float32, ld int, src []float32, stride int,
	bias []float32, n8 int) {
	panic(noAsm)
}

func winogradKernelAVX2(dst []float32, dOff *[4]int, dStride int, src []float32,
	sOff *[4]int, sStride, n8, count int) {
	panic(noAsm)
}

func winogradKernelAdjointAVX2(dst []float32, dOff *[4]int, dStride int, src []float32,
	sOff *[4]int, sStride, n8, count int) {
	panic(noAsm)
}

func winogradInputTilesAVX2(v []float32, plane int, src []float32, row, slice, c, c8,
	tiles int, rows *[16]int, stepBytes int) {
	panic(noAsm)
}

func winogradGradientTilesAVX2(m []float32, plane int, src []float32, row, slice, c, c8,
	tiles int, tmp []float32, stepBytes int) {
	panic(noAsm)
}

func winogradOutputTilesAVX2(m []float32, plane int, dst []float32, row, slice, c, c8,
	tiles int, tmp []float32, stepBytes int) {
	panic(noAsm)
}

func sumPartialsAVX2(x []float32, p *[16]float64)                         { panic(noAsm) }
func squaredPartialsAVX2(x []float32, mu float64, p *[16]float64)         { panic(noAsm) }
func gradientPartialsAVX2(dy, x []float32, mu float64, s, t *[16]float64) { panic(noAsm) }
func normalizeAVX2(dst, x []float32, mu, factor, shift float64)           { panic(noAsm) }
func gateNormReLUAVX2(grad, x []float32, mu, factor, shift float64)       { panic(noAsm) }
func addNormInputGradAVX2(dst, x, dy []float32, k *NormInputGrad)         { panic(noAsm) }

func winograd4InputTilesAVX2(v []float32, plane int, src []float32, row, slice, c, c8,
	tiles int, tmp []float32, stepBytes int) {
	panic(noAsm)
}

func winograd4GradientTilesAVX2(m []float32, plane int, src []float32, row, slice, c, c8,
	tiles int, tmp []float32, stepBytes int) {
	panic(noAsm)
}

func winograd4OutputTilesAVX2(m []float32, plane int, dst []float32, row, slice, c, c8,
	tiles int, tmp []float32, stepBytes int) {
	panic(noAsm)
}
