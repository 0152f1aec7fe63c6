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
	checkTiles("WinogradInputTiles", v, plane, step, 64, src, row, slice, c, tiles, 4)
	c8 := winogradAVX2Channels(c, tiles)
	if c8 > 0 {
		var rows [16]int // byte offsets of the tile's rows
		for zy := range rows {
			rows[zy] = 4 * (zy/4*slice + zy%4*row)
		}
		winogradInputTilesAVX2(v, plane, src, row, slice, c, c8, tiles, &rows, 4*step)
	}
	if c8 < c {
		winogradInputTilesGeneric(v, plane, step, src, row, slice, c, c8, tiles)
	}
}

// WinogradGradientTiles writes M' = (A x A x A) dy of tiles 2x2x2-voxel output-gradient
// tiles into m (the adjoint of the output transform): the tile of t reads
// src[z*slice + y*row + (2t+x)*c + ch] for z, y, x < 2. A runs along W, H, then D.
// It panics like WinogradInputTiles.
func WinogradGradientTiles(m []float32, plane, step int, src []float32, row, slice, c,
	tiles int) {
	checkTiles("WinogradGradientTiles", m, plane, step, 64, src, row, slice, c, tiles, 2)
	var tmp [winogradTileVectors]float32
	c8 := winogradAVX2Channels(c, tiles)
	if c8 > 0 {
		winogradGradientTilesAVX2(m, plane, src, row, slice, c, c8, tiles, tmp[:], 4*step)
	}
	if c8 < c {
		winogradGradientTilesGeneric(m, plane, step, src, row, slice, c, c8, tiles)
	}
}

// WinogradOutputTiles writes Y = (A^T x A^T x A^T) M of tiles tiles from the component
// planes m into the 2x2x2 output voxels dst[z*slice + y*row + (2t+x)*c + ch], z, y,
// x < 2. A^T runs along D, then H, then W.
// It panics like WinogradInputTiles.
func WinogradOutputTiles(m []float32, plane, step int, dst []float32, row, slice, c,
	tiles int) {
	checkTiles("WinogradOutputTiles", m, plane, step, 64, dst, row, slice, c, tiles, 2)
	var tmp [winogradTileVectors]float32
	c8 := winogradAVX2Channels(c, tiles)
	if c8 > 0 {
		winogradOutputTilesAVX2(m, plane, dst, row, slice, c, c8, tiles, tmp[:], 4*step)
	}
	if c8 < c {
		winogradOutputTilesGeneric(m, plane, step, dst, row, slice, c, c8, tiles)
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
// voxels hold side x side x (2*tiles + side - 2) voxels of c floats at the given row and
// slice strides.
func checkTiles(name string, planes []float32, plane, step, comps int, voxels []float32,
	row, slice, c, tiles, side int) {
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
	last := (side-1)*slice + (side-1)*row + (2*tiles+side-2)*c
	if row < (2*tiles+side-2)*c || slice < side*row || len(voxels) < last {
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

// bT is B^T of one 4-vector of tile values.
func bT(d0, d1, d2, d3 float32) (float32, float32, float32, float32) {
	return d0 - d2, d1 + d2, d2 - d1, d1 - d3
}

// aT is A^T of one 4-vector.
func aT(m0, m1, m2, m3 float32) (float32, float32) {
	return m0 + m1 + m2, m1 - m2 - m3
}

// a is A of one 2-vector.
func a(y0, y1 float32) (float32, float32, float32, float32) {
	return y0, y0 + y1, y0 - y1, -y1
}

// winogradInputTilesGeneric is the Go twin of the AVX2 input kernel over channels
// [c0, c).
func winogradInputTilesGeneric(v []float32, plane, step int, src []float32, row, slice,
	c, c0, tiles int) {
	var tile [64]float32
	for t := range tiles {
		for ch := c0; ch < c; ch++ {
			for zy := range 16 {
				p := zy/4*slice + zy%4*row + 2*t*c + ch
				q := tile[zy*4 : zy*4+4]
				q[0], q[1], q[2], q[3] = bT(src[p], src[p+c], src[p+2*c], src[p+3*c])
			}
			for zj := range 16 {
				q := zj/4*16 + zj%4 // (z, y = 0, j)
				tile[q], tile[q+4], tile[q+8], tile[q+12] = bT(tile[q], tile[q+4], tile[q+8],
					tile[q+12])
			}
			for ij := range 16 {
				at := ij*plane + t*step + ch
				v[at], v[at+16*plane], v[at+32*plane], v[at+48*plane] = bT(tile[ij],
					tile[16+ij], tile[32+ij], tile[48+ij])
			}
		}
	}
}

// winogradGradientTilesGeneric is the Go twin of the AVX2 gradient kernel over channels
// [c0, c).
func winogradGradientTilesGeneric(m []float32, plane, step int, src []float32, row,
	slice, c, c0, tiles int) {
	var tile [64]float32
	for t := range tiles {
		for ch := c0; ch < c; ch++ {
			for zy := range 4 {
				z, y := zy/2, zy%2
				p := z*slice + y*row + 2*t*c + ch
				q := tile[(z*4+y)*4:][:4]
				q[0], q[1], q[2], q[3] = a(src[p], src[p+c])
			}
			for zj := range 8 {
				q := zj/4*16 + zj%4 // (z, i = 0, j)
				tile[q], tile[q+4], tile[q+8], tile[q+12] = a(tile[q], tile[q+4])
			}
			for ij := range 16 {
				at := ij*plane + t*step + ch
				m[at], m[at+16*plane], m[at+32*plane], m[at+48*plane] = a(tile[ij],
					tile[16+ij])
			}
		}
	}
}

// winogradOutputTilesGeneric is the Go twin of the AVX2 output kernel over channels
// [c0, c).
func winogradOutputTilesGeneric(m []float32, plane, step int, dst []float32, row,
	slice, c, c0, tiles int) {
	var tile [64]float32
	for t := range tiles {
		for ch := c0; ch < c; ch++ {
			for ij := range 16 {
				at := ij*plane + t*step + ch
				tile[ij], tile[16+ij] = aT(m[at], m[at+16*plane], m[at+32*plane],
					m[at+48*plane])
			}
			for zj := range 8 {
				q := zj/4*16 + zj%4 // (z, i = 0, j)
				tile[q], tile[q+4] = aT(tile[q], tile[q+4], tile[q+8], tile[q+12])
			}
			for zy := range 4 {
				z, y := zy/2, zy%2
				q := tile[(z*4+y)*4:][:4]
				p := z*slice + y*row + 2*t*c + ch
				dst[p], dst[p+c] = aT(q[0], q[1], q[2], q[3])
			}
		}
	}
}
