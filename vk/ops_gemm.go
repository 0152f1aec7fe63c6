package vk

import (
	"fmt"
	"math"
)

var (
	gemmKernel            = kernelSpec{name: "gemm", bindings: 3, pushWords: 16}
	gemmDirectKernel      = kernelSpec{name: "gemm_direct", bindings: 3, pushWords: 16}
	softmaxKernel         = kernelSpec{name: "softmax", bindings: 2, pushWords: 6}
	softmaxBackwardKernel = kernelSpec{name: "softmax_backward", bindings: 3, pushWords: 8}
)

// gemmShape is one (batched) row-major product C = alpha*op(A)*op(B) + beta*C with
// op(A) m x k, op(B) k x n, repeated batch times with element strides between matrices.
type gemmShape struct {
	transA, transB            bool
	m, n, k                   int
	lda, ldb, ldc             int
	alpha, beta               float32
	batch                     int
	strideA, strideB, strideC int
}

// span returns how many values a matrix of rows x cols with leading dimension ld
// covers, repeated batch times stride apart.
func span(rows, cols, ld, batch, stride int) int {
	if rows == 0 || cols == 0 || batch == 0 {
		return 0
	}
	return (batch-1)*stride + (rows-1)*ld + cols
}

// Gemm computes C = alpha*op(A)*op(B) + beta*C on row-major matrices stored in a, b
// and c with leading dimensions lda, ldb and ldc; op(A) is m x k (A^T when transA) and
// op(B) is k x n. With beta == 0, C is not read.
func (d *Device) Gemm(transA, transB bool, m, n, k int, alpha float32, a *Buffer, lda int,
	b *Buffer, ldb int, beta float32, c *Buffer, ldc int) {
	s := gemmShape{transA: transA, transB: transB, m: m, n: n, k: k, lda: lda, ldb: ldb,
		ldc: ldc, alpha: alpha, beta: beta, batch: 1}
	d.gemm(s, whole(a), whole(b), whole(c))
}

// gemm records the product s on views of A, B and C.
func (d *Device) gemm(s gemmShape, a, b, c view) {
	ar, ac := s.m, s.k
	if s.transA {
		ar, ac = s.k, s.m
	}
	br, bc := s.k, s.n
	if s.transB {
		br, bc = s.n, s.k
	}
	if s.m < 0 || s.n < 0 || s.k < 0 || s.lda < ac || s.ldb < bc || s.ldc < s.n ||
		span(ar, ac, s.lda, s.batch, s.strideA) > a.n ||
		span(br, bc, s.ldb, s.batch, s.strideB) > b.n ||
		span(s.m, s.n, s.ldc, s.batch, s.strideC) > c.n {
		panic(fmt.Sprintf("vk: Gemm m=%d n=%d k=%d lda=%d ldb=%d ldc=%d does not fit "+
			"buffers of %d, %d and %d values", s.m, s.n, s.k, s.lda, s.ldb, s.ldc,
			a.n, b.n, c.n))
	}
	push := []uint32{uint32(s.m), uint32(s.n), uint32(s.k), uint32(s.lda), uint32(s.ldb),
		uint32(s.ldc), boolWord(s.transA), boolWord(s.transB), math.Float32bits(s.alpha),
		math.Float32bits(s.beta), uint32(s.strideA), uint32(s.strideB), uint32(s.strideC)}
	if d.gemmKernelFor(s) == &gemmDirectKernel {
		groups := d.grid1D(s.m * s.n)
		groups[2] = uint32(s.batch)
		d.record(&gemmDirectKernel, groups, push, a, b, c)
		return
	}
	groups := [3]uint32{uint32((s.n + 63) / 64), uint32((s.m + 63) / 64), uint32(s.batch)}
	d.record(&gemmKernel, groups, push, a, b, c)
}

// TODO(speed): weight gradients are products with a long K (voxels) and a small M x N;
// both kernels run them as M*N (or M*N/4096 tiles) serial dot products. Split K across
// workgroups for a real GPU.

// gemmKernelFor picks the tiled kernel, or the direct one when padding the product to
// 64x64x16 tiles would multiply the work by more than 4 (d.gemmPath forces one in
// tests).
func (d *Device) gemmKernelFor(s gemmShape) *kernelSpec {
	switch d.gemmPath {
	case "tiled":
		return &gemmKernel
	case "direct":
		return &gemmDirectKernel
	}
	up := func(v, to int) float64 { return float64((v + to - 1) / to * to) }
	padded := up(s.m, 64) * up(s.n, 64) * up(s.k, 16)
	if padded > 4*float64(s.m)*float64(s.n)*float64(s.k) {
		return &gemmDirectKernel
	}
	return &gemmKernel
}

// softmaxAxes views shape as [outer, C, inner] around axis.
func softmaxAxes(shape []int, axis int) (outer, c, inner int) {
	if axis < 0 || axis >= len(shape) {
		panic(fmt.Sprintf("vk: softmax axis %d of shape %v", axis, shape))
	}
	outer, inner = 1, 1
	for i, s := range shape {
		switch {
		case i < axis:
			outer *= s
		case i > axis:
			inner *= s
		}
	}
	return outer, shape[axis], inner
}

// Softmax writes into dst the softmax of x (shape, e.g. logits [N, C, D, H, W]) along
// axis: exp(x - max) / sum exp(x - max). With log it writes the log-softmax
// x - max - log(sum exp(x - max)) instead.
func (d *Device) Softmax(dst, x *Buffer, shape []int, axis int, log bool) {
	outer, c, inner := softmaxAxes(shape, axis)
	mustSameLen("Softmax", dst, x)
	if outer*c*inner != x.n {
		panic(fmt.Sprintf("vk: Softmax shape %v for %d values", shape, x.n))
	}
	push := []uint32{uint32(outer), uint32(c), uint32(inner), boolWord(log)}
	d.record(&softmaxKernel, d.grid1D(outer*inner), push, whole(x), whole(dst))
}

// SoftmaxBackward writes (or with accumulate adds) into gx the gradient of the softmax
// (log-softmax when log) along axis, from its output y and output gradient g:
// softmax gx = y*(g - sum g*y), log-softmax gx = g - exp(y)*sum g.
func (d *Device) SoftmaxBackward(gx, y, g *Buffer, shape []int, axis int, log,
	accumulate bool) {
	outer, c, inner := softmaxAxes(shape, axis)
	mustSameLen("SoftmaxBackward", gx, y, g)
	if outer*c*inner != y.n {
		panic(fmt.Sprintf("vk: SoftmaxBackward shape %v for %d values", shape, y.n))
	}
	push := []uint32{uint32(outer), uint32(c), uint32(inner), boolWord(log),
		boolWord(accumulate)}
	d.record(&softmaxBackwardKernel, d.grid1D(outer*inner), push, whole(y), whole(g),
		whole(gx))
}
