package tensor_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/urpc-go/urpc/tensor"
)

// randomShape returns a shape of rank 1-5 with sizes 1-6.
func randomShape(rng *rand.Rand) []int {
	shape := make([]int, 1+rng.IntN(5))
	for axis := range shape {
		shape[axis] = 1 + rng.IntN(6)
	}
	return shape
}

// randomBox returns start and end of a random box inside shape.
func randomBox(rng *rand.Rand, shape []int) (start, end []int) {
	start, end = make([]int, len(shape)), make([]int, len(shape))
	for axis, size := range shape {
		start[axis] = rng.IntN(size)
		end[axis] = start[axis] + 1 + rng.IntN(size-start[axis])
	}
	return start, end
}

// offsetIndex returns index + by, axis by axis.
func offsetIndex(index, by []int) []int {
	out := slices.Clone(index)
	for axis := range out {
		out[axis] += by[axis]
	}
	return out
}

func TestSlicePadAddToBoxMatchIndexLoop(t *testing.T) {
	bothPaths(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(7, 8))
		for range 300 {
			shape := randomShape(rng)
			start, end := randomBox(rng, shape)
			x := tensor.RandNormal[float32](rng, 0, 1, shape...)
			box := tensor.Slice(x, start, end)
			after := make([]int, len(shape))
			for axis := range shape {
				after[axis] = shape[axis] - end[axis]
			}
			padded := tensor.Pad(box, start, after, 7)
			acc := x.Clone()
			tensor.AddToBox(acc, start, box)

			inside := make([]bool, len(x.Data))
			for i, v := range box.Data {
				at := x.Offset(offsetIndex(unravel(i, box.Shape), start)...)
				inside[at] = true
				if v != x.Data[at] {
					t.Fatalf("Slice %v [%v, %v) wrong at box element %d", shape, start, end, i)
				}
			}
			for i, v := range x.Data {
				wantPad, wantAcc := float32(7), v
				if inside[i] {
					wantPad, wantAcc = v, v+v
				}
				if padded.Data[i] != wantPad || acc.Data[i] != wantAcc {
					t.Fatalf("Pad/AddToBox %v [%v, %v) wrong at %v", shape, start, end,
						unravel(i, shape))
				}
			}
		}
	})
}

func TestPermuteMatchesIndexLoop(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for range 200 {
		shape := randomShape(rng)
		perm := rng.Perm(len(shape))
		x := tensor.RandNormal[float64](rng, 0, 1, shape...)
		got := tensor.Permute(x, perm...)
		for i, v := range got.Data {
			index := unravel(i, got.Shape)
			source := make([]int, len(shape))
			for axis, p := range perm {
				source[p] = index[axis]
			}
			if v != x.At(source...) {
				t.Fatalf("Permute %v by %v wrong at %v", shape, perm, index)
			}
		}
	}
}

// softmaxReference returns softmax, log-softmax and the two backward results of x
// along axis, computed position by position in float64 with the textbook formulas.
func softmaxReference(x, g *tensor.Tensor[float64], axis int) (p, logp, dSoft, dLog []float64) {
	n := len(x.Data)
	p, logp, dSoft, dLog = make([]float64, n), make([]float64, n), make([]float64, n),
		make([]float64, n)
	stride := tensor.Strides(x.Shape)[axis]
	size := x.Shape[axis]
	for i := range n {
		if (i/stride)%size != 0 {
			continue
		}
		total, sumG, dot := 0.0, 0.0, 0.0
		for c := range size {
			total += math.Exp(x.Data[i+c*stride])
		}
		for c := range size {
			at := i + c*stride
			p[at] = math.Exp(x.Data[at]) / total
			logp[at] = x.Data[at] - math.Log(total)
			sumG += g.Data[at]
			dot += g.Data[at] * p[at]
		}
		for c := range size {
			at := i + c*stride
			dSoft[at] = p[at] * (g.Data[at] - dot)
			dLog[at] = g.Data[at] - p[at]*sumG
		}
	}
	return p, logp, dSoft, dLog
}

// worstError returns the largest |got - want| / max(1, |want|).
func worstError[T tensor.Float](got []T, want []float64) float64 {
	worst := 0.0
	for i, w := range want {
		worst = max(worst, math.Abs(float64(got[i])-w)/max(1, math.Abs(w)))
	}
	return worst
}

