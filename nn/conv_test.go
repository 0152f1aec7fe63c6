package nn

import (
	"math"
	"strings"
	"testing"

	"github.com/urpc-go/urpc/autograd"
	"github.com/urpc-go/urpc/autograd/autogradtest"
	"github.com/urpc-go/urpc/tensor"
)

// convCase is one convolution geometry: input [N, Cin, D, H, W], weight
// [Cout, Cin, k...] (Conv3d) or [Cin, Cout, k...] (ConvTranspose3d).
type convCase struct {
	name                 string
	n, cin, cout         int
	in, kernel, str, pad [3]int
	transposed, withoutB bool
	minTilesPerSample    int
	shifted              bool // the forward product takes the shifted-window form
}

func (c convCase) weightShape() []int {
	if c.transposed {
		return []int{c.cin, c.cout, c.kernel[0], c.kernel[1], c.kernel[2]}
	}
	return []int{c.cout, c.cin, c.kernel[0], c.kernel[1], c.kernel[2]}
}

// apply runs the case's op on tape values.
func apply[T tensor.Float](c convCase, x, w, b *autograd.Value[T]) *autograd.Value[T] {
	if c.withoutB {
		b = nil
	}
	if c.transposed {
		return ConvTranspose3d(x, w, b, c.str, c.pad)
	}
	return Conv3d(x, w, b, c.str, c.pad)
}

// naiveConv holds a convolution's output and the gradients of L = sum(out * g).
type naiveConv struct{ out, gx, gw, gb *tensor.Tensor[float64] }

// naiveConvolution evaluates Conv3d (or ConvTranspose3d) and its gradients for the
// upstream gradient g (nil: forward only) by visiting every (input, weight, output)
// triple of the formula: Conv3d links x[n, c, z*s - p + a, ...] with out[n, o, z, ...]
// through w[o, c, a, ...]; ConvTranspose3d links x[n, c, z, ...] with
// out[n, o, z*s - p + a, ...] through w[c, o, a, ...].
func naiveConvolution(c convCase, x, w, b, g *tensor.Tensor[float64]) naiveConv {
	var od [3]int
	for a := range 3 {
		od[a] = (c.in[a]+2*c.pad[a]-c.kernel[a])/c.str[a] + 1
		if c.transposed {
			od[a] = (c.in[a]-1)*c.str[a] - 2*c.pad[a] + c.kernel[a]
		}
	}
	r := naiveConv{out: tensor.Zeros[float64](c.n, c.cout, od[0], od[1], od[2]),
		gx: tensor.Zeros[float64](x.Shape...), gw: tensor.Zeros[float64](w.Shape...),
		gb: tensor.Zeros[float64](c.cout)}
	small, big := r.out.Shape, x.Shape // conv: out is indexed by the strided position
	if c.transposed {
		small, big = x.Shape, r.out.Shape
	}
	taps := c.kernel[0] * c.kernel[1] * c.kernel[2]
	bigStrides, smallStrides := tensor.Strides(big), tensor.Strides(small)
	s, t, pos := make([]int, 5), make([]int, 3), make([]int, 5)
	for i := range tensor.Numel(small) {
		unflattenInto(s, i, small)
		for k := range big[1] * taps {
			unflattenInto(t, k%taps, c.kernel[:])
			pos[0], pos[1] = s[0], k/taps
			inside := true
			for a := range 3 {
				pos[2+a] = s[2+a]*c.str[a] - c.pad[a] + t[a]
				inside = inside && pos[2+a] >= 0 && pos[2+a] < big[2+a]
			}
			if !inside {
				continue
			}
			// The weight is [Cout, Cin, k] for Conv3d and [Cin, Cout, k] for the transpose:
			// in both, its first axis is the channel of the small side.
			wOff := (s[1]*big[1]+pos[1])*taps + k%taps
			xOff, oOff := dot(pos, bigStrides), dot(s, smallStrides)
			if c.transposed {
				xOff, oOff = oOff, xOff
			}
			r.out.Data[oOff] += w.Data[wOff] * x.Data[xOff]
			if g != nil {
				r.gx.Data[xOff] += w.Data[wOff] * g.Data[oOff]
				r.gw.Data[wOff] += x.Data[xOff] * g.Data[oOff]
			}
		}
	}
	per := r.out.Numel() / (c.n * c.cout)
	for i := range r.out.Data {
		ch := i / per % c.cout
		if b != nil {
			r.out.Data[i] += b.Data[ch]
			if g != nil {
				r.gb.Data[ch] += g.Data[i]
			}
		}
	}
	return r
}

