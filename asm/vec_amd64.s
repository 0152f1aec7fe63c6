//go:build amd64 && !purego

#include "textflag.h"

// Elementwise kernels. Each runs a loop over 32 floats (four YMM registers),
// then one over 8, then a scalar tail. AX is the element index, CX the count
// left. Multiplies and adds are separate (no FMA) so that the results are
// bit-identical to the Go twins.

// func axpyAVX2(alpha float32, x, y []float32)
TEXT ·axpyAVX2(SB), NOSPLIT, $0-56
	VBROADCASTSS alpha+0(FP), Y15
	MOVQ         x_base+8(FP), SI
	MOVQ         y_base+32(FP), DI
	MOVQ         y_len+40(FP), CX
	XORQ         AX, AX

loop32:
	CMPQ    CX, $32
	JLT     loop8
	VMULPS  (SI)(AX*4), Y15, Y0
	VMULPS  32(SI)(AX*4), Y15, Y1
	VMULPS  64(SI)(AX*4), Y15, Y2
	VMULPS  96(SI)(AX*4), Y15, Y3
	VADDPS  (DI)(AX*4), Y0, Y0
	VADDPS  32(DI)(AX*4), Y1, Y1
	VADDPS  64(DI)(AX*4), Y2, Y2
	VADDPS  96(DI)(AX*4), Y3, Y3
	VMOVUPS Y0, (DI)(AX*4)
	VMOVUPS Y1, 32(DI)(AX*4)
	VMOVUPS Y2, 64(DI)(AX*4)
	VMOVUPS Y3, 96(DI)(AX*4)
	ADDQ    $32, AX
	SUBQ    $32, CX
	JMP     loop32

loop8:
	CMPQ    CX, $8
	JLT     loop1
	VMULPS  (SI)(AX*4), Y15, Y0
	VADDPS  (DI)(AX*4), Y0, Y0
	VMOVUPS Y0, (DI)(AX*4)
	ADDQ    $8, AX
	SUBQ    $8, CX
	JMP     loop8

loop1:
	TESTQ  CX, CX
	JZ     done
	VMULSS (SI)(AX*4), X15, X0
	VADDSS (DI)(AX*4), X0, X0
	VMOVSS X0, (DI)(AX*4)
	INCQ   AX
	DECQ   CX
	JMP    loop1

done:
	VZEROUPPER
	RET

// func scaleAVX2(alpha float32, x []float32)
TEXT ·scaleAVX2(SB), NOSPLIT, $0-32
	VBROADCASTSS alpha+0(FP), Y15
	MOVQ         x_base+8(FP), DI
	MOVQ         x_len+16(FP), CX
	XORQ         AX, AX

loop32:
	CMPQ    CX, $32
	JLT     loop8
	VMULPS  (DI)(AX*4), Y15, Y0
	VMULPS  32(DI)(AX*4), Y15, Y1
	VMULPS  64(DI)(AX*4), Y15, Y2
	VMULPS  96(DI)(AX*4), Y15, Y3
	VMOVUPS Y0, (DI)(AX*4)
	VMOVUPS Y1, 32(DI)(AX*4)
	VMOVUPS Y2, 64(DI)(AX*4)
	VMOVUPS Y3, 96(DI)(AX*4)
	ADDQ    $32, AX
	SUBQ    $32, CX
	JMP     loop32

loop8:
	CMPQ    CX, $8
	JLT     loop1
	VMULPS  (DI)(AX*4), Y15, Y0
	VMOVUPS Y0, (DI)(AX*4)
	ADDQ    $8, AX
	SUBQ    $8, CX
	JMP     loop8

loop1:
	TESTQ  CX, CX
	JZ     done
	VMULSS (DI)(AX*4), X15, X0
	VMOVSS X0, (DI)(AX*4)
	INCQ   AX
	DECQ   CX
	JMP    loop1

done:
	VZEROUPPER
	RET

// Binary kernels dst[i] = x[i] OP y[i].

