package train

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/urpc-go/urpc/urpc/metrics"
	"github.com/urpc-go/urpc/urpc/nifti"
)

// TestReport holds the test-set scores of the best checkpoint.
type TestReport struct {
	Step     int              `json:"checkpoint_step"`
	Cases    []caseScores     `json:"cases"`
	PerClass []metrics.Result `json:"per_class"`
	Mean     metrics.Result   `json:"mean"`
}

// testBest reloads the best checkpoint, segments every test case, writes its label
// map and uncertainty map as NIfTI, and scores it.
func (r *runner) testBest(ctx context.Context) (*TestReport, error) {
	best, err := loadState(checkpointPath(r.cfg, BestCheckpoint), r.cfg)
	if err != nil {
		return nil, err
	}
	r.state.Model = best.Model
	predDir := filepath.Join(r.cfg.OutDir, "predictions")
	if err := os.MkdirAll(predDir, 0o755); err != nil {
		return nil, err
	}

	rep := &TestReport{Step: best.Step}
	perClass := make([][]metrics.Result, r.cfg.Classes-1)
	for i, c := range r.sets.test {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		labels, uncertainty, err := r.segmentWithUncertainty(c)
		if err != nil {
			return nil, fmt.Errorf("test case %s: %w", c.Name, err)
		}
		if err := writeCaseOutputs(predDir, c.Name, labels, uncertainty, c.Geometry); err != nil {
			return nil, err
		}
		scores, mean := metrics.PerClass(labels, c.Label, c.Shape, metrics.Spacing(c.Spacing),
			r.cfg.Classes)
		rep.Cases = append(rep.Cases, caseScores{Name: c.Name, PerClass: scores, Mean: mean})
		for k, s := range scores {
			perClass[k] = append(perClass[k], s)
		}
		if i < 3 {
			if err := r.sliceFigure(c, labels, uncertainty); err != nil {
				return nil, err
			}
		}
	}
	for _, scores := range perClass {
		rep.PerClass = append(rep.PerClass, metrics.Mean(scores))
	}
	rep.Mean = metrics.Mean(rep.PerClass)
	return rep, r.writeTestReport(rep)
}

// writeCaseOutputs writes <case>_pred.nii.gz and <case>_uncertainty.nii.gz with the
// source image's geometry.
func writeCaseOutputs(dir, name string, labels []uint8, uncertainty []float32,
	ref *nifti.Volume) error {
	if err := nifti.WriteLabels(filepath.Join(dir, name+"_pred.nii.gz"), labels, ref); err != nil {
		return err
	}
	return nifti.WriteFloat32(filepath.Join(dir, name+"_uncertainty.nii.gz"), uncertainty, ref)
}

// writeTestReport writes test_metrics.json and test_metrics.csv.
func (r *runner) writeTestReport(rep *TestReport) error {
	raw, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	if err := writeFileAtomic(filepath.Join(r.cfg.OutDir, "test_metrics.json"),
		append(raw, '\n')); err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString("case,class,dice,jaccard,hd95_vox,asd_vox,assd_vox,hd95_mm,asd_mm,assd_mm,empty\n")
	row := func(name, class string, m metrics.Result) {
		fmt.Fprintf(&b, "%s,%s,%.6f,%.6f,%.4f,%.4f,%.4f,%.4f,%.4f,%.4f,%s\n", name, class,
			m.Dice, m.Jaccard, m.Vox.HD95, m.Vox.ASDPredToGT, m.Vox.ASSD, m.MM.HD95,
			m.MM.ASDPredToGT, m.MM.ASSD, m.Empty)
	}
	for _, c := range rep.Cases {
		for k, m := range c.PerClass {
			row(c.Name, fmt.Sprint(k+1), m)
		}
	}
	for k, m := range rep.PerClass {
		row("mean", fmt.Sprint(k+1), m)
	}
	row("mean", "mean", rep.Mean)
	return writeFileAtomic(filepath.Join(r.cfg.OutDir, "test_metrics.csv"), []byte(b.String()))
}

// FormatTable renders the per-class and mean test scores as an aligned text table.
func (rep *TestReport) FormatTable() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-8s %8s %10s %10s %10s %10s\n", "class", "Dice %", "HD95 vox",
		"ASD vox", "HD95 mm", "ASD mm")
	line := func(name string, m metrics.Result) {
		fmt.Fprintf(&b, "%-8s %8.2f %10.2f %10.2f %10.2f %10.2f\n", name, 100*m.Dice,
			m.Vox.HD95, m.Vox.ASDPredToGT, m.MM.HD95, m.MM.ASDPredToGT)
	}
	for k, m := range rep.PerClass {
		line(fmt.Sprint(k+1), m)
	}
	line("mean", rep.Mean)
	return b.String()
}
