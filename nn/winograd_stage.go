package nn

import (
	"github.com/urpc-go/urpc/asm"
	"github.com/urpc-go/urpc/tensor"
)

// winogradStage applies one 1-D F(2,3) transform (asm.WinogradKind: B^T, A^T, A, G or
// G^T; see winograd_math.go) to count groups of n-element vectors:
//
//	for i < count, c < n: s_k = src[sOff[k] + i*sStride + c],
//	                      dst[dOff[j] + i*dStride + c] = f_j(s)
//
// reading all inputs of (i, c) before writing its outputs, so it may run in place.
// float32 runs asm.Winograd; float64 the loops below (same operation order).
func winogradStage[T tensor.Float](kind asm.WinogradKind, dst []T, dOff [4]int, dStride int,
	src []T, sOff [4]int, sStride, n, count int) {
	if d, ok := any(dst).([]float32); ok {
		asm.Winograd(kind, d, dOff, dStride, any(src).([]float32), sOff, sStride, n, count)
		return
	}
	for i := range count {
		s, d := i*sStride, i*dStride
		for c := range n {
			v0, v1 := src[sOff[0]+s+c], src[sOff[1]+s+c]
			switch kind {
			case asm.WinogradInput:
				v2, v3 := src[sOff[2]+s+c], src[sOff[3]+s+c]
				dst[dOff[0]+d+c], dst[dOff[1]+d+c] = v0-v2, v1+v2
				dst[dOff[2]+d+c], dst[dOff[3]+d+c] = v2-v1, v1-v3
			case asm.WinogradOutput:
				v2, v3 := src[sOff[2]+s+c], src[sOff[3]+s+c]
				dst[dOff[0]+d+c], dst[dOff[1]+d+c] = v0+v1+v2, v1-v2-v3
			case asm.WinogradOutputAdjoint:
				dst[dOff[0]+d+c], dst[dOff[1]+d+c] = v0, v0+v1
				dst[dOff[2]+d+c], dst[dOff[3]+d+c] = v0-v1, -v1
			case asm.WinogradKernel:
				v2 := src[sOff[2]+s+c]
				dst[dOff[0]+d+c], dst[dOff[1]+d+c] = v0, (v0+v1+v2)*0.5
				dst[dOff[2]+d+c], dst[dOff[3]+d+c] = (v0-v1+v2)*0.5, v2
			case asm.WinogradKernelAdjoint:
				v2, v3 := src[sOff[2]+s+c], src[sOff[3]+s+c]
				half := (v1 + v2) * 0.5
				dst[dOff[0]+d+c], dst[dOff[1]+d+c] = v0+half, (v1-v2)*0.5
				dst[dOff[2]+d+c] = half + v3
			default:
				panic("nn: winogradStage of an unknown transform")
			}
		}
	}
}

// offsets4 returns {base, base+step, base+2*step, base+3*step}.
func offsets4(base, step int) [4]int {
	return [4]int{base, base + step, base + 2*step, base + 3*step}
}
