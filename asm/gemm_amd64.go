//go:build amd64 && !purego

package asm

// sgemmKernelAVX2 is the AVX2+FMA 6x16 micro-kernel in gemm_amd64.s. It
// computes the loop of sgemmKernelGeneric, summing the products of each C
// entry in order of p with fused multiply-adds.
//
//go:noescape
func sgemmKernelAVX2(k int, a []float32, aRow, aStep int, b []float32, bStep int,
	c []float32, ldc int, alpha float32)
