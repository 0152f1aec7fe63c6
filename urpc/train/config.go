// Package train runs URPC training: it samples batches of labelled and unlabelled
// patches, evaluates the losses of Eq. 1-6 on the pyramid network, updates it by SGD,
// validates by sliding window, keeps the best and last checkpoints, and at the end
// scores the best model on the test split and writes its predictions.
package train

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/urpc-go/urpc/nn"
	"github.com/urpc-go/urpc/urpc"
	"github.com/urpc-go/urpc/vk"
)

// Methods of training.
const (
	// MethodURPC trains on labelled and unlabelled data (Eq. 6).
	MethodURPC = "urpc"
	// MethodSL trains on labelled data only (Eq. 1); with one head it is the plain
	// supervised U-Net baseline.
	MethodSL = "sl"
)

// Config is every setting of a training run; it is written to config.json.
type Config struct {
	DataDir      string `json:"data_dir"`
	SplitFile    string `json:"split_file"`
	LabelPercent int    `json:"label_percent"`
	Classes      int    `json:"classes"`
	Method       string `json:"method"`

	Heads     int    `json:"heads"`
	Base      int    `json:"base"`
	Perturb   string `json:"perturb"`
	Norm      string `json:"norm"`
	Inference string `json:"inference"`

	Rectify  bool   `json:"rectify"`
	Minimise bool   `json:"minimise"`
	Form     string `json:"form"`
	KL       string `json:"kl"`
	Ramp     string `json:"ramp"`

	Steps          int     `json:"steps"`
	LabeledBatch   int     `json:"labeled_batch"`
	UnlabeledBatch int     `json:"unlabeled_batch"`
	Patch          [3]int  `json:"patch"`
	MaxDegrees     float64 `json:"max_degrees"`
	LR             float64 `json:"lr"`
	Seed           uint64  `json:"seed"`
	Threads        int     `json:"threads"`
	Device         string  `json:"device"`

	ValEvery  int    `json:"val_every"`
	LogEvery  int    `json:"log_every"`
	TestCases int    `json:"test_cases"`
	OutDir    string `json:"out_dir"`
}

// Default returns the configuration of `go run ./cmd/train`: URPC with S = 4, UR and
// UM, 10% labels of the hippocampus data in the repository.
func Default() Config {
	return Config{
		DataDir: "data/hippocampus", SplitFile: "data/hippocampus/splits.json",
		LabelPercent: 10, Classes: 3, Method: MethodURPC,
		Heads: 4, Base: 8, Perturb: nn.PerturbNone, Norm: nn.NormInstance,
		Inference: nn.InferMain,
		Rectify:   true, Minimise: true, Form: "paper", KL: "paper", Ramp: "continuous",
		Steps: 1200, LabeledBatch: 2, UnlabeledBatch: 2, Patch: [3]int{32, 48, 32},
		MaxDegrees: 10, LR: 0.1, Seed: 1, Threads: 2, Device: "cpu",
		ValEvery: 200, LogEvery: 20, OutDir: "runs/urpc",
	}
}

// Validate checks every field and returns one error per problem, joined.
func (c Config) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if c.Method != MethodURPC && c.Method != MethodSL {
		bad("-method %q: want %q or %q", c.Method, MethodURPC, MethodSL)
	}
	if c.Heads < 1 || c.Heads > 5 {
		bad("-heads %d: want 1 to 5", c.Heads)
	}
	if c.Method == MethodURPC && c.Heads < 2 {
		bad("-heads %d: URPC needs at least 2 heads (use -method sl for one)", c.Heads)
	}
	for axis, p := range c.Patch {
		if p <= 0 || p%16 != 0 {
			bad("-patch %v: axis %d must be a positive multiple of 16 (4 poolings)", c.Patch, axis)
		}
	}
	if c.Steps < 1 || c.LabeledBatch < 1 || c.UnlabeledBatch < 0 {
		bad("-steps %d, -labeled %d, -unlabeled %d: need steps >= 1, labeled >= 1",
			c.Steps, c.LabeledBatch, c.UnlabeledBatch)
	}
	if c.Method == MethodURPC && c.UnlabeledBatch < 1 {
		bad("-unlabeled %d: URPC needs unlabelled samples", c.UnlabeledBatch)
	}
	if !(c.LR > 0) || c.Base < 1 || c.Threads < 1 || c.Classes < 2 {
		bad("-lr %g, -base %d, -threads %d, classes %d: must be positive (classes >= 2)",
			c.LR, c.Base, c.Threads, c.Classes)
	}
	if c.Device != "cpu" {
		if _, err := vk.ParseDeviceName(c.Device); err != nil {
			bad("-device %q: want cpu, vulkan or vulkan:N", c.Device)
		} else if c.Norm != nn.NormInstance {
			bad("-device %q: the Vulkan backend supports -norm %s only", c.Device,
				nn.NormInstance)
		}
	}
	if c.ValEvery < 1 || c.LogEvery < 1 {
		bad("-val-every %d, -log-every %d: must be >= 1", c.ValEvery, c.LogEvery)
	}
	if _, err := c.lossConfig(); err != nil {
		errs = append(errs, err)
	}
	if _, err := c.ramp(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// lossConfig translates the switches into the loss configuration of package urpc.
func (c Config) lossConfig() (urpc.Config, error) {
	lc := urpc.DefaultConfig()
	switch c.Form {
	case "paper":
		lc.Form = urpc.FormPaper
	case "code":
		lc = urpc.CodeConfig()
	default:
		return lc, fmt.Errorf("-form %q: want paper or code", c.Form)
	}
	switch c.KL {
	case "paper":
		lc.KL = urpc.KLPaper
	case "code":
		lc.KL = urpc.KLCode
	default:
		return lc, fmt.Errorf("-kl %q: want paper or code", c.KL)
	}
	lc.Rectify, lc.Minimise = c.Rectify, c.Minimise
	return lc, nil
}

// ramp returns the schedule of lambda(t) (Eq. 6) over the run's steps.
func (c Config) ramp() (urpc.Ramp, error) {
	switch c.Ramp {
	case "continuous":
		return urpc.PaperRamp(c.Steps), nil
	case "stepped":
		return urpc.CodeRamp(), nil
	}
	return urpc.Ramp{}, fmt.Errorf("-ramp %q: want continuous or stepped", c.Ramp)
}

// netConfig returns the PPNet configuration.
func (c Config) netConfig() nn.PPNetConfig {
	return nn.PPNetConfig{InChannels: 1, Classes: c.Classes, Base: c.Base, Heads: c.Heads,
		Perturb: c.Perturb, Norm: c.Norm, Inference: c.Inference}
}

// LoadConfig reads the config.json that a run wrote into its output folder.
func LoadConfig(path string) (Config, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("run configuration: %w", err)
	}
	var cfg Config
	if err := json.Unmarshal(raw, &cfg); err != nil {
		return Config{}, fmt.Errorf("run configuration %s: %w", path, err)
	}
	return cfg, nil
}
