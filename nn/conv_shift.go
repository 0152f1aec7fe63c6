package nn

import "github.com/urpc-go/urpc/tensor"

// The shifted-window form of a stride-1 convolution needs no column matrix. The source
// is zero-padded into a channels-last slab [nz, Hp, Wp, C]; output (z, y, x) is given
// the padded position q = (z*Hp + y)*Wp + x, and tap (a, b, e) reads the slab at
// position q + off_ab + e with off_ab = (a*Hp + b)*Wp. Each position of the slab also
// carries its next group-1 neighbours along W (group = kW by default), so row q of
// the slab, [group, C] values, holds every tap e and channel c of one (a, b), and one
// matrix product per (a, b) reads the slab in place, shifted by off_ab rows:
//
//	out[q, o] += sum_{e, c} slab[q + off_ab, e, c] * W[o, c, a, b, e]
//
// with out channels-last. Positions with y >= Ho or x >= Wo are junk, computed and
// dropped: the form pays when they are few (large H and W) and the channels many
// enough for each product to be a real matrix product.

// shiftPlan is the padded geometry of one stride-1 direction of a convolution.
type shiftPlan struct {
	kernel, pad  [3]int
	src, out     [3]int
	hp, wp       int
	offsets      []int // off_ab, in positions, for each (a, b)
	srcC, dstC   int
	slabRowsPlus int // kD - 1: slab depth beyond the output slices of a tile

	// group is the number of W taps stored with each slab position (1 or kW).
	group int

	// slicesPerTile overrides the number of output depth slices per tile when > 0.
	slicesPerTile int
}

// shiftMinChannels and shiftMaxJunk decide when the shifted form replaces the gather:
// at least that many source channels (the depth of each product) and at most that
// ratio of padded to real output positions per depth slice.
const (
	shiftMinChannels = 8
	shiftMaxJunk     = 1.3
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
	s.slabRowsPlus = kernel[0] - 1
	s.setGroup(kernel[2])
	return s
}

// setGroup stores g W taps with each slab position (g is 1 or kW) and lists the slab
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

// tiling splits each sample's output depth slices into tiles of about tileElems
// padded positions (at least one slice).
func (s *shiftPlan) tiling(batch int) tiling {
	per := min(max(tileElems/8/(s.hp*s.wp), 1), s.out[0])
	if s.slicesPerTile > 0 {
		per = min(s.slicesPerTile, s.out[0])
	}
	perSample := (s.out[0] + per - 1) / per
	return tiling{rows: s.out[0], rowsPerTile: per, perSample: perSample,
		items: batch * perSample}
}

// padSlab pads the source depth slices read by output slices [z0, z1) into buf,
// channels-last with group W neighbours per position:
// slab[((dz*Hp + y)*Wp + x)*group + e, c] = src[c, z0 + dz - padD, y - padH,
// x + e - padW], or 0 outside the source or past the end of the padded row. It
// returns the slab and the number m of padded positions that the output slices span
// (the rows of the products).
func padSlab[T tensor.Float](s *shiftPlan, buf *[]T, src []T, z0, z1 int) ([]T, int) {
	nz := z1 - z0 + s.slabRowsPlus
	c, g := s.srcC, s.group
	rowLen := s.wp * g * c
	slab := grow(buf, nz*s.hp*rowLen)
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
			clear(row)
			for ch := range c {
				srcRow := src[((ch*d+z)*h+y)*w : ((ch*d+z)*h+y+1)*w]
				scatterRow(row, srcRow, s.pad[2], g, c, ch)
			}
		}
	}
	m := ((z1-z0-1)*s.hp+s.out[1]-1)*s.wp + s.out[2]
	return slab, m
}

// scatterRow writes channel ch of one source row into a padded slab row: value x goes
// to position x + pad - e as its neighbour e, for every e < g that lands in the row.
func scatterRow[T tensor.Float](row, srcRow []T, pad, g, c, ch int) {
	if g == 1 {
		for x, v := range srcRow {
			row[(x+pad)*c+ch] = v
		}
		return
	}
	for x, v := range srcRow {
		for e := range min(g, x+pad+1) {
			row[((x+pad-e)*g+e)*c+ch] = v
		}
	}
}

