package asm

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// halfCase is one call of the 16-wide kernels: A laid out as l (packed with
// aStep 12, in place, or in place transposed), B rows bStep floats apart,
// and A, B and C starting off floats into their buffers.
type halfCase struct {
	l                kernelLayout
	k, rows, bStep   int
	off              int
	alpha            float32
	ints             bool
	aRow, aStep, ldc int
}

// halfOperands returns A and B for h, shifted by h.off floats, and C: a
// 12 x ldc tile at offset h.off in a buffer with sentinel guard cells.
func halfOperands(r *rand.Rand, h *halfCase) (a, b, c, cBuf []float32) {
	fill := func(n int) []float32 {
		x := make([]float32, h.off+n)[h.off:]
		randVec(r, x, 1)
		if h.ints {
			for i := range x {
				x[i] = float32(r.IntN(9) - 4)
			}
		}
		return x
	}
	k1 := max(h.k, 1)
	h.aRow, h.aStep = 1, 12
	switch {
	case h.l.aT:
		h.aStep = 12 + 2
	case h.l.aIn:
		h.aRow, h.aStep = k1+2, 1
	}
	a = fill(11*h.aRow + (k1-1)*h.aStep + 1)
	b = fill((k1-1)*h.bStep + 16)
	h.ldc = 16 + h.l.cPad
	c, cBuf = guarded(12*h.ldc, h.off)
	randVec(r, c, 1)
	return a, b, c, cBuf
}

// TestSgemmKernelHalfTwins checks the 16-wide AVX-512 kernel against its Go
// twin for rows 4, 8 and 12, k = 0..11 (past twice the unroll of 4, plus
// the tail) and 70 and 385, A packed, in place and transposed, B with rows
// 16, 32 (the first half of a packed 32-column panel) and 16+5 apart, and
// operands shifted by 0..3 floats: bit for bit on small integers, to
// rounding on random values. Cells of C outside the rows x 16 tile, and the
// guard cells around C, must not change.
func TestSgemmKernelHalfTwins(t *testing.T) {
	if !haveAsm || !useAVX512Default {
		t.Skip("no AVX-512 kernel in this build or on this CPU")
	}
	r := rand.New(rand.NewPCG(21, 22))
	ks := []int{70, 385}
	for k := 0; k <= 11; k++ {
		ks = append(ks, k)
	}
	half := tiling{mr: 12, nr: 16, rowStep: 4}
	for rows := 4; rows <= 12; rows += 4 {
		for _, l := range kernelLayouts {
			t.Run(fmt.Sprintf("rows=%d/%s", rows, l.name), func(t *testing.T) {
				for _, k := range ks {
					for _, bStep := range []int{16, 32, 21} {
						for off := range 4 {
							for _, ints := range []bool{true, false} {
								h := halfCase{l: l, k: k, rows: rows, bStep: bStep, off: off,
									alpha: 1.25, ints: ints}
								if ints {
									h.alpha = -0.5
								}
								a, b, c, cBuf := halfOperands(r, &h)
								c0 := append([]float32(nil), c...)
								want := append([]float32(nil), c...)
								sgemmKernelAVX512x16(k, a, h.aRow, h.aStep, b, bStep, c, h.ldc,
									h.alpha, rows)
								sgemmKernel12x16Generic(k, a, h.aRow, h.aStep, b, bStep, want,
									h.ldc, h.alpha, rows)
								compareTiles(t, half, l, k, rows, h.alpha, c, want, c0, ints)
								checkGuards(t, fmt.Sprintf("k=%d bStep=%d off=%d", k, bStep, off),
									cBuf, guard+off, len(c))
							}
						}
					}
				}
			})
		}
	}
}

// TestSgemmHalfPanels runs Sgemm on every path, with 1 and 2 threads, on
// shapes whose last panel of columns has at most 16 of them (n <= 16 or
// n % 32 in 1..16), where the 12x32 kernels run their 16-wide siblings, in
// all transposition cases with beta 0, 1 and 0.5; n = 16 with B not
// transposed reads B in place (directB), also past one block of rows.
func TestSgemmHalfPanels(t *testing.T) {
	r := rand.New(rand.NewPCG(23, 24))
	dims := [][3]int{{384, 48, 16}, {48, 512, 16}, {13, 7, 17}, {100, 50, 48},
		{384, 16, 432}, {37, 41, 13}, {61, 29, 16}, {12, 5, 1}, {8, 33, 16},
		{4, 9, 16}, {97, 101, 47}, {23, 400, 8}, {31, 3, 80}, {700, 20, 16}}
	betas := []float32{0, 1, 0.5}
	for _, p := range paths() {
		for _, th := range []int{1, 2} {
			t.Run(fmt.Sprintf("impl=%s/threads=%d", pathName(p), th), func(t *testing.T) {
				setPath(t, p)
				setThreads(t, th)
				for i, d := range dims {
					for tr := range 4 {
						checkGemm(t, r, gemmCase{tA: tr&1 != 0, tB: tr&2 != 0, m: d[0],
							k: d[1], n: d[2], alpha: 0.75, beta: betas[(i+tr)%3],
							pad: (i + tr) % 3})
					}
				}
			})
		}
	}
}

// TestSgemmOverlappingA checks Sgemm with stored rows of A that overlap
// (lda = 1, a third of the stored row and one below it: row i of A is
// a[i*lda : i*lda+k], row p of a transposed A a[p*lda : p*lda+m]), on every
// path with 1 and 2 threads and in the reference loop sgemmGeneric, in all
// transposition cases. A is exactly as long as its last row needs, with NaNs
// after it, so a read past its end shows.
func TestSgemmOverlappingA(t *testing.T) {
	r := rand.New(rand.NewPCG(25, 26))
	dims := [][3]int{{384, 48, 16}, {13, 48, 17}, {100, 15, 48}, {61, 9, 67},
		{1, 30, 5}, {7, 3, 33}, {48, 130, 16}, {200, 600, 40}}
	betas := []float32{0, 1, -0.5}
	check := func(t *testing.T, plain bool) {
		for i, d := range dims {
			m, k, n := d[0], d[1], d[2]
			for tr := range 4 {
				row := k // the stored row of A
				if tr&1 != 0 {
					row = m
				}
				for j, lda := range []int{1, max(row/3, 1), max(row-1, 1)} {
					checkGemm(t, r, gemmCase{tA: tr&1 != 0, tB: tr&2 != 0, m: m, k: k,
						n: n, alpha: 1.5, beta: betas[(i+j)%3], pad: j, lda: lda,
						plain: plain})
				}
			}
		}
	}
	t.Run("impl=sgemmGeneric", func(t *testing.T) { check(t, true) })
	for _, p := range paths() {
		for _, th := range []int{1, 2} {
			t.Run(fmt.Sprintf("impl=%s/threads=%d", pathName(p), th), func(t *testing.T) {
				setPath(t, p)
				setThreads(t, th)
				check(t, false)
			})
		}
	}
}
