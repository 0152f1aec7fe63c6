package report

import (
	"image"
	"image/color"
	"math"
	"path/filepath"
	"strings"
	"testing"
)

// hippocampusLike returns a [5, 36, 50] volume the size of a hippocampus crop: a
// brightness ramp along W with noise-free structure, two blobs (classes 1 and 2) as
// truth, the same blobs shifted by two voxels along W as prediction, and an uncertainty
// of 0.6 where they disagree and a faint ramp along H elsewhere.
func hippocampusLike() (img []float32, truth, pred []uint8, unc []float32, shape [3]int) {
	shape = [3]int{5, 36, 50}
	n := shape[0] * shape[1] * shape[2]
	img, unc = make([]float32, n), make([]float32, n)
	truth, pred = make([]uint8, n), make([]uint8, n)
	blob := func(y, x int) uint8 {
		switch {
		case (y-18)*(y-18)+(x-15)*(x-15) < 64:
			return 1
		case (y-18)*(y-18)+(x-35)*(x-35) < 49:
			return 2
		}
		return 0
	}
	for z := range shape[0] {
		for y := range shape[1] {
			for x := range shape[2] {
				i := (z*shape[1]+y)*shape[2] + x
				img[i] = float32(x) + 10*float32(blob(y, x))
				truth[i] = blob(y, x)
				pred[i] = blob(y, x-2)
				unc[i] = 0.002 * float32(y)
				if truth[i] != pred[i] {
					unc[i] = 0.6
				}
			}
		}
	}
	return img, truth, pred, unc, shape
}

func TestSliceFigure(t *testing.T) {
	path := filepath.Join(t.TempDir(), "slice.png")
	img, truth, pred, unc, shape := hippocampusLike()
	if err := SliceFigure(path, img, truth, pred, unc, shape, 2, "case 007"); err != nil {
		t.Fatal(err)
	}
	fig := decodePNG(t, path)

	// 50 voxels wide: enlarged 5 times to 250 x 180 per panel.
	l := newSliceLayout(36, 50)
	if l.scale != 5 || fig.Bounds().Size() != image.Pt(l.width, l.height) ||
		l.width != 12+4*262 || l.height != 34+24+180+40+12 {
		t.Fatalf("figure %v, layout %+v", fig.Bounds().Size(), l)
	}
	for i := range 4 {
		r := image.Rect(l.left(i), l.top, l.left(i)+l.panelW, l.top+l.panelH)
		if n := colorCount(fig, r); n < 3 {
			t.Errorf("panel %d has %d colours: blank", i, n)
		}
	}

	// Voxel (y, x) of panel i, sampled at the centre of its 5 x 5 block.
	voxel := func(i, y, x int) color.RGBA {
		return color.RGBAModel.Convert(fig.At(l.left(i)+5*x+2, l.top+5*y+2)).(color.RGBA)
	}
	if c := voxel(0, 5, 40); c.R != c.G || c.G != c.B {
		t.Errorf("image panel not gray: %v", c)
	}
	if c := voxel(1, 18, 15); !(c.R > c.G+60 && c.R > c.B+60) {
		t.Errorf("class 1 in the truth panel not red: %v", c)
	}
	if c := voxel(1, 18, 35); !(c.G > c.R+60 && c.G > c.B+60) {
		t.Errorf("class 2 in the truth panel not green: %v", c)
	}
	if c := voxel(2, 18, 8); c.R != c.G || c.G != c.B {
		t.Errorf("prediction (shifted) should not cover voxel (18, 8): %v", c)
	}
	if c := voxel(2, 18, 24); !(c.R > c.G+60 && c.R > c.B+60) {
		t.Errorf("class 1 in the prediction panel not red: %v", c)
	}
	if c, top := voxel(3, 18, 8), heatColor(1); c != top {
		t.Errorf("largest uncertainty drawn %v, want the top of the ramp %v", c, top)
	}
	if c, bottom := voxel(3, 0, 2), heatColor(0); c != bottom {
		t.Errorf("zero uncertainty drawn %v, want the bottom of the ramp %v", c, bottom)
	}
}

func TestSliceFigureWithoutTruthOrUncertainty(t *testing.T) {
	path := filepath.Join(t.TempDir(), "slice.png")
	img, _, pred, _, shape := hippocampusLike()
	if err := SliceFigure(path, img, nil, pred, nil, shape, 0, "unlabelled"); err != nil {
		t.Fatal(err)
	}
	fig := decodePNG(t, path)
	l := newSliceLayout(36, 50)
	if fig.Bounds().Size() != image.Pt(l.width, l.height) {
		t.Errorf("size %v", fig.Bounds().Size())
	}
}

func TestSliceScale(t *testing.T) {
	cases := [][3]int{{36, 50, 5}, {256, 256, 1}, {300, 20, 1}, {1, 1, 256}, {64, 100, 2}}
	for _, c := range cases {
		if got := SliceScale(c[0], c[1]); got != c[2] {
			t.Errorf("SliceScale(%d, %d) = %d, want %d", c[0], c[1], got, c[2])
		}
	}
}

func TestGrayWindowPercentiles(t *testing.T) {
	values := make([]float32, 101)
	for i := range values {
		values[i] = float32(i)
	}
	values[100] = 1e6                // an outlier the window must ignore
	values[50] = float32(math.NaN()) // drawn black
	gray := grayWindow(values)
	// 100 finite values: 0..49, 51..99, 1e6. The 1st percentile is 0.99, the 99th
	// lies between 99 and 1e6 at rank 98.01.
	lo := 0.99
	hi := 99 + 0.01*(1e6-99)
	for _, i := range []int{0, 1, 60} {
		want := min(max((float64(i)-lo)/(hi-lo), 0), 1)
		if math.Abs(gray[i]-want) > 1e-12 {
			t.Errorf("gray[%d] = %v, want %v", i, gray[i], want)
		}
	}
	if gray[50] != 0 || gray[100] != 1 {
		t.Errorf("NaN drawn %v, outlier %v; want 0 and 1", gray[50], gray[100])
	}
}

func TestHeatColorEnds(t *testing.T) {
	if heatColor(-1) != heatRamp[0] || heatColor(2) != heatRamp[len(heatRamp)-1] ||
		heatColor(0.5) != heatRamp[4] {
		t.Error("heat ramp does not clip or hit its anchors")
	}
}

func TestSliceFigurePanicsOnMisuse(t *testing.T) {
	img, truth, pred, unc, shape := hippocampusLike()
	cases := map[string]func(){
		"short image": func() { SliceFigure("x", img[1:], truth, pred, unc, shape, 0, "") },
		"short truth": func() { SliceFigure("x", img, truth[1:], pred, unc, shape, 0, "") },
		"nil pred":    func() { SliceFigure("x", img, truth, nil, unc, shape, 0, "") },
		"slice = D":   func() { SliceFigure("x", img, truth, pred, unc, shape, 5, "") },
		"negative":    func() { SliceFigure("x", img, truth, pred, unc, shape, -1, "") },
	}
	for name, call := range cases {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if r, _ := recover().(string); !strings.HasPrefix(r, "report: SliceFigure") {
					t.Errorf("recovered %q", r)
				}
			}()
			call()
		})
	}
}
