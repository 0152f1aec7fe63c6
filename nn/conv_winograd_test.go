package nn

import (
	"fmt"
	"math"
	"runtime"
	"testing"

	"github.com/urpc-go/urpc/autograd"
	"github.com/urpc-go/urpc/autograd/autogradtest"
	"github.com/urpc-go/urpc/tensor"
)

// winogradCases take the Winograd form: odd and even sizes (tiles past the volume),
// a single voxel, channel counts that are not multiples of 8, the transposed
// convolution, no bias, and, with the sizes of winogradOnSmallVolumes, slabs of several
// tile slices (w_odd) and slabs of several blocks (w_blocks, w4_blocks; see
// TestWinogradBlocks).
var winogradCases = []convCase{
	{name: "w_odd", n: 2, cin: 8, cout: 9, in: [3]int{5, 3, 7}, kernel: [3]int{3, 3, 3},
		str: [3]int{1, 1, 1}, pad: [3]int{1, 1, 1}},
	{name: "w_voxel", n: 1, cin: 9, cout: 8, in: [3]int{1, 1, 1}, kernel: [3]int{3, 3, 3},
		str: [3]int{1, 1, 1}, pad: [3]int{1, 1, 1}, withoutB: true},
	{name: "w_even", n: 3, cin: 12, cout: 10, in: [3]int{4, 2, 6}, kernel: [3]int{3, 3, 3},
		str: [3]int{1, 1, 1}, pad: [3]int{1, 1, 1}},
	{name: "w_blocks", n: 2, cin: 16, cout: 11, in: [3]int{6, 10, 16},
		kernel: [3]int{3, 3, 3}, str: [3]int{1, 1, 1}, pad: [3]int{1, 1, 1}},
	{name: "T_w", n: 2, cin: 10, cout: 8, in: [3]int{3, 4, 5}, kernel: [3]int{3, 3, 3},
		str: [3]int{1, 1, 1}, pad: [3]int{1, 1, 1}, transposed: true},
	{name: "w4", n: 2, cin: 9, cout: 16, in: [3]int{4, 8, 12}, kernel: [3]int{3, 3, 3},
		str: [3]int{1, 1, 1}, pad: [3]int{1, 1, 1}},
	{name: "w4_blocks", n: 2, cin: 16, cout: 8, in: [3]int{8, 8, 16},
		kernel: [3]int{3, 3, 3}, str: [3]int{1, 1, 1}, pad: [3]int{1, 1, 1}, withoutB: true},
}

// winogradCaseF4 reports whether case i takes F(4x4x4) under winogradOnSmallVolumes.
func winogradCaseF4(i int) bool { return i >= 5 }

// winogradOnSmallVolumes lets the Winograd form take volumes of any side (F(4x4x4)
// those whose sides are multiples of 4), in blocks of at most 1 << 13 transformed values,
// slabs whose padded copies hold at most 20000 values and kernel planes in chunks of 13
// columns, until the test ends.
func winogradOnSmallVolumes(t *testing.T) {
	side, useF4, side4 := winogradMinSide, winogradUseF4, winogradF4MinSide
	block, chunk, slab := winogradBlockElems, winogradColumnChunk, winogradSlabElems
	winogradMinSide, winogradUseF4, winogradF4MinSide = 1, true, 4
	winogradBlockElems, winogradColumnChunk, winogradSlabElems = 1<<13, 13, 20000
	t.Cleanup(func() {
		winogradMinSide, winogradUseF4, winogradF4MinSide = side, useF4, side4
		winogradBlockElems, winogradColumnChunk, winogradSlabElems = block, chunk, slab
	})
}

// TestWinogradMatchesNaive checks the Winograd form's output and its three gradients
// against the defining loops in float64, and float32 against float64 (to 1e-5 with
// F(2x2x2), 1e-4 with F(4x4x4)), with 1 and 2 workers.
func TestWinogradMatchesNaive(t *testing.T) {
	winogradOnSmallVolumes(t)
	for i, c := range winogradCases {
		if p := c.plan().winograd; p == nil || (p.f == winogradF4) != winogradCaseF4(i) {
			t.Fatalf("%s: the case does not take the expected Winograd form", c.name)
		}
		x := autogradtest.Rand(uint64(1000+i), c.n, c.cin, c.in[0], c.in[1], c.in[2])
		w := autogradtest.Rand(uint64(1040+i), c.weightShape()...)
		b := autogradtest.Rand(uint64(1070+i), c.cout)
		var bias *tensor.Tensor[float64]
		if !c.withoutB {
			bias = b
		}
		for _, threads := range []int{1, 2} {
			previous := runtime.GOMAXPROCS(threads)
			got64, got32 := convRun[float64](c, x, w, b), convRun[float32](c, x, w, b)
			runtime.GOMAXPROCS(previous)
			g := tensor.Zeros[float64](tensor.Numel(c.outShape()))
			for j := range g.Data {
				g.Data[j] = float64(j%7) - 3
			}
			want := naiveConvolution(c, x, w, bias, g.Reshape(c.outShape()...))
			for k, name := range []string{"output", "grad x", "grad weight", "grad bias"} {
				wantK := [4]*tensor.Tensor[float64]{want.out, want.gx, want.gw, want.gb}[k]
				if c.withoutB && k == 3 {
					continue
				}
				if d := relMaxDiff(got64[k], wantK.Data); !(d <= 1e-13) {
					t.Errorf("%s/threads=%d: float64 %s differs from the naive loop by %.2e",
						c.name, threads, name, d)
				}
				tolerance := 1e-5 // F(2x2x2); F(4x4x4) amplifies float32 rounding more
				if winogradCaseF4(i) {
					tolerance = 1e-4
				}
				if d := relMaxDiff(got32[k], got64[k]); !(d <= tolerance) {
					t.Errorf("%s/threads=%d: float32 %s differs from float64 by %.2e",
						c.name, threads, name, d)
				}
			}
		}
	}
}

