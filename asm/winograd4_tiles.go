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
// The 1-D stages share terms between their outputs (stageBT4, stageAT4 and stageA4
// below); the AVX2 kernels compute the same float32 expressions in the same order as
// the Go twins voxelsToComponents and componentsToVoxels with these stages.

// winograd4TileVectors is the kernels' scratch: 216 vectors of 8 floats.
const winograd4TileVectors = 216 * 8

// Winograd4InputTiles writes V = (B^T x B^T x B^T) d of tiles 6x6x6-voxel input tiles
// into v: the tile of t reads src[z*slice + y*row + (4t+x)*c + ch] for z, y, x < 6.
// B^T runs along W, then H, then D. It panics like WinogradInputTiles.
func Winograd4InputTiles(v []float32, plane, step int, src []float32, row, slice, c,
	tiles int) {
	checkTiles("Winograd4InputTiles", v, plane, step, 216, src, row, slice, c, tiles, 4,
		6)
	var tmp [winograd4TileVectors]float32
	c8 := winogradAVX2Channels(c, tiles)
	if c8 > 0 {
		winograd4InputTilesAVX2(v, plane, src, row, slice, c, c8, tiles, tmp[:], 4*step)
	}
	if c8 < c {
		voxelsToComponents(v, plane, step, src, row, slice, c, c8, tiles, 4, 6, 6, stageBT4)
	}
}

// Winograd4GradientTiles writes M' = (A x A x A) dy of tiles 4x4x4-voxel
// output-gradient tiles into m: the tile of t reads src[z*slice + y*row + (4t+x)*c +
// ch] for z, y, x < 4. A runs along W, H, then D. It panics like Winograd4InputTiles.
func Winograd4GradientTiles(m []float32, plane, step int, src []float32, row, slice, c,
	tiles int) {
	checkTiles("Winograd4GradientTiles", m, plane, step, 216, src, row, slice, c, tiles, 4,
		4)
	var tmp [winograd4TileVectors]float32
	c8 := winogradAVX2Channels(c, tiles)
	if c8 > 0 {
		winograd4GradientTilesAVX2(m, plane, src, row, slice, c, c8, tiles, tmp[:], 4*step)
	}
	if c8 < c {
		voxelsToComponents(m, plane, step, src, row, slice, c, c8, tiles, 4, 4, 6, stageA4)
	}
}

// Winograd4OutputTiles writes Y = (A^T x A^T x A^T) M of tiles tiles from the component
// planes m into the 4x4x4 output voxels dst[z*slice + y*row + (4t+x)*c + ch]. A^T runs
// along D, then H, then W. It panics like Winograd4InputTiles.
func Winograd4OutputTiles(m []float32, plane, step int, dst []float32, row, slice, c,
	tiles int) {
	checkTiles("Winograd4OutputTiles", m, plane, step, 216, dst, row, slice, c, tiles, 4,
		4)
	var tmp [winograd4TileVectors]float32
	c8 := winogradAVX2Channels(c, tiles)
	if c8 > 0 {
		winograd4OutputTilesAVX2(m, plane, dst, row, slice, c, c8, tiles, tmp[:], 4*step)
	}
	if c8 < c {
		componentsToVoxels(m, plane, step, dst, row, slice, c, c8, tiles, 4, 6, stageAT4)
	}
}

// stageBT4 is B^T of F(4, 3) (6 -> 6): 4d0 - 5d2 + d4, (d3 + d4) - 4(d1 + d2),
// (d4 - d3) + 4(d1 - d2), (d4 - d2) + 2(d3 - d1), (d4 - d2) - 2(d3 - d1), 4d1 - 5d3 +
// d5. Each product is converted explicitly (float32(c*x)) so that the compiler cannot
// fuse it into a multiply-add where it may (GOAMD64=v3); the assembly rounds every
// product.
func stageBT4(out, d []float32) {
	out[0] = float32(4*d[0]) - float32(5*d[2]) + d[4]
	out[1] = (d[3] + d[4]) - float32(4*(d[1]+d[2]))
	out[2] = (d[4] - d[3]) + float32(4*(d[1]-d[2]))
	f, g := d[4]-d[2], float32(2*(d[3]-d[1]))
	out[3], out[4] = f+g, f-g
	out[5] = float32(4*d[1]) - float32(5*d[3]) + d[5]
}

// stageAT4 is A^T of F(4, 3) (6 -> 4), with a = m1 + m2, b = m3 + m4, c = m1 - m2,
// e = m3 - m4: (m0 + a) + b, c + 2e, a + 4b, (c + 8e) + m5.
func stageAT4(out, m []float32) {
	a, b, c, e := m[1]+m[2], m[3]+m[4], m[1]-m[2], m[3]-m[4]
	out[0] = m[0] + a + b
	out[1] = c + float32(2*e)
	out[2] = a + float32(4*b)
	out[3] = c + float32(8*e) + m[5]
}

// stageA4 is A of F(4, 3) (4 -> 6), with s = g0 + g2, t = g1 + g3, u = g0 + 4g2,
// v = 2g1 + 8g3: g0, s + t, s - t, u + v, u - v, g3.
func stageA4(out, g []float32) {
	s, t := g[0]+g[2], g[1]+g[3]
	u, v := g[0]+float32(4*g[2]), float32(2*g[1])+float32(8*g[3])
	out[0], out[1], out[2], out[3], out[4], out[5] = g[0], s+t, s-t, u+v, u-v, g[3]
}
