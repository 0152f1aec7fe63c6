package metrics

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// boxMask returns a [D, H, W] mask that is true on the half-open box [lo, hi).
func boxMask(shape, lo, hi [3]int) []bool {
	m := make([]bool, shape[0]*shape[1]*shape[2])
	for i := range m {
		d, h, w := coords(i, shape)
		m[i] = d >= lo[0] && d < hi[0] && h >= lo[1] && h < hi[1] && w >= lo[2] && w < hi[2]
	}
	return m
}

// near reports whether got and want agree to 1e-12, relative to max(1, |want|).
func near(got, want float64) bool {
	return math.Abs(got-want) <= 1e-12*math.Max(1, math.Abs(want))
}

// checkDistances compares every field of got with want.
func checkDistances(t *testing.T, what string, got, want Distances) {
	t.Helper()
	pairs := []struct {
		name      string
		got, want float64
	}{
		{"HD95", got.HD95, want.HD95}, {"HD", got.HD, want.HD},
		{"ASDPredToGT", got.ASDPredToGT, want.ASDPredToGT},
		{"ASDGTToPred", got.ASDGTToPred, want.ASDGTToPred},
		{"ASSD", got.ASSD, want.ASSD},
	}
	for _, p := range pairs {
		if !near(p.got, p.want) {
			t.Errorf("%s %s = %.17g, want %.17g", what, p.name, p.got, p.want)
		}
	}
}

// TestShiftAlongAnisotropicAxis shifts a 3x3x3 cube by one voxel along W, whose
// spacing is 2.5 mm. Each surface has 26 voxels (the cube minus its centre). From pred
// to gt: the 16 surface voxels with w in the overlap lie on gt's surface (distance 0),
// except the one at gt's centre, whose nearest gt surface voxel is a D or H neighbour
// (1 mm, 1 voxel); the 9 voxels of the far face are one W step away (2.5 mm, 1 voxel).
// gt to pred is the mirror image. So ASD = (1 + 9*2.5)/26 mm = 10/26 voxels in both
// directions; the 52 pooled distances sorted put 2.5 mm (1 voxel) at ranks 48 and 49,
// so HD95 = HD = 2.5 mm = 1 voxel.
func TestShiftAlongAnisotropicAxis(t *testing.T) {
	shape := [3]int{8, 8, 10}
	gt := boxMask(shape, [3]int{2, 2, 2}, [3]int{5, 5, 5})
	pred := boxMask(shape, [3]int{2, 2, 3}, [3]int{5, 5, 6})
	r := Binary(pred, gt, shape, Spacing{1, 1, 2.5})
	if !near(r.Dice, 2.0/3) || !near(r.Jaccard, 0.5) || r.RAVD != 0 || r.Empty != "" {
		t.Errorf("Dice %v Jaccard %v RAVD %v Empty %q, want 2/3, 1/2, 0, \"\"",
			r.Dice, r.Jaccard, r.RAVD, r.Empty)
	}
	if r.PredSurface != 26 || r.GTSurface != 26 {
		t.Errorf("surfaces %d, %d voxels, want 26, 26", r.PredSurface, r.GTSurface)
	}
	asd := 23.5 / 26
	checkDistances(t, "mm", r.MM, Distances{HD95: 2.5, HD: 2.5,
		ASDPredToGT: asd, ASDGTToPred: asd, ASSD: asd})
	checkDistances(t, "vox", r.Vox, Distances{HD95: 1, HD: 1,
		ASDPredToGT: 10.0 / 26, ASDGTToPred: 10.0 / 26, ASSD: 10.0 / 26})

	// The same shift along D, whose spacing is 1, gives the voxel numbers in mm too.
	pred = boxMask(shape, [3]int{3, 2, 2}, [3]int{6, 5, 5})
	r = Binary(pred, gt, shape, Spacing{1, 1, 2.5})
	want := Distances{HD95: 1, HD: 1,
		ASDPredToGT: 10.0 / 26, ASDGTToPred: 10.0 / 26, ASSD: 10.0 / 26}
	checkDistances(t, "D shift mm", r.MM, want)
	checkDistances(t, "D shift vox", r.Vox, want)
}

