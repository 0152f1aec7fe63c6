package vk

import (
	"fmt"
	"math"
)

// elementOp selects the function of the elementwise kernel (shaders/elementwise.comp).
type elementOp uint32

const (
	opCopy elementOp = iota
	opAdd
	opSub
	opMul
	opAxpy
	opScale
	opReLU
	opReLUBackward
	opFill
	opMulOnePlus
	opAddMul
	opAddReLUBackward
)

var (
	elementwiseKernel = kernelSpec{name: "elementwise", bindings: 3, pushWords: 9}
	sgdKernel         = kernelSpec{name: "sgd", bindings: 3, pushWords: 8}
)

// chunkLen returns the largest number of float32 values one binding may cover when
// chunks start at multiples of it (so every chunk's offset is aligned).
func (d *Device) chunkLen() int {
	align := max(d.limits.MinStorageBufferOffsetAlignment, 4)
	return int(d.limits.MaxStorageBufferRange/align*align) / 4
}

// elementwise runs out[i] = op(x[i], y[((i / div) % mod)]) over all of out, in chunks
// that fit one binding. y is broadcast when mod < out.n; when y has out's length
// (div 1, mod out.n) it is cut into the same chunks as x and out.
func (d *Device) elementwise(op elementOp, out, x, y view, div, mod int, alpha float32) {
	n := out.n
	if x.n != n {
		panic(fmt.Sprintf("vk: elementwise operands of %d and %d values", x.n, n))
	}
	sameShape := y.n == n && div == 1 && mod == n
	if !sameShape && (div < 1 || mod < 1 || mod > y.n) {
		panic(fmt.Sprintf("vk: broadcast of %d values with div %d, mod %d", y.n, div, mod))
	}
	chunk := d.chunkLen()
	for start := 0; start < n; start += chunk {
		m := min(chunk, n-start)
		yv, base, ydiv, ymod := y, start, div, mod
		if sameShape {
			yv, base, ydiv, ymod = y.sub(start, m), 0, 1, m
		}
		push := []uint32{uint32(op), uint32(m), uint32(base), uint32(ydiv), uint32(ymod),
			math.Float32bits(alpha)}
		d.record(&elementwiseKernel, d.grid1D(m), push, x.sub(start, m), yv,
			out.sub(start, m))
	}
}

// mustSameLen panics unless all buffers hold the same number of values.
func mustSameLen(op string, bufs ...*Buffer) {
	for _, b := range bufs[1:] {
		if b.n != bufs[0].n {
			panic("vk: " + op + " operands differ in length")
		}
	}
}

// Copy sets dst[i] = src[i].
func (d *Device) Copy(dst, src *Buffer) {
	mustSameLen("Copy", dst, src)
	d.elementwise(opCopy, whole(dst), whole(src), whole(src), 1, src.n, 0)
}

// Fill sets every value of dst to v.
func (d *Device) Fill(dst *Buffer, v float32) {
	d.elementwise(opFill, whole(dst), whole(dst), whole(dst), 1, dst.n, v)
}

// Add sets dst[i] = x[i] + y[i].
func (d *Device) Add(dst, x, y *Buffer) {
	mustSameLen("Add", dst, x, y)
	d.elementwise(opAdd, whole(dst), whole(x), whole(y), 1, y.n, 0)
}

// Sub sets dst[i] = x[i] - y[i].
func (d *Device) Sub(dst, x, y *Buffer) {
	mustSameLen("Sub", dst, x, y)
	d.elementwise(opSub, whole(dst), whole(x), whole(y), 1, y.n, 0)
}

// Mul sets dst[i] = x[i] * y[i].
func (d *Device) Mul(dst, x, y *Buffer) {
	mustSameLen("Mul", dst, x, y)
	d.elementwise(opMul, whole(dst), whole(x), whole(y), 1, y.n, 0)
}

// Axpy adds alpha*x into y: y[i] += alpha*x[i].
func (d *Device) Axpy(alpha float32, x, y *Buffer) {
	mustSameLen("Axpy", x, y)
	d.elementwise(opAxpy, whole(y), whole(x), whole(x), 1, x.n, alpha)
}

// Scale sets dst[i] = alpha*x[i].
func (d *Device) Scale(dst *Buffer, alpha float32, x *Buffer) {
	mustSameLen("Scale", dst, x)
	d.elementwise(opScale, whole(dst), whole(x), whole(x), 1, x.n, alpha)
}

// ReLU sets dst[i] = max(x[i], 0) (0 for NaN).
func (d *Device) ReLU(dst, x *Buffer) {
	mustSameLen("ReLU", dst, x)
	d.elementwise(opReLU, whole(dst), whole(x), whole(x), 1, x.n, 0)
}

// ReLUBackward sets gx[i] = g[i] where x[i] > 0 and 0 elsewhere, or adds that into gx
// when accumulate is true; x is the forward input.
func (d *Device) ReLUBackward(gx, g, x *Buffer, accumulate bool) {
	mustSameLen("ReLUBackward", gx, g, x)
	op := opReLUBackward
	if accumulate {
		op = opAddReLUBackward
	}
	d.elementwise(op, whole(gx), whole(g), whole(x), 1, x.n, 0)
}

// MulBroadcast sets dst[i] = x[i] * m[(i / inner) % m.Len()]: a Dropout3d channel mask
// m [N, C, 1, 1, 1] applied to x [N, C, D, H, W] has inner = D*H*W. With accumulate,
// it adds the product into dst instead (the backward of the mask: gx += g*m).
func (d *Device) MulBroadcast(dst, x, m *Buffer, inner int, accumulate bool) {
	mustSameLen("MulBroadcast", dst, x)
	op := opMul
	if accumulate {
		op = opAddMul
	}
	d.elementwise(op, whole(dst), whole(x), whole(m), inner, m.n, 0)
}

// FeatureNoise sets dst[i] = x[i] * (1 + u[i % u.Len()]): the feature-noise
// perturbation with noise u [1, C, D, H, W] broadcast over the batch of x.
func (d *Device) FeatureNoise(dst, x, u *Buffer) {
	mustSameLen("FeatureNoise", dst, x)
	if u.n == 0 || x.n%u.n != 0 {
		panic("vk: FeatureNoise noise length does not divide the input length")
	}
	d.elementwise(opMulOnePlus, whole(dst), whole(x), whole(u), 1, u.n, 0)
}

// SGDMomentum runs one SGD step with momentum and weight decay on the flat parameter
// buffer theta with gradient grad and momentum buffer buf (torch.optim.SGD):
// d = grad + weightDecay*theta; buf = momentum*buf + d (buf = d when first);
// theta -= lr*buf.
func (d *Device) SGDMomentum(theta, grad, buf *Buffer, lr, momentum, weightDecay float32,
	first bool) {
	mustSameLen("SGDMomentum", theta, grad, buf)
	chunk := d.chunkLen()
	for start := 0; start < theta.n; start += chunk {
		m := min(chunk, theta.n-start)
		push := []uint32{uint32(m), math.Float32bits(lr), math.Float32bits(momentum),
			math.Float32bits(weightDecay), boolWord(first)}
		d.record(&sgdKernel, d.grid1D(m), push, view{buf: theta, off: start, n: m},
			view{buf: grad, off: start, n: m}, view{buf: buf, off: start, n: m})
	}
}

// boolWord is 1 for true and 0 for false.
func boolWord(b bool) uint32 {
	if b {
		return 1
	}
	return 0
}