// dot returns the flat offset sum_i index[i] * strides[i].
func dot(index, strides []int) int {
	off := 0
	for i := range index {
		off += index[i] * strides[i]
	}
	return off
}

// unflatten returns the multi-index of flat index i in shape.
func unflatten(i int, shape []int) []int {
	idx := make([]int, len(shape))
	unflattenInto(idx, i, shape)
	return idx
}

// unflattenInto writes the multi-index of flat index i in shape into idx.
func unflattenInto(idx []int, i int, shape []int) {
	for a := len(shape) - 1; a >= 0; a-- {
		idx[a] = i % shape[a]
		i /= shape[a]
	}
}

// relMaxDiff returns max|a - b| / max|b| (infinite when the lengths differ).
func relMaxDiff[A, B tensor.Float](a []A, b []B) float64 {
	worst, scale := 0.0, 1e-30
	for i := range b {
		worst = max(worst, math.Abs(float64(a[i])-float64(b[i])))
		scale = max(scale, math.Abs(float64(b[i])))
	}
	if len(a) != len(b) {
		return math.Inf(1)
	}
	return worst / scale
}

var convCases = []convCase{
	{name: "k3_s1_p1", n: 2, cin: 2, cout: 3, in: [3]int{5, 4, 3}, kernel: [3]int{3, 3, 3},
		str: [3]int{1, 1, 1}, pad: [3]int{1, 1, 1}},
	{name: "k3_s2_p1", n: 1, cin: 2, cout: 2, in: [3]int{5, 6, 7}, kernel: [3]int{3, 3, 3},
		str: [3]int{2, 2, 2}, pad: [3]int{1, 1, 1}},
	{name: "k321_s121_p100", n: 2, cin: 2, cout: 3, in: [3]int{4, 5, 3},
		kernel: [3]int{3, 2, 1}, str: [3]int{1, 2, 1}, pad: [3]int{1, 0, 0}},
	{name: "k1_direct", n: 2, cin: 3, cout: 2, in: [3]int{3, 4, 5}, kernel: [3]int{1, 1, 1},
		str: [3]int{1, 1, 1}, pad: [3]int{0, 0, 0}},
	{name: "k1_s2_nobias", n: 1, cin: 2, cout: 2, in: [3]int{5, 4, 5},
		kernel: [3]int{1, 1, 1}, str: [3]int{2, 2, 2}, withoutB: true},
	{name: "k233_s213_p021", n: 1, cin: 2, cout: 2, in: [3]int{5, 3, 7},
		kernel: [3]int{2, 3, 3}, str: [3]int{2, 1, 3}, pad: [3]int{0, 2, 1}},
	{name: "T_k2_s2", n: 2, cin: 3, cout: 2, in: [3]int{2, 3, 4}, kernel: [3]int{2, 2, 2},
		str: [3]int{2, 2, 2}, transposed: true},
	{name: "T_k3_s2_p1", n: 1, cin: 2, cout: 3, in: [3]int{3, 2, 3}, kernel: [3]int{3, 3, 3},
		str: [3]int{2, 2, 2}, pad: [3]int{1, 1, 1}, transposed: true},
	{name: "T_k312_s122_p100", n: 2, cin: 2, cout: 2, in: [3]int{3, 3, 2},
		kernel: [3]int{3, 1, 2}, str: [3]int{1, 2, 2}, pad: [3]int{1, 0, 0}, transposed: true},
	{name: "T_k3_s1_p1_nobias", n: 1, cin: 2, cout: 2, in: [3]int{3, 4, 3},
		kernel: [3]int{3, 3, 3}, str: [3]int{1, 1, 1}, pad: [3]int{1, 1, 1},
		transposed: true, withoutB: true},
}