// outShape is the case's output shape.
func (c convCase) outShape() []int {
	p := c.plan()
	dims, channels := p.yDims, c.cout
	if c.transposed {
		dims = p.xDims
	}
	return []int{c.n, channels, dims[0], dims[1], dims[2]}
}

// TestWinogradBlocks checks that the cases cover what TestWinogradMatchesNaive relies on
// them for: slabs of several tile slices (w_odd) and slabs of several blocks (w_blocks
// with F(2x2x2), w4_blocks with F(4x4x4)), so that two workers share a slab and the
// weight gradient adds partial sums from both.
func TestWinogradBlocks(t *testing.T) {
	winogradOnSmallVolumes(t)
	odd := winogradCases[0].plan().winograd
	if s := odd.slabs(max(odd.cx, odd.cy))[0]; s.t1-s.t0 < 2 {
		t.Errorf("w_odd: slab %v, want several tile slices", s)
	}
	for _, i := range []int{3, 6} {
		c := winogradCases[i]
		p := c.plan().winograd
		for _, channels := range []int{p.cx, max(p.cx, p.cy)} {
			for _, s := range p.slabs(channels) {
				r0, r1 := p.slabRows(s)
				if r1-r0 <= p.rowsPerBlock() {
					t.Fatalf("%s: slab %v has %d tile rows, %d per block: want several "+
						"blocks", c.name, s, r1-r0, p.rowsPerBlock())
				}
			}
		}
	}
}

// TestGradWinograd checks the Winograd form's gradients by finite differences.
func TestGradWinograd(t *testing.T) {
	winogradOnSmallVolumes(t)
	for i, c := range []convCase{winogradCases[0], winogradCases[4]} {
		c.n, c.in = 1, [3]int{3, 2, 3}
		if c.plan().winograd == nil {
			t.Fatalf("%s: the case does not take the Winograd form", c.name)
		}
		x := autogradtest.Rand(uint64(1100+i), c.n, c.cin, c.in[0], c.in[1], c.in[2])
		w := autogradtest.Rand(uint64(1110+i), c.weightShape()...)
		b := autogradtest.Rand(uint64(1120+i), c.cout)
		autogradtest.Check(t, fmt.Sprintf("winograd_%s", c.name), func(
			tape *autograd.Tape[float64], in []*autograd.Value[float64]) *autograd.Value[float64] {
			return apply(c, in[0], in[1], in[2])
		}, x, w, b)
	}
}

// TestWinogradMatrices checks that each transform computes the 3-tap correlation:
// A^T [(G g) . (B^T d)] = (sum_e g_e d_{x+e})_x on random g and d, in float64.
func TestWinogradMatrices(t *testing.T) {
	rng := tensor.NewRNG(4)
	for _, f := range []*winogradTransform{winogradF2, winogradF4} {
		g := tensor.RandNormal[float64](rng, 0, 1, 3).Data
		d := tensor.RandNormal[float64](rng, 0, 1, f.n).Data
		product := make([]float64, f.n)
		for k := range f.n {
			product[k] = dotRow(f.g[k], g, 1) * dotRow(f.bT[k], d, 1)
		}
		for x := range f.m {
			want := g[0]*d[x] + g[1]*d[x+1] + g[2]*d[x+2]
			if got := dotRow(f.aT[x], product, 1); math.Abs(got-want) > 1e-12 {
				t.Errorf("F(%d, 3): y[%d] = %v, want %v", f.m, x, got, want)
			}
		}
	}
}

