package nn

import (
	"github.com/urpc-go/urpc/asm"
	"github.com/urpc-go/urpc/tensor"
)

// The shifted-window form of a stride-1 convolution needs no column matrix. The source
// is zero-padded into a channels-last slab [nz, Hp, Wp, C]; output (z, y, x) is given
// the padded position q = (z*Hp + y)*Wp + x, and tap (a, b, e) reads the slab at
// position q + off_ab + e with off_ab = (a*Hp + b)*Wp. The C values of positions
// q + off_ab, ..., q + off_ab + group - 1 are consecutive in the slab, so one matrix
// product per (a, b) and group of W taps (group = kW by default) reads the slab in
// place as a matrix whose rows overlap (row q starts at position q + off_ab, its
// leading dimension is C and its length group*C):
//
//	out[q, o] += sum_{e, c} slab[q + off_ab + e, c] * W[o, c, a, b, e]
//
// with out channels-last. Positions with x >= Wo are junk, computed and dropped; those
// with y >= Ho, between one depth slice's last real position and the next one's first,
// are skipped (forEachRowBlock). The form pays when the junk is little (large H and W) and
// the channels many enough for each product to be a real matrix product.

// Neighbouring rows share their padding where they can: the pad positions left of row
// y+1 are also the ones right of row y, so a row holds W + padW positions, not
// W + 2 padW, and a slice H + padH rows (the pad rows on top of slice z+1 are the ones
// below slice z). A tap that reads past the end of a row lands in the next row's left
// padding, and past the last row in the next slice's top padding; a tail of
// padH*Wp + padW zeros after the last slice of a slab serves its last row. This holds
// while pad < kernel along H and W (no output position lies past the end of a row);
// other paddings keep both sides. At 32^3 with padding 1 it cuts the junk positions of
// a slice from 2 to 1 per row.

// shiftPlan is the padded geometry of one stride-1 direction of a convolution.
type shiftPlan struct {
	kernel, pad  [3]int
	src, out     [3]int
	hp, wp       int   // padded rows per slice, positions per row (H+padH or H+2padH, ...)
	offsets      []int // the slab position each product starts at (setGroup)
	srcC, dstC   int
	slabRowsPlus int // kD - 1: slab depth beyond the output slices of a tile
	tail         int // zero positions after the last slice of a slab (shared padding)

	// group is the number of W taps one product covers (1 or kW).
	group int

	// slicesPerTile overrides the number of output depth slices per tile when > 0.
	slicesPerTile int
}

// shiftMinChannels and shiftMaxJunk decide when the shifted form replaces the gather:
// at least that many source channels (the depth of each product) and at most that
// ratio of padded to real output positions per depth slice, counted with both pads
// ((H + 2 padH)(W + 2 padW) / (Ho Wo), the layout these were measured on, before rows
// shared their padding). 1.6 admits 8x8 slices with padding 1 (ratio 100/64), where the
// shifted form measured 2-3x faster than the gathered columns (64 -> 64 channels at
// 8^3, batch 4); at 4x4 (ratio 2.25) it was slower.
const (
	shiftMinChannels = 8
	shiftMaxJunk     = 1.6
)

// newShiftPlan returns the plan of a stride-1 correlation of a source [srcC, src] with
// padding pad into [dstC, src + 2 pad - kernel + 1], or nil when the shifted form does
// not apply or would not pay.
func newShiftPlan(kernel, pad, src [3]int, srcC, dstC int) *shiftPlan {
	s := &shiftPlan{kernel: kernel, pad: pad, src: src, srcC: srcC, dstC: dstC}
	for axis := range 3 {
		s.out[axis] = src[axis] + 2*pad[axis] - kernel[axis] + 1
		if pad[axis] < 0 || s.out[axis] < 1 {
			return nil
		}
	}
	s.hp, s.wp = src[1]+2*pad[1], src[2]+2*pad[2]
	junk := float64(s.hp*s.wp) / float64(s.out[1]*s.out[2])
	if srcC < shiftMinChannels || !channelsLast(dstC) || junk > shiftMaxJunk {
		return nil
	}
	if pad[1] < kernel[1] && pad[2] < kernel[2] {
		s.hp, s.wp = src[1]+pad[1], src[2]+pad[2]
		s.tail = pad[1]*s.wp + pad[2]
	}
	s.slabRowsPlus = kernel[0] - 1
	s.setGroup(kernel[2])
	return s
}

