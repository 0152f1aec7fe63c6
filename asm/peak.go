package asm

// fmaPeakGeneric is the loop fmaPeakAVX2 and fmaPeakAVX512 run to measure the
// core's fused multiply-add peak: twelve independent accumulators, each
// incremented n times by 1*1, then summed. It returns 12*n for n < 2^20.
// The assembly versions run it on every lane of 8 (YMM) or 16 (ZMM) floats,
// so one iteration is 12*2*8 or 12*2*16 floating-point operations.
func fmaPeakGeneric(n int) float32 {
	var acc [12]float32
	for range n {
		for i := range acc {
			acc[i] += 1 * 1
		}
	}

	var sum float32
	for _, a := range acc {
		sum += a
	}
	return sum
}
