package vk

import "fmt"

var (
	im2colKernel     = kernelSpec{name: "im2col", bindings: 2, pushWords: 18}
	col2imKernel     = kernelSpec{name: "col2im", bindings: 2, pushWords: 19}
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

// check panics unless the buffers have the lengths of s (nil buffers are skipped).
func (s Conv3dShape) check(op string, x, weight, bias, out *Buffer) {
	inVol, outVol, k, _ := s.sizes()
	for _, c := range []struct {
		b    *Buffer
		want int
	}{{x, s.N * inVol}, {weight, s.Cout * k}, {bias, s.Cout}, {out, s.N * outVol}} {
		if c.b != nil && c.b.n != c.want {
			panic(fmt.Sprintf("vk: %s buffer of %d values, want %d for %+v", op, c.b.n,
				c.want, s))
		}
	}
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

// im2col unfolds sample n of x into cols [K, P].
func (d *Device) im2col(cols, x *Buffer, s Conv3dShape, n int) {
	inVol, _, k, p := s.sizes()
	d.record(&im2colKernel, d.grid1D(k*p), s.geometryWords(),
		view{buf: x, off: n * inVol, n: inVol}, whole(cols))
}

// TODO(PPNet ops): ConvTranspose3d and UpsampleNearest have no kernel yet; the
// column matrix [K, P] of one sample is allocated per call.

// Conv3d computes out [N, Cout, OD, OH, OW] = x conv weight + bias (bias [Cout] may be
// nil) as, per sample, weight [Cout, K] times the im2col matrix [K, P] on the device.
func (d *Device) Conv3d(out, x, weight, bias *Buffer, s Conv3dShape) {
	s.check("Conv3d", x, weight, bias, out)
	_, outVol, k, p := s.sizes()
	cols := d.NewBuffer(k * p)
	defer cols.Release()
	for n := range s.N {
		d.im2col(cols, x, s, n)
		d.gemm(gemmShape{m: s.Cout, n: p, k: k, lda: k, ldb: p, ldc: p, alpha: 1, batch: 1},
			whole(weight), whole(cols), view{buf: out, off: n * outVol, n: outVol})
	}
	if bias != nil {
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
	s.check("Conv3dBackward", x, weight, gb, g)
	s.check("Conv3dBackward", gx, gw, nil, nil)
	inVol, outVol, k, p := s.sizes()
	cols := d.NewBuffer(k * p)
	defer cols.Release()
	gOut := func(n int) view { return view{buf: g, off: n * outVol, n: outVol} }
	for n := range s.N {
		d.im2col(cols, x, s, n)
		beta := float32(1)
		if n == 0 && !accumulate {
			beta = 0
		}
		d.gemm(gemmShape{transB: true, m: s.Cout, n: k, k: p, lda: p, ldb: p, ldc: k,
			alpha: 1, beta: beta, batch: 1}, gOut(n), whole(cols), whole(gw))
		if gx == nil {
			continue
		}
		d.gemm(gemmShape{transA: true, m: k, n: p, k: s.Cout, lda: k, ldb: p, ldc: p,
			alpha: 1, batch: 1}, whole(weight), gOut(n), whole(cols))
		push := append(s.geometryWords(), boolWord(accumulate))
		d.record(&col2imKernel, d.grid1D(inVol), push, whole(cols),
			view{buf: gx, off: n * inVol, n: inVol})
	}
	if gb != nil {
		d.ChannelSum(gb, g, s.N, s.Cout, p, accumulate)
	}
}

// ChannelSum sets out[c] = sum over n and p of g[n, c, p] for g [N, C, P] (adds into
// out when accumulate): the bias gradient of a convolution.
func (d *Device) ChannelSum(out, g *Buffer, n, c, p int, accumulate bool) {
	if g.n != n*c*p || out.n != c {
		panic(fmt.Sprintf("vk: ChannelSum of %d values as [%d, %d, %d] into %d", g.n, n,
			c, p, out.n))
	}
	push := []uint32{uint32(n), uint32(c), uint32(p), boolWord(accumulate)}
	d.record(&channelSumKernel, [3]uint32{uint32(c), 1, 1}, push, whole(g), whole(out))
}
