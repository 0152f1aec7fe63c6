package asm

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"testing"
)

// FuzzSgemm checks Sgemm on every path against the float64 triple loop for
// shapes up to 63 in each dimension. alpha and beta are int8/16.
func FuzzSgemm(f *testing.F) {
	f.Add(uint8(1), uint8(1), uint8(1), false, false, int8(16), int8(0), uint64(1))
	f.Add(uint8(7), uint8(17), uint8(5), true, false, int8(-8), int8(16), uint64(2))
	f.Fuzz(func(t *testing.T, m, n, k uint8, tA, tB bool, alpha, beta int8, seed uint64) {
		c := gemmCase{tA: tA, tB: tB, m: int(m % 64), n: int(n % 64), k: int(k % 64),
			alpha: float32(alpha) / 16, beta: float32(beta) / 16, pad: int(seed % 3)}
		for _, p := range paths() {
			setPath(t, p)
			for _, th := range []int{1, 2} {
				setThreads(t, th)
				checkGemm(t, rand.New(rand.NewPCG(seed, 0)), c)
			}
		}
	})
}

// FuzzExp checks that Exp gives its twin's bits on every path, and is within
// 2 ulp of math.Exp where the result is a normal float.
func FuzzExp(f *testing.F) {
	for _, x := range []float32{0, 1, -1, 88.7, -87.3, 1e-8, float32(math.NaN())} {
		f.Add(x)
	}
	f.Fuzz(func(t *testing.T, x float32) {
		in := []float32{x, x, x, x, x, x, x, x, x}
		want := make([]float32, len(in))
		expGeneric(want, in)
		got := make([]float32, len(in))
		for _, p := range vecPaths() {
			setPath(t, p)
			Exp(got, in)
			for i := range got {
				if !sameBits(got[i], want[i]) {
					t.Fatalf("impl=%s: Exp(%v) = %v, twin %v", pathName(p), x, got[i], want[i])
				}
			}
		}
		e := math.Exp(float64(x))
		if e >= 0x1p-126 && e <= math.MaxFloat32 {
			ulp := float64(math.Nextafter32(float32(e), float32(math.Inf(1))) - float32(e))
			if d := math.Abs(float64(want[0])-e) / ulp; d > 2 {
				t.Fatalf("Exp(%v) = %v, want %v: %.2f ulp", x, want[0], e, d)
			}
		}
	})
}

// FuzzDot checks Dot and Sum on every path against float64 sums; the input
// bytes are read as float32 pairs, non-finite or huge values as 0.
func FuzzDot(f *testing.F) {
	f.Add([]byte("\x00\x00\x80\x3f\x00\x00\x00\x40"))
	f.Add(make([]byte, 8*37))
	f.Fuzz(func(t *testing.T, data []byte) {
		n := len(data) / 8
		x, y := make([]float32, n), make([]float32, n)
		for i := range n {
			x[i] = finite(binary.LittleEndian.Uint32(data[8*i:]))
			y[i] = finite(binary.LittleEndian.Uint32(data[8*i+4:]))
		}
		var dot, dotAbs, sum, sumAbs float64
		for i := range x {
			dot += float64(x[i]) * float64(y[i])
			dotAbs += math.Abs(float64(x[i]) * float64(y[i]))
			sum += float64(x[i])
			sumAbs += math.Abs(float64(x[i]))
		}
		tol := float64(n+1) * 0x1p-23
		for _, p := range vecPaths() {
			setPath(t, p)
			// Products below the float32 range round to 0 or a subnormal.
			if got := Dot(x, y); math.Abs(float64(got)-dot) > tol*dotAbs+float64(n)*0x1p-149 {
				t.Fatalf("impl=%s: Dot = %v, want %v", pathName(p), got, dot)
			}
			if got := Sum(x); math.Abs(float64(got)-sum) > tol*sumAbs {
				t.Fatalf("impl=%s: Sum = %v, want %v", pathName(p), got, sum)
			}
		}
	})
}

// finite reads bits as a float32, giving 0 for NaN, Inf and values whose
// products could overflow.
func finite(bits uint32) float32 {
	v := math.Float32frombits(bits)
	if v != v || math.Abs(float64(v)) > 1e15 {
		return 0
	}
	return v
}
