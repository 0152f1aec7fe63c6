package nn

import (
	"github.com/urpc-go/urpc/asm"
	"github.com/urpc-go/urpc/tensor"
)

// gemm computes C = op(A) op(B) + beta C for row-major matrices with leading
// dimensions lda, ldb and ldc: op(A) is [m, k] (A stored [k, m] when transA), op(B) is
// [k, n] (B stored [n, k] when transB) and C is [m, n]. Only the m x n window of c is
// touched. float32 goes to sgemm, float64 to the plain loop gemmGeneric.
func gemm[T tensor.Float](transA, transB bool, m, n, k int, a []T, lda int, b []T, ldb int,
	beta T, c []T, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	if c32, ok := any(c).([]float32); ok {
		a32, b32 := any(a).([]float32), any(b).([]float32)
		sgemm(transA, transB, m, n, k, 1, a32, lda, b32, ldb, float32(beta), c32, ldc)
		return
	}
	gemmGeneric(transA, transB, m, n, k, 1, a, lda, b, ldb, beta, c, ldc)
}

// sgemm is the float32 matrix product used by the convolutions: C = alpha op(A) op(B) +
// beta C (the AVX2+FMA kernel of package asm, or its pure-Go twin on other CPUs).
var sgemm = asm.Sgemm

// gemmGeneric computes C = alpha op(A) op(B) + beta C with plain loops; it is the
// float64 path and the reference of the float32 kernel:
//
//	for i < m, j < n: c[i*ldc+j] = beta*c[i*ldc+j] + alpha * sum_p opA(i, p) * opB(p, j)
//
// where opA(i, p) is a[i*lda+p] (a[p*lda+i] when transA) and opB(p, j) is b[p*ldb+j]
// (b[j*ldb+p] when transB).
func gemmGeneric[T tensor.Float](transA, transB bool, m, n, k int, alpha T, a []T, lda int,
	b []T, ldb int, beta T, c []T, ldc int) {
	for i := range m {
		row := c[i*ldc : i*ldc+n]
		scaleRow(row, beta)
		if transB {
			for j := range row {
				var sum T
				for p := range k {
					sum += elemA(a, lda, transA, i, p) * b[j*ldb+p]
				}
				row[j] += alpha * sum
			}
			continue
		}
		for p := range k {
			aip := alpha * elemA(a, lda, transA, i, p)
			bRow := b[p*ldb : p*ldb+n]
			for j, bv := range bRow {
				row[j] += aip * bv
			}
		}
	}
}

// elemA returns op(A)[i, p].
func elemA[T tensor.Float](a []T, lda int, trans bool, i, p int) T {
	if trans {
		return a[p*lda+i]
	}
	return a[i*lda+p]
}

// scaleRow sets row = beta*row, writing exact zeros when beta is 0 (so that NaN or
// garbage in an uninitialised C does not survive).
func scaleRow[T tensor.Float](row []T, beta T) {
	switch beta {
	case 1:
	case 0:
		clear(row)
	default:
		for j := range row {
			row[j] *= beta
		}
	}
}
