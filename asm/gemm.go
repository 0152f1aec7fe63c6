package asm

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// microKernel names a GEMM micro-kernel; its tile shape fixes the packing.
type microKernel int

const (
	kernel6x16Generic  microKernel = iota // sgemmKernel6x16Generic
	kernel6x16AVX2                        // sgemmKernelAVX2, twin of the above
	kernel12x32Generic                    // sgemmKernel12x32Generic
	kernel12x32AVX512                     // sgemmKernelAVX512, twin of the above
)

// tiling is a micro-kernel's tile of C, mr x nr, the granularity of its
// rows (a tile of fewer rows runs a multiple of rowStep of them), and the
// cache blocking for it: kc steps of k per micro-kernel call, mc rows of A
// per packed block (half of L2), nc columns of B per packed block (a share
// of L3).
type tiling struct{ mr, nr, rowStep, mc, kc, nc int }

// The largest tile of any micro-kernel, for edge-tile buffers.
const (
	maxMR = 12
	maxNR = 32
)

// TODO(perf): the 6x16 AVX2 kernel always runs 6 rows, wasting 2 of 18 on
// M = 16 and 4 of 36 on M = 32; only the 12x32 kernel runs 4 or 8 rows.

var tilings = [...]tiling{
	kernel6x16Generic:  newTiling(6, 16, 6),
	kernel6x16AVX2:     newTiling(6, 16, 6),
	kernel12x32Generic: newTiling(12, 32, 4),
	kernel12x32AVX512:  newTiling(12, 32, 4),
}

// newTiling returns the blocking for an mr x nr micro-kernel from the CPU's
// cache sizes. kc is the same for both tiles: kc x 16 floats fill half of
// L1, so a packed panel of B fills half of L1 for the 6x16 tile and all of
// it for the 12x32 one, which measured 2-6% faster than half (kc 192) on
// the benchmarked shapes.
func newTiling(mr, nr, rowStep int) tiling {
	l1, l2, l3 := cacheSizes()
	kc := min(max(l1/2/(16*4)&^7, 64), 512)
	mc := min(max(l2/2/(kc*4)/mr*mr, mr), 120*mr)
	nc := min(max(l3/4/(kc*4)/nr*nr, nr), 4096)
	return tiling{mr: mr, nr: nr, rowStep: rowStep, mc: mc, kc: kc, nc: nc}
}

// Reading A in place instead of packing it pays when B is thin: A is then used
// by few micro-kernel calls, too few to repay the copy. It is read in place
// when the columns of C a worker computes fit in directPanels panels of B.
// TODO(perf): B is packed except in the case of directB; reading it in place
// when A is thin was slower here, as rows of B with a large ldb collide in a
// few L1 sets.
var directPanels = 4

// directB reports whether the 16-wide sibling of a 12x32 kernel reads B in
// place for a slab of cols columns: B is not transposed, the slab is one
// panel of exactly 16 columns (as in channels-last products with 16 output
// channels), and rows of B are at most 32 floats apart, so that kb of them
// span no more of L1 than a packed panel. It saves the copy, which costs as
// much as the FMAs of a thin A.
func (g *gemm) directB(cols int) bool {
	return !g.transB && g.hasHalf() && cols == g.nr/2 && g.ldb <= g.nr
}

var threads atomic.Int64

func init() { threads.Store(int64(runtime.GOMAXPROCS(0))) }

// SetThreads sets the number of goroutines Sgemm may use; it panics if n < 1.
// The default is GOMAXPROCS at start.
func SetThreads(n int) {
	if n < 1 {
		panic("asm: SetThreads needs n >= 1")
	}
	threads.Store(int64(n))
}

// Threads returns the number of goroutines Sgemm may use.
func Threads() int { return int(threads.Load()) }

// Sgemm computes C = alpha*op(A)*op(B) + beta*C for row-major matrices:
//
//	for i < m, j < n: C[i*ldc+j] = alpha * sum over p < k of
//	                  op(A)[i][p]*op(B)[p][j] + beta*C[i*ldc+j]
//
// op(A) is m x k: a[i*lda+p], or a[p*lda+i] when transA (A stored k x m).
// op(B) is k x n: b[p*ldb+j], or b[j*ldb+p] when transB (B stored n x k).
// With beta == 0, C is not read (NaNs in it do not propagate). It uses up to
// Threads() goroutines and does not allocate in steady state.
//
// A is only read, so its stored rows may overlap: any lda >= 1 is allowed,
// also one below the stored row length (row i of A is a[i*lda : i*lda+k],
// or row p of a transposed A a[p*lda : p*lda+m], so that a window sliding
// over one buffer is read without a copy); a needs (m-1)*lda + k elements,
// (k-1)*lda + m when transA. lda = 0 panics even where it would be unused
// (one stored row): a zero stride is far more often a missing argument than
// a wish. B and C need a leading dimension of at least their row length.
// Sgemm panics if a dimension is negative, a leading dimension is too
// small, or a slice is too short for its last row; C must not overlap A or
// B.
func Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int,
	b []float32, ldb int, beta float32, c []float32, ldc int) {
	if m < 0 || n < 0 || k < 0 {
		panic("asm: Sgemm negative dimension")
	}
	ar, ac := m, k
	if transA {
		ar, ac = k, m
	}
	br, bc := k, n
	if transB {
		br, bc = n, k
	}
	checkMatrix(ar, ac, a, lda, true, "asm: Sgemm lda or len(a) too small")
	checkMatrix(br, bc, b, ldb, false, "asm: Sgemm ldb or len(b) too small")
	checkMatrix(m, n, c, ldc, false, "asm: Sgemm ldc or len(c) too small")
	if m == 0 || n == 0 {
		return
	}
	g := gemm{transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
		a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc,
		kern: gemmKernel, tiling: tilings[gemmKernel]}
	if g.workers(Threads()) == 1 {
		g.slab(0, m, 0, n) // g stays on the stack
		return
	}
	gp := new(gemm)
	*gp = g
	gp.parallel(Threads())
}

