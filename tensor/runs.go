package tensor

// Elementwise walks over broadcast or strided operands visit the output in runs rather
// than element by element: a run is a stretch of consecutive output elements along
// which each operand advances by a fixed step. Before the walk, axes of size 1 are
// dropped and neighbouring axes merged wherever every operand allows, so a same-shape
// walk is a single run, a [1, C, 1, 1, 1] operand broadcast over [N, C, D, H, W] gives
// N*C runs of D*H*W elements with step 0, and a reduction of [N, C, D, H, W] over
// axis 1 gives N*C runs of D*H*W.

// collapsed is a walk with merged axes: dims are the sizes, a and b the strides of
// the two operands along them.
type collapsed struct {
	dims, a, b []int
}

// collapse merges the axes of a walk over shape whose operands have strides stridesA
// and stridesB: an axis of size 1 is dropped, and an axis joins the one before it when
// for both operands the outer stride equals the inner stride times the inner size.
func collapse(shape, stridesA, stridesB []int) collapsed {
	c := collapsed{make([]int, 0, len(shape)), make([]int, 0, len(shape)),
		make([]int, 0, len(shape))}
	for axis, size := range shape {
		if size == 1 {
			continue
		}
		sa, sb := stridesA[axis], stridesB[axis]
		last := len(c.dims) - 1
		if last >= 0 && c.a[last] == sa*size && c.b[last] == sb*size {
			c.dims[last] *= size
			c.a[last], c.b[last] = sa, sb
			continue
		}
		c.dims = append(c.dims, size)
		c.a, c.b = append(c.a, sa), append(c.b, sb)
	}
	return c
}

// forEachRun visits every element of shape in row-major order, one run at a time:
// visit(i, offA, offB, n, stepA, stepB) covers the output elements i ... i+n-1, which
// sit in operand A at offA, offA+stepA, ... and in operand B at offB, offB+stepB, ...
// The strides are those of each operand inside shape (0 along broadcast axes).
func forEachRun(shape, stridesA, stridesB []int,
	visit func(i, offA, offB, n, stepA, stepB int)) {
	total := Numel(shape)
	if total == 0 {
		return
	}
	c := collapse(shape, stridesA, stridesB)
	if len(c.dims) == 0 {
		visit(0, 0, 0, 1, 0, 0)
		return
	}

	inner := len(c.dims) - 1
	n, stepA, stepB := c.dims[inner], c.a[inner], c.b[inner]
	index := make([]int, inner)
	offA, offB := 0, 0
	for i := 0; i < total; i += n {
		visit(i, offA, offB, n, stepA, stepB)
		for axis := inner - 1; axis >= 0; axis-- {
			index[axis]++
			offA += c.a[axis]
			offB += c.b[axis]
			if index[axis] < c.dims[axis] {
				break
			}
			offA -= c.a[axis] * c.dims[axis]
			offB -= c.b[axis] * c.dims[axis]
			index[axis] = 0
		}
	}
}

// run returns the n elements of data from off with step (0: one broadcast element
// seen n times, returned as a one-element slice).
func run[T Float](data []T, off, n, step int) []T {
	if step == 0 {
		return data[off : off+1]
	}
	return data[off : off+(n-1)*step+1]
}
