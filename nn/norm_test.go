package nn

import (
	"math"
	"testing"

	"github.com/urpc-go/urpc/autograd"
	"github.com/urpc-go/urpc/autograd/autogradtest"
	"github.com/urpc-go/urpc/tensor"
)

// optional returns inputs[i] when it exists, else nil (a norm without affine part).
func optional(inputs []*autograd.Value[float64], i int) *autograd.Value[float64] {
	if i < len(inputs) {
		return inputs[i]
	}
	return nil
}

func TestGradInstanceNorm3d(t *testing.T) {
	x := autogradtest.Rand(1, 2, 3, 3, 4, 5)
	instance := func(tape *autograd.Tape[float64],
		in []*autograd.Value[float64]) *autograd.Value[float64] {
		return InstanceNorm3d(in[0], optional(in, 1), optional(in, 2), NormEps)
	}
	autogradtest.Check(t, "instance_norm3d", instance, x)
	autogradtest.Check(t, "instance_norm3d_affine", instance, x,
		autogradtest.Rand(2, 3), autogradtest.Rand(3, 3))

	autogradtest.Check(t, "instance_norm3d_relu", func(tape *autograd.Tape[float64],
		in []*autograd.Value[float64]) *autograd.Value[float64] {
		return InstanceNorm3dReLU(in[0], in[1], in[2], NormEps)
	}, x, autogradtest.Rand(2, 3), autogradtest.Rand(3, 3))

	// x is used twice on purpose: y = IN(x) * x, so its gradient has two contributions.
	reused := func(tape *autograd.Tape[float64],
		in []*autograd.Value[float64]) *autograd.Value[float64] {
		return autograd.Mul(InstanceNorm3d(in[0], in[1], nil, NormEps), in[0])
	}
	autogradtest.Check(t, "instance_norm3d_reused_input", reused, x, autogradtest.Rand(4, 3))
}

func TestGradBatchNorm3d(t *testing.T) {
	x := autogradtest.Rand(5, 2, 3, 3, 2, 4)
	for _, train := range []bool{true, false} {
		state := BatchNorm3dState[float64]{
			RunningMean: []float64{0.1, -0.2, 0.3}, RunningVar: []float64{0.5, 1.5, 2},
			Momentum: BatchNormMomentum, Eps: NormEps,
		}
		batch := func(tape *autograd.Tape[float64],
			in []*autograd.Value[float64]) *autograd.Value[float64] {
			return BatchNorm3d(in[0], optional(in, 1), optional(in, 2), state, train)
		}
		name := map[bool]string{true: "batch_norm3d_train", false: "batch_norm3d_eval"}[train]
		autogradtest.Check(t, name, batch, x, autogradtest.Rand(6, 3), autogradtest.Rand(7, 3))
		autogradtest.Check(t, name+"_no_affine", batch, x)
		autogradtest.Check(t, name+"_relu", func(tape *autograd.Tape[float64],
			in []*autograd.Value[float64]) *autograd.Value[float64] {
			return BatchNorm3dReLU(in[0], in[1], in[2], state, train)
		}, x, autogradtest.Rand(6, 3), autogradtest.Rand(7, 3))
	}
}

func TestNormReLUIsReLUOfNorm(t *testing.T) {
	x := autogradtest.Rand(13, 2, 3, 3, 4, 5)
	gamma, beta := autogradtest.Rand(14, 3), autogradtest.Rand(15, 3)
	gradOut := autogradtest.Rand(16, x.Shape...)
	run := func(fused bool) (*tensor.Tensor[float64], *tensor.Tensor[float64]) {
		tape := autograd.NewTape[float64]()
		in := tape.Leaf(x.Clone())
		var y *autograd.Value[float64]
		if fused {
			y = InstanceNorm3dReLU(in, tape.Const(gamma), tape.Const(beta), NormEps)
		} else {
			y = autograd.ReLU(InstanceNorm3d(in, tape.Const(gamma), tape.Const(beta), NormEps))
		}
		tape.Backward(autograd.SumAll(autograd.Mul(y, tape.Const(gradOut))))
		return y.Data, in.Grad
	}
	fusedY, fusedGrad := run(true)
	plainY, plainGrad := run(false)
	for i := range fusedY.Data {
		gradErr := math.Abs(fusedGrad.Data[i] - plainGrad.Data[i])
		if fusedY.Data[i] != plainY.Data[i] || gradErr > 1e-12 {
			t.Fatalf("element %d: fused %g (grad %g), separate %g (grad %g)", i, fusedY.Data[i],
				fusedGrad.Data[i], plainY.Data[i], plainGrad.Data[i])
		}
	}
}