// checkMatrix panics with msg unless s holds a rows x cols row-major matrix
// with leading dimension ld: ld >= max(cols, 1), or only ld >= 1 when
// overlap allows rows to share elements, and s long enough for the last
// row, (rows-1)*ld + cols elements.
func checkMatrix(rows, cols int, s []float32, ld int, overlap bool, msg string) {
	minLd := max(cols, 1)
	if overlap {
		minLd = 1
	}
	if ld < minLd || (rows > 0 && cols > 0 && len(s) < (rows-1)*ld+cols) {
		panic(msg)
	}
}

// gemm holds the arguments of one Sgemm call.
type gemm struct {
	transA, transB bool
	m, n, k        int
	alpha, beta    float32
	a, b, c        []float32
	lda, ldb, ldc  int
	kern           microKernel
	tiling
}

// workspace holds one worker's packed blocks of A and B.
type workspace struct{ a, b []float32 }

// workspaces hands out blocks large enough for every tiling.
var workspaces = sync.Pool{New: func() any {
	var a, b int
	for _, t := range tilings {
		a, b = max(a, t.mc*t.kc), max(b, t.kc*t.nc)
	}
	return &workspace{a: make([]float32, a), b: make([]float32, b)}
}}

// minWork is the number of multiply-adds below which one goroutine is used.
const minWork = 1 << 18

// split returns the number of tiles along C's longer dimension (in tiles),
// the size of a tile along it, and whether that dimension is the columns.
func (g *gemm) split() (tiles, unit int, cols bool) {
	mt, nt := (g.m+g.mr-1)/g.mr, (g.n+g.nr-1)/g.nr
	if nt > mt {
		return nt, g.nr, true
	}
	return mt, g.mr, false
}

// workers returns how many goroutines to use given at most n: one per
// minWork multiply-adds, at most one per tile.
func (g *gemm) workers(n int) int {
	tiles, _, _ := g.split()
	return max(1, min(n, tiles, g.m*g.n*g.k/minWork))
}

// parallel splits C into slabs of whole tiles along its longer dimension and
// computes each on its own goroutine.
func (g *gemm) parallel(n int) {
	tiles, unit, cols := g.split()
	workers := g.workers(n)
	var wg sync.WaitGroup
	for w := workers - 1; w >= 0; w-- {
		lo, hi := tiles*w/workers*unit, tiles*(w+1)/workers*unit
		i0, i1, j0, j1 := lo, min(hi, g.m), 0, g.n
		if cols {
			i0, i1, j0, j1 = 0, g.m, lo, min(hi, g.n)
		}
		if w == 0 {
			g.slab(i0, i1, j0, j1)
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			g.slab(i0, i1, j0, j1)
		}()
	}
	wg.Wait()
}

// scaleC sets rows i0..i1, columns j0..j1 of C to beta times themselves
// (to zero when beta is 0, without reading them), in one pass when the rows
// are whole and so contiguous.
func (g *gemm) scaleC(i0, i1, j0, j1 int) {
	if g.beta == 1 || i0 == i1 {
		return
	}
	ldc, rows, width := g.ldc, i1-i0, j1-j0
	if width == ldc {
		rows, width = 1, rows*width
	}
	for i := i0; i < i0+rows; i++ {
		row := g.c[i*ldc+j0 : i*ldc+j0+width]
		if g.beta == 0 {
			clear(row)
		} else {
			Scale(g.beta, row)
		}
	}
}

// slab computes rows i0..i1, columns j0..j1 of C.
func (g *gemm) slab(i0, i1, j0, j1 int) {
	g.scaleC(i0, i1, j0, j1)
	if g.alpha == 0 || g.k == 0 {
		return
	}
	w := workspaces.Get().(*workspace)
	defer workspaces.Put(w)
	directA, directB := j1-j0 <= directPanels*g.nr, g.directB(j1-j0)
	lazyB := i1-i0 <= g.mc // one block of rows: B panels are used once
	for jc := j0; jc < j1; jc += g.nc {
		nb := min(g.nc, j1-jc)
		for pc := 0; pc < g.k; pc += g.kc {
			kb := min(g.kc, g.k-pc)
			if !lazyB && !directB {
				g.packB(w.b, pc, kb, jc, nb)
			}
			for ic := i0; ic < i1; ic += g.mc {
				mb := min(g.mc, i1-ic)
				from := 0
				if directA {
					from = mb / g.mr
				}
				g.packA(w.a, ic, mb, pc, kb, from)
				g.macro(w, ic, mb, jc, nb, pc, kb, directA, directB, lazyB)
			}
		}
	}
}
