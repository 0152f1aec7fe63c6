package nn

import "github.com/urpc-go/urpc/tensor"

// Batched tiles. A sample's column space may hold only a few columns (the U-Net's
// deepest layers: 4^3 = 64 or 2^3 = 8 voxels), so that the product of one sample,
// [Cout, k] x [k, 64 or 8], is far too thin for sgemm's 12x32 micro-kernel. Such
// samples are then put side by side: a tile holds the whole column spaces of samples
// [n0, n1), gathered and multiplied a block of source channels at a time (one sgemm
// per block), and the result is added into each sample's slice of dst.
//
// A tile holds as many whole samples as fit in batchTileCols columns (or in tileElems/k
// when that is more), so samples of up to max(batchTileCols, tileElems/k)/2 columns are
// batched (512 for the U-Net's deep layers; 2427 for one input channel, k = 27) and
// larger ones keep the per-sample tiling. With 1024 (samples of up to 8^3), single-core
// medians at batch 4 against per-sample tiles: 6^3, 64..256 -> 128 channels, forward
// and input gradient 1.4-2.4x faster, weight gradient 1.1-1.3x; 8^3, 128 -> 128,
// forward and input gradient 1.4-1.6x, weight gradient 0.9x (noisy). A limit of 512
// (6^3 in pairs) was as fast at 6^3.
//
// Scratch of one worker: a gathered block of at most max(batchBlockElems, taps*columns)
// + srcVolume + 1 elements (whole source channels, at least one) and an output tile of
// columns*dstC elements, columns <= max(batchTileCols, tileElems/k).
const batchTileCols = 1024

// splitMinCols: a batch that fits one tile is split into a tile per core (each core
// gathers and multiplies its own) when each tile keeps at least this many columns.
// With 2 cores at batch 4 (per-operation times of 32^3 steps, two alternated pairs):
// the 4^3 layers (two tiles of 128 columns) took about 55 -> 37 ms per step, and
// BenchmarkConv3d's 128 -> 128 channels at 6^3 went 59 -> 92-97 GFLOP/s forward and
// backward; split at 2^3 (16 columns), the step's 2^3 layers took 10 -> 14 ms, the
// second core's partial weight gradient costing more than its share of the products.
const splitMinCols = 128

// batchBlockElems bounds the gathered block of a batched tile: [kb, columns] with
// kb*columns about batchBlockElems, so that the block is still in L2 when sgemm reads
// it. Gathering the whole tile first (up to 10 MB at 384 channels) made the batched
// products slower than the per-sample ones.
const batchBlockElems = 1 << 17

// sampleTiling splits a batch into tiles of whole samples: tile i holds samples
// [i*perTile, min((i+1)*perTile, batch)); its column matrix is gathered and multiplied
// blockC source channels at a time.
type sampleTiling struct {
	batch, perTile, items, blockC int
}

// newSampleTiling returns the tiling of whole samples for the product g, and false
// when fewer than two samples fit in a tile (or g reads its columns in place), where
// the per-sample tiling applies.
func newSampleTiling(g *gatherSpec, batch int) (sampleTiling, bool) {
	vol := max(g.colVolume(), 1)
	per := max(batchTileCols, tileElems/max(g.k, 1)) / vol
	if g.direct || per < 2 || batch < 2 {
		return sampleTiling{}, false
	}
	per = min(per, batch)
	workers := convWorkers(batch)
	if shared := (batch + workers - 1) / workers; shared*vol >= splitMinCols {
		per = min(per, shared)
	}
	taps := g.k / max(g.srcC, 1)
	blockC := max(1, batchBlockElems/max(taps*per*vol, 1))
	return sampleTiling{batch: batch, perTile: per, items: (batch + per - 1) / per,
		blockC: blockC}, true
}

// samples returns the sample range [n0, n1) of tile i.
func (t sampleTiling) samples(i int) (n0, n1 int) {
	n0 = i * t.perTile
	return n0, min(n0+t.perTile, t.batch)
}

// gatherIndex returns the gather of a small column space as one table: entry
// t*colVolume + j is the offset in a source channel that tap t (a, b, e) reads at column
// j (d, h, w), (mapD(a, d)*srcH + mapH(b, h))*srcW + mapW(e, w), or srcVolume where it
// reads zero.
func gatherIndex(g *gatherSpec) []int32 {
	m, vol := g.maps, g.colVolume()
	idx := make([]int32, 0, m[0].taps*m[1].taps*m[2].taps*vol)
	for a := range m[0].taps {
		for b := range m[1].taps {
			for e := range m[2].taps {
				idx = appendTapIndex(idx, g, [3]int{a, b, e})
			}
		}
	}
	return idx
}

// appendTapIndex appends gatherIndex's entries of one tap (a, b, e).
func appendTapIndex(idx []int32, g *gatherSpec, tap [3]int) []int32 {
	m := g.maps
	for d := range m[0].cols {
		for h := range m[1].cols {
			for w := range m[2].cols {
				z, y, x := m[0].at(tap[0], d), m[1].at(tap[1], h), m[2].at(tap[2], w)
				off := int32(g.srcVolume())
				if z >= 0 && y >= 0 && x >= 0 {
					off = int32((z*g.srcDims[1]+y)*g.srcDims[2] + x)
				}
				idx = append(idx, off)
			}
		}
	}
	return idx
}

