package train

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/urpc-go/urpc/asm"
	"github.com/urpc-go/urpc/autograd"
	"github.com/urpc-go/urpc/optim"
	"github.com/urpc-go/urpc/tensor"
	"github.com/urpc-go/urpc/urpc"
	"github.com/urpc-go/urpc/urpc/data"
	"github.com/urpc-go/urpc/urpc/report"
)

// Options are the choices of one invocation that are not part of the model's
// configuration.
type Options struct {
	// Resume continues from OutDir/last.safetensors.
	Resume bool
	// Log receives one line per logging step; nil discards.
	Log *slog.Logger
	// Progress receives a progress bar; nil shows none.
	Progress io.Writer
	// SkipTest stops after training, without the test-set evaluation.
	SkipTest bool
}

// Summary is the outcome of Run.
type Summary struct {
	Steps       int
	BestDice    float64
	BestStep    int
	Interrupted bool
	Test        *TestReport
	Elapsed     time.Duration
}

// runner holds one training run.
type runner struct {
	cfg     Config
	opts    Options
	log     *slog.Logger
	state   *State
	lossCfg urpc.Config
	ramp    urpc.Ramp
	sets    *caseSets
	metrics *report.CSVWriter
	val     *report.CSVWriter
	device  *vulkanStepper // nil on the CPU
}

// ErrNonFinite marks a loss that became NaN or infinite; the run stops and keeps
// its last good checkpoint.
var ErrNonFinite = errors.New("non-finite loss")

// Run trains a model as cfg says, writing everything into cfg.OutDir.
func Run(ctx context.Context, cfg Config, opts Options) (*Summary, error) {
	start := time.Now()
	r, err := newRunner(cfg, opts)
	if err != nil {
		return nil, err
	}
	defer r.close()

	interrupted, err := r.trainLoop(ctx)
	summary := &Summary{Steps: r.state.Step, BestDice: r.state.BestDice,
		BestStep: r.state.BestStep, Interrupted: interrupted}
	if err != nil || interrupted || opts.SkipTest {
		summary.Elapsed = time.Since(start)
		return summary, err
	}

	if err := r.writePlots(); err != nil {
		return summary, err
	}
	summary.Test, err = r.testBest(ctx)
	summary.Elapsed = time.Since(start)
	if err != nil && ctx.Err() != nil {
		// Training is complete and checkpointed; a resumed run redoes the test.
		summary.Interrupted, summary.Test = true, nil
		return summary, nil
	}
	return summary, err
}

