package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"text/tabwriter"

	"github.com/urpc-go/urpc/urpc/metrics"
)

// caseResult holds the scores of one case.
type caseResult struct {
	Case     string           `json:"case"`
	Shape    [3]int           `json:"shape_dhw"`
	Spacing  metrics.Spacing  `json:"spacing_dhw_mm"`
	PerClass []metrics.Result `json:"-"`
	Classes  []classResult    `json:"per_class"`
	Mean     metrics.Result   `json:"mean"`
}

// classResult is a Result labelled with its class, for the JSON output.
type classResult struct {
	Class int `json:"class"`
	metrics.Result
}

// report holds every score of one run.
type report struct {
	PredDir      string         `json:"pred_dir"`
	GTDir        string         `json:"gt_dir"`
	Classes      int            `json:"classes"` // including background
	Cases        []caseResult   `json:"cases"`
	MeanPerClass []classResult  `json:"mean_per_class"` // over cases
	Mean         metrics.Result `json:"mean"`           // over cases and classes
}

// finish brings every case to rep.Classes classes, then fills in the means: per case
// over its classes, per class over the cases, and overall.
func (rep *report) finish() {
	// A class absent from both maps scores what metrics gives two empty masks.
	bothEmpty := metrics.Binary([]bool{false}, []bool{false}, [3]int{1, 1, 1},
		metrics.Spacing{1, 1, 1})
	byClass := make([][]metrics.Result, rep.Classes-1)
	for i := range rep.Cases {
		c := &rep.Cases[i]
		for len(c.PerClass) < rep.Classes-1 {
			c.PerClass = append(c.PerClass, bothEmpty)
		}
		c.Classes = c.Classes[:0]
		for k, r := range c.PerClass {
			c.Classes = append(c.Classes, classResult{Class: k + 1, Result: r})
			byClass[k] = append(byClass[k], r)
		}
		c.Mean = metrics.Mean(c.PerClass)
	}
	var means []metrics.Result
	rep.MeanPerClass = rep.MeanPerClass[:0]
	for k, rs := range byClass {
		m := metrics.Mean(rs)
		means = append(means, m)
		rep.MeanPerClass = append(rep.MeanPerClass, classResult{Class: k + 1, Result: m})
	}
	rep.Mean = metrics.Mean(means)
}

// printTable writes one row per case and class, the case means, the class means over
// cases and the overall mean, as aligned columns.
func printTable(w io.Writer, rep *report) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "case\tclass\tDice%\tJaccard%\tHD95 vox\tASD vox\tHD95 mm\tASD mm\t"+
		"ASSD mm\tempty\t")
	row := func(name, class string, r metrics.Result) {
		fmt.Fprintf(tw, "%s\t%s\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%s\t\n",
			name, class, 100*r.Dice, 100*r.Jaccard, r.Vox.HD95, r.Vox.ASDPredToGT,
			r.MM.HD95, r.MM.ASDPredToGT, r.MM.ASSD, r.Empty)
	}
	for _, c := range rep.Cases {
		for _, r := range c.Classes {
			row(c.Case, strconv.Itoa(r.Class), r.Result)
		}
		row(c.Case, "mean", c.Mean)
	}
	for _, r := range rep.MeanPerClass {
		row("MEAN", strconv.Itoa(r.Class), r.Result)
	}
	row("MEAN", "mean", rep.Mean)
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintln(w, "ASD: directed pred->gt mean (medpy asd(pred, gt)); "+
		"the CSV and JSON also give gt->pred, ASSD in voxels and HD.")
	return err
}

// csvHeader names the CSV columns written by csvRow.
var csvHeader = []string{"case", "class", "dice", "jaccard", "ravd",
	"hd95_vox", "hd_vox", "asd_pred_to_gt_vox", "asd_gt_to_pred_vox", "assd_vox",
	"hd95_mm", "hd_mm", "asd_pred_to_gt_mm", "asd_gt_to_pred_mm", "assd_mm",
	"empty", "pred_voxels", "gt_voxels"}

// csvRow formats one Result as a CSV record. A mean row (over classes or cases) leaves
// the empty flag and the voxel counts blank: they describe single masks, and a mean's 0
// would read as "no voxels".
func csvRow(name, class string, r metrics.Result) []string {
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	counts := []string{r.Empty, strconv.Itoa(r.PredVoxels), strconv.Itoa(r.GTVoxels)}
	if name == "MEAN" || class == "mean" {
		counts = []string{"", "", ""}
	}
	return append([]string{name, class, f(r.Dice), f(r.Jaccard), f(r.RAVD),
		f(r.Vox.HD95), f(r.Vox.HD), f(r.Vox.ASDPredToGT), f(r.Vox.ASDGTToPred), f(r.Vox.ASSD),
		f(r.MM.HD95), f(r.MM.HD), f(r.MM.ASDPredToGT), f(r.MM.ASDGTToPred), f(r.MM.ASSD)},
		counts...)
}

// writeCSV writes the rows of printTable as CSV.
func writeCSV(w io.Writer, rep *report) error {
	cw := csv.NewWriter(w)
	records := [][]string{csvHeader}
	for _, c := range rep.Cases {
		for _, r := range c.Classes {
			records = append(records, csvRow(c.Case, strconv.Itoa(r.Class), r.Result))
		}
		records = append(records, csvRow(c.Case, "mean", c.Mean))
	}
	for _, r := range rep.MeanPerClass {
		records = append(records, csvRow("MEAN", strconv.Itoa(r.Class), r.Result))
	}
	records = append(records, csvRow("MEAN", "mean", rep.Mean))
	return cw.WriteAll(records)
}

// writeOutputs writes the CSV and JSON files whose paths are not empty.
func writeOutputs(rep *report, csvPath, jsonPath string) error {
	if csvPath != "" {
		if err := writeFile(csvPath, func(w io.Writer) error { return writeCSV(w, rep) }); err != nil {
			return err
		}
	}
	if jsonPath != "" {
		return writeFile(jsonPath, func(w io.Writer) error {
			enc := json.NewEncoder(w)
			enc.SetIndent("", " ")
			return enc.Encode(rep)
		})
	}
	return nil
}

// writeFile creates path and fills it with write, naming the file in any error.
func writeFile(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}
