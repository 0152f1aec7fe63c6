//go:build amd64 && !purego

#include "textflag.h"

// ROW multiplies the two B vectors Z0, Z1 by the A value at ADDR, broadcast
// into T, and adds the products into the accumulators LO, HI of one row.
#define ROW(ADDR, T, LO, HI) \
	VBROADCASTSS ADDR, T; \
	VFMADD231PS  Z0, T, LO; \
	VFMADD231PS  Z1, T, HI

// ROWS0, ROWS4 and ROWS8 do ROW for rows 0-3, 4-7 and 8-11 of A. SI points
// at row 0 of A, AX at row 6; R8 is the row stride, R9 = 3*R8, R10 = 5*R8.
#define ROWS0 \
	ROW((SI), Z2, Z4, Z5); \
	ROW((SI)(R8*1), Z3, Z6, Z7); \
	ROW((SI)(R8*2), Z2, Z8, Z9); \
	ROW((SI)(R9*1), Z3, Z10, Z11)

#define ROWS4 \
	ROW((SI)(R8*4), Z2, Z12, Z13); \
	ROW((SI)(R10*1), Z3, Z14, Z15); \
	ROW((AX), Z2, Z16, Z17); \
	ROW((AX)(R8*1), Z3, Z18, Z19)

#define ROWS8 \
	ROW((AX)(R8*2), Z2, Z20, Z21); \
	ROW((AX)(R9*1), Z3, Z22, Z23); \
	ROW((AX)(R8*4), Z2, Z24, Z25); \
	ROW((AX)(R10*1), Z3, Z26, Z27)

// LOADB loads the 32 floats of B at DI; NEXT moves SI, AX and DI to the
// next k step.
#define LOADB \
	VMOVUPS (DI), Z0; \
	VMOVUPS 64(DI), Z1

#define NEXT \
	ADDQ R11, SI; \
	ADDQ R11, AX; \
	ADDQ R12, DI

// STEP12, STEP8 and STEP4 do one k step for the first 12, 8 or 4 rows.
#define STEP12 LOADB; ROWS0; ROWS4; ROWS8; NEXT
#define STEP8 LOADB; ROWS0; ROWS4; NEXT
#define STEP4 LOADB; ROWS0; NEXT

// PREFETCH4 prefetches four rows of 128 bytes of C from BX on (three lines
// a row, for rows not 64-byte aligned) and moves BX past them.
#define PREFETCH1 \
	PREFETCHT0 (BX); \
	PREFETCHT0 64(BX); \
	PREFETCHT0 124(BX); \
	ADDQ       R13, BX

#define PREFETCH4 PREFETCH1; PREFETCH1; PREFETCH1; PREFETCH1

// STORE2 does C[row][0:32] += alpha*acc for the accumulators LO, HI at DX
// (alpha in Z31), then moves DX to the next row. STORE0, STORE4 and STORE8
// do it for rows 0-3, 4-7 and 8-11.
#define STORE2(LO, HI) \
	VFMADD213PS (DX), Z31, LO; \
	VFMADD213PS 64(DX), Z31, HI; \
	VMOVUPS     LO, (DX); \
	VMOVUPS     HI, 64(DX); \
	ADDQ        R13, DX

#define STORE0 STORE2(Z4, Z5); STORE2(Z6, Z7); STORE2(Z8, Z9); STORE2(Z10, Z11)
#define STORE4 STORE2(Z12, Z13); STORE2(Z14, Z15); STORE2(Z16, Z17); STORE2(Z18, Z19)
#define STORE8 STORE2(Z20, Z21); STORE2(Z22, Z23); STORE2(Z24, Z25); STORE2(Z26, Z27)

// SPLITK sets BX to k/4 (four steps per loop iteration) and CX to k%4.
#define SPLITK \
	MOVQ CX, BX; \
	SHRQ $2, BX; \
	ANDQ $3, CX

