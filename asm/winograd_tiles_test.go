package asm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// tileLayout is one random geometry of the fused tile transforms: c channels, tiles
// tiles, strides with slack, and the planes and voxels inside sentinel-filled buffers at
// misaligned offsets.
type tileLayout struct {
	c, tiles, plane, step, row, slice int
	planes, planesBuf                 []float32
	voxels, voxelsBuf                 []float32
	planesOff, voxelsOff              int
}

func newTileLayout(r *rand.Rand, c, tiles, side int) tileLayout {
	l := tileLayout{c: c, tiles: tiles}
	l.plane, l.step = componentStrides(r, 64, c, tiles)
	l.row = (2*tiles+side-2)*c + r.IntN(5)
	l.slice = side*l.row + r.IntN(5)
	l.planesOff, l.voxelsOff = r.IntN(4), r.IntN(4)
	l.planes, l.planesBuf = guarded(63*l.plane+(tiles-1)*l.step+c, l.planesOff)
	l.voxels, l.voxelsBuf = guarded((side-1)*(l.slice+l.row)+(2*tiles+side-2)*c,
		l.voxelsOff)
	return l
}

// planeAt and voxelAt index component p / voxel (z, y, x) of channel ch of tile t.
func (l tileLayout) planeAt(p, t, ch int) int { return p*l.plane + t*l.step + ch }

// componentStrides picks the strides of comps components of tiles tiles of c floats at
// random, with slack: component-major (planes [tiles, c]) or tile-major ([comps, c]
// per tile).
func componentStrides(r *rand.Rand, comps, c, tiles int) (plane, step int) {
	if r.IntN(2) == 0 {
		step = c + r.IntN(3)
		return (tiles-1)*step + c + r.IntN(5), step
	}
	plane = c + r.IntN(3)
	return plane, (comps-1)*plane + c + r.IntN(5)
}

func (l tileLayout) voxelAt(z, y, x, t, ch int) int {
	return z*l.slice + y*l.row + (2*t+x)*l.c + ch
}

// tileMatrices are B^T and A^T as float64 rows, written out independently of the
// kernels (A is the transpose of A^T).
var (
	tileBT = [4][4]float64{{1, 0, -1, 0}, {0, 1, 1, 0}, {0, -1, 1, 0}, {0, 1, 0, -1}}
	tileAT = [2][4]float64{{1, 1, 1, 0}, {0, 1, -1, -1}}
)

// closeTo reports whether got is within float32 rounding of want, a sum whose terms'
// magnitudes add up to scale.
func closeTo(got float32, want, scale float64) bool {
	return math.Abs(float64(got)-want) <= 1e-6*scale+1e-30
}

// TestWinogradTiles checks the fused tile transforms on every kernel path against the
// 3-D matrix products in float64, that only the tiles' cells are written, and that the
// AVX2 kernels agree with the Go twins bit for bit: channel counts below, at and past
// multiples of 8, one and several tiles, slack in every stride, misaligned starts.
func TestWinogradTiles(t *testing.T) {
	r := rand.New(rand.NewPCG(19, 20))
	for _, c := range []int{1, 3, 8, 9, 16, 20, 24} {
		for _, tiles := range []int{1, 2, 5} {
			name := fmt.Sprintf("c=%d/tiles=%d", c, tiles)
			checkInputTiles(t, r, name, c, tiles)
			checkGradientTiles(t, r, name, c, tiles)
			checkOutputTiles(t, r, name, c, tiles)
		}
	}
}

// runTilePaths runs call on every vector path from the same starting buffer and
// returns the buffers afterwards, failing if a path differs from the Go twin.
func runTilePaths(t *testing.T, name string, start []float32,
	call func(out []float32)) [][]float32 {
	t.Helper()
	var results [][]float32
	for _, p := range vecPaths() {
		setPath(t, p)
		out := append([]float32(nil), start...)
		call(out)
		if len(results) > 0 {
			for i, v := range out {
				if !sameBits(v, results[0][i]) {
					t.Fatalf("%s/%s: cell %d = %v, Go twin %v", pathName(p), name, i, v,
						results[0][i])
				}
			}
		}
		results = append(results, out)
	}
	return results
}

func checkInputTiles(t *testing.T, r *rand.Rand, name string, c, tiles int) {
	l := newTileLayout(r, c, tiles, 4)
	randVec(r, l.voxels, 1)
	lo := guard + l.planesOff
	results := runTilePaths(t, "input/"+name, l.planesBuf, func(out []float32) {
		WinogradInputTiles(out[lo:lo+len(l.planes)], l.plane, l.step, l.voxels, l.row,
			l.slice, c, tiles)
	})
	got := results[0][lo:]
	written := map[int]bool{}
	for tile := range tiles {
		for ch := range c {
			for p := range 64 {
				k, i, j := p/16, p/4%4, p%4
				var want, scale float64
				for zyx := range 64 {
					z, y, x := zyx/16, zyx/4%4, zyx%4
					coef := tileBT[k][z] * tileBT[i][y] * tileBT[j][x]
					v := float64(l.voxels[l.voxelAt(z, y, x, tile, ch)])
					want += coef * v
					scale += math.Abs(coef * v)
				}
				at := l.planeAt(p, tile, ch)
				written[lo+at] = true
				if !closeTo(got[at], want, scale) {
					t.Fatalf("input/%s: V[%d, tile %d, ch %d] = %v, want %v", name, p, tile, ch,
						got[at], want)
				}
			}
		}
	}
	checkUnwritten(t, "input/"+name, results[0], written)
}

