package nn

import (
	"github.com/urpc-go/urpc/autograd"
	"github.com/urpc-go/urpc/tensor"
)

// resample applies the 1-D maps of tables to the D, H and W axes of x [N, C, D, H, W]
// and records the transpose as backward. It works one output row (z, y) at a time:
// the input rows (d, h) that the D and H maps pick are blended into one input-width
// row, which the W map then resamples, so no intermediate volume is allocated. The
// (n, c) planes are spread over the cores.
func resample[T tensor.Float](x *autograd.Value[T], op string,
	tables [3]resampleTable[T]) *autograd.Value[T] {
	xs := x.Shape()
	in := [3]int{xs[2], xs[3], xs[4]}
	out := [3]int{len(tables[0].i0), len(tables[1].i0), len(tables[2].i0)}
	inVolume, outVolume := in[0]*in[1]*in[2], out[0]*out[1]*out[2]
	result := tensor.Uninitialized[T](xs[0], xs[1], out[0], out[1], out[2]) // all rows written

	blends := rowBlends(&tables, out[0], out[1])

	planes(xs[0]*xs[1], in[2], func(p int, row []T) {
		src := x.Data.Data[p*inVolume : (p+1)*inVolume]
		dst := result.Data[p*outVolume : (p+1)*outVolume]
		for r := range blends {
			blendRows(row, src, blends[r].terms[:blends[r].n], in)
			lerpRow(dst[r*out[2]:(r+1)*out[2]], row, &tables[2])
		}
	})

	inputs := []*autograd.Value[T]{x}
	return x.Tape().RecordOwnedUnread(op, result, inputs, func(g *tensor.Tensor[T]) {
		x.ReleaseAfterLastUse() // read for its shape only
		gx := x.GradBuffer().Data
		planes(xs[0]*xs[1], in[2], func(p int, row []T) {
			src := g.Data[p*outVolume : (p+1)*outVolume]
			dst := gx[p*inVolume : (p+1)*inVolume]
			for r := range blends {
				clear(row)
				lerpRowAdjoint(row, src[r*out[2]:(r+1)*out[2]], &tables[2])
				scatterRows(dst, row, blends[r].terms[:blends[r].n], in)
			}
		})
	})
}

// rowTerm is one input row (d, h) of a blend and its weight.
type rowTerm[T tensor.Float] struct {
	d, h   int
	weight T
}

// rowBlend is the blend of one output row (z, y): its first n terms.
type rowBlend[T tensor.Float] struct {
	terms [4]rowTerm[T]
	n     int
}

// rowBlends returns the blend of every output row (z, y), at index z*outH + y; they are
// the same for every (n, c) plane, so they are computed once per call.
func rowBlends[T tensor.Float](tables *[3]resampleTable[T], outD, outH int) []rowBlend[T] {
	blends := make([]rowBlend[T], outD*outH)
	for r := range blends {
		blends[r].n = rowTerms(tables, r/outH, r%outH, &blends[r].terms)
	}
	return blends
}

// rowTerms lists in terms the input rows that output row (z, y) blends, with weights
// (1 - l1) and l1 along D times those along H; a zero l1 contributes no second row.
func rowTerms[T tensor.Float](tables *[3]resampleTable[T], z, y int,
	terms *[4]rowTerm[T]) int {
	dIdx, dW, nd := axisTerms(&tables[0], z)
	hIdx, hW, nh := axisTerms(&tables[1], y)
	n := 0
	for a := range nd {
		for b := range nh {
			terms[n] = rowTerm[T]{d: dIdx[a], h: hIdx[b], weight: dW[a] * hW[b]}
			n++
		}
	}
	return n
}

// axisTerms returns the one or two source indices of output i along one axis and
// their weights.
func axisTerms[T tensor.Float](t *resampleTable[T], i int) ([2]int, [2]T, int) {
	if t.l1[i] == 0 {
		return [2]int{t.i0[i]}, [2]T{1}, 1
	}
	return [2]int{t.i0[i], t.i1[i]}, [2]T{1 - t.l1[i], t.l1[i]}, 2
}

// blendRows sets row = sum over terms of weight * src[d, h, :] for src [D, H, W].
func blendRows[T tensor.Float](row, src []T, terms []rowTerm[T], in [3]int) {
	for k, term := range terms {
		r := src[(term.d*in[1]+term.h)*in[2] : (term.d*in[1]+term.h+1)*in[2]]
		w := term.weight
		if k == 0 {
			for j, v := range r {
				row[j] = w * v
			}
			continue
		}
		for j, v := range r {
			row[j] += w * v
		}
	}
}

// scatterRows is the adjoint of blendRows: dst[d, h, :] += weight * row for each term.
func scatterRows[T tensor.Float](dst, row []T, terms []rowTerm[T], in [3]int) {
	for _, term := range terms {
		r := dst[(term.d*in[1]+term.h)*in[2] : (term.d*in[1]+term.h+1)*in[2]]
		w := term.weight
		for j, v := range row {
			r[j] += w * v
		}
	}
}

// lerpRow resamples one row along W: dst[i] = (1 - l1[i]) src[i0[i]] + l1[i] src[i1[i]],
// a copy of src[i0[i]] when l1[i] is 0.
func lerpRow[T tensor.Float](dst, src []T, t *resampleTable[T]) {
	for i, l1 := range t.l1[:len(dst)] {
		if l1 == 0 {
			dst[i] = src[t.i0[i]]
			continue
		}
		dst[i] = (1-l1)*src[t.i0[i]] + l1*src[t.i1[i]]
	}
}

// lerpRowAdjoint is the transpose of lerpRow, accumulated into dst:
// dst[i0[i]] += (1 - l1[i]) g[i] and dst[i1[i]] += l1[i] g[i].
func lerpRowAdjoint[T tensor.Float](dst, g []T, t *resampleTable[T]) {
	for i, l1 := range t.l1[:len(g)] {
		if l1 == 0 {
			dst[t.i0[i]] += g[i]
			continue
		}
		dst[t.i0[i]] += (1 - l1) * g[i]
		dst[t.i1[i]] += l1 * g[i]
	}
}

// planes runs body(p, row) for every plane p < count, spread over the usable cores;
// row is a scratch of rowLen elements owned by the calling goroutine.
func planes[T tensor.Float](count, rowLen int, body func(p int, row []T)) {
	workers := convWorkers(count)
	rows := make([][]T, workers)
	parallelItems(workers, count, func(w, p int) {
		if rows[w] == nil {
			rows[w] = make([]T, rowLen)
		}
		body(p, rows[w])
	})
}
