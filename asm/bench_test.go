package asm

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
)

// gemmShapes are the benchmarked M x K x N shapes: square ones and the two
// convolution shapes.
var gemmShapes = [][3]int{{1024, 1024, 1024}, {4096, 4096, 4096},
	{32, 864, 13824}, {13824, 864, 32}}

// BenchmarkGEMM reports GFLOP/s and GFLOP per CPU-second (user plus system
// time of the process, which stays meaningful when other processes share the
// cores) of C = A*B (no transposes, beta 0) for each shape with 1 and 2
// threads on every path. The pure-Go paths skip shapes above 3 GFLOP, and
// -short skips 4096^3.
func BenchmarkGEMM(b *testing.B) {
	l1, l2, l3 := cacheSizes()
	b.Logf("cpu: %s; L1d %d KiB, L2 %d KiB, L3 %d KiB", CPUName(), l1>>10, l2>>10, l3>>10)
	for _, p := range paths() {
		t := tilings[pathKernels[p].kern]
		b.Logf("impl=%s: tile %dx%d, mc %d kc %d nc %d", pathName(p), t.mr, t.nr,
			t.mc, t.kc, t.nc)
	}
	r := rand.New(rand.NewPCG(1, 1))
	for _, s := range gemmShapes {
		m, k, n := s[0], s[1], s[2]
		flop := 2 * float64(m) * float64(n) * float64(k)
		if testing.Short() && flop > 1e10 {
			continue
		}
		x, y, z := make([]float32, m*k), make([]float32, k*n), make([]float32, m*n)
		randVec(r, x, 1)
		randVec(r, y, 1)
		for _, th := range []int{1, 2} {
			for _, p := range paths() {
				if !pathKernels[p].avx2 && flop > 3e9 {
					continue
				}
				name := fmt.Sprintf("shape=%dx%dx%d/threads=%d/impl=%s", m, k, n, th,
					pathName(p))
				b.Run(name, func(b *testing.B) {
					setPath(b, p)
					setThreads(b, th)
					cpu0 := processCPUSeconds()
					for b.Loop() {
						Sgemm(false, false, m, n, k, 1, x, k, y, n, 0, z, n)
					}
					reportGFLOP(b, flop, cpu0)
				})
			}
		}
	}
}

// conv16Shapes are the products of the 16-channel convolutions in a training
// step, channels last: C[positions, 16] = A[positions, 48] * W (the forward,
// alone and accumulated), the weight gradient A^T[48, 512] * B[512, 16], and
// the input gradient C[384, 432] = A[384, 16] * W (N % 32 = 16).
var conv16Shapes = []struct {
	m, k, n int
	tA      bool
	beta    float32
}{{384, 48, 16, false, 0}, {384, 48, 16, false, 1}, {48, 512, 16, true, 1},
	{384, 16, 432, false, 0}}

// BenchmarkGEMMConv16 reports GFLOP/s and GFLOP per CPU-second of the
// conv16Shapes products, single-threaded, on every path; A is read in place
// when C's width fits the direct limit (directPanels panels of B).
func BenchmarkGEMMConv16(b *testing.B) {
	r := rand.New(rand.NewPCG(5, 5))
	for _, s := range conv16Shapes {
		m, k, n := s.m, s.k, s.n
		lda := k
		if s.tA {
			lda = m
		}
		x, y, z := make([]float32, m*k), make([]float32, k*n), make([]float32, m*n)
		randVec(r, x, 1)
		randVec(r, y, 1)
		flop := 2 * float64(m) * float64(n) * float64(k)
		for _, p := range paths() {
			name := fmt.Sprintf("shape=%dx%dx%d/tA=%v/beta=%v/impl=%s", m, k, n, s.tA,
				s.beta, pathName(p))
			b.Run(name, func(b *testing.B) {
				setPath(b, p)
				setThreads(b, 1)
				cpu0 := processCPUSeconds()
				for b.Loop() {
					Sgemm(s.tA, false, m, n, k, 1, x, lda, y, n, s.beta, z, n)
				}
				reportGFLOP(b, flop, cpu0)
			})
		}
	}
}

// BenchmarkGEMMKernel times the micro-kernel alone on packed panels that stay
// in L1, k = kc of its tiling: the ceiling of the blocked Sgemm. Kernels with
// a half-width sibling also run it (tile 12x16, on the same 32-wide panel),
// and both at k = 48, the depth of a 16-channel convolution's product.
func BenchmarkGEMMKernel(b *testing.B) {
	r := rand.New(rand.NewPCG(3, 3))
	for _, p := range paths() {
		kern := pathKernels[p].kern
		t := tilings[kern]
		g := gemm{kern: kern, tiling: t, alpha: 1}
		a, bp, c := make([]float32, t.mr*t.kc), make([]float32, t.kc*t.nr),
			make([]float32, t.mr*t.nr)
		randVec(r, a, 1)
		randVec(r, bp, 1)
		widths, ks := []int{t.nr}, []int{t.kc}
		if g.hasHalf() {
			widths, ks = append(widths, t.nr/2), append(ks, 48)
		}
		for _, k := range ks {
			for _, w := range widths {
				flop := 2 * float64(t.mr*w*k)
				name := fmt.Sprintf("tile=%dx%d/k=%d/impl=%s", t.mr, w, k, pathName(p))
				b.Run(name, func(b *testing.B) {
					cpu0 := processCPUSeconds()
					for b.Loop() {
						g.kernel(k, a, 1, t.mr, bp, t.nr, c, t.nr, t.mr, w)
					}
					reportGFLOP(b, flop, cpu0)
				})
			}
		}
	}
}

