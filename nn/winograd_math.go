package nn

import (
	"github.com/urpc-go/urpc/asm"
	"github.com/urpc-go/urpc/tensor"
)

// The one-dimensional Winograd F(2,3) (Lavin and Gray, 2016) computes two outputs of a
// 3-tap correlation, y_x = sum_e g_e d_{x+e} for x = 0, 1, from a tile of four inputs
// d_0..d_3 with four multiplications instead of six:
//
//	y = A^T [(G g) . (B^T d)]
//
//	B^T = | 1  0 -1  0 |    G = |  1    0    0  |    A^T = | 1  1  1  0 |
//	      | 0  1  1  0 |        | 1/2  1/2  1/2 |          | 0  1 -1 -1 |
//	      | 0 -1  1  0 |        | 1/2 -1/2  1/2 |
//	      | 0  1  0 -1 |        |  0    0    1  |
//
// The 3-D form F(2x2x2, 3x3x3) applies each matrix along D, H and W: a 4x4x4 input
// tile, a 2x2x2 output tile and 64 products per pair of channels instead of 216, so a
// 3x3x3 convolution does 8 multiply-adds per output voxel and channel pair instead of
// 27. The 64 products of all tiles are 64 matrix products [tiles, Cin] x [Cin, Cout].
//
// The gradients follow from y being linear in U = G g G^T (per axis) and in V = B^T d:
// with M' = A dy (the adjoint of the output transform), dU = sum over tiles V . M' and
// dg = G^T dU G; the input gradient is itself a stride-1 correlation of dy with the
// kernel rotated by 180 degrees, computed by the same forward transform.

// winogradTiles is the number of 4x4x4 tile components, 4^3.
const winogradTiles = 64

// winogradKernel returns the transformed kernel U [64, K, N] of a Conv3d weight w
// [cy, cx, 3, 3, 3]: U[(k*4+i)*4+j, c, o] = sum_{a,b,e} G[k,a] G[i,b] G[j,e] w[o, c, a,
// b, e] with K = cx, N = cy; with adjoint, the kernel of the input gradient (w rotated
// by 180 degrees, channels swapped): U[p, o, c] from w[o, c, 2-a, 2-b, 2-e], K = cy,
// N = cx. The taps are first laid out as 27 planes [K, N], then G runs along W, H and
// D on whole planes, split into column ranges between the workers. The result comes
// from tensor's free list; the caller recycles it.
func winogradKernel[T tensor.Float](w []T, cy, cx int, adjoint bool) *tensor.Tensor[T] {
	plane := cx * cy
	taps := tensor.Uninitialized[T](27 * plane)
	defer tensor.Recycle(taps)
	tap := func(t int) int { return t * plane }
	if adjoint {
		tap = func(t int) int { return (26 - t) * plane }
		parallelItems(convWorkers(cy), cy, func(_, o int) {
			toChannelsLast(taps.Data[o*cx:], plane, w[o*cx*27:], 27, cx, 27)
		})
	} else {
		parallelItems(convWorkers(cx), cx, func(_, c int) {
			toChannelsLast(taps.Data[c*cy:], plane, w[c*27:], cx*27, cy, 27)
		})
	}

	alongW := tensor.Uninitialized[T](36 * plane) // [3, 3, 4] planes
	defer tensor.Recycle(alongW)
	alongH := tensor.Uninitialized[T](48 * plane) // [3, 4, 4] planes
	defer tensor.Recycle(alongH)
	u := tensor.Uninitialized[T](winogradTiles * plane)
	forPlaneColumns(plane, func(c0, n int) {
		for ab := range 9 {
			winogradStage(asm.WinogradKernel, alongW.Data, offsets4(ab*4*plane+c0, plane), 0,
				taps.Data, [4]int{tap(ab*3) + c0, tap(ab*3+1) + c0, tap(ab*3+2) + c0}, 0, n, 1)
		}
		for a := range 3 {
			for j := range 4 {
				winogradStage(asm.WinogradKernel, alongH.Data,
					offsets4((a*16+j)*plane+c0, 4*plane), 0, alongW.Data,
					offsets4((a*12+j)*plane+c0, 4*plane), 0, n, 1)
			}
		}
		for ij := range 16 {
			winogradStage(asm.WinogradKernel, u.Data, offsets4(ij*plane+c0, 16*plane), 0,
				alongH.Data, offsets4(ij*plane+c0, 16*plane), 0, n, 1)
		}
	})
	return u
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
// du [64, cx, cy] (the layout of winogradKernel without adjoint) into gw
// [cy, cx, 3, 3, 3]: gw[o, c, a, b, e] += sum_{k,i,j} G[k,a] G[i,b] G[j,e] du[(k*4+i)*4+j,
// c, o], G^T running along D, H and W on whole planes [cx, cy] (column ranges split
// between the workers).
func addWeightGradient[T tensor.Float](gw, du []T, cy, cx int) {
	plane := cx * cy
	alongD := tensor.Uninitialized[T](48 * plane) // [3, 4, 4] planes
	defer tensor.Recycle(alongD)
	alongH := tensor.Uninitialized[T](36 * plane) // [3, 3, 4] planes
	defer tensor.Recycle(alongH)
	taps := tensor.Uninitialized[T](27 * plane)
	defer tensor.Recycle(taps)
	forPlaneColumns(plane, func(c0, n int) {
		for ij := range 16 {
			winogradStage(asm.WinogradKernelAdjoint, alongD.Data,
				offsets4(ij*plane+c0, 16*plane), 0, du, offsets4(ij*plane+c0, 16*plane), 0,
				n, 1)
		}
		for a := range 3 {
			for j := range 4 {
				winogradStage(asm.WinogradKernelAdjoint, alongH.Data,
					offsets4((a*12+j)*plane+c0, 4*plane), 0, alongD.Data,
					offsets4((a*16+j)*plane+c0, 4*plane), 0, n, 1)
			}
		}
		for ab := range 9 {
			winogradStage(asm.WinogradKernelAdjoint, taps.Data, offsets4(ab*3*plane+c0, plane),
				0, alongH.Data, offsets4(ab*4*plane+c0, plane), 0, n, 1)
		}
	})
	parallelItems(convWorkers(cx), cx, func(_, c int) {
		addChannelsLast(gw[c*27:], cx*27, taps.Data[c*cy:], plane, nil, cy, 27)
	})
}
