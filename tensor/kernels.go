package tensor

import (
	"math"
	"unsafe"

	"github.com/urpc-go/urpc/asm"
)

// useAsm selects the float32 kernels of package asm (AVX2/FMA where the CPU has them)
// for the contiguous loops below; tests and benchmarks turn it off to run the plain Go
// loops, which compute the same values (asm.Add, Mul, Scale and Exp agree with their
// Go twins bit for bit; Exp is within 2 ulp of math.Exp).
var useAsm = true

// float32s returns s as []float32 when T is a 4-byte float and the asm kernels are on,
// so that a generic loop can hand its data to package asm without copying.
func float32s[T Float](s []T) ([]float32, bool) {
	var zero T
	if !useAsm || unsafe.Sizeof(zero) != 4 {
		return nil, false
	}
	return unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(s))), len(s)), true
}

// arithOp is one of the four broadcast arithmetic operations.
type arithOp int

const (
	opAdd arithOp = iota
	opSub
	opMul
	opDiv
)

// arithVV computes dst[i] = x[i] op y[i]; the three slices have equal lengths and dst
// may be x or y.
//
// TODO(speed): package asm has no Sub or Div kernel, so those run as scalar Go loops.
func arithVV[T Float](op arithOp, dst, x, y []T) {
	x, y = x[:len(dst)], y[:len(dst)]
	if d, ok := float32s(dst); ok && (op == opAdd || op == opMul) {
		a, _ := float32s(x)
		b, _ := float32s(y)
		if op == opAdd {
			asm.Add(d, a, b)
		} else {
			asm.Mul(d, a, b)
		}
		return
	}
	switch op {
	case opAdd:
		for i := range dst {
			dst[i] = x[i] + y[i]
		}
	case opSub:
		for i := range dst {
			dst[i] = x[i] - y[i]
		}
	case opMul:
		for i := range dst {
			dst[i] = x[i] * y[i]
		}
	case opDiv:
		for i := range dst {
			dst[i] = x[i] / y[i]
		}
	}
}

// runBlock is the length of the stack buffers that hold a broadcast scalar while a
// run is computed by the vector-vector kernel.
const runBlock = 256

// arithRun computes dst[j] = x[j*stepX] op y[j*stepY] for a run whose steps are 0 (a
// broadcast element) or 1 (contiguous), handing blocks to arithVV.
func arithRun[T Float](op arithOp, dst, x []T, stepX int, y []T, stepY int) {
	if stepX == 1 && stepY == 1 {
		arithVV(op, dst, x, y)
		return
	}
	var bufX, bufY [runBlock]T
	fillBroadcast(bufX[:], x, stepX)
	fillBroadcast(bufY[:], y, stepY)
	for start := 0; start < len(dst); start += runBlock {
		end := min(start+runBlock, len(dst))
		xs, ys := bufX[:end-start], bufY[:end-start]
		if stepX == 1 {
			xs = x[start:end]
		}
		if stepY == 1 {
			ys = y[start:end]
		}
		arithVV(op, dst[start:end], xs, ys)
	}
}

// fillBroadcast sets buf to copies of src[0] when step is 0 (a broadcast element).
func fillBroadcast[T Float](buf, src []T, step int) {
	if step != 0 {
		return
	}
	for i := range buf {
		buf[i] = src[0]
	}
}

// scaleInPlace computes x[i] *= s.
func scaleInPlace[T Float](x []T, s T) {
	if d, ok := float32s(x); ok {
		asm.Scale(float32(s), d)
		return
	}
	for i := range x {
		x[i] *= s
	}
}

// expInto computes dst[i] = e^x[i]; dst may be x. Float64 uses math.Exp; float32 uses
// asm.Exp (within 2 ulp), or the float64 math.Exp rounded when the kernels are off.
func expInto[T Float](dst, x []T) {
	x = x[:len(dst)]
	if d, ok := float32s(dst); ok {
		src, _ := float32s(x)
		asm.Exp(d, src)
		return
	}
	for i, v := range x {
		dst[i] = T(math.Exp(float64(v)))
	}
}

// logInto computes dst[i] = ln x[i]; dst may be x. Float64 uses math.Log; float32
// uses log32 (within 1 ulp), or math.Log rounded when the float32 kernels are off.
func logInto[T Float](dst, x []T) {
	x = x[:len(dst)]
	if d, ok := float32s(dst); ok {
		src, _ := float32s(x)
		for i, v := range src {
			d[i] = log32(v)
		}
		return
	}
	for i, v := range x {
		dst[i] = T(math.Log(float64(v)))
	}
}

// Constants of log32.
const (
	ln2   = 0.693147180559945309417232121458176568
	sqrt2 = 1.41421356237309504880168872420969808
)

// log32 returns ln x for a float32 x, within 1 ulp of the correctly rounded value
// (about 2.5x faster than math.Log here). With x = m 2^e and m in [sqrt(1/2),
// sqrt(2)), ln x = e ln 2 + 2 atanh(s) with s = (m-1)/(m+1), |s| < 0.172; the atanh
// series to s^9 leaves a relative error below 1e-8, all in float64. Zero, negative,
// subnormal, infinite and NaN inputs go to math.Log.
func log32(x float32) float32 {
	bits := math.Float32bits(x)
	if bits-0x00800000 >= 0x7f000000 {
		return float32(math.Log(float64(x)))
	}
	e := float64(int(bits>>23) - 127)
	m := float64(math.Float32frombits(bits&0x007fffff | 0x3f800000))
	if m > sqrt2 {
		m, e = m/2, e+1
	}
	s := (m - 1) / (m + 1)
	s2 := s * s
	series := s * (2 + s2*(2.0/3+s2*(2.0/5+s2*(2.0/7+s2*(2.0/9)))))
	return float32(e*ln2 + series)
}

// maxInto computes dst[i] = max(dst[i], x[i]); a NaN in either propagates.
func maxInto[T Float](dst, x []T) {
	x = x[:len(dst)]
	for i, v := range x {
		dst[i] = max(dst[i], v)
	}
}

// sumOf returns the sum of x; float32 uses asm.Sum, whose order of additions is
// unspecified (eight running sums on AVX2).
func sumOf[T Float](x []T) T {
	if d, ok := float32s(x); ok {
		return T(asm.Sum(d))
	}
	var total T
	for _, v := range x {
		total += v
	}
	return total
}

// maxOf returns max(init, x[0], x[1], ...); a NaN propagates.
func maxOf[T Float](init T, x []T) T {
	for _, v := range x {
		init = max(init, v)
	}
	return init
}
