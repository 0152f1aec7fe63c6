package vk

import (
	"errors"
	"testing"
)

func TestParseDeviceName(t *testing.T) {
	for name, want := range map[string]int{"vulkan": 0, "vulkan:0": 0, "vulkan:3": 3} {
		if got, err := ParseDeviceName(name); err != nil || got != want {
			t.Errorf("ParseDeviceName(%q) = %d, %v; want %d", name, got, err, want)
		}
	}
	for _, bad := range []string{"", "cpu", "vulkan:", "vulkan:-1", "vulkan:x", "vulkan1"} {
		if _, err := ParseDeviceName(bad); err == nil {
			t.Errorf("ParseDeviceName(%q) succeeded", bad)
		}
	}
}

// TestOpenMissingDevice asks for a device index that cannot exist: the error must
// wrap ErrUnavailable (in every build, with or without Vulkan).
func TestOpenMissingDevice(t *testing.T) {
	d, err := Open("vulkan:999")
	if err == nil {
		d.Close()
		t.Fatal("Open(vulkan:999) succeeded")
	}
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Open(vulkan:999) = %v, want an ErrUnavailable", err)
	}
	t.Log(err)
}

// TestChunkedElementwise runs elementwise ops on buffers larger than the binding
// limit, which must be cut into chunks bound at aligned offsets, with a broadcast
// operand indexed across chunk boundaries: once with the limit lowered to 4 KiB (many
// chunks, odd alignment of the broadcast period), once over the real
// maxStorageBufferRange with one op (lavapipe takes about 2 s for it).
func TestChunkedElementwise(t *testing.T) {
	d := testDevice(t)
	real := d.limits.MaxStorageBufferRange
	d.limits.MaxStorageBufferRange = 4096
	checkChunked(t, d, 10*1024+3, true)
	d.limits.MaxStorageBufferRange = real
	if real/4 > 48<<20 || testing.Short() {
		t.Skipf("maxStorageBufferRange %d bytes: skipping the full-size run", real)
	}
	checkChunked(t, d, int(real/4)+1000, false)
}

// checkChunked runs ReLU, a broadcast mask product and Axpy (only the mask product
// unless all) on n values and checks every value.
func checkChunked(t *testing.T, d *Device, n int, all bool) {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(i%1000) - 500
	}
	mask := []float32{2, 0, -1}
	bx, bm, out := d.Upload(x), d.Upload(mask), d.NewBuffer(n)
	defer func() { bx.Release(); bm.Release() }()
	if all {
		d.ReLU(out, bx)
		d.MulBroadcast(out, out, bm, 7, false)
		d.Axpy(1, bx, out)
	} else {
		d.MulBroadcast(out, bx, bm, 7, false)
	}
	got := download(out)
	for i, v := range x {
		want := v * mask[(i/7)%3]
		if all {
			want = max(v, 0)*mask[(i/7)%3] + v
		}
		if got[i] != want {
			t.Fatalf("value %d of %d: got %g, want %g", i, n, got[i], want)
		}
	}
}

// TestBufferPool checks that released buffers are reused and counted.
func TestBufferPool(t *testing.T) {
	d := testDevice(t)
	live := d.LiveBuffers()
	a := d.NewBuffer(1000)
	mem := a.mem
	a.Release()
	b := d.NewBuffer(900)
	if b.mem != mem {
		t.Error("a released buffer of the same size class was not reused")
	}
	if d.LiveBuffers() != live+1 {
		t.Errorf("LiveBuffers = %d, want %d", d.LiveBuffers(), live+1)
	}
	b.Release()
}
