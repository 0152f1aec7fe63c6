// Package data turns a folder of NIfTI volumes into training batches for URPC: it
// reads a data set in the Medical Segmentation Decathlon layout with its split file,
// normalises each image to zero mean and unit variance, and draws augmented patches
// of labelled and unlabelled cases, deterministically for a seed and a step.
//
// Volumes are held as row-major [D, H, W] arrays: NIfTI's (x, y, z) order with x
// fastest is [z, y, x], so D = z, H = y and W = x.
package data

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sync"

	"github.com/urpc-go/urpc/urpc/nifti"
)

// Case is one volume of the data set, normalised and ready for sampling.
type Case struct {
	Name string
	// Image is the z-score normalised intensity, row-major [D, H, W].
	Image []float32
	// Label is the label map [D, H, W], or nil when the case is used without labels.
	Label []uint8
	// Shape is [D, H, W].
	Shape [3]int
	// Spacing is the voxel size along D, H and W in mm.
	Spacing [3]float64
	// Geometry is the source image header (voxel data dropped) for writing outputs
	// with the same affine.
	Geometry *nifti.Volume
}

// Voxels returns the number of voxels of c.
func (c *Case) Voxels() int { return c.Shape[0] * c.Shape[1] * c.Shape[2] }

// Split is the fixed division of a data set into training, validation and test
// cases, with the labelled subsets of the training cases per label percentage.
type Split struct {
	Train   []string            `json:"train"`
	Val     []string            `json:"val"`
	Test    []string            `json:"test"`
	Labeled map[string][]string `json:"labeled"`
}

// LoadSplit reads a split file in the format of data/hippocampus/splits.json.
func LoadSplit(path string) (*Split, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("split file: %w", err)
	}
	var s Split
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, fmt.Errorf("split file %s: not valid JSON: %w", path, err)
	}
	if len(s.Train) == 0 {
		return nil, fmt.Errorf("split file %s: \"train\" is missing or empty", path)
	}
	if len(s.Labeled) == 0 {
		return nil, fmt.Errorf("split file %s: \"labeled\" is missing or empty "+
			"(it maps a label percentage such as \"10\" to training cases)", path)
	}
	return &s, nil
}

// LabeledAt returns the labelled and unlabelled training cases at percent labels.
func (s *Split) LabeledAt(percent int) (labeled, unlabeled []string, err error) {
	names, ok := s.Labeled[fmt.Sprint(percent)]
	if !ok {
		return nil, nil, fmt.Errorf("split has no labelled subset for %d%% (has %v)",
			percent, keys(s.Labeled))
	}
	isLabeled := map[string]bool{}
	for _, n := range names {
		isLabeled[n] = true
	}
	for _, n := range s.Train {
		if !isLabeled[n] {
			unlabeled = append(unlabeled, n)
		}
	}
	return names, unlabeled, nil
}

func keys(m map[string][]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// FindVolume returns the path of case name in folder dir, trying name.nii.gz,
// name.nii and the nnU-Net channel form name_0000.nii.gz.
func FindVolume(dir, name string) (string, error) {
	for _, candidate := range []string{name + ".nii.gz", name + ".nii", name + "_0000.nii.gz"} {
		path := filepath.Join(dir, candidate)
		if _, err := os.Stat(path); err == nil {
			return path, nil
		}
	}
	return "", fmt.Errorf("case %s: no %s.nii.gz or %s.nii in %s", name, name, name, dir)
}

// LoadCase reads case name from root (imagesTr/ and, when withLabel, labelsTr/),
// normalises the image and checks that the label map has the image's shape.
func LoadCase(root, name string, withLabel bool) (*Case, error) {
	imagePath, err := FindVolume(filepath.Join(root, "imagesTr"), name)
	if err != nil {
		return nil, err
	}
	vol, err := nifti.Read(imagePath)
	if err != nil {
		return nil, err
	}
	if vol.Frames != 1 {
		return nil, fmt.Errorf("%s: %d frames; one 3-D volume per case is supported "+
			"(split multi-channel images into single-channel files)", imagePath, vol.Frames)
	}
	c := &Case{
		Name:    name,
		Image:   vol.Data,
		Shape:   [3]int{vol.Dims[2], vol.Dims[1], vol.Dims[0]},
		Spacing: [3]float64{vol.Spacing[2], vol.Spacing[1], vol.Spacing[0]},
	}
	if err := ZScore(c.Image); err != nil {
		return nil, fmt.Errorf("%s: %w", imagePath, err)
	}
	vol.Data = nil
	c.Geometry = vol

	if withLabel {
		if err := attachLabel(c, root); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func attachLabel(c *Case, root string) error {
	labelPath, err := FindVolume(filepath.Join(root, "labelsTr"), c.Name)
	if err != nil {
		return err
	}
	labels, lv, err := nifti.ReadLabels(labelPath)
	if err != nil {
		return err
	}
	if got := [3]int{lv.Dims[2], lv.Dims[1], lv.Dims[0]}; got != c.Shape {
		return fmt.Errorf("%s: label shape %v (D, H, W) differs from the image's %v",
			labelPath, got, c.Shape)
	}
	c.Label = labels
	return nil
}

// ZScore normalises x in place to zero mean and unit variance (statistics in
// float64). A constant or non-finite image is an error.
func ZScore(x []float32) error {
	if len(x) == 0 {
		return errors.New("empty image")
	}
	sum, sumSq := 0.0, 0.0
	for _, v := range x {
		sum += float64(v)
		sumSq += float64(v) * float64(v)
	}
	mean := sum / float64(len(x))
	variance := sumSq/float64(len(x)) - mean*mean
	if math.IsNaN(mean) || math.IsInf(mean, 0) || !(variance > 0) {
		return fmt.Errorf("image is constant or not finite (mean %g, variance %g)", mean, variance)
	}
	scale := 1 / math.Sqrt(variance)
	for i, v := range x {
		x[i] = float32((float64(v) - mean) * scale)
	}
	return nil
}

// LoadCases reads the named cases with up to workers goroutines, in order.
func LoadCases(root string, names []string, withLabels bool, workers int) ([]*Case, error) {
	cases := make([]*Case, len(names))
	errs := make([]error, len(names))
	next := make(chan int)
	var wg sync.WaitGroup
	for range max(workers, 1) {
		wg.Go(func() {
			for i := range next {
				cases[i], errs[i] = LoadCase(root, names[i], withLabels)
			}
		})
	}
	for i := range names {
		next <- i
	}
	close(next)
	wg.Wait()
	return cases, errors.Join(errs...)
}
