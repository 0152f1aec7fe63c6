package asm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// winogradMatrices are the F(2,3) matrices of each kind as rows of float64 coefficients
// (output j = sum_k m[j][k] input k), written out independently of the kernels.
var winogradMatrices = map[WinogradKind][][]float64{
	WinogradKernel:        {{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}},
	WinogradKernelAdjoint: {{1, 0.5, 0.5, 0}, {0, 0.5, -0.5, 0}, {0, 0.5, 0.5, 1}},
}

// winogradLayout places the vectors of one call: offsets shifted by 0..3 floats (so
// that rows are misaligned) and group strides of n plus 0..5.
func winogradLayout(r *rand.Rand, vectors, n, count int) (off [4]int, stride, length int) {
	stride = n + r.IntN(6)
	block := count*stride + 4
	for k := range vectors {
		off[k] = guard + k*block + r.IntN(4)
	}
	return off, stride, guard + vectors*block + guard
}

// winogradWant is the float64 matrix product of the kind for every (group, column), each
// output rounded once to float32, written into a copy of dst.
func winogradWant(kind WinogradKind, dst []float32, dOff [4]int, dStride int,
	src []float32, sOff [4]int, sStride, n, count int) []float32 {
	want := append([]float32(nil), dst...)
	for i := range count {
		for c := range n {
			for j, row := range winogradMatrices[kind] {
				var sum float64
				for k, m := range row {
					sum += m * float64(src[sOff[k]+i*sStride+c])
				}
				want[dOff[j]+i*dStride+c] = float32(sum)
			}
		}
	}
	return want
}

// TestWinograd checks Winograd on every kernel path against the matrices of each kind
// (to the float32 rounding of the sums), that it writes nothing else, and that the AVX2
// kernels and the Go twin agree bit for bit: odd and short lengths, misaligned rows,
// several groups, and in place.
func TestWinograd(t *testing.T) {
	r := rand.New(rand.NewPCG(17, 18))
	lengths := []int{37, 64}
	for n := 1; n <= 2*8+4; n++ {
		lengths = append(lengths, n)
	}
	for kind := range WinogradKernelAdjoint + 1 {
		in, out := kind.arity()
		for _, n := range lengths {
			for _, count := range []int{1, 3} {
				for _, inPlace := range []bool{false, true} {
					sOff, sStride, sLen := winogradLayout(r, 4, n, count)
					dOff, dStride, dLen := winogradLayout(r, 4, n, count)
					src := make([]float32, sLen)
					randVec(r, src, 1)
					dst := make([]float32, dLen)
					for i := range dst {
						dst[i] = sentinel
					}
					if inPlace {
						dst, dOff, dStride = src, sOff, sStride
					}
					name := fmt.Sprintf("kind=%d/n=%d/count=%d/inPlace=%v", kind, n, count,
						inPlace)
					want := winogradWant(kind, dst, dOff, dStride, src, sOff, sStride, n,
						count)

					var results [][]float32
					for _, p := range vecPaths() {
						setPath(t, p)
						got := append([]float32(nil), dst...)
						gotSrc := append([]float32(nil), src...)
						if inPlace {
							gotSrc = got
						}
						Winograd(kind, got, dOff, dStride, gotSrc, sOff, sStride, n, count)
						for i, v := range got {
							if !sameBits(v, want[i]) && math.Abs(float64(v-want[i])) > 4e-7 {
								t.Fatalf("%s/%s: element %d = %v, want %v (%d -> %d)",
									pathName(p), name, i, v, want[i], in, out)
							}
						}
						results = append(results, got)
					}
					for i, got := range results[1:] {
						for e, v := range got {
							if !sameBits(v, results[0][e]) {
								t.Fatalf("%s/%s: element %d = %v, Go twin %v",
									pathName(vecPaths()[i+1]), name, e, v, results[0][e])
							}
						}
					}
				}
			}
		}
	}
}

// TestWinogradMisuse checks that vectors out of range panic with an "asm: " message.
func TestWinogradMisuse(t *testing.T) {
	buf := make([]float32, 40)
	at := [4]int{0, 8, 16, 24}
	calls := map[string]func(){
		"src past end": func() {
			Winograd(WinogradKernelAdjoint, buf, at, 0, buf[:30], at, 0, 8, 1)
		},
		"dst past end": func() { Winograd(WinogradKernel, buf[:31], at, 0, buf, at, 0, 8, 1) },
		"negative": func() {
			Winograd(WinogradKernel, buf, at, 0, buf, [4]int{0, -1, 16, 24}, 0, 8, 1)
		},
		"groups past end": func() { Winograd(WinogradKernel, buf, at, 9, buf, at, 9, 8, 2) },
	}
	checkAsmPanics(t, calls)
}