// func addAVX2(dst, x, y []float32)
TEXT ·addAVX2(SB), NOSPLIT, $0-72
	MOVQ dst_base+0(FP), DI
	MOVQ dst_len+8(FP), CX
	MOVQ x_base+24(FP), SI
	MOVQ y_base+48(FP), DX
	XORQ AX, AX
loop32:
	CMPQ CX, $32
	JLT  loop8
	VMOVUPS (SI)(AX*4), Y0
	VMOVUPS 32(SI)(AX*4), Y1
	VMOVUPS 64(SI)(AX*4), Y2
	VMOVUPS 96(SI)(AX*4), Y3
	VADDPS (DX)(AX*4), Y0, Y0
	VADDPS 32(DX)(AX*4), Y1, Y1
	VADDPS 64(DX)(AX*4), Y2, Y2
	VADDPS 96(DX)(AX*4), Y3, Y3
	VMOVUPS Y0, (DI)(AX*4)
	VMOVUPS Y1, 32(DI)(AX*4)
	VMOVUPS Y2, 64(DI)(AX*4)
	VMOVUPS Y3, 96(DI)(AX*4)
	ADDQ $32, AX
	SUBQ $32, CX
	JMP  loop32
loop8:
	CMPQ CX, $8
	JLT  loop1
	VMOVUPS (SI)(AX*4), Y0
	VADDPS (DX)(AX*4), Y0, Y0
	VMOVUPS Y0, (DI)(AX*4)
	ADDQ $8, AX
	SUBQ $8, CX
	JMP  loop8
loop1:
	TESTQ CX, CX
	JZ    done
	VMOVSS (SI)(AX*4), X0
	VADDSS (DX)(AX*4), X0, X0
	VMOVSS X0, (DI)(AX*4)
	INCQ AX
	DECQ CX
	JMP  loop1
done:
	VZEROUPPER
	RET

// func mulAVX2(dst, x, y []float32)
TEXT ·mulAVX2(SB), NOSPLIT, $0-72
	MOVQ dst_base+0(FP), DI
	MOVQ dst_len+8(FP), CX
	MOVQ x_base+24(FP), SI
	MOVQ y_base+48(FP), DX
	XORQ AX, AX
loop32:
	CMPQ CX, $32
	JLT  loop8
	VMOVUPS (SI)(AX*4), Y0
	VMOVUPS 32(SI)(AX*4), Y1
	VMOVUPS 64(SI)(AX*4), Y2
	VMOVUPS 96(SI)(AX*4), Y3
	VMULPS (DX)(AX*4), Y0, Y0
	VMULPS 32(DX)(AX*4), Y1, Y1
	VMULPS 64(DX)(AX*4), Y2, Y2
	VMULPS 96(DX)(AX*4), Y3, Y3
	VMOVUPS Y0, (DI)(AX*4)
	VMOVUPS Y1, 32(DI)(AX*4)
	VMOVUPS Y2, 64(DI)(AX*4)
	VMOVUPS Y3, 96(DI)(AX*4)
	ADDQ $32, AX
	SUBQ $32, CX
	JMP  loop32
loop8:
	CMPQ CX, $8
	JLT  loop1
	VMOVUPS (SI)(AX*4), Y0
	VMULPS (DX)(AX*4), Y0, Y0
	VMOVUPS Y0, (DI)(AX*4)
	ADDQ $8, AX
	SUBQ $8, CX
	JMP  loop8
loop1:
	TESTQ CX, CX
	JZ    done
	VMOVSS (SI)(AX*4), X0
	VMULSS (DX)(AX*4), X0, X0
	VMOVSS X0, (DI)(AX*4)
	INCQ AX
	DECQ CX
	JMP  loop1
done:
	VZEROUPPER
	RET

// func reluForwardAVX2(dst, x []float32)
// VMAXPS returns its second source (zero) when x is NaN, as the twin does.
TEXT ·reluForwardAVX2(SB), NOSPLIT, $0-48
	MOVQ   dst_base+0(FP), DI
	MOVQ   dst_len+8(FP), CX
	MOVQ   x_base+24(FP), SI
	XORQ   AX, AX
	VXORPS Y15, Y15, Y15

