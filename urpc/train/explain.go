package train

import (
	"log/slog"

	"github.com/urpc-go/urpc/urpc"
	"github.com/urpc-go/urpc/urpc/data"
)

// Explain runs one training step's forward pass and losses on the first batch and
// returns every term of Eq. 1-6 with the function that computes it. Nothing is written.
func Explain(cfg Config, log *slog.Logger) ([]urpc.Term, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	r := &runner{cfg: cfg, log: log}
	r.lossCfg, _ = cfg.lossConfig()
	r.ramp, _ = cfg.ramp()
	sets, err := loadCaseSets(cfg, log)
	if err != nil {
		return nil, err
	}
	r.sets = sets
	if r.state, err = newState(cfg); err != nil {
		return nil, err
	}
	sampler, err := data.NewSampler(sets.labeled, sets.unlabeled, cfg.LabeledBatch,
		r.unlabeledBatch(), r.augment(), cfg.Seed)
	if err != nil {
		return nil, err
	}
	result, err := r.trainStep(sampler.Batch(0))
	if err != nil {
		return nil, err
	}
	return result.loss.Explain(), nil
}