// newRunner prepares the output folder, the data and the model (fresh or resumed).
func newRunner(cfg Config, opts Options) (*runner, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	r := &runner{cfg: cfg, opts: opts, log: opts.Log}
	if r.log == nil {
		r.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	r.lossCfg, _ = cfg.lossConfig()
	r.ramp, _ = cfg.ramp()
	runtime.GOMAXPROCS(cfg.Threads)
	asm.SetThreads(cfg.Threads)
	if err := r.openDevice(); err != nil {
		return nil, err
	}
	if err := r.prepare(); err != nil {
		r.closeDevice()
		return nil, err
	}
	return r, nil
}

// prepare loads the data, prepares the output folder, builds or restores the model,
// uploads it to the device, if any, and opens the logs.
func (r *runner) prepare() error {
	sets, err := loadCaseSets(r.cfg, r.log)
	if err != nil {
		return err
	}
	r.sets = sets
	for _, step := range []func() error{r.prepareOutDir, r.initState, r.uploadModel,
		r.openLogs} {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

// prepareOutDir creates the output folder and writes config.json; a folder that
// already holds a run is only reused with Resume.
func (r *runner) prepareOutDir() error {
	last := checkpointPath(r.cfg, LastCheckpoint)
	_, statErr := os.Stat(last)
	switch {
	case r.opts.Resume && statErr != nil:
		return fmt.Errorf("-resume: no checkpoint %s to resume from", last)
	case !r.opts.Resume && statErr == nil:
		return fmt.Errorf("output folder %s already holds a run: pass -resume to continue "+
			"it, or choose another -out", r.cfg.OutDir)
	}
	if err := os.MkdirAll(r.cfg.OutDir, 0o755); err != nil {
		return fmt.Errorf("output folder: %w", err)
	}
	raw, err := json.MarshalIndent(r.cfg, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(r.cfg.OutDir, "config.json"), append(raw, '\n'))
}

// initState builds the model, or restores it from the last checkpoint.
func (r *runner) initState() error {
	var err error
	if r.opts.Resume {
		r.state, err = loadState(checkpointPath(r.cfg, LastCheckpoint), r.cfg)
		if err == nil {
			r.log.Info("resumed", "step", r.state.Step, "best_dice", r.state.BestDice)
		}
		return err
	}
	r.state, err = newState(r.cfg)
	if err == nil {
		r.log.Info("model", "parameters", len(r.state.Model.Params.Data),
			"heads", r.cfg.Heads, "base", r.cfg.Base)
	}
	return err
}

// metricColumns are the columns of metrics.csv, one row per logging step.
var metricColumns = []string{"step", "loss_total", "loss_sup", "ce", "dice_loss",
	"loss_unsup", "consistency", "minimisation", "uncertainty", "lambda", "lr", "ms_per_step"}

// openLogs opens metrics.csv and validation.csv: fresh for a new run, and for a
// resumed one keeping the rows up to the checkpoint's step (later rows are redone).
func (r *runner) openLogs() error {
	keepUpTo := -1
	if r.opts.Resume {
		keepUpTo = r.state.Step
	}
	var err error
	r.metrics, err = report.OpenCSV(filepath.Join(r.cfg.OutDir, "metrics.csv"),
		metricColumns, keepUpTo)
	if err != nil {
		return err
	}
	columns := []string{"step"}
	for c := 1; c < r.cfg.Classes; c++ {
		columns = append(columns, fmt.Sprintf("dice_class%d", c))
	}
	columns = append(columns, "dice_mean")
	r.val, err = report.OpenCSV(filepath.Join(r.cfg.OutDir, "validation.csv"), columns,
		keepUpTo)
	return err
}

func (r *runner) close() {
	r.closeDevice()
	if r.metrics != nil {
		r.metrics.Close()
	}
	if r.val != nil {
		r.val.Close()
	}
}

// stepResult is what one optimisation step reports.
type stepResult struct {
	loss   *urpc.Result[float32]
	lr     float64
	values map[string]float64
}

// trainStep runs forward, the losses, backward and the SGD update on one batch.
func (r *runner) trainStep(b *data.Batch) (*stepResult, error) {
	if r.device != nil {
		return r.deviceStep(b)
	}
	model := r.state.Model
	tape := autograd.NewTape[float32]()
	p := b.Patch
	x := tape.Const(tensor.FromSlice(b.Images, b.N, 1, p[0], p[1], p[2]))
	dropout := rand.New(rand.NewPCG(r.cfg.Seed^0xd0d0, uint64(b.Step)))
	logits, err := model.Forward(tape, x, true, dropout)
	if err != nil {
		return nil, err
	}

	lambda := 0.0
	if r.cfg.Method == MethodURPC {
		lambda = r.ramp.Lambda(b.Step)
	}
	loss := urpc.Loss(logits, b.Labels, b.Labeled, lambda, r.lossCfg)
	values := lossValues(loss)
	for _, name := range []string{"loss_sup", "loss_unsup", "loss_total"} {
		if v, ok := values[name]; ok && (math.IsNaN(v) || math.IsInf(v, 0)) {
			return nil, fmt.Errorf("step %d: %s = %v: %w", b.Step, name, v, ErrNonFinite)
		}
	}

	model.Params.ZeroGrad()
	tape.BackwardRecycling(loss.Total)
	lr := optim.PolyLRAtStep(r.cfg.LR, b.Step, r.cfg.Steps, 0.9)
	r.state.Opt.Step(model.Params.Data, model.Params.Grad, lr)
	return &stepResult{loss: loss, lr: lr, values: values}, nil
}

// lossValues flattens the terms of a loss result for logging.
func lossValues(loss *urpc.Result[float32]) map[string]float64 {
	values := map[string]float64{"loss_total": float64(loss.Total.Data.Item()),
		"lambda": loss.Lambda}
	if s := loss.Supervised; s != nil {
		values["loss_sup"] = float64(s.Loss.Data.Item())
		values["ce"] = mean(s.CrossEntropy)
		values["dice_loss"] = mean(s.Dice)
	}
	if u := loss.Unsupervised; u != nil {
		values["loss_unsup"] = float64(u.Loss.Data.Item())
		values["consistency"] = float64(u.Consistency.Data.Item())
		if u.Minimisation != nil {
			values["minimisation"] = float64(u.Minimisation.Data.Item())
		}
		values["uncertainty"] = mean(u.Uncertainty)
	}
	return values
}

func mean(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	total := 0.0
	for _, x := range xs {
		total += x
	}
	return total / float64(len(xs))
}

// writeFileAtomic writes data to a temporary file beside path and renames it; the file
// is readable by all (0644), as the other outputs of a run.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return os.Rename(tmp.Name(), path)
}
