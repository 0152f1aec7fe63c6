package asm

// WinogradKind is one of the 1-D kernel transforms of the Winograd F(2,3) (Lavin and
// Gray, 2016) of a 3-tap correlation, y = A^T [(G g) . (B^T d)] with
//
//	G = |  1    0    0  |
//	    | 1/2  1/2  1/2 |
//	    | 1/2 -1/2  1/2 |
//	    |  0    0    1  |
//
// applied to whole planes of kernel values (the tile transforms of the data are in
// winograd_tiles.go). Each kind maps its input vectors to its output vectors element by
// element.
type WinogradKind int

const (
	// WinogradKernel is G, 3 -> 4: g0, (g0+g1+g2)/2, (g0-g1+g2)/2, g2.
	WinogradKernel WinogradKind = iota
	// WinogradKernelAdjoint is G^T, 4 -> 3: u0+(u1+u2)/2, (u1-u2)/2, (u1+u2)/2+u3.
	WinogradKernelAdjoint
)

// arity is the number of input and output vectors of the transform.
func (k WinogradKind) arity() (in, out int) {
	switch k {
	case WinogradKernel:
		return 3, 4
	case WinogradKernelAdjoint:
		return 4, 3
	}
	panic("asm: unknown WinogradKind")
}

// Winograd applies the transform kind to count groups of n-element vectors: with
// s_k = src[sOff[k] + i*sStride + c] for the kind's inputs k,
//
//	for i < count, c < n: dst[dOff[j] + i*dStride + c] = f_j(s_0, s_1, ...)
//
// for its outputs j (unused offsets are ignored). All inputs of one (i, c) are read
// before its outputs are written, so dst may be src with the same offsets (in place).
// It panics if a used offset is negative or a vector runs past its slice.
func Winograd(kind WinogradKind, dst []float32, dOff [4]int, dStride int, src []float32,
	sOff [4]int, sStride, n, count int) {
	in, out := kind.arity()
	if n <= 0 || count <= 0 {
		return
	}
	checkVectors("Winograd source", len(src), sOff[:in], sStride, n, count)
	checkVectors("Winograd destination", len(dst), dOff[:out], dStride, n, count)
	n8 := 0
	if useAVX2 {
		n8 = n &^ 7
		if n8 > 0 {
			winogradAVX2(kind, dst, &dOff, dStride, src, &sOff, sStride, n8, count)
		}
	}
	if n8 < n {
		winogradGeneric(kind, dst, dOff, dStride, src, sOff, sStride, n8, n, count)
	}
}

// checkVectors panics unless each of count vectors of n elements at off + i*stride lies in
// [0, length) for every offset.
func checkVectors(name string, length int, offsets []int, stride, n, count int) {
	if stride > length || n > length || count > length {
		panic("asm: " + name + " vector out of range") // and no overflow below
	}
	for _, off := range offsets {
		last := off + n
		if count > 1 {
			last += (count - 1) * stride
		}
		if off < 0 || count > 1 && stride < 0 || last > length {
			panic("asm: " + name + " vector out of range")
		}
	}
}

// winogradAVX2 dispatches to the kind's 8-wide kernel over columns [0, n8).
func winogradAVX2(kind WinogradKind, dst []float32, dOff *[4]int, dStride int,
	src []float32, sOff *[4]int, sStride, n8, count int) {
	switch kind {
	case WinogradKernel:
		winogradKernelAVX2(dst, dOff, dStride, src, sOff, sStride, n8, count)
	case WinogradKernelAdjoint:
		winogradKernelAdjointAVX2(dst, dOff, dStride, src, sOff, sStride, n8, count)
	}
}

// winogradGeneric is the pure-Go twin of the AVX2 kernels, over columns [c0, n): the loop
// of Winograd's doc comment with the same operation order.
func winogradGeneric(kind WinogradKind, dst []float32, dOff [4]int, dStride int,
	src []float32, sOff [4]int, sStride, c0, n, count int) {
	for i := range count {
		s, d := i*sStride, i*dStride
		for c := c0; c < n; c++ {
			v0, v1 := src[sOff[0]+s+c], src[sOff[1]+s+c]
			switch kind {
			case WinogradKernel:
				v2 := src[sOff[2]+s+c]
				dst[dOff[0]+d+c], dst[dOff[1]+d+c] = v0, (v0+v1+v2)*0.5
				dst[dOff[2]+d+c], dst[dOff[3]+d+c] = (v0-v1+v2)*0.5, v2
			case WinogradKernelAdjoint:
				v2, v3 := src[sOff[2]+s+c], src[sOff[3]+s+c]
				half := (v1 + v2) * 0.5
				dst[dOff[0]+d+c], dst[dOff[1]+d+c] = v0+half, (v1-v2)*0.5
				dst[dOff[2]+d+c] = half + v3
			}
		}
	}
}
