package asm

// The fused 3-D Winograd F(4x4x4, 3x3x3) transforms of a row of tiles, in the layouts
// of winograd_tiles.go with 6 inputs and 4 outputs per axis: component p = (k*6+i)*6+j
// of tile t at planes[p*plane + t*step:][:c] (216 components), and tile t covering the
// voxels from W position 4t on. The matrices are F(4, 3) at 0, 1, -1, 2, -2 and
// infinity (Lavin and Gray, 2016):
//
//	B^T = | 4  0 -5  0  1  0 |    A^T = | 1  1  1  1  1  0 |
//	      | 0 -4 -4  1  1  0 |          | 0  1 -1  2 -2  0 |
//	      | 0  4 -4 -1  1  0 |          | 0  1  1  4  4  0 |
//	      | 0 -2 -1  2  1  0 |          | 0  1 -1  8 -8  1 |
//	      | 0  2 -1 -2  1  0 |
//	      | 0  4  0 -5  0  1 |
//
// The 1-D stages share terms between their outputs (bT4, aT4 and a4 below); the AVX2
// kernels compute the same float32 expressions in the same order as these Go twins.

// winograd4TileVectors is the kernels' scratch: 216 vectors of 8 floats.
const winograd4TileVectors = 216 * 8

// Winograd4InputTiles writes V = (B^T x B^T x B^T) d of tiles 6x6x6-voxel input tiles
// into v: the tile of t reads src[z*slice + y*row + (4t+x)*c + ch] for z, y, x < 6.
// B^T runs along W, then H, then D. It panics like WinogradInputTiles.
func Winograd4InputTiles(v []float32, plane, step int, src []float32, row, slice, c,
	tiles int) {
	checkTiles4("Winograd4InputTiles", v, plane, step, src, row, slice, c, tiles, 6)
	var tmp [winograd4TileVectors]float32
	c8 := winogradAVX2Channels(c, tiles)
	if c8 > 0 {
		winograd4InputTilesAVX2(v, plane, src, row, slice, c, c8, tiles, tmp[:], 4*step)
	}
	if c8 < c {
		winograd4InputTilesGeneric(v, plane, step, src, row, slice, c, c8, tiles)
	}
}

// Winograd4GradientTiles writes M' = (A x A x A) dy of tiles 4x4x4-voxel
// output-gradient tiles into m: the tile of t reads src[z*slice + y*row + (4t+x)*c +
// ch] for z, y, x < 4. A runs along W, H, then D. It panics like Winograd4InputTiles.
func Winograd4GradientTiles(m []float32, plane, step int, src []float32, row, slice, c,
	tiles int) {
	checkTiles4("Winograd4GradientTiles", m, plane, step, src, row, slice, c, tiles, 4)
	var tmp [winograd4TileVectors]float32
	c8 := winogradAVX2Channels(c, tiles)
	if c8 > 0 {
		winograd4GradientTilesAVX2(m, plane, src, row, slice, c, c8, tiles, tmp[:], 4*step)
	}
	if c8 < c {
		winograd4GradientTilesGeneric(m, plane, step, src, row, slice, c, c8, tiles)
	}
}

// Winograd4OutputTiles writes Y = (A^T x A^T x A^T) M of tiles tiles from the component
// planes m into the 4x4x4 output voxels dst[z*slice + y*row + (4t+x)*c + ch]. A^T runs
// along D, then H, then W. It panics like Winograd4InputTiles.
func Winograd4OutputTiles(m []float32, plane, step int, dst []float32, row, slice, c,
	tiles int) {
	checkTiles4("Winograd4OutputTiles", m, plane, step, dst, row, slice, c, tiles, 4)
	var tmp [winograd4TileVectors]float32
	c8 := winogradAVX2Channels(c, tiles)
	if c8 > 0 {
		winograd4OutputTilesAVX2(m, plane, dst, row, slice, c, c8, tiles, tmp[:], 4*step)
	}
	if c8 < c {
		winograd4OutputTilesGeneric(m, plane, step, dst, row, slice, c, c8, tiles)
	}
}

// checkTiles4 panics unless the planes hold 216 components of tiles tiles (as
// checkComponents) and the voxels hold side x side x (4*(tiles-1) + side) voxels of c
// floats at the given row and slice strides.
func checkTiles4(name string, planes []float32, plane, step int, voxels []float32, row,
	slice, c, tiles, side int) {
	checkComponents(name, planes, plane, step, 216, c, tiles)
	if row < 0 || slice < 0 {
		panic("asm: " + name + " negative stride or size")
	}
	if c == 0 || tiles == 0 {
		return
	}
	if row > len(voxels) || slice > len(voxels) || tiles > len(voxels) {
		panic("asm: " + name + " voxels too short") // and no overflow below
	}
	width := (4*(tiles-1) + side) * c
	if row < width || slice < side*row || len(voxels) < (side-1)*(slice+row)+width {
		panic("asm: " + name + " voxels too short")
	}
}

