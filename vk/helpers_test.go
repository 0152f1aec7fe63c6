package vk

import (
	"errors"
	"math"
	"os"
	"sync"
	"testing"

	"github.com/urpc-go/urpc/tensor"
)

var (
	sharedOnce   sync.Once
	sharedDevice *Device
	sharedErr    error
)

// testDevice returns the device shared by the package's tests, opened with the
// validation layer on (when installed). Without a device the test is skipped, or fails
// when URPC_REQUIRE_VULKAN=1.
func testDevice(t testing.TB) *Device {
	t.Helper()
	sharedOnce.Do(func() {
		sharedDevice, sharedErr = OpenWith("vulkan", Options{Validation: true})
	})
	if sharedErr != nil {
		if os.Getenv("URPC_REQUIRE_VULKAN") == "1" {
			t.Fatalf("URPC_REQUIRE_VULKAN=1 but no Vulkan device: %v", sharedErr)
		}
		if !errors.Is(sharedErr, ErrUnavailable) {
			t.Fatalf("Open: %v", sharedErr)
		}
		t.Skipf("no Vulkan device (set VK_ICD_FILENAMES=/usr/share/vulkan/icd.d/"+
			"lvp_icd.x86_64.json for lavapipe): %v", sharedErr)
	}
	before, _ := ValidationMessages()
	t.Cleanup(func() {
		if after, last := ValidationMessages(); after != before {
			t.Errorf("validation layer reported %d messages, last: %s", after-before, last)
		}
	})
	return sharedDevice
}

// randomSlice returns n normal values from a fixed seed.
func randomSlice(seed uint64, n int) []float32 {
	return tensor.RandNormal[float32](tensor.NewRNG(seed), 0, 1, n).Data
}

// maxRelError returns the largest |got - want| / max(|want|, floor) and its index.
func maxRelError(got, want []float32, floor float64) (float64, int) {
	worst, at := 0.0, -1
	for i := range want {
		diff := math.Abs(float64(got[i]) - float64(want[i]))
		rel := diff / math.Max(math.Abs(float64(want[i])), floor)
		if rel > worst || math.IsNaN(rel) {
			worst, at = rel, i
		}
	}
	return worst, at
}