// TestBorderLine uses a 1x1x6 volume, where every mask voxel is on the border and so on
// the surface. pred = w in [0,3), gt = w in [0,2): sd(P->G) = {0, 0, 1 step},
// sd(G->P) = {0, 0}; pooled sorted [0 0 0 0 s], whose 95th percentile sits at rank 3.8,
// giving 0.8 s.
func TestBorderLine(t *testing.T) {
	shape := [3]int{1, 1, 6}
	pred := boxMask(shape, [3]int{0, 0, 0}, [3]int{1, 1, 3})
	gt := boxMask(shape, [3]int{0, 0, 0}, [3]int{1, 1, 2})
	r := Binary(pred, gt, shape, Spacing{1, 1, 2.5})
	if !near(r.Dice, 0.8) || !near(r.Jaccard, 2.0/3) || !near(r.RAVD, 0.5) {
		t.Errorf("Dice %v Jaccard %v RAVD %v, want 0.8, 2/3, 0.5", r.Dice, r.Jaccard, r.RAVD)
	}
	if r.PredSurface != 3 || r.GTSurface != 2 {
		t.Errorf("surfaces %d, %d, want 3, 2", r.PredSurface, r.GTSurface)
	}
	for _, c := range []struct {
		name string
		got  Distances
		step float64
	}{{"vox", r.Vox, 1}, {"mm", r.MM, 2.5}} {
		s := c.step
		checkDistances(t, c.name, c.got, Distances{HD95: 0.8 * s, HD: s,
			ASDPredToGT: s / 3, ASDGTToPred: 0, ASSD: s / 6})
	}
}

// TestBorderSurface checks that the volume border counts as background: a slab
// d in [0,3) of a 5x6x7 volume has 3*6*7 = 126 voxels, and only those with
// d = 1, h in 1..4, w in 1..5 (4*5 = 20) are interior. The whole volume has
// 5*6*7 - 3*4*5 = 150 surface voxels.
func TestBorderSurface(t *testing.T) {
	shape := [3]int{5, 6, 7}
	slab := boxMask(shape, [3]int{0, 0, 0}, [3]int{3, 6, 7})
	if n := count(Surface(slab, shape)); n != 106 {
		t.Errorf("slab surface has %d voxels, want 106", n)
	}
	full := boxMask(shape, [3]int{0, 0, 0}, shape)
	if n := count(Surface(full, shape)); n != 150 {
		t.Errorf("full-volume surface has %d voxels, want 150", n)
	}
	r := Binary(full, full, shape, Spacing{2, 1, 0.5})
	checkDistances(t, "identical full masks", r.MM, Distances{})
	if r.Dice != 1 || r.Jaccard != 1 || r.Empty != "" {
		t.Errorf("identical masks: Dice %v Jaccard %v Empty %q", r.Dice, r.Jaccard, r.Empty)
	}
	// A slab against the full volume: compare with brute force.
	spacing := Spacing{2, 1, 0.5}
	r = Binary(slab, full, shape, spacing)
	checkDistances(t, "slab vs full mm", r.MM, bruteDistances(slab, full, shape, spacing))
	checkDistances(t, "slab vs full vox", r.Vox,
		bruteDistances(slab, full, shape, Spacing{1, 1, 1}))
}

func TestEmptyMasks(t *testing.T) {
	shape := [3]int{4, 5, 6}
	spacing := Spacing{1, 1, 2.5}
	none := make([]bool, 4*5*6)
	some := boxMask(shape, [3]int{1, 1, 1}, [3]int{3, 3, 3})
	r := Binary(none, none, shape, spacing)
	if r.Empty != "both" || r.Dice != 1 || r.Jaccard != 1 || r.RAVD != 0 {
		t.Errorf("both empty: %+v", r)
	}
	checkDistances(t, "both empty mm", r.MM, Distances{})
	checkDistances(t, "both empty vox", r.Vox, Distances{})

	diagVox, diagMM := math.Sqrt(16+25+36), math.Sqrt(16+25+15*15)
	for _, c := range []struct {
		empty    string
		pred, gt []bool
		ravd     float64
	}{{"pred", none, some, -1}, {"gt", some, none, 8}} {
		r := Binary(c.pred, c.gt, shape, spacing)
		if r.Empty != c.empty || r.Dice != 0 || r.Jaccard != 0 || r.RAVD != c.ravd {
			t.Errorf("%s empty: Empty %q Dice %v Jaccard %v RAVD %v, want %q 0 0 %v",
				c.empty, r.Empty, r.Dice, r.Jaccard, r.RAVD, c.empty, c.ravd)
		}
		checkDistances(t, c.empty+" empty mm", r.MM, allDistances(diagMM))
		checkDistances(t, c.empty+" empty vox", r.Vox, allDistances(diagVox))
	}
}