func checkGradientTiles(t *testing.T, r *rand.Rand, name string, c, tiles int) {
	l := newTileLayout(r, c, tiles, 2)
	randVec(r, l.voxels, 1)
	lo := guard + l.planesOff
	results := runTilePaths(t, "gradient/"+name, l.planesBuf, func(out []float32) {
		WinogradGradientTiles(out[lo:lo+len(l.planes)], l.plane, l.step, l.voxels, l.row,
			l.slice, c, tiles)
	})
	got := results[0][lo:]
	written := map[int]bool{}
	for tile := range tiles {
		for ch := range c {
			for p := range 64 {
				k, i, j := p/16, p/4%4, p%4
				var want, scale float64
				for zyx := range 8 {
					z, y, x := zyx/4, zyx/2%2, zyx%2
					coef := tileAT[z][k] * tileAT[y][i] * tileAT[x][j]
					v := float64(l.voxels[l.voxelAt(z, y, x, tile, ch)])
					want += coef * v
					scale += math.Abs(coef * v)
				}
				at := l.planeAt(p, tile, ch)
				written[lo+at] = true
				if !closeTo(got[at], want, scale) {
					t.Fatalf("gradient/%s: M'[%d, tile %d, ch %d] = %v, want %v", name, p,
						tile, ch, got[at], want)
				}
			}
		}
	}
	checkUnwritten(t, "gradient/"+name, results[0], written)
}

func checkOutputTiles(t *testing.T, r *rand.Rand, name string, c, tiles int) {
	l := newTileLayout(r, c, tiles, 2)
	randVec(r, l.planes, 1)
	lo := guard + l.voxelsOff
	results := runTilePaths(t, "output/"+name, l.voxelsBuf, func(out []float32) {
		WinogradOutputTiles(l.planes, l.plane, l.step, out[lo:lo+len(l.voxels)], l.row,
			l.slice, c, tiles)
	})
	got := results[0][lo:]
	written := map[int]bool{}
	for tile := range tiles {
		for ch := range c {
			for zyx := range 8 {
				z, y, x := zyx/4, zyx/2%2, zyx%2
				var want, scale float64
				for p := range 64 {
					k, i, j := p/16, p/4%4, p%4
					coef := tileAT[z][k] * tileAT[y][i] * tileAT[x][j]
					v := float64(l.planes[l.planeAt(p, tile, ch)])
					want += coef * v
					scale += math.Abs(coef * v)
				}
				at := l.voxelAt(z, y, x, tile, ch)
				written[lo+at] = true
				if !closeTo(got[at], want, scale) {
					t.Fatalf("output/%s: Y[%d %d %d, tile %d, ch %d] = %v, want %v", name, z,
						y, x, tile, ch, got[at], want)
				}
			}
		}
	}
	checkUnwritten(t, "output/"+name, results[0], written)
}

// checkUnwritten fails if a cell of buf outside written lost its sentinel.
func checkUnwritten(t *testing.T, name string, buf []float32, written map[int]bool) {
	t.Helper()
	for i, v := range buf {
		if !written[i] && math.Float32bits(v) != 0x7fc0dead {
			t.Fatalf("%s: cell %d outside the tiles changed to %v", name, i, v)
		}
	}
}

// TestWinogradTilesMisuse checks that short buffers and bad strides panic with an
// "asm: " message.
func TestWinogradTilesMisuse(t *testing.T) {
	planes, voxels := make([]float32, 64*16), make([]float32, 4*4*8*2)
	calls := map[string]func(){
		"planes short": func() { WinogradInputTiles(planes[:63*16], 16, 2, voxels, 8, 32, 2, 1) },
		"plane stride": func() { WinogradInputTiles(planes, 1, 2, voxels, 8, 32, 2, 1) },
		"tile stride":  func() { WinogradInputTiles(planes, 16, 1, voxels, 8, 32, 2, 2) },
		"voxels short": func() { WinogradInputTiles(planes, 16, 2, voxels[:100], 8, 32, 2, 1) },
		"row stride":   func() { WinogradInputTiles(planes, 16, 2, voxels, 7, 32, 2, 1) },
		"slice stride": func() { WinogradGradientTiles(planes, 16, 2, voxels, 8, 15, 2, 1) },
		"negative":     func() { WinogradOutputTiles(planes, 16, 2, voxels, 8, 32, -2, 1) },
		"plane overflow": func() {
			WinogradInputTiles(planes, 1<<58, 2, voxels, 8, 32, 2, 1)
		},
		"slice overflow": func() {
			WinogradInputTiles(planes, 16, 2, voxels, 1<<62, 1<<62, 2, 1)
		},
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
