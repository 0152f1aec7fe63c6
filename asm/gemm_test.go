package asm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// gemmCase is one Sgemm call; pad is added to every leading dimension.
type gemmCase struct {
	tA, tB      bool
	m, n, k     int
	alpha, beta float32
	pad         int
	samples     int  // check this many random entries of C; 0 checks all
	lda         int  // A's leading dimension when > 0 (may be < k), else its row+pad
	plain       bool // run sgemmGeneric, the reference loop, instead of Sgemm
}

func (c gemmCase) String() string {
	return fmt.Sprintf("%dx%dx%d/tA=%v/tB=%v/alpha=%v/beta=%v/pad=%d/lda=%d/plain=%v",
		c.m, c.k, c.n, c.tA, c.tB, c.alpha, c.beta, c.pad, c.lda, c.plain)
}

// guardedMatrix returns a rows x cols matrix with leading dimension ld
// filled by randVec, in a slice no longer than its last row needs, inside a
// buffer of sentinel NaNs: a kernel that reads past the slice gets NaNs.
func guardedMatrix(r *rand.Rand, rows, cols, ld int) []float32 {
	n := 0
	if rows > 0 && cols > 0 {
		n = (rows-1)*ld + cols
	}
	s, _ := guarded(n, 0)
	randVec(r, s, 1)
	return s
}

// checkGemm runs c through Sgemm and compares C with a float64 triple loop.
// The tolerance is (k+2) float32 rounding steps of the sum of magnitudes.
// Cells of C's buffer outside the m x n matrix must not change. A and B are
// as long as their last rows need, with NaNs past their ends.
func checkGemm(t testing.TB, r *rand.Rand, c gemmCase) {
	t.Helper()
	ar, ac, br, bc := c.m, c.k, c.k, c.n
	if c.tA {
		ar, ac = ac, ar
	}
	if c.tB {
		br, bc = bc, br
	}
	lda, ldb, ldc := max(ac+c.pad, 1), max(bc+c.pad, 1), max(c.n+c.pad, 1)
	if c.lda > 0 {
		lda = c.lda
	}
	a, b := guardedMatrix(r, ar, ac, lda), guardedMatrix(r, br, bc, ldb)
	cm, buf := guarded(c.m*ldc, 0)
	for i := 0; i < c.m; i++ {
		randVec(r, cm[i*ldc:i*ldc+c.n], 1)
	}
	if c.beta == 0 && c.m > 0 && c.n > 0 {
		cm[0] = float32(math.NaN()) // must not propagate
	}
	c0 := append([]float32(nil), cm...)
	if c.plain {
		sgemmGeneric(c.tA, c.tB, c.m, c.n, c.k, c.alpha, a, lda, b, ldb, c.beta, cm, ldc)
	} else {
		Sgemm(c.tA, c.tB, c.m, c.n, c.k, c.alpha, a, lda, b, ldb, c.beta, cm, ldc)
	}
	opA := func(i, p int) float64 {
		if c.tA {
			return float64(a[p*lda+i])
		}
		return float64(a[i*lda+p])
	}
	opB := func(p, j int) float64 {
		if c.tB {
			return float64(b[j*ldb+p])
		}
		return float64(b[p*ldb+j])
	}
	check := func(i, j int) {
		var s, abs float64
		for p := 0; p < c.k; p++ {
			v := opA(i, p) * opB(p, j)
			s += v
			abs += math.Abs(v)
		}
		want := float64(c.alpha) * s
		abs *= math.Abs(float64(c.alpha))
		if c.beta != 0 {
			want += float64(c.beta) * float64(c0[i*ldc+j])
			abs += math.Abs(float64(c.beta) * float64(c0[i*ldc+j]))
		}
		got := float64(cm[i*ldc+j])
		if math.Abs(got-want) > float64(c.k+2)*0x1p-23*abs || math.IsNaN(got) {
			t.Fatalf("%v impl=%s threads=%d: C[%d][%d] = %v, want %v",
				c, kernelName(gemmKernel), Threads(), i, j, got, want)
		}
	}
	if c.samples > 0 && c.m > 0 && c.n > 0 {
		for range c.samples {
			check(r.IntN(c.m), r.IntN(c.n))
		}
		check(c.m-1, c.n-1)
	} else {
		for i := 0; i < c.m; i++ {
			for j := 0; j < c.n; j++ {
				check(i, j)
			}
		}
	}
	for i := 0; i < c.m; i++ {
		for j := c.n; j < ldc; j++ {
			if math.Float32bits(cm[i*ldc+j]) != math.Float32bits(c0[i*ldc+j]) {
				t.Fatalf("%v: padding C[%d][%d] changed", c, i, j)
			}
		}
	}
	checkGuards(t, c.String(), buf, guard, c.m*ldc)
}

// setThreads sets the Sgemm thread count until the test ends.
func setThreads(t testing.TB, n int) {
	old := Threads()
	SetThreads(n)
	t.Cleanup(func() { SetThreads(old) })
}

