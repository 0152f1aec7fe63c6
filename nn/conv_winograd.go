package nn

import (
	"github.com/urpc-go/urpc/tensor"
)

// winogradPlan runs a stride-1 3x3x3 correlation with padding 1 on every axis (the
// U-Net's convolutions), between X [N, Cx, D, H, W] and Y [N, Cy, D, H, W], in the
// Winograd form F(m x m x m, 3x3x3) of winograd_math.go. The volume is cut into
// ceil(D/m) x ceil(H/m) x ceil(W/m) output tiles; a tile row is the ceil(W/m) tiles
// of one (sample, tile slice, tile row). Blocks of whole tile rows are transformed
// into n^3 matrices [tiles, C] each, multiplied by the n^3 matrices of the transformed
// kernel and transformed back, one block per worker at a time.
type winogradPlan struct {
	f             *winogradTransform
	batch, cx, cy int
	dims, tiles   [3]int
	padded        [3]int // m*tiles + 2: the source with one zero on each side, rounded up
}

// winogradMinChannels is the fewest input and output channels for which the Winograd
// form replaces the others (the first layer, 1 -> 16, gains nothing from it).
const winogradMinChannels = 8

// winogradMinSide is the smallest volume side for which the Winograd form replaces the
// others: on smaller volumes (the deepest levels, 4^3 and 2^3 at a 32^3 patch) the
// kernel transform and the padding to whole tiles cost more than the products save.
// A variable so that tests can run the form on small volumes.
var winogradMinSide = 6

// winogradBlockElems bounds a block's transformed tiles, n^3 * tiles * max(Cx, Cy)
// values per worker (and as many again for the products). 1 << 18 was 3-5% faster
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
	p := &winogradPlan{f: winogradF2, batch: batch, cx: cx, cy: cy, dims: dims}
	if winogradUseF4 && dims[0]%4 == 0 && dims[1]%4 == 0 && dims[2]%4 == 0 &&
		min(dims[0], dims[1], dims[2]) >= winogradF4MinSide {
		p.f = winogradF4
	}
	m := p.f.m
	for axis := range 3 {
		p.tiles[axis] = (dims[axis] + m - 1) / m
		p.padded[axis] = m*p.tiles[axis] + 2
	}
	return p
}

// winogradUseF4 and winogradF4MinSide select F(4x4x4, 3x3x3) for volumes whose sides
// are multiples of 4 and at least winogradF4MinSide; the others take F(2x2x2).
var (
	winogradUseF4     = true
	winogradF4MinSide = 16
)

// tileRows is the number of tile rows of the batch; tileRow decodes row g.
func (p *winogradPlan) tileRows() int { return p.batch * p.tiles[0] * p.tiles[1] }

func (p *winogradPlan) tileRow(g int) (n, tz, ty int) {
	perSample := p.tiles[0] * p.tiles[1]
	n, g = g/perSample, g%perSample
	return n, g / p.tiles[1], g % p.tiles[1]
}

// rowsPerBlock is the number of tile rows of a block: as many as keep its transforms of
// max(Cx, Cy) channels within winogradBlockElems, at least one.
func (p *winogradPlan) rowsPerBlock() int {
	perRow := p.f.components() * p.tiles[2] * max(p.cx, p.cy)
	return max(winogradBlockElems/perRow, 1)
}

// winogradLayout returns where the components of a block of tiles tiles with c
// channels go: component q of tile t at q*plane + t*step, and the block's size.
// Tile-major (the transformed inputs V) keeps each tile's components together
// ([tiles, n^3, c]: plane = c), so that the input transform writes one stream (5%
// faster at 48^3 than component planes). Component-major (the products M and the
// transformed gradients M') makes each component a plane [tiles, c] (step = c), the
// layout the GEMM writes and reads fastest; its stride is tiles*c rounded up to an odd
// number of 64-byte lines (16 floats), so that the components of a tile fall into
// different L1 sets: a plain tiles*c is often a multiple of 4 KiB (16 channels of 128
// tiles), and then the F(2) tile transforms thrashed one set (150 of 700 ms per 32^3
// step).
func (p *winogradPlan) winogradLayout(tiles, c int, tileMajor bool) (plane, step, size int) {
	comps := p.f.components()
	if tileMajor {
		return c, comps * c, tiles * comps * c
	}
	lines := (tiles*c + 15) / 16
	if lines%2 == 0 {
		lines++
	}
	return lines * 16, c, comps * lines * 16
}

