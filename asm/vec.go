package asm

import "math"

// Axpy computes y[i] += alpha*x[i] for every i. It panics if len(x) != len(y).
func Axpy(alpha float32, x, y []float32) {
	if len(x) != len(y) {
		panic("asm: Axpy length mismatch")
	}
	if useAVX2 {
		axpyAVX2(alpha, x, y)
		return
	}
	axpyGeneric(alpha, x, y)
}

// Dot returns the sum of x[i]*y[i]. It panics if len(x) != len(y).
// The order of the additions is unspecified.
func Dot(x, y []float32) float32 {
	if len(x) != len(y) {
		panic("asm: Dot length mismatch")
	}
	if useAVX2 {
		return dotAVX2(x, y)
	}
	return dotGeneric(x, y)
}

// Scale computes x[i] *= alpha for every i.
func Scale(alpha float32, x []float32) {
	if useAVX2 {
		scaleAVX2(alpha, x)
		return
	}
	scaleGeneric(alpha, x)
}

// Add computes dst[i] = x[i] + y[i]. dst may be x or y (in place).
func Add(dst, x, y []float32) {
	if len(x) != len(dst) || len(y) != len(dst) {
		panic("asm: Add length mismatch")
	}
	if useAVX2 {
		addAVX2(dst, x, y)
		return
	}
	addGeneric(dst, x, y)
}

// Mul computes dst[i] = x[i] * y[i]. dst may be x or y (in place).
func Mul(dst, x, y []float32) {
	if len(x) != len(dst) || len(y) != len(dst) {
		panic("asm: Mul length mismatch")
	}
	if useAVX2 {
		mulAVX2(dst, x, y)
		return
	}
	mulGeneric(dst, x, y)
}

// ReluForward computes dst[i] = x[i] if x[i] > 0, else 0 (NaN gives 0).
// dst may be x.
func ReluForward(dst, x []float32) {
	if len(x) != len(dst) {
		panic("asm: ReluForward length mismatch")
	}
	if useAVX2 {
		reluForwardAVX2(dst, x)
		return
	}
	reluForwardGeneric(dst, x)
}

// ReluBackward computes dst[i] = gradOut[i] if x[i] > 0, else 0, where x is
// the ReLU's input. dst may be gradOut or x.
func ReluBackward(dst, gradOut, x []float32) {
	if len(gradOut) != len(dst) || len(x) != len(dst) {
		panic("asm: ReluBackward length mismatch")
	}
	if useAVX2 {
		reluBackwardAVX2(dst, gradOut, x)
		return
	}
	reluBackwardGeneric(dst, gradOut, x)
}

// Sum returns the sum of x[i]. The order of the additions is unspecified.
func Sum(x []float32) float32 {
	if useAVX2 {
		return sumAVX2(x)
	}
	return sumGeneric(x)
}

// Max returns the largest x[i], skipping NaNs; -Inf for an empty x.
func Max(x []float32) float32 {
	if useAVX2 {
		return maxAVX2(x)
	}
	return maxGeneric(x)
}

// Exp computes dst[i] = e**x[i]; dst may be x. The result is within 2 ulp of
// the correctly rounded value for results in the normal range (see expGeneric
// for the method and the measured error); it is +Inf above 88.7228, rounds
// into subnormals below -87.33 and is 0 below -103.98. NaN stays NaN.
func Exp(dst, x []float32) {
	if len(x) != len(dst) {
		panic("asm: Exp length mismatch")
	}
	if !useAVX2 {
		expGeneric(dst, x)
		return
	}
	n8 := len(x) &^ 7
	if n8 > 0 {
		expAVX2(dst[:n8], x[:n8])
	}
	if n8 < len(x) {
		var t [8]float32
		copy(t[:], x[n8:])
		expAVX2(t[:], t[:])
		copy(dst[n8:], t[:])
	}
}

// SGDMomentum does one SGD step with momentum and L2 weight decay, in place,
// as torch.optim.SGD (dampening 0, not Nesterov) does:
//
//	d := grad[i] + weightDecay*theta[i]
//	buf[i] = momentum*buf[i] + d   (buf[i] = d when first)
//	theta[i] -= lr * buf[i]
//
// It panics unless theta, grad and buf have equal lengths.
func SGDMomentum(theta, grad, buf []float32, lr, momentum, weightDecay float32, first bool) {
	if len(grad) != len(theta) || len(buf) != len(theta) {
		panic("asm: SGDMomentum length mismatch")
	}
	if first {
		clear(buf)
		momentum = 0
	}
	if useAVX2 {
		sgdMomentumAVX2(theta, grad, buf, lr, momentum, weightDecay)
		return
	}
	sgdMomentumGeneric(theta, grad, buf, lr, momentum, weightDecay)
}

// Constants of the exponential; see expGeneric.
const (
	expLo  = -104.0 // below this e**x rounds to 0
	expHi  = 88.8   // above this e**x overflows to +Inf
	log2e  = 1.4426950408889634
	ln2Hi  = 0.693359375 // 9 significant bits: n*ln2Hi is exact
	ln2Lo  = -2.12194440054690583e-4
	expLen = 13
)

// expConsts holds, in order, expLo, expHi, log2e, ln2Hi, ln2Lo and the Taylor
// coefficients 1/7!, 1/6!, ..., 1/2!, 1, 1 of e**r, each rounded to float32.
var expConsts = [expLen]float32{expLo, expHi, log2e, ln2Hi, ln2Lo,
	1.0 / 5040, 1.0 / 720, 1.0 / 120, 1.0 / 24, 1.0 / 6, 0.5, 1, 1}

// expVecs is expConsts with every entry repeated 8 times, for the assembly.
var expVecs = func() (v [expLen][8]float32) {
	for i, c := range expConsts {
		for j := range v[i] {
			v[i][j] = c
		}
	}
	return v
}()

// expGeneric computes dst[i] = e**x[i] as the assembly does. With
// v = x clamped to [expLo, expHi] and n = round(v*log2e) (ties to even),
// r = v - n*ln2Hi - n*ln2Lo lies within about ±0.35, e**r is the degree-7
// Taylor polynomial (truncation error below 5e-9 relative) in Horner form, and
// e**x = e**r * 2**h * 2**(n-h) with h = n>>1, so that both scale factors stay
// normal floats and overflow and underflow happen in the last multiply. Every
// operation is rounded to float32. Against math.Exp over a sweep of 2**20
// inputs with normal results the measured error is at most 1.2 ulp
// (TestExpAccuracy fails above 2 ulp).
func expGeneric(dst, x []float32) {
	c := &expConsts
	x = x[:len(dst)]
	for i := range dst {
		v := x[i]
		if v != v {
			dst[i] = v
			continue
		}
		v = min(max(v, c[0]), c[1])
		n := float32(math.RoundToEven(float64(v * c[2])))
		r := v - float32(n*c[3])
		r -= float32(n * c[4])
		p := c[5]
		for _, ck := range c[6:] {
			p = float32(p*r) + ck
		}
		ni := int32(n)
		h := ni >> 1
		s1 := math.Float32frombits(uint32(h+127) << 23)
		s2 := math.Float32frombits(uint32(ni-h+127) << 23)
		dst[i] = float32(p*s1) * s2
	}
}