// shiftCases are large enough in H and W, with enough channels, for the shifted form.
// shift_k3_p1_tall has more output rows per slice than one block of the products holds
// (forward, adjoint and weight gradient); shift_k313_p111 pads H by as much as its
// kernel, so it keeps the layout whose rows do not share padding, and its adjoint has
// no shifted plan.
var shiftCases = []convCase{
	{name: "shift_k3_p1", n: 1, cin: 16, cout: 17, in: [3]int{3, 16, 15},
		kernel: [3]int{3, 3, 3}, str: [3]int{1, 1, 1}, pad: [3]int{1, 1, 1}, shifted: true},
	{name: "shift_k3_p0", n: 1, cin: 16, cout: 16, in: [3]int{4, 18, 18},
		kernel: [3]int{3, 3, 3}, str: [3]int{1, 1, 1}, shifted: true},
	{name: "shift_k312_p101", n: 2, cin: 16, cout: 20, in: [3]int{3, 14, 13},
		kernel: [3]int{3, 1, 2}, str: [3]int{1, 1, 1}, pad: [3]int{1, 0, 1}, shifted: true},
	{name: "shift_k3_p1_tall", n: 1, cin: 16, cout: 32, in: [3]int{2, 40, 30},
		kernel: [3]int{3, 3, 3}, str: [3]int{1, 1, 1}, pad: [3]int{1, 1, 1}, shifted: true},
	{name: "shift_k313_p111", n: 1, cin: 16, cout: 16, in: [3]int{3, 14, 13},
		kernel: [3]int{3, 1, 3}, str: [3]int{1, 1, 1}, pad: [3]int{1, 1, 1}, shifted: true},
}

func TestConvMatchesNaive(t *testing.T) {
	cases := append(append(convCases, shiftCases...), convCase{name: "tiles", n: 2,
		cin: 4, cout: 5, in: [3]int{15, 13, 7}, kernel: [3]int{3, 3, 3},
		str: [3]int{1, 1, 1}, pad: [3]int{1, 1, 1}, minTilesPerSample: 2},
		convCase{name: "T_shift_k3_s1_p1", n: 1, cin: 16, cout: 17, in: [3]int{3, 14, 14},
			kernel: [3]int{3, 3, 3}, str: [3]int{1, 1, 1}, pad: [3]int{1, 1, 1},
			transposed: true, shifted: true})
	for i, c := range cases {
		x := autogradtest.Rand(uint64(10+i), c.n, c.cin, c.in[0], c.in[1], c.in[2])
		w := autogradtest.Rand(uint64(40+i), c.weightShape()...)
		b := autogradtest.Rand(uint64(70+i), c.cout)
		tape := autograd.NewTape[float64]()
		xv, wv, bv := tape.Leaf(x), tape.Leaf(w), tape.Leaf(b)
		out := apply(c, xv, wv, bv)
		g := autogradtest.Rand(uint64(90+i), out.Data.Shape...)
		tape.Backward(autograd.SumAll(autograd.Mul(out, tape.Const(g))))
		if c.withoutB {
			b = nil
		}
		want := naiveConvolution(c, x, w, b, g)
		if !tensor.SameShape(out.Data.Shape, want.out.Shape) {
			t.Fatalf("%s: shape %v, want %v", c.name, out.Data.Shape, want.out.Shape)
		}
		for name, pair := range map[string][2]*tensor.Tensor[float64]{
			"output": {out.Data, want.out}, "grad x": {xv.Grad, want.gx},
			"grad weight": {wv.Grad, want.gw}, "grad bias": {bv.GradOrZeros(), want.gb},
		} {
			if d := relMaxDiff(pair[0].Data, pair[1].Data); d > 1e-13 {
				t.Errorf("%s: %s differs from the naive loop by %.2e", c.name, name, d)
			}
		}
		if c.minTilesPerSample > 0 {
			tl := newTiling(c.n, c.in[0]*c.in[1], c.in[2], c.cin*27)
			if tl.perSample < c.minTilesPerSample {
				t.Errorf("%s: %d tiles per sample, the case should make %d", c.name,
					tl.perSample, c.minTilesPerSample)
			}
		}
		adjoint := c.shifted // the adjoint is shifted too unless a pad reaches its kernel
		for a := range 3 {
			adjoint = adjoint && c.pad[a] < c.kernel[a]
		}
		if p := c.plan(); (p.shiftY != nil) != c.shifted || (p.shiftX != nil) != adjoint {
			t.Errorf("%s: shifted forward %v, adjoint %v; want %v, %v", c.name,
				p.shiftY != nil, p.shiftX != nil, c.shifted, adjoint)
		}
	}
}

