package asm

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// layoutBuffers returns c rows of n random floats at stride ld (the cells
// between rows hold sentinel) and a channels-last block of n positions of c
// floats at stride stride (all its cells random, those between positions too),
// each at offset off inside sentinel guards, with their buffers.
func layoutBuffers(r *rand.Rand, c, n, ld, stride, off int) (rows, rowsBuf, last,
	lastBuf []float32) {
	span := 0
	if c > 0 && n > 0 {
		span = (c-1)*ld + n
	}
	rows, rowsBuf = guarded(span, off)
	for ch := range c {
		if n > 0 {
			randVec(r, rows[ch*ld:ch*ld+n], 1)
		}
	}
	lastSpan := 0
	if c > 0 && n > 0 {
		lastSpan = (n-1)*stride + c
	}
	last, lastBuf = guarded(lastSpan, off)
	randVec(r, last, 1)
	return rows, rowsBuf, last, lastBuf
}

// sameBuffers fails the test unless got and want are bitwise equal cell by
// cell, guards and the cells between rows included.
func sameBuffers(t *testing.T, name string, got, want []float32) {
	t.Helper()
	for i := range want {
		if !sameBits(got[i], want[i]) {
			t.Fatalf("%s: cell %d = %v, want %v", name, i, got[i], want[i])
		}
	}
}

// TestChannelsLast checks ToChannelsLast and AddFromChannelsLast against their
// defining loops on every vector path: every channel count 0..19 (8-row groups
// and tails), row lengths 0..19 and two longer ones (not multiples of 8), row
// strides equal to and above the row length, channels-last strides equal to
// and above the channel count (some of the channels of a wider block), shifted
// starts, with and without a bias. The cells around the outputs, between rows
// and between the channels-last positions must not change.
func TestChannelsLast(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	lengths := []int{37, 64}
	for n := range 2*8 + 4 {
		lengths = append(lengths, n)
	}
	for _, p := range vecPaths() {
		setPath(t, p)
		for c := range 20 {
			for _, n := range lengths {
				ld, stride, off := n+5*r.IntN(3), c+r.IntN(2)*(1+r.IntN(9)), r.IntN(4)
				name := fmt.Sprintf("%s/c=%d/n=%d/ld=%d/stride=%d/off=%d", pathName(p), c, n,
					ld, stride, off)
				rows, rowsBuf, last, lastBuf := layoutBuffers(r, c, n, ld, stride, off)

				want := append([]float32(nil), lastBuf...)
				wantLast := want[guard+off : guard+off+len(last)]
				for ch := range c {
					for x := range n {
						wantLast[x*stride+ch] = rows[ch*ld+x]
					}
				}
				ToChannelsLast(last, stride, rows, ld, c, n)
				sameBuffers(t, "ToChannelsLast/"+name, lastBuf, want)

				randVec(r, last, 1)
				var bias []float32
				if r.IntN(2) == 0 {
					bias = make([]float32, c)
					randVec(r, bias, 1)
				}
				want = append(want[:0], rowsBuf...)
				wantRows := want[guard+off:]
				for ch := range c {
					var b float32
					if bias != nil {
						b = bias[ch]
					}
					for x := range n {
						wantRows[ch*ld+x] += last[x*stride+ch] + b
					}
				}
				AddFromChannelsLast(rows, ld, last, stride, bias, c, n)
				sameBuffers(t, "AddFromChannelsLast/"+name, rowsBuf, want)
			}
		}
	}
}

// TestChannelsLastKernels checks the 8-row AVX2 kernels against their Go
// twins directly, with more channels than eight a voxel, strides above the
// row length, channels-last strides above the channel count and shifted starts.
func TestChannelsLastKernels(t *testing.T) {
	if !haveAsm || !useAVX2Default {
		t.Skip("no AVX2 kernels in this build or on this CPU")
	}
	r := rand.New(rand.NewPCG(15, 16))
	for _, c := range []int{8, 11, 16, 24} {
		for _, n8 := range []int{8, 16, 40} {
			for _, ld := range []int{n8, n8 + 3} {
				off, stride := r.IntN(4), c+r.IntN(3)
				name := fmt.Sprintf("c=%d/n8=%d/ld=%d/stride=%d/off=%d", c, n8, ld, stride,
					off)
				rows, rowsBuf, last, lastBuf := layoutBuffers(r, c, n8, ld, stride, off)
				bias := make([]float32, 8)
				randVec(r, bias, 1)

				twin := append([]float32(nil), lastBuf...)
				toChannelsLast8Generic(twin[guard+off:], stride, rows, ld, n8)
				toChannelsLast8AVX2(last, stride, rows, ld, n8)
				sameBuffers(t, "toChannelsLast8/"+name, lastBuf, twin)

				twin = append(twin[:0], rowsBuf...)
				addFromChannelsLast8Generic(twin[guard+off:], ld, last, stride, bias, n8)
				addFromChannelsLast8AVX2(rows, ld, last, stride, bias, n8)
				sameBuffers(t, "addFromChannelsLast8/"+name, rowsBuf, twin)
			}
		}
	}
}

// TestChannelsLastMisuse checks that bad sizes panic with an "asm: " message.
func TestChannelsLastMisuse(t *testing.T) {
	rows, last := make([]float32, 40), make([]float32, 40)
	calls := map[string]func(){
		"negative":   func() { ToChannelsLast(last, 4, rows, 10, -1, 4) },
		"stride":     func() { ToChannelsLast(last, 4, rows, 3, 4, 4) },
		"rows short": func() { ToChannelsLast(last, 4, rows, 10, 4, 11) },
		"dst short":  func() { ToChannelsLast(last[:15], 4, rows, 10, 4, 4) },
		"dst stride": func() { ToChannelsLast(last, 3, rows, 10, 4, 4) },
		"wide short": func() { ToChannelsLast(last[:28], 9, rows, 10, 4, 4) },
		"src short":  func() { AddFromChannelsLast(rows, 10, last[:15], 4, nil, 4, 4) },
		"src stride": func() { AddFromChannelsLast(rows, 10, last, 2, nil, 4, 4) },
		"bias short": func() { AddFromChannelsLast(rows, 10, last, 4, make([]float32, 3), 4, 4) },
	}
	checkAsmPanics(t, calls)
}