// slabMoments returns the mean and biased variance of each (n, c) slab of x.
func slabMoments(x *tensor.Tensor[float64]) (mean, variance []float64) {
	voxels := tensor.Numel(x.Shape[2:])
	for start := 0; start < len(x.Data); start += voxels {
		m, v := 0.0, 0.0
		for _, e := range x.Data[start : start+voxels] {
			m += e / float64(voxels)
		}
		for _, e := range x.Data[start : start+voxels] {
			v += (e - m) * (e - m) / float64(voxels)
		}
		mean, variance = append(mean, m), append(variance, v)
	}
	return mean, variance
}

func TestInstanceNorm3dNormalisesEachSlab(t *testing.T) {
	x := tensor.RandNormal[float64](tensor.NewRNG(8), 3, 2, 2, 3, 4, 5, 6)
	tape := autograd.NewNoGradTape[float64]()
	y := InstanceNorm3d(tape.Const(x), nil, nil, NormEps).Data
	_, inVar := slabMoments(x)
	mean, variance := slabMoments(y)
	for i := range mean {
		wantVar := inVar[i] / (inVar[i] + NormEps)
		if math.Abs(mean[i]) > 1e-12 || math.Abs(variance[i]-wantVar) > 1e-12 {
			t.Errorf("slab %d: mean %g variance %g, want 0 and %g", i, mean[i], variance[i],
				wantVar)
		}
	}

	one := InstanceNorm3d(tape.Const(tensor.Full[float64](7, 1, 2, 1, 1, 1)), nil, nil, NormEps)
	for _, v := range one.Data.Data {
		if v != 0 {
			t.Errorf("a one-voxel slab normalised to %g, want 0", v)
		}
	}
}

func TestBatchNorm3dRunningStatistics(t *testing.T) {
	x := tensor.RandNormal[float64](tensor.NewRNG(9), 1, 3, 3, 2, 3, 4, 5)
	state := BatchNorm3dState[float64]{RunningMean: []float64{0, 0}, RunningVar: []float64{1, 1},
		Momentum: BatchNormMomentum, Eps: NormEps}
	tape := autograd.NewNoGradTape[float64]()
	train := BatchNorm3d(tape.Const(x), nil, nil, state, true).Data.Data

	voxels, count := 60, 180.0
	for c := range 2 {
		mean, sq := 0.0, 0.0
		for n := range 3 {
			for _, v := range x.Data[(n*2+c)*voxels : (n*2+c+1)*voxels] {
				mean += v / count
			}
		}
		for n := range 3 {
			for _, v := range x.Data[(n*2+c)*voxels : (n*2+c+1)*voxels] {
				sq += (v - mean) * (v - mean)
			}
		}
		wantMean, wantVar := 0.1*mean, 0.9+0.1*sq/(count-1)
		if math.Abs(state.RunningMean[c]-wantMean) > 1e-12 ||
			math.Abs(state.RunningVar[c]-wantVar) > 1e-12 {
			t.Errorf("channel %d: running %g, %g, want %g, %g", c, state.RunningMean[c],
				state.RunningVar[c], wantMean, wantVar)
		}
		got := train[c*voxels] // n = 0, first voxel of channel c
		want := (x.Data[c*voxels] - mean) / math.Sqrt(sq/count+NormEps)
		if math.Abs(got-want) > 1e-12 {
			t.Errorf("channel %d: train output %g, want %g", c, got, want)
		}
	}

	eval := BatchNorm3d(tape.Const(x), nil, nil, state, false).Data.Data
	want := (x.Data[voxels] - state.RunningMean[1]) / math.Sqrt(state.RunningVar[1]+NormEps)
	if math.Abs(eval[voxels]-want) > 1e-12 {
		t.Errorf("eval output %g, want %g", eval[voxels], want)
	}
}

