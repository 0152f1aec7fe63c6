package asm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// tile4Layout is a random geometry of the F(4x4x4) tile transforms, as tileLayout.
type tile4Layout struct {
	c, tiles, plane, step, row, slice int
	planes, planesBuf                 []float32
	voxels, voxelsBuf                 []float32
	planesOff, voxelsOff              int
}

func newTile4Layout(r *rand.Rand, c, tiles, side int) tile4Layout {
	l := tile4Layout{c: c, tiles: tiles}
	l.plane, l.step = componentStrides(r, 216, c, tiles)
	l.row = (4*(tiles-1)+side)*c + r.IntN(5)
	l.slice = side*l.row + r.IntN(5)
	l.planesOff, l.voxelsOff = r.IntN(4), r.IntN(4)
	l.planes, l.planesBuf = guarded(215*l.plane+(tiles-1)*l.step+c, l.planesOff)
	l.voxels, l.voxelsBuf = guarded((side-1)*(l.slice+l.row)+(4*(tiles-1)+side)*c,
		l.voxelsOff)
	return l
}

func (l tile4Layout) planeAt(p, t, ch int) int { return p*l.plane + t*l.step + ch }

func (l tile4Layout) voxelAt(z, y, x, t, ch int) int {
	return z*l.slice + y*l.row + (4*t+x)*l.c + ch
}

// tile4BT and tile4AT are F(4, 3)'s B^T and A^T as float64 rows, written out here
// independently of the kernels' tables.
var (
	tile4BT = [6][6]float64{{4, 0, -5, 0, 1, 0}, {0, -4, -4, 1, 1, 0}, {0, 4, -4, -1, 1, 0},
		{0, -2, -1, 2, 1, 0}, {0, 2, -1, -2, 1, 0}, {0, 4, 0, -5, 0, 1}}
	tile4AT = [4][6]float64{{1, 1, 1, 1, 1, 0}, {0, 1, -1, 2, -2, 0}, {0, 1, 1, 4, 4, 0},
		{0, 1, -1, 8, -8, 1}}
)

// TestWinograd4Tiles checks the F(4x4x4) tile transforms on every kernel path against
// the 3-D matrix products in float64 (to float32 rounding of the sums' magnitudes), that
// only the tiles' cells are written, and that the AVX2 kernels agree with the Go twins
// bit for bit: channel counts below, at and past multiples of 8, one and several tiles,
// slack in every stride, misaligned starts.
func TestWinograd4Tiles(t *testing.T) {
	r := rand.New(rand.NewPCG(25, 26))
	for _, c := range []int{1, 3, 8, 9, 16, 20} {
		for _, tiles := range []int{1, 2, 3} {
			name := fmt.Sprintf("c=%d/tiles=%d", c, tiles)
			checkInput4(t, r, name, c, tiles)
			checkGradient4(t, r, name, c, tiles)
			checkOutput4(t, r, name, c, tiles)
		}
	}
}

func checkInput4(t *testing.T, r *rand.Rand, name string, c, tiles int) {
	l := newTile4Layout(r, c, tiles, 6)
	randVec(r, l.voxels, 1)
	lo := guard + l.planesOff
	results := runTilePaths(t, "input4/"+name, l.planesBuf, func(out []float32) {
		Winograd4InputTiles(out[lo:lo+len(l.planes)], l.plane, l.step, l.voxels, l.row,
			l.slice, c, tiles)
	})
	got, written := results[0][lo:], map[int]bool{}
	for tile := range tiles {
		for ch := range c {
			for p := range 216 {
				k, i, j := p/36, p/6%6, p%6
				var want, scale float64
				for zyx := range 216 {
					z, y, x := zyx/36, zyx/6%6, zyx%6
					coef := tile4BT[k][z] * tile4BT[i][y] * tile4BT[j][x]
					v := float64(l.voxels[l.voxelAt(z, y, x, tile, ch)])
					want += coef * v
					scale += math.Abs(coef * v)
				}
				at := l.planeAt(p, tile, ch)
				written[lo+at] = true
				if !closeTo4(got[at], want, scale) {
					t.Fatalf("input4/%s: V[%d, tile %d, ch %d] = %v, want %v", name, p, tile,
						ch, got[at], want)
				}
			}
		}
	}
	checkUnwritten(t, "input4/"+name, results[0], written)
}

