package vk

import (
	"strings"
	"testing"

	"github.com/urpc-go/urpc/nn"
	"github.com/urpc-go/urpc/optim"
	"github.com/urpc-go/urpc/tensor"
)

// TestPPNetTrainerMisuse checks the errors and panics of PPNetTrainer: batch norm,
// a foreign optimiser, an input side that is not a multiple of 16, perturbations
// without a source, and Backward without Forward or with the wrong gradients.
func TestPPNetTrainerMisuse(t *testing.T) {
	d := testDevice(t)
	cfg := nn.PPNetConfig{InChannels: 1, Classes: 2, Base: 1, Heads: 2,
		Perturb: nn.PerturbPaper, Norm: nn.NormBatch}
	batchNet, err := nn.NewPPNet[float32](cfg, tensor.NewRNG(1))
	if err != nil {
		t.Fatal(err)
	}
	opt := optim.NewSGD[float32](batchNet.Params.Len(), 0.9, 1e-4)
	if _, err := NewPPNetTrainer(d, batchNet, opt); err == nil ||
		!strings.Contains(err.Error(), "norm") {
		t.Errorf("batch norm: got %v, want an error naming the norm", err)
	}

	cfg.Norm = nn.NormInstance
	net, _ := nn.NewPPNet[float32](cfg, tensor.NewRNG(1))
	if _, err := NewPPNetTrainer(d, net, optim.NewSGD[float32](3, 0.9, 0)); err == nil {
		t.Error("an optimiser of another size was accepted")
	}
	trainer, err := NewPPNetTrainer(d, net, optim.NewSGD[float32](net.Params.Len(), 0.9, 0))
	if err != nil {
		t.Fatal(err)
	}
	defer trainer.Close()
	if _, err := trainer.Forward(tensor.Zeros[float32](1, 1, 16, 16, 24), nil); err == nil {
		t.Error("an input side of 24 was accepted")
	}
	images := tensor.Zeros[float32](1, 1, 16, 16, 16)
	if _, err := trainer.Forward(images, nil); err == nil {
		t.Error("paper perturbations without a source were accepted")
	}
	mustPanic(t, "Backward without Forward", func() { trainer.Backward(nil) })
	logits, err := trainer.Forward(images, nn.RandomPerturbation[float32]{Rng: tensor.NewRNG(2)})
	if err != nil {
		t.Fatal(err)
	}
	mustPanic(t, "Backward with one gradient for two heads", func() {
		trainer.Backward(logits[:1])
	})
}

// mustPanic fails unless f panics with a message starting with "vk:".
func mustPanic(t *testing.T, what string, f func()) {
	t.Helper()
	defer func() {
		msg, _ := recover().(string)
		if !strings.HasPrefix(msg, "vk:") {
			t.Errorf("%s: recovered %q, want a vk: panic", what, msg)
		}
	}()
	f()
}
