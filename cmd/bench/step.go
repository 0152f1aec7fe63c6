package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/pprof"
	"syscall"
	"time"

	"github.com/urpc-go/urpc/asm"
	"github.com/urpc-go/urpc/autograd"
	"github.com/urpc-go/urpc/nn"
	"github.com/urpc-go/urpc/optim"
	"github.com/urpc-go/urpc/tensor"
	"github.com/urpc-go/urpc/urpc"
)

// stepResult is what one timed run reports, from the Go child or the PyTorch script.
type stepResult struct {
	Impl       string    `json:"impl"`
	Threads    int       `json:"threads"`
	TimesMS    []float64 `json:"times_ms"`
	CPUTimesMS []float64 `json:"cpu_times_ms"`
	Losses     []float64 `json:"losses"`
	MaxRSSKiB  int64     `json:"maxrss_kib"`
	Parameters int       `json:"parameters"`
}

// cpuTime returns the user plus system CPU time of this process.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// runGoStep times s.warmup+s.reps float32 PPNet training steps in this process and
// writes a stepResult as JSON: zero the gradients, forward through all heads (training
// mode, perturbations drawn), the mean over heads of the cross-entropy, backward, and
// an SGD step (lr 0.01, momentum 0.9, weight decay 1e-4).
func runGoStep(s setting, cpuProfile string, out io.Writer) error {
	p, err := newStepProblem(s)
	if err != nil {
		return err
	}
	model, x, labels, sgd, rng := p.model, p.x, p.labels, p.sgd, p.rng

	if cpuProfile != "" {
		f, err := os.Create(cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	res := stepResult{Impl: "go " + runtime.Version() + " asm " + asm.Impl(),
		Threads: s.threads, Parameters: model.Params.Len()}
	err = timeSteps(s, &res, func() (float64, error) {
		return trainStep(model, sgd, x, labels, rng)
	})
	if err != nil {
		return err
	}
	return json.NewEncoder(out).Encode(res)
}

// timeSteps runs s.warmup+s.reps steps and appends the wall and CPU time of the timed
// ones, and every step's loss, to res.
func timeSteps(s setting, res *stepResult, step func() (float64, error)) error {
	for rep := range s.warmup + s.reps {
		start, startCPU := time.Now(), cpuTime()
		loss, err := step()
		if err != nil {
			return err
		}
		wall, cpu := time.Since(start), cpuTime()-startCPU
		if rep >= s.warmup {
			res.TimesMS = append(res.TimesMS, float64(wall.Microseconds())/1e3)
			res.CPUTimesMS = append(res.CPUTimesMS, float64(cpu.Microseconds())/1e3)
		}
		res.Losses = append(res.Losses, loss)
	}
	return nil
}

// stepProblem is what a timed step works on: the model and its optimiser, a batch of
// random images with random labels, and the rng of the perturbations.
type stepProblem struct {
	model  *nn.PPNet[float32]
	sgd    *optim.SGD[float32]
	x      *tensor.Tensor[float32]
	labels []int32
	rng    *rand.Rand
}

// newStepProblem sets the thread counts and builds the problem of setting s from
// seed 1.
func newStepProblem(s setting) (*stepProblem, error) {
	tensor.SetFreeListGCPercent() // as cmd/train does
	runtime.GOMAXPROCS(s.threads)
	asm.SetThreads(s.threads)
	rng := tensor.NewRNG(1)
	cfg := nn.PPNetConfig{InChannels: 1, Classes: s.classes, Base: s.base, Heads: s.heads,
		Perturb: s.perturb, Norm: s.norm}
	model, err := nn.NewPPNet[float32](cfg, rng)
	if err != nil {
		return nil, err
	}
	x := tensor.RandNormal[float32](rng, 0, 1, s.batch, 1, s.patch, s.patch, s.patch)
	labels := make([]int32, s.batch*s.patch*s.patch*s.patch)
	for i := range labels {
		labels[i] = int32(rng.IntN(s.classes))
	}
	sgd := optim.NewSGD[float32](model.Params.Len(), 0.9, 1e-4)
	return &stepProblem{model: model, sgd: sgd, x: x, labels: labels, rng: rng}, nil
}

// meanCrossEntropy is the loss of the timed step: the mean over heads of the
// cross-entropy of each head's logits.
func meanCrossEntropy(logits []*autograd.Value[float32], labels []int32) *autograd.Value[float32] {
	var loss *autograd.Value[float32]
	for _, l := range logits {
		ce := urpc.CrossEntropy(l, labels)
		if loss == nil {
			loss = ce
		} else {
			loss = autograd.Add(loss, ce)
		}
	}
	return autograd.Scale(loss, 1/float32(len(logits)))
}

// trainStep runs one training step and returns the loss.
func trainStep(model *nn.PPNet[float32], sgd *optim.SGD[float32], x *tensor.Tensor[float32],
	labels []int32, rng *rand.Rand) (float64, error) {
	model.Params.ZeroGrad()
	tape := autograd.NewTape[float32]()
	logits, err := model.Forward(tape, tape.Const(x), true, rng)
	if err != nil {
		return 0, err
	}

	loss := meanCrossEntropy(logits, labels)
	tape.BackwardRecycling(loss)

	sgd.Step(model.Params.Data, model.Params.Grad, 0.01)
	value := float64(loss.Data.Item())
	if value != value {
		return 0, fmt.Errorf("bench: the loss is NaN")
	}
	return value, nil
}
