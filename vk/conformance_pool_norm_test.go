package vk

import (
	"math"
	"testing"

	"github.com/urpc-go/urpc/autograd"
	"github.com/urpc-go/urpc/nn"
	"github.com/urpc-go/urpc/tensor"
)

func init() {
	register(
		conformanceCase{name: "maxpool3d/[2,3,6,5,7]", run: func(t *testing.T,
			d *Device) []result {
			return maxPoolCase(d, []int{2, 3, 6, 5, 7})
		}},
		conformanceCase{name: "upsample-trilinear/x2", run: func(t *testing.T,
			d *Device) []result {
			return upsampleCase(d, []int{2, 3, 3, 4, 5}, [3]int{6, 8, 10}, false)
		}},
		conformanceCase{name: "upsample-trilinear/odd,align", run: func(t *testing.T,
			d *Device) []result {
			return upsampleCase(d, []int{1, 2, 4, 3, 5}, [3]int{6, 7, 8}, true)
		}},
		conformanceCase{name: "instnorm3d", run: func(t *testing.T, d *Device) []result {
			return instNormCase(d, []int{2, 3, 9, 10, 11}, false)
		}},
		conformanceCase{name: "instnorm3d-relu", run: func(t *testing.T,
			d *Device) []result {
			return instNormCase(d, []int{2, 3, 9, 10, 11}, true)
		}},
	)
}

// maxPoolCase compares MaxPool3d (values and winner indices) and its backward with
// nn.MaxPool3dWithIndices.
func maxPoolCase(d *Device, shape []int) []result {
	x := randomTensor(41, shape...)
	var indices []int
	outShape := []int{shape[0], shape[1], shape[2] / 2, shape[3] / 2, shape[4] / 2}
	g := randomSlice(42, tensor.Numel(outShape))
	out, grads := cpuForwardBackward([]*tensor.Tensor[float32]{x}, g,
		func(in []*autograd.Value[float32]) *autograd.Value[float32] {
			var v *autograd.Value[float32]
			v, indices = nn.MaxPool3dWithIndices(in[0])
			return v
		})
	bx, bg := d.Upload(x.Data), d.Upload(g)
	bout, bidx, gx := d.NewBuffer(len(out)), d.NewBuffer(len(out)), d.NewBuffer(bx.n)
	d.MaxPool3d(bout, bidx, bx, shape)
	d.Fill(gx, 0)
	d.MaxPool3dBackward(gx, bg, bidx, shape)
	bx.Release()
	bg.Release()
	gotIdx, wantIdx := download(bidx), make([]float32, len(indices))
	for i, v := range gotIdx {
		gotIdx[i] = float32(math.Float32bits(v))
		wantIdx[i] = float32(indices[i])
	}
	return []result{{"out", download(bout), out}, {"indices", gotIdx, wantIdx},
		{"grad x", download(gx), grads[0]}}
}

// instNormCase compares InstanceNorm3d (optionally fused with ReLU) and its backward
// with nn.InstanceNorm3d / nn.InstanceNorm3dReLU without affine parameters.
func instNormCase(d *Device, shape []int, relu bool) []result {
	x := randomTensor(43, shape...)
	for i := range x.Data {
		x.Data[i] = 3*x.Data[i] + 2
	}
	g := randomSlice(44, x.Numel())
	out, grads := cpuForwardBackward([]*tensor.Tensor[float32]{x}, g,
		func(in []*autograd.Value[float32]) *autograd.Value[float32] {
			if relu {
				return nn.InstanceNorm3dReLU(in[0], nil, nil, nn.NormEps)
			}
			return nn.InstanceNorm3d(in[0], nil, nil, nn.NormEps)
		})
	bx, bg := d.Upload(x.Data), d.Upload(g)
	by, gx := d.NewBuffer(len(out)), d.NewBuffer(len(out))
	stats := d.NewBuffer(2 * shape[0] * shape[1])
	d.InstanceNorm3d(by, stats, bx, shape, nn.NormEps, relu)
	d.InstanceNorm3dBackward(gx, bg, bx, stats, shape, relu, false)
	for _, b := range []*Buffer{bx, bg, stats} {
		b.Release()
	}
	return []result{{"out", download(by), out}, {"grad x", download(gx), grads[0]}}
}

// upsampleCase compares UpsampleTrilinear and its backward with nn.UpsampleTrilinear.
func upsampleCase(d *Device, shape []int, size [3]int, alignCorners bool) []result {
	x := randomTensor(45, shape...)
	g := randomSlice(46, shape[0]*shape[1]*size[0]*size[1]*size[2])
	out, grads := cpuForwardBackward([]*tensor.Tensor[float32]{x}, g,
		func(in []*autograd.Value[float32]) *autograd.Value[float32] {
			return nn.UpsampleTrilinear(in[0], size, alignCorners)
		})
	bx, bg := d.Upload(x.Data), d.Upload(g)
	bout, gx := d.NewBuffer(len(out)), d.NewBuffer(bx.n)
	d.UpsampleTrilinear(bout, bx, shape, size, alignCorners)
	d.UpsampleTrilinearBackward(gx, bg, shape, size, alignCorners, false)
	bx.Release()
	bg.Release()
	return []result{{"out", download(bout), out}, {"grad x", download(gx), grads[0]}}
}
