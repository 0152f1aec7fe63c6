package nn

import (
	"github.com/urpc-go/urpc/asm"
	"github.com/urpc-go/urpc/tensor"
)

// winogradPlan runs a stride-1 3x3x3 correlation with padding 1 on every axis (the
// U-Net's convolutions), between X [N, Cx, D, H, W] and Y [N, Cy, D, H, W], in the
// Winograd form F(2x2x2, 3x3x3) of winograd_math.go. The volume is cut into
// ceil(D/2) x ceil(H/2) x ceil(W/2) output tiles; a tile row is the ceil(W/2) tiles
// of one (sample, tile slice, tile row). Blocks of whole tile rows are transformed
// into 64 matrices [tiles, C] each, multiplied by the 64 matrices of the transformed
// kernel and transformed back, one block per worker at a time.
type winogradPlan struct {
	batch, cx, cy int
	dims, tiles   [3]int
	padded        [3]int // 2*tiles + 2: the source with one zero on each side, rounded up
}

// winogradMinChannels is the fewest input and output channels for which the Winograd
// form replaces the others (the first layer, 1 -> 16, gains nothing from it).
const winogradMinChannels = 8

// winogradMinSide is the smallest volume side for which the Winograd form replaces the
// others: on smaller volumes (the deepest levels, 4^3 and 2^3 at a 32^3 patch) the
// kernel transform and the padding to whole tiles cost more than the products save.
// A variable so that tests can run the form on small volumes.
var winogradMinSide = 6

// winogradBlockElems bounds a block's transformed tiles, 64 * tiles * max(Cx, Cy)
// elements per worker (and as many again for the products). 1 << 18 was 3-5% faster
// than 1 << 17 at a 48^3 patch (1 thread, 2026-12-04) and no slower at 32^3. A
// variable so that tests can cut small volumes into several blocks.
var winogradBlockElems = 1 << 18

// newWinogradPlan returns the plan, or nil when the convolution is not a stride-1
// 3x3x3 one with padding 1 or has too few channels.
func newWinogradPlan(batch, cx, cy int, dims, kernel, stride, pad [3]int) *winogradPlan {
	if kernel != [3]int{3, 3, 3} || stride != [3]int{1, 1, 1} || pad != [3]int{1, 1, 1} ||
		min(cx, cy) < winogradMinChannels || min(dims[0], dims[1], dims[2]) < winogradMinSide {
		return nil
	}
	p := &winogradPlan{batch: batch, cx: cx, cy: cy, dims: dims}
	for axis := range 3 {
		p.tiles[axis] = (dims[axis] + 1) / 2
		p.padded[axis] = 2*p.tiles[axis] + 2
	}
	return p
}

// tileRows is the number of tile rows of the batch; tileRow decodes row g.
func (p *winogradPlan) tileRows() int { return p.batch * p.tiles[0] * p.tiles[1] }

func (p *winogradPlan) tileRow(g int) (n, tz, ty int) {
	perSample := p.tiles[0] * p.tiles[1]
	n, g = g/perSample, g%perSample
	return n, g / p.tiles[1], g % p.tiles[1]
}

// rowsPerBlock is the number of tile rows of a block whose transforms have c channels.
func (p *winogradPlan) rowsPerBlock() int {
	perRow := winogradTiles * p.tiles[2] * max(p.cx, p.cy)
	return max(winogradBlockElems/perRow, 1)
}

// winogradPlane is the stride of the components [tiles, c] of a block: tiles*c rounded
// up to an odd number of 64-byte lines (16 floats), so that the 64 components of a tile
// fall into 64 different L1 sets. A plain tiles*c is often a multiple of 4 KiB (16
// channels of 128 tiles), and then the tile transforms thrashed one set: measured
// 150 ms of a 700 ms step at 32^3.
func winogradPlane(tiles, c int) int {
	lines := (tiles*c + 15) / 16
	if lines%2 == 0 {
		lines++
	}
	return lines * 16
}

// volume is D*H*W.
func (p *winogradPlan) volume() int { return p.dims[0] * p.dims[1] * p.dims[2] }

