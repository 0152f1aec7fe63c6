//go:build amd64 && !purego

#include "textflag.h"

// The AVX2 norm kernels of norm.go. Floats are widened to float64 four at a time
// (VCVTPS2PD) and the results narrowed back (VCVTPD2PS, round to nearest even as
// float32() does); no fused multiply-add, so each lane computes its Go twin's
// expression exactly. The partial sums live in Y0-Y3 (partials 0-3, 4-7, 8-11, 12-15).

// LOADPARTIALS(P, A, B, C, D) loads the 16 partials at P into A-D; STOREPARTIALS
// stores them back.
#define LOADPARTIALS(P, A, B, C, D) \
	VMOVUPD (P), A; \
	VMOVUPD 32(P), B; \
	VMOVUPD 64(P), C; \
	VMOVUPD 96(P), D

#define STOREPARTIALS(P, A, B, C, D) \
	VMOVUPD A, (P); \
	VMOVUPD B, 32(P); \
	VMOVUPD C, 64(P); \
	VMOVUPD D, 96(P)

// func sumPartialsAVX2(x []float32, p *[16]float64)
TEXT ·sumPartialsAVX2(SB), NOSPLIT, $0-32
	MOVQ x_base+0(FP), SI
	MOVQ x_len+8(FP), CX
	MOVQ p+24(FP), DI
	LOADPARTIALS(DI, Y0, Y1, Y2, Y3)

sumLoop:
	VCVTPS2PD (SI), Y4
	VCVTPS2PD 16(SI), Y5
	VCVTPS2PD 32(SI), Y6
	VCVTPS2PD 48(SI), Y7
	VADDPD    Y4, Y0, Y0
	VADDPD    Y5, Y1, Y1
	VADDPD    Y6, Y2, Y2
	VADDPD    Y7, Y3, Y3
	ADDQ      $64, SI
	SUBQ      $16, CX
	JNZ       sumLoop
	STOREPARTIALS(DI, Y0, Y1, Y2, Y3)
	VZEROUPPER
	RET

// func squaredPartialsAVX2(x []float32, mu float64, p *[16]float64)
TEXT ·squaredPartialsAVX2(SB), NOSPLIT, $0-40
	MOVQ         x_base+0(FP), SI
	MOVQ         x_len+8(FP), CX
	VBROADCASTSD mu+24(FP), Y8
	MOVQ         p+32(FP), DI
	LOADPARTIALS(DI, Y0, Y1, Y2, Y3)

squaredLoop:
	VCVTPS2PD (SI), Y4
	VCVTPS2PD 16(SI), Y5
	VCVTPS2PD 32(SI), Y6
	VCVTPS2PD 48(SI), Y7
	VSUBPD    Y8, Y4, Y4
	VSUBPD    Y8, Y5, Y5
	VSUBPD    Y8, Y6, Y6
	VSUBPD    Y8, Y7, Y7
	VMULPD    Y4, Y4, Y4
	VMULPD    Y5, Y5, Y5
	VMULPD    Y6, Y6, Y6
	VMULPD    Y7, Y7, Y7
	VADDPD    Y4, Y0, Y0
	VADDPD    Y5, Y1, Y1
	VADDPD    Y6, Y2, Y2
	VADDPD    Y7, Y3, Y3
	ADDQ      $64, SI
	SUBQ      $16, CX
	JNZ       squaredLoop
	STOREPARTIALS(DI, Y0, Y1, Y2, Y3)
	VZEROUPPER
	RET

// GRADIENTHALF(OFF, S0, S1, T0, T1) adds 8 elements from byte OFF: dy into S0-S1 and
// dy * (x - mu) into T0-T1 (SI dy, DX x, Y15 mu).
#define GRADIENTHALF(OFF, S0, S1, T0, T1) \
	VCVTPS2PD OFF(SI), Y8; \
	VCVTPS2PD OFF+16(SI), Y9; \
	VCVTPS2PD OFF(DX), Y10; \
	VCVTPS2PD OFF+16(DX), Y11; \
	VADDPD    Y8, S0, S0; \
	VADDPD    Y9, S1, S1; \
	VSUBPD    Y15, Y10, Y10; \
	VSUBPD    Y15, Y11, Y11; \
	VMULPD    Y10, Y8, Y10; \
	VMULPD    Y11, Y9, Y11; \
	VADDPD    Y10, T0, T0; \
	VADDPD    Y11, T1, T1

// func gradientPartialsAVX2(dy, x []float32, mu float64, s, t *[16]float64)
TEXT ·gradientPartialsAVX2(SB), NOSPLIT, $0-72
	MOVQ         dy_base+0(FP), SI
	MOVQ         dy_len+8(FP), CX
	MOVQ         x_base+24(FP), DX
	VBROADCASTSD mu+48(FP), Y15
	MOVQ         s+56(FP), DI
	MOVQ         t+64(FP), R8
	LOADPARTIALS(DI, Y0, Y1, Y2, Y3)
	LOADPARTIALS(R8, Y4, Y5, Y6, Y7)

