//go:build amd64 && !purego

package asm

// The 8-wide AVX2 kernels of Winograd, in winograd_amd64.s: each runs winogradGeneric's
// loop for its kind over columns [0, n8), n8 a positive multiple of 8, count >= 1, the
// offsets already checked.

//go:noescape
func winogradKernelAVX2(dst []float32, dOff *[4]int, dStride int, src []float32,
	sOff *[4]int, sStride, n8, count int)

//go:noescape
func winogradKernelAdjointAVX2(dst []float32, dOff *[4]int, dStride int, src []float32,
	sOff *[4]int, sStride, n8, count int)

// The fused tile kernels of winograd_tiles.go, in winograd_tiles_amd64.s: channels
// [0, c8), c8 a positive multiple of 8, tiles >= 1, the sizes already checked; tmp
// holds 512 floats, rows the byte offsets z*slice + y*row of the input tile's rows.

//go:noescape
func winogradInputTilesAVX2(v []float32, plane int, src []float32, row, slice, c, c8,
	tiles int, rows *[16]int, stepBytes int)

//go:noescape
func winogradGradientTilesAVX2(m []float32, plane int, src []float32, row, slice, c, c8,
	tiles int, tmp []float32, stepBytes int)

//go:noescape
func winogradOutputTilesAVX2(m []float32, plane int, dst []float32, row, slice, c, c8,
	tiles int, tmp []float32, stepBytes int)

// The F(4x4x4) tile kernels of winograd4_tiles.go, in winograd4_tiles_amd64.s (same
// conventions; tmp holds 216*8 floats).

//go:noescape
func winograd4InputTilesAVX2(v []float32, plane int, src []float32, row, slice, c, c8,
	tiles int, tmp []float32, stepBytes int)

//go:noescape
func winograd4GradientTilesAVX2(m []float32, plane int, src []float32, row, slice, c, c8,
	tiles int, tmp []float32, stepBytes int)

//go:noescape
func winograd4OutputTilesAVX2(m []float32, plane int, dst []float32, row, slice, c, c8,
	tiles int, tmp []float32, stepBytes int)
