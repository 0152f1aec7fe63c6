package train

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strconv"

	"github.com/urpc-go/urpc/nn"
	"github.com/urpc-go/urpc/optim"
	"github.com/urpc-go/urpc/urpc/checkpoint"
)

// Checkpoint file names inside the output folder.
const (
	LastCheckpoint = "last.safetensors"
	BestCheckpoint = "best.safetensors"
	momentumName   = "optimizer.momentum_buffer"
	formatVersion  = "1"
)

// State is everything a run needs to continue: the model, the optimiser and the
// counters. The data order and the dropout masks are functions of (seed, step), so
// the step restores them.
type State struct {
	Model    *nn.PPNet[float32]
	Opt      *optim.SGD[float32]
	Step     int // steps completed
	BestDice float64
	BestStep int
	// ValidationPending marks a checkpoint written when an interruption cut the
	// validation of Step short.
	ValidationPending bool
}

// newState builds a freshly initialised model and optimiser for cfg.
func newState(cfg Config) (*State, error) {
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x1417))
	model, err := nn.NewPPNet[float32](cfg.netConfig(), rng)
	if err != nil {
		return nil, err
	}
	opt := optim.NewSGD[float32](len(model.Params.Data), 0.9, 1e-4)
	return &State{Model: model, Opt: opt, BestDice: -1, BestStep: -1}, nil
}

// tensorsOf lists the entries of p as checkpoint tensors (views, not copies).
func tensorsOf(p *nn.Params[float32]) []checkpoint.Tensor {
	out := make([]checkpoint.Tensor, len(p.Entries))
	for i, e := range p.Entries {
		out[i] = checkpoint.Tensor{Name: e.Name, Shape: e.Shape, Data: p.Tensor(i).Data}
	}
	return out
}

// save writes the state to path atomically (temporary file, then rename).
func (s *State) save(path string, cfg Config) error {
	tensors := tensorsOf(s.Model.Params)
	if s.Model.Buffers != nil {
		tensors = append(tensors, tensorsOf(s.Model.Buffers)...)
	}
	optState := s.Opt.State()
	tensors = append(tensors, checkpoint.Tensor{Name: momentumName,
		Shape: []int{len(optState.MomentumBuffer)}, Data: optState.MomentumBuffer})
	configJSON, err := json.Marshal(cfg)
	if err != nil {
		return err
	}
	meta := map[string]string{
		"format": "urpc-go", "version": formatVersion, "config": string(configJSON),
		"step": strconv.Itoa(s.Step), "optimizer_steps": strconv.Itoa(optState.Steps),
		"best_dice":          strconv.FormatFloat(s.BestDice, 'g', -1, 64),
		"best_step":          strconv.Itoa(s.BestStep),
		"validation_pending": strconv.FormatBool(s.ValidationPending),
	}
	if err := checkpoint.Save(path, tensors, meta); err != nil {
		return fmt.Errorf("saving checkpoint: %w", err)
	}
	return nil
}

// loadState reads a checkpoint written by save into a model built for cfg.
func loadState(path string, cfg Config) (*State, error) {
	s, err := newState(cfg)
	if err != nil {
		return nil, err
	}
	tensors, meta, err := checkpoint.Load(path)
	if err != nil {
		return nil, err
	}
	if err := restoreParams(path, s.Model.Params, tensors); err != nil {
		return nil, err
	}
	if s.Model.Buffers != nil {
		if err := restoreParams(path, s.Model.Buffers, tensors); err != nil {
			return nil, err
		}
	}
	if err := s.restoreCounters(path, tensors, meta); err != nil {
		return nil, err
	}
	return s, nil
}

// restoreParams copies every entry of p from tensors, checking names and shapes.
func restoreParams(path string, p *nn.Params[float32], tensors map[string]checkpoint.Tensor) error {
	for i, e := range p.Entries {
		t, ok := tensors[e.Name]
		if !ok {
			return fmt.Errorf("%s: no tensor %q: the checkpoint was made for another "+
				"model configuration", path, e.Name)
		}
		dst := p.Tensor(i).Data
		if len(t.Data) != len(dst) {
			return fmt.Errorf("%s: tensor %q has shape %v, the model wants %v",
				path, e.Name, t.Shape, e.Shape)
		}
		copy(dst, t.Data)
	}
	return nil
}

// restoreCounters reads the optimiser state, the step and the best score.
func (s *State) restoreCounters(path string, tensors map[string]checkpoint.Tensor,
	meta map[string]string) error {
	ints := map[string]*int{"step": &s.Step, "best_step": &s.BestStep}
	optSteps := 0
	ints["optimizer_steps"] = &optSteps
	for key, dst := range ints {
		v, err := strconv.Atoi(meta[key])
		if err != nil {
			return fmt.Errorf("%s: metadata %q is %q, not an integer", path, key, meta[key])
		}
		*dst = v
	}
	best, err := strconv.ParseFloat(meta["best_dice"], 64)
	if err != nil {
		return fmt.Errorf("%s: metadata best_dice is %q", path, meta["best_dice"])
	}
	s.BestDice = best
	s.ValidationPending = meta["validation_pending"] == "true"
	momentum, ok := tensors[momentumName]
	if !ok {
		return fmt.Errorf("%s: no optimizer state %q", path, momentumName)
	}
	return s.Opt.SetState(optim.State[float32]{Steps: optSteps,
		MomentumBuffer: momentum.Data})
}

// checkpointPath returns the path of a checkpoint file in the output folder.
func checkpointPath(cfg Config, name string) string { return filepath.Join(cfg.OutDir, name) }
