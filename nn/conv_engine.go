package nn

import (
	"runtime"
	"sync"

	"github.com/urpc-go/urpc/tensor"
)

// convPlan is the geometry of one convolution between X [N, Cx, Dx, Hx, Wx] (the large
// side) and Y [N, Cy, Dy, Hy, Wy]; the kernel of a Conv3d from X to Y is stored
// [Cy, Cx, kD, kH, kW], seen as the matrix [Cy, Cx*taps].
type convPlan struct {
	batch, cx, cy int
	xDims, yDims  [3]int
	taps          int // kD*kH*kW
	toY, toX      [3]tapMap

	// direct is set for a 1x1x1 kernel with stride 1 and no padding: the column matrix
	// of a sample is the sample itself and no gather is needed.
	direct bool

	// shiftY and shiftX, when not nil, run the X -> Y correlation (forward, weight
	// gradient) and its adjoint Y -> X in the shifted-window form, without columns.
	shiftY, shiftX *shiftPlan

	// winograd, when not nil, runs all three products in the Winograd form (a stride-1
	// 3x3x3 kernel with padding 1 and enough channels); it takes precedence.
	winograd *winogradPlan
}

// newConvPlan builds the tap maps of a convolution with the given kernel, stride and
// padding per axis (D, H, W).
func newConvPlan(batch, cx, cy int, xDims, yDims, kernel, stride, pad [3]int) *convPlan {
	p := &convPlan{batch: batch, cx: cx, cy: cy, xDims: xDims, yDims: yDims, taps: 1}
	p.direct = true
	for axis := range 3 {
		p.taps *= kernel[axis]
		p.toY[axis] = newToYMap(kernel[axis], stride[axis], pad[axis], yDims[axis], xDims[axis])
		p.toX[axis] = newToXMap(kernel[axis], stride[axis], pad[axis], xDims[axis], yDims[axis])
		p.direct = p.direct && p.toY[axis].isIdentity(xDims[axis])
	}
	if stride != [3]int{1, 1, 1} || p.direct {
		return p
	}
	if xDims == yDims {
		p.winograd = newWinogradPlan(batch, cx, cy, xDims, kernel, stride, pad)
	}
	p.shiftY = newShiftPlan(kernel, pad, xDims, cx, cy)
	var adjointPad [3]int
	for axis := range 3 {
		adjointPad[axis] = kernel[axis] - 1 - pad[axis]
	}
	p.shiftX = newShiftPlan(kernel, adjointPad, yDims, cy, cx)
	return p
}

// gatherSpec describes one gathered product: columns of the space maps[*].cols built
// from a source of srcC channels and spatial size srcDims.
type gatherSpec struct {
	srcC    int
	srcDims [3]int
	maps    *[3]tapMap
	direct  bool
	k       int // rows of the column matrix: srcC * taps
}

// width, rows and volume of the column space: a column-space row is one (d, h) line.
func (g *gatherSpec) width() int { return g.maps[2].cols }
func (g *gatherSpec) rows() int  { return g.maps[0].cols * g.maps[1].cols }
func (g *gatherSpec) colVolume() int {
	return g.rows() * g.width()
}
func (g *gatherSpec) srcVolume() int { return g.srcDims[0] * g.srcDims[1] * g.srcDims[2] }

// specToY gathers columns of Y from X (im2col); specToX gathers columns of X from Y.
//
// TODO(strided adjoint): with stride s, all but 1/(sD*sH*sW) of the columns gathered
// by specToX are zeros that the product multiplies anyway.
func (p *convPlan) specToY() gatherSpec {
	return gatherSpec{srcC: p.cx, srcDims: p.xDims, maps: &p.toY, direct: p.direct,
		k: p.cx * p.taps}
}

func (p *convPlan) specToX() gatherSpec {
	return gatherSpec{srcC: p.cy, srcDims: p.yDims, maps: &p.toX, direct: p.direct,
		k: p.cy * p.taps}
}

// Tiling. Tile budgets: a column tile holds about tileElems elements and at least
// minTileCols columns (so that the matrix product stays efficient), rounded up to
// whole rows. The scratch of one worker is thus at most
// k * (max(minTileCols, tileElems/k) + width) elements, k = C*kD*kH*kW.
const (
	tileElems   = 1 << 17
	minTileCols = 256
)

// tiling splits the rows of every sample's column space into tiles; item i of the
// batch is tile i%perSample of sample i/perSample.
type tiling struct {
	rows, rowsPerTile, perSample, items int
}

func newTiling(batch, rows, width, k int) tiling {
	cols := max(minTileCols, tileElems/max(k, 1))
	per := min(max((cols+width-1)/width, 1), max(rows, 1))
	perSample := (rows + per - 1) / per
	return tiling{rows: rows, rowsPerTile: per, perSample: perSample, items: batch * perSample}
}

