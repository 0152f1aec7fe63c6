package asm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// maxLen is past twice the widest unroll (32 floats) plus 3.
const maxLen = 2*32 + 3

// elemCase is an elementwise kernel: it reads nIn slices and writes (or
// updates) nOut slices. run calls the public function, ref the twin. alias
// lists (out, in) pairs that may be the same slice.
type elemCase struct {
	name      string
	nIn, nOut int
	scale     float32
	run, ref  func(out, in [][]float32)
	alias     [][2]int
}

var elemCases = []elemCase{
	{name: "Axpy", nIn: 1, nOut: 1, scale: 2,
		run: func(o, i [][]float32) { Axpy(-1.3, i[0], o[0]) },
		ref: func(o, i [][]float32) { axpyGeneric(-1.3, i[0], o[0]) }},
	{name: "Scale", nOut: 1, scale: 2,
		run: func(o, i [][]float32) { Scale(0.7, o[0]) },
		ref: func(o, i [][]float32) { scaleGeneric(0.7, o[0]) }},
	{name: "Add", nIn: 2, nOut: 1, scale: 2, alias: [][2]int{{0, 0}, {0, 1}},
		run: func(o, i [][]float32) { Add(o[0], i[0], i[1]) },
		ref: func(o, i [][]float32) { addGeneric(o[0], i[0], i[1]) }},
	{name: "Mul", nIn: 2, nOut: 1, scale: 2, alias: [][2]int{{0, 0}, {0, 1}},
		run: func(o, i [][]float32) { Mul(o[0], i[0], i[1]) },
		ref: func(o, i [][]float32) { mulGeneric(o[0], i[0], i[1]) }},
	{name: "ReluForward", nIn: 1, nOut: 1, scale: 2, alias: [][2]int{{0, 0}},
		run: func(o, i [][]float32) { ReluForward(o[0], i[0]) },
		ref: func(o, i [][]float32) { reluForwardGeneric(o[0], i[0]) }},
	{name: "ReluBackward", nIn: 2, nOut: 1, scale: 2, alias: [][2]int{{0, 0}, {0, 1}},
		run: func(o, i [][]float32) { ReluBackward(o[0], i[0], i[1]) },
		ref: func(o, i [][]float32) { reluBackwardGeneric(o[0], i[0], i[1]) }},
	{name: "Exp", nIn: 1, nOut: 1, scale: 120, alias: [][2]int{{0, 0}},
		run: func(o, i [][]float32) { Exp(o[0], i[0]) },
		ref: func(o, i [][]float32) { expGeneric(o[0], i[0]) }},
	{name: "SGDMomentum", nIn: 1, nOut: 2, scale: 2,
		run: func(o, i [][]float32) { SGDMomentum(o[0], i[0], o[1], 0.1, 0.9, 1e-3, false) },
		ref: func(o, i [][]float32) { sgdMomentumGeneric(o[0], i[0], o[1], 0.1, 0.9, 1e-3) }},
	{name: "SGDMomentumFirst", nIn: 1, nOut: 2, scale: 2,
		run: func(o, i [][]float32) { SGDMomentum(o[0], i[0], o[1], 0.1, 0.9, 1e-3, true) },
		ref: func(o, i [][]float32) {
			clear(o[1])
			sgdMomentumGeneric(o[0], i[0], o[1], 0.1, 0, 1e-3)
		}},
}

// TestElementwise checks every elementwise kernel against its twin, bit for
// bit, on every path, for every length up to maxLen, at slice offsets 0..7,
// out of place and in place, with guard cells around the outputs.
func TestElementwise(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, c := range elemCases {
		for _, p := range vecPaths() {
			t.Run(c.name+"/impl="+pathName(p), func(t *testing.T) {
				setPath(t, p)
				for n := 0; n <= maxLen; n++ {
					for off := 0; off < 8; off++ {
						checkElem(t, r, c, n, off, [2]int{-1, -1})
						for _, a := range c.alias {
							checkElem(t, r, c, n, off, a)
						}
					}
				}
			})
		}
	}
}

