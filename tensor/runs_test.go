package tensor_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/urpc-go/urpc/tensor"
)

// bothPaths runs f once with the plain Go loops and once with the asm kernels.
func bothPaths(t *testing.T, f func(t *testing.T)) {
	for _, on := range []bool{false, true} {
		t.Run(fmt.Sprintf("asm=%v", on), func(t *testing.T) {
			defer tensor.SetAsm(on)()
			f(t)
		})
	}
}

// unravel returns the index of flat element i of shape.
func unravel(i int, shape []int) []int {
	index := make([]int, len(shape))
	for axis := len(shape) - 1; axis >= 0; axis-- {
		index[axis] = i % shape[axis]
		i /= shape[axis]
	}
	return index
}

// broadcastAt returns the element of t that index (of a larger, broadcast shape) reads.
func broadcastAt[T tensor.Float](t *tensor.Tensor[T], index []int) T {
	own := index[len(index)-len(t.Shape):]
	flat := 0
	for axis, size := range t.Shape {
		flat = flat*size + min(own[axis], size-1)
	}
	return t.Data[flat]
}

// randomBroadcastPair returns a random shape of rank 1-5 with sizes 1-5 and a second
// shape that broadcasts to it, with some axes set to 1 and some leading axes dropped.
func randomBroadcastPair(rng *rand.Rand) (full, part []int) {
	rank := 1 + rng.IntN(5)
	full = make([]int, rank)
	for axis := range full {
		full[axis] = 1 + rng.IntN(5)
	}
	part = slices.Clone(full[rng.IntN(rank):])
	for axis := range part {
		if rng.IntN(2) == 0 {
			part[axis] = 1
		}
	}
	return full, part
}

func TestBroadcastMatchesIndexLoop(t *testing.T) {
	bothPaths(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(1, 2))
		for trial := range 300 {
			full, part := randomBroadcastPair(rng)
			a := tensor.RandNormal[float32](rng, 0, 1, full...)
			b := tensor.RandUniform[float32](rng, 0.5, 2, part...)
			if trial%2 == 1 {
				a, b = b, a
			}
			ops := map[string]func(x, y float32) float32{
				"add": func(x, y float32) float32 { return x + y },
				"sub": func(x, y float32) float32 { return x - y },
				"mul": func(x, y float32) float32 { return x * y },
				"div": func(x, y float32) float32 { return x / y },
			}
			results := map[string]*tensor.Tensor[float32]{
				"add": tensor.Add(a, b), "sub": tensor.Sub(a, b),
				"mul": tensor.Mul(a, b), "div": tensor.Div(a, b),
			}
			for name, got := range results {
				if !slices.Equal(got.Shape, full) {
					t.Fatalf("%s %v %v: shape %v", name, a.Shape, b.Shape, got.Shape)
				}
				for i, v := range got.Data {
					index := unravel(i, full)
					want := ops[name](broadcastAt(a, index), broadcastAt(b, index))
					if v != want {
						t.Fatalf("%s %v %v at %v: %v, want %v", name, a.Shape, b.Shape,
							index, v, want)
					}
				}
			}
		}
	})
}

func TestExpandAndReduceMatchIndexLoop(t *testing.T) {
	bothPaths(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(3, 4))
		for range 300 {
			full, part := randomBroadcastPair(rng)
			small := tensor.RandNormal[float64](rng, 0, 1, part...)
			expanded := tensor.Expand(small, full...)
			big := tensor.RandNormal[float64](rng, 0, 1, full...)
			sum := tensor.SumTo(big, part...)
			wantSum := tensor.Zeros[float64](part...)
			wantMax := tensor.Full(math.Inf(-1), part...)
			for i, v := range big.Data {
				index := unravel(i, full)
				if expanded.Data[i] != broadcastAt(small, index) {
					t.Fatalf("Expand %v to %v wrong at %v", part, full, index)
				}
				at := flatOf(index[len(full)-len(part):], part)
				wantSum.Data[at] += v
				wantMax.Data[at] = max(wantMax.Data[at], v)
			}
			for i := range wantSum.Data {
				if math.Abs(sum.Data[i]-wantSum.Data[i]) > 1e-12 {
					t.Fatalf("SumTo %v -> %v: %v, want %v", full, part, sum.Data, wantSum.Data)
				}
			}
			if axes := reducedAxes(full, part); axes != nil {
				if peak := tensor.Max(big, axes...); !slices.Equal(peak.Data, wantMax.Data) {
					t.Fatalf("Max %v -> %v: %v, want %v", full, part, peak.Data, wantMax.Data)
				}
			}
		}
	})
}

// reducedAxes lists the axes along which part has size 1, nil when there are none or
// part has a lower rank than full (then Max cannot produce part's shape).
func reducedAxes(full, part []int) []int {
	if len(part) != len(full) {
		return nil
	}
	var axes []int
	for axis := range full {
		if part[axis] == 1 {
			axes = append(axes, axis)
		}
	}
	return axes
}

// flatOf returns the flat index of index in shape, with size-1 axes read at 0.
func flatOf(index, shape []int) int {
	flat := 0
	for axis, size := range shape {
		flat = flat*size + min(index[axis], size-1)
	}
	return flat
}

func TestFloat32SumIsAccurate(t *testing.T) {
	bothPaths(t, func(t *testing.T) {
		x := tensor.RandUniform[float32](tensor.NewRNG(5), 0, 1, 2, 3, 32, 48, 32)
		got := tensor.Sum(x, 2, 3, 4)
		for row := range 6 {
			want := 0.0
			for _, v := range x.Data[row*49152 : (row+1)*49152] {
				want += float64(v)
			}
			if rel := math.Abs(float64(got.Data[row])-want) / want; rel > 1e-5 {
				t.Errorf("row %d: sum %v, float64 %v (rel %.1e)", row, got.Data[row], want, rel)
			}
		}
	})
}
