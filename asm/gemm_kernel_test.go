package asm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"golang.org/x/sys/cpu"
)

// TestKernelChoice checks the kernel choice made at start against the CPU
// features and GODEBUG: cpu.avx512f=off must select the AVX2 micro-kernel,
// cpu.avx2=off the Go twins.
func TestKernelChoice(t *testing.T) {
	godebug := os.Getenv("GODEBUG")
	t.Logf("GODEBUG=%q: Impl()=%s, cpu %s", godebug, Impl(), CPUName())
	off := func(feature string) bool {
		return strings.Contains(godebug, "cpu."+feature+"=off") ||
			strings.Contains(godebug, "cpu.all=off")
	}
	wantAVX2 := haveAsm && cpu.X86.HasAVX2 && cpu.X86.HasFMA && !off("avx2") && !off("fma")
	wantAVX512 := wantAVX2 && cpu.X86.HasAVX512F && !off("avx512f")
	want := map[[2]bool]string{{false, false}: "generic", {true, false}: "avx2",
		{true, true}: "avx512"}[[2]bool{wantAVX2, wantAVX512}]
	if Impl() != want || useAVX2Default != wantAVX2 || useAVX512Default != wantAVX512 {
		t.Errorf("Impl() = %s (avx2 %v, avx512 %v), want %s", Impl(), useAVX2Default,
			useAVX512Default, want)
	}
}

// kernelTwins pairs each assembly micro-kernel the CPU can run with its Go
// twin of the same tile shape.
func kernelTwins() [][2]microKernel {
	var ps [][2]microKernel
	if haveAsm && useAVX2Default {
		ps = append(ps, [2]microKernel{kernel6x16AVX2, kernel6x16Generic})
	}
	if haveAsm && useAVX512Default {
		ps = append(ps, [2]microKernel{kernel12x32AVX512, kernel12x32Generic})
	}
	return ps
}

// kernelLayout is one way the micro-kernel reads its operands: A as a packed
// panel, in place, or in place transposed; B packed or in place (bPad extra
// columns per row); C with cPad extra columns per row.
type kernelLayout struct {
	name       string
	aIn, aT    bool
	bPad, cPad int
}

var kernelLayouts = []kernelLayout{
	{"packed", false, false, 0, 0},
	{"a-in-place", true, false, 0, 3},
	{"a-transposed", true, true, 5, 1},
}

// runKernel runs kern once for the first rows rows of its tile on operands
// laid out as l, into a copy of c0, and returns C.
func runKernel(kern microKernel, l kernelLayout, k, rows int, a, b, c0 []float32,
	alpha float32) []float32 {
	t := tilings[kern]
	lda := max(k, 1) + 2
	aRow, aStep := 1, t.mr
	switch {
	case l.aT:
		aRow, aStep = 1, t.mr+2
	case l.aIn:
		aRow, aStep = lda, 1
	}
	c := append([]float32(nil), c0...)
	g := gemm{kern: kern, tiling: t, alpha: alpha}
	g.kernel(k, a, aRow, aStep, b, t.nr+l.bPad, c, t.nr+l.cPad, rows, t.nr)
	return c
}

// kernelOperands returns A, B and C for one runKernel call with k steps;
// with ints, every value is a small integer so that all sums are exact.
func kernelOperands(r *rand.Rand, kern microKernel, l kernelLayout, k int,
	ints bool) (a, b, c []float32) {
	t := tilings[kern]
	fill := func(n int) []float32 {
		x := make([]float32, n)
		randVec(r, x, 1)
		if ints {
			for i := range x {
				x[i] = float32(r.IntN(9) - 4)
			}
		}
		return x
	}
	lda := max(k, 1) + 2
	a = fill(max(t.mr*lda, k*(t.mr+2), t.mr*max(k, 1)))
	b = fill(max(k, 1) * (t.nr + l.bPad))
	c = fill(t.mr * (t.nr + l.cPad))
	return a, b, c
}

// TestSgemmKernelTwins checks each assembly micro-kernel against its Go twin
// for k = 0..70 and a few block depths, for every row count it runs, in every
// operand layout: bit for bit on small-integer operands (every sum is exact,
// so fusing cannot change it), and to (k+2) float32 steps of the sum of
// magnitudes on random ones. Rows past the row count and cells of C between
// rows must not change.
func TestSgemmKernelTwins(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	ks := []int{191, 192, 193, 384, 385}
	for k := 0; k <= 70; k++ {
		ks = append(ks, k)
	}
	for _, tw := range kernelTwins() {
		ti := tilings[tw[0]]
		for rows := ti.rowStep; rows <= ti.mr; rows += ti.rowStep {
			for _, l := range kernelLayouts {
				name := fmt.Sprintf("kernel=%s/rows=%d/%s", kernelName(tw[0]), rows, l.name)
				t.Run(name, func(t *testing.T) {
					for _, k := range ks {
						for _, ints := range []bool{true, false} {
							alpha := float32(-0.5)
							if !ints {
								alpha = 1.25
							}
							a, b, c0 := kernelOperands(r, tw[0], l, k, ints)
							got := runKernel(tw[0], l, k, rows, a, b, c0, alpha)
							want := runKernel(tw[1], l, k, rows, a, b, c0, alpha)
							compareTiles(t, ti, l, k, rows, alpha, got, want, c0, ints)
						}
					}
				})
			}
		}
	}
}

