package train

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/urpc-go/urpc/vk"
)

// A run with -device vulkan logs the same losses as the same run on the CPU (same
// batches, dropout draws, lambda and learning rates), to 1e-4 relative, and leaves a
// last checkpoint. Skipped without a Vulkan device unless URPC_REQUIRE_VULKAN=1.
func TestVulkanRunMatchesCPU(t *testing.T) {
	dev, err := vk.Open("vulkan")
	if err != nil {
		if !errors.Is(err, vk.ErrUnavailable) || os.Getenv("URPC_REQUIRE_VULKAN") == "1" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	dev.Close()

	root := tinyDataset(t)
	cfg := tinyConfig(root, filepath.Join(t.TempDir(), "cpu"))
	cfg.Steps, cfg.ValEvery = 4, 2
	if _, err := Run(context.Background(), cfg, Options{SkipTest: true}); err != nil {
		t.Fatal(err)
	}
	want := readLosses(t, cfg.OutDir)

	cfg.Device, cfg.OutDir = "vulkan", filepath.Join(t.TempDir(), "vulkan")
	if _, err := Run(context.Background(), cfg, Options{SkipTest: true}); err != nil {
		t.Fatal(err)
	}
	got := readLosses(t, cfg.OutDir)
	if len(got) != len(want) {
		t.Fatalf("%d logged losses on vulkan, %d on the CPU", len(got), len(want))
	}
	for i := range want {
		if rel := math.Abs(got[i]-want[i]) / math.Abs(want[i]); !(rel <= 1e-4) {
			t.Errorf("step %d: loss %v on vulkan, %v on the CPU (rel %.2g)", i+1, got[i],
				want[i], rel)
		}
	}
	t.Logf("losses: vulkan %v, cpu %v", got, want)
	if _, err := os.Stat(filepath.Join(cfg.OutDir, LastCheckpoint)); err != nil {
		t.Error(err)
	}
}
