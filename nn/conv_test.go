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

// naiveConv3d is Conv3d's formula written loop by loop, in float64.
func naiveConv3d(x, w, b *tensor.Tensor[float64], str, pad [3]int) *tensor.Tensor[float64] {
	n, cin, cout := x.Shape[0], x.Shape[1], w.Shape[0]
	var od [3]int
	for a := range 3 {
		od[a] = (x.Shape[2+a]+2*pad[a]-w.Shape[2+a])/str[a] + 1
	}
	out := tensor.Zeros[float64](n, cout, od[0], od[1], od[2])
	for i := range n * cout * od[0] * od[1] * od[2] {
		idx := unflatten(i, out.Shape)
		sum := 0.0
		if b != nil {
			sum = b.Data[idx[1]]
		}
		for ki := range cin * w.Shape[2] * w.Shape[3] * w.Shape[4] {
			k := unflatten(ki, []int{cin, w.Shape[2], w.Shape[3], w.Shape[4]})
			z := idx[2]*str[0] - pad[0] + k[1]
			y := idx[3]*str[1] - pad[1] + k[2]
			xx := idx[4]*str[2] - pad[2] + k[3]
			if z < 0 || y < 0 || xx < 0 || z >= x.Shape[2] || y >= x.Shape[3] ||
				xx >= x.Shape[4] {
				continue
			}
			sum += w.At(idx[1], k[0], k[1], k[2], k[3]) * x.At(idx[0], k[0], z, y, xx)
		}
		out.Data[i] = sum
	}
	return out
}

// naiveConvTranspose3d scatters every input element times the kernel, in float64.
func naiveConvTranspose3d(x, w, b *tensor.Tensor[float64], str,
	pad [3]int) *tensor.Tensor[float64] {
	n, cout := x.Shape[0], w.Shape[1]
	var od [3]int
	for a := range 3 {
		od[a] = (x.Shape[2+a]-1)*str[a] - 2*pad[a] + w.Shape[2+a]
	}
	out := tensor.Zeros[float64](n, cout, od[0], od[1], od[2])
	for i := range out.Data {
		if b != nil {
			out.Data[i] = b.Data[unflatten(i, out.Shape)[1]]
		}
	}
	for i, v := range x.Data {
		idx := unflatten(i, x.Shape)
		for ki := range cout * w.Shape[2] * w.Shape[3] * w.Shape[4] {
			k := unflatten(ki, []int{cout, w.Shape[2], w.Shape[3], w.Shape[4]})
			z := idx[2]*str[0] - pad[0] + k[1]
			y := idx[3]*str[1] - pad[1] + k[2]
			xx := idx[4]*str[2] - pad[2] + k[3]
			if z < 0 || y < 0 || xx < 0 || z >= od[0] || y >= od[1] || xx >= od[2] {
				continue
			}
			j := out.Offset(idx[0], k[0], z, y, xx)
			out.Data[j] += v * w.At(idx[1], k[0], k[1], k[2], k[3])
		}
	}
	return out
}

// unflatten returns the multi-index of flat index i in shape.
func unflatten(i int, shape []int) []int {
	idx := make([]int, len(shape))
	for a := len(shape) - 1; a >= 0; a-- {
		idx[a] = i % shape[a]
		i /= shape[a]
	}
	return idx
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

func TestConvMatchesNaive(t *testing.T) {
	cases := append(convCases, convCase{name: "tiles", n: 2, cin: 4, cout: 5,
		in: [3]int{15, 13, 7}, kernel: [3]int{3, 3, 3}, str: [3]int{1, 1, 1},
		pad: [3]int{1, 1, 1}, minTilesPerSample: 2})
	for i, c := range cases {
		x := autogradtest.Rand(uint64(10+i), c.n, c.cin, c.in[0], c.in[1], c.in[2])
		w := autogradtest.Rand(uint64(40+i), c.weightShape()...)
		b := autogradtest.Rand(uint64(70+i), max(c.cout, 1))
		tape := autograd.NewNoGradTape[float64]()
		got := apply(c, tape.Const(x), tape.Const(w), tape.Const(b)).Data
		if c.withoutB {
			b = nil
		}
		naive := naiveConv3d
		if c.transposed {
			naive = naiveConvTranspose3d
		}
		want := naive(x, w, b, c.str, c.pad)
		if !tensor.SameShape(got.Shape, want.Shape) {
			t.Fatalf("%s: shape %v, want %v", c.name, got.Shape, want.Shape)
		}
		if d := relMaxDiff(got.Data, want.Data); d > 1e-13 {
			t.Errorf("%s: forward differs from the naive loop by %.2e", c.name, d)
		}
		if c.minTilesPerSample > 0 {
			k := c.cin * 27
			tl := newTiling(c.n, c.in[0]*c.in[1], c.in[2], k)
			if tl.perSample < c.minTilesPerSample {
				t.Errorf("%s: %d tiles per sample, the case should make %d", c.name,
					tl.perSample, c.minTilesPerSample)
			}
		}
	}
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