// volume is D*H*W.
func (p *winogradPlan) volume() int { return p.dims[0] * p.dims[1] * p.dims[2] }

// winogradProduct accumulates dst[n] += corr(src[n]) + bias (bias [dstC] or nil) for
// every sample, src [N, srcC, D, H, W] and dst [N, dstC, D, H, W] possibly in parts,
// with the transformed kernel u [n^3, srcC, dstC] (winogradKernel: the forward, or the
// adjoint for the input gradient). It goes slab by slab (winogradSlabs), the blocks of a
// slab's tile rows spread over the workers.
func winogradProduct[T tensor.Float](p *winogradPlan, dst, src channelParts[T], u, bias []T) {
	srcC, dstC := src.total(), dst.total()
	maxPerBlock, tw, comps := p.rowsPerBlock(), p.tiles[2], p.f.components()
	bufs := make([]*convScratch[T], convWorkers(p.tileRows()))
	for _, s := range p.slabs(srcC) {
		padded := paddedChannelsLast(p, src, s)
		r0, r1 := p.slabRows(s)
		perBlock, blocks := balancedBlocks(r1-r0, maxPerBlock)
		parallelItems(convWorkers(blocks), blocks, func(w, b int) {
			if bufs[w] == nil {
				bufs[w] = getScratch[T]()
			}
			g0, g1 := r0+b*perBlock, min(r0+(b+1)*perBlock, r1)
			tiles := (g1 - g0) * tw
			vPlane, vStep, vSize := p.winogradLayout(tiles, srcC, true)
			mPlane, mStep, mSize := p.winogradLayout(tiles, dstC, false)
			v, m := grow(&bufs[w].col, vSize), grow(&bufs[w].tile, mSize)
			inputTransform(p, v, padded.Data, s, srcC, g0, g1)
			for c := range comps {
				gemm(false, false, tiles, dstC, srcC, v[c*vPlane:], vStep, u[c*srcC*dstC:],
					dstC, 0, m[c*mPlane:], mStep)
			}
			outputTransform(p, dst, m, bias, &bufs[w].part, g0, g1)
		})
		tensor.Recycle(padded)
	}
	putScratch(bufs)
}

// winogradWeight accumulates gw [Cy, Cx, 3, 3, 3] += the weight gradient of
// winogradProduct's forward for the upstream gradient dy [N, Cy, D, H, W], x [N, Cx, D,
// H, W] possibly in parts: dU[c] = sum over tiles V[c]^T (A dy)[c] per component c,
// then gw += (G^T x G^T x G^T) dU, slab by slab. Each worker sums into its own
// partial, added in a fixed order at the end.
func winogradWeight[T tensor.Float](p *winogradPlan, gw []T, x channelParts[T], dy []T) {
	maxPerBlock, tw, comps := p.rowsPerBlock(), p.tiles[2], p.f.components()
	size := comps * p.cx * p.cy
	bufs := make([]*convScratch[T], convWorkers(p.tileRows()))
	for _, s := range p.slabs(max(p.cx, p.cy)) {
		padded := paddedChannelsLast(p, x, s)
		tiledDy := tiledChannelsLast(p, dy, s)
		r0, r1 := p.slabRows(s)
		perBlock, blocks := balancedBlocks(r1-r0, maxPerBlock)
		parallelItems(convWorkers(blocks), blocks, func(w, b int) {
			if bufs[w] == nil {
				bufs[w] = getScratch[T]()
				clear(grow(&bufs[w].part, size))
			}
			g0, g1 := r0+b*perBlock, min(r0+(b+1)*perBlock, r1)
			tiles := (g1 - g0) * tw
			vPlane, vStep, vSize := p.winogradLayout(tiles, p.cx, true)
			mPlane, mStep, mSize := p.winogradLayout(tiles, p.cy, false)
			v, m := grow(&bufs[w].col, vSize), grow(&bufs[w].tile, mSize)
			inputTransform(p, v, padded.Data, s, p.cx, g0, g1)
			gradientTransform(p, m, tiledDy.Data, s, g0, g1)
			for c := range comps {
				gemm(true, false, p.cx, p.cy, tiles, v[c*vPlane:], vStep, m[c*mPlane:], mStep,
					1, bufs[w].part[c*p.cx*p.cy:], p.cy)
			}
		})
		tensor.Recycle(padded)
		tensor.Recycle(tiledDy)
	}

	du := tensor.Zeros[T](size)
	for _, b := range bufs {
		if b != nil {
			tensor.AddInPlace(du, tensor.FromSlice(b.part[:size], size))
		}
	}
	putScratch(bufs)
	addWeightGradient(p.f, gw, du.Data, p.cy, p.cx)
	tensor.Recycle(du)
}

