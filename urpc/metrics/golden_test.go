package metrics

import (
	"encoding/json"
	"math"
	"path/filepath"
	"testing"

	"github.com/urpc-go/urpc/tests/golden"
)

// loadGolden reads one golden file through the shared loader (tests/golden), which
// honours URPC_GOLDEN_DIR, failing the test if it cannot.
func loadGolden(t *testing.T, name string) *golden.File {
	t.Helper()
	g, err := golden.Load(name)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// goldenClose reports whether got matches want within the golden README's tolerance.
func goldenClose(got, want float64) (bool, float64) {
	e := math.Abs(got - want)
	return e <= 1e-6*math.Max(1, math.Abs(want))+1e-6*math.Abs(want), e
}

// maskOf returns the voxels of a golden label tensor that are non-zero.
func maskOf(t *testing.T, g *golden.File, name string) ([]bool, [3]int) {
	t.Helper()
	tt, ok := g.Tensors[name]
	if !ok || len(tt.Shape) != 3 {
		t.Fatalf("golden: tensor %q missing or not 3-D", name)
	}
	m := make([]bool, len(tt.Data))
	for i, v := range tt.Data {
		m[i] = v != 0
	}
	return m, [3]int{tt.Shape[0], tt.Shape[1], tt.Shape[2]}
}

func TestGoldenMetrics(t *testing.T) {
	g := loadGolden(t, "metrics.json")
	var cfg struct {
		Spacing Spacing `json:"spacing"`
	}
	scalars := map[string]map[string]float64{}
	if err := g.ConfigValue("spacing", &cfg.Spacing); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"case0", "case1"} {
		var values map[string]float64
		if err := json.Unmarshal(g.RawScalars[name], &values); err != nil {
			t.Fatalf("golden: scalars.%s: %v", name, err)
		}
		scalars[name] = values
	}
	worst, checked := 0.0, 0
	for i, name := range []string{"case0", "case1"} {
		want, ok := scalars[name]
		if !ok {
			t.Fatalf("golden: scalars.%s missing", name)
		}
		pred, shape := maskOf(t, g, "pred"+string(rune('0'+i)))
		gt, _ := maskOf(t, g, "gt"+string(rune('0'+i)))
		r := Binary(pred, gt, shape, cfg.Spacing)
		for _, d := range []Distances{r.Vox, r.MM} {
			got := map[string]float64{
				"dice": r.Dice, "jaccard": r.Jaccard, "ravd": r.RAVD,
				"hd95": d.HD95, "hd": d.HD, "asd_pred_to_gt": d.ASDPredToGT,
				"asd_gt_to_pred": d.ASDGTToPred, "assd": d.ASSD,
				"n_surface_pred": float64(r.PredSurface),
				"n_surface_gt":   float64(r.GTSurface),
			}
			for key, w := range want {
				v, ok := got[key]
				if !ok {
					t.Errorf("%s: golden scalar %q is not checked", name, key)
					continue
				}
				pass, e := goldenClose(v, w)
				if !pass {
					t.Errorf("%s.%s = %.17g, want %.17g (error %.3g)", name, key, v, w, e)
				}
				worst = max(worst, e)
				checked++
			}
		}
	}
	t.Logf("%s: %d values checked, worst error %.3g",
		filepath.Join(golden.Dir(), "metrics.json"), checked, worst)
}
