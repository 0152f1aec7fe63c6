//go:build amd64 && !purego

#include "textflag.h"

// The i-th constant of ·expVecs (8 copies of expConsts[i]), as a memory operand.
#define C(i) ·expVecs+(32*i)(SB)

DATA expBias<>+0(SB)/4, $127
DATA expBias<>+4(SB)/4, $127
DATA expBias<>+8(SB)/4, $127
DATA expBias<>+12(SB)/4, $127
DATA expBias<>+16(SB)/4, $127
DATA expBias<>+20(SB)/4, $127
DATA expBias<>+24(SB)/4, $127
DATA expBias<>+28(SB)/4, $127
GLOBL expBias<>(SB), RODATA|NOPTR, $32

// func expAVX2(dst, x []float32)
// Eight lanes at a time, the steps of expGeneric in the same order; len(dst)
// must be a multiple of 8.
TEXT ·expAVX2(SB), NOSPLIT, $0-48
	MOVQ dst_base+0(FP), DI
	MOVQ dst_len+8(FP), CX
	MOVQ x_base+24(FP), SI
	XORQ AX, AX

loop8:
	CMPQ      CX, $8
	JLT       done
	VMOVUPS   (SI)(AX*4), Y0    // x
	VMAXPS    C(0), Y0, Y1      // v = max(x, lo)
	VMINPS    C(1), Y1, Y1      // v = min(v, hi)
	VMULPS    C(2), Y1, Y2
	VROUNDPS  $0, Y2, Y2        // n = round(v*log2e)
	VMULPS    C(3), Y2, Y3
	VSUBPS    Y3, Y1, Y1        // r = v - n*ln2Hi
	VMULPS    C(4), Y2, Y3
	VSUBPS    Y3, Y1, Y1        // r -= n*ln2Lo
	VMOVUPS   C(5), Y3          // p = 1/7!
	VMULPS    Y1, Y3, Y3
	VADDPS    C(6), Y3, Y3
	VMULPS    Y1, Y3, Y3
	VADDPS    C(7), Y3, Y3
	VMULPS    Y1, Y3, Y3
	VADDPS    C(8), Y3, Y3
	VMULPS    Y1, Y3, Y3
	VADDPS    C(9), Y3, Y3
	VMULPS    Y1, Y3, Y3
	VADDPS    C(10), Y3, Y3
	VMULPS    Y1, Y3, Y3
	VADDPS    C(11), Y3, Y3
	VMULPS    Y1, Y3, Y3
	VADDPS    C(12), Y3, Y3     // p = e**r
	VCVTPS2DQ Y2, Y2            // n as int32
	VPSRAD    $1, Y2, Y4        // h = n>>1
	VPSUBD    Y4, Y2, Y2        // n-h
	VPADDD    expBias<>(SB), Y4, Y4
	VPSLLD    $23, Y4, Y4       // 2**h
	VPADDD    expBias<>(SB), Y2, Y2
	VPSLLD    $23, Y2, Y2       // 2**(n-h)
	VMULPS    Y4, Y3, Y3
	VMULPS    Y2, Y3, Y3
	VCMPPS    $3, Y0, Y0, Y1    // x is NaN
	VBLENDVPS Y1, Y0, Y3, Y3    // NaN lanes keep x
	VMOVUPS   Y3, (DI)(AX*4)
	ADDQ      $8, AX
	SUBQ      $8, CX
	JMP       loop8

done:
	VZEROUPPER
	RET
