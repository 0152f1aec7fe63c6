package asm

// The fused 3-D Winograd F(2x2x2, 3x3x3) transforms of a row of tiles. One side is the
// channels-last voxels of the volume, [slices, rows, W, c] with the given row and
// slice strides (in floats, c floats per voxel); the other the 64 components of the
// transform, component p of tile t at planes[p*plane + t*step:][:c], p = (k*4+i)*4+j
// for the D, H and W indices k, i, j (plane and step at least c: component planes
// [tiles, c] with step c, or tiles of [64, c] with plane c). Tile t covers the voxels
// from W position 2t on.

// WinogradInputTiles writes V = (B^T x B^T x B^T) d of tiles 4x4x4-voxel input tiles
// into v: the tile of t reads src[z*slice + y*row + (2t+x)*c + ch] for z, y, x < 4 and
// ch < c. B^T runs along W, then H, then D (the order of the Go twin).
// It panics if a stride or size is negative, a component stride is below c, or a tile
// or a component runs past its slice.
func WinogradInputTiles(v []float32, plane, step int, src []float32, row, slice, c,
	tiles int) {
	checkTiles("WinogradInputTiles", v, plane, step, 64, src, row, slice, c, tiles, 2, 4)
	c8 := winogradAVX2Channels(c, tiles)
	if c8 > 0 {
		var rows [16]int // byte offsets of the tile's rows
		for zy := range rows {
			rows[zy] = 4 * (zy/4*slice + zy%4*row)
		}
		winogradInputTilesAVX2(v, plane, src, row, slice, c, c8, tiles, &rows, 4*step)
	}
	if c8 < c {
		voxelsToComponents(v, plane, step, src, row, slice, c, c8, tiles, 2, 4, 4, stageBT)
	}
}

// WinogradGradientTiles writes M' = (A x A x A) dy of tiles 2x2x2-voxel output-gradient
// tiles into m (the adjoint of the output transform): the tile of t reads
// src[z*slice + y*row + (2t+x)*c + ch] for z, y, x < 2. A runs along W, H, then D.
// It panics like WinogradInputTiles.
func WinogradGradientTiles(m []float32, plane, step int, src []float32, row, slice, c,
	tiles int) {
	checkTiles("WinogradGradientTiles", m, plane, step, 64, src, row, slice, c, tiles, 2,
		2)
	var tmp [winogradTileVectors]float32
	c8 := winogradAVX2Channels(c, tiles)
	if c8 > 0 {
		winogradGradientTilesAVX2(m, plane, src, row, slice, c, c8, tiles, tmp[:], 4*step)
	}
	if c8 < c {
		voxelsToComponents(m, plane, step, src, row, slice, c, c8, tiles, 2, 2, 4, stageA)
	}
}

// WinogradOutputTiles writes Y = (A^T x A^T x A^T) M of tiles tiles from the component
// planes m into the 2x2x2 output voxels dst[z*slice + y*row + (2t+x)*c + ch], z, y,
// x < 2. A^T runs along D, then H, then W.
// It panics like WinogradInputTiles.
func WinogradOutputTiles(m []float32, plane, step int, dst []float32, row, slice, c,
	tiles int) {
	checkTiles("WinogradOutputTiles", m, plane, step, 64, dst, row, slice, c, tiles, 2, 2)
	var tmp [winogradTileVectors]float32
	c8 := winogradAVX2Channels(c, tiles)
	if c8 > 0 {
		winogradOutputTilesAVX2(m, plane, dst, row, slice, c, c8, tiles, tmp[:], 4*step)
	}
	if c8 < c {
		componentsToVoxels(m, plane, step, dst, row, slice, c, c8, tiles, 2, 4, stageAT)
	}
}

// winogradTileVectors is the kernels' scratch: 64 vectors of 8 floats.
const winogradTileVectors = 64 * 8

// winogradAVX2Channels is the number of leading channels (a multiple of 8) the AVX2
// kernels handle, 0 without AVX2 or without work.
func winogradAVX2Channels(c, tiles int) int {
	if !useAVX2 || tiles == 0 {
		return 0
	}
	return c &^ 7
}

// checkTiles panics unless the planes hold comps components of tiles tiles (component
// p of tile t at p*plane + t*step, c floats each, plane and step at least c) and the
// voxels hold side x side x (m*(tiles-1) + side) voxels of c floats at the given row
// and slice strides, m the tiles' output width.
func checkTiles(name string, planes []float32, plane, step, comps int, voxels []float32,
	row, slice, c, tiles, m, side int) {
	checkComponents(name, planes, plane, step, comps, c, tiles)
	if row < 0 || slice < 0 {
		panic("asm: " + name + " negative stride or size")
	}
	if c == 0 || tiles == 0 {
		return
	}
	if row > len(voxels) || slice > len(voxels) || tiles > len(voxels) {
		panic("asm: " + name + " voxels too short") // and no overflow below
	}
	width := (m*(tiles-1) + side) * c
	if row < width || slice < side*row || len(voxels) < (side-1)*(slice+row)+width {
		panic("asm: " + name + " voxels too short")
	}
}

