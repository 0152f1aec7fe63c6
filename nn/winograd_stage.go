package nn

import (
	"github.com/urpc-go/urpc/tensor"
)

// winogradKind is one 1-D F(2,3) transform: B^T (input), A^T (output), A (adjoint of
// the output transform).
type winogradKind int

const (
	winogradInput winogradKind = iota
	winogradOutput
	winogradOutputAdjoint
)

// winogradStage applies one 1-D F(2,3) transform (asm.WinogradKind: B^T, A^T or A; see
// winograd_math.go) to count groups of n-element vectors:
//
//	for i < count, c < n: s_k = src[sOff[k] + i*sStride + c],
//	                      dst[dOff[j] + i*dStride + c] = f_j(s)
//
// reading all inputs of (i, c) before writing its outputs, so it may run in place.
// float32 runs asm.Winograd; float64 the loops below (same operation order).
func winogradStage[T tensor.Float](kind winogradKind, dst []T, dOff [4]int, dStride int,
	src []T, sOff [4]int, sStride, n, count int) {
	for i := range count {
		s0, s1 := src[sOff[0]+i*sStride:][:n], src[sOff[1]+i*sStride:][:n]
		d0, d1 := dst[dOff[0]+i*dStride:][:n], dst[dOff[1]+i*dStride:][:n]
		switch kind {
		case winogradInput:
			s2, s3 := src[sOff[2]+i*sStride:][:n], src[sOff[3]+i*sStride:][:n]
			d2, d3 := dst[dOff[2]+i*dStride:][:n], dst[dOff[3]+i*dStride:][:n]
			for c := range n {
				v0, v1, v2, v3 := s0[c], s1[c], s2[c], s3[c]
				d0[c], d1[c], d2[c], d3[c] = v0-v2, v1+v2, v2-v1, v1-v3
			}
		case winogradOutput:
			s2, s3 := src[sOff[2]+i*sStride:][:n], src[sOff[3]+i*sStride:][:n]
			for c := range n {
				v0, v1, v2, v3 := s0[c], s1[c], s2[c], s3[c]
				d0[c], d1[c] = v0+v1+v2, v1-v2-v3
			}
		case winogradOutputAdjoint:
			d2, d3 := dst[dOff[2]+i*dStride:][:n], dst[dOff[3]+i*dStride:][:n]
			for c := range n {
				v0, v1 := s0[c], s1[c]
				d0[c], d1[c], d2[c], d3[c] = v0, v0+v1, v0-v1, -v1
			}
		default:
			panic("nn: winogradStage of an unsupported transform")
		}
	}
}

// offsets4 returns {base, base+step, base+2*step, base+3*step}.
func offsets4(base, step int) [4]int {
	return [4]int{base, base + step, base + 2*step, base + 3*step}
}
