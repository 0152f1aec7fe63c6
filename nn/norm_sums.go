package nn

import "github.com/urpc-go/urpc/tensor"

// The norms' sums over a slab, in float64. Four interleaved partial sums (element i
// goes to partial i mod 4, added as (p0 + p1) + (p2 + p3) at the end) break the chain
// of dependent additions that one running sum makes, so that the adds overlap: a
// 32^3 slab's sums ran about four times as fast. The order of additions is fixed by
// the slab alone, so results do not depend on the number of workers.

// sumOf returns the sum of xs.
func sumOf[T tensor.Float](xs []T) float64 {
	var p0, p1, p2, p3 float64
	for len(xs) >= 4 {
		p0 += float64(xs[0])
		p1 += float64(xs[1])
		p2 += float64(xs[2])
		p3 += float64(xs[3])
		xs = xs[4:]
	}
	for k, v := range xs {
		switch k {
		case 0:
			p0 += float64(v)
		case 1:
			p1 += float64(v)
		default:
			p2 += float64(v)
		}
	}
	return (p0 + p1) + (p2 + p3)
}

// squaredDeviations returns the sum of (x - mu)^2 over xs.
func squaredDeviations[T tensor.Float](xs []T, mu float64) float64 {
	var p0, p1, p2, p3 float64
	for len(xs) >= 4 {
		d0, d1, d2, d3 := float64(xs[0])-mu, float64(xs[1])-mu, float64(xs[2])-mu,
			float64(xs[3])-mu
		p0 += d0 * d0
		p1 += d1 * d1
		p2 += d2 * d2
		p3 += d3 * d3
		xs = xs[4:]
	}
	for k, v := range xs {
		d := float64(v) - mu
		switch k {
		case 0:
			p0 += d * d
		case 1:
			p1 += d * d
		default:
			p2 += d * d
		}
	}
	return (p0 + p1) + (p2 + p3)
}

// gradientSums returns the sums of dy and of dy * (x - mu) over a slab.
func gradientSums[T tensor.Float](dy, xs []T, mu float64) (sumDy, sumDyDev float64) {
	var s0, s1, s2, s3, t0, t1, t2, t3 float64
	dy = dy[:len(xs)]
	for len(xs) >= 4 {
		g0, g1, g2, g3 := float64(dy[0]), float64(dy[1]), float64(dy[2]), float64(dy[3])
		s0 += g0
		s1 += g1
		s2 += g2
		s3 += g3
		t0 += g0 * (float64(xs[0]) - mu)
		t1 += g1 * (float64(xs[1]) - mu)
		t2 += g2 * (float64(xs[2]) - mu)
		t3 += g3 * (float64(xs[3]) - mu)
		xs, dy = xs[4:], dy[4:]
	}
	for k, v := range xs {
		g := float64(dy[k])
		t := g * (float64(v) - mu)
		switch k {
		case 0:
			s0, t0 = s0+g, t0+t
		case 1:
			s1, t1 = s1+g, t1+t
		default:
			s2, t2 = s2+g, t2+t
		}
	}
	return (s0 + s1) + (s2 + s3), (t0 + t1) + (t2 + t3)
}