// checkComponents panics unless component p of tile t at planes[p*plane + t*step:]
// fits for p < comps and t < tiles, c floats each, with plane and step at least c.
func checkComponents(name string, planes []float32, plane, step, comps, c, tiles int) {
	if plane < 0 || step < 0 || c < 0 || tiles < 0 {
		panic("asm: " + name + " negative stride or size")
	}
	if c == 0 || tiles == 0 {
		return
	}
	if plane < c || step < c {
		panic("asm: " + name + " component stride below the channel count")
	}
	if plane > len(planes) || tiles > 1 && step > len(planes) || comps > len(planes) {
		panic("asm: " + name + " component planes too short") // and no overflow below
	}
	if len(planes) < (comps-1)*plane+(tiles-1)*step+c {
		panic("asm: " + name + " component planes too short")
	}
}

// A tileStage is one 1-D transform of a tile line: it reads its inputs from in and
// writes its outputs to out (which may not alias in).
type tileStage func(out, in []float32)

// stageBT, stageAT and stageA are B^T (4 -> 4), A^T (4 -> 2) and A (2 -> 4) of F(2, 3).
func stageBT(out, in []float32) {
	out[0], out[1], out[2], out[3] = in[0]-in[2], in[1]+in[2], in[2]-in[1], in[1]-in[3]
}

func stageAT(out, in []float32) { out[0], out[1] = in[0]+in[1]+in[2], in[1]-in[2]-in[3] }

func stageA(out, in []float32) {
	out[0], out[1], out[2], out[3] = in[0], in[0]+in[1], in[0]-in[1], -in[1]
}

// voxelsToComponents is the Go twin of the input and gradient kernels, over channels
// [c0, c): the side^3 voxels of tile t, from src[z*slice + y*row + (m t + x)*c + ch],
// go through stage (side inputs, n outputs) along W, then H, then D, and component
// (k*n+i)*n+j to planes[((k*n+i)*n+j)*plane + t*step + ch] - the order of the
// assembly.
func voxelsToComponents(planes []float32, plane, step int, src []float32, row, slice, c,
	c0, tiles, m, side, n int, stage tileStage) {
	tile := make([]float32, n*n*n) // (z, y, j) after W, (z, i, j) after H
	in, out := make([]float32, side), make([]float32, n)
	for t := range tiles {
		for ch := c0; ch < c; ch++ {
			for zy := range side * side {
				z, y := zy/side, zy%side
				at := z*slice + y*row + m*t*c + ch
				for x := range in {
					in[x] = src[at+x*c]
				}
				stage(tile[(z*n+y)*n:][:n], in)
			}
			for zj := range side * n {
				q := zj/n*n*n + zj%n // (z, 0, j)
				for y := range in {
					in[y] = tile[q+y*n]
				}
				stage(out, in)
				for i, v := range out {
					tile[q+i*n] = v
				}
			}
			for ij := range n * n {
				for z := range in {
					in[z] = tile[z*n*n+ij]
				}
				stage(out, in)
				for k, v := range out {
					planes[(k*n*n+ij)*plane+t*step+ch] = v
				}
			}
		}
	}
}

// componentsToVoxels is the Go twin of the output kernels, over channels [c0, c): the
// n^3 components of tile t go through stage (n inputs, m outputs) along D, then H,
// then W, into the m^3 voxels dst[z*slice + y*row + (m t + x)*c + ch].
func componentsToVoxels(planes []float32, plane, step int, dst []float32, row, slice, c,
	c0, tiles, m, n int, stage tileStage) {
	tile := make([]float32, n*n*n) // (z, i, j) after D, (z, y, j) after H
	in, out := make([]float32, n), make([]float32, m)
	for t := range tiles {
		for ch := c0; ch < c; ch++ {
			for ij := range n * n {
				for k := range in {
					in[k] = planes[(k*n*n+ij)*plane+t*step+ch]
				}
				stage(out, in)
				for z, v := range out {
					tile[z*n*n+ij] = v
				}
			}
			for zj := range m * n {
				q := zj/n*n*n + zj%n // (z, 0, j)
				for i := range in {
					in[i] = tile[q+i*n]
				}
				stage(out, in)
				for y, v := range out {
					tile[q+y*n] = v
				}
			}
			for zy := range m * m {
				z, y := zy/m, zy%m
				stage(out, tile[(z*n+y)*n:][:n])
				for x, v := range out {
					dst[z*slice+y*row+(m*t+x)*c+ch] = v
				}
			}
		}
	}
}