// setGroup lets each product cover g W taps (g is 1 or kW) and lists the slab
// position each product starts at: off_ab + e for every (a, b) and every g-th e.
func (s *shiftPlan) setGroup(g int) {
	s.group, s.offsets = g, s.offsets[:0]
	for a := range s.kernel[0] {
		for b := range s.kernel[1] {
			for e := 0; e < s.kernel[2]; e += g {
				s.offsets = append(s.offsets, (a*s.hp+b)*s.wp+e)
			}
		}
	}
}

// Shifted-form budgets: a worker's slab holds at most about shiftSlabElems elements
// (at least one output slice's worth); products run on blocks of whole output rows so
// that the output block (at most forwardBlockElems elements) stays in L1 while the
// kD*kH shifted products of one block read the same band of the slab, and is added to
// the output while it is still there; the weight gradient's products take blocks of
// at most weightBlockPositions positions, each gathered from the upstream gradient
// just before its products.
const (
	shiftSlabElems       = 1 << 20
	forwardBlockElems    = 6144
	weightBlockPositions = 512
)

// tiling splits each sample's output depth slices into tiles whose slab fits
// shiftSlabElems, and small enough to give every core a few tiles.
func (s *shiftPlan) tiling(batch int) tiling {
	slice := s.hp * s.wp * s.srcC
	per := max(shiftSlabElems/slice-s.slabRowsPlus, 1)
	per = min(per, max(batch*s.out[0]/(4*convWorkers(batch*s.out[0])), 1), s.out[0])
	if s.slicesPerTile > 0 {
		per = min(s.slicesPerTile, s.out[0])
	}
	perSample := (s.out[0] + per - 1) / per
	return tiling{rows: s.out[0], rowsPerTile: per, perSample: perSample,
		items: batch * perSample}
}

// rowBlock is a block of output rows [y0, y1) of the output slice dz of a tile, and
// the padded positions [q0, q0+rows) its products cover: from the start of row y0 to
// the last real position of row y1-1.
type rowBlock struct{ dz, y0, y1, q0, rows int }

// forEachRowBlock calls f for blocks of at most maxRows output rows that cover the
// nz output slices of a tile, slice by slice. A block ends at the last real position
// of its last row, so the (Hp - Ho)*Wp + Wp - Wo junk positions between one slice's
// last real position and the next slice's first are never computed (3% of a 32^3
// slice with padding 1, 6% at 16^3, 12% at 8^3); the Wp - Wo junk positions at the end
// of the other rows are.
func (s *shiftPlan) forEachRowBlock(nz, maxRows int, f func(b rowBlock)) {
	ho := s.out[1]
	for dz := range nz {
		for y0 := 0; y0 < ho; y0 += maxRows {
			y1 := min(y0+maxRows, ho)
			f(rowBlock{dz: dz, y0: y0, y1: y1, q0: (dz*s.hp + y0) * s.wp,
				rows: (y1-y0-1)*s.wp + s.out[2]})
		}
	}
}

// rowsPerBlock is the number of whole padded rows in a block of at most positions
// positions (at least one).
func (s *shiftPlan) rowsPerBlock(positions int) int {
	return max(positions/s.wp, 1)
}

// padSlab pads the source depth slices of sample n read by output slices [z0, z1)
// into buf, channels-last: slab[((dz*Hp + y)*Wp + x)*C + c] = src[n, c, z0 + dz - padD,
// y - padH, x - padW], or 0 outside the source, followed by s.tail zeros; each part
// of src fills its own channels of every position.
func padSlab[T tensor.Float](s *shiftPlan, buf *convScratch[T], src channelParts[T],
	n, z0, z1 int) []T {
	nz := z1 - z0 + s.slabRowsPlus
	c := s.srcC
	rowLen := s.wp * c
	slab := grow(&buf.col, nz*s.hp*rowLen+s.tail*c)
	clear(slab[nz*s.hp*rowLen:])
	d, h, w := s.src[0], s.src[1], s.src[2]
	for dz := range nz {
		plane := slab[dz*s.hp*rowLen : (dz+1)*s.hp*rowLen]
		z := z0 + dz - s.pad[0]
		if z < 0 || z >= d {
			clear(plane)
			continue
		}
		clear(plane[:s.pad[1]*rowLen])
		clear(plane[(h+s.pad[1])*rowLen:])
		for y := range h {
			row := plane[(y+s.pad[1])*rowLen : (y+s.pad[1]+1)*rowLen]
			clear(row[:s.pad[2]*c])
			first := 0
			for i, channels := range src.channels {
				toChannelsLast(row[s.pad[2]*c+first:], c, src.sample(i, n)[(z*h+y)*w:],
					d*h*w, channels, w)
				first += channels
			}
			clear(row[(s.pad[2]+w)*c:])
		}
	}
	return slab
}