// checkElem runs one elementwise case; alias, if not {-1,-1}, makes output
// alias[0] the same slice as input alias[1].
func checkElem(t *testing.T, r *rand.Rand, c elemCase, n, off int, alias [2]int) {
	t.Helper()
	in := make([][]float32, c.nIn)
	out := make([][]float32, c.nOut)
	bufs := make([][]float32, c.nOut)
	for k := range in {
		in[k] = make([]float32, n+off)[off:]
		randVec(r, in[k], c.scale)
	}
	for k := range out {
		out[k], bufs[k] = guarded(n, (off+3*k)%8)
		randVec(r, out[k], c.scale)
	}
	if c.name == "Exp" && n > 0 {
		in[0][r.IntN(n)] = float32(math.NaN())
	}
	if alias[0] >= 0 {
		copy(out[alias[0]], in[alias[1]])
		in[alias[1]] = out[alias[0]]
	}
	want := make([][]float32, c.nOut)
	wantIn := make([][]float32, c.nIn)
	for k := range out {
		want[k] = append([]float32(nil), out[k]...)
	}
	for k := range in {
		wantIn[k] = append([]float32(nil), in[k]...)
	}
	if alias[0] >= 0 {
		wantIn[alias[1]] = want[alias[0]]
	}
	c.ref(want, wantIn)
	c.run(out, in)
	for k := range out {
		for i := range out[k] {
			if !sameBits(out[k][i], want[k][i]) {
				t.Fatalf("n=%d off=%d alias=%v out %d [%d]: got %v (%#x), want %v (%#x)",
					n, off, alias, k, i, out[k][i], math.Float32bits(out[k][i]),
					want[k][i], math.Float32bits(want[k][i]))
			}
		}
		checkGuards(t, fmt.Sprintf("n=%d off=%d", n, off), bufs[k], guard+(off+3*k)%8, n)
	}
}

// TestReductions checks Dot and Sum against a float64 sum (the order of the
// additions differs between paths) and Max against its twin exactly.
func TestReductions(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, p := range vecPaths() {
		t.Run("impl="+pathName(p), func(t *testing.T) {
			setPath(t, p)
			for n := 0; n <= maxLen; n++ {
				for off := 0; off < 8; off++ {
					x := make([]float32, n+off)[off:]
					y := make([]float32, n+8)[8-off : 8-off+n]
					randVec(r, x, 3)
					randVec(r, y, 3)
					var dot, dotAbs, sum, sumAbs float64
					for i := range x {
						dot += float64(x[i]) * float64(y[i])
						dotAbs += math.Abs(float64(x[i]) * float64(y[i]))
						sum += float64(x[i])
						sumAbs += math.Abs(float64(x[i]))
					}
					tol := float64(n+1) * 0x1p-23
					if got := Dot(x, y); math.Abs(float64(got)-dot) > tol*dotAbs {
						t.Fatalf("Dot n=%d off=%d: got %v, want %v", n, off, got, dot)
					}
					if got := Sum(x); math.Abs(float64(got)-sum) > tol*sumAbs {
						t.Fatalf("Sum n=%d off=%d: got %v, want %v", n, off, got, sum)
					}
					if n > 0 && r.IntN(2) == 0 {
						x[r.IntN(n)] = float32(math.NaN())
					}
					if got, want := Max(x), maxGeneric(x); got != want {
						t.Fatalf("Max n=%d off=%d: got %v, want %v", n, off, got, want)
					}
				}
			}
		})
	}
}

// TestExpAccuracy measures the error of Exp against math.Exp over a dense
// sweep of inputs whose results are normal floats, and checks the limits.
func TestExpAccuracy(t *testing.T) {
	const lo, hi = -87.3, 88.72
	n := 1 << 20
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(lo + (hi-lo)*float64(i)/float64(n-1))
	}
	got := make([]float32, n)
	for _, p := range vecPaths() {
		setPath(t, p)
		Exp(got, x)
		var worst float64
		var at float32
		for i, v := range got {
			want := math.Exp(float64(x[i]))
			ulp := float64(math.Nextafter32(float32(want), float32(math.Inf(1))) - float32(want))
			if e := math.Abs(float64(v)-want) / ulp; e > worst {
				worst, at = e, x[i]
			}
		}
		t.Logf("impl=%s: max error %.3f ulp at x=%v", pathName(p), worst, at)
		if worst > 2 {
			t.Errorf("impl=%s: error %.3f ulp at x=%v, want <= 2", pathName(p), worst, at)
		}
		inf := float32(math.Inf(1))
		special := []float32{0, 1, -1, 88.73, 100, inf, -104, -200, -inf}
		want := []float32{1, math.E, 1 / math.E, inf, inf, inf, 0, 0, 0}
		res := make([]float32, len(special))
		Exp(res, special)
		for i := range res {
			if math.Abs(float64(res[i]-want[i])) > 3e-7*math.Abs(float64(want[i])) &&
				res[i] != want[i] {
				t.Errorf("impl=%s: Exp(%v) = %v, want %v", pathName(p), special[i], res[i], want[i])
			}
		}
	}
}

// TestLengthMismatch checks that misuse panics with an "asm: " message.
func TestLengthMismatch(t *testing.T) {
	a, b := make([]float32, 3), make([]float32, 4)
	calls := map[string]func(){
		"Axpy": func() { Axpy(1, a, b) },
		"Dot":  func() { Dot(a, b) },
		"Add":  func() { Add(a, a, b) },
		"Mul":  func() { Mul(b, a, a) },
		"Relu": func() { ReluForward(a, b) },
		"Back": func() { ReluBackward(a, a, b) },
		"Exp":  func() { Exp(a, b) },
		"SGD":  func() { SGDMomentum(a, a, b, 1, 1, 1, false) },
	}
	checkAsmPanics(t, calls)
}
