package asm

import (
	"github.com/klauspost/cpuid/v2"
	"golang.org/x/sys/cpu"
)

// useAVX2 selects the AVX2 assembly vector kernels (and the AVX2 GEMM
// micro-kernel unless useAVX512 is set). It is set once at start from the
// CPU features; tests flip it to run every path in one binary.
var useAVX2 = haveAsm && cpu.X86.HasAVX2 && cpu.X86.HasFMA

// useAVX512 selects the AVX-512 GEMM micro-kernel (12x32, ZMM registers). It
// needs only AVX-512F (x/sys/cpu also checks that the OS saves the ZMM
// state); GODEBUG=cpu.avx512f=off clears it at start.
var useAVX512 = useAVX2 && cpu.X86.HasAVX512F

// TODO(perf): the vector kernels have no AVX-512 versions.

// gemmKernel is the micro-kernel Sgemm uses: it follows useAVX2 and
// useAVX512 unless a test sets it, for example to the 12x32 Go twin.
var gemmKernel = defaultKernel()

func defaultKernel() microKernel {
	switch {
	case useAVX512:
		return kernel12x32AVX512
	case useAVX2:
		return kernel6x16AVX2
	}
	return kernel6x16Generic
}

// Impl names the kernel set in use: "avx512" (AVX-512 GEMM micro-kernel,
// AVX2 vector kernels), "avx2" or "generic".
func Impl() string {
	switch {
	case gemmKernel == kernel12x32AVX512:
		return "avx512"
	case useAVX2:
		return "avx2"
	}
	return "generic"
}

// CPUName is the processor brand string, for benchmark output.
func CPUName() string { return cpuid.CPU.BrandName }

// cacheSizes returns the per-core L1 data and L2 cache sizes and the L3 size
// in bytes, with common defaults where the CPU does not report them.
func cacheSizes() (l1, l2, l3 int) {
	l1, l2, l3 = cpuid.CPU.Cache.L1D, cpuid.CPU.Cache.L2, cpuid.CPU.Cache.L3
	if l1 <= 0 {
		l1 = 32 << 10
	}
	if l2 <= 0 {
		l2 = 256 << 10
	}
	if l3 <= 0 {
		l3 = 4 << 20
	}
	return l1, l2, l3
}
