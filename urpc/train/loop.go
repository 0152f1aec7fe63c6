package train

import (
	"context"
	"fmt"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/urpc-go/urpc/urpc/data"
)

// trainLoop runs the steps from the current one to cfg.Steps. It returns
// interrupted = true when ctx ended first (after writing the last checkpoint).
func (r *runner) trainLoop(ctx context.Context) (interrupted bool, err error) {
	if r.state.ValidationPending {
		if interrupted, err := r.validateOrStop(ctx); interrupted || err != nil {
			return interrupted, err
		}
	}
	if r.state.Step >= r.cfg.Steps {
		return false, nil
	}
	sampler, err := data.NewSampler(r.sets.labeled, r.sets.unlabeled, r.cfg.LabeledBatch,
		r.unlabeledBatch(), r.augment(), r.cfg.Seed)
	if err != nil {
		return false, err
	}
	loaderCtx, stop := context.WithCancel(ctx)
	defer stop()
	batches := sampler.Prefetch(loaderCtx, r.state.Step, 4)
	bar := r.newBar()

	for r.state.Step < r.cfg.Steps {
		if ctx.Err() != nil {
			return true, r.saveLast("interrupted")
		}
		begin := time.Now()
		result, err := r.trainStep(<-batches)
		if err != nil {
			return false, err
		}
		r.state.Step++
		elapsed := time.Since(begin)
		if err := r.logStep(result, elapsed, bar); err != nil {
			return false, err
		}
		if r.state.Step%r.cfg.ValEvery == 0 || r.state.Step == r.cfg.Steps {
			if interrupted, err := r.validateOrStop(ctx); interrupted || err != nil {
				return interrupted, err
			}
		}
	}
	if bar != nil {
		bar.Finish()
	}
	return false, nil
}

func (r *runner) unlabeledBatch() int {
	if r.cfg.Method == MethodSL {
		return 0
	}
	return r.cfg.UnlabeledBatch
}

func (r *runner) augment() data.Augment {
	return data.Augment{Patch: r.cfg.Patch, Flip: true, Rot90: true, MaxDegrees: r.cfg.MaxDegrees}
}

func (r *runner) newBar() *progressbar.ProgressBar {
	if r.opts.Progress == nil {
		return nil
	}
	bar := progressbar.NewOptions(r.cfg.Steps,
		progressbar.OptionSetWriter(r.opts.Progress),
		progressbar.OptionShowCount(),
		progressbar.OptionSetWidth(20),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionThrottle(200*time.Millisecond),
		progressbar.OptionSetDescription("train"))
	bar.Set(r.state.Step)
	return bar
}

// logStep updates the progress bar every step and writes metrics.csv and a log line
// every LogEvery steps.
func (r *runner) logStep(res *stepResult, elapsed time.Duration,
	bar *progressbar.ProgressBar) error {
	v := res.values
	v["lr"] = res.lr
	v["ms_per_step"] = float64(elapsed.Microseconds()) / 1000
	v["step"] = float64(r.state.Step)
	if bar != nil {
		bar.Describe(fmt.Sprintf("loss %.4f sup %.4f unsup %.4f lambda %.4f",
			v["loss_total"], v["loss_sup"], v["loss_unsup"], v["lambda"]))
		bar.Set(r.state.Step)
	}
	if r.state.Step%r.cfg.LogEvery != 0 && r.state.Step != r.cfg.Steps {
		return nil
	}
	row := make([]float64, len(metricColumns))
	for i, name := range metricColumns {
		row[i] = v[name]
	}
	if err := r.metrics.Write(row...); err != nil {
		return err
	}
	if bar != nil {
		bar.Clear()
	}
	r.log.Info("step", "step", r.state.Step, "loss", v["loss_total"], "sup", v["loss_sup"],
		"ce", v["ce"], "dice_loss", v["dice_loss"], "unsup", v["loss_unsup"],
		"consistency", v["consistency"], "minimisation", v["minimisation"], "lambda", v["lambda"],
		"lr", v["lr"], "ms", int(v["ms_per_step"]))
	return nil
}

// validateOrStop runs validateAndSave; when ctx ends during it, the last checkpoint
// is written with the validation marked pending, so that a resumed run validates this
// step first, as an uninterrupted run would have.
func (r *runner) validateOrStop(ctx context.Context) (interrupted bool, err error) {
	r.state.ValidationPending = true
	err = r.validateAndSave(ctx)
	if err != nil && ctx.Err() != nil {
		return true, r.saveLast("interrupted during validation")
	}
	return false, err
}

// validateAndSave scores the validation cases, keeps the best checkpoint by mean
// foreground Dice and writes the last checkpoint.
func (r *runner) validateAndSave(ctx context.Context) error {
	perClass, meanDice, err := r.validate(ctx)
	if err != nil {
		return err
	}
	row := append([]float64{float64(r.state.Step)}, perClass...)
	if err := r.val.Write(append(row, meanDice)...); err != nil {
		return err
	}
	r.state.ValidationPending = false
	improved := meanDice > r.state.BestDice
	if improved {
		r.state.BestDice, r.state.BestStep = meanDice, r.state.Step
		if err := r.state.save(checkpointPath(r.cfg, BestCheckpoint), r.cfg); err != nil {
			return err
		}
	}
	r.log.Info("validation", "step", r.state.Step, "dice_mean", meanDice,
		"dice_per_class", perClass, "best", r.state.BestDice, "best_step", r.state.BestStep)
	return r.saveLast("")
}

// saveLast writes the last checkpoint; why, when set, goes to the log.
func (r *runner) saveLast(why string) error {
	if err := r.state.save(checkpointPath(r.cfg, LastCheckpoint), r.cfg); err != nil {
		return err
	}
	if why != "" {
		r.log.Info("checkpoint written", "step", r.state.Step, "why", why,
			"resume_with", "-resume -out "+r.cfg.OutDir)
	}
	return nil
}
