package nn

import (
	"fmt"
	"testing"

	"github.com/urpc-go/urpc/autograd"
	"github.com/urpc-go/urpc/tensor"
)

// BenchmarkResample reports GB/s (input plus output bytes) of the U-Net's trilinear x2
// upsampling and 2x2x2 max pooling forward in float32 at batch 4. The output is a
// fresh tensor each time, so its page faults are part of the cost.
func BenchmarkResample(b *testing.B) {
	for _, s := range []struct{ c, size int }{{32, 24}, {128, 6}} {
		x := tensor.RandNormal[float32](tensor.NewRNG(1), 0, 1, 4, s.c, s.size, s.size, s.size)
		up := func(v *autograd.Value[float32]) *autograd.Value[float32] {
			return UpsampleTrilinearScale(v, [3]float64{2, 2, 2}, false)
		}
		big := tensor.RandNormal[float32](tensor.NewRNG(2), 0, 1, 4, s.c, 2*s.size, 2*s.size,
			2*s.size)
		bytes := float64(4 * (x.Numel() + big.Numel()))
		for _, op := range []struct {
			name string
			in   *tensor.Tensor[float32]
			f    func(*autograd.Value[float32]) *autograd.Value[float32]
		}{{"trilinear_x2", x, up}, {"maxpool", big, MaxPool3d[float32]}} {
			name := fmt.Sprintf("op=%s/shape=%dx%d/pass=forward", op.name, s.c, s.size)
			b.Run(name, func(b *testing.B) {
				for b.Loop() {
					tape := autograd.NewNoGradTape[float32]()
					op.f(tape.Const(op.in))
				}
				b.ReportMetric(bytes*float64(b.N)/b.Elapsed().Seconds()/1e9, "GB/s")
			})
		}
	}
}
