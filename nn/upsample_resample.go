package nn

import (
	"github.com/urpc-go/urpc/autograd"
	"github.com/urpc-go/urpc/tensor"
)

// resample applies the 1-D maps of tables to the D, H and W axes of x [N, C, D, H, W]
// (W first, then H, then D) and records the transpose as backward (D, then H, then W).
func resample[T tensor.Float](x *autograd.Value[T], op string,
	tables [3]resampleTable[T]) *autograd.Value[T] {
	xs := x.Shape()
	nc := xs[0] * xs[1]
	out := [3]int{len(tables[0].i0), len(tables[1].i0), len(tables[2].i0)}

	alongW := make([]T, nc*xs[2]*xs[3]*out[2])
	resampleAxis(alongW, x.Data.Data, nc*xs[2]*xs[3], 1, &tables[2])
	alongH := make([]T, nc*xs[2]*out[1]*out[2])
	resampleAxis(alongH, alongW, nc*xs[2], out[2], &tables[1])
	result := tensor.Zeros[T](xs[0], xs[1], out[0], out[1], out[2])
	resampleAxis(result.Data, alongH, nc, out[1]*out[2], &tables[0])

	return x.Tape().Record(op, result, []*autograd.Value[T]{x}, func(g *tensor.Tensor[T]) {
		clear(alongH)
		resampleAxisAdjoint(alongH, g.Data, nc, out[1]*out[2], &tables[0])
		clear(alongW)
		resampleAxisAdjoint(alongW, alongH, nc*xs[2], out[2], &tables[1])
		resampleAxisAdjoint(gradBuffer(x), alongW, nc*xs[2]*xs[3], 1, &tables[2])
	})
}

// resampleAxis maps src [outer, in, inner] to dst [outer, out, inner] along the middle
// axis: dst[o, i, :] = (1 - l1[i]) src[o, i0[i], :] + l1[i] src[o, i1[i], :].
func resampleAxis[T tensor.Float](dst, src []T, outer, inner int, t *resampleTable[T]) {
	nOut := len(t.i0)
	nIn := len(src) / max(outer*inner, 1)
	resampleParallel(outer, len(dst), func(o0, o1 int) {
		for o := o0; o < o1; o++ {
			s := src[o*nIn*inner : (o+1)*nIn*inner]
			d := dst[o*nOut*inner : (o+1)*nOut*inner]
			for i, l1 := range t.l1 {
				row, r0 := d[i*inner:(i+1)*inner], s[t.i0[i]*inner:(t.i0[i]+1)*inner]
				if l1 == 0 {
					copy(row, r0)
					continue
				}
				r1, l0 := s[t.i1[i]*inner:(t.i1[i]+1)*inner], 1-l1
				for j := range row {
					row[j] = l0*r0[j] + l1*r1[j]
				}
			}
		}
	})
}

// resampleAxisAdjoint is the transpose of resampleAxis, accumulated: for g
// [outer, out, inner] and dst [outer, in, inner],
// dst[o, i0[i], :] += (1 - l1[i]) g[o, i, :] and dst[o, i1[i], :] += l1[i] g[o, i, :].
func resampleAxisAdjoint[T tensor.Float](dst, g []T, outer, inner int, t *resampleTable[T]) {
	nOut := len(t.i0)
	nIn := len(dst) / max(outer*inner, 1)
	resampleParallel(outer, len(g), func(o0, o1 int) {
		for o := o0; o < o1; o++ {
			d := dst[o*nIn*inner : (o+1)*nIn*inner]
			s := g[o*nOut*inner : (o+1)*nOut*inner]
			for i, l1 := range t.l1 {
				row, d0 := s[i*inner:(i+1)*inner], d[t.i0[i]*inner:(t.i0[i]+1)*inner]
				if l1 == 0 {
					for j, v := range row {
						d0[j] += v
					}
					continue
				}
				d1, l0 := d[t.i1[i]*inner:(t.i1[i]+1)*inner], 1-l1
				for j, v := range row {
					d0[j] += l0 * v
					d1[j] += l1 * v
				}
			}
		}
	})
}

// resampleParallel runs body on ranges of [0, outer) on the usable cores when the work
// (size elements written or read) is large enough to pay for the goroutines; ranges
// write disjoint slices.
func resampleParallel(outer, size int, body func(o0, o1 int)) {
	const minWork = 1 << 15
	workers := convWorkers(min(outer, size/minWork))
	if workers <= 1 {
		body(0, outer)
		return
	}
	chunks := min(outer, 4*workers)
	parallelItems(workers, chunks, func(_, i int) {
		body(i*outer/chunks, (i+1)*outer/chunks)
	})
}
