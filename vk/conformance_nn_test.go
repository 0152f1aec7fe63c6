package vk

import (
	"fmt"
	"testing"

	"github.com/urpc-go/urpc/autograd"
	"github.com/urpc-go/urpc/nn"
	"github.com/urpc-go/urpc/tensor"
)

// randomTensor returns a float32 tensor of normal values from a fixed seed.
func randomTensor(seed uint64, shape ...int) *tensor.Tensor[float32] {
	return tensor.RandNormal[float32](tensor.NewRNG(seed), 0, 1, shape...)
}

func init() {
	for _, s := range []Conv3dShape{
		{N: 2, Cin: 3, D: 5, H: 6, W: 7, Cout: 4, KD: 3, KH: 3, KW: 3,
			Stride: [3]int{1, 1, 1}, Padding: [3]int{1, 1, 1}},
		{N: 1, Cin: 2, D: 6, H: 5, W: 8, Cout: 3, KD: 2, KH: 3, KW: 2,
			Stride: [3]int{2, 1, 2}, Padding: [3]int{0, 1, 1}},
		{N: 2, Cin: 16, D: 4, H: 4, W: 4, Cout: 2, KD: 1, KH: 1, KW: 1,
			Stride: [3]int{1, 1, 1}},
	} {
		register(conformanceCase{
			name: fmt.Sprintf("conv3d/x=[%d,%d,%d,%d,%d],k=[%d,%d,%d,%d],s=%v,p=%v",
				s.N, s.Cin, s.D, s.H, s.W, s.Cout, s.KD, s.KH, s.KW, s.Stride, s.Padding),
			run: func(t *testing.T, d *Device) []result { return conv3dCase(d, s) },
		})
	}
	blocked := Conv3dShape{N: 2, Cin: 3, D: 5, H: 6, W: 7, Cout: 4, KD: 3, KH: 3, KW: 3,
		Stride: [3]int{1, 1, 1}, Padding: [3]int{1, 1, 1}}
	register(conformanceCase{
		name: "conv3d/column-blocks-of-50-positions",
		run: func(t *testing.T, d *Device) []result {
			saved := d.maxColumnFloats
			d.maxColumnFloats = 3 * 27 * 50
			defer func() { d.maxColumnFloats = saved }()
			return conv3dCase(d, blocked)
		},
	})
}

// conv3dCase compares Conv3d and Conv3dBackward with nn.Conv3d.
func conv3dCase(d *Device, s Conv3dShape) []result {
	o := s.Out()
	x := randomTensor(11, s.N, s.Cin, s.D, s.H, s.W)
	w := randomTensor(12, s.Cout, s.Cin, s.KD, s.KH, s.KW)
	b := randomTensor(13, s.Cout)
	g := randomSlice(14, s.N*s.Cout*o[0]*o[1]*o[2])
	out, grads := cpuForwardBackward([]*tensor.Tensor[float32]{x, w, b}, g,
		func(in []*autograd.Value[float32]) *autograd.Value[float32] {
			return nn.Conv3d(in[0], in[1], in[2], s.Stride, s.Padding)
		})

	bx, bw, bb, bg := d.Upload(x.Data), d.Upload(w.Data), d.Upload(b.Data), d.Upload(g)
	bout := d.NewBuffer(len(out))
	d.Conv3d(bout, bx, bw, bb, s)
	gx, gw, gb := d.NewBuffer(bx.n), d.NewBuffer(bw.n), d.NewBuffer(bb.n)
	d.Conv3dBackward(gx, gw, gb, bg, bx, bw, s, false)
	for _, buf := range []*Buffer{bx, bw, bb, bg} {
		buf.Release()
	}
	return []result{{"out", download(bout), out}, {"grad x", download(gx), grads[0]},
		{"grad weight", download(gw), grads[1]}, {"grad bias", download(gb), grads[2]}}
}
