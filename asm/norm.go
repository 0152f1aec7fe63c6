package asm

// Row kernels of the instance and batch norms: sums over a slab in float64, and the
// elementwise steps with float64 arithmetic rounded once to float32. The sums keep 16
// partial sums, element i of the first len - len%16 going to partial i mod 16 and the
// last len%16 to partial 0, combined pairwise at the end (sum16): the order of the
// additions is fixed by the slice alone, and 16 independent chains let the AVX2 adds
// overlap. The elementwise kernels compute exactly the float64 expression of their doc
// comment (no fused multiply-add), so the AVX2 and Go paths agree bit for bit.

// SumFloat64 returns the sum of x in float64.
func SumFloat64(x []float32) float64 {
	var p [16]float64
	n16 := len(x) &^ 15
	if useAVX2 && n16 > 0 {
		sumPartialsAVX2(x[:n16], &p)
	} else {
		sumPartialsGeneric(x[:n16], &p)
	}
	for _, v := range x[n16:] {
		p[0] += float64(v)
	}
	return sum16(&p)
}

// SquaredDeviations returns the sum of (x - mu)^2 in float64.
func SquaredDeviations(x []float32, mu float64) float64 {
	var p [16]float64
	n16 := len(x) &^ 15
	if useAVX2 && n16 > 0 {
		squaredPartialsAVX2(x[:n16], mu, &p)
	} else {
		squaredPartialsGeneric(x[:n16], mu, &p)
	}
	for _, v := range x[n16:] {
		d := float64(v) - mu
		p[0] += float64(d * d)
	}
	return sum16(&p)
}

// GradientSums returns the float64 sums of dy and of dy * (x - mu). It panics if the
// lengths differ.
func GradientSums(dy, x []float32, mu float64) (sumDy, sumDyDev float64) {
	if len(dy) != len(x) {
		panic("asm: GradientSums length mismatch")
	}
	var s, t [16]float64
	n16 := len(x) &^ 15
	if useAVX2 && n16 > 0 {
		gradientPartialsAVX2(dy[:n16], x[:n16], mu, &s, &t)
	} else {
		gradientPartialsGeneric(dy[:n16], x[:n16], mu, &s, &t)
	}
	for i := n16; i < len(x); i++ {
		g := float64(dy[i])
		s[0] += g
		t[0] += float64(g * (float64(x[i]) - mu))
	}
	return sum16(&s), sum16(&t)
}

// Normalize sets dst[i] = float32((float64(x[i]) - mu) * factor + shift). It panics if
// the lengths differ.
func Normalize(dst, x []float32, mu, factor, shift float64) {
	if len(dst) != len(x) {
		panic("asm: Normalize length mismatch")
	}
	n8 := 0
	if useAVX2 {
		n8 = len(x) &^ 7
		if n8 > 0 {
			normalizeAVX2(dst[:n8], x[:n8], mu, factor, shift)
		}
	}
	for i := n8; i < len(x); i++ {
		dst[i] = float32(float64((float64(x[i])-mu)*factor) + shift)
	}
}

// GateNormReLU sets grad[i] to 0 where float32((float64(x[i]) - mu) * factor + shift),
// the output of a norm's fused ReLU before the ReLU, is not positive (NaN included),
// and leaves it elsewhere. It panics if the lengths differ.
func GateNormReLU(grad, x []float32, mu, factor, shift float64) {
	if len(grad) != len(x) {
		panic("asm: GateNormReLU length mismatch")
	}
	n8 := 0
	if useAVX2 {
		n8 = len(x) &^ 7
		if n8 > 0 {
			gateNormReLUAVX2(grad[:n8], x[:n8], mu, factor, shift)
		}
	}
	for i := n8; i < len(x); i++ {
		if !(float32(float64((float64(x[i])-mu)*factor)+shift) > 0) {
			grad[i] = 0
		}
	}
}

// NormInputGrad holds the per-slab constants of a norm's input gradient. Its layout
// (five float64 in this order) is read by offset in norm_amd64.s.
type NormInputGrad struct {
	Mu, InvStd, Factor, ShiftDy, SlopeXhat float64
}

// AddNormInputGrad adds the norm's input gradient to dst: with xhat = (float64(x[i]) -
// Mu) * InvStd, dst[i] += float32(Factor * ((float64(dy[i]) - ShiftDy) - xhat *
// SlopeXhat)). It panics if the lengths differ.
func AddNormInputGrad(dst, x, dy []float32, k NormInputGrad) {
	if len(dst) != len(x) || len(dy) != len(x) {
		panic("asm: AddNormInputGrad length mismatch")
	}
	n8 := 0
	if useAVX2 {
		n8 = len(x) &^ 7
		if n8 > 0 {
			addNormInputGradAVX2(dst[:n8], x[:n8], dy[:n8], &k)
		}
	}
	for i := n8; i < len(x); i++ {
		xhat := (float64(x[i]) - k.Mu) * k.InvStd
		dst[i] += float32(k.Factor * (float64(dy[i]) - k.ShiftDy - float64(xhat*k.SlopeXhat)))
	}
}

// sum16 adds the 16 partial sums pairwise: ((p0+p1)+(p2+p3)) + ... in a balanced tree.
func sum16(p *[16]float64) float64 {
	var q [8]float64
	for i := range q {
		q[i] = p[2*i] + p[2*i+1]
	}
	r0, r1, r2, r3 := q[0]+q[1], q[2]+q[3], q[4]+q[5], q[6]+q[7]
	return (r0 + r1) + (r2 + r3)
}

// sumPartialsGeneric adds x[i] to p[i mod 16]: the Go twin of sumPartialsAVX2.
func sumPartialsGeneric(x []float32, p *[16]float64) {
	for i, v := range x {
		p[i%16] += float64(v)
	}
}

// squaredPartialsGeneric adds (x[i] - mu)^2 to p[i mod 16]: the twin of
// squaredPartialsAVX2.
func squaredPartialsGeneric(x []float32, mu float64, p *[16]float64) {
	for i, v := range x {
		d := float64(v) - mu
		p[i%16] += float64(d * d)
	}
}

// gradientPartialsGeneric adds dy[i] to s[i mod 16] and dy[i] * (x[i] - mu) to
// t[i mod 16]: the twin of gradientPartialsAVX2.
func gradientPartialsGeneric(dy, x []float32, mu float64, s, t *[16]float64) {
	for i, v := range x {
		g := float64(dy[i])
		s[i%16] += g
		t[i%16] += float64(g * (float64(v) - mu))
	}
}
