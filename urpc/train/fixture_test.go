package train

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/urpc-go/urpc/nn"
	"github.com/urpc-go/urpc/urpc/nifti"
)

// fixtureCrop is the [D, H, W] size of the volumes of the tiny data set.
var fixtureCrop = [3]int{18, 20, 18}

// tinyDataset writes a small data set in the MSD layout: real hippocampus cases
// cropped around their labels, with a split of 6 training (2 labelled), 2 validation
// and 2 test cases. It returns the folder.
func tinyDataset(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	for _, sub := range []string{"imagesTr", "labelsTr"} {
		if err := os.MkdirAll(filepath.Join(root, sub), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	names := []string{"hippocampus_001", "hippocampus_003", "hippocampus_004",
		"hippocampus_006", "hippocampus_007", "hippocampus_008", "hippocampus_011",
		"hippocampus_014", "hippocampus_015", "hippocampus_017"}
	for _, name := range names {
		cropCase(t, name, root)
	}
	split := map[string]any{
		"train":   names[:6],
		"val":     names[6:8],
		"test":    names[8:],
		"labeled": map[string][]string{"33": names[:2]},
	}
	raw, _ := json.Marshal(split)
	if err := os.WriteFile(filepath.Join(root, "splits.json"), raw, 0o644); err != nil {
		t.Fatal(err)
	}
	return root
}

// cropCase copies the central fixtureCrop box of one case of data/hippocampus.
func cropCase(t *testing.T, name, root string) {
	t.Helper()
	src := filepath.Join("..", "..", "data", "hippocampus")
	image, err := nifti.Read(filepath.Join(src, "imagesTr", name+".nii.gz"))
	if err != nil {
		t.Fatal(err)
	}
	labels, _, err := nifti.ReadLabels(filepath.Join(src, "labelsTr", name+".nii.gz"))
	if err != nil {
		t.Fatal(err)
	}
	shape := [3]int{image.Dims[2], image.Dims[1], image.Dims[0]}
	c := fixtureCrop
	var start [3]int
	for axis := range 3 {
		start[axis] = (shape[axis] - c[axis]) / 2
	}
	croppedImage := make([]float32, c[0]*c[1]*c[2])
	croppedLabels := make([]uint8, len(croppedImage))
	i := 0
	for z := range c[0] {
		for y := range c[1] {
			for x := range c[2] {
				src := ((start[0]+z)*shape[1]+start[1]+y)*shape[2] + start[2] + x
				croppedImage[i], croppedLabels[i] = image.Data[src], labels[src]
				i++
			}
		}
	}
	ref := &nifti.Volume{Dims: [3]int{c[2], c[1], c[0]}, Frames: 1, Spacing: image.Spacing,
		Affine: image.Affine}
	if err := nifti.WriteFloat32(filepath.Join(root, "imagesTr", name+".nii.gz"),
		croppedImage, ref); err != nil {
		t.Fatal(err)
	}
	if err := nifti.WriteLabels(filepath.Join(root, "labelsTr", name+".nii.gz"),
		croppedLabels, ref); err != nil {
		t.Fatal(err)
	}
}

// tinyConfig is a configuration that trains in seconds on tinyDataset.
func tinyConfig(root, out string) Config {
	cfg := Default()
	cfg.DataDir, cfg.SplitFile = root, filepath.Join(root, "splits.json")
	cfg.LabelPercent = 33
	cfg.Base, cfg.Heads = 2, 4
	cfg.Perturb = nn.PerturbPaper
	cfg.Patch = [3]int{16, 16, 16}
	cfg.Steps, cfg.ValEvery, cfg.LogEvery = 12, 4, 1
	cfg.Threads = 2
	cfg.OutDir = out
	return cfg
}