// bT4 is B^T of one 6-vector: 4d0 - 5d2 + d4, (d3 + d4) - 4(d1 + d2), (d4 - d3) +
// 4(d1 - d2), (d4 - d2) + 2(d3 - d1), (d4 - d2) - 2(d3 - d1), 4d1 - 5d3 + d5.
// Each product is converted explicitly (float32(c*x)) so that the compiler cannot fuse it
// into a multiply-add where it may (GOAMD64=v3); the assembly rounds every product.
func bT4(d *[6]float32) (out [6]float32) {
	out[0] = float32(4*d[0]) - float32(5*d[2]) + d[4]
	out[1] = (d[3] + d[4]) - float32(4*(d[1]+d[2]))
	out[2] = (d[4] - d[3]) + float32(4*(d[1]-d[2]))
	f, g := d[4]-d[2], float32(2*(d[3]-d[1]))
	out[3], out[4] = f+g, f-g
	out[5] = float32(4*d[1]) - float32(5*d[3]) + d[5]
	return out
}

// aT4 is A^T of one 6-vector, with a = m1 + m2, b = m3 + m4, c = m1 - m2, e = m3 - m4:
// (m0 + a) + b, c + 2e, a + 4b, (c + 8e) + m5.
func aT4(m *[6]float32) (out [4]float32) {
	a, b, c, e := m[1]+m[2], m[3]+m[4], m[1]-m[2], m[3]-m[4]
	out[0] = m[0] + a + b
	out[1] = c + float32(2*e)
	out[2] = a + float32(4*b)
	out[3] = c + float32(8*e) + m[5]
	return out
}

// a4 is A (the transpose of A^T) of one 4-vector, with s = g0 + g2, t = g1 + g3,
// u = g0 + 4g2, v = 2g1 + 8g3: g0, s + t, s - t, u + v, u - v, g3.
func a4(g *[4]float32) (out [6]float32) {
	s, t := g[0]+g[2], g[1]+g[3]
	u, v := g[0]+float32(4*g[2]), float32(2*g[1])+float32(8*g[3])
	return [6]float32{g[0], s + t, s - t, u + v, u - v, g[3]}
}

// winograd4InputTilesGeneric is the Go twin of the AVX2 input kernel over channels
// [c0, c).
func winograd4InputTilesGeneric(v []float32, plane, step int, src []float32, row, slice,
	c, c0, tiles int) {
	var in [6]float32
	var tile [216]float32
	for t := range tiles {
		for ch := c0; ch < c; ch++ {
			for zy := range 36 {
				p := zy/6*slice + zy%6*row + 4*t*c + ch
				for x := range in {
					in[x] = src[p+x*c]
				}
				for j, o := range bT4(&in) {
					tile[zy*6+j] = o
				}
			}
			for zj := range 36 {
				q := zj/6*36 + zj%6 // (z, y = 0, j)
				for y := range in {
					in[y] = tile[q+6*y]
				}
				for i, o := range bT4(&in) {
					tile[q+6*i] = o
				}
			}
			for ij := range 36 {
				for z := range in {
					in[z] = tile[z*36+ij]
				}
				at := ij*plane + t*step + ch
				for k, o := range bT4(&in) {
					v[at+k*36*plane] = o
				}
			}
		}
	}
}

// winograd4GradientTilesGeneric is the Go twin of the AVX2 gradient kernel over
// channels [c0, c).
func winograd4GradientTilesGeneric(m []float32, plane, step int, src []float32, row,
	slice, c, c0, tiles int) {
	var in [4]float32
	var tile [216]float32
	for t := range tiles {
		for ch := c0; ch < c; ch++ {
			for zy := range 16 {
				z, y := zy/4, zy%4
				p := z*slice + y*row + 4*t*c + ch
				for x := range in {
					in[x] = src[p+x*c]
				}
				for j, o := range a4(&in) {
					tile[(z*6+y)*6+j] = o
				}
			}
			for zj := range 24 {
				q := zj/6*36 + zj%6 // (z, i = 0, j)
				for y := range in {
					in[y] = tile[q+6*y]
				}
				for i, o := range a4(&in) {
					tile[q+6*i] = o
				}
			}
			for ij := range 36 {
				for z := range in {
					in[z] = tile[z*36+ij]
				}
				at := ij*plane + t*step + ch
				for k, o := range a4(&in) {
					m[at+k*36*plane] = o
				}
			}
		}
	}
}

// winograd4OutputTilesGeneric is the Go twin of the AVX2 output kernel over channels
// [c0, c).
func winograd4OutputTilesGeneric(m []float32, plane, step int, dst []float32, row,
	slice, c, c0, tiles int) {
	var in [6]float32
	var tile [216]float32
	for t := range tiles {
		for ch := c0; ch < c; ch++ {
			for ij := range 36 {
				at := ij*plane + t*step + ch
				for k := range in {
					in[k] = m[at+k*36*plane]
				}
				for z, o := range aT4(&in) {
					tile[z*36+ij] = o
				}
			}
			for zj := range 24 {
				q := zj/6*36 + zj%6 // (z, i = 0, j)
				for i := range in {
					in[i] = tile[q+6*i]
				}
				for y, o := range aT4(&in) {
					tile[q+6*y] = o
				}
			}
			for zy := range 16 {
				z, y := zy/4, zy%4
				q := (z*6 + y) * 6
				p := z*slice + y*row + 4*t*c + ch
				copy(in[:], tile[q:q+6])
				for x, o := range aT4(&in) {
					dst[p+x*c] = o
				}
			}
		}
	}
}
