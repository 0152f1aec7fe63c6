//go:build amd64 && !purego

package asm

// sgemmKernelAVX2 is the AVX2+FMA 6x16 micro-kernel in gemm_amd64.s. It
// computes the loop of sgemmKernel6x16Generic, summing the products of each C
// entry in order of p with fused multiply-adds.
//
//go:noescape
func sgemmKernelAVX2(k int, a []float32, aRow, aStep int, b []float32, bStep int,
	c []float32, ldc int, alpha float32)

// packB16AVX2 is the AVX2 copy loop of packB16Generic, in gemm_amd64.s.
//
//go:noescape
func packB16AVX2(k int, src []float32, ld int, dst []float32)

// sgemmKernelAVX512 is the AVX-512F 12x32 micro-kernel in
// gemm_avx512_amd64.s. It computes the loop of sgemmKernel12x32Generic,
// summing the products of each C entry in order of p with fused
// multiply-adds.
//
//go:noescape
func sgemmKernelAVX512(k int, a []float32, aRow, aStep int, b []float32, bStep int,
	c []float32, ldc int, alpha float32)

// packB32AVX512 is the AVX-512F copy loop of packB32Generic, in
// gemm_avx512_amd64.s.
//
//go:noescape
func packB32AVX512(k int, src []float32, ld int, dst []float32)