gradientLoop:
	GRADIENTHALF(0, Y0, Y1, Y4, Y5)
	GRADIENTHALF(32, Y2, Y3, Y6, Y7)
	ADDQ $64, SI
	ADDQ $64, DX
	SUBQ $16, CX
	JNZ  gradientLoop
	STOREPARTIALS(DI, Y0, Y1, Y2, Y3)
	STOREPARTIALS(R8, Y4, Y5, Y6, Y7)
	VZEROUPPER
	RET

// NORMALIZE8 leaves in Y0 the 8 floats float32((x - mu) * factor + shift) of the x at
// SI (Y13 mu, Y14 factor, Y15 shift).
#define NORMALIZE8 \
	VCVTPS2PD  (SI), Y0; \
	VCVTPS2PD  16(SI), Y1; \
	VSUBPD     Y13, Y0, Y0; \
	VSUBPD     Y13, Y1, Y1; \
	VMULPD     Y14, Y0, Y0; \
	VMULPD     Y14, Y1, Y1; \
	VADDPD     Y15, Y0, Y0; \
	VADDPD     Y15, Y1, Y1; \
	VCVTPD2PSY Y0, X0; \
	VCVTPD2PSY Y1, X1; \
	VINSERTF128 $1, X1, Y0, Y0

// func normalizeAVX2(dst, x []float32, mu, factor, shift float64)
TEXT ·normalizeAVX2(SB), NOSPLIT, $0-72
	MOVQ         dst_base+0(FP), DI
	MOVQ         dst_len+8(FP), CX
	MOVQ         x_base+24(FP), SI
	VBROADCASTSD mu+48(FP), Y13
	VBROADCASTSD factor+56(FP), Y14
	VBROADCASTSD shift+64(FP), Y15

normalizeLoop:
	NORMALIZE8
	VMOVUPS Y0, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	SUBQ    $8, CX
	JNZ     normalizeLoop
	VZEROUPPER
	RET

// func gateNormReLUAVX2(grad, x []float32, mu, factor, shift float64)
TEXT ·gateNormReLUAVX2(SB), NOSPLIT, $0-72
	MOVQ         grad_base+0(FP), DI
	MOVQ         grad_len+8(FP), CX
	MOVQ         x_base+24(FP), SI
	VBROADCASTSD mu+48(FP), Y13
	VBROADCASTSD factor+56(FP), Y14
	VBROADCASTSD shift+64(FP), Y15
	VXORPS       Y12, Y12, Y12

gateLoop:
	NORMALIZE8
	VCMPPS  $0x1e, Y12, Y0, Y0 // y > 0, false for NaN
	VANDPS  (DI), Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	SUBQ    $8, CX
	JNZ     gateLoop
	VZEROUPPER
	RET

// INPUTGRAD4(OFF, R) leaves in XR the 4 floats Factor * ((dy - ShiftDy) - xhat *
// SlopeXhat), xhat = (x - Mu) * InvStd, of the x at OFF(SI) and the dy at OFF(DX)
// (Y10 Mu, Y11 InvStd, Y12 Factor, Y13 ShiftDy, Y14 SlopeXhat).
#define INPUTGRAD4(OFF, R) \
	VCVTPS2PD  OFF(SI), Y8; \
	VCVTPS2PD  OFF(DX), Y9; \
	VSUBPD     Y10, Y8, Y8; \
	VMULPD     Y11, Y8, Y8; \
	VSUBPD     Y13, Y9, Y9; \
	VMULPD     Y14, Y8, Y8; \
	VSUBPD     Y8, Y9, Y9; \
	VMULPD     Y12, Y9, Y9; \
	VCVTPD2PSY Y9, R

// func addNormInputGradAVX2(dst, x, dy []float32, k *NormInputGrad)
TEXT ·addNormInputGradAVX2(SB), NOSPLIT, $0-80
	MOVQ         dst_base+0(FP), DI
	MOVQ         dst_len+8(FP), CX
	MOVQ         x_base+24(FP), SI
	MOVQ         dy_base+48(FP), DX
	MOVQ         k+72(FP), R8
	VBROADCASTSD 0(R8), Y10
	VBROADCASTSD 8(R8), Y11
	VBROADCASTSD 16(R8), Y12
	VBROADCASTSD 24(R8), Y13
	VBROADCASTSD 32(R8), Y14

inputGradLoop:
	INPUTGRAD4(0, X0)
	INPUTGRAD4(16, X1)
	VINSERTF128 $1, X1, Y0, Y0
	VADDPS      (DI), Y0, Y0
	VMOVUPS     Y0, (DI)
	ADDQ        $32, SI
	ADDQ        $32, DX
	ADDQ        $32, DI
	SUBQ        $8, CX
	JNZ         inputGradLoop
	VZEROUPPER
	RET