func checkGradient4(t *testing.T, r *rand.Rand, name string, c, tiles int) {
	l := newTile4Layout(r, c, tiles, 4)
	randVec(r, l.voxels, 1)
	lo := guard + l.planesOff
	results := runTilePaths(t, "gradient4/"+name, l.planesBuf, func(out []float32) {
		Winograd4GradientTiles(out[lo:lo+len(l.planes)], l.plane, l.step, l.voxels, l.row,
			l.slice, c, tiles)
	})
	got, written := results[0][lo:], map[int]bool{}
	for tile := range tiles {
		for ch := range c {
			for p := range 216 {
				k, i, j := p/36, p/6%6, p%6
				var want, scale float64
				for zyx := range 64 {
					z, y, x := zyx/16, zyx/4%4, zyx%4
					coef := tile4AT[z][k] * tile4AT[y][i] * tile4AT[x][j]
					v := float64(l.voxels[l.voxelAt(z, y, x, tile, ch)])
					want += coef * v
					scale += math.Abs(coef * v)
				}
				at := l.planeAt(p, tile, ch)
				written[lo+at] = true
				if !closeTo4(got[at], want, scale) {
					t.Fatalf("gradient4/%s: M'[%d, tile %d, ch %d] = %v, want %v", name, p,
						tile, ch, got[at], want)
				}
			}
		}
	}
	checkUnwritten(t, "gradient4/"+name, results[0], written)
}

func checkOutput4(t *testing.T, r *rand.Rand, name string, c, tiles int) {
	l := newTile4Layout(r, c, tiles, 4)
	randVec(r, l.planes, 1)
	lo := guard + l.voxelsOff
	results := runTilePaths(t, "output4/"+name, l.voxelsBuf, func(out []float32) {
		Winograd4OutputTiles(l.planes, l.plane, l.step, out[lo:lo+len(l.voxels)], l.row,
			l.slice, c, tiles)
	})
	got, written := results[0][lo:], map[int]bool{}
	for tile := range tiles {
		for ch := range c {
			for zyx := range 64 {
				z, y, x := zyx/16, zyx/4%4, zyx%4
				var want, scale float64
				for p := range 216 {
					k, i, j := p/36, p/6%6, p%6
					coef := tile4AT[z][k] * tile4AT[y][i] * tile4AT[x][j]
					v := float64(l.planes[l.planeAt(p, tile, ch)])
					want += coef * v
					scale += math.Abs(coef * v)
				}
				at := l.voxelAt(z, y, x, tile, ch)
				written[lo+at] = true
				if !closeTo4(got[at], want, scale) {
					t.Fatalf("output4/%s: Y[%d %d %d, tile %d, ch %d] = %v, want %v", name,
						z, y, x, tile, ch, got[at], want)
				}
			}
		}
	}
	checkUnwritten(t, "output4/"+name, results[0], written)
}

// closeTo4 reports whether got is within float32 rounding of want, a sum whose terms'
// magnitudes add up to scale (three stages of roundings of partial sums).
func closeTo4(got float32, want, scale float64) bool {
	return math.Abs(float64(got)-want) <= 3e-6*scale+1e-30
}

// TestWinograd4TilesMisuse checks that short buffers and bad strides panic with an
// "asm: " message.
func TestWinograd4TilesMisuse(t *testing.T) {
	planes, voxels := make([]float32, 216*16), make([]float32, 6*6*12*2)
	calls := map[string]func(){
		"planes short": func() {
			Winograd4InputTiles(planes[:215*16], 16, 2, voxels, 12, 72, 2, 1)
		},
		"voxels short": func() { Winograd4InputTiles(planes, 16, 2, voxels[:100], 12, 72, 2, 1) },
		"row stride":   func() { Winograd4InputTiles(planes, 16, 2, voxels, 11, 72, 2, 1) },
		"slice stride": func() { Winograd4GradientTiles(planes, 16, 2, voxels, 8, 31, 2, 1) },
		"negative":     func() { Winograd4OutputTiles(planes, 16, 2, voxels, 8, 32, -2, 1) },
	}
	for name, f := range calls {
		func() {
			defer func() {
				msg, _ := recover().(string)
				if len(msg) < 5 || msg[:5] != "asm: " {
					t.Errorf("%s: recovered %q, want an asm panic", name, msg)
				}
			}()
			f()
		}()
	}
}
