package vk

import (
	"fmt"
	"math"
)

var (
	resampleKernel         = kernelSpec{name: "resample", bindings: 3, pushWords: 13}
	resampleBackwardKernel = kernelSpec{name: "resample_backward", bindings: 3, pushWords: 14}
)

// linearAxis is the 1-D linear interpolation map of one axis: output o reads inputs
// i0[o] (weight 1 - l[o]) and i1[o] (weight l[o]).
type linearAxis struct {
	i0, i1 []int
	l      []float32
}

// newLinearAxis maps out positions onto in with PyTorch's source coordinate:
// src = max((o + 0.5)*in/out - 0.5, 0) (alignCorners false) or o*(in-1)/(out-1).
func newLinearAxis(in, out int, alignCorners bool) linearAxis {
	a := linearAxis{i0: make([]int, out), i1: make([]int, out), l: make([]float32, out)}
	for o := range out {
		src := 0.0
		if !alignCorners {
			src = max((float64(o)+0.5)*float64(in)/float64(out)-0.5, 0)
		} else if out > 1 {
			src = float64(o) * float64(in-1) / float64(out-1)
		}
		lo := min(int(math.Floor(src)), in-1)
		a.i0[o], a.i1[o] = lo, min(lo+1, in-1)
		a.l[o] = float32(min(max(src-float64(lo), 0), 1))
	}
	return a
}

// forwardWords is the table of resample.comp: (i0, i1, l bits) per output.
func (a linearAxis) forwardWords() []uint32 {
	w := make([]uint32, 0, 3*len(a.l))
	for o := range a.l {
		w = append(w, uint32(a.i0[o]), uint32(a.i1[o]), math.Float32bits(a.l[o]))
	}
	return w
}

// backwardWords is the transposed table of resample_backward.comp in CSR form:
// starts[in + 1], then (o, weight bits) for each input in order.
func (a linearAxis) backwardWords(in int) []uint32 {
	rows := make([][]uint32, in)
	for o := range a.l {
		rows[a.i0[o]] = append(rows[a.i0[o]], uint32(o), math.Float32bits(1-a.l[o]))
		rows[a.i1[o]] = append(rows[a.i1[o]], uint32(o), math.Float32bits(a.l[o]))
	}
	starts, pairs := make([]uint32, 0, in+1), []uint32{}
	for _, r := range rows {
		starts = append(starts, uint32(len(pairs)/2))
		pairs = append(pairs, r...)
	}
	return append(append(starts, uint32(len(pairs)/2)), pairs...)
}

// tableKey names one set of resampling tables: the geometry and the direction.
type tableKey struct {
	in, out                [3]int
	alignCorners, backward bool
}

// resampleTable is an uploaded set of axis tables and each axis' word offset in it.
type resampleTable struct {
	buf     *Buffer
	offsets []uint32
}

// resampleTables returns the three axis tables (forward or transposed) of a geometry,
// built and uploaded at its first use and kept until Close (a training step reuses a
// handful of geometries; an upload waits for the recorded work).
func (d *Device) resampleTables(in, out [3]int, alignCorners, backward bool) (*Buffer,
	[]uint32) {
	key := tableKey{in, out, alignCorners, backward}
	d.tablesMu.Lock()
	defer d.tablesMu.Unlock()
	if t, ok := d.tables[key]; ok {
		return t.buf, t.offsets
	}
	var words, offsets []uint32
	for axis := range 3 {
		offsets = append(offsets, uint32(len(words)))
		a := newLinearAxis(in[axis], out[axis], alignCorners)
		if backward {
			words = append(words, a.backwardWords(in[axis])...)
		} else {
			words = append(words, a.forwardWords()...)
		}
	}
	table := d.NewBuffer(len(words))
	table.writeWords(words)
	if d.tables == nil {
		d.tables = map[tableKey]resampleTable{}
	}
	d.tables[key] = resampleTable{buf: table, offsets: offsets}
	return table, offsets
}

// releaseTables returns the cached resampling tables to the pool.
func (d *Device) releaseTables() {
	d.tablesMu.Lock()
	defer d.tablesMu.Unlock()
	for _, t := range d.tables {
		t.buf.Release()
	}
	d.tables = nil
}

// resampleGeometry checks x [N, C, D, H, W] against buffer lengths and returns the
// push constants NC, ID, IH, IW, OD, OH, OW.
func resampleGeometry(op string, shape []int, size [3]int, x, out *Buffer) []uint32 {
	nc, dd, h, w := volumeShape(op, shape, x)
	if min(size[0], size[1], size[2]) < 1 || out.n != nc*size[0]*size[1]*size[2] {
		panic(fmt.Sprintf("vk: %s of %v to size %v with a buffer of %d values", op, shape,
			size, out.n))
	}
	return []uint32{uint32(nc), uint32(dd), uint32(h), uint32(w), uint32(size[0]),
		uint32(size[1]), uint32(size[2])}
}

// UpsampleTrilinear resamples x [N, C, D, H, W] to out [N, C, size...] with trilinear
// interpolation (nn.UpsampleTrilinear, PyTorch's source coordinates).
func (d *Device) UpsampleTrilinear(out, x *Buffer, shape []int, size [3]int,
	alignCorners bool) {
	push := resampleGeometry("UpsampleTrilinear", shape, size, x, out)
	table, offsets := d.resampleTables([3]int(shape[2:]), size, alignCorners, false)
	d.record(&resampleKernel, d.grid1D(out.n), append(push, offsets...), whole(x),
		whole(out), whole(table))
}

// UpsampleTrilinearBackward writes (or with accumulate adds) into gx [N, C, D, H, W]
// the gradient of UpsampleTrilinear from g [N, C, size...], gathering per input voxel.
func (d *Device) UpsampleTrilinearBackward(gx, g *Buffer, shape []int, size [3]int,
	alignCorners, accumulate bool) {
	push := resampleGeometry("UpsampleTrilinearBackward", shape, size, gx, g)
	table, offsets := d.resampleTables([3]int(shape[2:]), size, alignCorners, true)
	push = append(append(push, offsets...), boolWord(accumulate))
	d.record(&resampleBackwardKernel, d.grid1D(gx.n), push, whole(g), whole(gx),
		whole(table))
}