// TestSgemmShapes checks small and odd shapes, all transposition cases and
// alpha/beta variants, on every path with 1, 2 and 3 threads.
func TestSgemmShapes(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	dims := [][3]int{{1, 1, 1}, {0, 3, 2}, {3, 0, 2}, {4, 5, 0}, {6, 16, 1}, {7, 17, 3},
		{13, 31, 29}, {37, 41, 43}, {61, 59, 67}, {97, 101, 103}, {1, 70, 5}, {70, 1, 5},
		{12, 64, 300}, {128, 257, 33}, {200, 30, 700}, {30, 200, 700}, {19, 523, 17}}
	// Each shape and transposition case runs with alpha 1, beta 0 and with one
	// more of the alpha/beta pairs below, in turn.
	pairs := [][2]float32{{1, 1}, {-0.5, 0.25}, {0, 0.25}, {0, 0}, {2, 1}, {1, -1}}
	for _, p := range paths() {
		for _, th := range []int{1, 2, 3} {
			t.Run(fmt.Sprintf("impl=%s/threads=%d", pathName(p), th), func(t *testing.T) {
				setPath(t, p)
				setThreads(t, th)
				turn := 0
				for _, d := range dims {
					for tr := range 4 {
						turn++
						for _, ab := range [][2]float32{{1, 0}, pairs[turn%len(pairs)]} {
							checkGemm(t, r, gemmCase{tA: tr&1 != 0, tB: tr&2 != 0,
								m: d[0], k: d[1], n: d[2], alpha: ab[0], beta: ab[1],
								pad: r.IntN(4)})
						}
					}
				}
			})
		}
	}
}

// TestSgemmDirect covers the path that reads A in place, with shapes on both
// sides of directPanels panels of each tile width.
func TestSgemmDirect(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, p := range paths() {
		setPath(t, p)
		for _, mn := range [][2]int{{48, 500}, {49, 500}, {500, 64}, {500, 65}, {47, 63},
			{500, 128}, {500, 129}} {
			for tr := range 4 {
				checkGemm(t, r, gemmCase{tA: tr&1 != 0, tB: tr&2 != 0, m: mn[0],
					k: 200, n: mn[1], alpha: 1.5, beta: 0.5, pad: 1})
			}
		}
	}
}

// TestSgemmBlocks covers products that span several cache blocks in every
// direction with both operands packed up front (more rows per worker than
// mc, more columns than directPanels panels): the loop order that keeps a
// panel of A in L1. The shapes follow the path's tiling, with edge tiles of
// full and half panel width, for all transposition cases.
func TestSgemmBlocks(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for _, p := range paths() {
		setPath(t, p)
		tl := tilings[pathKernels[p].kern]
		for _, th := range []int{1, 2} {
			setThreads(t, th)
			m, k := th*tl.mc+tl.mr+1, tl.kc+7
			for _, n := range []int{(directPanels+2)*tl.nr + tl.nr/2 - 3,
				(directPanels+1)*tl.nr + tl.nr - 5} {
				for tr := range 4 {
					checkGemm(t, r, gemmCase{tA: tr&1 != 0, tB: tr&2 != 0, m: m, k: k,
						n: n, alpha: 0.5, beta: 1, pad: 1, samples: 3000})
				}
			}
		}
	}
}

// TestSgemmConv checks the convolution shapes M x K x N = 32 x 864 x 13824
// and 13824 x 864 x 32 on a sample of output entries; -short checks only the
// untransposed case.
func TestSgemmConv(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for _, p := range paths() {
		setPath(t, p)
		for _, d := range [][3]int{{32, 864, 13824}, {13824, 864, 32}} {
			for tr := range 4 {
				if tr > 0 && (testing.Short() || !pathKernels[p].avx2) {
					continue
				}
				checkGemm(t, r, gemmCase{tA: tr&1 != 0, tB: tr&2 != 0, m: d[0], k: d[1],
					n: d[2], alpha: 1, beta: 1, samples: 2000})
			}
		}
	}
}

// TestSgemmNoAlloc checks that a single-threaded Sgemm does not allocate once
// its workspace exists, also with 16 columns (the 12x16 kernel, B in place)
// and overlapping rows of A.
func TestSgemmNoAlloc(t *testing.T) {
	setThreads(t, 1)
	a, b, c := make([]float32, 100*100), make([]float32, 100*100), make([]float32, 100*100)
	Sgemm(false, false, 100, 100, 100, 1, a, 100, b, 100, 0, c, 100)
	n := testing.AllocsPerRun(20, func() {
		Sgemm(false, true, 100, 100, 100, 1, a, 100, b, 100, 0, c, 100)
		Sgemm(false, false, 100, 16, 48, 1, a, 16, b, 16, 1, c, 16)
	})
	if n != 0 {
		t.Errorf("Sgemm allocated %v times per call", n)
	}
}

// TestSgemmMisuse checks that bad arguments panic with an "asm: " message:
// among them lda = 0 or negative (overlapping rows of A need lda >= 1) and
// an A too short for its last overlapping row, plain or transposed.
func TestSgemmMisuse(t *testing.T) {
	s := make([]float32, 12)
	calls := []func(){
		func() { Sgemm(false, false, -1, 2, 2, 1, s, 2, s, 2, 0, s, 2) },
		func() { Sgemm(false, false, 1, 2, 3, 1, s, 0, s, 2, 0, s, 2) },
		func() { Sgemm(false, false, 2, 2, 3, 1, s, -1, s, 2, 0, s, 2) },
		func() { Sgemm(false, false, 4, 2, 3, 1, s[:8], 2, s, 2, 0, s, 2) },
		func() { Sgemm(true, false, 3, 2, 2, 1, s, 0, s, 2, 0, s, 2) },
		func() { Sgemm(true, false, 5, 2, 4, 1, s[:10], 2, s, 2, 0, s, 2) },
		func() { Sgemm(false, false, 2, 3, 2, 1, s, 2, s, 2, 0, s, 3) },
		func() { Sgemm(false, true, 2, 4, 3, 1, s, 3, s, 3, 0, s, 3) },
		func() { Sgemm(false, false, 2, 2, 2, 1, s, 2, s, 2, 0, s[:3], 2) },
		func() { SetThreads(0) },
	}
	for i, f := range calls {
		func() {
			defer func() {
				msg, _ := recover().(string)
				if len(msg) < 5 || msg[:5] != "asm: " {
					t.Errorf("call %d: panic %q, want an \"asm: \" message", i, msg)
				}
			}()
			f()
		}()
	}
}
