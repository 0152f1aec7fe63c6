package asm

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// path is one kernel set: vector kernels and GEMM micro-kernel.
type path int

const (
	genericPath path = iota // Go twins, 6x16 GEMM tile
	wideGoPath              // Go twins, 12x32 GEMM tile (the AVX-512 kernel's twin)
	avx2Path                // AVX2 vector kernels, 6x16 AVX2 GEMM kernel
	avx512Path              // AVX2 vector kernels, 12x32 AVX-512 GEMM kernel
)

// pathKernels gives the micro-kernel and the vector-kernel switch of a path.
var pathKernels = [...]struct {
	name string
	kern microKernel
	avx2 bool
}{
	genericPath: {"generic", kernel6x16Generic, false},
	wideGoPath:  {"generic12x32", kernel12x32Generic, false},
	avx2Path:    {"avx2", kernel6x16AVX2, true},
	avx512Path:  {"avx512", kernel12x32AVX512, true},
}

var useAVX2Default, useAVX512Default = useAVX2, useAVX512

// paths lists the kernel sets this binary can run: always the pure-Go twins
// (with both GEMM tiles), plus the assembly the CPU and the build have.
func paths() []path {
	ps := []path{genericPath, wideGoPath}
	if haveAsm && useAVX2Default {
		ps = append(ps, avx2Path)
	}
	if haveAsm && useAVX512Default {
		ps = append(ps, avx512Path)
	}
	return ps
}

// vecPaths lists the distinct vector-kernel sets: the AVX-512 and 12x32
// paths run the same vector kernels as avx2 and generic.
func vecPaths() []path {
	var ps []path
	for _, p := range paths() {
		if p != wideGoPath && p != avx512Path {
			ps = append(ps, p)
		}
	}
	return ps
}

func pathName(p path) string { return pathKernels[p].name }

// setPath switches the kernel set until the test ends.
func setPath(t testing.TB, p path) {
	oldAVX2, oldKern := useAVX2, gemmKernel
	useAVX2, gemmKernel = pathKernels[p].avx2, pathKernels[p].kern
	t.Cleanup(func() { useAVX2, gemmKernel = oldAVX2, oldKern })
}

// sentinel fills guard cells; its bit pattern is checked after every call.
var sentinel = math.Float32frombits(0x7fc0dead)

const guard = 8

// guarded returns a slice of n floats at offset off inside a buffer whose
// other cells hold sentinel, and the buffer.
func guarded(n, off int) (s, buf []float32) {
	buf = make([]float32, guard+off+n+guard)
	for i := range buf {
		buf[i] = sentinel
	}
	return buf[guard+off : guard+off+n], buf
}

// checkGuards fails the test if a cell outside [lo, lo+n) of buf changed.
func checkGuards(t testing.TB, name string, buf []float32, lo, n int) {
	t.Helper()
	for i, v := range buf {
		if (i < lo || i >= lo+n) && math.Float32bits(v) != 0x7fc0dead {
			t.Fatalf("%s: guard cell %d (slice %d..%d) changed to %v", name, i, lo, lo+n, v)
		}
	}
}

// randVec fills x with values in [-scale, scale); one in 16 entries is a
// special value (zeros of both signs) so that ties and signs are exercised.
func randVec(r *rand.Rand, x []float32, scale float32) {
	for i := range x {
		x[i] = (2*r.Float32() - 1) * scale
		switch r.IntN(32) {
		case 0:
			x[i] = 0
		case 1:
			x[i] = float32(math.Copysign(0, -1))
		}
	}
}

// sameBits reports whether a and b are the same float32, treating all NaNs as
// equal.
func sameBits(a, b float32) bool {
	return math.Float32bits(a) == math.Float32bits(b) || (a != a && b != b)
}

// checkAsmPanics runs every call and fails the test for each that does not panic
// with a message starting "asm: " (the package's misuse panics).
func checkAsmPanics(t *testing.T, calls map[string]func()) {
	t.Helper()
	for name, f := range calls {
		func() {
			defer func() {
				msg, _ := recover().(string)
				if !strings.HasPrefix(msg, "asm: ") {
					t.Errorf("%s: panic %q, want an \"asm: \" message", name, msg)
				}
			}()
			f()
		}()
	}
}
