package nn

import (
	"math"
	"testing"

	"github.com/urpc-go/urpc/autograd"
	"github.com/urpc-go/urpc/tensor"
)

// TestOutputsOnRecycledBuffers runs the operations whose outputs are allocated
// uninitialized (instance norm with and without ReLU, trilinear upsampling) when the
// free list holds a buffer of NaNs of the output's size, and compares with a run on
// fresh memory: every output element must be written.
func TestOutputsOnRecycledBuffers(t *testing.T) {
	shape := []int{2, 8, 16, 16, 16} // 256 KiB and more, so the free list keeps it
	x := tensor.RandNormal[float32](tensor.NewRNG(31), 0, 1, shape...)
	ops := map[string]struct {
		out []int
		run func(tape *autograd.Tape[float32]) *autograd.Value[float32]
	}{
		"InstanceNorm3d": {shape, func(tape *autograd.Tape[float32]) *autograd.Value[float32] {
			return InstanceNorm3d(tape.Const(x), nil, nil, 1e-5)
		}},
		"InstanceNorm3dReLU": {shape,
			func(tape *autograd.Tape[float32]) *autograd.Value[float32] {
				return InstanceNorm3dReLU(tape.Const(x), nil, nil, 1e-5)
			}},
		"UpsampleTrilinear": {[]int{2, 8, 32, 32, 32},
			func(tape *autograd.Tape[float32]) *autograd.Value[float32] {
				return UpsampleTrilinear(tape.Const(x), [3]int{32, 32, 32}, false)
			}},
	}
	limit := tensor.SetRecycleLimit(0)
	defer tensor.SetRecycleLimit(limit)
	for name, op := range ops {
		tensor.SetRecycleLimit(0)
		want := op.run(autograd.NewNoGradTape[float32]()).Data.Data
		tensor.SetRecycleLimit(limit)
		tensor.Recycle(tensor.Full(float32(math.NaN()), op.out...))
		got := op.run(autograd.NewNoGradTape[float32]()).Data.Data
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("%s: element %d = %v on a recycled buffer, %v on fresh memory", name,
					i, got[i], want[i])
			}
		}
	}
}
