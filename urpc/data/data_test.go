package data

import (
	"context"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// synthetic returns a case whose image equals its label (as float), so any
// misalignment of image and label by augmentation shows.
func synthetic(shape [3]int) *Case {
	n := shape[0] * shape[1] * shape[2]
	c := &Case{Name: "synthetic", Shape: shape, Image: make([]float32, n), Label: make([]uint8, n)}
	for i := range n {
		c.Label[i] = uint8(i % 7)
		c.Image[i] = float32(c.Label[i])
	}
	return c
}

func TestZScore(t *testing.T) {
	x := []float32{1, 2, 3, 4}
	if err := ZScore(x); err != nil {
		t.Fatal(err)
	}
	mean, sq := 0.0, 0.0
	for _, v := range x {
		mean += float64(v) / 4
		sq += float64(v) * float64(v) / 4
	}
	if math.Abs(mean) > 1e-6 || math.Abs(sq-1) > 1e-6 {
		t.Fatalf("mean %v, variance %v", mean, sq)
	}
	if err := ZScore([]float32{5, 5}); err == nil {
		t.Fatal("constant image accepted")
	}
}

func TestSampleKeepsImageAndLabelAligned(t *testing.T) {
	c := synthetic([3]int{9, 11, 13})
	aug := Augment{Patch: [3]int{8, 8, 8}, Flip: true, Rot90: true}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20 {
		image, label := Sample(rng, c, aug)
		for i := range image {
			if image[i] != float32(label[i]) {
				t.Fatalf("voxel %d: image %v, label %v", i, image[i], label[i])
			}
		}
	}
}

func TestSamplePadsSmallVolumes(t *testing.T) {
	c := synthetic([3]int{3, 4, 5})
	image, label := Sample(rand.New(rand.NewPCG(1, 2)), c, Augment{Patch: [3]int{6, 6, 6}})
	nonZero := 0
	for i := range label {
		if label[i] != 0 {
			nonZero++
		}
		if image[i] != float32(label[i]) {
			t.Fatalf("voxel %d: image %v, label %v (padding must be label 0, image minimum)",
				i, image[i], label[i])
		}
	}
	inside := 0
	for _, l := range c.Label {
		if l != 0 {
			inside++
		}
	}
	if nonZero != inside {
		t.Fatalf("patch holds %d labelled voxels, volume %d: the volume must sit inside",
			nonZero, inside)
	}
}

func TestFlipAndRotationAreInvertible(t *testing.T) {
	p := [3]int{4, 5, 4}
	v := make([]int, 80)
	for i := range v {
		v[i] = i
	}
	original := slices.Clone(v)
	flip(v, p, 1)
	if slices.Equal(v, original) {
		t.Fatal("flip changed nothing")
	}
	flip(v, p, 1)
	for range 4 {
		rot90(v, p, 0, 2)
	}
	if !slices.Equal(v, original) {
		t.Fatal("flip twice or rot90 four times is not the identity")
	}
}

func TestSmallRotationMovesLittle(t *testing.T) {
	c := synthetic([3]int{4, 16, 16})
	for i := range c.Image {
		c.Image[i] = 1
	}
	image, _ := Sample(rand.New(rand.NewPCG(3, 4)), c, Augment{Patch: [3]int{4, 16, 16},
		MaxDegrees: 10})
	centre := image[(2*16+8)*16+8]
	if math.Abs(float64(centre)-1) > 1e-6 {
		t.Fatalf("centre of a rotated constant image is %v", centre)
	}
}

func TestBatchesArePureFunctionsOfStep(t *testing.T) {
	labeled := []*Case{synthetic([3]int{8, 9, 10}), synthetic([3]int{9, 9, 9})}
	unlabeled := []*Case{synthetic([3]int{10, 8, 8})}
	aug := Augment{Patch: [3]int{8, 8, 8}, Flip: true, Rot90: true, MaxDegrees: 15}
	a, err := NewSampler(labeled, unlabeled, 2, 2, aug, 42)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := NewSampler(labeled, unlabeled, 2, 2, aug, 42)
	for _, step := range []int{0, 5, 3} {
		x, y := a.Batch(step), b.Batch(step)
		if !slices.Equal(x.Images, y.Images) || !slices.Equal(x.Labels, y.Labels) {
			t.Fatalf("step %d differs between two samplers", step)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stream := a.Prefetch(ctx, 7, 2)
	got := <-stream
	if want := b.Batch(7); got.Step != 7 || !slices.Equal(got.Images, want.Images) {
		t.Fatal("prefetched batch differs from the direct one")
	}
	if _, err := NewSampler(labeled, nil, 2, 2, aug, 1); err == nil {
		t.Fatal("unlabelled samples without unlabelled cases accepted")
	}
}

func repoData(t *testing.T) string {
	root := filepath.Join("..", "..", "data", "hippocampus")
	if _, err := os.Stat(filepath.Join(root, "splits.json")); err != nil {
		t.Fatalf("data set missing: %v", err)
	}
	return root
}

func TestLoadRealCaseAndSplit(t *testing.T) {
	root := repoData(t)
	split, err := LoadSplit(filepath.Join(root, "splits.json"))
	if err != nil {
		t.Fatal(err)
	}
	labeled, unlabeled, err := split.LabeledAt(10)
	if err != nil || len(labeled) != 18 || len(labeled)+len(unlabeled) != len(split.Train) {
		t.Fatalf("10%%: %d labelled, %d unlabelled, err %v", len(labeled), len(unlabeled), err)
	}
	c, err := LoadCase(root, labeled[0], true)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Label) != c.Voxels() || c.Spacing[0] <= 0 {
		t.Fatalf("case %s: %d labels for shape %v", c.Name, len(c.Label), c.Shape)
	}
	if _, _, err := split.LabeledAt(33); err == nil {
		t.Fatal("a missing percentage was accepted")
	}
}

func TestLoadErrorsNameTheFile(t *testing.T) {
	root := t.TempDir()
	bad := filepath.Join(root, "split.json")
	os.WriteFile(bad, []byte("{not json"), 0o644)
	if _, err := LoadSplit(bad); err == nil || !strings.Contains(err.Error(), bad) {
		t.Fatalf("bad split error %v should name %s", err, bad)
	}
	if _, err := LoadCase(root, "missing", true); err == nil ||
		!strings.Contains(err.Error(), "missing") {
		t.Fatalf("missing case error %v", err)
	}
}
