package train

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/urpc-go/urpc/urpc/checkpoint"
	"github.com/urpc-go/urpc/urpc/data"
	"github.com/urpc-go/urpc/urpc/nifti"
	"github.com/urpc-go/urpc/urpc/report"
)

var updateTrajectory = flag.Bool("update-trajectory", false,
	"rewrite testdata/trajectory.json from this run")

// trajectoryTolerance bounds the relative difference of the recorded losses: the
// kernels' summation order differs between the AVX2 path and the pure-Go twins.
const trajectoryTolerance = 2e-3

func readLosses(t *testing.T, out string) []float64 {
	t.Helper()
	table, err := report.ReadCSV(filepath.Join(out, "metrics.csv"))
	if err != nil {
		t.Fatal(err)
	}
	return table.Column("loss_total")
}

func TestEndToEndTrajectoryAndOutputs(t *testing.T) {
	root := tinyDataset(t)
	out := filepath.Join(t.TempDir(), "run")
	summary, err := Run(context.Background(), tinyConfig(root, out), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if summary.Test == nil || len(summary.Test.Cases) != 2 {
		t.Fatalf("test report %+v", summary.Test)
	}
	losses := readLosses(t, out)
	checkTrajectory(t, losses)
	checkOutputsLoad(t, out)
	checkPredictorReproducesTest(t, root, out)
}

// checkPredictorReproducesTest reloads the best checkpoint as cmd/infer does and
// segments the first test case: the label map must equal the one training wrote.
func checkPredictorReproducesTest(t *testing.T, root, out string) {
	t.Helper()
	p, err := LoadPredictor(filepath.Join(out, BestCheckpoint))
	if err != nil {
		t.Fatal(err)
	}
	c, err := data.LoadCase(root, "hippocampus_015", true)
	if err != nil {
		t.Fatal(err)
	}
	labels, _, err := p.Segment(c)
	if err != nil {
		t.Fatal(err)
	}
	written, _, err := nifti.ReadLabels(filepath.Join(out, "predictions",
		"hippocampus_015_pred.nii.gz"))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(labels, written) {
		t.Fatal("reloaded checkpoint segments the test case differently")
	}
}

func checkTrajectory(t *testing.T, losses []float64) {
	t.Helper()
	path := filepath.Join("testdata", "trajectory.json")
	if *updateTrajectory {
		raw, _ := json.MarshalIndent(losses, "", " ")
		os.MkdirAll("testdata", 0o755)
		if err := os.WriteFile(path, raw, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update-trajectory to record it)", err)
	}
	var want []float64
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	if len(want) != len(losses) {
		t.Fatalf("%d losses, recorded %d", len(losses), len(want))
	}
	for i := range want {
		if math.Abs(losses[i]-want[i]) > trajectoryTolerance*math.Abs(want[i]) {
			t.Errorf("step %d: loss %.6f, recorded %.6f", i+1, losses[i], want[i])
		}
	}
	if !(losses[len(losses)-1] < losses[0]) {
		t.Errorf("loss did not decrease: %v", losses)
	}
}

// checkOutputsLoad opens every output file of a finished run with its own reader.
func checkOutputsLoad(t *testing.T, out string) {
	t.Helper()
	for _, name := range []string{LastCheckpoint, BestCheckpoint} {
		if _, _, err := checkpoint.Load(filepath.Join(out, name)); err != nil {
			t.Error(err)
		}
	}
	var rep TestReport
	raw, err := os.ReadFile(filepath.Join(out, "test_metrics.json"))
	if err != nil || json.Unmarshal(raw, &rep) != nil || len(rep.Cases) != 2 {
		t.Errorf("test_metrics.json: %v", err)
	}
	for _, csv := range []string{"metrics.csv", "validation.csv", "test_metrics.csv"} {
		if _, err := report.ReadCSV(filepath.Join(out, csv)); err != nil &&
			csv != "test_metrics.csv" {
			t.Error(err)
		}
	}
	for _, name := range []string{"config.json", "test_metrics.json", "test_metrics.csv",
		"metrics.csv", LastCheckpoint} {
		if info, err := os.Stat(filepath.Join(out, name)); err != nil {
			t.Error(err)
		} else if info.Mode().Perm()&0o044 != 0o044 {
			t.Errorf("%s is %v, want readable by group and others like every output", name,
				info.Mode().Perm())
		}
	}
	preds, _ := filepath.Glob(filepath.Join(out, "predictions", "*_pred.nii.gz"))
	uncs, _ := filepath.Glob(filepath.Join(out, "predictions", "*_uncertainty.nii.gz"))
	if len(preds) != 2 || len(uncs) != 2 {
		t.Fatalf("predictions: %v %v", preds, uncs)
	}
	if _, _, err := nifti.ReadLabels(preds[0]); err != nil {
		t.Error(err)
	}
	if _, err := nifti.Read(uncs[0]); err != nil {
		t.Error(err)
	}
	for _, png := range []string{"training_curves.png", "figures"} {
		if _, err := os.Stat(filepath.Join(out, png)); err != nil {
			t.Error(err)
		}
	}
}

// An exploding learning rate drives the loss to infinity or NaN: the run must stop
// with an error naming the step and the term, and keep the last good checkpoint.
func TestNonFiniteLossStopsCleanly(t *testing.T) {
	root := tinyDataset(t)
	out := filepath.Join(t.TempDir(), "run")
	cfg := tinyConfig(root, out)
	cfg.Steps, cfg.ValEvery = 40, 1
	cfg.LR = 1e30
	_, err := Run(context.Background(), cfg, Options{SkipTest: true})
	if !errors.Is(err, ErrNonFinite) {
		t.Fatalf("err = %v, want ErrNonFinite", err)
	}
	if !strings.Contains(err.Error(), "step ") || !strings.Contains(err.Error(), "loss_") {
		t.Fatalf("message %q should name the step and the term", err)
	}
	tensors, _, err := checkpoint.Load(filepath.Join(out, LastCheckpoint))
	if err != nil {
		t.Fatal(err)
	}
	for name, tensor := range tensors {
		for _, v := range tensor.Data {
			if math.IsNaN(float64(v)) {
				t.Fatalf("last checkpoint holds NaN in %s", name)
			}
		}
	}
}

// Labels beyond the configured classes are refused when the data are loaded, with a
// message that names the case, the label found and the setting to change.
func TestLabelsBeyondClassesAreRefused(t *testing.T) {
	root := tinyDataset(t)
	cfg := tinyConfig(root, filepath.Join(t.TempDir(), "run"))
	cfg.Classes = 2
	_, err := Run(context.Background(), cfg, Options{SkipTest: true})
	if err == nil {
		t.Fatal("a run with 2 classes on 3-class labels started")
	}
	for _, want := range []string{"hippocampus_001", "holds class 2", "-classes"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q should contain %q", err, want)
		}
	}
}

// A Vulkan device that cannot be opened (here an index no machine has) stops the run
// before the data are read or the output folder is made.
func TestBadDeviceStopsBeforeLoading(t *testing.T) {
	out := filepath.Join(t.TempDir(), "run")
	cfg := tinyConfig(filepath.Join(t.TempDir(), "no-such-data"), out)
	cfg.Device = "vulkan:99"
	_, err := Run(context.Background(), cfg, Options{SkipTest: true})
	if err == nil || !strings.Contains(err.Error(), "-device vulkan:99") {
		t.Fatalf("err = %v, want the device's error", err)
	}
	if _, statErr := os.Stat(out); !os.IsNotExist(statErr) {
		t.Errorf("the output folder was made (%v)", statErr)
	}
}