// kernelName is the name of the path that uses kern.
func kernelName(kern microKernel) string {
	for _, pk := range pathKernels {
		if pk.kern == kern {
			return pk.name
		}
	}
	return "unknown"
}

// compareTiles fails the test unless got and want agree (bit for bit when
// exact) in the first rows rows of the tile and got equals c0 elsewhere.
// Operands lie in [-1, 1], so k*|alpha| + |c0| bounds the sum of magnitudes.
func compareTiles(t *testing.T, ti tiling, l kernelLayout, k, rows int, alpha float32,
	got, want, c0 []float32, exact bool) {
	t.Helper()
	ldc := ti.nr + l.cPad
	for i := 0; i < ti.mr; i++ {
		for j := 0; j < ldc; j++ {
			o := i*ldc + j
			if j >= ti.nr || i >= rows {
				if !sameBits(got[o], c0[o]) {
					t.Fatalf("k=%d rows=%d: C[%d][%d] outside the rows changed", k, rows, i, j)
				}
				continue
			}
			tol := 0.0
			if !exact {
				abs := float64(k)*math.Abs(float64(alpha)) + math.Abs(float64(c0[o]))
				tol = float64(k+2) * 0x1p-23 * abs
			}
			if d := math.Abs(float64(got[o]) - float64(want[o])); d > tol || got[o] != got[o] {
				t.Fatalf("k=%d exact=%v: C[%d][%d] = %v, twin %v", k, exact, i, j, got[o], want[o])
			}
		}
	}
}

// TestSgemmEdgeTiles runs Sgemm on every path for shapes one below, at and one
// above the tile edges of both micro-kernels (and the 4- and 8-row runs of
// the 12x32 one), in all transposition cases.
func TestSgemmEdgeTiles(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	for _, p := range paths() {
		setPath(t, p)
		for _, m := range []int{1, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 16, 20, 24, 25, 32} {
			for _, n := range []int{1, 15, 16, 17, 31, 32, 33, 64, 65} {
				for tr := range 4 {
					checkGemm(t, r, gemmCase{tA: tr&1 != 0, tB: tr&2 != 0, m: m, k: 37,
						n: n, alpha: 0.75, beta: 0.5, pad: r.IntN(3)})
				}
			}
		}
	}
}

// TestPackBTwins checks the assembly B panel copies against their Go twin,
// bit for bit, for k = 0..40 and 1..3 panels, with guard cells after them.
func TestPackBTwins(t *testing.T) {
	type pack func(k int, src []float32, ld int, dst []float32, panels int)
	var packs []pack
	var widths []int
	if haveAsm && useAVX2Default {
		packs, widths = append(packs, packBRows16AVX2), append(widths, 16)
	}
	if haveAsm && useAVX512Default {
		packs, widths = append(packs, packBRows32AVX512), append(widths, 32)
	}
	r := rand.New(rand.NewPCG(15, 16))
	for i, pack := range packs {
		nr := widths[i]
		for k := 0; k <= 40; k++ {
			for panels := 1; panels <= 3; panels++ {
				ld := panels*nr + k%5
				src := make([]float32, k*ld)
				randVec(r, src, 1)
				n := k * nr * panels
				got, buf := guarded(n, 0)
				want := make([]float32, n)
				pack(k, src, ld, got, panels)
				packBRowsGeneric(nr, k, src, ld, want, panels)
				name := fmt.Sprintf("nr=%d k=%d panels=%d", nr, k, panels)
				for j := range want {
					if !sameBits(got[j], want[j]) {
						t.Fatalf("%s: dst[%d] = %v, twin %v", name, j, got[j], want[j])
					}
				}
				checkGuards(t, name, buf, guard, n)
			}
		}
	}
}

// TestPackATwins checks the assembly A panel copy against its Go twin, bit
// for bit, for 6 and 12 rows, k = 0..40, with guard cells after the panel.
func TestPackATwins(t *testing.T) {
	if !haveAsm {
		t.Skip("no assembly in this build")
	}
	r := rand.New(rand.NewPCG(17, 18))
	for _, mr := range []int{6, 12} {
		for k := 0; k <= 40; k++ {
			lda := k + k%3
			src := make([]float32, (mr-1)*lda+k)
			randVec(r, src, 1)
			got, buf := guarded(k*mr, 0)
			want := make([]float32, k*mr)
			packAAsm(mr, k, src, lda, got)
			packAGeneric(mr, mr, k, src, lda, want)
			for j := range want {
				if !sameBits(got[j], want[j]) {
					t.Fatalf("mr=%d k=%d: dst[%d] = %v, twin %v", mr, k, j, got[j], want[j])
				}
			}
			checkGuards(t, fmt.Sprintf("mr=%d k=%d", mr, k), buf, guard, k*mr)
		}
	}
}
