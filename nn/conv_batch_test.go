package nn

import (
	"runtime"
	"testing"

	"github.com/urpc-go/urpc/tensor"
)

// batchCases are small gathered convolutions at batch 5, so that tiles of two samples
// leave a ragged last tile of one, and blocks of two source channels a ragged last
// block where the channel counts are odd.
var batchCases = []convCase{
	{name: "k3_s1_p1", n: 5, cin: 3, cout: 5, in: [3]int{4, 4, 4}, kernel: [3]int{3, 3, 3},
		str: [3]int{1, 1, 1}, pad: [3]int{1, 1, 1}},
	{name: "k3_s1_p1_2cube", n: 5, cin: 5, cout: 3, in: [3]int{2, 2, 2},
		kernel: [3]int{3, 3, 3}, str: [3]int{1, 1, 1}, pad: [3]int{1, 1, 1}},
	{name: "k3_s2_p1", n: 5, cin: 3, cout: 4, in: [3]int{5, 4, 3}, kernel: [3]int{3, 3, 3},
		str: [3]int{2, 2, 2}, pad: [3]int{1, 1, 1}},
	{name: "k312_s121_p100", n: 5, cin: 2, cout: 3, in: [3]int{3, 5, 4},
		kernel: [3]int{3, 1, 2}, str: [3]int{1, 2, 1}, pad: [3]int{1, 0, 0}},
}

// TestBatchedMatchesPerSample runs the three gathered products with tiles of whole
// samples and with the per-sample tiles, in float64 (to 1e-12) and float32 (to 1e-5),
// with bias, on three workers so that the weight product's per-worker partials are
// used whatever the machine.
func TestBatchedMatchesPerSample(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(3))
	for i, c := range batchCases {
		p := c.plan()
		d64 := batchedAndPerSample[float64](p, uint64(700+i))
		d32 := batchedAndPerSample[float32](p, uint64(700+i))
		for j, pass := range []string{"forward", "adjoint", "weight"} {
			if d64[j] > 1e-12 || d32[j] > 1e-5 {
				t.Errorf("%s %s: batched differs from per-sample by %.3g (float64), "+
					"%.3g (float32)", c.name, pass, d64[j], d32[j])
			}
		}
	}
}

// batchedAndPerSample returns the relative differences between tiles of two samples
// (blocks of two source channels) and per-sample tiles for the forward product, its
// adjoint and the weight gradient, on seeded data and accumulating onto it.
func batchedAndPerSample[T tensor.Float](p *convPlan, seed uint64) [3]float64 {
	rng := tensor.NewRNG(seed)
	xs, ys := p.cx*tensor.Numel(p.xDims[:]), p.cy*tensor.Numel(p.yDims[:])
	x := tensor.RandNormal[T](rng, 0, 1, p.batch*xs).Data
	y := tensor.RandNormal[T](rng, 0, 1, p.batch*ys).Data
	w := tensor.RandNormal[T](rng, 0, 1, p.cy*p.cx*p.taps).Data
	by := tensor.RandNormal[T](rng, 0, 1, p.cy).Data
	bx := tensor.RandNormal[T](rng, 0, 1, p.cx).Data
	st := sampleTiling{batch: p.batch, perTile: 2, items: (p.batch + 1) / 2, blockC: 2}
	var diffs [3]float64

	toY, toX := p.specToY(), p.specToX()
	batched, single := append([]T(nil), y...), append([]T(nil), y...)
	gatherBatched(batched, x, w, by, p.cy, toY, st)
	gatherPerSample(single, x, w, by, p.cy, toY, newTiling(p.batch, toY.rows(),
		toY.width(), toY.k))
	diffs[0] = relMaxDiff(batched, single)

	wAdjoint := adjointKernel(w, p.cy, p.cx, p.taps).Data
	batched, single = append([]T(nil), x...), append([]T(nil), x...)
	gatherBatched(batched, y, wAdjoint, bx, p.cx, toX, st)
	gatherPerSample(single, y, wAdjoint, bx, p.cx, toX, newTiling(p.batch, toX.rows(),
		toX.width(), toX.k))
	diffs[1] = relMaxDiff(batched, single)

	batched, single = append([]T(nil), w...), append([]T(nil), w...)
	weightBatched(batched, x, y, p.cy, toY, st)
	weightPerSample(single, x, y, p.cy, toY, newTiling(p.batch, toY.rows(), toY.width(),
		toY.k))
	diffs[2] = relMaxDiff(batched, single)
	return diffs
}

// TestSampleTiling checks when whole samples share a tile: small column spaces at a
// batch above one, not a direct (1x1x1) plan, not a large volume; with two cores, a
// batch that one tile would hold is split in two when each half keeps splitMinCols
// columns.
func TestSampleTiling(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	one, pad, k3 := [3]int{1, 1, 1}, [3]int{1, 1, 1}, [3]int{3, 3, 3}
	for _, tc := range []struct {
		batch, cin, size int
		kernel, pad      [3]int
		perTile          [2]int // on 1 and 2 cores; 0: per-sample tiles
	}{
		{4, 64, 4, k3, pad, [2]int{4, 2}},
		{9, 256, 2, k3, pad, [2]int{9, 9}},
		{20, 64, 4, k3, pad, [2]int{16, 10}},
		{4, 128, 6, k3, pad, [2]int{4, 2}},
		{4, 128, 8, k3, pad, [2]int{2, 2}},
		{4, 128, 9, k3, pad, [2]int{0, 0}},
		{1, 64, 4, k3, pad, [2]int{0, 0}},
		{4, 64, 16, k3, pad, [2]int{0, 0}},
		{4, 64, 4, one, [3]int{}, [2]int{0, 0}},
	} {
		for cores := 1; cores <= 2; cores++ {
			runtime.GOMAXPROCS(cores)
			dims := [3]int{tc.size, tc.size, tc.size}
			p := newConvPlan(tc.batch, tc.cin, 128, dims, dims, tc.kernel, one, tc.pad)
			g := p.specToY()
			st, ok := newSampleTiling(&g, tc.batch)
			want := tc.perTile[cores-1]
			if ok != (want > 0) || st.perTile != want {
				t.Errorf("%+v, %d cores: sample tiling %+v (%v), want %d samples per tile",
					tc, cores, st, ok, want)
			}
		}
	}
}