// balancedBlocks cuts rows tile rows into blocks of at most maxPer rows, their count a
// multiple of the workers where there are enough rows and their sizes as even as
// possible, so that parallelItems' fixed round-robin gives each worker the same work
// (7 blocks of 9 rows and one of 1 had left one of two workers idle a fifth of the
// time). It returns the rows per block and the number of blocks.
func balancedBlocks(rows, maxPer int) (per, blocks int) {
	blocks = (rows + maxPer - 1) / maxPer
	if workers := convWorkers(rows); blocks%workers != 0 {
		blocks += workers - blocks%workers
	}
	per = (rows + blocks - 1) / blocks
	return per, (rows + per - 1) / per
}

// winogradSlab is the part of the batch a pass transforms at once: the tile slices
// [t0, t1) of sample n, whose padded copy spans slices m*t0 .. m*t1+1 of the padded
// sample.
type winogradSlab struct{ n, t0, t1 int }

// winogradSlabElems bounds the padded copy of a slab (values). The whole batch at once
// made the copies of the input and the upstream gradient the largest buffers of a 96^3
// step, 1.08 times PyTorch's peak memory.
var winogradSlabElems = 1 << 22

// slabs cuts the batch into slabs whose padded copies of c channels hold at most
// winogradSlabElems values (at least one tile slice each).
func (p *winogradPlan) slabs(c int) []winogradSlab {
	m, perSlice := p.f.m, p.padded[1]*p.padded[2]*c // one padded slice
	run := max(1, min(p.tiles[0], (winogradSlabElems/perSlice-2)/m))
	var slabs []winogradSlab
	for n := range p.batch {
		for t0 := 0; t0 < p.tiles[0]; t0 += run {
			slabs = append(slabs, winogradSlab{n, t0, min(t0+run, p.tiles[0])})
		}
	}
	return slabs
}

// slabRows is the range [g0, g1) of the tile rows of slab s.
func (p *winogradPlan) slabRows(s winogradSlab) (g0, g1 int) {
	first := s.n * p.tiles[0]
	return (first + s.t0) * p.tiles[1], (first + s.t1) * p.tiles[1]
}

// paddedChannelsLast copies slab s of src [N, C, D, H, W] (in parts) channels-last into
// [m (t1-t0) + 2, Hp, Wp, C]: local slice k holds the padded slice m t0 + k, whose voxel
// (y+1, x+1) is src's (z, y, x) with z = m t0 + k - 1, and zeros around (and past D).
// Only the border is cleared (clearing it all cost as much as the copy). The result is
// from tensor's free list.
func paddedChannelsLast[T tensor.Float](p *winogradPlan, src channelParts[T],
	s winogradSlab) *tensor.Tensor[T] {
	c, m := src.total(), p.f.m
	hp, wp := p.padded[1], p.padded[2]
	slices := m*(s.t1-s.t0) + 2
	padded := tensor.Uninitialized[T](slices * hp * wp * c)
	d, h, w := p.dims[0], p.dims[1], p.dims[2]
	rowLen := wp * c
	parallelItems(convWorkers(slices), slices, func(_, k int) {
		slice := padded.Data[k*hp*rowLen:][:hp*rowLen]
		z := m*s.t0 + k - 1
		if z < 0 || z >= d {
			clear(slice)
			return
		}
		clear(slice[:rowLen])
		clear(slice[(h+1)*rowLen:])
		for y := range h {
			row := slice[(y+1)*rowLen:][:rowLen]
			clear(row[:c])
			clear(row[(w+1)*c:])
			first := 0
			for i, channels := range src.channels {
				toChannelsLast(row[c+first:], c, src.sample(i, s.n)[(z*h+y)*w:], p.volume(),
					channels, w)
				first += channels
			}
		}
	})
	return padded
}

