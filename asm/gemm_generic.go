package asm

// sgemmGeneric computes C = alpha*op(A)*op(B) + beta*C by the plain loop
//
//	for i < m, j < n: s = sum over p < k of op(A)[i][p]*op(B)[p][j]
//	                  C[i*ldc+j] = alpha*s + beta*C[i*ldc+j]
//
// where op(A)[i][p] is a[i*lda+p], or a[p*lda+i] when transA, and op(B)[p][j]
// is b[p*ldb+j], or b[j*ldb+p] when transB. With beta == 0, C is not read.
// It is the reference Sgemm is tested against; Sgemm's fallback on CPUs
// without AVX2 is the blocked driver running sgemmKernel6x16Generic.
func sgemmGeneric(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int,
	b []float32, ldb int, beta float32, c []float32, ldc int) {
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s float32
			for p := 0; p < k; p++ {
				ai, bi := i*lda+p, p*ldb+j
				if transA {
					ai = p*lda + i
				}
				if transB {
					bi = j*ldb + p
				}
				s += float32(a[ai] * b[bi])
			}
			if beta == 0 {
				c[i*ldc+j] = float32(alpha * s)
			} else {
				c[i*ldc+j] = float32(alpha*s) + float32(beta*c[i*ldc+j])
			}
		}
	}
}

// sgemmKernel6x16Generic is the 6x16 micro-kernel of the blocked Sgemm: it
// adds alpha times a 6x16 block of products into C,
//
//	for i < 6, j < 16: C[i*ldc+j] += alpha * sum over p < k of
//	                   a[i*aRow+p*aStep] * b[p*bStep+j]
//
// The strides let A be a packed panel (aRow 1, aStep 6) or read in place from
// a row-major matrix (aRow lda, aStep 1) or its transpose (aRow 1, aStep lda),
// and B be a packed panel (bStep 16) or a row-major matrix (bStep ldb).
func sgemmKernel6x16Generic(k int, a []float32, aRow, aStep int, b []float32, bStep int,
	c []float32, ldc int, alpha float32) {
	var acc [6][16]float32
	for p := 0; p < k; p++ {
		bp := (*[16]float32)(b[p*bStep:])
		for i := range acc {
			av := a[i*aRow+p*aStep]
			row := &acc[i]
			for j, bv := range bp {
				row[j] += float32(av * bv)
			}
		}
	}
	for i := range acc {
		cr := (*[16]float32)(c[i*ldc:])
		for j, s := range acc[i] {
			cr[j] += float32(alpha * s)
		}
	}
}

// sgemmKernel12x32Generic is the 12x32 micro-kernel, the loop of
// sgemmKernel6x16Generic on the first rows <= 12 rows of a 12x32 tile:
//
//	for i < rows, j < 32: C[i*ldc+j] += alpha * sum over p < k of
//	                      a[i*aRow+p*aStep] * b[p*bStep+j]
//
// with the same strides (a packed A panel has aStep 12, a packed B panel
// bStep 32). The blocked Sgemm passes rows = 4, 8 or 12, so that a block of
// a multiple of 4 rows has no wasted rows.
func sgemmKernel12x32Generic(k int, a []float32, aRow, aStep int, b []float32, bStep int,
	c []float32, ldc int, alpha float32, rows int) {
	var acc [12][32]float32
	for p := 0; p < k; p++ {
		bp := (*[32]float32)(b[p*bStep:])
		for i := range acc[:rows] {
			av := a[i*aRow+p*aStep]
			row := &acc[i]
			for j, bv := range bp {
				row[j] += float32(av * bv)
			}
		}
	}
	for i := range acc[:rows] {
		cr := (*[32]float32)(c[i*ldc:])
		for j, s := range acc[i] {
			cr[j] += float32(alpha * s)
		}
	}
}

// sgemmKernel12x16Generic is the 16-wide sibling of sgemmKernel12x32Generic,
// the same loop on the first 16 columns:
//
//	for i < rows, j < 16: C[i*ldc+j] += alpha * sum over p < k of
//	                      a[i*aRow+p*aStep] * b[p*bStep+j]
//
// The blocked Sgemm runs it on panels of at most 16 columns, reading the
// first half of a packed 32-column B panel (bStep 32).
func sgemmKernel12x16Generic(k int, a []float32, aRow, aStep int, b []float32, bStep int,
	c []float32, ldc int, alpha float32, rows int) {
	var acc [12][16]float32
	for p := 0; p < k; p++ {
		bp := (*[16]float32)(b[p*bStep:])
		for i := range acc[:rows] {
			av := a[i*aRow+p*aStep]
			row := &acc[i]
			for j, bv := range bp {
				row[j] += float32(av * bv)
			}
		}
	}
	for i := range acc[:rows] {
		cr := (*[16]float32)(c[i*ldc:])
		for j, s := range acc[i] {
			cr[j] += float32(alpha * s)
		}
	}
}

// packBRowsGeneric copies a k x nr*panels block with leading dimension ld
// into panels packed panels of k x nr, row by row:
//
//	for p < k, q < panels, j < nr: dst[q*k*nr + p*nr + j] = src[p*ld + q*nr + j]
func packBRowsGeneric(nr, k int, src []float32, ld int, dst []float32, panels int) {
	for p := 0; p < k; p++ {
		for q := 0; q < panels; q++ {
			copy(dst[q*k*nr+p*nr:q*k*nr+p*nr+nr], src[p*ld+q*nr:p*ld+q*nr+nr])
		}
	}
}

// packAGeneric copies rows <= mr rows of k floats with leading dimension lda
// into a packed panel of mr rows, transposing them: for p < k, i < rows
// { dst[p*mr+i] = src[i*lda+p] }.
func packAGeneric(mr, rows, k int, src []float32, lda int, dst []float32) {
	for i := 0; i < rows; i++ {
		for p, v := range src[i*lda : i*lda+k] {
			dst[p*mr+i] = v
		}
	}
}
