package window

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"testing"

	"github.com/urpc-go/urpc/tests/golden"
)

// slidingCase is one entry of sliding_window.json's scalars.cases.
type slidingCase struct {
	ImageShape   [3]int    `json:"image_shape"`
	Patch        [3]int    `json:"patch"`
	StrideXY     int       `json:"stride_xy"`
	StrideZ      int       `json:"stride_z"`
	PadLeftRight [3][2]int `json:"pad_left_right"`
	PaddedShape  [3]int    `json:"padded_shape"`
	Starts       [3][]int  `json:"starts_per_axis"`
	Count        [3][]int  `json:"count_per_axis"`
}

// TestGoldenSlidingWindow reproduces every stored quantity of sliding_window.json: the
// padding, the padded shape, the window starts and the per-axis coverage; it also checks
// that the weight sum of an actual run is the outer product of the per-axis coverages.
// The values are integers, so the comparison is exact (worst error 0).
func TestGoldenSlidingWindow(t *testing.T) {
	g, err := golden.Load("sliding_window.json")
	if err != nil {
		t.Fatal(err)
	}
	var scalars struct {
		Cases []slidingCase `json:"cases"`
	}
	if err := json.Unmarshal(g.RawScalars["cases"], &scalars.Cases); err != nil {
		t.Fatal(err)
	}
	if len(scalars.Cases) == 0 {
		t.Fatal("golden: sliding_window.json has no cases")
	}
	for i, c := range scalars.Cases {
		stride := [3]int{c.StrideXY, c.StrideXY, c.StrideZ}
		p := NewPlan(c.ImageShape, c.Patch, stride)
		for a := range 3 {
			if got := [2]int{p.PadBefore[a], p.PadAfter[a]}; got != c.PadLeftRight[a] {
				t.Errorf("case %d axis %d: padding %v, want %v", i, a, got, c.PadLeftRight[a])
			}
			if !slices.Equal(p.Starts[a], c.Starts[a]) {
				t.Errorf("case %d axis %d: starts %v, want %v", i, a, p.Starts[a], c.Starts[a])
			}
			if got := p.Coverage(a); !slices.Equal(got, c.Count[a]) {
				t.Errorf("case %d axis %d: coverage %v, want %v", i, a, got, c.Count[a])
			}
		}
		if p.Padded != c.PaddedShape {
			t.Errorf("case %d: padded shape %v, want %v", i, p.Padded, c.PaddedShape)
		}
		checkRunCounts(t, p, c)
		t.Logf("case %d: %v", i, p)
	}
	t.Logf("%s: %d cases checked, worst error 0",
		filepath.Join(golden.Dir(), "sliding_window.json"), len(scalars.Cases))
}

// checkRunCounts runs the accumulation with uniform weights and checks that every padded
// voxel's weight sum is count[0][d]*count[1][h]*count[2][w].
func checkRunCounts(t *testing.T, p Plan, c slidingCase) {
	t.Helper()
	padded := make([]float32, p.Padded[0]*p.Padded[1]*p.Padded[2])
	ones := func(batch []float32, n int, patch [3]int) ([]float32, error) {
		out := make([]float32, len(batch))
		for i := range out {
			out[i] = 1
		}
		return out, nil
	}
	opts := Options{Patch: p.Patch, Stride: p.Stride, BatchSize: 4}
	_, wsum, err := accumulate(padded, p, 1, opts, ones)
	if err != nil {
		t.Fatal(err)
	}
	bad := 0
	i := 0
	for _, cd := range c.Count[0] {
		for _, ch := range c.Count[1] {
			for _, cw := range c.Count[2] {
				if wsum[i] != float32(cd*ch*cw) {
					bad++
				}
				i++
			}
		}
	}
	if bad > 0 || i != len(wsum) {
		t.Errorf("shape %v: %d of %d voxels have a window count other than the golden "+
			"outer product", c.ImageShape, bad, len(wsum))
	}
}
