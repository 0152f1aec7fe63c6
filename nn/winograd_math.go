package nn

import (
	"github.com/urpc-go/urpc/asm"
	"github.com/urpc-go/urpc/tensor"
)

// The one-dimensional Winograd F(m, 3) (Lavin and Gray, 2016) computes m outputs of a
// 3-tap correlation, y_x = sum_e g_e d_{x+e} for x < m, from a tile of n = m + 2 inputs
// with n multiplications instead of 3m:
//
//	y = A^T [(G g) . (B^T d)],  B^T [n, n], G [n, 3], A^T [m, n]
//
// F(2, 3) evaluates at 0, 1, -1 and infinity:
//
//	B^T = | 1  0 -1  0 |    G = |  1    0    0  |    A^T = | 1  1  1  0 |
//	      | 0  1  1  0 |        | 1/2  1/2  1/2 |          | 0  1 -1 -1 |
//	      | 0 -1  1  0 |        | 1/2 -1/2  1/2 |
//	      | 0  1  0 -1 |        |  0    0    1  |
//
// F(4, 3) at 0, 1, -1, 2, -2 and infinity: winogradF4 below. The 3-D form
// F(m x m x m, 3x3x3) applies each matrix along D, H and W: an n^3 input tile, an m^3
// output tile and n^3 products per pair of channels instead of 27 m^3 (8 per output
// voxel with F(2), 3.4 with F(4), against 27), computed as n^3 matrix products
// [tiles, Cin] x [Cin, Cout]. The larger tile needs fewer products but amplifies
// float32 rounding more: on random 64-channel tiles the relative error of F(4x4x4)
// was 1e-5 (median; 4e-5 at most) against 4e-7 with F(2x2x2), both against float64.
//
// The gradients follow from y being linear in U = G g G^T (per axis) and in V = B^T d:
// with M' = A dy (the adjoint of the output transform), dU = sum over tiles V . M' and
// dg = G^T dU G; the input gradient is itself a stride-1 correlation of dy with the
// kernel rotated by 180 degrees, computed by the same forward transform.

// winogradTransform is F(m x m x m, 3x3x3): m outputs and n = m + 2 inputs per axis,
// with the fused float32 tile kernels of package asm that apply it.
type winogradTransform struct {
	m, n int
	bT   [][]float64 // [n][n]
	g    [][]float64 // [n][3]
	aT   [][]float64 // [m][n]
	gT   [][]float64 // [3][n], set by init
	a    [][]float64 // [n][m], set by init

	inputTiles, gradientTiles, outputTiles tileKernel
}

// tileKernel is the signature of asm's fused tile transforms (asm.WinogradInputTiles
// and its siblings).
type tileKernel func(planes []float32, plane, step int, voxels []float32, row, slice, c,
	tiles int)

func init() {
	for _, f := range []*winogradTransform{winogradF2, winogradF4} {
		f.gT, f.a = transpose(f.g), transpose(f.aT)
	}
}

// components is the number of transformed values of a tile, n^3.
func (f *winogradTransform) components() int { return f.n * f.n * f.n }

var winogradF2 = &winogradTransform{m: 2, n: 4,
	inputTiles: asm.WinogradInputTiles, gradientTiles: asm.WinogradGradientTiles,
	outputTiles: asm.WinogradOutputTiles,
	bT:          [][]float64{{1, 0, -1, 0}, {0, 1, 1, 0}, {0, -1, 1, 0}, {0, 1, 0, -1}},
	g:           [][]float64{{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}},
	aT:          [][]float64{{1, 1, 1, 0}, {0, 1, -1, -1}},
}

var winogradF4 = &winogradTransform{m: 4, n: 6,
	inputTiles: asm.Winograd4InputTiles, gradientTiles: asm.Winograd4GradientTiles,
	outputTiles: asm.Winograd4OutputTiles,
	bT: [][]float64{
		{4, 0, -5, 0, 1, 0},
		{0, -4, -4, 1, 1, 0},
		{0, 4, -4, -1, 1, 0},
		{0, -2, -1, 2, 1, 0},
		{0, 2, -1, -2, 1, 0},
		{0, 4, 0, -5, 0, 1},
	},
	g: [][]float64{
		{1.0 / 4, 0, 0},
		{-1.0 / 6, -1.0 / 6, -1.0 / 6},
		{-1.0 / 6, 1.0 / 6, -1.0 / 6},
		{1.0 / 24, 1.0 / 12, 1.0 / 6},
		{1.0 / 24, -1.0 / 12, 1.0 / 6},
		{0, 0, 1},
	},
	aT: [][]float64{
		{1, 1, 1, 1, 1, 0},
		{0, 1, -1, 2, -2, 0},
		{0, 1, 1, 4, 4, 0},
		{0, 1, -1, 8, -8, 1},
	},
}

