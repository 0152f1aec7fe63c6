package tensor_test

import (
	"fmt"
	"testing"

	"github.com/urpc-go/urpc/tensor"
)

var benchSizes = []int{4096, 1 << 20}

func BenchmarkElementwise(b *testing.B) {
	for _, n := range benchSizes {
		x := tensor.RandNormal[float32](tensor.NewRNG(1), 0, 1, n)
		y := tensor.RandNormal[float32](tensor.NewRNG(2), 0, 1, n)
		ops := map[string]func(){
			"add":  func() { tensor.Add(x, y) },
			"mul":  func() { tensor.Mul(x, y) },
			"exp":  func() { tensor.Exp(x) },
			"relu": func() { tensor.ReLU(x) },
		}
		for name, op := range ops {
			b.Run(fmt.Sprintf("op=%s/n=%d/impl=go", name, n), func(b *testing.B) {
				b.SetBytes(int64(12 * n))
				for b.Loop() {
					op()
				}
			})
		}
	}
}

func BenchmarkReduce(b *testing.B) {
	x := tensor.RandNormal[float32](tensor.NewRNG(1), 0, 1, 4, 3, 32, 32, 32)
	ops := map[string]func(){
		"sum_all":      func() { tensor.SumAll(x) },
		"sum_channels": func() { tensor.Sum(x, 1) },
		"max_spatial":  func() { tensor.Max(x, 2, 3, 4) },
		"softmax":      func() { tensor.Softmax(x, 1) },
	}
	for name, op := range ops {
		b.Run(fmt.Sprintf("op=%s/shape=4x3x32x32x32/impl=go", name), func(b *testing.B) {
			b.SetBytes(int64(4 * x.Numel()))
			for b.Loop() {
				op()
			}
		})
	}
}
