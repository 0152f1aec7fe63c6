package report

import (
	"image"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// decodePNG reads the PNG at path.
func decodePNG(t *testing.T, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return img
}

// colorCount returns the number of distinct colours in the rectangle r of img.
func colorCount(img image.Image, r image.Rectangle) int {
	seen := map[[4]uint32]bool{}
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			r, g, b, a := img.At(x, y).RGBA()
			seen[[4]uint32{r, g, b, a}] = true
		}
	}
	return len(seen)
}

// syntheticRun returns the series of a made-up run of 200 steps, validated every 50.
func syntheticRun() TrainingCurves {
	c := TrainingCurves{Losses: map[string][]float64{}, ValDice: map[string][]float64{}}
	for s := range 200 {
		step := float64(s)
		c.Step = append(c.Step, step)
		sup := 1.2*math.Exp(-step/60) + 0.1
		unsup := 0.05 * (1 - math.Exp(-step/40))
		c.Losses["sup"] = append(c.Losses["sup"], sup)
		c.Losses["unsup"] = append(c.Losses["unsup"], unsup)
		c.Losses["total"] = append(c.Losses["total"], sup+unsup)
		c.Losses["pc_D"] = append(c.Losses["pc_D"], unsup/2)
		c.Lambda = append(c.Lambda, 0.1*math.Exp(-5*math.Pow(1-step/200, 2)))
		c.LR = append(c.LR, 0.01*math.Pow(1-step/200, 0.9))
	}
	for s := 0; s < 200; s += 50 {
		c.ValStep = append(c.ValStep, float64(s))
		c.ValDice["mean"] = append(c.ValDice["mean"], 0.8-0.6*math.Exp(-float64(s)/60))
	}
	return c
}

func TestPlotTraining(t *testing.T) {
	path := filepath.Join(t.TempDir(), "curves.png")
	c := syntheticRun()
	c.Losses["total"][7] = math.NaN() // a diverged step must not stop the plot
	if err := PlotTraining(path, "URPC synthetic run", c); err != nil {
		t.Fatal(err)
	}
	img := decodePNG(t, path)
	if got := img.Bounds().Size(); got != image.Pt(1200, 940) {
		t.Errorf("figure size %v, want 1200x940 (4 panels in 2 rows)", got)
	}

	// Each panel of the 2x2 grid must hold more than the background and a few greys.
	for row := range 2 {
		for col := range 2 {
			r := image.Rect(col*600, 40+row*450, (col+1)*600, 40+(row+1)*450)
			if n := colorCount(img, r); n < 20 {
				t.Errorf("panel at row %d, column %d has only %d colours", row, col, n)
			}
		}
	}
}

func TestPlotPanelsLayouts(t *testing.T) {
	dir := t.TempDir()
	curve := Curve{Name: "loss", X: []float64{1, 2, 3}, Y: []float64{3, 0, 1}}
	empty := Panel{Title: "nothing yet"}
	logPanel := Panel{Title: "log", LogY: true, Curves: []Curve{curve}}
	cases := map[string]struct {
		panels []Panel
		size   image.Point
	}{
		"one":   {[]Panel{logPanel}, image.Pt(1200, 490)},
		"three": {[]Panel{logPanel, empty, logPanel}, image.Pt(1200, 940)},
		"none":  {nil, image.Pt(1200, 490)},
	}
	for name, c := range cases {
		path := filepath.Join(dir, name+".png")
		if err := PlotPanels(path, name, c.panels); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got := decodePNG(t, path).Bounds().Size(); got != c.size {
			t.Errorf("%s: size %v, want %v", name, got, c.size)
		}
	}
}

func TestPlotPanelsPanicsOnRaggedCurve(t *testing.T) {
	defer func() {
		if r, _ := recover().(string); !strings.HasPrefix(r, "report: ") {
			t.Errorf("recovered %q, want a report: panic", r)
		}
	}()
	PlotPanels(filepath.Join(t.TempDir(), "x.png"), "x",
		[]Panel{{Curves: []Curve{{X: []float64{1, 2}, Y: []float64{1}}}}})
}

func TestTrainingPanelsOrder(t *testing.T) {
	panels := TrainingPanels(syntheticRun())
	var titles []string
	for _, p := range panels {
		titles = append(titles, p.Title)
	}
	want := "Loss terms|Unsupervised weight λ|Learning rate|Validation Dice"
	if got := strings.Join(titles, "|"); got != want {
		t.Errorf("panels %q, want %q", got, want)
	}
	var names []string
	for _, c := range panels[0].Curves {
		names = append(names, c.Name)
	}
	if got := strings.Join(names, ","); got != "total,sup,unsup,pc_D" {
		t.Errorf("loss curves in order %s, want total,sup,unsup,pc_D", got)
	}
	if len(TrainingPanels(TrainingCurves{})) != 0 {
		t.Error("no data gave panels")
	}
}