// winogradProduct accumulates dst[n] += corr(src[n]) + bias (bias [dstC] or nil) for
// every sample, src [N, srcC, D, H, W] and dst [N, dstC, D, H, W] possibly in parts,
// with the transformed kernel u [64, srcC, dstC] (winogradKernel: the forward, or the
// adjoint for the input gradient).
func winogradProduct[T tensor.Float](p *winogradPlan, dst, src channelParts[T], u, bias []T) {
	srcC, dstC := src.total(), dst.total()
	padded := paddedChannelsLast(p, src)
	defer tensor.Recycle(padded)

	rows, perBlock := p.tileRows(), p.rowsPerBlock()
	blocks := (rows + perBlock - 1) / perBlock
	workers := convWorkers(blocks)
	bufs := make([]*convScratch[T], workers)
	tw := p.tiles[2]
	parallelItems(workers, blocks, func(w, b int) {
		if bufs[w] == nil {
			bufs[w] = getScratch[T]()
		}
		g0, g1 := b*perBlock, min((b+1)*perBlock, rows)
		tiles := (g1 - g0) * tw
		vPlane, mPlane := winogradPlane(tiles, srcC), winogradPlane(tiles, dstC)
		v := grow(&bufs[w].col, winogradTiles*vPlane)
		m := grow(&bufs[w].tile, winogradTiles*mPlane)
		inputTransform(p, v, padded.Data, srcC, g0, g1)
		for c := range winogradTiles {
			gemm(false, false, tiles, dstC, srcC, v[c*vPlane:], srcC, u[c*srcC*dstC:], dstC,
				0, m[c*mPlane:], dstC)
		}
		outputTransform(p, dst, m, bias, &bufs[w].part, g0, g1)
	})
	putScratch(bufs)
}

// winogradWeight accumulates gw [Cy, Cx, 3, 3, 3] += the weight gradient of
// winogradProduct's forward for the upstream gradient dy [N, Cy, D, H, W], x [N, Cx, D,
// H, W] possibly in parts: dU[c] = sum over tiles V[c]^T (A dy)[c] per component c,
// then gw += (G^T x G^T x G^T) dU. Each worker sums into its own partial, added in a
// fixed order at the end.
func winogradWeight[T tensor.Float](p *winogradPlan, gw []T, x channelParts[T], dy []T) {
	padded := paddedChannelsLast(p, x)
	defer tensor.Recycle(padded)
	evenDy := evenChannelsLast(p, dy)
	defer tensor.Recycle(evenDy)

	rows, perBlock := p.tileRows(), p.rowsPerBlock()
	blocks := (rows + perBlock - 1) / perBlock
	workers := convWorkers(blocks)
	bufs := make([]*convScratch[T], workers)
	tw, size := p.tiles[2], winogradTiles*p.cx*p.cy
	parallelItems(workers, blocks, func(w, b int) {
		if bufs[w] == nil {
			bufs[w] = getScratch[T]()
			clear(grow(&bufs[w].part, size))
		}
		g0, g1 := b*perBlock, min((b+1)*perBlock, rows)
		tiles := (g1 - g0) * tw
		vPlane, mPlane := winogradPlane(tiles, p.cx), winogradPlane(tiles, p.cy)
		v := grow(&bufs[w].col, winogradTiles*vPlane)
		m := grow(&bufs[w].tile, winogradTiles*mPlane)
		inputTransform(p, v, padded.Data, p.cx, g0, g1)
		gradientTransform(p, m, evenDy.Data, g0, g1)
		for c := range winogradTiles {
			gemm(true, false, p.cx, p.cy, tiles, v[c*vPlane:], p.cx, m[c*mPlane:], p.cy, 1,
				bufs[w].part[c*p.cx*p.cy:], p.cy)
		}
	})

	du := tensor.Zeros[T](size)
	for _, b := range bufs {
		if b != nil {
			tensor.AddInPlace(du, tensor.FromSlice(b.part[:size], size))
		}
	}
	putScratch(bufs)
	addWeightGradient(gw, du.Data, p.cy, p.cx)
	tensor.Recycle(du)
}