// gatherBlock fills col [kb, (n1-n0)*colVolume], kb = (c1-c0)*taps, with the rows of
// source channels [c0, c1) of the column matrices of samples [n0, n1) of src side by
// side (sample n in columns [(n-n0)*colVolume, ...)), reading idx (gatherIndex). Each
// channel is first copied with a zero after it, the entry that idx's zeros point to.
// It returns col and kb.
func gatherBlock[T tensor.Float](buf *[]T, src []T, g *gatherSpec, idx []int32, n0, n1,
	c0, c1 int) ([]T, int) {
	vol, svol := g.colVolume(), g.srcVolume()
	taps := len(idx) / vol
	kb, ld := (c1-c0)*taps, (n1-n0)*vol
	col := grow(buf, kb*ld+svol+1)
	ext := col[kb*ld:]
	for n := n0; n < n1; n++ {
		for c := c0; c < c1; c++ {
			copy(ext, src[(n*g.srcC+c)*svol:(n*g.srcC+c+1)*svol])
			ext[svol] = 0
			for t := range taps {
				r := ((c-c0)*taps+t)*ld + (n-n0)*vol
				row := col[r : r+vol]
				for j, s := range idx[t*vol : (t+1)*vol] {
					row[j] = ext[s]
				}
			}
		}
	}
	return col, kb
}

// gatherBatched is gatherProduct on tiles of whole samples: for every tile of samples
// [n0, n1), C [dstC, (n1-n0)*colVolume] = a cols(src[n0:n1]), one product per gathered
// block, then dst[n] += C's columns of sample n + bias. The tile runs channels-first
// whatever dstC: channels-last (C^T = cols^T a^T, as the per-sample tiles of 16..64
// channels run) measured as fast at 64 channels and up to 2.5x slower at 128 and 256.
func gatherBatched[T tensor.Float](dst, src, a, bias []T, dstC int, g gatherSpec,
	st sampleTiling) {
	workers := convWorkers(st.items)
	bufs := make([]*convScratch[T], workers)
	vol, cb, idx := g.colVolume(), st.blockC, gatherIndex(&g)
	dstSize, taps := dstC*vol, g.k/g.srcC

	parallelItems(workers, st.items, func(w, i int) {
		if bufs[w] == nil {
			bufs[w] = getScratch[T]()
		}
		n0, n1 := st.samples(i)
		pt := (n1 - n0) * vol
		tile := grow(&bufs[w].tile, dstC*pt)
		for c0 := 0; c0 < g.srcC; c0 += cb {
			c1 := min(c0+cb, g.srcC)
			cols, kb := gatherBlock(&bufs[w].col, src, &g, idx, n0, n1, c0, c1)
			beta := T(min(c0, 1))
			gemm(false, false, dstC, pt, kb, a[c0*taps:], g.k, cols, pt, beta, tile, pt)
		}

		for n := n0; n < n1; n++ {
			rows := channelRows(dst[n*dstSize:(n+1)*dstSize], vol, dstC, vol)
			addChannelsFirst(rows, tile[(n-n0)*vol:], pt, bias)
		}
	})

	putScratch(bufs)
}

// addChannelsFirst adds src[ch*ld + x] + bias[ch] to rows[ch][x] (no bias when nil).
func addChannelsFirst[T tensor.Float](rows [][]T, src []T, ld int, bias []T) {
	for ch, row := range rows {
		in := src[ch*ld : ch*ld+len(row)]
		var b T
		if bias != nil {
			b = bias[ch]
		}
		for x := range row {
			row[x] += in[x] + b
		}
	}
}

// weightBatched is weightProduct on tiles of whole samples: gw [yC, g.k] +=
// y[n0:n1] cols(x[n0:n1])^T, one product per gathered block of a tile, with the
// samples' y [yC, colVolume] copied side by side. Worker 0 adds into gw itself, every
// other worker into its own partial, added into gw at the end in worker order.
func weightBatched[T tensor.Float](gw, x, y []T, yC int, g gatherSpec, st sampleTiling) {
	workers := convWorkers(st.items)
	bufs := make([]*convScratch[T], workers)
	vol, cb, idx := g.colVolume(), st.blockC, gatherIndex(&g)
	ySize, taps := yC*vol, g.k/g.srcC

	parallelItems(workers, st.items, func(w, i int) {
		if bufs[w] == nil {
			bufs[w] = getScratch[T]()
			if w > 0 {
				clear(grow(&bufs[w].part, len(gw)))
			}
		}
		sum := gw
		if w > 0 {
			sum = bufs[w].part
		}
		n0, n1 := st.samples(i)
		pt := (n1 - n0) * vol
		ys := grow(&bufs[w].tile, yC*pt)
		for n := n0; n < n1; n++ {
			for o := range yC {
				copy(ys[o*pt+(n-n0)*vol:], y[n*ySize+o*vol:n*ySize+(o+1)*vol])
			}
		}
		for c0 := 0; c0 < g.srcC; c0 += cb {
			c1 := min(c0+cb, g.srcC)
			cols, kb := gatherBlock(&bufs[w].col, x, &g, idx, n0, n1, c0, c1)
			gemm(false, true, yC, kb, pt, ys, pt, cols, pt, 1, sum[c0*taps:], g.k)
		}
	})

	for _, b := range bufs[min(1, len(bufs)):] {
		for j, v := range b.part[:len(gw)] {
			gw[j] += v
		}
	}
	putScratch(bufs)
}
