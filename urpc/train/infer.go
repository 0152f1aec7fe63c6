package train

import (
	"encoding/json"
	"fmt"

	"github.com/urpc-go/urpc/nn"
	"github.com/urpc-go/urpc/urpc/checkpoint"
	"github.com/urpc-go/urpc/urpc/data"
	"github.com/urpc-go/urpc/urpc/window"
)

// Predictor segments volumes with a trained model.
type Predictor struct {
	Config Config
	Model  *nn.PPNet[float32]
}

// LoadPredictor reads a checkpoint written by training; the model configuration comes
// from the checkpoint's metadata.
func LoadPredictor(path string) (*Predictor, error) {
	_, meta, err := checkpoint.Load(path)
	if err != nil {
		return nil, err
	}
	var cfg Config
	if err := json.Unmarshal([]byte(meta["config"]), &cfg); err != nil {
		return nil, fmt.Errorf("%s: metadata \"config\" is not a training configuration: %w",
			path, err)
	}
	state, err := loadState(path, cfg)
	if err != nil {
		return nil, err
	}
	return &Predictor{Config: cfg, Model: state.Model}, nil
}

// Segment returns the label map [D, H, W] of a normalised case and its uncertainty
// map D_0 (Eq. 4), by sliding windows of the training patch with half-patch strides.
func (p *Predictor) Segment(c *data.Case) (labels []uint8, uncertainty []float32, err error) {
	r := &runner{cfg: p.Config, state: &State{Model: p.Model}}
	return r.segmentWithUncertainty(c)
}

// WindowOptions returns the sliding-window settings the predictor uses.
func (p *Predictor) WindowOptions() window.Options {
	r := &runner{cfg: p.Config}
	return r.windowOptions()
}
