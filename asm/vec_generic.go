package asm

import (
	"math"
)

// The pure-Go twins of the vector kernels. Each is the reference loop of its
// assembly kernel and the fallback on CPUs without AVX2+FMA. Explicit
// float32(...) conversions keep the compiler from fusing a multiply and an add
// (the Go spec allows fusion otherwise), so the rounding matches the assembly.

// axpyGeneric computes: for i := range y { y[i] += alpha * x[i] }.
func axpyGeneric(alpha float32, x, y []float32) {
	x = x[:len(y)]
	for i := range y {
		y[i] += float32(alpha * x[i])
	}
}

// dotGeneric computes: s = 0; for i := range x { s += x[i] * y[i] }; return s.
func dotGeneric(x, y []float32) float32 {
	y = y[:len(x)]
	var s float32
	for i := range x {
		s += float32(x[i] * y[i])
	}
	return s
}

// scaleGeneric computes: for i := range x { x[i] *= alpha }.
func scaleGeneric(alpha float32, x []float32) {
	for i := range x {
		x[i] *= alpha
	}
}

// addGeneric computes: for i := range dst { dst[i] = x[i] + y[i] }.
func addGeneric(dst, x, y []float32) {
	x, y = x[:len(dst)], y[:len(dst)]
	for i := range dst {
		dst[i] = x[i] + y[i]
	}
}

// mulGeneric computes: for i := range dst { dst[i] = x[i] * y[i] }.
func mulGeneric(dst, x, y []float32) {
	x, y = x[:len(dst)], y[:len(dst)]
	for i := range dst {
		dst[i] = x[i] * y[i]
	}
}

// reluForwardGeneric computes:
// for i := range dst { dst[i] = x[i] if x[i] > 0 else 0 }.
// A NaN input gives 0.
func reluForwardGeneric(dst, x []float32) {
	x = x[:len(dst)]
	for i := range dst {
		v := x[i]
		if !(v > 0) {
			v = 0
		}
		dst[i] = v
	}
}

// reluBackwardGeneric computes:
// for i := range dst { dst[i] = gradOut[i] if x[i] > 0 else 0 }.
func reluBackwardGeneric(dst, gradOut, x []float32) {
	gradOut, x = gradOut[:len(dst)], x[:len(dst)]
	for i := range dst {
		g := gradOut[i]
		if !(x[i] > 0) {
			g = 0
		}
		dst[i] = g
	}
}

// sumGeneric computes: s = 0; for i := range x { s += x[i] }; return s.
func sumGeneric(x []float32) float32 {
	var s float32
	for _, v := range x {
		s += v
	}
	return s
}

// maxGeneric computes: m = -Inf; for i := range x { if x[i] > m { m = x[i] } }.
// NaN elements are skipped; which zero is returned when +0 and -0 tie is
// unspecified.
func maxGeneric(x []float32) float32 {
	m := float32(math.Inf(-1))
	for _, v := range x {
		if v > m {
			m = v
		}
	}
	return m
}

// sgdMomentumGeneric computes, for every i:
//
//	d := grad[i] + weightDecay*theta[i]
//	buf[i] = momentum*buf[i] + d
//	theta[i] -= lr * buf[i]
func sgdMomentumGeneric(theta, grad, buf []float32, lr, momentum, weightDecay float32) {
	grad, buf = grad[:len(theta)], buf[:len(theta)]
	for i := range theta {
		d := grad[i] + float32(weightDecay*theta[i])
		b := float32(momentum*buf[i]) + d
		buf[i] = b
		theta[i] -= float32(lr * b)
	}
}