func TestNormFloat32MatchesFloat64(t *testing.T) {
	x64 := tensor.RandNormal[float64](tensor.NewRNG(10), 50, 4, 2, 3, 4, 5, 6)
	x32 := tensor.Convert[float32](x64)
	g64, b64 := autogradtest.Rand(11, 3), autogradtest.Rand(12, 3)
	g32, b32 := tensor.Convert[float32](g64), tensor.Convert[float32](b64)

	t64, t32 := autograd.NewTape[float64](), autograd.NewTape[float32]()
	in64, in32 := t64.Leaf(x64), t32.Leaf(x32)
	y64 := InstanceNorm3d(in64, t64.Const(g64), t64.Const(b64), NormEps)
	y32 := InstanceNorm3d(in32, t32.Const(g32), t32.Const(b32), NormEps)
	t64.Backward(autograd.SumAll(autograd.Square(y64)))
	t32.Backward(autograd.SumAll(autograd.Square(y32)))

	for name, pair := range map[string][2]*tensor.Tensor[float64]{
		"output":   {y64.Data, tensor.Convert[float64](y32.Data)},
		"gradient": {in64.Grad, tensor.Convert[float64](in32.Grad)},
	} {
		worst := 0.0
		for i, want := range pair[0].Data {
			worst = max(worst, math.Abs(pair[1].Data[i]-want)/(1+math.Abs(want)))
		}
		t.Logf("float32 %s worst error %.2e (input mean 50, std 4)", name, worst)
		if worst > 1e-5 {
			t.Errorf("float32 %s differs from float64 by %.2e", name, worst)
		}
	}
}

func TestNormPanicsOnBadShapes(t *testing.T) {
	tape := autograd.NewNoGradTape[float64]()
	x := tape.Const(tensor.Zeros[float64](1, 3, 2, 2, 2))
	cases := map[string]func(){
		"rank 4": func() {
			InstanceNorm3d(tape.Const(tensor.Zeros[float64](1, 3, 2, 2)), nil, nil, 1e-5)
		},
		"gamma [2] for C = 3": func() {
			InstanceNorm3d(x, tape.Const(tensor.Zeros[float64](2)), nil, 1e-5)
		},
		"eval without running stats": func() {
			BatchNorm3d(x, nil, nil, BatchNorm3dState[float64]{Eps: 1e-5}, false)
		},
		"train on one value per channel": func() {
			BatchNorm3d(tape.Const(tensor.Zeros[float64](1, 3, 1, 1, 1)), nil, nil,
				BatchNorm3dState[float64]{Eps: 1e-5}, true)
		},
	}
	for name, f := range cases {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			f()
		})
	}
}

// BenchmarkInstanceNormReLU times forward plus backward of the block's "norm -> ReLU"
// on [4, 16, 32, 32, 32] float32, fused and as two operations. Every variant includes
// the projection sum(y * r) that starts the backward pass; impl=projection-only times
// that alone.
func BenchmarkInstanceNormReLU(b *testing.B) {
	x := tensor.RandNormal[float32](tensor.NewRNG(17), 0, 1, 4, 16, 32, 32, 32)
	r := tensor.RandNormal[float32](tensor.NewRNG(18), 0, 1, x.Shape...)
	ops := []struct {
		name string
		op   func(*autograd.Value[float32]) *autograd.Value[float32]
	}{
		{"fused", func(v *autograd.Value[float32]) *autograd.Value[float32] {
			return InstanceNorm3dReLU(v, nil, nil, NormEps)
		}},
		{"separate", func(v *autograd.Value[float32]) *autograd.Value[float32] {
			return autograd.ReLU(InstanceNorm3d(v, nil, nil, NormEps))
		}},
		{"projection-only", func(v *autograd.Value[float32]) *autograd.Value[float32] {
			return v
		}},
	}
	for _, o := range ops {
		b.Run("shape=4x16x32x32x32/impl="+o.name, func(b *testing.B) {
			b.SetBytes(int64(4 * x.Numel()))
			for b.Loop() {
				tape := autograd.NewTape[float32]()
				y := o.op(tape.Leaf(x))
				tape.Backward(autograd.SumAll(autograd.Mul(y, tape.Const(r))))
			}
		})
	}
}
