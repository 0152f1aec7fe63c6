// Command bench times one PPNet training step in Go and, in the same run, the identical
// step in PyTorch (bench/step/torch_step.py), and prints both with their ratio.
//
//	go run ./cmd/bench -step [-threads 1,2] [-patch 32,48,64] [-batch 4] [-reps 5]
//
// The step: batch 4 patches of patch^3 voxels, PPNet with base 16 and S = 4 heads
// (-base, -heads, -classes 3, -norm instance, -perturb reference), a forward pass
// through all heads in training mode, the mean over heads of the cross-entropy,
// backward, and SGD with momentum (lr 0.01, momentum 0.9, weight decay 1e-4). Each
// implementation runs in its own child process (the Go one is this program started
// again with -child), with the same thread count, warm-up steps first, then -reps
// timed steps; the report gives the median, min and max wall time per step, the
// median CPU time per step, and the peak RSS of each child (getrusage maxrss). With
// several patch sides (-patch 32,48,64,96) the whole comparison runs for each, to show
// how the step time grows with the voxels.
//
// With -device vulkan (or vulkan:N) the Go child runs the network on that Vulkan device
// through vk.PPNetTrainer: forward and backward passes and SGD on the device, the loss
// and its logit gradients on the CPU, and each timed step ends with the device idle.
// The PyTorch twin still runs on the CPU (-no-torch skips it):
//
//	go run ./cmd/bench -step -device vulkan -threads 2 -no-torch
package main

import (
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"

	"github.com/urpc-go/urpc/vk"
)

// setting is one benchmark configuration.
type setting struct {
	threads, batch, patch, base, heads, classes, reps, warmup int
	norm, perturb                                             string
}

// args renders s as command-line flags shared by the Go child and the PyTorch script.
func (s setting) args(prefix string) []string {
	return []string{
		prefix + "threads", strconv.Itoa(s.threads), prefix + "batch", strconv.Itoa(s.batch),
		prefix + "patch", strconv.Itoa(s.patch), prefix + "base", strconv.Itoa(s.base),
		prefix + "heads", strconv.Itoa(s.heads), prefix + "classes", strconv.Itoa(s.classes),
		prefix + "reps", strconv.Itoa(s.reps), prefix + "warmup", strconv.Itoa(s.warmup),
		prefix + "norm", s.norm, prefix + "perturb", s.perturb,
	}
}

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(argv []string) int {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	step := fs.Bool("step", false, "time one PPNet training step (Go and PyTorch)")
	child := fs.Bool("child", false, "internal: run the Go step in this process, print JSON")
	threadList := fs.String("threads", "1,2", "comma-separated thread counts to run")
	python := fs.String("python", "/usr/bin/python3", "Python with PyTorch 1.13")
	script := fs.String("torch-script", "bench/step/torch_step.py", "the PyTorch twin")
	noTorch := fs.Bool("no-torch", false, "skip the PyTorch run")
	cpuProfile := fs.String("cpuprofile", "", "with -child: write a CPU profile of the steps")
	device := fs.String("device", "cpu", "where the Go step runs: cpu, vulkan or vulkan:N")
	var s setting
	fs.IntVar(&s.batch, "batch", 4, "patches per step")
	patchList := fs.String("patch", "32",
		"comma-separated patch sides in voxels (multiples of 16), one comparison each")
	fs.IntVar(&s.base, "base", 16, "channels of the finest level")
	fs.IntVar(&s.heads, "heads", 4, "prediction heads S")
	fs.IntVar(&s.classes, "classes", 3, "classes C")
	fs.IntVar(&s.reps, "reps", 5, "timed steps")
	fs.IntVar(&s.warmup, "warmup", 1, "untimed steps first")
	fs.StringVar(&s.norm, "norm", "instance", "instance or batch")
	fs.StringVar(&s.perturb, "perturb", "reference", "reference, paper or none")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "bench times one PPNet training step (forward through all "+
			"heads, loss, backward, SGD) in Go and the identical step in PyTorch, in the "+
			"same run, and prints median/min/max ms, CPU ms, peak RSS and the ratios.\n\n"+
			"usage: go run ./cmd/bench -step [-threads 1,2] [-patch 32,48,64] [-reps 5]")
		fmt.Fprintln(fs.Output())
		fs.PrintDefaults()
	}
	if err := fs.Parse(argv); err != nil {
		return 2
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))

	threads, err := parsePositive("threads", *threadList)
	patches, patchErr := parsePositive("patch", *patchList)
	for _, p := range patches {
		if p%16 != 0 {
			patchErr = fmt.Errorf("bench: -patch %d is not a multiple of 16", p)
		}
	}
	if err == nil {
		err = patchErr
	}
	if err != nil || s.reps < 1 || s.warmup < 0 {
		logger.Error("bad flags", "err", err, "threads", *threadList, "patch", *patchList,
			"reps", s.reps, "warmup", s.warmup,
			"hint", "-threads 1,2 -patch 32,48 -reps 5 -warmup 1")
		return 2
	}
	s.patch = patches[0]
	if *device != "cpu" {
		if _, err := vk.ParseDeviceName(*device); err != nil {
			logger.Error("bad flags", "device", *device, "hint", "-device cpu, vulkan or vulkan:N")
			return 2
		}
		if *cpuProfile != "" {
			logger.Error("bad flags", "err", "-cpuprofile profiles the CPU step only",
				"device", *device)
			return 2
		}
	}
	if *child {
		s.threads = threads[0]
		run := func() error { return runGoStep(s, *cpuProfile, os.Stdout) }
		if *device != "cpu" {
			run = func() error { return runVulkanStep(s, *device, os.Stdout) }
		}
		if err := run(); err != nil {
			logger.Error("go step", "err", err)
			return 1
		}
		return 0
	}
	if !*step {
		fmt.Fprintln(os.Stderr, "usage: bench -step [flags]; see -help")
		return 2
	}
	for _, patch := range patches {
		s.patch = patch
		if code := compare(s, threads, *device, *python, *script, *noTorch, logger); code != 0 {
			return code
		}
	}
	return 0
}

// parsePositive reads the comma-separated list of positive integers of flag -name.
func parsePositive(name, list string) ([]int, error) {
	var out []int
	for _, field := range strings.Split(list, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(field))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("bench: -%s %q: want positive integers", name, list)
		}
		out = append(out, n)
	}
	return out, nil
}
