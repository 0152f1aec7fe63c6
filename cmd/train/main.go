// Command train trains URPC (or the supervised baseline) on a NIfTI data set.
//
// With no arguments it trains on the hippocampus MRI volumes in data/hippocampus with
// 10% of the training labels, URPC with S = 4 heads, rectified consistency (UR) and
// uncertainty minimisation (UM), and writes into runs/urpc: config.json,
// metrics.csv, validation.csv, best and last checkpoints (safetensors), test metrics
// (CSV, JSON and a printed table), predicted label maps and uncertainty maps (NIfTI)
// and PNG figures. Ctrl-C writes a checkpoint; -resume continues the run.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/term"

	"github.com/urpc-go/urpc/tensor"
	"github.com/urpc-go/urpc/urpc/train"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stderr))
}

// run parses args, trains and returns the exit status: 0 done, 1 training failed,
// 2 bad usage, 130 interrupted with a resumable checkpoint saved.
func run(args []string, stderr io.Writer) int {
	tensor.SetFreeListGCPercent()
	cfg, opts, explain, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "train:", err)
		fmt.Fprintln(stderr, "(go run ./cmd/train -h lists the flags)")
		return 2
	}
	if opts.Resume {
		saved, err := train.LoadConfig(filepath.Join(cfg.OutDir, "config.json"))
		if err != nil {
			fmt.Fprintln(stderr, "train: -resume:", err)
			return 2
		}
		saved.OutDir = cfg.OutDir
		cfg = saved
		fmt.Fprintln(stderr, "train: resuming with the configuration saved in",
			filepath.Join(cfg.OutDir, "config.json")+"; other flags are ignored")
	}
	if err := cfg.Validate(); err != nil {
		fmt.Fprintln(stderr, "train:", strings.ReplaceAll(err.Error(), "\n", "\ntrain: "))
		return 2
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	if explain {
		return runExplain(cfg, os.Stdout, logger)
	}
	opts.Log = logger
	if f, ok := stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		opts.Progress = stderr
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	summary, err := train.Run(ctx, cfg, opts)
	if err != nil {
		logger.Error("training stopped", "err", err)
		return 1
	}
	report(summary, cfg, logger)
	if summary.Interrupted {
		return exitInterrupted
	}
	return 0
}

// exitInterrupted is the exit status of a run stopped by Ctrl-C or SIGTERM after it
// saved a resumable checkpoint: 128 + SIGINT, as shells report an interrupted command,
// so that scripts do not take the unfinished run for a finished one.
const exitInterrupted = 130

// report logs how the run ended and prints the test table of a finished run.
func report(s *train.Summary, cfg train.Config, logger *slog.Logger) {
	if s.Interrupted {
		logger.Warn("interrupted; the last checkpoint is resumable", "step", s.Steps,
			"resume_with", "go run ./cmd/train -resume -out "+cfg.OutDir)
		return
	}
	logger.Info("done", "steps", s.Steps, "best_val_dice", s.BestDice,
		"best_step", s.BestStep, "elapsed", s.Elapsed.Round(1e9).String(), "out", cfg.OutDir)
	if s.Test != nil {
		fmt.Printf("\nTest set (%d cases), best checkpoint (step %d):\n%s", len(s.Test.Cases),
			s.Test.Step, s.Test.FormatTable())
	}
}

// patchFlag parses a patch size "D,H,W" (or one number for a cube).
type patchFlag struct{ p *[3]int }

func (f patchFlag) String() string {
	if f.p == nil {
		return ""
	}
	return fmt.Sprintf("%d,%d,%d", f.p[0], f.p[1], f.p[2])
}

func (f patchFlag) Set(s string) error {
	parts := strings.Split(s, ",")
	if len(parts) == 1 {
		parts = []string{parts[0], parts[0], parts[0]}
	}
	if len(parts) != 3 {
		return fmt.Errorf("want D,H,W or one size, got %q", s)
	}
	for i, part := range parts {
		v, err := strconv.Atoi(strings.TrimSpace(part))
		if err != nil {
			return fmt.Errorf("want integers, got %q", s)
		}
		f.p[i] = v
	}
	return nil
}
