package train

import (
	"context"

	"github.com/urpc-go/urpc/autograd"
	"github.com/urpc-go/urpc/nn"
	"github.com/urpc-go/urpc/tensor"
	"github.com/urpc-go/urpc/urpc"
	"github.com/urpc-go/urpc/urpc/data"
	"github.com/urpc-go/urpc/urpc/metrics"
	"github.com/urpc-go/urpc/urpc/window"
)

// windowOptions are the sliding-window settings of validation and testing: the
// training patch, half-patch strides, four windows per forward pass.
func (r *runner) windowOptions() window.Options {
	p := r.cfg.Patch
	return window.Options{Patch: p, Stride: [3]int{p[0] / 2, p[1] / 2, p[2] / 2}, BatchSize: 4}
}

// validate segments every validation case and returns the Dice of each foreground
// class averaged over cases, and their mean.
func (r *runner) validate(ctx context.Context) (perClass []float64, meanDice float64, err error) {
	perClass = make([]float64, r.cfg.Classes-1)
	for _, c := range r.sets.val {
		if err := ctx.Err(); err != nil {
			return nil, 0, err
		}
		pred, err := window.Segment(c.Image, c.Shape, r.cfg.Classes, r.windowOptions(),
			probabilityPredictor(r.state.Model))
		if err != nil {
			return nil, 0, err
		}
		for class := 1; class < r.cfg.Classes; class++ {
			perClass[class-1] += dice(pred, c.Label, uint8(class)) / float64(len(r.sets.val))
		}
	}
	return perClass, mean(perClass), nil
}

// dice returns 2|P∩G|/(|P|+|G|) for one class, 1 when both are empty.
func dice(pred, truth []uint8, class uint8) float64 {
	inter, total := 0, 0
	for i := range pred {
		p, g := pred[i] == class, truth[i] == class
		if p && g {
			inter++
		}
		if p {
			total++
		}
		if g {
			total++
		}
	}
	if total == 0 {
		return 1
	}
	return 2 * float64(inter) / float64(total)
}

// probabilityPredictor returns a window.Predictor giving the model's class
// probabilities (main head, or the mean of heads, as the model is configured).
func probabilityPredictor(model *nn.PPNet[float32]) window.Predictor {
	return func(batch []float32, n int, p [3]int) ([]float32, error) {
		probs, err := model.Predict(tensor.FromSlice(batch, n, 1, p[0], p[1], p[2]))
		if err != nil {
			return nil, err
		}
		return probs.Data, nil
	}
}

// uncertaintyPredictor returns a window.Predictor giving C+1 channels per voxel: the
// class probabilities of the model's inference rule, then D_0 (Eq. 4), the divergence
// of the full-resolution head from the mean prediction of all heads.
func uncertaintyPredictor(model *nn.PPNet[float32], direction urpc.KLDirection) window.Predictor {
	return func(batch []float32, n int, p [3]int) ([]float32, error) {
		tape := autograd.NewNoGradTape[float32]()
		x := tape.Const(tensor.FromSlice(batch, n, 1, p[0], p[1], p[2]))
		logits, err := model.Forward(tape, x, false, nil)
		if err != nil {
			return nil, err
		}
		logProbs := make([]*autograd.Value[float32], len(logits))
		for s, z := range logits {
			logProbs[s] = autograd.LogSoftmax(z, 1)
		}
		logMean := urpc.LogMeanPrediction(logProbs)
		d0 := urpc.Uncertainty(logProbs[0], logMean, direction)

		probs := tensor.Exp(logProbs[0].Data)
		if model.Config.Inference == nn.InferMean {
			probs = tensor.Exp(logMean.Data)
		}
		return tensor.Concat(1, probs, d0.Data).Data, nil
	}
}

// caseScores are the metrics of one test case.
type caseScores struct {
	Name     string           `json:"case"`
	PerClass []metrics.Result `json:"per_class"`
	Mean     metrics.Result   `json:"mean"`
}

// segmentWithUncertainty returns the label map and the D_0 map of one case.
func (r *runner) segmentWithUncertainty(c *data.Case) ([]uint8, []float32, error) {
	classes := r.cfg.Classes
	kl, _ := r.cfg.lossConfig()
	out, err := window.Predict(c.Image, c.Shape, classes+1, r.windowOptions(),
		uncertaintyPredictor(r.state.Model, kl.KL))
	if err != nil {
		return nil, nil, err
	}
	v := c.Voxels()
	labels := window.Argmax(out[:classes*v], classes, c.Shape)
	return labels, out[classes*v:], nil
}
