package asm

// The fused 3-D Winograd F(4x4x4, 3x3x3) transforms of a row of tiles, in the layouts
// of winograd_tiles.go with 6 inputs and 4 outputs per axis: component p = (k*6+i)*6+j
// of tile t at planes[p*plane + t*c:][:c] (216 components), and tile t covering the
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
// Each output of a 1-D stage is the sum of its nonzero terms c*x in order of x, in
// float32 (the first term alone, then one rounding per product and per addition), in
// the AVX2 kernels and their Go twins alike.

var (
	winograd4BT = [6][6]float32{
		{4, 0, -5, 0, 1, 0},
		{0, -4, -4, 1, 1, 0},
		{0, 4, -4, -1, 1, 0},
		{0, -2, -1, 2, 1, 0},
		{0, 2, -1, -2, 1, 0},
		{0, 4, 0, -5, 0, 1},
	}
	winograd4AT = [4][6]float32{
		{1, 1, 1, 1, 1, 0},
		{0, 1, -1, 2, -2, 0},
		{0, 1, 1, 4, 4, 0},
		{0, 1, -1, 8, -8, 1},
	}
)

// winograd4TileVectors is the kernels' scratch: 216 vectors of 8 floats.
const winograd4TileVectors = 216 * 8

// Winograd4InputTiles writes V = (B^T x B^T x B^T) d of tiles 6x6x6-voxel input tiles
// into v: the tile of t reads src[z*slice + y*row + (4t+x)*c + ch] for z, y, x < 6.
// B^T runs along W, then H, then D. It panics if a stride or size is negative or a
// tile runs past a slice.
func Winograd4InputTiles(v []float32, plane int, src []float32, row, slice, c, tiles int) {
	checkTiles4("Winograd4InputTiles", v, plane, src, row, slice, c, tiles, 6)
	var tmp [winograd4TileVectors]float32
	c8 := winogradAVX2Channels(c, tiles)
	if c8 > 0 {
		winograd4InputTilesAVX2(v, plane, src, row, slice, c, c8, tiles, tmp[:])
	}
	if c8 < c {
		winograd4InputTilesGeneric(v, plane, src, row, slice, c, c8, tiles)
	}
}

// Winograd4GradientTiles writes M' = (A x A x A) dy of tiles 4x4x4-voxel
// output-gradient tiles into m: the tile of t reads src[z*slice + y*row + (4t+x)*c +
// ch] for z, y, x < 4. A runs along W, H, then D. It panics like Winograd4InputTiles.
func Winograd4GradientTiles(m []float32, plane int, src []float32, row, slice, c,
	tiles int) {
	checkTiles4("Winograd4GradientTiles", m, plane, src, row, slice, c, tiles, 4)
	var tmp [winograd4TileVectors]float32
	c8 := winogradAVX2Channels(c, tiles)
	if c8 > 0 {
		winograd4GradientTilesAVX2(m, plane, src, row, slice, c, c8, tiles, tmp[:])
	}
	if c8 < c {
		winograd4GradientTilesGeneric(m, plane, src, row, slice, c, c8, tiles)
	}
}

// Winograd4OutputTiles writes Y = (A^T x A^T x A^T) M of tiles tiles from the component
// planes m into the 4x4x4 output voxels dst[z*slice + y*row + (4t+x)*c + ch]. A^T runs
// along D, then H, then W. It panics like Winograd4InputTiles.
func Winograd4OutputTiles(m []float32, plane int, dst []float32, row, slice, c,
	tiles int) {
	checkTiles4("Winograd4OutputTiles", m, plane, dst, row, slice, c, tiles, 4)
	var tmp [winograd4TileVectors]float32
	c8 := winogradAVX2Channels(c, tiles)
	if c8 > 0 {
		winograd4OutputTilesAVX2(m, plane, dst, row, slice, c, c8, tiles, tmp[:])
	}
	if c8 < c {
		winograd4OutputTilesGeneric(m, plane, dst, row, slice, c, c8, tiles)
	}
}

// checkTiles4 panics unless the planes hold 216 components of tiles*c floats plane
// apart and the voxels hold side x side x (4*(tiles-1) + side) voxels of c floats at
// the given row and slice strides.
func checkTiles4(name string, planes []float32, plane int, voxels []float32, row, slice, c,
	tiles, side int) {
	if plane < 0 || row < 0 || slice < 0 || c < 0 || tiles < 0 {
		panic("asm: " + name + " negative stride or size")
	}
	if c == 0 || tiles == 0 {
		return
	}
	if plane < tiles*c || len(planes) < 215*plane+tiles*c {
		panic("asm: " + name + " component planes too short")
	}
	width := (4*(tiles-1) + side) * c
	if row < width || slice < side*row || len(voxels) < (side-1)*(slice+row)+width {
		panic("asm: " + name + " voxels too short")
	}
}

