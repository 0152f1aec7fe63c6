package asm

import (
	"github.com/klauspost/cpuid/v2"
	"golang.org/x/sys/cpu"
)

// useAVX2 selects the assembly kernels. It is set once at start from the CPU
// features; tests flip it to run both paths in one binary.
var useAVX2 = haveAsm && cpu.X86.HasAVX2 && cpu.X86.HasFMA

// Impl names the kernel set in use: "avx2" or "generic".
func Impl() string {
	if useAVX2 {
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
