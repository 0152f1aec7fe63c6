package main

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/urpc-go/urpc/autograd"
	"github.com/urpc-go/urpc/nn"
	"github.com/urpc-go/urpc/tensor"
	"github.com/urpc-go/urpc/vk"
)

// runVulkanStep times the step of runGoStep with the network on a Vulkan device
// (vk.PPNetTrainer): forward through all heads on the device, the logits downloaded,
// the same loss and its logit gradients on the CPU, the gradients uploaded, backward
// and SGD on the device. Each timed step ends when the device is idle.
func runVulkanStep(s setting, device string, out io.Writer) error {
	p, err := newStepProblem(s)
	if err != nil {
		return err
	}
	dev, err := vk.Open(device)
	if err != nil {
		return err
	}
	defer dev.Close()
	trainer, err := vk.NewPPNetTrainer(dev, p.model, p.sgd)
	if err != nil {
		return err
	}
	defer trainer.Close()

	res := stepResult{Impl: "go+vulkan " + dev.Name(), Threads: s.threads,
		Parameters: p.model.Params.Len()}
	err = timeSteps(s, &res, func() (float64, error) {
		loss, err := vulkanTrainStep(trainer, p)
		dev.Sync()
		return loss, err
	})
	if err != nil {
		return err
	}
	return json.NewEncoder(out).Encode(res)
}

// vulkanTrainStep runs one device training step and returns the loss.
func vulkanTrainStep(trainer *vk.PPNetTrainer, p *stepProblem) (float64, error) {
	logits, err := trainer.Forward(p.x, nn.RandomPerturbation[float32]{Rng: p.rng})
	if err != nil {
		return 0, err
	}
	tape := autograd.NewTape[float32]()
	leaves := make([]*autograd.Value[float32], len(logits))
	for i, l := range logits {
		leaves[i] = tape.Leaf(l)
	}
	loss := meanCrossEntropy(leaves, p.labels)
	tape.Backward(loss)

	logitGrads := make([]*tensor.Tensor[float32], len(leaves))
	for i, leaf := range leaves {
		logitGrads[i] = leaf.GradOrZeros()
	}
	trainer.Backward(logitGrads)
	trainer.Update(0.01)
	value := float64(loss.Data.Item())
	if value != value {
		return 0, fmt.Errorf("bench: the loss is NaN")
	}
	return value, nil
}
