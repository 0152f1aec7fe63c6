package main

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/urpc-go/urpc/urpc/metrics"
	"github.com/urpc-go/urpc/urpc/nifti"
)

// labelCase is one ground-truth file and its prediction.
type labelCase struct {
	Name     string // file name without .nii or .nii.gz
	PredPath string
	GTPath   string
}

// caseName returns the file name without its NIfTI extension, and false if the file
// is not a .nii or .nii.gz file.
func caseName(file string) (string, bool) {
	lower := strings.ToLower(file)
	for _, ext := range []string{".nii.gz", ".nii"} {
		if strings.HasSuffix(lower, ext) && len(file) > len(ext) {
			return file[:len(file)-len(ext)], true
		}
	}
	return "", false
}

// listNIfTI maps case names to the NIfTI files of a folder; flag names the folder's
// flag in errors.
func listNIfTI(flag, dir string) (map[string]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("%s %s: cannot list the folder: %w", flag, dir, err)
	}
	files := map[string]string{}
	for _, e := range entries {
		name, ok := caseName(e.Name())
		if !ok || e.IsDir() {
			continue
		}
		if flag == "-pred" {
			// cmd/infer and cmd/train write <case>_pred and <case>_uncertainty.
			if strings.HasSuffix(name, "_uncertainty") {
				continue
			}
			name = strings.TrimSuffix(name, "_pred")
		}
		if prev, dup := files[name]; dup {
			return nil, fmt.Errorf("%s %s: %s and %s are the same case; keep one",
				flag, dir, filepath.Base(prev), e.Name())
		}
		files[name] = filepath.Join(dir, e.Name())
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("%s %s: no .nii or .nii.gz files in the folder", flag, dir)
	}
	return files, nil
}

// matchCases pairs every ground-truth file with the prediction of the same name
// (<case>_pred counts as <case>; <case>_uncertainty files are ignored). Labels without
// a prediction and predictions without a label are logged and skipped; no match at all
// is an error.
func matchCases(predDir, gtDir string, logger *slog.Logger) ([]labelCase, error) {
	preds, err := listNIfTI("-pred", predDir)
	if err != nil {
		return nil, err
	}
	gts, err := listNIfTI("-gt", gtDir)
	if err != nil {
		return nil, err
	}
	var cases []labelCase
	var missing []string
	for name, gt := range gts {
		if p, ok := preds[name]; ok {
			cases = append(cases, labelCase{Name: name, PredPath: p, GTPath: gt})
		} else {
			missing = append(missing, name)
		}
	}
	for name := range preds {
		if _, ok := gts[name]; !ok {
			logger.Warn("prediction without a label, skipped", "case", name)
		}
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		count, more := len(missing), ""
		if count > 5 {
			more = fmt.Sprintf(" and %d more", count-5)
			missing = missing[:5]
		}
		if len(cases) == 0 {
			return nil, fmt.Errorf("-pred %s: no prediction for any of the %d labels in %s "+
				"(files are matched by name; <case>_pred is read as <case>)", predDir,
				len(gts), gtDir)
		}
		logger.Warn("labels without a prediction, not scored", "count", count,
			"cases", strings.Join(missing, ", ")+more)
	}
	slices.SortFunc(cases, func(a, b labelCase) int { return strings.Compare(a.Name, b.Name) })
	return cases, nil
}

// evaluate scores every case. With classes = 0 the number of classes is the largest
// label of any map plus 1 (at least 2); a case whose maps lack the highest classes gets
// those classes scored as empty in both (Dice 1, distances 0).
func evaluate(cases []labelCase, classes int, logger *slog.Logger) (*report, error) {
	rep := &report{Classes: classes}
	for _, c := range cases {
		start := time.Now()
		cr, err := evaluateCase(c, classes, logger)
		if err != nil {
			return nil, err
		}
		rep.Cases = append(rep.Cases, cr)
		rep.Classes = max(rep.Classes, len(cr.PerClass)+1)
		logger.Info("case", "name", c.Name, "shape_dhw", cr.Shape,
			"dice", fmt.Sprintf("%.4f", cr.Mean.Dice),
			"hd95_mm", fmt.Sprintf("%.3f", cr.Mean.MM.HD95),
			"ms", time.Since(start).Milliseconds())
	}
	rep.finish()
	return rep, nil
}

// evaluateCase reads one pair of label maps and scores it.
func evaluateCase(c labelCase, classes int, logger *slog.Logger) (caseResult, error) {
	gt, gv, err := nifti.ReadLabels(c.GTPath)
	if err != nil {
		return caseResult{}, err
	}
	pred, pv, err := nifti.ReadLabels(c.PredPath)
	if err != nil {
		return caseResult{}, err
	}
	if pv.Dims != gv.Dims {
		return caseResult{}, fmt.Errorf("%s: %d x %d x %d voxels (x, y, z), but its label "+
			"%s has %d x %d x %d", c.PredPath, pv.Dims[0], pv.Dims[1], pv.Dims[2],
			c.GTPath, gv.Dims[0], gv.Dims[1], gv.Dims[2])
	}
	for a := range 3 {
		if d := pv.Spacing[a] - gv.Spacing[a]; d > 1e-3*gv.Spacing[a] || -d > 1e-3*gv.Spacing[a] {
			logger.Warn("voxel spacing differs; using the label's", "case", c.Name,
				"pred_xyz", pv.Spacing, "gt_xyz", gv.Spacing)
			break
		}
	}
	n := classes
	if n == 0 {
		n = max(2, int(slices.Max(gt))+1, int(slices.Max(pred))+1)
	} else if m := max(slices.Max(gt), slices.Max(pred)); int(m) >= n {
		logger.Warn("labels at or above -classes are ignored", "case", c.Name,
			"largest_label", m, "classes", n)
	}
	shape := gv.ShapeDHW()
	spacing := metrics.Spacing{gv.Spacing[2], gv.Spacing[1], gv.Spacing[0]}
	per, mean := metrics.PerClass(pred, gt, shape, spacing, n)
	for k, r := range per {
		logger.Debug("class", "case", c.Name, "class", k+1, "dice", r.Dice,
			"hd95_vox", r.Vox.HD95, "asd_vox", r.Vox.ASDPredToGT, "empty", r.Empty)
	}
	return caseResult{Case: c.Name, Shape: shape, Spacing: spacing, PerClass: per,
		Mean: mean}, nil
}
