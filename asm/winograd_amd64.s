//go:build amd64 && !purego

#include "textflag.h"

// The Winograd F(2,3) kernel transforms of winograd.go, 8 columns per iteration.
// Registers: R8-R11 the output vectors d0-d3 and R12, R13, R14, SI the inputs s0-s3 of
// group i, DX and BX their group strides in bytes, CX the groups left, AX = 4*n8 and DI
// the byte offset of the column. Y14 holds 0.5 in every lane.

// func kernel(dst []float32, dOff *[4]int, dStride int, src []float32, sOff *[4]int,
//             sStride, n8, count int)
#define PROLOGUE \
	MOVQ dst_base+0(FP), AX; \
	MOVQ dOff+24(FP), BX; \
	MOVQ 0(BX), R8; \
	LEAQ (AX)(R8*4), R8; \
	MOVQ 8(BX), R9; \
	LEAQ (AX)(R9*4), R9; \
	MOVQ 16(BX), R10; \
	LEAQ (AX)(R10*4), R10; \
	MOVQ 24(BX), R11; \
	LEAQ (AX)(R11*4), R11; \
	MOVQ src_base+40(FP), AX; \
	MOVQ sOff+64(FP), BX; \
	MOVQ 0(BX), R12; \
	LEAQ (AX)(R12*4), R12; \
	MOVQ 8(BX), R13; \
	LEAQ (AX)(R13*4), R13; \
	MOVQ 16(BX), R14; \
	LEAQ (AX)(R14*4), R14; \
	MOVQ 24(BX), SI; \
	LEAQ (AX)(SI*4), SI; \
	MOVQ dStride+32(FP), DX; \
	SHLQ $2, DX; \
	MOVQ sStride+72(FP), BX; \
	SHLQ $2, BX; \
	MOVQ n8+80(FP), AX; \
	SHLQ $2, AX; \
	MOVQ count+88(FP), CX; \
	MOVL $0x3f000000, DI; \
	VMOVD DI, X14; \
	VBROADCASTSS X14, Y14

// NEXTGROUP advances every vector to the next group and loops back to the label L while
// groups are left.
#define NEXTGROUP(L) \
	ADDQ DX, R8; \
	ADDQ DX, R9; \
	ADDQ DX, R10; \
	ADDQ DX, R11; \
	ADDQ BX, R12; \
	ADDQ BX, R13; \
	ADDQ BX, R14; \
	ADDQ BX, SI; \
	DECQ CX; \
	JNZ L

// func winogradKernelAVX2(...): G, g0, ((g0+g1)+g2)/2, ((g0-g1)+g2)/2, g2.
TEXT ·winogradKernelAVX2(SB), NOSPLIT, $0-96
	PROLOGUE

kernelGroup:
	XORQ DI, DI

kernelColumn:
	VMOVUPS (R12)(DI*1), Y0
	VMOVUPS (R13)(DI*1), Y1
	VMOVUPS (R14)(DI*1), Y2
	VADDPS  Y1, Y0, Y5
	VADDPS  Y2, Y5, Y5
	VMULPS  Y14, Y5, Y5
	VSUBPS  Y1, Y0, Y6
	VADDPS  Y2, Y6, Y6
	VMULPS  Y14, Y6, Y6
	VMOVUPS Y0, (R8)(DI*1)
	VMOVUPS Y5, (R9)(DI*1)
	VMOVUPS Y6, (R10)(DI*1)
	VMOVUPS Y2, (R11)(DI*1)
	ADDQ    $32, DI
	CMPQ    DI, AX
	JLT     kernelColumn
	NEXTGROUP(kernelGroup)
	VZEROUPPER
	RET

// func winogradKernelAdjointAVX2(...): G^T, with h = (u1+u2)/2: u0+h, (u1-u2)/2, h+u3.
TEXT ·winogradKernelAdjointAVX2(SB), NOSPLIT, $0-96
	PROLOGUE

kernelAdjointGroup:
	XORQ DI, DI

kernelAdjointColumn:
	VMOVUPS (R12)(DI*1), Y0
	VMOVUPS (R13)(DI*1), Y1
	VMOVUPS (R14)(DI*1), Y2
	VMOVUPS (SI)(DI*1), Y3
	VADDPS  Y2, Y1, Y7
	VMULPS  Y14, Y7, Y7
	VADDPS  Y7, Y0, Y4
	VSUBPS  Y2, Y1, Y5
	VMULPS  Y14, Y5, Y5
	VADDPS  Y3, Y7, Y6
	VMOVUPS Y4, (R8)(DI*1)
	VMOVUPS Y5, (R9)(DI*1)
	VMOVUPS Y6, (R10)(DI*1)
	ADDQ    $32, DI
	CMPQ    DI, AX
	JLT     kernelAdjointColumn
	NEXTGROUP(kernelAdjointGroup)
	VZEROUPPER
	RET