// transpose returns the transpose of a [rows][cols] matrix.
func transpose(mat [][]float64) [][]float64 {
	t := make([][]float64, len(mat[0]))
	for j := range t {
		t[j] = make([]float64, len(mat))
		for i, row := range mat {
			t[j][i] = row[j]
		}
	}
	return t
}

// cubeTransform applies mat [rows][cols] along W, then H, then D of the cube in
// [cols, cols, cols] (z, y, x), writing out [rows, rows, rows]; tmp holds at least
// 2 * rows * cols * cols values.
func cubeTransform(out, in []float64, mat [][]float64, tmp []float64) {
	rows, cols := len(mat), len(mat[0])
	alongW := tmp[:cols*cols*rows]                  // [z, y, j]
	alongH := tmp[cols*cols*rows:][:cols*rows*rows] // [z, i, j]
	for zy := range cols * cols {
		line := in[zy*cols : zy*cols+cols]
		for j, coefs := range mat {
			alongW[zy*rows+j] = dotRow(coefs, line, 1)
		}
	}
	for z := range cols {
		for j := range rows {
			for i, coefs := range mat {
				alongH[(z*rows+i)*rows+j] = dotRow(coefs, alongW[z*cols*rows+j:], rows)
			}
		}
	}
	for ij := range rows * rows {
		for k, coefs := range mat {
			out[k*rows*rows+ij] = dotRow(coefs, alongH[ij:], rows*rows)
		}
	}
}

// dotRow returns sum_k coefs[k] * v[k*stride].
func dotRow(coefs, v []float64, stride int) float64 {
	var sum float64
	for k, c := range coefs {
		if c != 0 {
			sum += c * v[k*stride]
		}
	}
	return sum
}

// winogradKernel returns the transformed kernel U [n^3, K, N] of a Conv3d weight w
// [cy, cx, 3, 3, 3]: U[(k*n+i)*n+j, c, o] = sum_{a,b,e} G[k,a] G[i,b] G[j,e] w[o, c, a,
// b, e] with K = cx, N = cy; with adjoint, the kernel of the input gradient (w rotated
// by 180 degrees, channels swapped): U[p, o, c] from w[o, c, 2-a, 2-b, 2-e], K = cy,
// N = cx. The taps are first laid out as 27 planes [K, N], then G runs along W, H and
// D on whole planes, split into column ranges between the workers. The result comes
// from tensor's free list; the caller recycles it.
func winogradKernel[T tensor.Float](f *winogradTransform, w []T, cy, cx int,
	adjoint bool) *tensor.Tensor[T] {
	plane, n := cx*cy, f.n
	taps := tensor.Uninitialized[T](27 * plane)
	defer tensor.Recycle(taps)
	tap0, tapStep := 0, plane // tap t's plane at tap0 + t*tapStep
	if adjoint {
		tap0, tapStep = 26*plane, -plane
		parallelItems(convWorkers(cy), cy, func(_, o int) {
			toChannelsLast(taps.Data[o*cx:], plane, w[o*cx*27:], 27, cx, 27)
		})
	} else {
		parallelItems(convWorkers(cx), cx, func(_, c int) {
			toChannelsLast(taps.Data[c*cy:], plane, w[c*27:], cx*27, cy, 27)
		})
	}

	alongW := tensor.Uninitialized[T](9 * n * plane) // [3, 3, n] planes
	defer tensor.Recycle(alongW)
	alongH := tensor.Uninitialized[T](3 * n * n * plane) // [3, n, n] planes
	defer tensor.Recycle(alongH)
	u := tensor.Uninitialized[T](f.components() * plane)
	forPlaneColumns(plane, func(c0, cols int) {
		for ab := range 9 {
			planeStage(f, false, alongW.Data, ab*n*plane+c0, plane, taps.Data,
				tap0+ab*3*tapStep+c0, tapStep, cols)
		}
		for a := range 3 {
			for j := range n {
				planeStage(f, false, alongH.Data, (a*n*n+j)*plane+c0, n*plane, alongW.Data,
					(a*3*n+j)*plane+c0, n*plane, cols)
			}
		}
		for ij := range n * n {
			planeStage(f, false, u.Data, ij*plane+c0, n*n*plane, alongH.Data, ij*plane+c0,
				n*n*plane, cols)
		}
	})
	return u
}