// paddedChannelsLast copies src [N, C, D, H, W] (in parts) channels-last into
// [N, Dp, Hp, Wp, C] with the voxel (z, y, x) at (z+1, y+1, x+1) and zeros around; the
// padded sizes are p.padded. Only the border is cleared (clearing it all cost as much
// as the copy). The result is from tensor's free list.
func paddedChannelsLast[T tensor.Float](p *winogradPlan, src channelParts[T]) *tensor.Tensor[T] {
	c := src.total()
	dp, hp, wp := p.padded[0], p.padded[1], p.padded[2]
	padded := tensor.Uninitialized[T](p.batch * dp * hp * wp * c)
	d, h, w := p.dims[0], p.dims[1], p.dims[2]
	rowLen := wp * c
	parallelItems(convWorkers(p.batch*dp), p.batch*dp, func(_, item int) {
		n, zp := item/dp, item%dp
		slice := padded.Data[(n*dp+zp)*hp*rowLen:][:hp*rowLen]
		if zp == 0 || zp > d {
			clear(slice)
			return
		}
		clear(slice[:rowLen])
		clear(slice[(h+1)*rowLen:])
		z := zp - 1
		for y := range h {
			row := slice[(y+1)*rowLen:][:rowLen]
			clear(row[:c])
			clear(row[(w+1)*c:])
			first := 0
			for i, channels := range src.channels {
				toChannelsLast(row[c+first:], c, src.sample(i, n)[(z*h+y)*w:], d*h*w,
					channels, w)
				first += channels
			}
		}
	})
	return padded
}

// evenChannelsLast copies dy [N, Cy, D, H, W] channels-last into a zeroed
// [N, 2 tiles_D, 2 tiles_H, 2 tiles_W, Cy] (zeros past odd sizes), from tensor's free
// list.
func evenChannelsLast[T tensor.Float](p *winogradPlan, dy []T) *tensor.Tensor[T] {
	c := p.cy
	de, he, we := 2*p.tiles[0], 2*p.tiles[1], 2*p.tiles[2]
	even := tensor.Zeros[T](p.batch * de * he * we * c)
	d, h, w := p.dims[0], p.dims[1], p.dims[2]
	volume := d * h * w
	parallelItems(convWorkers(p.batch*d), p.batch*d, func(_, item int) {
		n, z := item/d, item%d
		for y := range h {
			toChannelsLast(even.Data[(((n*de+z)*he+y)*we)*c:], c,
				dy[n*c*volume+(z*h+y)*w:], volume, c, w)
		}
	})
	return even
}

// inputTransform writes V = (B^T x B^T x B^T) d of the tiles of tile rows [g0, g1) into
// v [64, tiles, c] (components winogradPlane apart): component (k*4+i)*4+j of tile t
// holds its channels at v[((k*4+i)*4+j)*plane + t*c:]. The tile of output (2tz, 2ty,
// 2tx) reads padded positions (2tz..2tz+3, 2ty..2ty+3, 2tx..2tx+3). float32 runs the
// fused asm kernel a tile row at a time; float64 transforms W while it is read from the
// padded rows, then H and D in place on whole components.
func inputTransform[T tensor.Float](p *winogradPlan, v, padded []T, c, g0, g1 int) {
	tw, hp, wp := p.tiles[2], p.padded[1], p.padded[2]
	tiles := (g1 - g0) * tw
	plane := winogradPlane(tiles, c) // one component
	if v32, ok := any(v).([]float32); ok {
		src := any(padded).([]float32)
		for r := range g1 - g0 {
			n, tz, ty := p.tileRow(g0 + r)
			row := (((n*p.padded[0]+2*tz)*hp + 2*ty) * wp) * c
			asm.WinogradInputTiles(v32[r*tw*c:], plane, src[row:], wp*c, hp*wp*c, c, tw)
		}
		return
	}
	for r := range g1 - g0 {
		n, tz, ty := p.tileRow(g0 + r)
		for z := range 4 {
			for y := range 4 {
				row := (((n*p.padded[0]+2*tz+z)*hp + 2*ty + y) * wp) * c
				winogradStage(asm.WinogradInput, v, offsets4((z*4+y)*4*plane+r*tw*c, plane),
					c, padded, offsets4(row, c), 2*c, c, tw)
			}
		}
	}
	for z := range 4 {
		for j := range 4 {
			at := offsets4((z*16+j)*plane, 4*plane)
			winogradStage(asm.WinogradInput, v, at, 0, v, at, 0, tiles*c, 1)
		}
	}
	for ij := range 16 {
		at := offsets4(ij*plane, 16*plane)
		winogradStage(asm.WinogradInput, v, at, 0, v, at, 0, tiles*c, 1)
	}
}