// item returns the sample and the row range [r0, r1) of tile i.
func (t tiling) item(i int) (n, r0, r1 int) {
	n, tile := i/t.perSample, i%t.perSample
	r0 = tile * t.rowsPerTile
	return n, r0, min(r0+t.rowsPerTile, t.rows)
}

// parallelItems runs body(worker, item) for every item < items on workers goroutines;
// worker w takes items w, w+workers, w+2*workers, ... in that order. The assignment is
// fixed, so per-worker partial sums (the weight gradient) are added in the same order
// on every run with the same worker count, and training is reproducible.
func parallelItems(workers, items int, body func(worker, item int)) {
	if workers <= 1 {
		for i := range items {
			body(0, i)
		}
		return
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < items; i += workers {
				body(w, i)
			}
		})
	}
	wg.Wait()
}

// convWorkers is the number of goroutines for items work items: one per usable core.
func convWorkers(items int) int {
	return max(1, min(runtime.GOMAXPROCS(0), items))
}

// columns returns the column matrix of rows [r0, r1) of one source sample and its
// leading dimension: the sample itself for a direct plan, else a gather into buf.
func columns[T tensor.Float](buf *[]T, src []T, g *gatherSpec, r0, r1 int) ([]T, int) {
	if g.direct {
		return src[r0*g.width():], g.colVolume()
	}
	col := grow(buf, g.k*(r1-r0)*g.width())
	gatherTile(col, src, g, r0, r1)
	return col, (r1 - r0) * g.width()
}

// gatherTile fills col [srcC*taps, (r1-r0)*width]: row (c, a, b, e) holds, for every
// column (d, h, w) of rows [r0, r1), src[c, mapD(a, d), mapH(b, h), mapW(e, w)], or 0.
func gatherTile[T tensor.Float](col, src []T, g *gatherSpec, r0, r1 int) {
	m := g.maps
	vol, width := g.srcVolume(), (r1-r0)*g.width()
	k := 0
	for c := range g.srcC {
		channel := src[c*vol : (c+1)*vol]
		for a := range m[0].taps {
			for b := range m[1].taps {
				for e := range m[2].taps {
					gatherRows(col[k*width:(k+1)*width], channel, g, [3]int{a, b, e}, r0, r1)
					k++
				}
			}
		}
	}
}

// gatherRows writes the rows [r0, r1) of one tap (a, b, e) of one channel.
func gatherRows[T tensor.Float](dst, channel []T, g *gatherSpec, tap [3]int, r0, r1 int) {
	m := g.maps
	hc, wc := m[1].cols, m[2].cols
	sh, sw := g.srcDims[1], g.srcDims[2]
	for r := r0; r < r1; r++ {
		row := dst[(r-r0)*wc : (r-r0+1)*wc]
		z, y := m[0].at(tap[0], r/hc), m[1].at(tap[1], r%hc)
		if z < 0 || y < 0 {
			clear(row)
			continue
		}
		off := (z*sh + y) * sw
		fillRow(row, channel[off:off+sw], &m[2], tap[2])
	}
}

// channelsLast reports whether a product with dstC output channels runs channels-last:
// C [columns, channels] = cols^T W^T with the column tile read in place by sgemm (it
// packs only the small weight operand), then transposed into the output. That needs
// at least one full 16-wide panel of sgemm's micro-kernel and at most the width up to
// which sgemm reads the other operand in place. Other products run as W cols, which
// packs the column tile but amortises that over the rows.
//
// TODO(few output channels): with fewer than 16 output channels (the input gradient of
// the 1-channel first layer, the 1x1x1 heads) the product runs channels-first and
// sgemm packs the whole column tile for a handful of rows: about 4 GFLOP/s.
func channelsLast(dstC int) bool { return dstC >= 16 && dstC <= 64 }

// gatherProduct accumulates dst[n] += a cols(src[n]) + bias for every sample n, tile
// by tile: a is [dstC, g.k], bias [dstC] or nil, and dst[n] is [dstC, colVolume] (the
// column space). Small column spaces run in tiles of whole samples (gatherBatched),
// others in tiles of rows of one sample (gatherPerSample).
func gatherProduct[T tensor.Float](dst, src, a, bias []T, dstC int, g gatherSpec,
	batch int) {
	if st, ok := newSampleTiling(&g, batch); ok {
		gatherBatched(dst, src, a, bias, dstC, g, st)
		return
	}
	gatherPerSample(dst, src, a, bias, dstC, g, newTiling(batch, g.rows(), g.width(), g.k))
}