// combine4 returns sum_k coefs[k] * x[k*stride] over the nonzero coefficients, in
// order of k, in float32.
func combine4(coefs []float32, x []float32, stride int) float32 {
	var sum float32
	first := true
	for k, c := range coefs {
		if c == 0 {
			continue
		}
		if first {
			sum, first = c*x[k*stride], false
			continue
		}
		sum += c * x[k*stride]
	}
	return sum
}

// winograd4InputTilesGeneric is the Go twin of the AVX2 input kernel over channels
// [c0, c).
func winograd4InputTilesGeneric(v []float32, plane int, src []float32, row, slice, c, c0,
	tiles int) {
	var in [6]float32
	var tile [216]float32
	for t := range tiles {
		for ch := c0; ch < c; ch++ {
			for zy := range 36 {
				p := zy/6*slice + zy%6*row + 4*t*c + ch
				for x := range in {
					in[x] = src[p+x*c]
				}
				for j := range 6 {
					tile[zy*6+j] = combine4(winograd4BT[j][:], in[:], 1)
				}
			}
			for zj := range 36 {
				q := zj/6*36 + zj%6 // (z, y = 0, j)
				for y := range in {
					in[y] = tile[q+6*y]
				}
				for i := range 6 {
					tile[q+6*i] = combine4(winograd4BT[i][:], in[:], 1)
				}
			}
			for ij := range 36 {
				for z := range in {
					in[z] = tile[z*36+ij]
				}
				at := ij*plane + t*c + ch
				for k := range 6 {
					v[at+k*36*plane] = combine4(winograd4BT[k][:], in[:], 1)
				}
			}
		}
	}
}

// winograd4GradientTilesGeneric is the Go twin of the AVX2 gradient kernel over
// channels [c0, c).
func winograd4GradientTilesGeneric(m []float32, plane int, src []float32, row, slice, c,
	c0, tiles int) {
	var in [4]float32
	var tile [216]float32
	a := func(r int) []float32 { // row r of A, column r of A^T
		return []float32{winograd4AT[0][r], winograd4AT[1][r], winograd4AT[2][r],
			winograd4AT[3][r]}
	}
	for t := range tiles {
		for ch := c0; ch < c; ch++ {
			for zy := range 16 {
				z, y := zy/4, zy%4
				p := z*slice + y*row + 4*t*c + ch
				for x := range in {
					in[x] = src[p+x*c]
				}
				for j := range 6 {
					tile[(z*6+y)*6+j] = combine4(a(j), in[:], 1)
				}
			}
			for zj := range 24 {
				q := zj/6*36 + zj%6 // (z, i = 0, j)
				for y := range in {
					in[y] = tile[q+6*y]
				}
				for i := range 6 {
					tile[q+6*i] = combine4(a(i), in[:], 1)
				}
			}
			for ij := range 36 {
				for z := range in {
					in[z] = tile[z*36+ij]
				}
				at := ij*plane + t*c + ch
				for k := range 6 {
					m[at+k*36*plane] = combine4(a(k), in[:], 1)
				}
			}
		}
	}
}

// winograd4OutputTilesGeneric is the Go twin of the AVX2 output kernel over channels
// [c0, c).
func winograd4OutputTilesGeneric(m []float32, plane int, dst []float32, row, slice, c,
	c0, tiles int) {
	var in [6]float32
	var tile [216]float32
	for t := range tiles {
		for ch := c0; ch < c; ch++ {
			for ij := range 36 {
				at := ij*plane + t*c + ch
				for k := range in {
					in[k] = m[at+k*36*plane]
				}
				for z := range 4 {
					tile[z*36+ij] = combine4(winograd4AT[z][:], in[:], 1)
				}
			}
			for zj := range 24 {
				q := zj/6*36 + zj%6 // (z, i = 0, j)
				for i := range in {
					in[i] = tile[q+6*i]
				}
				for y := range 4 {
					tile[q+6*y] = combine4(winograd4AT[y][:], in[:], 1)
				}
			}
			for zy := range 16 {
				z, y := zy/4, zy%4
				q := (z*6 + y) * 6
				p := z*slice + y*row + 4*t*c + ch
				for x := range 4 {
					dst[p+x*c] = combine4(winograd4AT[x][:], tile[q:], 1)
				}
			}
		}
	}
}
