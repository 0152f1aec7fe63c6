package asm

// packA copies rows ic..ic+mb, columns pc..pc+kb of op(A), times one, into
// dst as mr-row panels: dst[q*mr*kb + p*mr + i] = op(A)[ic+q*mr+i][pc+p],
// with rows past mb zero. Panels before from are skipped (read in place).
func (g *gemm) packA(dst []float32, ic, mb, pc, kb, from int) {
	mr := g.mr
	for q := from; q*mr < mb; q++ {
		rows := min(mr, mb-q*mr)
		d := dst[q*mr*kb : (q+1)*mr*kb]
		if rows < mr {
			clear(d)
		}
		r0 := ic + q*mr
		if g.transA {
			for p := 0; p < kb; p++ {
				o := (pc+p)*g.lda + r0
				copy(d[p*mr:p*mr+rows], g.a[o:o+rows])
			}
			continue
		}
		for i := 0; i < rows; i++ {
			o := (r0+i)*g.lda + pc
			for p, v := range g.a[o : o+kb] {
				d[p*mr+i] = v
			}
		}
	}
}

// packB copies rows pc..pc+kb, columns jc..jc+nb of op(B) into dst as
// nr-column panels: dst[q*nr*kb + p*nr + j] = op(B)[pc+p][jc+q*nr+j], with
// columns past nb zero.
func (g *gemm) packB(dst []float32, pc, kb, jc, nb int) {
	nr := g.nr
	for q := 0; q*nr < nb; q++ {
		g.packBPanel(dst[q*nr*kb:(q+1)*nr*kb], pc, kb, jc+q*nr, min(nr, nb-q*nr))
	}
}

// packBPanel packs the panel of cols <= nr columns at c0: for p < kb, j < nr
// { d[p*nr+j] = op(B)[pc+p][c0+j] }, zero for j >= cols.
func (g *gemm) packBPanel(d []float32, pc, kb, c0, cols int) {
	nr := g.nr
	if cols < nr {
		clear(d)
	}
	if g.transB {
		for j := 0; j < cols; j++ {
			o := (c0+j)*g.ldb + pc
			for p, v := range g.b[o : o+kb] {
				d[p*nr+j] = v
			}
		}
		return
	}
	if cols < nr {
		for p := 0; p < kb; p++ {
			o := (pc+p)*g.ldb + c0
			copy(d[p*nr:p*nr+cols], g.b[o:o+cols])
		}
		return
	}
	src := g.b[pc*g.ldb+c0:]
	switch g.kern {
	case kernel6x16AVX2:
		packB16AVX2(kb, src, g.ldb, d)
	case kernel12x32AVX512:
		packB32AVX512(kb, src, g.ldb, d)
	case kernel12x32Generic:
		packB32Generic(kb, src, g.ldb, d)
	default:
		packB16Generic(kb, src, g.ldb, d)
	}
}

// macro runs the micro-kernel over the mb x nb block of C at (ic, jc) for
// the kb-deep slice at pc. Full panels of A are read in place when directA
// says so, others from the packed buffers; edge tiles go through a local
// tile so that the kernel never writes outside C. With lazyB each panel of
// B is packed just before its first use, while it is still in L1.
func (g *gemm) macro(w *workspace, ic, mb, jc, nb, pc, kb int, directA, lazyB bool) {
	mr, nr := g.mr, g.nr
	var edge [maxMR * maxNR]float32
	for jr := 0; jr < nb; jr += nr {
		cols := min(nr, nb-jr)
		bp, bStep := w.b[jr*kb:], nr
		if lazyB {
			g.packBPanel(bp[:nr*kb], pc, kb, jc+jr, cols)
		}
		for ir := 0; ir < mb; ir += mr {
			rows := min(mr, mb-ir)
			ap, aRow, aStep := w.a[ir*kb:], 1, mr
			if directA && rows == mr {
				if g.transA {
					ap, aRow, aStep = g.a[pc*g.lda+ic+ir:], 1, g.lda
				} else {
					ap, aRow, aStep = g.a[(ic+ir)*g.lda+pc:], g.lda, 1
				}
			}
			co := (ic+ir)*g.ldc + jc + jr
			if rows == mr && cols == nr {
				g.kernel(kb, ap, aRow, aStep, bp, bStep, g.c[co:], g.ldc)
				continue
			}
			t := edge[:mr*nr]
			clear(t)
			g.kernel(kb, ap, aRow, aStep, bp, bStep, t, nr)
			for i := 0; i < rows; i++ {
				cr := g.c[co+i*g.ldc : co+i*g.ldc+cols]
				for j := range cr {
					cr[j] += t[i*nr+j]
				}
			}
		}
	}
}

// kernel runs the micro-kernel g.kern on one mr x nr tile.
func (g *gemm) kernel(k int, a []float32, aRow, aStep int, b []float32, bStep int,
	c []float32, ldc int) {
	switch g.kern {
	case kernel6x16AVX2:
		sgemmKernelAVX2(k, a, aRow, aStep, b, bStep, c, ldc, g.alpha)
	case kernel12x32AVX512:
		sgemmKernelAVX512(k, a, aRow, aStep, b, bStep, c, ldc, g.alpha)
	case kernel12x32Generic:
		sgemmKernel12x32Generic(k, a, aRow, aStep, b, bStep, c, ldc, g.alpha)
	default:
		sgemmKernel6x16Generic(k, a, aRow, aStep, b, bStep, c, ldc, g.alpha)
	}
}
