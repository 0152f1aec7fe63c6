package nn

// A convolution links a large space X (the Conv3d input, the ConvTranspose3d output)
// with a small space Y (the Conv3d output, the ConvTranspose3d input): along one axis,
// tap t of column y reads x = y*s - p + t. Both directions of that link are gathers
// described by one tapMap per axis:
//
//   - toY: columns are Y indices, sources are X indices (im2col of x; forward of
//     Conv3d and its weight gradient);
//   - toX: columns are X indices, sources are Y indices y = (x + p - t) / s where that
//     division is exact (the adjoint; Conv3d's input gradient, ConvTranspose3d's forward).
//
// An entry of -1 means the tap reads zero padding (toY) or nothing (toX).

// tapMap lists, for one axis, the source index each kernel tap reads at each column.
type tapMap struct {
	taps, cols int
	src        []int32 // src[t*cols+i]: source index of tap t at column i, or -1

	// runLo and runHi bound, per tap, the valid columns when they form one run whose
	// sources are consecutive (unit[t]); the row is then a copy with zero edges.
	runLo, runHi []int
	unit         []bool
}

// newToYMap returns the map of an axis where column y (of cols) reads source
// y*stride - pad + t (of srcLen) for each of taps taps.
func newToYMap(taps, stride, pad, cols, srcLen int) tapMap {
	m := tapMap{taps: taps, cols: cols, src: make([]int32, taps*cols)}
	for t := range taps {
		for y := range cols {
			x := y*stride - pad + t
			if x < 0 || x >= srcLen {
				x = -1
			}
			m.src[t*cols+y] = int32(x)
		}
	}
	m.findRuns()
	return m
}

// newToXMap returns the adjoint of newToYMap: column x (of cols) reads source
// y = (x + pad - t) / stride (of srcLen) when the division is exact and y is in range.
func newToXMap(taps, stride, pad, cols, srcLen int) tapMap {
	m := tapMap{taps: taps, cols: cols, src: make([]int32, taps*cols)}
	for t := range taps {
		for x := range cols {
			q, y := x+pad-t, -1
			if q >= 0 && q%stride == 0 && q/stride < srcLen {
				y = q / stride
			}
			m.src[t*cols+x] = int32(y)
		}
	}
	m.findRuns()
	return m
}

// at returns the source index of tap t at column i, or -1.
func (m *tapMap) at(t, i int) int { return int(m.src[t*m.cols+i]) }

// findRuns fills runLo, runHi and unit.
func (m *tapMap) findRuns() {
	m.runLo, m.runHi = make([]int, m.taps), make([]int, m.taps)
	m.unit = make([]bool, m.taps)
	for t := range m.taps {
		row := m.src[t*m.cols : (t+1)*m.cols]
		lo, hi := 0, len(row)
		for lo < hi && row[lo] < 0 {
			lo++
		}
		for hi > lo && row[hi-1] < 0 {
			hi--
		}
		unit := true
		for i := lo + 1; i < hi; i++ {
			unit = unit && row[i] == row[i-1]+1
		}
		m.runLo[t], m.runHi[t], m.unit[t] = lo, hi, unit
	}
}

// isIdentity reports whether the map has one tap reading source i at column i.
func (m *tapMap) isIdentity(srcLen int) bool {
	return m.taps == 1 && m.cols == srcLen && m.unit[0] && m.runLo[0] == 0 &&
		m.runHi[0] == m.cols && m.src[0] == 0
}

// fillRow writes the W-axis gather of tap t from source row srcRow into row.
func fillRow[T ~float32 | ~float64](row, srcRow []T, m *tapMap, t int) {
	if m.unit[t] {
		lo, hi := m.runLo[t], m.runHi[t]
		clear(row[:lo])
		if hi > lo {
			copy(row[lo:hi], srcRow[m.src[t*m.cols+lo]:])
		}
		clear(row[hi:])
		return
	}
	src := m.src[t*m.cols : (t+1)*m.cols]
	for i, s := range src {
		if s >= 0 {
			row[i] = srcRow[s]
		} else {
			row[i] = 0
		}
	}
}
