package window

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// randomPlanInputs returns a shape, patch and stride; some axes are shorter than the
// patch, some strides equal the patch.
func randomPlanInputs(rng *rand.Rand) (shape, patch, stride [3]int) {
	for a := range 3 {
		shape[a] = 1 + rng.IntN(20)
		patch[a] = 1 + rng.IntN(9)
		stride[a] = 1 + rng.IntN(patch[a])
	}
	return shape, patch, stride
}

func TestPlanCoversEveryVoxel(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for range 500 {
		shape, patch, stride := randomPlanInputs(rng)
		p := NewPlan(shape, patch, stride)
		for a := range 3 {
			s := p.Starts[a]
			if s[0] != 0 || s[len(s)-1] != p.Padded[a]-patch[a] {
				t.Fatalf("%v axis %d: starts %v do not span the padded axis", p, a, s)
			}
			if p.Padded[a] != max(shape[a], patch[a]) {
				t.Fatalf("%v axis %d: padded to %d", p, a, p.Padded[a])
			}
			for i, c := range p.Coverage(a) {
				if c < 1 {
					t.Fatalf("%v axis %d: index %d is covered by no window", p, a, i)
				}
			}
		}
	}
}

// oracle computes the expected output of Predict when the predictor's class c at
// position (d, h, w) of a window is f(c, d, h, w): the weighted mean over the windows
// covering each voxel, by direct loops in float64.
func oracle(p Plan, numClasses int, gaussian bool, f func(c, d, h, w int) float64) []float64 {
	weights := patchWeights(p.Patch, gaussian)
	vol := p.Shape[0] * p.Shape[1] * p.Shape[2]
	num := make([]float64, numClasses*vol)
	den := make([]float64, vol)
	for k := range p.NumWindows() {
		s := p.Window(k)
		for d := range p.Patch[0] {
			for h := range p.Patch[1] {
				for w := range p.Patch[2] {
					z := s[0] + d - p.PadBefore[0]
					y := s[1] + h - p.PadBefore[1]
					x := s[2] + w - p.PadBefore[2]
					if z < 0 || y < 0 || x < 0 || z >= p.Shape[0] || y >= p.Shape[1] ||
						x >= p.Shape[2] {
						continue
					}
					v := (z*p.Shape[1]+y)*p.Shape[2] + x
					wt := float64(weights[(d*p.Patch[1]+h)*p.Patch[2]+w])
					den[v] += wt
					for c := range numClasses {
						num[c*vol+v] += wt * f(c, d, h, w)
					}
				}
			}
		}
	}
	for i := range num {
		num[i] /= den[i%vol]
	}
	return num
}

// positional returns a predictor whose class c at patch position (d, h, w) is
// f(c, d, h, w), counting its calls and windows in calls and windows.
func positional(numClasses int, f func(c, d, h, w int) float64,
	calls, windows *int) Predictor {
	return func(batch []float32, n int, patch [3]int) ([]float32, error) {
		*calls++
		*windows += n
		pv := patch[0] * patch[1] * patch[2]
		if len(batch) != n*pv {
			return nil, fmt.Errorf("batch has %d values for %d patches %v", len(batch), n, patch)
		}
		out := make([]float32, 0, n*numClasses*pv)
		for range n {
			for c := range numClasses {
				for d := range patch[0] {
					for h := range patch[1] {
						for w := range patch[2] {
							out = append(out, float32(f(c, d, h, w)))
						}
					}
				}
			}
		}
		return out, nil
	}
}

