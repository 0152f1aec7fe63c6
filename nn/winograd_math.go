package nn

import (
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
// N = cx. The result comes from tensor's free list; the caller recycles it.
func winogradKernel[T tensor.Float](w []T, cy, cx int, adjoint bool) *tensor.Tensor[T] {
	u := tensor.Zeros[T](winogradTiles * cx * cy)
	var taps [27]T
	var tile [64]T
	for o := range cy {
		for c := range cx {
			src := w[(o*cx+c)*27 : (o*cx+c+1)*27]
			for t := range taps {
				if adjoint {
					taps[t] = src[26-t]
				} else {
					taps[t] = src[t]
				}
			}
			kernelTile(&tile, &taps)
			k, n := c, o // U[p, k, n] with k < cx, n < cy
			ld := cy
			if adjoint {
				k, n, ld = o, c, cx
			}
			rows := len(u.Data) / winogradTiles
			for p, v := range tile {
				u.Data[p*rows+k*ld+n] = v
			}
		}
	}
	return u
}

// kernelTile computes tile = (G x G x G) taps for one 3x3x3 kernel, axis by axis.
func kernelTile[T tensor.Float](tile *[64]T, taps *[27]T) {
	var alongW [3 * 3 * 4]T
	for ab := range 9 {
		g3(alongW[ab*4:ab*4+4], taps[ab*3], taps[ab*3+1], taps[ab*3+2])
	}

	var alongH [3 * 4 * 4]T
	for a := range 3 {
		for j := range 4 {
			at := func(b int) T { return alongW[(a*3+b)*4+j] }
			var col [4]T
			g3(col[:], at(0), at(1), at(2))
			for i, v := range col {
				alongH[(a*4+i)*4+j] = v
			}
		}
	}

	for ij := range 16 {
		var col [4]T
		g3(col[:], alongH[ij], alongH[16+ij], alongH[32+ij])
		for k, v := range col {
			tile[k*16+ij] = v
		}
	}
}

// g3 writes G (g0, g1, g2) into out[0:4].
func g3[T tensor.Float](out []T, g0, g1, g2 T) {
	out[0] = g0
	out[1] = (g0 + g1 + g2) / 2
	out[2] = (g0 - g1 + g2) / 2
	out[3] = g2
}

// addWeightGradient adds the Conv3d weight gradient of the transformed-kernel gradient
// du [64, cx, cy] (the layout of winogradKernel without adjoint) into gw
// [cy, cx, 3, 3, 3]: gw[o, c, a, b, e] += sum_{k,i,j} G[k,a] G[i,b] G[j,e] du[(k*4+i)*4+j,
// c, o].
func addWeightGradient[T tensor.Float](gw, du []T, cy, cx int) {
	rows := cx * cy
	var tile [64]T
	var taps [27]T
	for o := range cy {
		for c := range cx {
			for p := range tile {
				tile[p] = du[p*rows+c*cy+o]
			}
			kernelTileAdjoint(&taps, &tile)
			dst := gw[(o*cx+c)*27 : (o*cx+c+1)*27]
			for t, v := range taps {
				dst[t] += v
			}
		}
	}
}

// kernelTileAdjoint computes taps = (G^T x G^T x G^T) tile, the adjoint of kernelTile.
func kernelTileAdjoint[T tensor.Float](taps *[27]T, tile *[64]T) {
	var alongD [3 * 16]T
	for ij := range 16 {
		var col [3]T
		gT4(col[:], tile[ij], tile[16+ij], tile[32+ij], tile[48+ij])
		for a, v := range col {
			alongD[a*16+ij] = v
		}
	}

	var alongH [3 * 3 * 4]T
	for a := range 3 {
		for j := range 4 {
			at := func(i int) T { return alongD[(a*4+i)*4+j] }
			var col [3]T
			gT4(col[:], at(0), at(1), at(2), at(3))
			for b, v := range col {
				alongH[(a*3+b)*4+j] = v
			}
		}
	}

	for ab := range 9 {
		at := alongH[ab*4 : ab*4+4]
		gT4(taps[ab*3:ab*3+3], at[0], at[1], at[2], at[3])
	}
}

// gT4 writes G^T (u0, u1, u2, u3) into out[0:3].
func gT4[T tensor.Float](out []T, u0, u1, u2, u3 T) {
	out[0] = u0 + (u1+u2)/2
	out[1] = (u1 - u2) / 2
	out[2] = (u1+u2)/2 + u3
}