// TestWinogradKernelTransforms checks the kernel transform against its definition and
// addWeightGradient against the adjoint identity <G w, du> = <w, G^T du>, for both
// transforms.
func TestWinogradKernelTransforms(t *testing.T) {
	winogradOnSmallVolumes(t)
	const cy, cx = 3, 2
	rng := tensor.NewRNG(5)
	w := tensor.RandNormal[float64](rng, 0, 1, cy*cx*27).Data
	for _, f := range []*winogradTransform{winogradF2, winogradF4} {
		n, comps := f.n, f.components()
		du := tensor.RandNormal[float64](rng, 0, 1, comps*cx*cy).Data
		for _, adjoint := range []bool{false, true} {
			u := winogradKernel(f, w, cy, cx, adjoint).Data
			for p := range comps {
				k, i, j := p/(n*n), p/n%n, p%n
				for o := range cy {
					for c := range cx {
						want := 0.0
						for tap := range 27 {
							a, b, e := tap/9, tap/3%3, tap%3
							src := tap
							if adjoint {
								src = 26 - tap
							}
							want += f.g[k][a] * f.g[i][b] * f.g[j][e] * w[(o*cx+c)*27+src]
						}
						at := (p*cx+c)*cy + o
						if adjoint {
							at = (p*cy+o)*cx + c
						}
						if d := u[at] - want; d > 1e-12 || d < -1e-12 {
							t.Fatalf("F(%d) adjoint %v: U[%d, %d, %d] = %g, want %g", f.m, adjoint,
								p, c, o, u[at], want)
						}
					}
				}
			}
		}

		u := winogradKernel(f, w, cy, cx, false).Data
		gw := make([]float64, len(w))
		addWeightGradient(f, gw, du, cy, cx)
		left, right := 0.0, 0.0
		for i := range u {
			left += u[i] * du[i]
		}
		for i := range w {
			right += w[i] * gw[i]
		}
		if d := left - right; d > 1e-10 || d < -1e-10 {
			t.Errorf("F(%d): <G w, du> = %g but <w, G^T du> = %g", f.m, left, right)
		}
	}
}

// TestPaddedChannelsLast checks the padded copy of every slab (3 tile slices each:
// slabs at the start, the middle and the end of a sample) written over the recycled
// buffer of NaNs it must take: every voxel in place, channels of both parts in order,
// and zeros on the whole border.
func TestPaddedChannelsLast(t *testing.T) {
	p := newWinogradPlan(2, 16, 16, [3]int{17, 30, 28}, [3]int{3, 3, 3}, [3]int{1, 1, 1},
		[3]int{1, 1, 1})
	hp, wp := p.padded[1], p.padded[2]
	m := p.f.m
	previous := winogradSlabElems
	winogradSlabElems = (3*m + 2) * hp * wp * 16
	defer func() { winogradSlabElems = previous }()

	volume := p.volume()
	a := tensor.RandNormal[float32](tensor.NewRNG(7), 0, 1, p.batch*10*volume)
	b := tensor.RandNormal[float32](tensor.NewRNG(8), 0, 1, p.batch*6*volume)
	parts := channelParts[float32]{data: [][]float32{a.Data, b.Data}, channels: []int{10, 6},
		volume: volume}
	slabs := p.slabs(16)
	if len(slabs) != p.batch*3 || slabs[1].t0 != 3 || slabs[2].t1 != p.tiles[0] {
		t.Fatalf("slabs %v, want 3 per sample of 3 tile slices", slabs)
	}
	for _, s := range slabs {
		slices := m*(s.t1-s.t0) + 2
		stale := tensor.Full(float32(math.NaN()), slices*hp*wp*16) // 256 KiB and more
		staleData := &stale.Data[0]
		tensor.Recycle(stale)
		padded := paddedChannelsLast(p, parts, s)
		if &padded.Data[0] != staleData {
			t.Fatalf("slab %v: the copy did not take the recycled buffer", s)
		}
		for k := range slices {
			for yp := range hp {
				for xp := range wp {
					z, y, x := m*s.t0+k-1, yp-1, xp-1
					inside := z >= 0 && z < p.dims[0] && y >= 0 && y < p.dims[1] && x >= 0 &&
						x < p.dims[2]
					for ch := range 16 {
						got := padded.Data[((k*hp+yp)*wp+xp)*16+ch]
						want := float32(0)
						if inside {
							voxel := (z*p.dims[1]+y)*p.dims[2] + x
							if ch < 10 {
								want = a.Data[(s.n*10+ch)*volume+voxel]
							} else {
								want = b.Data[(s.n*6+ch-10)*volume+voxel]
							}
						}
						if got != want {
							t.Fatalf("slab %v, slice %d, voxel (%d, %d), channel %d: %v, "+
								"want %v", s, k, yp, xp, ch, got, want)
						}
					}
				}
			}
		}
		tensor.Recycle(padded)
	}
}

// TestBalancedBlocks checks that the blocks cover the rows, respect the bound, and come
// in a multiple of the workers of sizes differing by at most one block's remainder.
func TestBalancedBlocks(t *testing.T) {
	previous := runtime.GOMAXPROCS(2)
	defer runtime.GOMAXPROCS(previous)
	for _, c := range []struct{ rows, maxPer, per, blocks int }{
		{64, 9, 8, 8}, {64, 64, 32, 2}, {5, 1, 1, 5}, {1, 4, 1, 1}, {30, 8, 8, 4},
		{31, 8, 8, 4}, {72, 1, 1, 72},
	} {
		per, blocks := balancedBlocks(c.rows, c.maxPer)
		if per != c.per || blocks != c.blocks || per > c.maxPer || per*blocks < c.rows ||
			per*(blocks-1) >= c.rows {
			t.Errorf("balancedBlocks(%d, %d) = %d, %d; want %d, %d", c.rows, c.maxPer, per,
				blocks, c.per, c.blocks)
		}
	}
}