// TestAveragingMatchesOracle gives each window position-dependent values, so that
// every overlap averages different numbers, and compares with the direct loops, for
// uniform and Gaussian weights and several batch sizes.
func TestAveragingMatchesOracle(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	f := func(c, d, h, w int) float64 { return float64(c+1) * float64(1+d+3*h+7*w) }
	for trial := range 60 {
		shape, patch, stride := randomPlanInputs(rng)
		opts := Options{Patch: patch, Stride: stride, BatchSize: rng.IntN(5),
			Gaussian: trial%2 == 1}
		p := NewPlan(shape, patch, stride)
		calls, windows := 0, 0
		image := make([]float32, shape[0]*shape[1]*shape[2])
		got, err := Predict(image, shape, 2, opts, positional(2, f, &calls, &windows))
		if err != nil {
			t.Fatal(err)
		}
		want := oracle(p, 2, opts.Gaussian, f)
		for i := range want {
			if math.Abs(float64(got[i])-want[i]) > 1e-5*math.Max(1, math.Abs(want[i])) {
				t.Fatalf("%v %+v: voxel %d = %v, want %v", p, opts, i, got[i], want[i])
			}
		}
		bs := max(opts.BatchSize, 1)
		if windows != p.NumWindows() || calls != (p.NumWindows()+bs-1)/bs {
			t.Errorf("%v batch %d: %d calls with %d windows", p, bs, calls, windows)
		}
	}
}

// TestConstantPredictor checks that constant probabilities come back unchanged, with
// and without Gaussian weights and padding.
func TestConstantPredictor(t *testing.T) {
	constant := func(batch []float32, n int, patch [3]int) ([]float32, error) {
		pv := patch[0] * patch[1] * patch[2]
		out := make([]float32, 3*n*pv)
		for i := range out {
			out[i] = []float32{0.2, 0.5, 0.3}[i/pv%3]
		}
		return out, nil
	}
	shape := [3]int{7, 20, 13}
	for _, gaussian := range []bool{false, true} {
		opts := Options{Patch: [3]int{10, 8, 6}, Stride: [3]int{4, 5, 3}, BatchSize: 3,
			Gaussian: gaussian}
		probs, err := Predict(make([]float32, 7*20*13), shape, 3, opts, constant)
		if err != nil {
			t.Fatal(err)
		}
		vol := 7 * 20 * 13
		for i, v := range probs {
			want := []float32{0.2, 0.5, 0.3}[i/vol]
			if math.Abs(float64(v-want)) > 1e-6 {
				t.Fatalf("gaussian %v: probs[%d] = %v, want %v", gaussian, i, v, want)
			}
		}
		for i, l := range Argmax(probs, 3, shape) {
			if l != 1 {
				t.Fatalf("label %d = %d, want 1", i, l)
			}
		}
	}
}

// TestPatchesCarryTheImage has the predictor echo its input, so the result must be the
// image itself: windows are cut from and put back at the same place, and the zero
// padding of short axes is cropped away.
func TestPatchesCarryTheImage(t *testing.T) {
	echo := func(batch []float32, n int, patch [3]int) ([]float32, error) {
		return append([]float32{}, batch...), nil
	}
	shape := [3]int{5, 17, 9}
	image := make([]float32, 5*17*9)
	for i := range image {
		image[i] = float32(i + 1)
	}
	opts := Options{Patch: [3]int{8, 6, 9}, Stride: [3]int{3, 4, 2}, BatchSize: 2}
	for _, gaussian := range []bool{false, true} {
		opts.Gaussian = gaussian
		got, err := Predict(image, shape, 1, opts, echo)
		if err != nil {
			t.Fatal(err)
		}
		for i := range image {
			if math.Abs(float64(got[i]-image[i])) > 1e-6*float64(image[i]) {
				t.Fatalf("gaussian %v: voxel %d = %v, want %v", gaussian, i, got[i], image[i])
			}
		}
	}
}

func TestPredictorErrors(t *testing.T) {
	shape := [3]int{4, 4, 4}
	opts := Options{Patch: [3]int{2, 2, 2}, Stride: [3]int{2, 2, 2}, BatchSize: 3}
	boom := errors.New("boom")
	failing := func([]float32, int, [3]int) ([]float32, error) { return nil, boom }
	if _, err := Predict(make([]float32, 64), shape, 2, opts, failing); !errors.Is(err, boom) {
		t.Errorf("error %v does not wrap the predictor's error", err)
	}
	short := func(b []float32, n int, _ [3]int) ([]float32, error) { return b, nil }
	_, err := Predict(make([]float32, 64), shape, 2, opts, short)
	if err == nil || !strings.HasPrefix(err.Error(), "window: predictor returned") {
		t.Errorf("short result: error %v", err)
	}
}

