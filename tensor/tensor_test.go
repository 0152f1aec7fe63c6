package tensor_test

import (
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/urpc-go/urpc/tensor"
)

func seq(shape ...int) *tensor.Tensor[float64] {
	t := tensor.Zeros[float64](shape...)
	for i := range t.Data {
		t.Data[i] = float64(i)
	}
	return t
}

func TestBroadcastArithmetic(t *testing.T) {
	a := seq(2, 3)
	b := tensor.FromSlice([]float64{10, 20, 30}, 3)
	got := tensor.Add(a, b)
	want := []float64{10, 21, 32, 13, 24, 35}
	if diff := cmp.Diff(want, got.Data); diff != "" {
		t.Fatalf("Add broadcast (-want +got):\n%s", diff)
	}
	col := tensor.FromSlice([]float64{1, 2}, 2, 1)
	if diff := cmp.Diff([]float64{0, 1, 2, 6, 8, 10}, tensor.Mul(a, col).Data); diff != "" {
		t.Fatalf("Mul broadcast (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int{2, 3}, tensor.BroadcastShape([]int{3}, []int{2, 1})); diff != "" {
		t.Fatal(diff)
	}
}

func TestReductions(t *testing.T) {
	a := seq(2, 3, 4)
	if diff := cmp.Diff([]int{1, 3, 1}, tensor.Sum(a, 0, 2).Shape); diff != "" {
		t.Fatal(diff)
	}
	if diff := cmp.Diff([]float64{60, 92, 124}, tensor.Sum(a, 0, -1).Data); diff != "" {
		t.Fatal(diff)
	}
	if got := tensor.Max(a, 1).Data; got[0] != 8 || got[7] != 23 {
		t.Fatalf("Max over axis 1 = %v", got)
	}
	if got := tensor.Mean(a).Item(); got != 11.5 {
		t.Fatalf("Mean = %v, want 11.5", got)
	}
	if got := tensor.SumTo(tensor.Full[float64](1, 2, 3), 3); got.Data[0] != 2 {
		t.Fatalf("SumTo = %v", got)
	}
}

func TestShapeOps(t *testing.T) {
	a := seq(2, 3)
	if diff := cmp.Diff([]float64{0, 3, 1, 4, 2, 5}, tensor.Permute(a, 1, 0).Data); diff != "" {
		t.Fatalf("Permute: %s", diff)
	}
	if diff := cmp.Diff([]float64{4, 5}, tensor.Slice(a, []int{1, 1}, []int{2, 3}).Data); diff != "" {
		t.Fatalf("Slice: %s", diff)
	}
	padded := tensor.Pad(tensor.FromSlice([]float64{1, 2}, 1, 2), []int{0, 1}, []int{1, 0}, 9)
	if diff := cmp.Diff([]float64{9, 1, 2, 9, 9, 9}, padded.Data); diff != "" {
		t.Fatalf("Pad: %s", diff)
	}
	joined := tensor.Concat(1, a, tensor.Full[float64](7, 2, 1))
	if diff := cmp.Diff([]float64{0, 1, 2, 7, 3, 4, 5, 7}, joined.Data); diff != "" {
		t.Fatalf("Concat: %s", diff)
	}
	parts := tensor.Split(joined, 1, 3, 1)
	if diff := cmp.Diff(a.Data, parts[0].Data); diff != "" {
		t.Fatalf("Split: %s", diff)
	}
	if got := a.Reshape(-1, 2).Shape; got[0] != 3 {
		t.Fatalf("Reshape inferred %v", got)
	}
}

func TestMatMul(t *testing.T) {
	a := seq(2, 3)
	b := seq(3, 2)
	if diff := cmp.Diff([]float64{10, 13, 28, 40}, tensor.MatMul(a, b).Data); diff != "" {
		t.Fatal(diff)
	}
}

func TestSoftmaxIsStable(t *testing.T) {
	x := tensor.FromSlice([]float32{1000, 0, -1000}, 1, 3)
	logp := tensor.LogSoftmax(x, 1)
	for _, v := range logp.Data {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			t.Fatalf("LogSoftmax not finite: %v", logp.Data)
		}
	}
	p := tensor.Softmax(seq(2, 3, 4), 1)
	for o := range 2 {
		for i := range 4 {
			total := 0.0
			for c := range 3 {
				total += p.At(o, c, i)
			}
			if math.Abs(total-1) > 1e-12 {
				t.Fatalf("softmax sums to %v", total)
			}
		}
	}
}

func TestSeededRandomIsReproducible(t *testing.T) {
	a := tensor.RandNormal[float32](tensor.NewRNG(42), 0, 1, 4)
	b := tensor.RandNormal[float32](tensor.NewRNG(42), 0, 1, 4)
	if diff := cmp.Diff(a.Data, b.Data); diff != "" {
		t.Fatal(diff)
	}
}

func TestMisusePanicsWithShapes(t *testing.T) {
	cases := map[string]func(){
		"add":    func() { tensor.Add(seq(2, 3), seq(4)) },
		"matmul": func() { tensor.MatMul(seq(2, 3), seq(2, 3)) },
		"axis":   func() { tensor.Sum(seq(2, 3), 5) },
		"slice":  func() { tensor.Slice(seq(2, 3), []int{0, 0}, []int{3, 3}) },
		"box":    func() { tensor.AddToBox(seq(2, 3), []int{1, 1}, seq(2, 3)) },
		"softmax_backward": func() {
			tensor.SoftmaxBackward(seq(2, 3), seq(3, 2), 1)
		},
	}
	for name, f := range cases {
		t.Run(name, func(t *testing.T) {
			defer func() {
				msg, _ := recover().(string)
				if !strings.HasPrefix(msg, "tensor:") || !strings.Contains(msg, "[2 3]") {
					t.Fatalf("panic message %q should start with tensor: and name [2 3]", msg)
				}
			}()
			f()
		})
	}
}
