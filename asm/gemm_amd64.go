//go:build amd64 && !purego

package asm

// sgemmKernelAVX2 is the AVX2+FMA 6x16 micro-kernel in gemm_amd64.s. It
// computes the loop of sgemmKernel6x16Generic, summing the products of each C
// entry in order of p with fused multiply-adds.
//
//go:noescape
func sgemmKernelAVX2(k int, a []float32, aRow, aStep int, b []float32, bStep int,
	c []float32, ldc int, alpha float32)

// packBRows16AVX2 is the AVX2 copy loop of packBRowsGeneric for nr = 16, in
// gemm_amd64.s.
//
//go:noescape
func packBRows16AVX2(k int, src []float32, ld int, dst []float32, panels int)

// sgemmKernelAVX512 is the AVX-512F 12x32 micro-kernel in
// gemm_avx512_amd64.s, for rows = 4, 8 or 12 (any other value runs 4 rows
// if below 8, else 12). It computes the loop of sgemmKernel12x32Generic,
// summing the products of each C entry in order of p with fused
// multiply-adds.
//
//go:noescape
func sgemmKernelAVX512(k int, a []float32, aRow, aStep int, b []float32, bStep int,
	c []float32, ldc int, alpha float32, rows int)

// sgemmKernelAVX512x16 is the 16-wide sibling of sgemmKernelAVX512 in
// gemm_avx512_amd64.s, for rows = 4, 8 or 12 (as there): one ZMM accumulator
// per row. It computes the loop of sgemmKernel12x16Generic, summing the
// products of each C entry in order of p with fused multiply-adds.
//
//go:noescape
func sgemmKernelAVX512x16(k int, a []float32, aRow, aStep int, b []float32, bStep int,
	c []float32, ldc int, alpha float32, rows int)

// packBRows32AVX512 is the AVX-512F copy loop of packBRowsGeneric for
// nr = 32, in gemm_avx512_amd64.s.
//
//go:noescape
func packBRows32AVX512(k int, src []float32, ld int, dst []float32, panels int)

// packAAsm is the scalar copy loop of packAGeneric for rows = mr = 6 or 12, in
// pack_amd64.s. It needs no vector unit but is used only with the assembly
// micro-kernels, so that the Go paths test packAGeneric.
//
//go:noescape
func packAAsm(mr, k int, src []float32, lda int, dst []float32)

// fmaPeakAVX2 runs the loop of fmaPeakGeneric on 8 lanes with 12 YMM
// accumulators and VFMADD231PS, in peak_amd64.s.
//
//go:noescape
func fmaPeakAVX2(n int) float32

// fmaPeakAVX512 runs the loop of fmaPeakGeneric on 16 lanes with 12 ZMM
// accumulators and VFMADD231PS, in peak_amd64.s.
//
//go:noescape
func fmaPeakAVX512(n int) float32
