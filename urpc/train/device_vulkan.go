package train

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/urpc-go/urpc/nn"
	"github.com/urpc-go/urpc/optim"
	"github.com/urpc-go/urpc/tensor"
	"github.com/urpc-go/urpc/urpc/data"
	"github.com/urpc-go/urpc/vk"
)

// vulkanStepper runs the training steps of a run with -device vulkan[:N]: the network's
// forward and backward passes and the SGD update on the device, the losses on the CPU
// (vk.PPNetTrainer).
type vulkanStepper struct {
	dev     *vk.Device
	trainer *vk.PPNetTrainer
}

// openDevice opens the Vulkan device of cfg.Device, before anything is loaded or
// written, so that a missing driver or a wrong device index stops the run at once; it
// does nothing for the CPU.
func (r *runner) openDevice() error {
	if r.cfg.Device == "cpu" {
		return nil
	}
	dev, err := vk.Open(r.cfg.Device)
	if err != nil {
		return fmt.Errorf("-device %s: %w", r.cfg.Device, err)
	}
	r.device = &vulkanStepper{dev: dev}
	return nil
}

// uploadModel uploads the model and the optimiser state to the open device, if any.
func (r *runner) uploadModel() error {
	if r.device == nil {
		return nil
	}
	trainer, err := vk.NewPPNetTrainer(r.device.dev, r.state.Model, r.state.Opt)
	if err != nil {
		return fmt.Errorf("-device %s: %w", r.cfg.Device, err)
	}
	r.device.trainer = trainer
	r.log.Info("device", "name", r.device.dev.Name(), "parameters",
		r.state.Model.Params.Len())
	return nil
}

// closeDevice releases the device and its trainer, if any.
func (r *runner) closeDevice() {
	if r.device == nil {
		return
	}
	if r.device.trainer != nil {
		r.device.trainer.Close()
	}
	r.device.dev.Close()
	r.device = nil
}

// deviceStep is trainStep on the device: the same batch, dropout rng, lambda, loss,
// learning rate and non-finite check. The parameters and the optimiser state are
// copied back into r.state after every step, so that validation, checkpoints and an
// interruption see the current model.
//
// TODO(speed): the copy back (two memcpys of the parameter count) could wait for the
// steps that validate or save.
func (r *runner) deviceStep(b *data.Batch) (*stepResult, error) {
	trainer := r.device.trainer
	p := b.Patch
	images := tensor.FromSlice(b.Images, b.N, 1, p[0], p[1], p[2])
	dropout := rand.New(rand.NewPCG(r.cfg.Seed^0xd0d0, uint64(b.Step)))
	logits, err := trainer.Forward(images, nn.RandomPerturbation[float32]{Rng: dropout})
	if err != nil {
		return nil, err
	}

	lambda := 0.0
	if r.cfg.Method == MethodURPC {
		lambda = r.ramp.Lambda(b.Step)
	}
	loss, logitGrads := vk.URPCLoss(logits, b.Labels, b.Labeled, lambda, r.lossCfg)
	values := lossValues(loss)
	for _, name := range []string{"loss_sup", "loss_unsup", "loss_total"} {
		if v, ok := values[name]; ok && (math.IsNaN(v) || math.IsInf(v, 0)) {
			return nil, fmt.Errorf("step %d: %s = %v: %w", b.Step, name, v, ErrNonFinite)
		}
	}

	trainer.Backward(logitGrads)
	lr := optim.PolyLRAtStep(r.cfg.LR, b.Step, r.cfg.Steps, 0.9)
	trainer.Update(lr)
	if err := trainer.SyncToHost(r.state.Opt); err != nil {
		return nil, err
	}
	return &stepResult{loss: loss, lr: lr, values: values}, nil
}
