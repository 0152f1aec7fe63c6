package main

import (
	"errors"
	"flag"
	"io"

	"github.com/urpc-go/urpc/urpc/train"
)

// parseFlags fills a configuration from the defaults and the command line.
func parseFlags(args []string, stderr io.Writer) (train.Config, train.Options, bool, error) {
	cfg := train.Default()
	var opts train.Options
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	// Parse errors are returned, not printed with the whole usage around them (run
	// prints the error and a hint); -h prints the usage.
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	usage := func() {
		fs.SetOutput(stderr)
		io.WriteString(stderr, "usage: go run ./cmd/train [flags]\n\n"+
			"Trains URPC (Luo et al., MICCAI 2021) or the supervised baseline on a data set in\n"+
			"the Medical Segmentation Decathlon layout. Without flags: the hippocampus MRI data\n"+
			"in this repository, 10% labels, URPC with S = 4, UR and UM.\n\nflags:\n")
		fs.PrintDefaults()
	}

	fs.StringVar(&cfg.DataDir, "data", cfg.DataDir, "data folder with imagesTr/ and labelsTr/")
	fs.StringVar(&cfg.SplitFile, "split", cfg.SplitFile,
		"split file (format of data/hippocampus/splits.json)")
	fs.IntVar(&cfg.LabelPercent, "labels", cfg.LabelPercent,
		"percent of training cases used with labels (a key of the split's \"labeled\")")
	fs.IntVar(&cfg.Classes, "classes", cfg.Classes, "number of classes C, background included")
	fs.StringVar(&cfg.Method, "method", cfg.Method,
		"urpc (labelled + unlabelled) or sl (labelled only)")
	fs.IntVar(&cfg.Heads, "heads", cfg.Heads, "S, prediction heads of the pyramid network (1-5)")
	fs.IntVar(&cfg.Base, "base", cfg.Base, "channels of the finest level (16 in the paper's code)")
	fs.StringVar(&cfg.Perturb, "perturb", cfg.Perturb,
		"perturbations: paper (dropout + feature noise before each head), reference "+
			"(Dropout3d on the decoder) or none")
	fs.StringVar(&cfg.Norm, "norm", cfg.Norm, "normalisation: instance or batch")
	fs.StringVar(&cfg.Inference, "infer", cfg.Inference,
		"inference from the main head (main) or the mean of heads (mean)")
	fs.BoolVar(&cfg.Rectify, "ur", cfg.Rectify,
		"rectified consistency UR (Eq. 5); false gives the plain consistency of Eq. 3")
	fs.BoolVar(&cfg.Minimise, "um", cfg.Minimise, "uncertainty minimisation UM (Eq. 5)")
	fs.StringVar(&cfg.Form, "form", cfg.Form, "form of Eq. 5: paper or code (the authors' code)")
	fs.StringVar(&cfg.KL, "kl", cfg.KL,
		"direction of Eq. 4: paper KL(p_s||p_c) or code KL(p_c||p_s)")
	fs.StringVar(&cfg.Ramp, "ramp", cfg.Ramp,
		"lambda(t) of Eq. 6: continuous (paper) or stepped (code)")
	fs.IntVar(&cfg.Steps, "steps", cfg.Steps, "training steps (iterations)")
	fs.IntVar(&cfg.LabeledBatch, "labeled", cfg.LabeledBatch, "labelled patches per batch")
	fs.IntVar(&cfg.UnlabeledBatch, "unlabeled", cfg.UnlabeledBatch, "unlabelled patches per batch")
	fs.Var(patchFlag{&cfg.Patch}, "patch", "patch size D,H,W (multiples of 16)")
	fs.Float64Var(&cfg.MaxDegrees, "rotate", cfg.MaxDegrees,
		"largest random rotation in degrees (0: none)")
	fs.Float64Var(&cfg.LR, "lr", cfg.LR, "initial learning rate (poly decay, power 0.9)")
	fs.Uint64Var(&cfg.Seed, "seed", cfg.Seed,
		"random seed (initialisation, data order, augmentation, dropout)")
	fs.IntVar(&cfg.Threads, "threads", cfg.Threads, "CPU threads")
	fs.StringVar(&cfg.Device, "device", cfg.Device,
		"cpu, or vulkan / vulkan:N (the N-th Vulkan device)")
	fs.IntVar(&cfg.ValEvery, "val-every", cfg.ValEvery,
		"validate and write the last checkpoint every N steps")
	fs.IntVar(&cfg.LogEvery, "log-every", cfg.LogEvery,
		"log a line and a metrics.csv row every N steps")
	fs.IntVar(&cfg.TestCases, "test-cases", cfg.TestCases,
		"score only the first N test cases (0: all)")
	fs.StringVar(&cfg.OutDir, "out", cfg.OutDir, "output folder")
	fs.BoolVar(&opts.Resume, "resume", false, "continue the run in -out from its last checkpoint")
	explain := fs.Bool("explain", false, "run one step on one batch and print every term of Eq. 1-6")

	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		usage()
	}
	if err == nil && fs.NArg() > 0 {
		err = errorf("unexpected argument %q (flags start with -)", fs.Arg(0))
	}
	return cfg, opts, *explain, err
}