// gradientTransform writes M' = (A x A x A) dy of the 2x2x2 output tiles of tile rows
// [g0, g1) into m [64, tiles, Cy] (inputTransform's layout), dy channels-last from
// evenChannelsLast. float32 runs the fused asm kernel; float64 goes W while reading,
// then H and D in place (each expands components 0 and 1 of its axis into 0..3).
func gradientTransform[T tensor.Float](p *winogradPlan, m, even []T, g0, g1 int) {
	c, tw := p.cy, p.tiles[2]
	he, we := 2*p.tiles[1], 2*p.tiles[2]
	tiles := (g1 - g0) * tw
	plane := winogradPlane(tiles, c)
	if m32, ok := any(m).([]float32); ok {
		src := any(even).([]float32)
		for r := range g1 - g0 {
			n, tz, ty := p.tileRow(g0 + r)
			row := (((n*2*p.tiles[0]+2*tz)*he + 2*ty) * we) * c
			asm.WinogradGradientTiles(m32[r*tw*c:], plane, src[row:], we*c, he*we*c, c, tw)
		}
		return
	}
	for r := range g1 - g0 {
		n, tz, ty := p.tileRow(g0 + r)
		for z := range 2 {
			for y := range 2 {
				row := (((n*2*p.tiles[0]+2*tz+z)*he + 2*ty + y) * we) * c
				winogradStage(asm.WinogradOutputAdjoint, m,
					offsets4((z*4+y)*4*plane+r*tw*c, plane), c, even, offsets4(row, c),
					2*c, c, tw)
			}
		}
	}
	for z := range 2 {
		for j := range 4 {
			from := offsets4((z*16+j)*plane, 4*plane)
			winogradStage(asm.WinogradOutputAdjoint, m, from, 0, m, from, 0, tiles*c, 1)
		}
	}
	for ij := range 16 {
		from := offsets4(ij*plane, 16*plane)
		winogradStage(asm.WinogradOutputAdjoint, m, from, 0, m, from, 0, tiles*c, 1)
	}
}

// outputTransform computes Y = (A^T x A^T x A^T) M of the tiles of tile rows [g0, g1)
// from m [64, tiles, Cdst] into a channels-last buffer of a tile row's four output rows
// (float32: the fused asm kernel; float64: D and H in place, then W into the buffer) and
// adds the rows inside the volume, plus bias, into dst's parts.
func outputTransform[T tensor.Float](p *winogradPlan, dst channelParts[T], m, bias []T,
	rowBuf *[]T, g0, g1 int) {
	c, tw := dst.total(), p.tiles[2]
	tiles := (g1 - g0) * tw
	plane := winogradPlane(tiles, c)
	m32, fused := any(m).([]float32)
	if !fused {
		for ij := range 16 {
			at := offsets4(ij*plane, 16*plane)
			winogradStage(asm.WinogradOutput, m, at, 0, m, at, 0, tiles*c, 1)
		}
		for z := range 2 {
			for j := range 4 {
				at := offsets4((z*16+j)*plane, 4*plane)
				winogradStage(asm.WinogradOutput, m, at, 0, m, at, 0, tiles*c, 1)
			}
		}
	}

	rowLen := 2 * tw * c // one output row, channels-last
	out := grow(rowBuf, 4*rowLen)
	d, h, w := p.dims[0], p.dims[1], p.dims[2]
	for r := range g1 - g0 {
		n, tz, ty := p.tileRow(g0 + r)
		if fused {
			asm.WinogradOutputTiles(m32[r*tw*c:], plane, any(out).([]float32), rowLen,
				2*rowLen, c, tw)
		}
		for zy := range 4 {
			z, y := zy/2, zy%2
			if !fused {
				winogradStage(asm.WinogradOutput, out, offsets4(zy*rowLen, c), 2*c, m,
					offsets4((z*4+y)*4*plane+r*tw*c, plane), c, c, tw)
			}
			if 2*tz+z < d && 2*ty+y < h {
				addOutputRow(dst, n, out[zy*rowLen:], bias, ((2*tz+z)*h+2*ty+y)*w, w)
			}
		}
	}
}

// addOutputRow adds the channels-last row [w, C] plus bias (or nil) into sample n of
// dst's parts at voxel offset at (nil parts skipped).
func addOutputRow[T tensor.Float](dst channelParts[T], n int, row, bias []T, at, w int) {
	c, first := dst.total(), 0
	for i, channels := range dst.channels {
		if part := dst.sample(i, n); part != nil {
			var partBias []T
			if bias != nil {
				partBias = bias[first : first+channels]
			}
			addChannelsLast(part[at:], dst.volume, row[first:], c, partBias, channels, w)
		}
		first += channels
	}
}