// reportGFLOP reports GFLOP/s of wall time and GFLOP per CPU-second since
// cpu0 for b.N runs of flop floating-point operations each.
func reportGFLOP(b *testing.B, flop, cpu0 float64) {
	total := flop * float64(b.N) / 1e9
	b.ReportMetric(total/b.Elapsed().Seconds(), "GFLOP/s")
	if cpu := processCPUSeconds() - cpu0; cpu > 0 {
		b.ReportMetric(total/cpu, "GFLOP/cpu-s")
	}
}

// TestGEMMInterleaved is a measurement for shared machines, not a check: with
// ASM_GEMM_INTERLEAVED=rounds (and optionally ASM_GEMM_SHAPES=MxKxN,...) it
// runs single-threaded C = A*B on the assembly paths in turn, rounds times,
// and logs per shape the best GFLOP per CPU-second of each path. Taking the
// best of interleaved runs keeps other processes' load out of the comparison
// better than consecutive benchmarks do.
func TestGEMMInterleaved(t *testing.T) {
	rounds, _ := strconv.Atoi(os.Getenv("ASM_GEMM_INTERLEAVED"))
	if rounds <= 0 || processCPUSeconds() == 0 {
		t.Skip("measurement; set ASM_GEMM_INTERLEAVED=rounds to run (unix only)")
	}
	var asmPaths []path
	for _, p := range paths() {
		if pathKernels[p].avx2 {
			asmPaths = append(asmPaths, p)
		}
	}
	shapes := gemmShapes
	if env := os.Getenv("ASM_GEMM_SHAPES"); env != "" {
		shapes = nil
		for _, sh := range strings.Split(env, ",") {
			var s [3]int
			if _, err := fmt.Sscanf(sh, "%dx%dx%d", &s[0], &s[1], &s[2]); err != nil {
				t.Fatalf("ASM_GEMM_SHAPES: %q is not MxKxN", sh)
			}
			shapes = append(shapes, s)
		}
	}
	setThreads(t, 1)
	r := rand.New(rand.NewPCG(4, 4))
	for _, s := range shapes {
		m, k, n := s[0], s[1], s[2]
		x, y, z := make([]float32, m*k), make([]float32, k*n), make([]float32, m*n)
		randVec(r, x, 1)
		randVec(r, y, 1)
		flop := 2 * float64(m) * float64(n) * float64(k)
		reps := max(1, int(2e9/flop)) // about 2 GFLOP per timed run
		line := fmt.Sprintf("shape=%dx%dx%d best of %d (GFLOP/cpu-s):", m, k, n, rounds)
		best := map[path]float64{}
		for range rounds {
			for _, p := range asmPaths {
				setPath(t, p)
				cpu0 := processCPUSeconds()
				for range reps {
					Sgemm(false, false, m, n, k, 1, x, k, y, n, 0, z, n)
				}
				best[p] = max(best[p], flop*float64(reps)/(processCPUSeconds()-cpu0)/1e9)
			}
		}
		for _, p := range asmPaths {
			line += fmt.Sprintf(" %s %.1f", pathName(p), best[p])
		}
		t.Log(line)
	}
}

// vecBench is one vector kernel for BenchmarkVec; bytes is the memory it
// reads and writes per element.
type vecBench struct {
	name  string
	bytes int64
	run   func(x, y, z []float32)
}

var vecBenches = []vecBench{
	{"Axpy", 12, func(x, y, z []float32) { Axpy(0.5, x, y) }},
	{"Dot", 8, func(x, y, z []float32) { sink = Dot(x, y) }},
	{"Scale", 8, func(x, y, z []float32) { Scale(1, x) }},
	{"Add", 12, func(x, y, z []float32) { Add(z, x, y) }},
	{"Mul", 12, func(x, y, z []float32) { Mul(z, x, y) }},
	{"ReluForward", 8, func(x, y, z []float32) { ReluForward(z, x) }},
	{"ReluBackward", 12, func(x, y, z []float32) { ReluBackward(z, y, x) }},
	{"Sum", 4, func(x, y, z []float32) { sink = Sum(x) }},
	{"Max", 4, func(x, y, z []float32) { sink = Max(x) }},
	{"Exp", 8, func(x, y, z []float32) { Exp(z, x) }},
	{"SGDMomentum", 20, func(x, y, z []float32) { SGDMomentum(z, x, y, 0, 0.9, 0, false) }},
}

var sink float32

// BenchmarkVec reports GB/s of every vector kernel beside its pure-Go twin,
// at an L1-sized length and an L3-sized one.
func BenchmarkVec(b *testing.B) {
	r := rand.New(rand.NewPCG(2, 2))
	for _, n := range []int{4096, 1 << 22} {
		x, y, z := make([]float32, n), make([]float32, n), make([]float32, n)
		randVec(r, x, 1)
		randVec(r, y, 1)
		for _, v := range vecBenches {
			for _, p := range paths() {
				name := fmt.Sprintf("kernel=%s/n=%d/impl=%s", v.name, n, pathName(p))
				b.Run(name, func(b *testing.B) {
					setPath(b, p)
					b.SetBytes(v.bytes * int64(n))
					for b.Loop() {
						v.run(x, y, z)
					}
				})
			}
		}
	}
}
