package tensor

import (
	"runtime"
	"sync"
)

// axisLayout splits shape around axis into (outer, size, inner), so element
// (o, c, i) sits at (o*size + c)*inner + i.
func axisLayout(shape []int, axis int) (outer, size, inner int) {
	axis = NormAxis(axis, len(shape), shape)
	return Numel(shape[:axis]), shape[axis], Numel(shape[axis+1:])
}

// softmaxBlock is the number of positions along the inner axes that the softmax
// kernels treat at once: their per-position sums fit stack buffers of this length.
const softmaxBlock = 512

// axisBlock is a block of up to softmaxBlock positions of an [outer, size, inner]
// layout: m positions from base, the row of class c starting at base + c*inner.
type axisBlock struct{ base, inner, m int }

// rowOf returns the row of class c of block b in data: m contiguous elements.
func rowOf[T Float](data []T, b axisBlock, c int) []T {
	start := b.base + c*b.inner
	return data[start : start+b.m]
}

// parallelAxisMin is the number of elements from which forEachAxisBlock spreads the
// blocks over the cores (the log-softmax of the heads' logits was the longest serial
// stretch of a 2-thread training step).
const parallelAxisMin = 1 << 16

// axisWorkers is the number of goroutines forEachAxisBlock uses for shape: up to
// GOMAXPROCS for layouts of at least parallelAxisMin elements, else 1.
func axisWorkers(shape []int) int {
	n := Numel(shape)
	if n < parallelAxisMin {
		return 1
	}
	return max(1, min(runtime.GOMAXPROCS(0), n/parallelAxisMin))
}

// forEachAxisBlock calls visit(worker, b) for every block of the [outer, size, inner]
// layout of shape around axis, worker < axisWorkers(shape): each worker takes a
// contiguous run of the blocks on its own goroutine, so a visit that writes only its
// block's elements gives the same result for any worker count.
func forEachAxisBlock(shape []int, axis int, visit func(worker int, b axisBlock)) {
	outer, size, inner := axisLayout(shape, axis)
	if size == 0 {
		return
	}
	perOuter := (inner + softmaxBlock - 1) / softmaxBlock
	blocks := outer * perOuter
	run := func(worker, from, to int) {
		for k := from; k < to; k++ {
			o, i0 := k/perOuter, k%perOuter*softmaxBlock
			visit(worker, axisBlock{base: o*size*inner + i0, inner: inner,
				m: min(softmaxBlock, inner-i0)})
		}
	}
	workers := min(axisWorkers(shape), blocks)
	if workers <= 1 {
		run(0, 0, blocks)
		return
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() { run(w, blocks*w/workers, blocks*(w+1)/workers) })
	}
	wg.Wait()
}

// LogSoftmax returns log(softmax(t)) along axis, computed stably as
// x_c - max - log sum_j exp(x_j - max), so it never takes the log of an underflowed 0.
// Float32 uses asm.Exp (2 ulp); the result is within a few 1e-7 of the float64 value.
func LogSoftmax[T Float](t *Tensor[T], axis int) *Tensor[T] {
	out := empty[T](t.Shape...)
	_, size, _ := axisLayout(t.Shape, axis)
	scratch := make([]struct{ peak, total, term [softmaxBlock]T }, axisWorkers(t.Shape))
	forEachAxisBlock(t.Shape, axis, func(w int, b axisBlock) {
		s := &scratch[w]
		peak, total, term := s.peak[:b.m], s.total[:b.m], s.term[:b.m]
		copy(peak, rowOf(t.Data, b, 0))
		for c := 1; c < size; c++ {
			maxInto(peak, rowOf(t.Data, b, c))
		}

		clear(total)
		for c := range size {
			arithVV(opSub, term, rowOf(t.Data, b, c), peak)
			expInto(term, term)
			arithVV(opAdd, total, total, term)
		}

		logInto(total, total)
		arithVV(opAdd, total, total, peak)
		for c := range size {
			arithVV(opSub, rowOf(out.Data, b, c), rowOf(t.Data, b, c), total)
		}
	})
	return out
}

