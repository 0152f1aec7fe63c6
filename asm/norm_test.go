package asm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestNormSums checks SumFloat64, SquaredDeviations and GradientSums on every vector
// path against their definition in a separate loop (same 16 partials, bit for bit),
// and against plain float64 sums (to rounding), for lengths around multiples of 16.
func TestNormSums(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	lengths := []int{0, 1, 15, 16, 17, 31, 32, 33, 47, 100, 1000, 4099}
	for _, p := range vecPaths() {
		setPath(t, p)
		for _, n := range lengths {
			off := r.IntN(4)
			x, _ := guarded(n, off)
			dy, _ := guarded(n, 3-off)
			randVec(r, x, 3)
			randVec(r, dy, 1)
			mu := r.NormFloat64()
			name := fmt.Sprintf("%s/n=%d", pathName(p), n)

			var ps, pq, pdy, pdev [16]float64
			var plain [4]float64
			for i := range n {
				k := i % 16
				if i >= n&^15 {
					k = 0
				}
				d := float64(x[i]) - mu
				ps[k] += float64(x[i])
				pq[k] += float64(d * d)
				pdy[k] += float64(dy[i])
				pdev[k] += float64(float64(dy[i]) * d)
				plain[0] += float64(x[i])
				plain[1] += d * d
				plain[2] += float64(dy[i])
				plain[3] += float64(dy[i]) * d
			}
			sumDy, sumDev := GradientSums(dy, x, mu)
			got := [4]float64{SumFloat64(x), SquaredDeviations(x, mu), sumDy, sumDev}
			want := [4]float64{sum16(&ps), sum16(&pq), sum16(&pdy), sum16(&pdev)}
			for j, what := range []string{"sum", "squared deviations", "sum dy", "sum dy dev"} {
				if got[j] != want[j] {
					t.Errorf("%s: %s = %v, want %v from the 16 partials", name, what, got[j],
						want[j])
				}
				if math.Abs(got[j]-plain[j]) > 1e-12*(1+math.Abs(plain[j]))*float64(n) {
					t.Errorf("%s: %s = %v, plain sum %v", name, what, got[j], plain[j])
				}
			}
		}
	}
}

// TestNormRows checks Normalize, GateNormReLU and AddNormInputGrad on every vector path
// against their float64 expressions element by element (bit for bit), on misaligned
// slices of lengths around multiples of 8, with zeros of both signs and values whose
// normalised output is 0 or negative (the gate's edge).
func TestNormRows(t *testing.T) {
	r := rand.New(rand.NewPCG(23, 24))
	for _, p := range vecPaths() {
		setPath(t, p)
		for _, n := range []int{0, 1, 7, 8, 9, 15, 16, 17, 100, 1001} {
			off := r.IntN(4)
			name := fmt.Sprintf("%s/n=%d/off=%d", pathName(p), n, off)
			x, _ := guarded(n, off)
			dy, _ := guarded(n, (off+1)%4)
			randVec(r, x, 2)
			randVec(r, dy, 1)
			mu, factor, shift := float64(float32(r.NormFloat64())), 1+r.Float64(), 0.0
			if n%2 == 0 {
				shift = r.NormFloat64()
			}
			if n > 2 {
				x[1] = float32(mu - shift/factor) // output about 0
				x[2] = float32(mu)                // output shift, exactly 0 for odd n
			}

			dst, dstBuf := guarded(n, (off+2)%4)
			Normalize(dst, x, mu, factor, shift)
			for i := range n {
				want := float32(float64((float64(x[i])-mu)*factor) + shift)
				if !sameBits(dst[i], want) {
					t.Fatalf("Normalize/%s: [%d] = %v, want %v", name, i, dst[i], want)
				}
			}
			checkGuards(t, "Normalize/"+name, dstBuf, guard+(off+2)%4, n)

			grad := append([]float32(nil), dy...)
			GateNormReLU(grad, x, mu, factor, shift)
			for i := range n {
				want := dy[i]
				if !(float32(float64((float64(x[i])-mu)*factor)+shift) > 0) {
					want = 0
				}
				if !sameBits(grad[i], want) {
					t.Fatalf("GateNormReLU/%s: [%d] = %v, want %v", name, i, grad[i], want)
				}
			}

			k := NormInputGrad{Mu: mu, InvStd: r.Float64() + 0.5, Factor: r.NormFloat64(),
				ShiftDy: r.NormFloat64() * 0.1, SlopeXhat: r.NormFloat64() * 0.1}
			randVec(r, dst, 1)
			before := append([]float32(nil), dst...)
			AddNormInputGrad(dst, x, dy, k)
			for i := range n {
				xhat := (float64(x[i]) - k.Mu) * k.InvStd
				want := before[i] + float32(k.Factor*(float64(dy[i])-k.ShiftDy-
					float64(xhat*k.SlopeXhat)))
				if !sameBits(dst[i], want) {
					t.Fatalf("AddNormInputGrad/%s: [%d] = %v, want %v", name, i, dst[i], want)
				}
			}
			checkGuards(t, "AddNormInputGrad/"+name, dstBuf, guard+(off+2)%4, n)
		}
	}
}

// TestNormMisuse checks that mismatched lengths panic with an "asm: " message.
func TestNormMisuse(t *testing.T) {
	a, b := make([]float32, 9), make([]float32, 8)
	calls := map[string]func(){
		"GradientSums":     func() { GradientSums(a, b, 0) },
		"Normalize":        func() { Normalize(a, b, 0, 1, 0) },
		"GateNormReLU":     func() { GateNormReLU(a, b, 0, 1, 0) },
		"AddNormInputGrad": func() { AddNormInputGrad(b, b, a, NormInputGrad{}) },
	}
	checkAsmPanics(t, calls)
}
