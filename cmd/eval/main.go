// Command eval scores predicted label maps against ground-truth label maps.
//
// Usage:
//
//	eval -pred DIR -gt DIR [-classes N] [-csv FILE] [-json FILE] [-v]
//
// Every .nii or .nii.gz file of the -gt folder is a case; its prediction is the file of
// the -pred folder with the same name up to the extension (case.nii.gz matches
// case.nii). For each case and each foreground class, eval computes the metrics of
// package urpc/metrics (Dice and Jaccard as fractions, RAVD, HD95, HD, ASD pred->gt,
// ASD gt->pred and ASSD, in voxels and in millimetres from the label file's voxel
// spacing), the mean over classes per case, the mean over cases per class, and the
// overall mean. It prints a table on standard output and writes the numbers as CSV
// and JSON. A class missing from both maps of a case scores Dice 1 and distance 0; a
// class missing from one of them scores Dice 0 and the volume diagonal, and is flagged
// ("pred" or "gt") in the empty column.
//
// Exit status: 0 on success, 2 for bad flags or folders (no files, unmatched labels),
// 1 when a file cannot be read or the maps of a case do not match. Logs go to standard
// error.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// config holds the command-line flags.
type config struct {
	predDir, gtDir    string
	csvPath, jsonPath string
	classes           int
	verbose           bool
}

// usageError marks errors that exit with status 2.
type usageError struct{ error }

// parseFlags reads the flags; -h prints the usage and returns flag.ErrHelp.
func parseFlags(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.predDir, "pred", "", "folder of predicted label maps (.nii, .nii.gz)")
	fs.StringVar(&c.gtDir, "gt", "", "folder of ground-truth label maps (.nii, .nii.gz)")
	fs.IntVar(&c.classes, "classes", 0,
		"number of classes including background; 0 = largest label found + 1")
	fs.StringVar(&c.csvPath, "csv", predDirDefault+"/metrics.csv",
		"CSV file to write; empty for none")
	fs.StringVar(&c.jsonPath, "json", predDirDefault+"/metrics.json",
		"JSON file to write; empty for none")
	fs.BoolVar(&c.verbose, "v", false, "log each class of each case (debug level)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: eval -pred DIR -gt DIR [flags]\n\n"+
			"Scores predicted label maps against ground truth, matched by file name:\n"+
			"Dice, Jaccard, RAVD, HD95, HD, ASD (both directions), ASSD, per class,\n"+
			"in voxels and mm. Prints a table; writes CSV and JSON.\n"+
			"Exit status 2 for bad flags or folders, 1 for unreadable or mismatched files.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	c.csvPath = inPredDir(c.csvPath, c.predDir)
	c.jsonPath = inPredDir(c.jsonPath, c.predDir)
	switch {
	case fs.NArg() > 0:
		return c, usageError{fmt.Errorf("unexpected argument %q", fs.Arg(0))}
	case c.predDir == "" || c.gtDir == "":
		return c, usageError{errors.New("both -pred and -gt folders are required (see -h)")}
	case c.classes == 1 || c.classes < 0 || c.classes > 256:
		return c, usageError{fmt.Errorf("-classes %d: want 0 (auto) or 2..256", c.classes)}
	}
	return c, nil
}

// predDirDefault stands for the -pred folder in the default output paths, so that the
// scores land beside the predictions rather than in the current folder.
const predDirDefault = "<pred>"

// inPredDir replaces a leading predDirDefault in path by the -pred folder.
func inPredDir(path, predDir string) string {
	if rest, ok := strings.CutPrefix(path, predDirDefault+"/"); ok {
		return filepath.Join(predDir, rest)
	}
	return path
}

// run is the whole command; it returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	cfg, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	level := slog.LevelInfo
	if cfg.verbose {
		level = slog.LevelDebug
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	if err != nil {
		var ue usageError
		if errors.As(err, &ue) {
			logger.Error(err.Error())
		} // the flag package has already printed its own parse errors
		return 2
	}
	cases, err := matchCases(cfg.predDir, cfg.gtDir, logger)
	if err != nil {
		logger.Error(err.Error())
		return 2
	}
	start := time.Now()
	rep, err := evaluate(cases, cfg.classes, logger)
	if err != nil {
		logger.Error(err.Error())
		return 1
	}
	rep.PredDir, rep.GTDir = cfg.predDir, cfg.gtDir
	logger.Info("evaluated", "cases", len(rep.Cases), "classes", rep.Classes,
		"seconds", fmt.Sprintf("%.1f", time.Since(start).Seconds()))
	if err := printTable(stdout, rep); err != nil {
		logger.Error("writing the table: " + err.Error())
		return 1
	}
	if err := writeOutputs(rep, cfg.csvPath, cfg.jsonPath); err != nil {
		logger.Error(err.Error())
		return 1
	}
	return 0
}
