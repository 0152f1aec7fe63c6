package vk

import "fmt"

var (
	im2colKernel     = kernelSpec{name: "im2col", bindings: 2, pushWords: 20}
	col2imKernel     = kernelSpec{name: "col2im", bindings: 2, pushWords: 21}
	channelSumKernel = kernelSpec{name: "channel_sum", bindings: 2, pushWords: 6}
)

// Conv3dShape is the geometry of a 3-D convolution of x [N, Cin, D, H, W] with weight
// [Cout, Cin, KD, KH, KW], giving [N, Cout, OD, OH, OW] with
// O = (I + 2*Padding - K)/Stride + 1 per axis.
type Conv3dShape struct {
	N, Cin, D, H, W  int
	Cout, KD, KH, KW int
	Stride, Padding  [3]int
}

// Out returns the output's spatial size (OD, OH, OW).
func (s Conv3dShape) Out() [3]int {
	in, k := [3]int{s.D, s.H, s.W}, [3]int{s.KD, s.KH, s.KW}
	var out [3]int
	for i := range out {
		out[i] = (in[i]+2*s.Padding[i]-k[i])/s.Stride[i] + 1
	}
	return out
}

// sizes returns the values per sample of x and of the output, the column-matrix rows
// K = Cin*KD*KH*KW and its columns P = OD*OH*OW; it panics on an invalid geometry.
func (s Conv3dShape) sizes() (inVol, outVol, k, p int) {
	o := s.Out()
	if s.N < 1 || s.Cin < 1 || s.Cout < 1 || s.KD < 1 || s.KH < 1 || s.KW < 1 ||
		min(s.Stride[0], s.Stride[1], s.Stride[2]) < 1 ||
		min(s.Padding[0], s.Padding[1], s.Padding[2]) < 0 || min(o[0], o[1], o[2]) < 1 {
		panic(fmt.Sprintf("vk: invalid Conv3dShape %+v", s))
	}
	p = o[0] * o[1] * o[2]
	return s.Cin * s.D * s.H * s.W, s.Cout * p, s.Cin * s.KD * s.KH * s.KW, p
}

// check panics unless the views have the lengths of s (empty views are skipped).
func (s Conv3dShape) check(op string, x, weight, bias, out view) {
	inVol, outVol, k, _ := s.sizes()
	for _, c := range []struct {
		v    view
		want int
	}{{x, s.N * inVol}, {weight, s.Cout * k}, {bias, s.Cout}, {out, s.N * outVol}} {
		if c.v.buf != nil && c.v.n != c.want {
			panic(fmt.Sprintf("vk: %s buffer of %d values, want %d for %+v", op, c.v.n,
				c.want, s))
		}
	}
}

// pointwise reports whether s is a 1x1x1 convolution with stride 1 and no padding,
// whose column matrix is the input volume itself.
func (s Conv3dShape) pointwise() bool {
	return s.KD == 1 && s.KH == 1 && s.KW == 1 && s.Stride == [3]int{1, 1, 1} &&
		s.Padding == [3]int{}
}

// geometryWords returns the 16 push constants shared by im2col and col2im.
func (s Conv3dShape) geometryWords() []uint32 {
	o := s.Out()
	w := []uint32{uint32(s.Cin), uint32(s.D), uint32(s.H), uint32(s.W), uint32(s.KD),
		uint32(s.KH), uint32(s.KW)}
	for _, v := range s.Stride {
		w = append(w, uint32(v))
	}
	for _, v := range s.Padding {
		w = append(w, uint32(v))
	}
	return append(w, uint32(o[0]), uint32(o[1]), uint32(o[2]))
}

// columnChunk returns how many output positions one column block [K, chunk] covers:
// all P when the block fits d.maxColumnFloats values, fewer otherwise.
func (d *Device) columnChunk(k, p int) int {
	return max(1, min(p, d.maxColumnFloats/k))
}

// im2col unfolds the output positions [p0, p0+pc) of sample n of x into cols [K, pc].
func (d *Device) im2col(cols view, x view, s Conv3dShape, n, p0, pc int) {
	inVol, _, k, _ := s.sizes()
	push := append(s.geometryWords(), uint32(p0), uint32(pc))
	d.record(&im2colKernel, d.grid1D(k*pc), push, x.sub(n*inVol, inVol), cols.sub(0, k*pc))
}

// TODO(PPNet ops): ConvTranspose3d and UpsampleNearest have no kernel yet.

// Conv3d computes out [N, Cout, OD, OH, OW] = x conv weight + bias (bias [Cout] may be
// nil) as, per sample, weight [Cout, K] times the im2col matrix [K, P] on the device.
// The column matrix is built in blocks of output positions (see columnChunk).
func (d *Device) Conv3d(out, x, weight, bias *Buffer, s Conv3dShape) {
	d.conv3d(whole(out), whole(x), whole(weight), optional(bias), s)
}

// conv3d is Conv3d on views; an empty bias view means no bias.
func (d *Device) conv3d(out, x, weight, bias view, s Conv3dShape) {
	s.check("Conv3d", x, weight, bias, out)
	inVol, outVol, k, p := s.sizes()
	if s.pointwise() {
		for n := range s.N {
			d.gemm(gemmShape{m: s.Cout, n: p, k: k, lda: k, ldb: p, ldc: p, alpha: 1,
				batch: 1}, weight, x.sub(n*inVol, inVol), out.sub(n*outVol, outVol))
		}
	} else {
		chunk := d.columnChunk(k, p)
		cols := d.NewBuffer(k * chunk)
		defer cols.Release()
		for n := range s.N {
			for p0 := 0; p0 < p; p0 += chunk {
				pc := min(chunk, p-p0)
				d.im2col(whole(cols), x, s, n, p0, pc)
				d.gemm(gemmShape{m: s.Cout, n: pc, k: k, lda: k, ldb: pc, ldc: p, alpha: 1,
					batch: 1}, weight, whole(cols), out.sub(n*outVol+p0, outVol-p0))
			}
		}
	}
	if bias.buf != nil {
		d.elementwise(opAdd, out, out, bias, p, s.Cout, 0)
	}
}