func TestArgmaxTiesGoToLowestClass(t *testing.T) {
	// Two voxels, three classes: [C, 1, 1, 2].
	probs := []float32{0.4, 0.1, 0.4, 0.7, 0.2, 0.2}
	got := Argmax(probs, 3, [3]int{1, 1, 2})
	if got[0] != 0 || got[1] != 1 {
		t.Errorf("Argmax = %v, want [0 1]", got)
	}
}

func TestGaussianWeights(t *testing.T) {
	w := patchWeights([3]int{5, 8, 1}, true)
	peak, low := float32(0), float32(1)
	for _, v := range w {
		peak, low = max(peak, v), min(low, v)
	}
	if math.Abs(float64(peak-1)) > 1e-6 || !(low > 0) {
		t.Errorf("weights range [%v, %v], want (0, 1] with maximum 1", low, peak)
	}
	// Symmetric about the centre along H (8 voxels).
	for h := range 4 {
		if a, b := w[2*8+h], w[2*8+7-h]; a != b {
			t.Errorf("weights at h=%d and h=%d differ: %v, %v", h, 7-h, a, b)
		}
	}
}

func TestMisusePanics(t *testing.T) {
	nop := func([]float32, int, [3]int) ([]float32, error) { return nil, nil }
	ok := Options{Patch: [3]int{2, 2, 2}, Stride: [3]int{1, 1, 1}}
	cases := map[string]func(){
		"zero stride": func() { NewPlan([3]int{4, 4, 4}, [3]int{2, 2, 2}, [3]int{1, 0, 1}) },
		"image length": func() {
			_, _ = Predict(make([]float32, 5), [3]int{2, 2, 2}, 2, ok, nop)
		},
		"no classes": func() {
			_, _ = Predict(make([]float32, 8), [3]int{2, 2, 2}, 0, ok, nop)
		},
		"argmax length": func() { Argmax(make([]float32, 7), 2, [3]int{2, 2, 1}) },
		"long stride":   func() { NewPlan([3]int{4, 4, 4}, [3]int{2, 2, 2}, [3]int{1, 3, 1}) },
		"axis": func() {
			NewPlan([3]int{4, 4, 4}, [3]int{2, 2, 2}, [3]int{1, 1, 1}).Coverage(3)
		},
	}
	for name, f := range cases {
		func() {
			defer func() {
				msg, _ := recover().(string)
				if !strings.HasPrefix(msg, "window: ") {
					t.Errorf("%s: recovered %q, want a \"window: \" panic", name, msg)
				}
			}()
			f()
		}()
	}
}

// TestOddPadding checks the split of an odd padding: 96 - 81 = 15 zeros go 7 before
// and 8 after the image (SSL4MIS's (pad//2, pad - pad//2)); the golden cases only have
// even paddings. A predictor that reports which patch voxels hold padding (value 0)
// shows where the image landed.
func TestOddPadding(t *testing.T) {
	p := NewPlan([3]int{81, 100, 3}, [3]int{96, 96, 4}, [3]int{64, 64, 4})
	if p.PadBefore != [3]int{7, 0, 0} || p.PadAfter != [3]int{8, 0, 1} {
		t.Fatalf("padding %v / %v, want [7 0 0] / [8 0 1]", p.PadBefore, p.PadAfter)
	}
	shape := [3]int{3, 2, 2}
	image := []float32{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}
	var firstPatch []float32
	spy := func(b []float32, n int, _ [3]int) ([]float32, error) {
		firstPatch = append([]float32{}, b...)
		return b, nil
	}
	opts := Options{Patch: [3]int{6, 2, 2}, Stride: [3]int{1, 1, 1}}
	if _, err := Predict(image, shape, 1, opts, spy); err != nil {
		t.Fatal(err)
	}
	// Padding 3 along D: 1 slice before the image, 2 after; 4 voxels a slice.
	want := []float32{0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0}
	if fmt.Sprint(firstPatch) != fmt.Sprint(want) {
		t.Errorf("padded patch %v, want %v", firstPatch, want)
	}
}
