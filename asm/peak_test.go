package asm

import (
	"fmt"
	"sync"
	"testing"
)

// peakKernel is one FMA peak loop and its vector width in floats.
type peakKernel struct {
	name  string
	lanes int
	run   func(int) float32
}

// peakKernels are the FMA peak loops of this build; the generic loop is tested but
// not benchmarked (it measures the compiler, not the core).
func peakKernels() []peakKernel {
	var ks []peakKernel
	if haveAsm && useAVX2Default {
		ks = append(ks, peakKernel{"avx2", 8, fmaPeakAVX2})
	}
	if haveAsm && useAVX512Default {
		ks = append(ks, peakKernel{"avx512", 16, fmaPeakAVX512})
	}
	return ks
}

// TestFMAPeakMatchesTwin checks the FMA peak loops against their Go twin: 12*n for
// small n, also n = 0.
func TestFMAPeakMatchesTwin(t *testing.T) {
	for _, n := range []int{0, 1, 2, 7, 1000, 4097} {
		want := fmaPeakGeneric(n)
		if want != float32(12*n) {
			t.Fatalf("fmaPeakGeneric(%d) = %v, want %d", n, want, 12*n)
		}
		for _, k := range peakKernels() {
			if got := k.run(n); got != want {
				t.Errorf("%s(%d) = %v, want %v", k.name, n, got, want)
			}
		}
	}
}

// BenchmarkFMAPeak measures the fused multiply-add peak of one core and of
// two (two goroutines, each its own loop) with 12 independent YMM or ZMM
// accumulators: the yardstick for the GEMM's GFLOP/s.
func BenchmarkFMAPeak(b *testing.B) {
	const iters = 1 << 20
	for _, k := range peakKernels() {
		flop := float64(iters) * 12 * 2 * float64(k.lanes)
		for _, th := range []int{1, 2} {
			b.Run(fmt.Sprintf("threads=%d/impl=%s", th, k.name), func(b *testing.B) {
				cpu0 := processCPUSeconds()
				for b.Loop() {
					var wg sync.WaitGroup
					for range th {
						wg.Go(func() { k.run(iters) })
					}
					wg.Wait()
				}
				reportGFLOP(b, flop*float64(th), cpu0)
			})
		}
	}
}
