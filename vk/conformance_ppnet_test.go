package vk

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/urpc-go/urpc/autograd"
	"github.com/urpc-go/urpc/nn"
	"github.com/urpc-go/urpc/optim"
	"github.com/urpc-go/urpc/tensor"
	"github.com/urpc-go/urpc/urpc"
)

// trainSetting is a tiny URPC training run: PPNet with base 2 and S heads on a batch
// of one labelled and one unlabelled 16^3 volume, a few SGD steps.
type trainSetting struct {
	perturb      string
	heads, steps int
}

const (
	trainSide    = 16
	trainLambda  = 0.5
	trainLR      = 0.1
	trainClasses = 3
)

func init() {
	for _, s := range []trainSetting{
		{nn.PerturbNone, 4, 3}, {nn.PerturbReference, 4, 3}, {nn.PerturbPaper, 4, 3},
		{nn.PerturbPaper, 5, 1}, {nn.PerturbReference, 1, 1},
	} {
		register(conformanceCase{
			name: fmt.Sprintf("ppnet-train-steps/perturb=%s,heads=%d,steps=%d", s.perturb,
				s.heads, s.steps),
			run: func(t *testing.T, d *Device) []result { return trainCase(t, d, s) },
		})
	}
}

// trainBatch returns the images [2, 1, 16, 16, 16] and the labels [1, 16, 16, 16].
func trainBatch() (*tensor.Tensor[float32], []uint8) {
	images := randomTensor(41, 2, 1, trainSide, trainSide, trainSide)
	rng := tensor.NewRNG(42)
	labels := make([]uint8, trainSide*trainSide*trainSide)
	for i := range labels {
		labels[i] = uint8(rng.IntN(trainClasses))
	}
	return images, labels
}

// newTrainModel returns the model and optimiser both runs start from.
func newTrainModel(t *testing.T, s trainSetting) (*nn.PPNet[float32], *optim.SGD[float32]) {
	cfg := nn.PPNetConfig{InChannels: 1, Classes: trainClasses, Base: 2, Heads: s.heads,
		Perturb: s.perturb, Norm: nn.NormInstance}
	model, err := nn.NewPPNet[float32](cfg, tensor.NewRNG(43))
	if err != nil {
		t.Fatal(err)
	}
	return model, optim.NewSGD[float32](model.Params.Len(), 0.9, 1e-4)
}

// stepRNG is the perturbation rng of a step, the same in both runs.
func stepRNG(step int) *rand.Rand { return rand.New(rand.NewPCG(44, uint64(step))) }

// trainCase runs the steps with the CPU autograd path (nn.PPNet.Forward, urpc.Loss,
// Backward, optim.SGD, as urpc/train does) and with PPNetTrainer, and compares the
// total loss of every step, the parameter gradients of the first step, and the
// parameters and momentum buffer after the last step.
func trainCase(t *testing.T, d *Device, s trainSetting) []result {
	images, labels := trainBatch()
	lossCfg := urpc.DefaultConfig()

	model, opt := newTrainModel(t, s)
	var cpuLoss []float32
	var cpuGrad []float32
	for step := range s.steps {
		tape := autograd.NewTape[float32]()
		logits, err := model.Forward(tape, tape.Const(images), true, stepRNG(step))
		if err != nil {
			t.Fatal(err)
		}
		loss := urpc.Loss(logits, labels, 1, trainLambda, lossCfg)
		model.Params.ZeroGrad()
		tape.Backward(loss.Total)
		if step == 0 {
			cpuGrad = append([]float32(nil), model.Params.Grad...)
		}
		opt.Step(model.Params.Data, model.Params.Grad, trainLR)
		cpuLoss = append(cpuLoss, loss.Total.Data.Item())
	}

	devModel, devOpt := newTrainModel(t, s)
	trainer, err := NewPPNetTrainer(d, devModel, devOpt)
	if err != nil {
		t.Fatal(err)
	}
	defer trainer.Close()
	var devLoss, devGrad []float32
	for step := range s.steps {
		logits, err := trainer.Forward(images, nn.RandomPerturbation[float32]{Rng: stepRNG(step)})
		if err != nil {
			t.Fatal(err)
		}
		loss, grads := URPCLoss(logits, labels, 1, trainLambda, lossCfg)
		trainer.Backward(grads)
		if step == 0 {
			devGrad = trainer.Gradients()
		}
		trainer.Update(trainLR)
		devLoss = append(devLoss, loss.Total.Data.Item())
	}
	if err := trainer.SyncToHost(devOpt); err != nil {
		t.Fatal(err)
	}
	t.Logf("losses: cpu %v, vulkan %v", cpuLoss, devLoss)
	checkClose(t, result{"gradients of step 1", devGrad, cpuGrad}, gradientTol)
	checkClose(t, result{"momentum buffer", devOpt.State().MomentumBuffer,
		opt.State().MomentumBuffer}, gradientTol)
	checkClose(t, result{fmt.Sprintf("parameters after %d steps", s.steps),
		devModel.Params.Data, model.Params.Data}, parameterTol)
	return []result{{"loss per step", devLoss, cpuLoss}}
}

// gradientTol and parameterTol bound the relative differences of the flat gradient and
// parameter buffers. On this run the float32 CPU gradients themselves differ from a
// float64 evaluation of the same step by up to 2e-3 (instance norm backward at the
// 1^3 and 2^3 levels cancels), and the device's by about as much; the losses agree to
// about 1e-7 and are held to the table's 1e-4.
const (
	gradientTol  = 5e-3
	parameterTol = 5e-4
)
