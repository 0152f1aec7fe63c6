//go:build amd64 && !purego

#include "textflag.h"

// ROW6 multiplies the two B vectors Y0, Y1 by the broadcast A values of all
// six rows at k step OFF and adds them into the accumulators Y4..Y15.
// SI points at row 0 of A; R8 is the row stride, R9 = 3*R8, R10 = 5*R8.
#define ROW6 \
	VBROADCASTSS (SI), Y2; \
	VFMADD231PS  Y0, Y2, Y4; \
	VFMADD231PS  Y1, Y2, Y5; \
	VBROADCASTSS (SI)(R8*1), Y3; \
	VFMADD231PS  Y0, Y3, Y6; \
	VFMADD231PS  Y1, Y3, Y7; \
	VBROADCASTSS (SI)(R8*2), Y2; \
	VFMADD231PS  Y0, Y2, Y8; \
	VFMADD231PS  Y1, Y2, Y9; \
	VBROADCASTSS (SI)(R9*1), Y3; \
	VFMADD231PS  Y0, Y3, Y10; \
	VFMADD231PS  Y1, Y3, Y11; \
	VBROADCASTSS (SI)(R8*4), Y2; \
	VFMADD231PS  Y0, Y2, Y12; \
	VFMADD231PS  Y1, Y2, Y13; \
	VBROADCASTSS (SI)(R10*1), Y3; \
	VFMADD231PS  Y0, Y3, Y14; \
	VFMADD231PS  Y1, Y3, Y15

// STEP loads the 16 floats of B at DI, does ROW6 and moves SI and DI to the
// next k step.
#define STEP \
	VMOVUPS (DI), Y0; \
	VMOVUPS 32(DI), Y1; \
	ROW6; \
	ADDQ    R11, SI; \
	ADDQ    R12, DI

// STORE2 does C[row][0:16] += alpha*acc for the accumulators LO, HI at DX
// (alpha in Y0), then moves DX to the next row.
#define STORE2(LO, HI) \
	VFMADD213PS (DX), Y0, LO; \
	VFMADD213PS 32(DX), Y0, HI; \
	VMOVUPS     LO, (DX); \
	VMOVUPS     HI, 32(DX); \
	ADDQ        R13, DX

// func sgemmKernelAVX2(k int, a []float32, aRow, aStep int, b []float32, bStep int,
//	c []float32, ldc int, alpha float32)
// The 6x16 micro-kernel; see sgemmKernel6x16Generic for the loop.
TEXT ·sgemmKernelAVX2(SB), NOSPLIT, $0-116
	MOVQ k+0(FP), CX
	MOVQ a_base+8(FP), SI
	MOVQ aRow+32(FP), R8
	MOVQ aStep+40(FP), R11
	MOVQ b_base+48(FP), DI
	MOVQ bStep+72(FP), R12
	MOVQ c_base+80(FP), DX
	MOVQ ldc+104(FP), R13
	SHLQ $2, R8
	SHLQ $2, R11
	SHLQ $2, R12
	SHLQ $2, R13
	LEAQ (R8)(R8*2), R9
	LEAQ (R8)(R8*4), R10

	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	VXORPS Y11, Y11, Y11
	VXORPS Y12, Y12, Y12
	VXORPS Y13, Y13, Y13
	VXORPS Y14, Y14, Y14
	VXORPS Y15, Y15, Y15

	// Prefetch the C tile, which the stores below read.
	MOVQ       DX, AX
	PREFETCHT0 (AX)
	PREFETCHT0 60(AX)
	ADDQ       R13, AX
	PREFETCHT0 (AX)
	PREFETCHT0 60(AX)
	ADDQ       R13, AX
	PREFETCHT0 (AX)
	PREFETCHT0 60(AX)
	ADDQ       R13, AX
	PREFETCHT0 (AX)
	PREFETCHT0 60(AX)
	ADDQ       R13, AX
	PREFETCHT0 (AX)
	PREFETCHT0 60(AX)
	ADDQ       R13, AX
	PREFETCHT0 (AX)
	PREFETCHT0 60(AX)

	// Four k steps per iteration, then the remaining k%4.
	MOVQ  CX, BX
	SHRQ  $2, BX
	ANDQ  $3, CX
	TESTQ BX, BX
	JZ    tail

loop4:
	STEP
	STEP
	STEP
	STEP
	DECQ BX
	JNZ  loop4

tail:
	TESTQ CX, CX
	JZ    store

loop1:
	STEP
	DECQ CX
	JNZ  loop1

store:
	VBROADCASTSS alpha+112(FP), Y0
	STORE2(Y4, Y5)
	STORE2(Y6, Y7)
	STORE2(Y8, Y9)
	STORE2(Y10, Y11)
	STORE2(Y12, Y13)
	STORE2(Y14, Y15)
	VZEROUPPER
	RET

// func packBRows16AVX2(k int, src []float32, ld int, dst []float32, panels int)
// Copies row by row the k x 16*panels block at src into panels packed panels
// of k x 16; see packBRowsGeneric.
TEXT ·packBRows16AVX2(SB), NOSPLIT, $0-72
	MOVQ  k+0(FP), CX
	MOVQ  src_base+8(FP), SI
	MOVQ  ld+32(FP), R8
	MOVQ  dst_base+40(FP), DI
	MOVQ  panels+64(FP), R10
	SHLQ  $2, R8
	MOVQ  CX, R9
	SHLQ  $6, R9
	TESTQ CX, CX
	JZ    done
	TESTQ R10, R10
	JZ    done

row:
	MOVQ SI, AX
	MOVQ DI, DX
	MOVQ R10, BX

panel:
	VMOVUPS (AX), Y0
	VMOVUPS 32(AX), Y1
	VMOVUPS Y0, (DX)
	VMOVUPS Y1, 32(DX)
	ADDQ    $64, AX
	ADDQ    R9, DX
	DECQ    BX
	JNZ     panel
	ADDQ    R8, SI
	ADDQ    $64, DI
	DECQ    CX
	JNZ     row

done:
	VZEROUPPER
	RET