// func sgemmKernelAVX512(k int, a []float32, aRow, aStep int, b []float32, bStep int,
//	c []float32, ldc int, alpha float32, rows int)
// The 12x32 micro-kernel for the first rows (4, 8 or 12) rows of the tile,
// with up to 24 ZMM accumulators; see sgemmKernel12x32Generic for the loop.
TEXT ·sgemmKernelAVX512(SB), NOSPLIT, $0-128
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
	LEAQ (SI)(R9*2), AX

	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7
	VPXORD Z8, Z8, Z8
	VPXORD Z9, Z9, Z9
	VPXORD Z10, Z10, Z10
	VPXORD Z11, Z11, Z11
	VPXORD Z12, Z12, Z12
	VPXORD Z13, Z13, Z13
	VPXORD Z14, Z14, Z14
	VPXORD Z15, Z15, Z15
	VPXORD Z16, Z16, Z16
	VPXORD Z17, Z17, Z17
	VPXORD Z18, Z18, Z18
	VPXORD Z19, Z19, Z19
	VPXORD Z20, Z20, Z20
	VPXORD Z21, Z21, Z21
	VPXORD Z22, Z22, Z22
	VPXORD Z23, Z23, Z23
	VPXORD Z24, Z24, Z24
	VPXORD Z25, Z25, Z25
	VPXORD Z26, Z26, Z26
	VPXORD Z27, Z27, Z27
	VBROADCASTSS alpha+112(FP), Z31

	// Prefetch the first four rows of the C tile, which the stores read.
	MOVQ DX, BX
	PREFETCH4
	MOVQ rows+120(FP), BX
	CMPQ BX, $8
	JLT  rows4
	JEQ  rows8

	// rows == 12
	LEAQ (DX)(R13*4), BX
	PREFETCH4
	PREFETCH4
	SPLITK
	TESTQ BX, BX
	JZ    tail12

loop12:
	STEP12
	STEP12
	STEP12
	STEP12
	DECQ BX
	JNZ  loop12

tail12:
	TESTQ CX, CX
	JZ    store12

one12:
	STEP12
	DECQ CX
	JNZ  one12

store12:
	STORE0
	STORE4
	STORE8
	VZEROUPPER
	RET

rows8:
	LEAQ (DX)(R13*4), BX
	PREFETCH4
	SPLITK
	TESTQ BX, BX
	JZ    tail8

loop8:
	STEP8
	STEP8
	STEP8
	STEP8
	DECQ BX
	JNZ  loop8

tail8:
	TESTQ CX, CX
	JZ    store8

one8:
	STEP8
	DECQ CX
	JNZ  one8

store8:
	STORE0
	STORE4
	VZEROUPPER
	RET

rows4:
	SPLITK
	TESTQ BX, BX
	JZ    tail4

loop4:
	STEP4
	STEP4
	STEP4
	STEP4
	DECQ BX
	JNZ  loop4

tail4:
	TESTQ CX, CX
	JZ    store4

one4:
	STEP4
	DECQ CX
	JNZ  one4

store4:
	STORE0
	VZEROUPPER
	RET

// FMA16 adds the B vector Z0 times the A value at ADDR (an embedded
// broadcast) into the accumulator ACC of one row of the 16-wide kernel.
#define FMA16(ADDR, ACC) VFMADD231PS.BCST ADDR, Z0, ACC

// HALF0, HALF4 and HALF8 do FMA16 for rows 0-3, 4-7 and 8-11 of A into
// Z4-Z15, with the addressing of ROWS0, ROWS4 and ROWS8.
#define HALF0 \
	FMA16((SI), Z4); \
	FMA16((SI)(R8*1), Z5); \
	FMA16((SI)(R8*2), Z6); \
	FMA16((SI)(R9*1), Z7)

#define HALF4 \
	FMA16((SI)(R8*4), Z8); \
	FMA16((SI)(R10*1), Z9); \
	FMA16((AX), Z10); \
	FMA16((AX)(R8*1), Z11)

#define HALF8 \
	FMA16((AX)(R8*2), Z12); \
	FMA16((AX)(R9*1), Z13); \
	FMA16((AX)(R8*4), Z14); \
	FMA16((AX)(R10*1), Z15)

// HSTEP12, HSTEP8 and HSTEP4 do one k step of the 16-wide kernel for the
// first 12, 8 or 4 rows: the 16 floats of B at DI, then the rows.
#define HSTEP12 VMOVUPS (DI), Z0; HALF0; HALF4; HALF8; NEXT
#define HSTEP8 VMOVUPS (DI), Z0; HALF0; HALF4; NEXT
#define HSTEP4 VMOVUPS (DI), Z0; HALF0; NEXT

// HPREFETCH4 prefetches four rows of 64 bytes of C from BX on (two lines a
// row, for rows not 64-byte aligned) and moves BX past them.
#define HPREFETCH1 \
	PREFETCHT0 (BX); \
	PREFETCHT0 60(BX); \
	ADDQ       R13, BX

#define HPREFETCH4 HPREFETCH1; HPREFETCH1; HPREFETCH1; HPREFETCH1