// Conv3dBackward computes, from the output gradient g [N, Cout, OD, OH, OW], the
// gradients of x (gx, skipped when nil), of weight (gw) and of bias (gb, skipped when
// nil). They overwrite the buffers, or add into them when accumulate is true.
//
//	gw += g[n] [Cout, P] * cols[n]^T [P, K];  gb[c] += sum g[:, c, :]
//	gx[n] += col2im(weight^T [K, Cout] * g[n] [Cout, P])
func (d *Device) Conv3dBackward(gx, gw, gb, g, x, weight *Buffer, s Conv3dShape,
	accumulate bool) {
	d.conv3dBackward(optional(gx), whole(gw), optional(gb), whole(g), whole(x),
		whole(weight), s, accumulate)
}

// conv3dBackward is Conv3dBackward on views; empty gx or gb views are skipped.
func (d *Device) conv3dBackward(gx, gw, gb, g, x, weight view, s Conv3dShape,
	accumulate bool) {
	s.check("Conv3dBackward", x, weight, gb, g)
	s.check("Conv3dBackward", gx, gw, view{}, view{})
	if s.pointwise() {
		d.pointwiseBackward(gx, gw, g, x, weight, s, accumulate)
	} else {
		d.unfoldedBackward(gx, gw, g, x, weight, s, accumulate)
	}
	if gb.buf != nil {
		_, _, _, p := s.sizes()
		d.channelSum(gb, g, s.N, s.Cout, p, accumulate)
	}
}

// pointwiseBackward is the weight and input gradient of a pointwise convolution, whose
// column matrix is x[n] [Cin, P] itself.
func (d *Device) pointwiseBackward(gx, gw, g, x, weight view, s Conv3dShape,
	accumulate bool) {
	inVol, outVol, k, p := s.sizes()
	for n := range s.N {
		beta := float32(1)
		if n == 0 && !accumulate {
			beta = 0
		}
		gOut := g.sub(n*outVol, outVol)
		d.gemm(gemmShape{transB: true, m: s.Cout, n: k, k: p, lda: p, ldb: p, ldc: k,
			alpha: 1, beta: beta, batch: 1}, gOut, x.sub(n*inVol, inVol), gw)
		if gx.buf != nil {
			d.gemm(gemmShape{transA: true, m: k, n: p, k: s.Cout, lda: k, ldb: p, ldc: p,
				alpha: 1, beta: float32(boolWord(accumulate)), batch: 1}, weight, gOut,
				gx.sub(n*inVol, inVol))
		}
	}
}

// unfoldedBackward is the weight and input gradient through column blocks [K, pc]:
// im2col for the weight gradient, col2im of weight^T * g for the input gradient.
func (d *Device) unfoldedBackward(gx, gw, g, x, weight view, s Conv3dShape,
	accumulate bool) {
	inVol, outVol, k, p := s.sizes()
	chunk := d.columnChunk(k, p)
	cols := d.NewBuffer(k * chunk)
	defer cols.Release()
	first := true
	for n := range s.N {
		for p0 := 0; p0 < p; p0 += chunk {
			pc := min(chunk, p-p0)
			gOut := g.sub(n*outVol+p0, outVol-p0)
			d.im2col(whole(cols), x, s, n, p0, pc)
			beta := float32(1)
			if first && !accumulate {
				beta = 0
			}
			d.gemm(gemmShape{transB: true, m: s.Cout, n: k, k: pc, lda: p, ldb: pc, ldc: k,
				alpha: 1, beta: beta, batch: 1}, gOut, whole(cols), gw)
			first = false
			if gx.buf == nil {
				continue
			}
			d.gemm(gemmShape{transA: true, m: k, n: pc, k: s.Cout, lda: k, ldb: p, ldc: pc,
				alpha: 1, batch: 1}, weight, gOut, whole(cols))
			push := append(s.geometryWords(), boolWord(accumulate || p0 > 0), uint32(p0),
				uint32(pc))
			d.record(&col2imKernel, d.grid1D(inVol), push, whole(cols).sub(0, k*pc),
				gx.sub(n*inVol, inVol))
		}
	}
}

// ChannelSum sets out[c] = sum over n and p of g[n, c, p] for g [N, C, P] (adds into
// out when accumulate): the bias gradient of a convolution.
func (d *Device) ChannelSum(out, g *Buffer, n, c, p int, accumulate bool) {
	d.channelSum(whole(out), whole(g), n, c, p, accumulate)
}

// channelSum is ChannelSum on views.
func (d *Device) channelSum(out, g view, n, c, p int, accumulate bool) {
	if g.n != n*c*p || out.n != c {
		panic(fmt.Sprintf("vk: ChannelSum of %d values as [%d, %d, %d] into %d", g.n, n,
			c, p, out.n))
	}
	push := []uint32{uint32(n), uint32(c), uint32(p), boolWord(accumulate)}
	d.record(&channelSumKernel, [3]uint32{uint32(c), 1, 1}, push, g, out)
}
