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
		src := g.a[r0*g.lda+pc:]
		if rows == mr && (g.kern == kernel6x16AVX2 || g.kern == kernel12x32AVX512) {
			packAAsm(mr, kb, src[:(mr-1)*g.lda+kb], g.lda, d)
			continue
		}
		packAGeneric(mr, rows, kb, src, g.lda, d)
	}
}

// groupPanels is the number of B panels packed together, row by row: the
// rows of B are then read in runs of groupPanels*nr floats, long enough for
// the hardware prefetchers, while the groupPanels output streams still fit
// the ways of L1.
const groupPanels = 8

// packB copies rows pc..pc+kb, columns jc..jc+nb of op(B) into dst as
// nr-column panels: dst[q*nr*kb + p*nr + j] = op(B)[pc+p][jc+q*nr+j], with
// columns past nb zero.
func (g *gemm) packB(dst []float32, pc, kb, jc, nb int) {
	step := groupPanels * g.nr
	for c := 0; c < nb; c += step {
		g.packBGroup(dst[c*kb:], pc, kb, jc+c, min(step, nb-c))
	}
}

// packBGroup packs the cols <= groupPanels*nr columns at c0 into panels:
// for p < kb, j < cols { d[j/nr*nr*kb + p*nr + j%nr] = op(B)[pc+p][c0+j] },
// zero up to the end of the last panel.
func (g *gemm) packBGroup(d []float32, pc, kb, c0, cols int) {
	nr, full := g.nr, 0
	if !g.transB {
		full = cols / nr
		src := g.b[pc*g.ldb+c0:]
		switch g.kern {
		case kernel6x16AVX2:
			packBRows16AVX2(kb, src, g.ldb, d, full)
		case kernel12x32AVX512:
			packBRows32AVX512(kb, src, g.ldb, d, full)
		default:
			packBRowsGeneric(nr, kb, src, g.ldb, d, full)
		}
	}
	for c := full * nr; c < cols; c += nr {
		g.packBPanel(d[c*kb:(c+nr)*kb], pc, kb, c0+c, min(nr, cols-c))
	}
}

// packBPanel packs the panel of cols <= nr columns at c0 with Go loops: for
// p < kb, j < nr { d[p*nr+j] = op(B)[pc+p][c0+j] }, zero for j >= cols.
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
	for p := 0; p < kb; p++ {
		o := (pc+p)*g.ldb + c0
		copy(d[p*nr:p*nr+cols], g.b[o:o+cols])
	}
}

// macro runs the micro-kernel over the mb x nb block of C at (ic, jc) for
// the kb-deep slice at pc. Full panels of A are read in place when directA
// says so, others from the packed buffers. A panel of B with at most nr/2
// columns runs the kernel's half-width sibling where it has one (reading
// the first half of the packed panel, or B in place with directB). Edge
// tiles go through a local tile so that the kernel never writes outside C.
// With lazyB each group of panels of B is packed just before its first use,
// into the same place, so that the packed panels stay in L2.
//
// When both operands are packed up front, the loop over panels of A is the
// outer one: one mr x kb panel of A stays in L1 while the packed panels of B
// stream from L2. The other order keeps a kb x nr panel of B in L1 instead,
// which at nr = 32 is all of a 32 KiB L1; measured on 1024^3 and 4096^3
// (AMD Zen 4, 1 thread), the A-outer order was 2-8% faster.
func (g *gemm) macro(w *workspace, ic, mb, jc, nb, pc, kb int, directA, directB, lazyB bool) {
	if !directA && !directB && !lazyB {
		for ir := 0; ir < mb; ir += g.mr {
			for jr := 0; jr < nb; jr += g.nr {
				g.tile(w.a[ir*kb:], 1, g.mr, w.b[jr*kb:], g.nr, ic+ir, min(g.mr, mb-ir),
					jc+jr, min(g.nr, nb-jr), kb)
			}
		}
		return
	}

	// TODO(perf): with thin A (32 x 864 x 13824) the loads of a lazily packed
	// group are not overlapped with the FMAs, so reading B from memory bounds
	// the call; prefetching the next group from the micro-kernel gained nothing.
	mr, nr, group := g.mr, g.nr, groupPanels*g.nr
	for jr := 0; jr < nb; jr += nr {
		bp, bStep := w.b[jr*kb:], nr
		switch {
		case directB:
			bp, bStep = g.b[pc*g.ldb+jc+jr:], g.ldb
		case lazyB:
			bp = w.b[jr%group*kb:]
			if jr%group == 0 {
				g.packBGroup(bp, pc, kb, jc+jr, min(group, nb-jr))
			}
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
			g.tile(ap, aRow, aStep, bp, bStep, ic+ir, rows, jc+jr, min(nr, nb-jr), kb)
		}
	}
}

// tile adds alpha times the kb-deep product of the panel of A at ap (aRow,
// aStep as for the kernels) and the panel of B at bp (bStep) to the rows x
// cols tile of C at (i, j), rows <= mr and cols <= nr. A tile the kernel
// cannot cover exactly (rows not a multiple of rowStep, or cols not nr or,
// for kernels with a half-width sibling, nr/2) is computed into a zeroed
// local tile and added to C from there.
func (g *gemm) tile(ap []float32, aRow, aStep int, bp []float32, bStep int,
	i, rows, j, cols, kb int) {
	width := g.nr // columns the kernel runs
	if cols <= g.nr/2 && g.hasHalf() {
		width = g.nr / 2
	}
	kr := (rows + g.rowStep - 1) / g.rowStep * g.rowStep // rows the kernel runs
	co := i*g.ldc + j
	if rows == kr && cols == width {
		g.kernel(kb, ap, aRow, aStep, bp, bStep, g.c[co:], g.ldc, kr, width)
		return
	}

	var edge [maxMR * maxNR]float32
	t := edge[:kr*width]
	g.kernel(kb, ap, aRow, aStep, bp, bStep, t, width, kr, width)
	for r := 0; r < rows; r++ {
		cr := g.c[co+r*g.ldc : co+r*g.ldc+cols]
		for c := range cr {
			cr[c] += t[r*width+c]
		}
	}
}

// hasHalf reports whether g.kern has a half-width sibling: the 12x32 kernels
// have a 12x16 one.
func (g *gemm) hasHalf() bool {
	return g.kern == kernel12x32AVX512 || g.kern == kernel12x32Generic
}

// kernel runs the micro-kernel g.kern on the first rows rows (a multiple of
// g.rowStep) of one mr x nr tile, or its half-width sibling on an mr x nr/2
// tile when width is nr/2 (only where hasHalf).
func (g *gemm) kernel(k int, a []float32, aRow, aStep int, b []float32, bStep int,
	c []float32, ldc, rows, width int) {
	half := width < g.nr
	switch g.kern {
	case kernel6x16AVX2:
		sgemmKernelAVX2(k, a, aRow, aStep, b, bStep, c, ldc, g.alpha)
	case kernel12x32AVX512:
		if half {
			sgemmKernelAVX512x16(k, a, aRow, aStep, b, bStep, c, ldc, g.alpha, rows)
			return
		}
		sgemmKernelAVX512(k, a, aRow, aStep, b, bStep, c, ldc, g.alpha, rows)
	case kernel12x32Generic:
		if half {
			sgemmKernel12x16Generic(k, a, aRow, aStep, b, bStep, c, ldc, g.alpha, rows)
			return
		}
		sgemmKernel12x32Generic(k, a, aRow, aStep, b, bStep, c, ldc, g.alpha, rows)
	default:
		sgemmKernel6x16Generic(k, a, aRow, aStep, b, bStep, c, ldc, g.alpha)
	}
}