// Softmax returns exp(x_c) / sum_j exp(x_j) along axis, computed as
// exp(x_c - max) / sum_j exp(x_j - max).
func Softmax[T Float](t *Tensor[T], axis int) *Tensor[T] {
	out := empty[T](t.Shape...)
	_, size, _ := axisLayout(t.Shape, axis)
	scratch := make([]struct{ peak, total [softmaxBlock]T }, axisWorkers(t.Shape))
	forEachAxisBlock(t.Shape, axis, func(w int, b axisBlock) {
		s := &scratch[w]
		peak, total := s.peak[:b.m], s.total[:b.m]
		copy(peak, rowOf(t.Data, b, 0))
		for c := 1; c < size; c++ {
			maxInto(peak, rowOf(t.Data, b, c))
		}

		clear(total)
		for c := range size {
			dst := rowOf(out.Data, b, c)
			arithVV(opSub, dst, rowOf(t.Data, b, c), peak)
			expInto(dst, dst)
			arithVV(opAdd, total, total, dst)
		}

		for c := range size {
			dst := rowOf(out.Data, b, c)
			arithVV(opDiv, dst, dst, total)
		}
	})
	return out
}

// LogSoftmaxBackward returns the gradient of a loss with respect to the input x of
// y = LogSoftmax(x, axis), given y and gradOut = dL/dy (same shape):
// dL/dx_c = g_c - exp(y_c) sum_j g_j.
func LogSoftmaxBackward[T Float](gradOut, y *Tensor[T], axis int) *Tensor[T] {
	MustSameShape("LogSoftmaxBackward", gradOut.Shape, y.Shape)
	grad := empty[T](y.Shape...)
	_, size, _ := axisLayout(y.Shape, axis)
	scratch := make([]struct{ total, prob [softmaxBlock]T }, axisWorkers(y.Shape))
	forEachAxisBlock(y.Shape, axis, func(w int, b axisBlock) {
		s := &scratch[w]
		total, prob := s.total[:b.m], s.prob[:b.m]
		clear(total)
		for c := range size {
			arithVV(opAdd, total, total, rowOf(gradOut.Data, b, c))
		}

		for c := range size {
			expInto(prob, rowOf(y.Data, b, c))
			arithVV(opMul, prob, prob, total)
			arithVV(opSub, rowOf(grad.Data, b, c), rowOf(gradOut.Data, b, c), prob)
		}
	})
	return grad
}

// SoftmaxBackward returns the gradient of a loss with respect to the input x of
// s = Softmax(x, axis), given s and gradOut = dL/ds (same shape):
// dL/dx_c = s_c (g_c - sum_j g_j s_j).
func SoftmaxBackward[T Float](gradOut, s *Tensor[T], axis int) *Tensor[T] {
	MustSameShape("SoftmaxBackward", gradOut.Shape, s.Shape)
	grad := empty[T](s.Shape...)
	_, size, _ := axisLayout(s.Shape, axis)
	scratch := make([]struct{ dot, term [softmaxBlock]T }, axisWorkers(s.Shape))
	forEachAxisBlock(s.Shape, axis, func(w int, b axisBlock) {
		sc := &scratch[w]
		dot, term := sc.dot[:b.m], sc.term[:b.m]
		clear(dot)
		for c := range size {
			arithVV(opMul, term, rowOf(gradOut.Data, b, c), rowOf(s.Data, b, c))
			arithVV(opAdd, dot, dot, term)
		}

		for c := range size {
			dst := rowOf(grad.Data, b, c)
			arithVV(opSub, dst, rowOf(gradOut.Data, b, c), dot)
			arithVV(opMul, dst, dst, rowOf(s.Data, b, c))
		}
	})
	return grad
}

// SumAlongAxis returns, for every element, the sum of t over axis at its position:
// out[o, c, i] = sum_j t[o, j, i]. The result has t's shape.
func SumAlongAxis[T Float](t *Tensor[T], axis int) *Tensor[T] {
	out := empty[T](t.Shape...)
	_, size, _ := axisLayout(t.Shape, axis)
	forEachAxisBlock(t.Shape, axis, func(_ int, b axisBlock) {
		first := rowOf(out.Data, b, 0)
		copy(first, rowOf(t.Data, b, 0))
		for c := 1; c < size; c++ {
			arithVV(opAdd, first, first, rowOf(t.Data, b, c))
		}
		for c := 1; c < size; c++ {
			copy(rowOf(out.Data, b, c), first)
		}
	})
	return out
}