// gatherPerSample is gatherProduct on the tiles of tl, each of rows of one sample.
func gatherPerSample[T tensor.Float](dst, src, a, bias []T, dstC int, g gatherSpec,
	tl tiling) {
	workers := convWorkers(tl.items)
	bufs := make([]*convScratch[T], workers)
	srcSize, dstSize, width := g.srcC*g.srcVolume(), dstC*g.colVolume(), g.width()

	parallelItems(workers, tl.items, func(w, i int) {
		if bufs[w] == nil {
			bufs[w] = getScratch[T]()
		}
		n, r0, r1 := tl.item(i)
		cols, ld := columns(&bufs[w].col, src[n*srcSize:(n+1)*srcSize], &g, r0, r1)
		c, pt := dst[n*dstSize+r0*width:], (r1-r0)*width
		if !channelsLast(dstC) {
			addBias(channelRows(c, g.colVolume(), dstC, pt), bias)
			gemm(false, false, dstC, pt, g.k, a, g.k, cols, ld, 1, c, g.colVolume())
			return
		}
		tile := grow(&bufs[w].tile, pt*dstC)
		gemm(true, true, pt, dstC, g.k, cols, ld, a, g.k, 0, tile, dstC)
		addChannelsLast(c, g.colVolume(), tile, dstC, bias, dstC, pt)
	})

	putScratch(bufs)
}

// channelRows returns the n-element rows of c channels starting at dst[0], stride ld.
func channelRows[T tensor.Float](dst []T, ld, c, n int) [][]T {
	rows := make([][]T, c)
	for o := range rows {
		rows[o] = dst[o*ld : o*ld+n]
	}
	return rows
}

// addBias adds bias[ch] to every element of rows[ch] (nothing for a nil bias).
func addBias[T tensor.Float](rows [][]T, bias []T) {
	if bias == nil {
		return
	}
	for ch, row := range rows {
		for x := range row {
			row[x] += bias[ch]
		}
	}
}

// weightProduct accumulates gw += sum_n y[n] cols(x[n])^T, tile by tile: gw is
// [yC, g.k] and y[n] is [yC, colVolume]. Each worker sums gw^T = cols y^T into its own
// partial [g.k, yC], with y's tile transposed first so that sgemm reads the column tile
// in place; the partials are added into gw at the end. Small column spaces run in
// tiles of whole samples instead (weightBatched).
func weightProduct[T tensor.Float](gw, x, y []T, yC int, g gatherSpec, batch int) {
	if st, ok := newSampleTiling(&g, batch); ok {
		weightBatched(gw, x, y, yC, g, st)
		return
	}
	weightPerSample(gw, x, y, yC, g, newTiling(batch, g.rows(), g.width(), g.k))
}

// weightPerSample is weightProduct on the tiles of tl, each of rows of one sample.
func weightPerSample[T tensor.Float](gw, x, y []T, yC int, g gatherSpec, tl tiling) {
	workers := convWorkers(tl.items)
	bufs := make([]*convScratch[T], workers)
	xSize, ySize, width := g.srcC*g.srcVolume(), yC*g.colVolume(), g.width()

	parallelItems(workers, tl.items, func(w, i int) {
		if bufs[w] == nil {
			bufs[w] = getScratch[T]()
			clear(grow(&bufs[w].part, len(gw)))
		}
		n, r0, r1 := tl.item(i)
		cols, ld := columns(&bufs[w].col, x[n*xSize:(n+1)*xSize], &g, r0, r1)
		pt := (r1 - r0) * width
		yT := grow(&bufs[w].tile, pt*yC)
		toChannelsLast(yT, yC, y[n*ySize+r0*width:], g.colVolume(), yC, pt)
		gemm(false, false, g.k, yC, pt, cols, ld, yT, yC, 1, bufs[w].part, yC)
	})

	for _, b := range bufs {
		if b != nil {
			addChannelsLast(gw, g.k, b.part, yC, nil, yC, g.k)
		}
	}
	putScratch(bufs)
}

// convScratch is the reusable memory of one convolution worker: the column tile (or
// padded slab), a transposed output or gradient tile and a partial weight gradient.
type convScratch[T tensor.Float] struct {
	col, tile, part []T
}

// grow returns (*buf)[:n], reallocating when the capacity is short.
func grow[T tensor.Float](buf *[]T, n int) []T {
	if cap(*buf) < n {
		*buf = make([]T, n)
	}
	*buf = (*buf)[:n]
	return *buf
}

// scratchPools recycle the workers' scratch (one pool per element type), so that a
// training step does not fault in fresh pages each time.
var scratchPools [2]sync.Pool

func scratchPool[T tensor.Float]() *sync.Pool {
	var zero T
	if _, ok := any(zero).(float32); ok {
		return &scratchPools[0]
	}
	return &scratchPools[1]
}

// getScratch returns a recycled worker scratch.
func getScratch[T tensor.Float]() *convScratch[T] {
	if b, ok := scratchPool[T]().Get().(*convScratch[T]); ok {
		return b
	}
	return new(convScratch[T])
}

// putScratch returns the non-nil scratches of bufs to their pool.
func putScratch[T tensor.Float](bufs []*convScratch[T]) {
	for _, b := range bufs {
		if b != nil {
			scratchPool[T]().Put(b)
		}
	}
}
