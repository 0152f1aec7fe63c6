package asm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// tileTransform is one of the fused 3-D Winograd transforms under test: F(m x m x m,
// 3x3x3) with n = m + 2 inputs per axis, its B^T and A^T written out here as float64
// rows independently of the kernels (A is the transpose of A^T), and its three kernels.
type tileTransform struct {
	name                    string
	m, n                    int
	bT, aT                  [][]float64
	input, gradient, output func(planes []float32, plane, step int, voxels []float32, row,
		slice, c, tiles int)
}

var tileTransforms = []tileTransform{
	{name: "F2", m: 2, n: 4,
		bT:    [][]float64{{1, 0, -1, 0}, {0, 1, 1, 0}, {0, -1, 1, 0}, {0, 1, 0, -1}},
		aT:    [][]float64{{1, 1, 1, 0}, {0, 1, -1, -1}},
		input: WinogradInputTiles, gradient: WinogradGradientTiles,
		output: WinogradOutputTiles},
	{name: "F4", m: 4, n: 6,
		bT: [][]float64{{4, 0, -5, 0, 1, 0}, {0, -4, -4, 1, 1, 0}, {0, 4, -4, -1, 1, 0},
			{0, -2, -1, 2, 1, 0}, {0, 2, -1, -2, 1, 0}, {0, 4, 0, -5, 0, 1}},
		aT: [][]float64{{1, 1, 1, 1, 1, 0}, {0, 1, -1, 2, -2, 0}, {0, 1, 1, 4, 4, 0},
			{0, 1, -1, 8, -8, 1}},
		input: Winograd4InputTiles, gradient: Winograd4GradientTiles,
		output: Winograd4OutputTiles},
}

// components is n^3.
func (f tileTransform) components() int { return f.n * f.n * f.n }

// tileLayout is one random geometry of a tile transform: c channels, tiles tiles, side
// voxels per axis on the voxel side, strides with slack, and the planes and voxels
// inside sentinel-filled buffers at misaligned offsets.
type tileLayout struct {
	m, c, tiles, plane, step, row, slice int
	planes, planesBuf                    []float32
	voxels, voxelsBuf                    []float32
	planesOff, voxelsOff                 int
}

func newTileLayout(r *rand.Rand, f tileTransform, c, tiles, side int) tileLayout {
	l := tileLayout{m: f.m, c: c, tiles: tiles}
	comps := f.components()
	l.plane, l.step = componentStrides(r, comps, c, tiles)
	width := (f.m*(tiles-1) + side) * c
	l.row = width + r.IntN(5)
	l.slice = side*l.row + r.IntN(5)
	l.planesOff, l.voxelsOff = r.IntN(4), r.IntN(4)
	l.planes, l.planesBuf = guarded((comps-1)*l.plane+(tiles-1)*l.step+c, l.planesOff)
	l.voxels, l.voxelsBuf = guarded((side-1)*(l.slice+l.row)+width, l.voxelsOff)
	return l
}

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

// planeAt and voxelAt index component p / voxel (z, y, x) of channel ch of tile t.
func (l tileLayout) planeAt(p, t, ch int) int { return p*l.plane + t*l.step + ch }

func (l tileLayout) voxelAt(z, y, x, t, ch int) int {
	return z*l.slice + y*l.row + (l.m*t+x)*l.c + ch
}

// closeTo reports whether got is within float32 rounding of want, a sum whose terms'
// magnitudes add up to scale (three stages of roundings of partial sums).
func closeTo(got float32, want, scale float64) bool {
	return math.Abs(float64(got)-want) <= 3e-6*scale+1e-30
}