func TestPerClass(t *testing.T) {
	shape := [3]int{6, 7, 8}
	spacing := Spacing{1.5, 1, 1}
	n := 6 * 7 * 8
	pred, gt := make([]uint8, n), make([]uint8, n)
	one := boxMask(shape, [3]int{1, 1, 1}, [3]int{4, 4, 4})
	onePred := boxMask(shape, [3]int{1, 2, 1}, [3]int{4, 5, 5})
	two := boxMask(shape, [3]int{4, 4, 5}, [3]int{6, 7, 8})
	for i := range n {
		if one[i] {
			gt[i] = 1
		}
		if two[i] {
			gt[i] = 2
		}
		if onePred[i] {
			pred[i] = 1
		}
	}
	per, mean := PerClass(pred, gt, shape, spacing, 3)
	if len(per) != 2 {
		t.Fatalf("got %d results, want 2", len(per))
	}
	want1 := Binary(onePred, one, shape, spacing)
	if per[0] != want1 {
		t.Errorf("class 1: %+v, want %+v", per[0], want1)
	}
	if per[1].Empty != "pred" || per[1].Dice != 0 {
		t.Errorf("class 2 (absent in pred): Empty %q Dice %v", per[1].Empty, per[1].Dice)
	}
	if !near(mean.Dice, (per[0].Dice+per[1].Dice)/2) ||
		!near(mean.MM.HD95, (per[0].MM.HD95+per[1].MM.HD95)/2) ||
		!near(mean.Vox.ASSD, (per[0].Vox.ASSD+per[1].Vox.ASSD)/2) {
		t.Errorf("mean %+v is not the average of %+v", mean, per)
	}
}

// TestAgainstBruteForce compares Binary with the brute-force oracle on random masks,
// many of which touch the border, with random anisotropic spacing.
func TestAgainstBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 60 {
		shape := randomShape(rng, 1, 9)
		spacing := randomSpacing(rng)
		pred := randomMask(rng, shape, 0.15*rng.Float64())
		gt := randomMask(rng, shape, 0.15*rng.Float64())
		r := Binary(pred, gt, shape, spacing)
		for _, v := range []float64{r.Dice, r.Jaccard, r.RAVD, r.MM.HD95, r.MM.HD,
			r.MM.ASSD, r.Vox.HD95, r.Vox.ASDPredToGT, r.Vox.ASDGTToPred} {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("trial %d: non-finite metric in %+v", trial, r)
			}
		}
		if r.Empty != "" {
			continue
		}
		name := fmt.Sprintf("trial %d", trial)
		checkDistances(t, name+" mm", r.MM, bruteDistances(pred, gt, shape, spacing))
		checkDistances(t, name+" vox", r.Vox, bruteDistances(pred, gt, shape, Spacing{1, 1, 1}))
		if r.PredSurface != count(bruteSurface(pred, shape)) {
			t.Errorf("trial %d: pred surface %d voxels, brute force %d",
				trial, r.PredSurface, count(bruteSurface(pred, shape)))
		}
	}
}

func TestPercentileMatchesNumpy(t *testing.T) {
	// Values from numpy.percentile(x, 95) with the default method.
	cases := []struct {
		x    []float64
		want float64
	}{
		{[]float64{5}, 5},
		{[]float64{0, 10}, 9.5},
		{[]float64{4, 1, 3, 2}, 3.85},
		{[]float64{0, 0, 0, 0, 1}, 0.8},
		{[]float64{1, 1, 1}, 1},
	}
	for _, c := range cases {
		if got := percentile(append([]float64{}, c.x...), 95); !near(got, c.want) {
			t.Errorf("percentile(%v, 95) = %v, want %v", c.x, got, c.want)
		}
	}
}

func TestMisusePanics(t *testing.T) {
	shape := [3]int{2, 2, 2}
	ok := make([]bool, 8)
	labels := make([]uint8, 8)
	cases := map[string]func(){
		"short pred":  func() { Binary(ok[:7], ok, shape, Spacing{1, 1, 1}) },
		"zero shape":  func() { Binary(nil, nil, [3]int{0, 1, 1}, Spacing{1, 1, 1}) },
		"bad spacing": func() { Binary(ok, ok, shape, Spacing{1, 0, 1}) },
		"NaN spacing": func() { EDT(ok, shape, Spacing{1, math.NaN(), 1}) },
		"one class":   func() { PerClass(labels, labels, shape, Spacing{1, 1, 1}, 1) },
	}
	for name, f := range cases {
		func() {
			defer func() {
				msg, _ := recover().(string)
				if !strings.HasPrefix(msg, "metrics: ") {
					t.Errorf("%s: recovered %q, want a \"metrics: \" panic", name, msg)
				}
			}()
			f()
		}()
	}
}