// plan returns the convPlan that Conv3d or ConvTranspose3d builds for the case.
func (c convCase) plan() *convPlan {
	var out [3]int
	for a := range 3 {
		out[a] = (c.in[a]+2*c.pad[a]-c.kernel[a])/c.str[a] + 1
		if c.transposed {
			out[a] = (c.in[a]-1)*c.str[a] - 2*c.pad[a] + c.kernel[a]
		}
	}
	if c.transposed {
		return newConvPlan(c.n, c.cout, c.cin, out, c.in, c.kernel, c.str, c.pad)
	}
	return newConvPlan(c.n, c.cin, c.cout, c.in, out, c.kernel, c.str, c.pad)
}

// TestShiftMatchesGather runs the shifted and the gathered forms of the same
// convolutions, in float64 and float32, with one and several depth slices per tile.
func TestShiftMatchesGather(t *testing.T) {
	for i, c := range shiftCases {
		p := c.plan()
		for _, per := range []int{1, 2, 0} {
			group := 1 + per%2*(c.kernel[2]-1) // kW taps per position, or 1
			for _, plan := range []*shiftPlan{p.shiftY, p.shiftX} {
				if plan != nil {
					plan.slicesPerTile = per
					plan.setGroup(group)
				}
			}
			d64 := shiftAndGather[float64](p, uint64(900+i))
			d32 := shiftAndGather[float32](p, uint64(900+i))
			for k, name := range []string{"forward", "adjoint", "weight"} {
				if d64[k] > 1e-13 || d32[k] > 1e-5 {
					t.Errorf("%s, %d slices per tile, group %d: %s differs by %.2e "+
						"(float64), %.2e (float32)", c.name, per, group, name, d64[k], d32[k])
				}
			}
		}
	}
}

// shiftAndGather returns the relative differences between the two forms for the
// forward product, its adjoint and the weight gradient, on seeded data.
func shiftAndGather[T tensor.Float](p *convPlan, seed uint64) [3]float64 {
	rng := tensor.NewRNG(seed)
	xs, ys := p.cx*tensor.Numel(p.xDims[:]), p.cy*tensor.Numel(p.yDims[:])
	x := tensor.RandNormal[T](rng, 0, 1, p.batch*xs).Data
	y := tensor.RandNormal[T](rng, 0, 1, p.batch*ys).Data
	w := tensor.RandNormal[T](rng, 0, 1, p.cy*p.cx*p.taps).Data
	var diffs [3]float64

	xVolume, yVolume := tensor.Numel(p.xDims[:]), tensor.Numel(p.yDims[:])
	shifted, gathered := make([]T, len(y)), make([]T, len(y))
	bias := tensor.RandNormal[T](rng, 0, 1, p.cy).Data
	shiftProduct(onePart(shifted, p.cy, yVolume), onePart(x, p.cx, xVolume),
		tapKernels(w, p.cy, p.cx, p.taps, false).Data, bias, p.shiftY, p.batch)
	gatherProduct(gathered, x, w, bias, p.cy, p.specToY(), p.batch)
	diffs[0] = relMaxDiff(shifted, gathered)

	if p.shiftX != nil {
		shifted, gathered = make([]T, len(x)), make([]T, len(x))
		shiftProduct(onePart(shifted, p.cx, xVolume), onePart(y, p.cy, yVolume),
			tapKernels(w, p.cy, p.cx, p.taps, true).Data, nil, p.shiftX, p.batch)
		gatherProduct(gathered, y, adjointKernel(w, p.cy, p.cx, p.taps).Data, nil, p.cx,
			p.specToX(), p.batch)
		diffs[1] = relMaxDiff(shifted, gathered)
	}

	taps, gathered := make([]T, len(w)), make([]T, len(w))
	shiftWeight(taps, onePart(x, p.cx, xVolume), y, p.shiftY, p.batch)
	shifted = make([]T, len(w))
	addTapGradients(shifted, taps, p.cy, p.cx, p.taps)
	weightProduct(gathered, x, y, p.cy, p.specToY(), p.batch)
	diffs[2] = relMaxDiff(shifted, gathered)
	return diffs
}