loop32:
	CMPQ    CX, $32
	JLT     loop8
	VMOVUPS (SI)(AX*4), Y0
	VMOVUPS 32(SI)(AX*4), Y1
	VMOVUPS 64(SI)(AX*4), Y2
	VMOVUPS 96(SI)(AX*4), Y3
	VMAXPS  Y15, Y0, Y0
	VMAXPS  Y15, Y1, Y1
	VMAXPS  Y15, Y2, Y2
	VMAXPS  Y15, Y3, Y3
	VMOVUPS Y0, (DI)(AX*4)
	VMOVUPS Y1, 32(DI)(AX*4)
	VMOVUPS Y2, 64(DI)(AX*4)
	VMOVUPS Y3, 96(DI)(AX*4)
	ADDQ    $32, AX
	SUBQ    $32, CX
	JMP     loop32

loop8:
	CMPQ    CX, $8
	JLT     loop1
	VMOVUPS (SI)(AX*4), Y0
	VMAXPS  Y15, Y0, Y0
	VMOVUPS Y0, (DI)(AX*4)
	ADDQ    $8, AX
	SUBQ    $8, CX
	JMP     loop8

loop1:
	TESTQ  CX, CX
	JZ     done
	VMOVSS (SI)(AX*4), X0
	VMAXSS X15, X0, X0
	VMOVSS X0, (DI)(AX*4)
	INCQ   AX
	DECQ   CX
	JMP    loop1

done:
	VZEROUPPER
	RET

// func reluBackwardAVX2(dst, gradOut, x []float32)
// The mask is 0 < x (ordered, so NaN gives 0), ANDed with gradOut.
TEXT ·reluBackwardAVX2(SB), NOSPLIT, $0-72
	MOVQ   dst_base+0(FP), DI
	MOVQ   dst_len+8(FP), CX
	MOVQ   gradOut_base+24(FP), SI
	MOVQ   x_base+48(FP), DX
	XORQ   AX, AX
	VXORPS Y15, Y15, Y15

loop32:
	CMPQ    CX, $32
	JLT     loop8
	VCMPPS  $0x11, (DX)(AX*4), Y15, Y0
	VCMPPS  $0x11, 32(DX)(AX*4), Y15, Y1
	VCMPPS  $0x11, 64(DX)(AX*4), Y15, Y2
	VCMPPS  $0x11, 96(DX)(AX*4), Y15, Y3
	VANDPS  (SI)(AX*4), Y0, Y0
	VANDPS  32(SI)(AX*4), Y1, Y1
	VANDPS  64(SI)(AX*4), Y2, Y2
	VANDPS  96(SI)(AX*4), Y3, Y3
	VMOVUPS Y0, (DI)(AX*4)
	VMOVUPS Y1, 32(DI)(AX*4)
	VMOVUPS Y2, 64(DI)(AX*4)
	VMOVUPS Y3, 96(DI)(AX*4)
	ADDQ    $32, AX
	SUBQ    $32, CX
	JMP     loop32

loop8:
	CMPQ    CX, $8
	JLT     loop1
	VCMPPS  $0x11, (DX)(AX*4), Y15, Y0
	VANDPS  (SI)(AX*4), Y0, Y0
	VMOVUPS Y0, (DI)(AX*4)
	ADDQ    $8, AX
	SUBQ    $8, CX
	JMP     loop8

loop1:
	TESTQ  CX, CX
	JZ     done
	VMOVSS (DX)(AX*4), X1
	VCMPSS $0x11, X1, X15, X0
	VMOVSS (SI)(AX*4), X1
	VANDPS X1, X0, X0
	VMOVSS X0, (DI)(AX*4)
	INCQ   AX
	DECQ   CX
	JMP    loop1

done:
	VZEROUPPER
	RET