// STORE1 does C[row][0:16] += alpha*acc for the accumulator ACC at DX (alpha
// in Z31), then moves DX to the next row. HSTORE0, HSTORE4 and HSTORE8 do it
// for rows 0-3, 4-7 and 8-11.
#define STORE1(ACC) \
	VFMADD213PS (DX), Z31, ACC; \
	VMOVUPS     ACC, (DX); \
	ADDQ        R13, DX

#define HSTORE0 STORE1(Z4); STORE1(Z5); STORE1(Z6); STORE1(Z7)
#define HSTORE4 STORE1(Z8); STORE1(Z9); STORE1(Z10); STORE1(Z11)
#define HSTORE8 STORE1(Z12); STORE1(Z13); STORE1(Z14); STORE1(Z15)

// func sgemmKernelAVX512x16(k int, a []float32, aRow, aStep int, b []float32, bStep int,
//	c []float32, ldc int, alpha float32, rows int)
// The 12x16 micro-kernel for the first rows (4, 8 or 12) rows of the tile,
// with up to 12 ZMM accumulators; see sgemmKernel12x16Generic for the loop.
TEXT ·sgemmKernelAVX512x16(SB), NOSPLIT, $0-128
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
	LEAQ (SI)(R9*2), AX

	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7
	VPXORD Z8, Z8, Z8
	VPXORD Z9, Z9, Z9
	VPXORD Z10, Z10, Z10
	VPXORD Z11, Z11, Z11
	VPXORD Z12, Z12, Z12
	VPXORD Z13, Z13, Z13
	VPXORD Z14, Z14, Z14
	VPXORD Z15, Z15, Z15
	VBROADCASTSS alpha+112(FP), Z31

	// Prefetch the first four rows of the C tile, which the stores read.
	MOVQ DX, BX
	HPREFETCH4
	MOVQ rows+120(FP), BX
	CMPQ BX, $8
	JLT  hrows4
	JEQ  hrows8

	// rows == 12
	LEAQ (DX)(R13*4), BX
	HPREFETCH4
	HPREFETCH4
	SPLITK
	TESTQ BX, BX
	JZ    htail12

hloop12:
	HSTEP12
	HSTEP12
	HSTEP12
	HSTEP12
	DECQ BX
	JNZ  hloop12

htail12:
	TESTQ CX, CX
	JZ    hstore12

hone12:
	HSTEP12
	DECQ CX
	JNZ  hone12

hstore12:
	HSTORE0
	HSTORE4
	HSTORE8
	VZEROUPPER
	RET

hrows8:
	LEAQ (DX)(R13*4), BX
	HPREFETCH4
	SPLITK
	TESTQ BX, BX
	JZ    htail8

hloop8:
	HSTEP8
	HSTEP8
	HSTEP8
	HSTEP8
	DECQ BX
	JNZ  hloop8

htail8:
	TESTQ CX, CX
	JZ    hstore8

hone8:
	HSTEP8
	DECQ CX
	JNZ  hone8

hstore8:
	HSTORE0
	HSTORE4
	VZEROUPPER
	RET

hrows4:
	SPLITK
	TESTQ BX, BX
	JZ    htail4

hloop4:
	HSTEP4
	HSTEP4
	HSTEP4
	HSTEP4
	DECQ BX
	JNZ  hloop4

htail4:
	TESTQ CX, CX
	JZ    hstore4

hone4:
	HSTEP4
	DECQ CX
	JNZ  hone4

hstore4:
	HSTORE0
	VZEROUPPER
	RET

// func packBRows32AVX512(k int, src []float32, ld int, dst []float32, panels int)
// Copies row by row the k x 32*panels block at src into panels packed panels
// of k x 32; see packBRowsGeneric.
TEXT ·packBRows32AVX512(SB), NOSPLIT, $0-72
	MOVQ  k+0(FP), CX
	MOVQ  src_base+8(FP), SI
	MOVQ  ld+32(FP), R8
	MOVQ  dst_base+40(FP), DI
	MOVQ  panels+64(FP), R10
	SHLQ  $2, R8
	MOVQ  CX, R9
	SHLQ  $7, R9
	TESTQ CX, CX
	JZ    done
	TESTQ R10, R10
	JZ    done

row:
	MOVQ SI, AX
	MOVQ DI, DX
	MOVQ R10, BX

panel:
	VMOVUPS (AX), Z0
	VMOVUPS 64(AX), Z1
	VMOVUPS Z0, (DX)
	VMOVUPS Z1, 64(DX)
	ADDQ    $128, AX
	ADDQ    R9, DX
	DECQ    BX
	JNZ     panel
	ADDQ    R8, SI
	ADDQ    $128, DI
	DECQ    CX
	JNZ     row

done:
	VZEROUPPER
	RET