func TestGradConv(t *testing.T) {
	for i, c := range convCases {
		x := autogradtest.Rand(uint64(100+i), c.n, c.cin, c.in[0], c.in[1], c.in[2])
		w := autogradtest.Rand(uint64(130+i), c.weightShape()...)
		b := autogradtest.Rand(uint64(160+i), c.cout)
		op := "conv3d_" + c.name
		if c.transposed {
			op = "conv_transpose3d_" + strings.TrimPrefix(c.name, "T_")
		}
		autogradtest.Check(t, op, func(tape *autograd.Tape[float64],
			in []*autograd.Value[float64]) *autograd.Value[float64] {
			return apply(c, in[0], in[1], in[2])
		}, x, w, b)
	}
}

// TestGradConvReused uses the input and weight twice, so that the second backward adds
// into gradients the first already wrote.
func TestGradConvReused(t *testing.T) {
	c := convCases[0]
	x := autogradtest.Rand(200, c.n, c.cin, c.in[0], c.in[1], c.in[2])
	w := autogradtest.Rand(201, c.weightShape()...)
	b := autogradtest.Rand(202, c.cout)
	autogradtest.Check(t, "conv3d_reused", func(tape *autograd.Tape[float64],
		in []*autograd.Value[float64]) *autograd.Value[float64] {
		once := Conv3d(in[0], in[1], in[2], c.str, c.pad)
		twice := Conv3d(in[0], in[1], nil, c.str, c.pad)
		return autograd.Add(autograd.Mul(once, twice), Conv3d(in[0], in[1], in[2], c.str,
			c.pad))
	}, x, w, b)
}

func TestConvPanics(t *testing.T) {
	tape := autograd.NewNoGradTape[float64]()
	x := tape.Const(tensor.Zeros[float64](1, 2, 4, 4, 4))
	for name, f := range map[string]func(){
		"channels": func() {
			Conv3d(x, tape.Const(tensor.Zeros[float64](3, 5, 3, 3, 3)), nil,
				[3]int{1, 1, 1}, [3]int{1, 1, 1})
		},
		"bias": func() {
			Conv3d(x, tape.Const(tensor.Zeros[float64](3, 2, 3, 3, 3)),
				tape.Const(tensor.Zeros[float64](2)), [3]int{1, 1, 1}, [3]int{1, 1, 1})
		},
		"stride": func() {
			Conv3d(x, tape.Const(tensor.Zeros[float64](3, 2, 3, 3, 3)), nil,
				[3]int{0, 1, 1}, [3]int{1, 1, 1})
		},
		"kernel": func() {
			Conv3d(x, tape.Const(tensor.Zeros[float64](3, 2, 7, 3, 3)), nil,
				[3]int{1, 1, 1}, [3]int{1, 1, 1})
		},
		"transposed": func() {
			ConvTranspose3d(x, tape.Const(tensor.Zeros[float64](3, 2, 2,
				2, 2)), nil, [3]int{2, 2, 2}, [3]int{0, 0, 0})
		},
	} {
		func() {
			defer func() {
				msg, _ := recover().(string)
				if !strings.HasPrefix(msg, "nn: ") {
					t.Errorf("%s: panic %q, want a message starting with \"nn: \"", name, msg)
				}
			}()
			f()
		}()
	}
}

