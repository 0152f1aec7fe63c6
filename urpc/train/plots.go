package train

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/urpc-go/urpc/urpc/data"
	"github.com/urpc-go/urpc/urpc/report"
)

// writePlots draws training_curves.png from metrics.csv and validation.csv: the loss
// terms, lambda(t), the learning rate and the validation Dice against the step.
func (r *runner) writePlots() error {
	m, err := report.ReadCSV(filepath.Join(r.cfg.OutDir, "metrics.csv"))
	if err != nil {
		return err
	}
	v, err := report.ReadCSV(filepath.Join(r.cfg.OutDir, "validation.csv"))
	if err != nil {
		return err
	}
	valColumns := v.Columns[1:]
	panels := []report.Panel{
		{Title: "Loss terms", XLabel: "step", YLabel: "loss", LogY: true,
			Curves: m.Curves("step", "loss_total", "loss_sup", "ce", "dice_loss",
				"consistency", "minimisation")},
		{Title: "Consistency weight lambda(t) (Eq. 6)", XLabel: "step", YLabel: "lambda",
			Curves: m.Curves("step", "lambda")},
		{Title: "Learning rate (poly)", XLabel: "step", YLabel: "lr",
			Curves: m.Curves("step", "lr")},
		{Title: "Validation Dice", XLabel: "step", YLabel: "Dice",
			Curves: v.Curves("step", valColumns...)},
	}
	if r.cfg.Method == MethodSL {
		panels[0].Curves = m.Curves("step", "loss_total", "ce", "dice_loss")
	}
	title := fmt.Sprintf("%s, %d%% labels, S = %d", r.cfg.Method, r.cfg.LabelPercent, r.cfg.Heads)
	return report.PlotPanels(filepath.Join(r.cfg.OutDir, "training_curves.png"), title, panels)
}

// sliceFigure draws one axial slice of a test case: image, ground truth, prediction
// and uncertainty side by side, at the slice with the most labelled voxels.
func (r *runner) sliceFigure(c *data.Case, labels []uint8, uncertainty []float32) error {
	area := c.Shape[1] * c.Shape[2]
	best, bestCount := 0, -1
	for z := range c.Shape[0] {
		count := 0
		for _, l := range c.Label[z*area : (z+1)*area] {
			if l != 0 {
				count++
			}
		}
		if count > bestCount {
			best, bestCount = z, count
		}
	}
	dir := filepath.Join(r.cfg.OutDir, "figures")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	path := filepath.Join(dir, c.Name+"_slice.png")
	title := c.Name
	return report.SliceFigure(path, c.Image, c.Label, labels, uncertainty, c.Shape, best, title)
}