// toChannelsLast writes c rows of n elements, row ch at src[ch*ld:], into dst
// channels-last, position x's values from dst[x*stride] on (stride = c, or the
// channels of a wider block): dst[x*stride+ch] = src[ch*ld+x]. float32 runs
// asm.ToChannelsLast (8x8 register transposes); float64 the loop.
func toChannelsLast[T tensor.Float](dst []T, stride int, src []T, ld, c, n int) {
	if d, ok := any(dst).([]float32); ok {
		asm.ToChannelsLast(d, stride, any(src).([]float32), ld, c, n)
		return
	}
	for ch := range c {
		for x, v := range src[ch*ld : ch*ld+n] {
			dst[x*stride+ch] = v
		}
	}
}

// shiftProduct accumulates dst[n] += conv(src[n]) + bias for every sample, where wTaps
// [taps, srcC, dstC] holds the kernel tap by tap, bias is [dstC] or nil and dst[n] is
// [dstC, out]. Either side may be in parts (channelParts).
func shiftProduct[T tensor.Float](dst, src channelParts[T], wTaps, bias []T, s *shiftPlan,
	batch int) {
	tl := s.tiling(batch)
	workers := convWorkers(tl.items)
	bufs := make([]*convScratch[T], workers)
	k := s.group * s.srcC // the W taps of one product, all channels
	maxRows := s.rowsPerBlock(forwardBlockElems / s.dstC)

	parallelItems(workers, tl.items, func(w, i int) {
		if bufs[w] == nil {
			bufs[w] = getScratch[T]()
		}
		n, z0, z1 := tl.item(i)
		slab := padSlab(s, bufs[w], src, n, z0, z1)
		block := grow(&bufs[w].tile, maxRows*s.wp*s.dstC)
		s.forEachRowBlock(z1-z0, maxRows, func(b rowBlock) {
			for call, off := range s.offsets {
				beta := T(1)
				if call == 0 {
					beta = 0
				}
				gemm(false, false, b.rows, s.dstC, k, slab[(off+b.q0)*s.srcC:], s.srcC,
					wTaps[call*k*s.dstC:], s.dstC, beta, block, s.dstC)
			}
			addFromPaddedRows(dst, n, block, bias, s, z0+b.dz, b.y0, b.y1)
		})
	})

	putScratch(bufs)
}

// shiftWeight accumulates gwTaps [taps, srcC, dstC] += sum over n and q of
// slab(x[n])[q + off_ab + e, c] * y[n][o, q], the weight gradient of shiftProduct for
// the upstream gradient y [N, dstC, out], x possibly in parts. Each worker sums into
// its own partial, added at the end.
func shiftWeight[T tensor.Float](gwTaps []T, x channelParts[T], y []T, s *shiftPlan,
	batch int) {
	tl := s.tiling(batch)
	workers := convWorkers(tl.items)
	bufs := make([]*convScratch[T], workers)
	ySize := s.dstC * s.out[0] * s.out[1] * s.out[2]
	k := s.group * s.srcC
	maxRows := s.rowsPerBlock(weightBlockPositions)

	parallelItems(workers, tl.items, func(w, i int) {
		if bufs[w] == nil {
			bufs[w] = getScratch[T]()
			clear(grow(&bufs[w].part, len(gwTaps)))
		}
		n, z0, z1 := tl.item(i)
		slab := padSlab(s, bufs[w], x, n, z0, z1)
		block := grow(&bufs[w].tile, maxRows*s.wp*s.dstC)
		yn := y[n*ySize : (n+1)*ySize]
		s.forEachRowBlock(z1-z0, maxRows, func(b rowBlock) {
			toPaddedRows(block, yn, s, z0+b.dz, b.y0, b.y1)
			for call, off := range s.offsets {
				gemm(true, false, k, s.dstC, b.rows, slab[(off+b.q0)*s.srcC:], s.srcC,
					block, s.dstC, 1, bufs[w].part[call*k*s.dstC:], s.dstC)
			}
		})
	})

	for _, b := range bufs {
		if b != nil {
			for j, v := range b.part[:len(gwTaps)] {
				gwTaps[j] += v
			}
		}
	}
	putScratch(bufs)
}

