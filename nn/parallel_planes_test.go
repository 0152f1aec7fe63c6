package nn

import (
	"fmt"
	"math"
	"runtime"
	"testing"

	"github.com/urpc-go/urpc/autograd"
	"github.com/urpc-go/urpc/tensor"
)

// planeOps runs, on one input x [N, C, D, H, W], each op whose per-plane
// loops forPlanes spreads over the cores, and returns every forward output and
// gradient by name: the norms (instance, batch in training and inference, fused ReLU,
// running statistics), the dropouts, the feature noise and addChannelSums.
func planeOps[T tensor.Float](x *tensor.Tensor[T]) map[string][]T {
	c := x.Shape[1]
	rng := tensor.NewRNG(41)
	gamma := tensor.RandNormal[T](rng, 1, 0.5, c)
	beta := tensor.RandNormal[T](rng, 0, 0.5, c)
	gradOut := tensor.RandNormal[T](rng, 0, 1, x.Shape...)
	state := BatchNorm3dState[T]{RunningMean: make([]T, c),
		RunningVar: make([]T, c), Momentum: BatchNormMomentum, Eps: NormEps}
	for i := range state.RunningVar {
		state.RunningVar[i] = 1.5
	}
	type op func(x, gamma, beta *autograd.Value[T]) *autograd.Value[T]
	ops := []struct { // in order: batch_eval reads the running statistics batch_relu set
		name string
		run  op
	}{
		{"instance", func(x, gamma, beta *autograd.Value[T]) *autograd.Value[T] {
			return InstanceNorm3d(x, gamma, beta, NormEps)
		}},
		{"instance_relu", func(x, gamma, beta *autograd.Value[T]) *autograd.Value[T] {
			return InstanceNorm3dReLU(x, gamma, beta, NormEps)
		}},
		{"batch_relu", func(x, gamma, beta *autograd.Value[T]) *autograd.Value[T] {
			return BatchNorm3dReLU(x, gamma, beta, state, true)
		}},
		{"batch_eval", func(x, gamma, beta *autograd.Value[T]) *autograd.Value[T] {
			return BatchNorm3d(x, gamma, beta, state, false)
		}},
		{"dropout3d", func(x, _, _ *autograd.Value[T]) *autograd.Value[T] {
			return Dropout3d(x, 0.5, true, tensor.NewRNG(42))
		}},
		{"dropout", func(x, _, _ *autograd.Value[T]) *autograd.Value[T] {
			return Dropout(x, 0.5, true, tensor.NewRNG(43))
		}},
		{"feature_noise", func(x, _, _ *autograd.Value[T]) *autograd.Value[T] {
			return FeatureNoise(x, 0.3, true, tensor.NewRNG(44))
		}},
	}

	results := map[string][]T{}
	for _, op := range ops {
		name, tape := op.name, autograd.NewTape[T]()
		in, g, b := tape.Leaf(x.Clone()), tape.Leaf(gamma.Clone()), tape.Leaf(beta.Clone())
		y := op.run(in, g, b)
		tape.Backward(autograd.SumAll(autograd.Mul(y, tape.Const(gradOut))))
		results[name] = y.Data.Data
		results[name+"/dx"] = in.Grad.Data
		if g.Grad != nil {
			results[name+"/dgamma"], results[name+"/dbeta"] = g.Grad.Data, b.Grad.Data
		}
	}
	results["running_mean"], results["running_var"] = state.RunningMean, state.RunningVar

	bias := make([]T, c)
	addChannelSums(bias, gradOut)
	results["channel_sums"] = bias
	return results
}

// TestPlaneOpsBitwiseAcrossWorkers checks that the norms, dropouts, feature noise and
// bias-gradient sums give the same bits on 1, 2 and 3 goroutines, in float32 and in
// float64 (where a sum added in another order shows): each plane is computed whole by
// one worker and cross-plane sums are added in plane order.
func TestPlaneOpsBitwiseAcrossWorkers(t *testing.T) {
	// 3*5 planes of 12*12*16 voxels: above planeParallelMin, an odd plane count.
	x := tensor.RandNormal[float64](tensor.NewRNG(40), 0.5, 2, 3, 5, 12, 12, 16)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	checkBitwiseAcrossWorkers(t, "float32", tensor.Convert[float32](x))
	checkBitwiseAcrossWorkers(t, "float64", x)
}

// checkBitwiseAcrossWorkers compares planeOps(x) with GOMAXPROCS 2 and 3 against
// GOMAXPROCS 1, bit for bit.
func checkBitwiseAcrossWorkers[T tensor.Float](t *testing.T, kind string, x *tensor.Tensor[T]) {
	t.Helper()
	planes, voxels := x.Shape[0]*x.Shape[1], tensor.Numel(x.Shape[2:])
	runtime.GOMAXPROCS(1)
	want := planeOps(x)

	for _, procs := range []int{2, 3} {
		runtime.GOMAXPROCS(procs)
		if workers := planeWorkers(planes, voxels); workers != procs {
			t.Fatalf("GOMAXPROCS %d: %d plane workers, want %d", procs, workers, procs)
		}
		got := planeOps(x)
		for name, w := range want {
			for i := range w {
				if math.Float64bits(float64(got[name][i])) != math.Float64bits(float64(w[i])) {
					t.Errorf("%s %s, GOMAXPROCS %d: element %d is %g, %g on one goroutine",
						kind, name, procs, i, got[name][i], w[i])
					break
				}
			}
		}
	}
}

// BenchmarkPlaneOps times forward and backward of the per-plane ops at the U-Net's first
// level, float32 [4, 16, 32, 32, 32], on 1 goroutine and on GOMAXPROCS goroutines.
func BenchmarkPlaneOps(b *testing.B) {
	shape := []int{4, 16, 32, 32, 32}
	rng := tensor.NewRNG(1)
	x := tensor.RandNormal[float32](rng, 0, 1, shape...)
	gradOut := tensor.RandNormal[float32](rng, 0, 1, shape...)
	gamma, beta := tensor.Full[float32](1, 16), tensor.Zeros[float32](16)
	biasGrad := make([]float32, 16)
	ops := []struct {
		name string
		run  func(tape *autograd.Tape[float32])
	}{
		{"instance_norm_relu", func(tape *autograd.Tape[float32]) {
			in := tape.Leaf(x)
			y := InstanceNorm3dReLU(in, tape.Leaf(gamma), tape.Leaf(beta), NormEps)
			probe := tape.Record("probe", tensor.Scalar[float32](0), []*autograd.Value[float32]{y},
				func(*tensor.Tensor[float32]) { y.AccumulateGrad(gradOut) })
			tape.Backward(probe)
		}},
		{"channel_sums", func(*autograd.Tape[float32]) {
			addChannelSums(biasGrad, gradOut)
		}},
	}
	for _, procs := range []int{1, runtime.GOMAXPROCS(0)} {
		for _, op := range ops {
			name := fmt.Sprintf("op=%s/shape=4x16x32^3/procs=%d", op.name, procs)
			b.Run(name, func(b *testing.B) {
				defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
				b.SetBytes(int64(4 * len(x.Data)))
				for b.Loop() {
					op.run(autograd.NewTape[float32]())
				}
			})
		}
	}
}