// shiftProduct accumulates dst[n] += conv(src[n]) for every sample, where wTaps
// [taps, srcC, dstC] holds the kernel tap by tap and dst[n] is [dstC, out].
func shiftProduct[T tensor.Float](dst, src, wTaps []T, s *shiftPlan, batch int) {
	tl := s.tiling(batch)
	workers := convWorkers(tl.items)
	bufs := make([]*convScratch[T], workers)
	srcSize := s.srcC * s.src[0] * s.src[1] * s.src[2]
	dstSize := s.dstC * s.out[0] * s.out[1] * s.out[2]
	k := s.group * s.srcC // the W taps of one slab position, all channels

	parallelItems(workers, tl.items, func(w, i int) {
		if bufs[w] == nil {
			bufs[w] = getScratch[T]()
		}
		n, z0, z1 := tl.item(i)
		slab, m := padSlab(s, &bufs[w].col, src[n*srcSize:(n+1)*srcSize], z0, z1)
		tile := grow(&bufs[w].tile, m*s.dstC)
		for call, off := range s.offsets {
			beta := T(1)
			if call == 0 {
				beta = 0
			}
			gemm(false, false, m, s.dstC, k, slab[off*k:], k, wTaps[call*k*s.dstC:], s.dstC,
				beta, tile, s.dstC)
		}
		addFromPadded(dst[n*dstSize:(n+1)*dstSize], tile, s, z0, z1)
	})

	putScratch(bufs)
}

// shiftWeight accumulates gwTaps [taps, srcC, dstC] += sum over n and q of
// slab(x[n])[q + off_ab + e, c] * y[n][o, q], the weight gradient of shiftProduct for
// the upstream gradient y [N, dstC, out]. Each worker sums into its own partial, added
// at the end.
func shiftWeight[T tensor.Float](gwTaps, x, y []T, s *shiftPlan, batch int) {
	tl := s.tiling(batch)
	workers := convWorkers(tl.items)
	bufs := make([]*convScratch[T], workers)
	xSize := s.srcC * s.src[0] * s.src[1] * s.src[2]
	ySize := s.dstC * s.out[0] * s.out[1] * s.out[2]
	k := s.group * s.srcC

	parallelItems(workers, tl.items, func(w, i int) {
		if bufs[w] == nil {
			bufs[w] = getScratch[T]()
			clear(grow(&bufs[w].part, len(gwTaps)))
		}
		n, z0, z1 := tl.item(i)
		slab, m := padSlab(s, &bufs[w].col, x[n*xSize:(n+1)*xSize], z0, z1)
		yPadded := grow(&bufs[w].tile, m*s.dstC)
		scatterToPadded(yPadded, y[n*ySize:(n+1)*ySize], s, z0, z1)
		for call, off := range s.offsets {
			gemm(true, false, k, s.dstC, m, slab[off*k:], k, yPadded, s.dstC, 1,
				bufs[w].part[call*k*s.dstC:], s.dstC)
		}
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

// addFromPadded adds the real positions of the channels-last tile [m, dstC] (padded
// index q = (dz*Hp + y)*Wp + x) into dst [dstC, out] at output slices [z0, z1).
func addFromPadded[T tensor.Float](dst, tile []T, s *shiftPlan, z0, z1 int) {
	ho, wo := s.out[1], s.out[2]
	plane := ho * wo
	volume := s.out[0] * plane
	for dz := range z1 - z0 {
		for y := range ho {
			src := tile[((dz*s.hp)+y)*s.wp*s.dstC:]
			base := (z0+dz)*plane + y*wo
			for o := range s.dstC {
				row := dst[o*volume+base : o*volume+base+wo]
				for x := range row {
					row[x] += src[x*s.dstC+o]
				}
			}
		}
	}
}

// scatterToPadded writes y [dstC, out] at output slices [z0, z1) into the channels-last
// padded tile [m, dstC], with zeros at the junk positions.
func scatterToPadded[T tensor.Float](tile, y []T, s *shiftPlan, z0, z1 int) {
	clear(tile)
	ho, wo := s.out[1], s.out[2]
	plane := ho * wo
	volume := s.out[0] * plane
	for dz := range z1 - z0 {
		for yy := range ho {
			dst := tile[((dz*s.hp)+yy)*s.wp*s.dstC:]
			base := (z0+dz)*plane + yy*wo
			for o := range s.dstC {
				row := y[o*volume+base : o*volume+base+wo]
				for x, v := range row {
					dst[x*s.dstC+o] = v
				}
			}
		}
	}
}

// tapKernels rearranges a Conv3d kernel w [cy, cx, taps] tap by tap for shiftProduct:
// [taps, cx, cy] with out[t, c, o] = w[o, c, t] for the forward, and for the adjoint
// [taps, cy, cx] with out[t, o, c] = w[o, c, taps-1-t] (the kernel rotated by 180
// degrees along every axis, as the adjoint of a stride-1 correlation needs).
func tapKernels[T tensor.Float](w []T, cy, cx, taps int, adjoint bool) []T {
	out := make([]T, len(w))
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
	return out
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
