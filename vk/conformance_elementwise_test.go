package vk

import (
	"testing"

	"github.com/urpc-go/urpc/autograd"
	"github.com/urpc-go/urpc/nn"
	"github.com/urpc-go/urpc/optim"
	"github.com/urpc-go/urpc/tensor"
)

func init() {
	register(
		conformanceCase{name: "add,sub,mul,axpy,scale,copy,fill", run: arithmeticCase},
		conformanceCase{name: "relu", run: reluCase},
		conformanceCase{name: "dropout3d-mask", run: dropoutMaskCase},
		conformanceCase{name: "feature-noise", run: featureNoiseCase},
		conformanceCase{name: "sgd-momentum", run: sgdCase},
		conformanceCase{name: "softmax", run: func(t *testing.T, d *Device) []result {
			return softmaxCase(d, false)
		}},
		conformanceCase{name: "log-softmax", run: func(t *testing.T, d *Device) []result {
			return softmaxCase(d, true)
		}},
	)
}

// arithmeticCase checks the plain elementwise ops against loops in Go.
func arithmeticCase(t *testing.T, d *Device) []result {
	const n = 1001
	x, y := randomSlice(21, n), randomSlice(22, n)
	bx, by, out := d.Upload(x), d.Upload(y), d.NewBuffer(n)
	defer func() { bx.Release(); by.Release(); out.Release() }()
	var results []result
	for _, c := range []struct {
		name string
		run  func()
		want func(a, b float32) float32
	}{
		{"add", func() { d.Add(out, bx, by) }, func(a, b float32) float32 { return a + b }},
		{"sub", func() { d.Sub(out, bx, by) }, func(a, b float32) float32 { return a - b }},
		{"mul", func() { d.Mul(out, bx, by) }, func(a, b float32) float32 { return a * b }},
		{"scale", func() { d.Scale(out, -2.5, bx) }, func(a, _ float32) float32 { return -2.5 * a }},
		{"copy", func() { d.Copy(out, by) }, func(_, b float32) float32 { return b }},
		{"fill", func() { d.Fill(out, 7) }, func(_, _ float32) float32 { return 7 }},
		{"axpy", func() { d.Copy(out, by); d.Axpy(0.5, bx, out) },
			func(a, b float32) float32 { return b + 0.5*a }},
	} {
		c.run()
		want := make([]float32, n)
		for i := range want {
			want[i] = c.want(x[i], y[i])
		}
		results = append(results, result{c.name, out.Download(), want})
	}
	return results
}

// reluCase compares ReLU and ReLUBackward (overwrite and accumulate) with autograd.ReLU.
func reluCase(t *testing.T, d *Device) []result {
	x := randomTensor(23, 2, 3, 4, 5, 6)
	g := randomSlice(24, x.Numel())
	out, grads := cpuForwardBackward([]*tensor.Tensor[float32]{x}, g,
		func(in []*autograd.Value[float32]) *autograd.Value[float32] {
			return autograd.ReLU(in[0])
		})
	bx, bg := d.Upload(x.Data), d.Upload(g)
	bout, gx, gacc := d.NewBuffer(len(out)), d.NewBuffer(len(out)), d.Upload(g)
	d.ReLU(bout, bx)
	d.ReLUBackward(gx, bg, bx, false)
	d.ReLUBackward(gacc, bg, bx, true)
	bx.Release()
	bg.Release()
	twice := make([]float32, len(g))
	for i := range g {
		twice[i] = g[i] + grads[0][i]
	}
	return []result{{"out", download(bout), out}, {"grad x", download(gx), grads[0]},
		{"grad x accumulated", download(gacc), twice}}
}

// dropoutMaskCase compares MulBroadcast with nn.Dropout3dWithMask (forward and grad).
func dropoutMaskCase(t *testing.T, d *Device) []result {
	x := randomTensor(25, 2, 3, 4, 5, 3)
	mask := nn.Dropout3dMask[float32](tensor.NewRNG(26), 2, 3, 0.5)
	g := randomSlice(27, x.Numel())
	out, grads := cpuForwardBackward([]*tensor.Tensor[float32]{x}, g,
		func(in []*autograd.Value[float32]) *autograd.Value[float32] {
			return nn.Dropout3dWithMask(in[0], mask)
		})
	bx, bm, bg := d.Upload(x.Data), d.Upload(mask.Data), d.Upload(g)
	bout, gx := d.NewBuffer(len(out)), d.NewBuffer(len(out))
	d.Fill(gx, 0)
	d.MulBroadcast(bout, bx, bm, 4*5*3, false)
	d.MulBroadcast(gx, bg, bm, 4*5*3, true)
	bx.Release()
	bm.Release()
	bg.Release()
	return []result{{"out", download(bout), out}, {"grad x", download(gx), grads[0]}}
}

// featureNoiseCase compares FeatureNoise with nn.FeatureNoiseWithNoise (forward).
func featureNoiseCase(t *testing.T, d *Device) []result {
	x := randomTensor(28, 2, 3, 4, 5, 3)
	u := nn.FeatureNoiseDraw[float32](tensor.NewRNG(29), 0.3, 3, 4, 5, 3)
	tape := autograd.NewNoGradTape[float32]()
	want := nn.FeatureNoiseWithNoise(tape.Leaf(x), u).Data.Data
	bx, bu, bout := d.Upload(x.Data), d.Upload(u.Data), d.NewBuffer(x.Numel())
	d.FeatureNoise(bout, bx, bu)
	bx.Release()
	bu.Release()
	return []result{{"out", download(bout), want}}
}

// sgdCase runs three SGD steps (the first one initialises the momentum) against
// optim.SGDMomentumGo.
func sgdCase(t *testing.T, d *Device) []result {
	const n = 777
	theta := randomSlice(30, n)
	buf := make([]float32, n)
	bt, bb := d.Upload(theta), d.NewBuffer(n)
	for step := range 3 {
		grad := randomSlice(31+uint64(step), n)
		optim.SGDMomentumGo(theta, grad, buf, 0.01, 0.9, 1e-4, step == 0)
		bg := d.Upload(grad)
		d.SGDMomentum(bt, bg, bb, 0.01, 0.9, 1e-4, step == 0)
		bg.Release()
	}
	return []result{{"theta", download(bt), theta}, {"momentum", download(bb), buf}}
}

// softmaxCase compares (log-)softmax along the channel axis with autograd.
func softmaxCase(d *Device, log bool) []result {
	shape := []int{2, 4, 3, 5, 6}
	x := randomTensor(33, shape...)
	g := randomSlice(34, x.Numel())
	out, grads := cpuForwardBackward([]*tensor.Tensor[float32]{x}, g,
		func(in []*autograd.Value[float32]) *autograd.Value[float32] {
			if log {
				return autograd.LogSoftmax(in[0], 1)
			}
			return autograd.Softmax(in[0], 1)
		})
	bx, bg := d.Upload(x.Data), d.Upload(g)
	bout, gx := d.NewBuffer(len(out)), d.NewBuffer(len(out))
	d.Softmax(bout, bx, shape, 1, log)
	d.SoftmaxBackward(gx, bout, bg, shape, 1, log, false)
	bx.Release()
	bg.Release()
	return []result{{"out", download(bout), out}, {"grad x", download(gx), grads[0]}}
}
