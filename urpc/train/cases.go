package train

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/urpc-go/urpc/urpc/data"
)

// caseSets are the loaded cases of each role in a run.
type caseSets struct {
	labeled, unlabeled, val, test []*data.Case
}

// loadCaseSets reads the split file and the cases it names. Unlabelled training cases
// are read without their label maps, so labels beyond the chosen percentage are never
// seen by training.
func loadCaseSets(cfg Config, log *slog.Logger) (*caseSets, error) {
	for _, sub := range []string{"imagesTr", "labelsTr"} {
		if info, err := os.Stat(filepath.Join(cfg.DataDir, sub)); err != nil || !info.IsDir() {
			return nil, fmt.Errorf("data folder %s: no %s/ folder (the Medical Segmentation "+
				"Decathlon layout: imagesTr/ and labelsTr/)", cfg.DataDir, sub)
		}
	}
	split, err := data.LoadSplit(cfg.SplitFile)
	if err != nil {
		return nil, err
	}
	labeledNames, unlabeledNames, err := split.LabeledAt(cfg.LabelPercent)
	if err != nil {
		return nil, fmt.Errorf("split file %s: %w", cfg.SplitFile, err)
	}
	if cfg.Method == MethodSL {
		unlabeledNames = nil
	}
	workers := max(cfg.Threads, 2)
	sets := &caseSets{}
	groups := []struct {
		names  []string
		labels bool
		dst    *[]*data.Case
	}{
		{labeledNames, true, &sets.labeled}, {unlabeledNames, false, &sets.unlabeled},
		{split.Val, true, &sets.val}, {split.Test, true, &sets.test},
	}
	for _, g := range groups {
		*g.dst, err = data.LoadCases(cfg.DataDir, g.names, g.labels, workers)
		if err != nil {
			return nil, fmt.Errorf("data folder %s: %w", cfg.DataDir, err)
		}
	}
	for _, cases := range [][]*data.Case{sets.labeled, sets.val, sets.test} {
		if err := checkLabelRange(cases, cfg); err != nil {
			return nil, err
		}
	}
	if cfg.TestCases > 0 && cfg.TestCases < len(sets.test) {
		sets.test = sets.test[:cfg.TestCases]
	}
	log.Info("data", "labeled", len(sets.labeled), "unlabeled", len(sets.unlabeled),
		"val", len(sets.val), "test", len(sets.test))
	return sets, nil
}

// checkLabelRange returns an error naming the first case whose label map holds a class
// index of cfg.Classes or more: the losses and metrics index C classes 0..C-1.
func checkLabelRange(cases []*data.Case, cfg Config) error {
	for _, c := range cases {
		top := uint8(0)
		for _, v := range c.Label {
			top = max(top, v)
		}
		if int(top) >= cfg.Classes {
			return fmt.Errorf("data folder %s: label map of case %s (labelsTr/) holds class "+
				"%d, but the run has %d classes (0..%d): set the number of classes "+
				"(-classes) to at least %d", cfg.DataDir, c.Name, top, cfg.Classes,
				cfg.Classes-1, int(top)+1)
		}
	}
	return nil
}
