//go:build amd64 && !purego

#include "textflag.h"

// COPY6 copies one float from each of six rows, at R, R+R8, ... R+5*R8, to
// OFF(DI) ... OFF+20(DI). R9 = 3*R8, R10 = 5*R8.
#define COPY6(R, OFF) \
	MOVL (R), AX; \
	MOVL AX, OFF(DI); \
	MOVL (R)(R8*1), AX; \
	MOVL AX, OFF+4(DI); \
	MOVL (R)(R8*2), AX; \
	MOVL AX, OFF+8(DI); \
	MOVL (R)(R9*1), AX; \
	MOVL AX, OFF+12(DI); \
	MOVL (R)(R8*4), AX; \
	MOVL AX, OFF+16(DI); \
	MOVL (R)(R10*1), AX; \
	MOVL AX, OFF+20(DI)

// func packAAsm(mr, k int, src []float32, lda int, dst []float32)
// Transposes mr (6 or 12) rows of k floats into a packed panel; see
// packAGeneric.
TEXT ·packAAsm(SB), NOSPLIT, $0-72
	MOVQ  mr+0(FP), DX
	MOVQ  k+8(FP), CX
	MOVQ  src_base+16(FP), SI
	MOVQ  lda+40(FP), R8
	MOVQ  dst_base+48(FP), DI
	SHLQ  $2, R8
	LEAQ  (R8)(R8*2), R9
	LEAQ  (R8)(R8*4), R10
	LEAQ  (SI)(R9*2), BX
	TESTQ CX, CX
	JZ    done
	CMPQ  DX, $12
	JEQ   loop12

loop6:
	COPY6(SI, 0)
	ADDQ $4, SI
	ADDQ $24, DI
	DECQ CX
	JNZ  loop6
	RET

loop12:
	COPY6(SI, 0)
	COPY6(BX, 24)
	ADDQ $4, SI
	ADDQ $4, BX
	ADDQ $48, DI
	DECQ CX
	JNZ  loop12

done:
	RET
