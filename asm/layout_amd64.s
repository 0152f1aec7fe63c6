//go:build amd64 && !purego

#include "textflag.h"

// TRANSPOSE8 transposes the 8x8 block whose rows are Y0-Y7 into Y8-Y15:
// Y(8+j) holds column j of the block (its lane r is lane j of row r). Y0-Y7
// are clobbered.
#define TRANSPOSE8 \
	VUNPCKLPS  Y1, Y0, Y8; \
	VUNPCKHPS  Y1, Y0, Y9; \
	VUNPCKLPS  Y3, Y2, Y10; \
	VUNPCKHPS  Y3, Y2, Y11; \
	VUNPCKLPS  Y5, Y4, Y12; \
	VUNPCKHPS  Y5, Y4, Y13; \
	VUNPCKLPS  Y7, Y6, Y14; \
	VUNPCKHPS  Y7, Y6, Y15; \
	VSHUFPS    $0x44, Y10, Y8, Y0; \
	VSHUFPS    $0xEE, Y10, Y8, Y1; \
	VSHUFPS    $0x44, Y11, Y9, Y2; \
	VSHUFPS    $0xEE, Y11, Y9, Y3; \
	VSHUFPS    $0x44, Y14, Y12, Y4; \
	VSHUFPS    $0xEE, Y14, Y12, Y5; \
	VSHUFPS    $0x44, Y15, Y13, Y6; \
	VSHUFPS    $0xEE, Y15, Y13, Y7; \
	VPERM2F128 $0x20, Y4, Y0, Y8; \
	VPERM2F128 $0x20, Y5, Y1, Y9; \
	VPERM2F128 $0x20, Y6, Y2, Y10; \
	VPERM2F128 $0x20, Y7, Y3, Y11; \
	VPERM2F128 $0x31, Y4, Y0, Y12; \
	VPERM2F128 $0x31, Y5, Y1, Y13; \
	VPERM2F128 $0x31, Y6, Y2, Y14; \
	VPERM2F128 $0x31, Y7, Y3, Y15

// LOAD8 loads eight rows of 8 floats: rows 0-3 at P, rows 4-7 at Q (= P + 4
// strides), stride S, S3 = 3*S.
#define LOAD8(P, Q, S, S3) \
	VMOVUPS (P), Y0; \
	VMOVUPS (P)(S*1), Y1; \
	VMOVUPS (P)(S*2), Y2; \
	VMOVUPS (P)(S3*1), Y3; \
	VMOVUPS (Q), Y4; \
	VMOVUPS (Q)(S*1), Y5; \
	VMOVUPS (Q)(S*2), Y6; \
	VMOVUPS (Q)(S3*1), Y7

// func toChannelsLast8AVX2(dst []float32, stride int, src []float32, ld, n8 int)
// Eight rows of src (stride ld) into channels 0-7 of dst (a voxel every stride floats),
// 8 voxels per iteration; see toChannelsLast8Generic.
TEXT ·toChannelsLast8AVX2(SB), NOSPLIT, $0-72
	MOVQ dst_base+0(FP), DI
	MOVQ stride+24(FP), R9
	MOVQ src_base+32(FP), SI
	MOVQ ld+56(FP), R8
	MOVQ n8+64(FP), CX
	SHLQ $2, R8
	SHLQ $2, R9
	SHRQ $3, CX
	LEAQ (R8)(R8*2), R10
	LEAQ (R9)(R9*2), R13
	LEAQ (SI)(R8*4), BX
	MOVQ R9, R14
	SHLQ $3, R14

loop:
	LOAD8(SI, BX, R8, R10)
	TRANSPOSE8
	LEAQ    (DI)(R9*4), DX
	VMOVUPS Y8, (DI)
	VMOVUPS Y9, (DI)(R9*1)
	VMOVUPS Y10, (DI)(R9*2)
	VMOVUPS Y11, (DI)(R13*1)
	VMOVUPS Y12, (DX)
	VMOVUPS Y13, (DX)(R9*1)
	VMOVUPS Y14, (DX)(R9*2)
	VMOVUPS Y15, (DX)(R13*1)
	ADDQ    $32, SI
	ADDQ    $32, BX
	ADDQ    R14, DI
	DECQ    CX
	JNZ     loop
	VZEROUPPER
	RET

// ADDROW adds bias[OFF/4] and the row Y to the 8 floats at ADDR.
#define ADDROW(Y, OFF, ADDR) \
	VBROADCASTSS OFF(AX), Y0; \
	VADDPS       Y0, Y, Y; \
	VADDPS       ADDR, Y, Y; \
	VMOVUPS      Y, ADDR

// func addFromChannelsLast8AVX2(dst []float32, ld int, src []float32, stride int,
//	bias []float32, n8 int)
// Channels 0-7 of the channels-last src (a voxel every stride floats) plus bias added to
// eight rows of dst (stride ld), 8 voxels per iteration; see
// addFromChannelsLast8Generic.
TEXT ·addFromChannelsLast8AVX2(SB), NOSPLIT, $0-96
	MOVQ dst_base+0(FP), DI
	MOVQ ld+24(FP), R8
	MOVQ src_base+32(FP), SI
	MOVQ stride+56(FP), R9
	MOVQ bias_base+64(FP), AX
	MOVQ n8+88(FP), CX
	SHLQ $2, R8
	SHLQ $2, R9
	SHRQ $3, CX
	LEAQ (R8)(R8*2), R10
	LEAQ (R9)(R9*2), R13
	LEAQ (DI)(R8*4), DX
	MOVQ R9, R14
	SHLQ $3, R14

addloop:
	LEAQ (SI)(R9*4), BX
	LOAD8(SI, BX, R9, R13)
	TRANSPOSE8
	ADDROW(Y8, 0, (DI))
	ADDROW(Y9, 4, (DI)(R8*1))
	ADDROW(Y10, 8, (DI)(R8*2))
	ADDROW(Y11, 12, (DI)(R10*1))
	ADDROW(Y12, 16, (DX))
	ADDROW(Y13, 20, (DX)(R8*1))
	ADDROW(Y14, 24, (DX)(R8*2))
	ADDROW(Y15, 28, (DX)(R10*1))
	ADDQ R14, SI
	ADDQ $32, DI
	ADDQ $32, DX
	DECQ CX
	JNZ  addloop
	VZEROUPPER
	RET
