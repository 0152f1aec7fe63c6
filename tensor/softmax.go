package tensor

import "math"

// axisLayout splits shape around axis into (outer, size, inner), so element
// (o, c, i) sits at (o*size + c)*inner + i.
func axisLayout(shape []int, axis int) (outer, size, inner int) {
	axis = NormAxis(axis, len(shape), shape)
	return Numel(shape[:axis]), shape[axis], Numel(shape[axis+1:])
}

// LogSoftmax returns log(softmax(t)) along axis, computed stably as
// x_c - max - log sum_j exp(x_j - max), so it never takes the log of an underflowed 0.
func LogSoftmax[T Float](t *Tensor[T], axis int) *Tensor[T] {
	outer, size, inner := axisLayout(t.Shape, axis)
	out := Zeros[T](t.Shape...)
	for o := range outer {
		for i := range inner {
			base := o*size*inner + i
			peak := math.Inf(-1)
			for c := range size {
				peak = max(peak, float64(t.Data[base+c*inner]))
			}
			total := 0.0
			for c := range size {
				total += math.Exp(float64(t.Data[base+c*inner]) - peak)
			}
			logTotal := peak + math.Log(total)
			for c := range size {
				out.Data[base+c*inner] = T(float64(t.Data[base+c*inner]) - logTotal)
			}
		}
	}
	return out
}

// Softmax returns exp(x_c) / sum_j exp(x_j) along axis.
func Softmax[T Float](t *Tensor[T], axis int) *Tensor[T] {
	return Exp(LogSoftmax(t, axis))
}

// SumAlongAxis returns, for every element, the sum of t over axis at its position:
// out[o, c, i] = sum_j t[o, j, i]. The result has t's shape.
func SumAlongAxis[T Float](t *Tensor[T], axis int) *Tensor[T] {
	return Expand(Sum(t, axis), t.Shape...)
}
