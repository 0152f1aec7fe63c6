package main

import (
	"fmt"
	"io"
	"log/slog"

	"github.com/urpc-go/urpc/urpc/train"
)

// runExplain prints every term of Eq. 1-6 for one batch, next to its function.
func runExplain(cfg train.Config, stdout io.Writer, logger *slog.Logger) int {
	terms, err := train.Explain(cfg, logger)
	if err != nil {
		logger.Error("explain", "err", err)
		return 1
	}
	fmt.Fprintf(stdout, "One batch (%d labelled + %d unlabelled patches %v), step 0, "+
		"method %s, S = %d, form %s, KL %s:\n\n", cfg.LabeledBatch, cfg.UnlabeledBatch,
		cfg.Patch, cfg.Method, cfg.Heads, cfg.Form, cfg.KL)
	fmt.Fprintf(stdout, "%-8s %-34s %5s %14s  %s\n", "equation", "term", "scale", "value",
		"computed by")
	for _, t := range terms {
		scale := "all"
		if t.Scale >= 0 {
			scale = fmt.Sprint(t.Scale)
		}
		fmt.Fprintf(stdout, "%-8s %-34s %5s %14.8f  %s\n", t.Equation, t.Name, scale, t.Value,
			t.Function)
	}
	return 0
}

func errorf(format string, args ...any) error { return fmt.Errorf(format, args...) }