// tiledChannelsLast copies slab s of dy [N, Cy, D, H, W] channels-last into
// [m (t1-t0), m tiles_H, m tiles_W, Cy]: local voxel (k, y, x) is dy's (m t0 + k, y, x),
// zeros past the volume. From tensor's free list.
func tiledChannelsLast[T tensor.Float](p *winogradPlan, dy []T, s winogradSlab) *tensor.Tensor[T] {
	c, m := p.cy, p.f.m
	slices, he, we := m*(s.t1-s.t0), m*p.tiles[1], m*p.tiles[2]
	tiled := tensor.Zeros[T](slices * he * we * c)
	d, h, w := p.dims[0], p.dims[1], p.dims[2]
	volume := p.volume()
	parallelItems(convWorkers(slices), slices, func(_, k int) {
		z := m*s.t0 + k
		if z >= d {
			return
		}
		for y := range h {
			toChannelsLast(tiled.Data[((k*he+y)*we)*c:], c,
				dy[s.n*c*volume+(z*h+y)*w:], volume, c, w)
		}
	})
	return tiled
}

// inputTransform writes V = (B^T x B^T x B^T) d of the tiles of tile rows [g0, g1) into
// v (winogradLayout): component (k*n+i)*n+j of tile t holds its channels at
// v[((k*n+i)*n+j)*plane + t*step:]. The tile of output (m tz, m ty,
// m tx) reads padded positions (m tz..m tz+n-1, ...). float32 runs the fused asm
// kernel of the transform a tile row at a time; float64 voxelsToPlanes.
func inputTransform[T tensor.Float](p *winogradPlan, v, padded []T, s winogradSlab, c, g0,
	g1 int) {
	tw, hp, wp := p.tiles[2], p.padded[1], p.padded[2]
	plane, step, _ := p.winogradLayout((g1-g0)*tw, c, true)
	m := p.f.m
	if v32, ok := any(v).([]float32); ok {
		src := any(padded).([]float32)
		for r := range g1 - g0 {
			_, tz, ty := p.tileRow(g0 + r)
			row := ((m*(tz-s.t0)*hp + m*ty) * wp) * c
			p.f.inputTiles(v32[r*tw*step:], plane, step, src[row:], wp*c, hp*wp*c, c, tw)
		}
		return
	}
	voxelsToPlanes(p, p.f.bT, v, plane, step, padded, wp*c, hp*wp*c, s.t0, m, c, g0, g1)
}

// gradientTransform writes M' = (A x A x A) dy of the m^3 output tiles of tile rows
// [g0, g1) into m (the component-major winogradLayout), dy channels-last from
// tiledChannelsLast. float32 runs the fused asm kernel; float64 voxelsToPlanes.
func gradientTransform[T tensor.Float](p *winogradPlan, m, tiled []T, s winogradSlab, g0,
	g1 int) {
	c, tw, f := p.cy, p.tiles[2], p.f
	he, we := f.m*p.tiles[1], f.m*p.tiles[2]
	plane, step, _ := p.winogradLayout((g1-g0)*tw, c, false)
	if m32, ok := any(m).([]float32); ok {
		src := any(tiled).([]float32)
		for r := range g1 - g0 {
			_, tz, ty := p.tileRow(g0 + r)
			row := ((f.m*(tz-s.t0)*he + f.m*ty) * we) * c
			f.gradientTiles(m32[r*tw*step:], plane, step, src[row:], we*c, he*we*c, c, tw)
		}
		return
	}
	voxelsToPlanes(p, f.a, m, plane, step, tiled, we*c, he*we*c, s.t0, f.m, c, g0, g1)
}

