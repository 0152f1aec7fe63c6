//go:build amd64 && !purego

#include "textflag.h"

// SGD8 updates 8 parameters at byte offset OFF from the index AX, using the
// temporaries T, D and B; Y13, Y14, Y15 hold weightDecay, momentum and lr.
#define SGD8(OFF, T, D, B) \
	VMOVUPS OFF(DI)(AX*4), T; \
	VMULPS  T, Y13, D; \
	VADDPS  OFF(SI)(AX*4), D, D; \
	VMULPS  OFF(DX)(AX*4), Y14, B; \
	VADDPS  D, B, B; \
	VMOVUPS B, OFF(DX)(AX*4); \
	VMULPS  B, Y15, B; \
	VSUBPS  B, T, T; \
	VMOVUPS T, OFF(DI)(AX*4)

// func sgdMomentumAVX2(theta, grad, buf []float32, lr, momentum, weightDecay float32)
// DI theta, SI grad, DX buf.
TEXT ·sgdMomentumAVX2(SB), NOSPLIT, $0-84
	MOVQ         theta_base+0(FP), DI
	MOVQ         theta_len+8(FP), CX
	MOVQ         grad_base+24(FP), SI
	MOVQ         buf_base+48(FP), DX
	VBROADCASTSS lr+72(FP), Y15
	VBROADCASTSS momentum+76(FP), Y14
	VBROADCASTSS weightDecay+80(FP), Y13
	XORQ         AX, AX

loop32:
	CMPQ CX, $32
	JLT  loop8
	SGD8(0, Y0, Y1, Y2)
	SGD8(32, Y3, Y4, Y5)
	SGD8(64, Y6, Y7, Y8)
	SGD8(96, Y9, Y10, Y11)
	ADDQ $32, AX
	SUBQ $32, CX
	JMP  loop32

loop8:
	CMPQ CX, $8
	JLT  loop1
	SGD8(0, Y0, Y1, Y2)
	ADDQ $8, AX
	SUBQ $8, CX
	JMP  loop8

loop1:
	TESTQ  CX, CX
	JZ     done
	VMOVSS (DI)(AX*4), X0
	VMULSS X0, X13, X1
	VADDSS (SI)(AX*4), X1, X1
	VMULSS (DX)(AX*4), X14, X2
	VADDSS X1, X2, X2
	VMOVSS X2, (DX)(AX*4)
	VMULSS X2, X15, X2
	VSUBSS X2, X0, X0
	VMOVSS X0, (DI)(AX*4)
	INCQ   AX
	DECQ   CX
	JMP    loop1

done:
	VZEROUPPER
	RET
