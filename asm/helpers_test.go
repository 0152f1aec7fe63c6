package asm

import (
	"math"
	"math/rand/v2"
	"testing"
)

// paths lists the kernel sets this binary can run: always the pure-Go twins,
// plus the assembly when the CPU and the build have it.
func paths() []bool {
	if haveAsm && useAVX2Default {
		return []bool{false, true}
	}
	return []bool{false}
}

var useAVX2Default = useAVX2

func pathName(avx bool) string {
	if avx {
		return "avx2"
	}
	return "generic"
}

// setPath switches the kernel set until the test ends.
func setPath(t testing.TB, avx bool) {
	old := useAVX2
	useAVX2 = avx
	t.Cleanup(func() { useAVX2 = old })
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