// planeStage applies G (or G^T with adjoint) of f to cols columns of planes: output
// row r at dst[d0 + r*dStride:] is sum_k mat[r][k] src[s0 + k*sStride:] (strides may be
// negative). F(2) in float32 runs the AVX2 transforms of asm.Winograd; the others
// accumulate with asm.Axpy (float32) or loops.
func planeStage[T tensor.Float](f *winogradTransform, adjoint bool, dst []T, d0, dStride int,
	src []T, s0, sStride, cols int) {
	mat := f.g
	if adjoint {
		mat = f.gT
	}
	d32, is32 := any(dst).([]float32)
	if is32 && f == winogradF2 {
		kind, dOff, sOff := asm.WinogradKernel, [4]int{}, [4]int{}
		if adjoint {
			kind = asm.WinogradKernelAdjoint
		}
		for r := range len(mat) {
			dOff[r] = d0 + r*dStride
		}
		for k := range len(mat[0]) {
			sOff[k] = s0 + k*sStride
		}
		asm.Winograd(kind, d32, dOff, 0, any(src).([]float32), sOff, 0, cols, 1)
		return
	}
	for r, coefs := range mat {
		out := dst[d0+r*dStride:][:cols]
		clear(out)
		for k, c := range coefs {
			if c == 0 {
				continue
			}
			in := src[s0+k*sStride:][:cols]
			if is32 {
				asm.Axpy(float32(c), any(in).([]float32), any(out).([]float32))
				continue
			}
			for i, v := range in {
				out[i] += T(c) * v
			}
		}
	}
}

// winogradColumnChunk is the number of plane columns a worker transforms at a time (a
// variable so that tests can cut small planes into several chunks).
var winogradColumnChunk = 4096

// forPlaneColumns calls body(c0, n) for chunks [c0, c0+n) of the columns of a plane
// of the given size, on up to GOMAXPROCS goroutines.
func forPlaneColumns(plane int, body func(c0, n int)) {
	chunks := (plane + winogradColumnChunk - 1) / winogradColumnChunk
	parallelItems(convWorkers(chunks), chunks, func(_, chunk int) {
		c0 := chunk * winogradColumnChunk
		body(c0, min(winogradColumnChunk, plane-c0))
	})
}

// addWeightGradient adds the Conv3d weight gradient of the transformed-kernel gradient
// du [n^3, cx, cy] (the layout of winogradKernel without adjoint) into gw
// [cy, cx, 3, 3, 3]: gw[o, c, a, b, e] += sum_{k,i,j} G[k,a] G[i,b] G[j,e] du[(k*n+i)*n+j,
// c, o], G^T running along D, H and W on whole planes [cx, cy] (column ranges split
// between the workers).
func addWeightGradient[T tensor.Float](f *winogradTransform, gw, du []T, cy, cx int) {
	plane, n := cx*cy, f.n
	alongD := tensor.Uninitialized[T](3 * n * n * plane) // [3, n, n] planes
	defer tensor.Recycle(alongD)
	alongH := tensor.Uninitialized[T](9 * n * plane) // [3, 3, n] planes
	defer tensor.Recycle(alongH)
	taps := tensor.Uninitialized[T](27 * plane)
	defer tensor.Recycle(taps)
	forPlaneColumns(plane, func(c0, cols int) {
		for ij := range n * n {
			planeStage(f, true, alongD.Data, ij*plane+c0, n*n*plane, du, ij*plane+c0,
				n*n*plane, cols)
		}
		for a := range 3 {
			for j := range n {
				planeStage(f, true, alongH.Data, (a*3*n+j)*plane+c0, n*plane, alongD.Data,
					(a*n*n+j)*plane+c0, n*plane, cols)
			}
		}
		for ab := range 9 {
			planeStage(f, true, taps.Data, ab*3*plane+c0, plane, alongH.Data,
				ab*n*plane+c0, plane, cols)
		}
	})
	parallelItems(convWorkers(cx), cx, func(_, c int) {
		addChannelsLast(gw[c*27:], cx*27, taps.Data[c*cy:], plane, nil, cy, 27)
	})
}