// TestConvFloat32MatchesFloat64 runs the float32 path (sgemm, channels-last and
// channels-first products, several tiles per sample, several workers) against the
// float64 path on the same values, forward and every gradient.
func TestConvFloat32MatchesFloat64(t *testing.T) {
	cases := []convCase{
		{name: "tiles_19to37", n: 2, cin: 19, cout: 37, in: [3]int{11, 10, 9},
			kernel: [3]int{3, 3, 3}, str: [3]int{1, 1, 1}, pad: [3]int{1, 1, 1},
			minTilesPerSample: 3},
		{name: "wide_9to70", n: 1, cin: 9, cout: 70, in: [3]int{6, 7, 5},
			kernel: [3]int{3, 3, 3}, str: [3]int{1, 1, 1}, pad: [3]int{1, 1, 1}},
		{name: "s2_5to7", n: 3, cin: 5, cout: 7, in: [3]int{7, 9, 8},
			kernel: [3]int{3, 3, 3}, str: [3]int{2, 2, 2}, pad: [3]int{1, 1, 1}},
		{name: "direct_17to33", n: 1, cin: 17, cout: 33, in: [3]int{6, 5, 7},
			kernel: [3]int{1, 1, 1}, str: [3]int{1, 1, 1}},
		{name: "k331_3to20", n: 2, cin: 3, cout: 20, in: [3]int{9, 7, 13},
			kernel: [3]int{3, 3, 1}, str: [3]int{1, 1, 1}, pad: [3]int{1, 1, 0}},
		{name: "T_k2_s2_20to9", n: 2, cin: 20, cout: 9, in: [3]int{5, 4, 3},
			kernel: [3]int{2, 2, 2}, str: [3]int{2, 2, 2}, transposed: true},
		{name: "shift_16to16", n: 2, cin: 16, cout: 16, in: [3]int{5, 24, 24},
			kernel: [3]int{3, 3, 3}, str: [3]int{1, 1, 1}, pad: [3]int{1, 1, 1},
			shifted: true},
		{name: "T_shift_s1_24to16", n: 1, cin: 24, cout: 16, in: [3]int{4, 20, 22},
			kernel: [3]int{3, 3, 3}, str: [3]int{1, 1, 1}, pad: [3]int{1, 1, 1},
			transposed: true},
	}
	for i, c := range cases {
		x := autogradtest.Rand(uint64(600+i), c.n, c.cin, c.in[0], c.in[1], c.in[2])
		w := autogradtest.Rand(uint64(700+i), c.weightShape()...)
		b := autogradtest.Rand(uint64(800+i), c.cout)
		got := convRun[float32](c, x, w, b)
		want := convRun[float64](c, x, w, b)
		for k, name := range []string{"output", "grad x", "grad weight", "grad bias"} {
			if d := relMaxDiff(got[k], want[k]); !(d <= 1e-4) {
				t.Errorf("%s: float32 %s differs from float64 by %.2e", c.name, name, d)
			}
		}
		if c.minTilesPerSample > 0 {
			tl := newTiling(c.n, c.in[0]*c.in[1], c.in[2], c.cin*27)
			if tl.perSample < c.minTilesPerSample {
				t.Errorf("%s: %d tiles per sample, want at least %d", c.name, tl.perSample,
					c.minTilesPerSample)
			}
		}
	}
}

// convRun converts the inputs to T, runs the case forward and backward with an upstream
// gradient of ones times a fixed pattern, and returns output, grad x, grad weight and
// grad bias as float64.
func convRun[T tensor.Float](c convCase, x, w, b *tensor.Tensor[float64]) [4][]float64 {
	tape := autograd.NewTape[T]()
	xv := tape.Leaf(tensor.Convert[T](x))
	wv := tape.Leaf(tensor.Convert[T](w))
	bv := tape.Leaf(tensor.Convert[T](b))
	out := apply(c, xv, wv, bv)
	g := tensor.Zeros[T](out.Data.Shape...)
	for i := range g.Data {
		g.Data[i] = T(i%7) - 3
	}
	tape.Backward(autograd.SumAll(autograd.Mul(out, tape.Const(g))))
	return [4][]float64{tensor.Convert[float64](out.Data).Data,
		tensor.Convert[float64](xv.Grad).Data, tensor.Convert[float64](wv.Grad).Data,
		tensor.Convert[float64](bv.GradOrZeros()).Data}
}
