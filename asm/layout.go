package asm

// Conversions between c rows of n floats (row ch at a stride ld, as the channel
// planes of an [N, C, D, H, W] tensor) and the channels-last layout [n, c] that
// the convolution products use. Both run 8 rows at a time through an 8x8
// register transpose where AVX2 is available.

// zeroBias stands in for a nil bias in AddFromChannelsLast's 8-row kernel.
var zeroBias [8]float32

// ToChannelsLast writes c rows of n floats, row ch at src[ch*ld:], into dst
// channels-last, each position's c values starting stride floats after the
// previous position's (stride = c for a dense [n, c] block; more when the rows
// are some of the channels of a wider block, as the parts of a concatenation):
//
//	for ch < c, x < n: dst[x*stride+ch] = src[ch*ld+x]
//
// It panics if ld < n (with c > 1), stride < c (with n > 1) or a slice is too
// short; dst must not overlap src.
func ToChannelsLast(dst []float32, stride int, src []float32, ld, c, n int) {
	checkRows("ToChannelsLast", src, ld, c, n)
	checkChannelsLast("ToChannelsLast", dst, stride, c, n)
	n8, ch := 0, 0
	if useAVX2 {
		n8 = n &^ 7
		for ; ch+8 <= c && n8 > 0; ch += 8 {
			toChannelsLast8AVX2(dst[ch:], stride, src[ch*ld:], ld, n8)
		}
	}
	for r := range c {
		x0 := 0
		if r < ch {
			x0 = n8 // the 8-row kernel wrote the first n8 columns of this row
		}
		for x := x0; x < n; x++ {
			dst[x*stride+r] = src[r*ld+x]
		}
	}
}

// AddFromChannelsLast adds the channels-last src (position x's c values at
// src[x*stride:], stride >= c as in ToChannelsLast) and a bias per row to c rows
// of n floats, row ch at dst[ch*ld:] (the adjoint of ToChannelsLast, plus the
// bias; nil means none):
//
//	for ch < c, x < n: dst[ch*ld+x] += src[x*stride+ch] + bias[ch]
//
// It panics if ld < n (with c > 1), stride < c (with n > 1), a slice is too
// short, or bias is neither nil nor at least c long; dst must not overlap src.
func AddFromChannelsLast(dst []float32, ld int, src []float32, stride int, bias []float32,
	c, n int) {
	checkRows("AddFromChannelsLast", dst, ld, c, n)
	checkChannelsLast("AddFromChannelsLast", src, stride, c, n)
	if bias != nil && len(bias) < c {
		panic("asm: AddFromChannelsLast bias too short")
	}
	n8, ch := 0, 0
	if useAVX2 {
		n8 = n &^ 7
		for ; ch+8 <= c && n8 > 0; ch += 8 {
			b := zeroBias[:]
			if bias != nil {
				b = bias[ch : ch+8]
			}
			addFromChannelsLast8AVX2(dst[ch*ld:], ld, src[ch:], stride, b, n8)
		}
	}
	for r := range c {
		var b float32
		if bias != nil {
			b = bias[r]
		}
		x0 := 0
		if r < ch {
			x0 = n8
		}
		for x := x0; x < n; x++ {
			dst[r*ld+x] += src[x*stride+r] + b
		}
	}
}

// checkChannelsLast panics unless block holds n positions of c floats, each
// stride floats after the previous one.
func checkChannelsLast(name string, block []float32, stride, c, n int) {
	if n > 1 && stride < c {
		panic("asm: " + name + " channels-last stride below the channel count")
	}
	if c > 0 && n > 0 && (len(block) < c || n > 1 && stride > (len(block)-c)/(n-1)) {
		panic("asm: " + name + " channels-last block too short")
	}
}

// checkRows panics unless rows holds c rows of n floats at stride ld.
func checkRows(name string, rows []float32, ld, c, n int) {
	if c < 0 || n < 0 {
		panic("asm: " + name + " negative size")
	}
	if c > 1 && ld < n {
		panic("asm: " + name + " row stride below the row length")
	}
	if c > 0 && n > 0 && len(rows) < (c-1)*ld+n {
		panic("asm: " + name + " rows too short")
	}
}

// toChannelsLast8Generic is the loop of the 8-row kernel toChannelsLast8AVX2:
//
//	for r < 8, x < n8: dst[x*stride+r] = src[r*ld+x]
//
// n8 is a multiple of 8.
func toChannelsLast8Generic(dst []float32, stride int, src []float32, ld, n8 int) {
	for r := range 8 {
		for x, v := range src[r*ld : r*ld+n8] {
			dst[x*stride+r] = v
		}
	}
}

// addFromChannelsLast8Generic is the loop of the 8-row kernel
// addFromChannelsLast8AVX2:
//
//	for r < 8, x < n8: dst[r*ld+x] += src[x*stride+r] + bias[r]
//
// n8 is a multiple of 8.
func addFromChannelsLast8Generic(dst []float32, ld int, src []float32, stride int,
	bias []float32, n8 int) {
	for r := range 8 {
		row := dst[r*ld : r*ld+n8]
		for x := range row {
			row[x] += src[x*stride+r] + bias[r]
		}
	}
}