// outputTransform computes Y = (A^T x A^T x A^T) M of the tiles of tile rows [g0, g1)
// from m (the component-major winogradLayout) into a channels-last buffer of a tile
// row's m*m output rows
// (float32: the fused asm kernel; float64: planesToVoxels) and adds the rows inside
// the volume, plus bias, into dst's parts.
func outputTransform[T tensor.Float](p *winogradPlan, dst channelParts[T], m, bias []T,
	rowBuf *[]T, g0, g1 int) {
	c, tw, f := dst.total(), p.tiles[2], p.f
	plane, step, _ := p.winogradLayout((g1-g0)*tw, c, false)
	rowLen := f.m * tw * c // one output row, channels-last
	out := grow(rowBuf, f.m*f.m*rowLen)
	d, h, w := p.dims[0], p.dims[1], p.dims[2]
	for r := range g1 - g0 {
		n, tz, ty := p.tileRow(g0 + r)
		if m32, ok := any(m).([]float32); ok {
			f.outputTiles(m32[r*tw*step:], plane, step, any(out).([]float32), rowLen,
				f.m*rowLen, c, tw)
		} else {
			planesToVoxels(p, f.aT, m[r*tw*step:], plane, step, out, rowLen, f.m*rowLen, c)
		}
		for zy := range f.m * f.m {
			z, y := zy/f.m, zy%f.m
			if f.m*tz+z < d && f.m*ty+y < h {
				dst.addChannelsLastRow(n, ((f.m*tz+z)*h+f.m*ty+y)*w, out[zy*rowLen:], c, bias,
					w)
			}
		}
	}
}

// voxelsToPlanes applies mat [rows][cols] along W, H and D of every tile of tile rows
// [g0, g1) of a slab starting at tile slice t0, per channel in float64 (the reference of
// the fused asm kernels): the tile of (tz, ty, t) is the cols^3 channels-last voxels
// from voxel (step (tz - t0), step ty, step t) of the slab's copy, with the given row
// and slice strides; its rows^3 results go to the component planes, component q of
// tile t at planes[q*plane + t*tileStep:].
func voxelsToPlanes[T tensor.Float](p *winogradPlan, mat [][]float64, planes []T,
	plane, tileStep int, voxels []T, row, slice, t0, step, c, g0, g1 int) {
	rows, cols, tw := len(mat), len(mat[0]), p.tiles[2]
	in, out := make([]float64, cols*cols*cols), make([]float64, rows*rows*rows)
	tmp := make([]float64, 2*max(rows, cols)*max(rows, cols)*max(rows, cols))
	for r := range g1 - g0 {
		_, tz, ty := p.tileRow(g0 + r)
		base := step*(tz-t0)*slice + step*ty*row
		for t := range tw {
			for ch := range c {
				for zyx := range in {
					z, y, x := zyx/(cols*cols), zyx/cols%cols, zyx%cols
					in[zyx] = float64(voxels[base+z*slice+y*row+(step*t+x)*c+ch])
				}
				cubeTransform(out, in, mat, tmp)
				for q, v := range out {
					planes[q*plane+(r*tw+t)*tileStep+ch] = T(v)
				}
			}
		}
	}
}

// planesToVoxels is the other direction for one tile row: the cols^3 components of
// tile t at planes[q*plane + t*step:] go through mat along D, H and W (in float64), and
// the rows^3 results to the channels-last voxels[z*slice + y*row + (rows t + x)*c:].
func planesToVoxels[T tensor.Float](p *winogradPlan, mat [][]float64, planes []T,
	plane, step int, voxels []T, row, slice, c int) {
	rows, cols := len(mat), len(mat[0])
	in, out := make([]float64, cols*cols*cols), make([]float64, rows*rows*rows)
	tmp := make([]float64, 2*max(rows, cols)*max(rows, cols)*max(rows, cols))
	for t := range p.tiles[2] {
		for ch := range c {
			for q := range in {
				in[q] = float64(planes[q*plane+t*step+ch])
			}
			cubeTransform(out, in, mat, tmp)
			for zyx, v := range out {
				z, y, x := zyx/(rows*rows), zyx/rows%rows, zyx%rows
				voxels[z*slice+y*row+(rows*t+x)*c+ch] = T(v)
			}
		}
	}
}
