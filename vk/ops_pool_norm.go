package vk

import (
	"fmt"
	"math"
)

var (
	maxPoolKernel          = kernelSpec{name: "maxpool", bindings: 3, pushWords: 7}
	maxPoolBackwardKernel  = kernelSpec{name: "maxpool_backward", bindings: 3, pushWords: 7}
	instNormKernel         = kernelSpec{name: "instnorm", bindings: 3, pushWords: 6}
	instNormBackwardKernel = kernelSpec{name: "instnorm_backward", bindings: 4, pushWords: 7}
)

// volumeShape checks that shape is [N, C, D, H, W] and that buf holds it.
func volumeShape(op string, shape []int, bufs ...*Buffer) (nc, d, h, w int) {
	if len(shape) != 5 {
		panic(fmt.Sprintf("vk: %s wants [N, C, D, H, W], got %v", op, shape))
	}
	n := shape[0] * shape[1] * shape[2] * shape[3] * shape[4]
	for _, b := range bufs {
		if b.n != n {
			panic(fmt.Sprintf("vk: %s buffer of %d values for shape %v", op, b.n, shape))
		}
	}
	return shape[0] * shape[1], shape[2], shape[3], shape[4]
}

// MaxPool3d writes the maximum of each 2x2x2 window (stride 2, floor mode) of
// x [N, C, D, H, W] into out [N, C, D/2, H/2, W/2], and into indices (a buffer of
// out's length holding uint32 bits) the winner's flat index d*H*W + h*W + w within
// its (n, c) volume; the first maximum in raster order wins, as in nn.MaxPool3d.
func (d *Device) MaxPool3d(out, indices, x *Buffer, shape []int) {
	nc, dd, h, w := volumeShape("MaxPool3d", shape, x)
	if dd < 2 || h < 2 || w < 2 || out.n != nc*(dd/2)*(h/2)*(w/2) || indices.n != out.n {
		panic(fmt.Sprintf("vk: MaxPool3d of %v into buffers of %d and %d values", shape,
			out.n, indices.n))
	}
	push := []uint32{uint32(nc), uint32(dd), uint32(h), uint32(w)}
	d.record(&maxPoolKernel, d.grid1D(out.n), push, whole(x), whole(out), whole(indices))
}

// MaxPool3dBackward adds each output gradient g [N, C, D/2, H/2, W/2] into gx
// [N, C, D, H, W] at its window's winner (from MaxPool3d's indices).
func (d *Device) MaxPool3dBackward(gx, g, indices *Buffer, shape []int) {
	nc, dd, h, w := volumeShape("MaxPool3dBackward", shape, gx)
	if g.n != nc*(dd/2)*(h/2)*(w/2) || indices.n != g.n {
		panic(fmt.Sprintf("vk: MaxPool3dBackward of %v from buffers of %d and %d values",
			shape, g.n, indices.n))
	}
	push := []uint32{uint32(nc), uint32(dd), uint32(h), uint32(w)}
	d.record(&maxPoolBackwardKernel, d.grid1D(g.n), push, whole(g), whole(indices),
		whole(gx))
}

// TODO(affine norms): no gamma/beta (PPNet's instance norm has none); BatchNorm3d is
// not ported.

// InstanceNorm3d normalises each (n, c) volume of x [N, C, D, H, W] without affine
// part: y = (x - mean) / sqrt(var + eps) (biased variance), followed by max(y, 0) when
// relu (nn.InstanceNorm3dReLU with nil gamma and beta). stats (2*N*C values) receives
// each group's mean and 1/sqrt(var + eps) for the backward pass.
func (d *Device) InstanceNorm3d(y, stats, x *Buffer, shape []int, eps float32, relu bool) {
	nc, dd, h, w := volumeShape("InstanceNorm3d", shape, x, y)
	if stats.n != 2*nc {
		panic(fmt.Sprintf("vk: InstanceNorm3d stats of %d values for %v", stats.n, shape))
	}
	push := []uint32{uint32(dd * h * w), math.Float32bits(eps), boolWord(relu)}
	d.record(&instNormKernel, [3]uint32{uint32(nc), 1, 1}, push, whole(x), whole(y),
		whole(stats))
}

// InstanceNorm3dBackward writes (or with accumulate adds) into gx the gradient of
// InstanceNorm3d from the output gradient g, the input x and the saved stats:
// gx = invstd * (g' - mean(g') - xhat*mean(g'*xhat)), g' = g gated by the ReLU.
func (d *Device) InstanceNorm3dBackward(gx, g, x, stats *Buffer, shape []int, relu,
	accumulate bool) {
	nc, dd, h, w := volumeShape("InstanceNorm3dBackward", shape, gx, g, x)
	if stats.n != 2*nc {
		panic(fmt.Sprintf("vk: InstanceNorm3dBackward stats of %d values for %v", stats.n,
			shape))
	}
	push := []uint32{uint32(dd * h * w), boolWord(relu), boolWord(accumulate)}
	d.record(&instNormBackwardKernel, [3]uint32{uint32(nc), 1, 1}, push, whole(g),
		whole(x), whole(stats), whole(gx))
}