// TestWinogradTiles checks the fused tile transforms of F(2x2x2) and F(4x4x4) on every
// kernel path against the 3-D matrix products in float64 (to float32 rounding of the
// sums' magnitudes), that only the tiles' cells are written, and that the AVX2 kernels
// agree with the Go twins bit for bit: channel counts below, at and past multiples of
// 8, one and several tiles, slack in every stride, component- and tile-major layouts,
// misaligned starts.
func TestWinogradTiles(t *testing.T) {
	r := rand.New(rand.NewPCG(19, 20))
	for _, f := range tileTransforms {
		for _, c := range []int{1, 3, 8, 9, 16, 20, 24} {
			for _, tiles := range []int{1, 2, 5} {
				name := fmt.Sprintf("%s/c=%d/tiles=%d", f.name, c, tiles)
				checkToComponents(t, r, f, true, name, c, tiles)
				checkToComponents(t, r, f, false, name, c, tiles)
				checkOutputTiles(t, r, f, name, c, tiles)
			}
		}
	}
}

// checkToComponents checks the input transform (B^T on an n^3 input tile) or, without
// input, the gradient transform (A on an m^3 output-gradient tile).
func checkToComponents(t *testing.T, r *rand.Rand, f tileTransform, input bool,
	name string, c, tiles int) {
	side, kernel, what := f.m, f.gradient, "gradient/"+name
	coef := func(k, z int) float64 { return f.aT[z][k] }
	if input {
		side, kernel, what = f.n, f.input, "input/"+name
		coef = func(k, z int) float64 { return f.bT[k][z] }
	}
	l := newTileLayout(r, f, c, tiles, side)
	randVec(r, l.voxels, 1)
	lo := guard + l.planesOff
	results := runTilePaths(t, what, l.planesBuf, func(out []float32) {
		kernel(out[lo:lo+len(l.planes)], l.plane, l.step, l.voxels, l.row, l.slice, c, tiles)
	})
	got, written, n := results[0][lo:], map[int]bool{}, f.n
	for tile := range tiles {
		for ch := range c {
			for p := range f.components() {
				k, i, j := p/(n*n), p/n%n, p%n
				var want, scale float64
				for zyx := range side * side * side {
					z, y, x := zyx/(side*side), zyx/side%side, zyx%side
					term := coef(k, z) * coef(i, y) * coef(j, x) *
						float64(l.voxels[l.voxelAt(z, y, x, tile, ch)])
					want += term
					scale += math.Abs(term)
				}
				at := l.planeAt(p, tile, ch)
				written[lo+at] = true
				if !closeTo(got[at], want, scale) {
					t.Fatalf("%s: component %d of tile %d, channel %d = %v, want %v", what,
						p, tile, ch, got[at], want)
				}
			}
		}
	}
	checkUnwritten(t, what, results[0], written)
}

// checkOutputTiles checks the output transform (A^T on the n^3 components of a tile).
func checkOutputTiles(t *testing.T, r *rand.Rand, f tileTransform, name string, c,
	tiles int) {
	l := newTileLayout(r, f, c, tiles, f.m)
	randVec(r, l.planes, 1)
	lo, m, n := guard+l.voxelsOff, f.m, f.n
	results := runTilePaths(t, "output/"+name, l.voxelsBuf, func(out []float32) {
		f.output(l.planes, l.plane, l.step, out[lo:lo+len(l.voxels)], l.row, l.slice, c,
			tiles)
	})
	got, written := results[0][lo:], map[int]bool{}
	for tile := range tiles {
		for ch := range c {
			for zyx := range m * m * m {
				z, y, x := zyx/(m*m), zyx/m%m, zyx%m
				var want, scale float64
				for p := range f.components() {
					k, i, j := p/(n*n), p/n%n, p%n
					term := f.aT[z][k] * f.aT[y][i] * f.aT[x][j] *
						float64(l.planes[l.planeAt(p, tile, ch)])
					want += term
					scale += math.Abs(term)
				}
				at := l.voxelAt(z, y, x, tile, ch)
				written[lo+at] = true
				if !closeTo(got[at], want, scale) {
					t.Fatalf("output/%s: voxel (%d, %d, %d) of tile %d, channel %d = %v, "+
						"want %v", name, z, y, x, tile, ch, got[at], want)
				}
			}
		}
	}
	checkUnwritten(t, "output/"+name, results[0], written)
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
	checkAsmPanics(t, calls)
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
	checkAsmPanics(t, calls)
}