// addFromPaddedRows adds the channels-last block [rows, dstC] of output rows [y0, y1)
// of slice z (row y at block position (y - y0)*Wp), plus bias (or nil), into sample n
// of dst [N, dstC, out], part by part (nil parts skipped).
func addFromPaddedRows[T tensor.Float](dst channelParts[T], n int, block, bias []T,
	s *shiftPlan, z, y0, y1 int) {
	ho, wo := s.out[1], s.out[2]
	for y := y0; y < y1; y++ {
		dst.addChannelsLastRow(n, (z*ho+y)*wo, block[(y-y0)*s.wp*s.dstC:], s.dstC, bias, wo)
	}
}

// toPaddedRows writes output rows [y0, y1) of slice z of y [dstC, out] into the
// channels-last block [rows, dstC] (row y at block position (y - y0)*Wp), with zeros
// at the junk positions between the rows.
func toPaddedRows[T tensor.Float](block, y []T, s *shiftPlan, z, y0, y1 int) {
	ho, wo, c := s.out[1], s.out[2], s.dstC
	volume := s.out[0] * ho * wo
	for yy := y0; yy < y1; yy++ {
		start := (yy - y0) * s.wp * c
		toChannelsLast(block[start:], c, y[(z*ho+yy)*wo:], volume, c, wo)
		if yy < y1-1 {
			clear(block[start+wo*c : start+s.wp*c])
		}
	}
}

// addChannelsLast adds the channels-last src (position x's values from src[x*stride]
// on) plus bias[ch] (none when nil) to c rows of n elements, row ch at dst[ch*ld:]:
// dst[ch*ld+x] += src[x*stride+ch] + bias[ch], the adjoint of toChannelsLast plus a
// bias. float32 runs asm.AddFromChannelsLast.
func addChannelsLast[T tensor.Float](dst []T, ld int, src []T, stride int, bias []T,
	c, n int) {
	if d, ok := any(dst).([]float32); ok {
		b, _ := any(bias).([]float32)
		asm.AddFromChannelsLast(d, ld, any(src).([]float32), stride, b, c, n)
		return
	}
	for ch := range c {
		var b T
		if bias != nil {
			b = bias[ch]
		}
		row := dst[ch*ld : ch*ld+n]
		for x := range row {
			row[x] += src[x*stride+ch] + b
		}
	}
}

// tapKernels rearranges a Conv3d kernel w [cy, cx, taps] tap by tap for shiftProduct:
// [taps, cx, cy] with out[t, c, o] = w[o, c, t] for the forward, and for the adjoint
// [taps, cy, cx] with out[t, o, c] = w[o, c, taps-1-t] (the kernel rotated by 180
// degrees along every axis, as the adjoint of a stride-1 correlation needs). The
// result comes from tensor's free list; the caller recycles it after use.
func tapKernels[T tensor.Float](w []T, cy, cx, taps int, adjoint bool) *tensor.Tensor[T] {
	kernels := tensor.Zeros[T](len(w))
	out := kernels.Data
	for o := range cy {
		for c := range cx {
			for t := range taps {
				if adjoint {
					out[((taps-1-t)*cy+o)*cx+c] = w[(o*cx+c)*taps+t]
				} else {
					out[(t*cx+c)*cy+o] = w[(o*cx+c)*taps+t]
				}
			}
		}
	}
	return kernels
}

// addTapGradients adds gwTaps [taps, cx, cy] (shiftWeight's layout) into gw
// [cy, cx, taps].
func addTapGradients[T tensor.Float](gw, gwTaps []T, cy, cx, taps int) {
	for o := range cy {
		for c := range cx {
			for t := range taps {
				gw[(o*cx+c)*taps+t] += gwTaps[(t*cx+c)*cy+o]
			}
		}
	}
}
