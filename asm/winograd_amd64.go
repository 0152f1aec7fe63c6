//go:build amd64 && !purego

package asm

// The 8-wide AVX2 kernels of Winograd, in winograd_amd64.s: each runs winogradGeneric's
// loop for its kind over columns [0, n8), n8 a positive multiple of 8, count >= 1, the
// offsets already checked.

//go:noescape
func winogradInputAVX2(dst []float32, dOff *[4]int, dStride int, src []float32,
	sOff *[4]int, sStride, n8, count int)

//go:noescape
func winogradOutputAVX2(dst []float32, dOff *[4]int, dStride int, src []float32,
	sOff *[4]int, sStride, n8, count int)

//go:noescape
func winogradOutputAdjointAVX2(dst []float32, dOff *[4]int, dStride int, src []float32,
	sOff *[4]int, sStride, n8, count int)

//go:noescape
func winogradKernelAVX2(dst []float32, dOff *[4]int, dStride int, src []float32,
	sOff *[4]int, sStride, n8, count int)

//go:noescape
func winogradKernelAdjointAVX2(dst []float32, dOff *[4]int, dStride int, src []float32,
	sOff *[4]int, sStride, n8, count int)
