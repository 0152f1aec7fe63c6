// Command infer segments NIfTI volumes with a checkpoint written by cmd/train. For
// every input image it writes <name>_pred.nii.gz (the label map, uint8) and
// <name>_uncertainty.nii.gz (D_0 of Eq. 4, float32) with the image's geometry.
//
//	go run ./cmd/infer -checkpoint runs/urpc/best.safetensors -out preds image.nii.gz ...
//	go run ./cmd/infer -checkpoint runs/urpc/best.safetensors -out preds -in folder/
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"

	"github.com/urpc-go/urpc/asm"
	"github.com/urpc-go/urpc/urpc/data"
	"github.com/urpc-go/urpc/urpc/nifti"
	"github.com/urpc-go/urpc/urpc/train"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stderr))
}

func run(args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("infer", flag.ContinueOnError)
	fs.SetOutput(stderr)
	ckpt := fs.String("checkpoint", "", "checkpoint written by cmd/train (best.safetensors)")
	in := fs.String("in", "", "folder of .nii/.nii.gz images (in addition to file arguments)")
	out := fs.String("out", "predictions", "output folder")
	threads := fs.Int("threads", runtime.NumCPU(), "CPU threads")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: go run ./cmd/infer -checkpoint FILE [-in DIR] [-out DIR] "+
			"[image.nii.gz ...]\nwrites <case>_pred.nii.gz (labels) and "+
			"<case>_uncertainty.nii.gz (D_0 of Eq. 4) for every image")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return map[bool]int{true: 0, false: 2}[errors.Is(err, flag.ErrHelp)]
	}
	inputs, err := listInputs(*in, fs.Args())
	if err == nil && *ckpt == "" {
		err = errors.New("-checkpoint is required")
	}
	if err == nil && *threads < 1 {
		err = fmt.Errorf("-threads %d: must be >= 1", *threads)
	}
	if err != nil {
		fmt.Fprintln(stderr, "infer:", err)
		return 2
	}
	runtime.GOMAXPROCS(*threads)
	asm.SetThreads(*threads)
	log := slog.New(slog.NewTextHandler(stderr, nil))
	if err := inferAll(*ckpt, inputs, *out, log); err != nil {
		log.Error("inference failed", "err", err)
		return 1
	}
	return 0
}

// listInputs returns the image files named directly and those in folder dir.
func listInputs(dir string, files []string) ([]string, error) {
	inputs := append([]string(nil), files...)
	if dir != "" {
		entries, err := os.ReadDir(dir)
		if err != nil {
			return nil, fmt.Errorf("-in: %w", err)
		}
		for _, e := range entries {
			if !e.IsDir() && isNIfTI(e.Name()) {
				inputs = append(inputs, filepath.Join(dir, e.Name()))
			}
		}
	}
	sort.Strings(inputs)
	if len(inputs) == 0 {
		return nil, errors.New("no input images: name .nii/.nii.gz files or a folder with -in")
	}
	return inputs, nil
}

func isNIfTI(name string) bool {
	return strings.HasSuffix(name, ".nii") || strings.HasSuffix(name, ".nii.gz")
}

// stem returns a file name without its folder and NIfTI extension.
func stem(path string) string {
	base := filepath.Base(path)
	return strings.TrimSuffix(strings.TrimSuffix(base, ".gz"), ".nii")
}

func inferAll(ckpt string, inputs []string, out string, log *slog.Logger) error {
	predictor, err := train.LoadPredictor(ckpt)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	for _, path := range inputs {
		if err := inferOne(predictor, path, out); err != nil {
			return err
		}
		log.Info("segmented", "image", path, "out", filepath.Join(out, stem(path)+"_pred.nii.gz"))
	}
	return nil
}

func inferOne(p *train.Predictor, path, out string) error {
	vol, err := nifti.Read(path)
	if err != nil {
		return err
	}
	if vol.Frames != 1 {
		return fmt.Errorf("%s: %d frames; one 3-D volume per file is supported", path, vol.Frames)
	}
	c := &data.Case{Name: stem(path), Image: vol.Data,
		Shape: [3]int{vol.Dims[2], vol.Dims[1], vol.Dims[0]}}
	if err := data.ZScore(c.Image); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	labels, uncertainty, err := p.Segment(c)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	vol.Data = nil
	if err := nifti.WriteLabels(filepath.Join(out, c.Name+"_pred.nii.gz"), labels, vol); err != nil {
		return err
	}
	return nifti.WriteFloat32(filepath.Join(out, c.Name+"_uncertainty.nii.gz"), uncertainty, vol)
}