func TestSoftmaxFamilyMatchesReference(t *testing.T) {
	bothPaths(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(11, 12))
		shapes := [][]int{{2, 3, 4, 5, 6}, {1, 4, 700}, {3, 2, 1030}, {5}, {2, 1, 3}}
		for _, shape := range shapes {
			for axis := range shape {
				x := tensor.RandNormal[float64](rng, 0, 3, shape...)
				g := tensor.RandNormal[float64](rng, 0, 1, shape...)
				p, logp, dSoft, dLog := softmaxReference(x, g, axis)
				x32, g32 := tensor.Convert[float32](x), tensor.Convert[float32](g)
				checks := []struct {
					name      string
					got64     []float64
					got32     []float32
					reference []float64
				}{
					{"Softmax", tensor.Softmax(x, axis).Data, tensor.Softmax(x32, axis).Data, p},
					{"LogSoftmax", tensor.LogSoftmax(x, axis).Data,
						tensor.LogSoftmax(x32, axis).Data, logp},
					{"SoftmaxBackward",
						tensor.SoftmaxBackward(g, tensor.Softmax(x, axis), axis).Data,
						tensor.SoftmaxBackward(g32, tensor.Softmax(x32, axis), axis).Data,
						dSoft},
					{"LogSoftmaxBackward",
						tensor.LogSoftmaxBackward(g, tensor.LogSoftmax(x, axis), axis).Data,
						tensor.LogSoftmaxBackward(g32, tensor.LogSoftmax(x32, axis), axis).Data,
						dLog},
				}
				// Float32 rounds x and log p (|log p| grows with the class count),
				// so long axes get a looser float32 bound.
				tolerance32 := 2e-6
				if shape[axis] > 8 {
					tolerance32 = 2e-5
				}
				for _, c := range checks {
					if e := worstError(c.got64, c.reference); e > 1e-13 {
						t.Errorf("%s %v axis %d float64: error %.1e", c.name, shape, axis, e)
					}
					if e := worstError(c.got32, c.reference); e > tolerance32 {
						t.Errorf("%s %v axis %d float32: error %.1e", c.name, shape, axis, e)
					}
				}
			}
		}
	})
}

func TestSumAlongAxis(t *testing.T) {
	x := seq(2, 3, 4)
	got := tensor.SumAlongAxis(x, 1)
	for i, v := range got.Data {
		index := unravel(i, x.Shape)
		want := 0.0
		for c := range 3 {
			want += x.At(index[0], c, index[2])
		}
		if v != want {
			t.Fatalf("SumAlongAxis at %v: %v, want %v", index, v, want)
		}
	}
}

func TestUnaryKernels(t *testing.T) {
	bothPaths(t, func(t *testing.T) {
		x := tensor.RandNormal[float32](tensor.NewRNG(13), 0, 4, 1000)
		x.Data[0], x.Data[1] = float32(math.NaN()), float32(math.Inf(-1))
		exp, relu := tensor.Exp(x), tensor.ReLU(x)
		scaled, negated := tensor.Scale(x, 0.25), tensor.Neg(x)
		for i, v := range x.Data {
			want := math.Exp(float64(v))
			if e := math.Abs(float64(exp.Data[i])-want) / want; e > 3e-7 {
				t.Errorf("Exp(%v) = %v, want %v (rel %.1e)", v, exp.Data[i], want, e)
			}
			if r := relu.Data[i]; r != max(v, 0) && !(r != r && v != v) {
				t.Errorf("ReLU(%v) = %v", v, r)
			}
			if s := scaled.Data[i]; s != v*0.25 && !(s != s && v != v) {
				t.Errorf("Scale(%v, 0.25) = %v", v, s)
			}
			if n := negated.Data[i]; n != -v && !(n != n && v != v) {
				t.Errorf("Neg(%v) = %v", v, n)
			}
		}
	})
}

func TestScaleInPlace(t *testing.T) {
	bothPaths(t, func(t *testing.T) {
		x := tensor.RandNormal[float32](tensor.NewRNG(15), 0, 1, 37)
		want := make([]float32, len(x.Data))
		for i, v := range x.Data {
			want[i] = -0.5 * v
		}
		tensor.ScaleInPlace(x, -0.5)
		if !slices.Equal(x.Data, want) {
			t.Fatalf("ScaleInPlace gives %v, want %v", x.Data, want)
		}
	})
}
