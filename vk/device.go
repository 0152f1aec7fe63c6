package vk

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
)

// ErrUnavailable is returned (wrapped, with the reason) by Open when no Vulkan device
// can be used: the build has no cgo or has the novulkan tag, libvulkan.so.1 is not
// installed, no driver is found, or the index is out of range.
var ErrUnavailable = errors.New("vk: Vulkan is unavailable")

// Limits are the device limits the kernels depend on.
type Limits struct {
	// MaxStorageBufferRange is the largest range in bytes of one bound storage buffer.
	MaxStorageBufferRange uint64

	// MinStorageBufferOffsetAlignment is the alignment in bytes of a binding's offset.
	MinStorageBufferOffsetAlignment uint64

	// MaxWorkGroupCount is the largest number of workgroups per dispatch dimension.
	MaxWorkGroupCount [3]uint32
}

// maxColumnFloats is the largest convolution column block in values (128 MiB): larger
// column matrices are built and multiplied in blocks of output positions.
const maxColumnFloats = 1 << 25

// Options tune Open.
type Options struct {
	// Validation enables the VK_LAYER_KHRONOS_validation instance layer when it is
	// installed; its errors and warnings are counted (see ValidationMessages).
	Validation bool
}

// Device is one opened Vulkan compute device with its queue, buffer pool and compiled
// kernels. Its methods may be called from several goroutines; the work is serialised.
type Device struct {
	mu     sync.Mutex
	name   string
	limits Limits
	be     *backend
	pool   map[int][]*memory
	live   int
	closed bool

	// maxColumnFloats bounds the column block of a convolution (values); tests lower
	// it to exercise the blocked path.
	maxColumnFloats int
	// gemmPath forces the GEMM kernel in tests: "tiled", "direct", or "" to choose.
	gemmPath string

	validation bool

	tablesMu sync.Mutex
	tables   map[tableKey]resampleTable
}

// ParseDeviceName parses a device flag: "vulkan" is device 0, "vulkan:N" device N.
func ParseDeviceName(name string) (int, error) {
	if name == "vulkan" {
		return 0, nil
	}
	rest, ok := strings.CutPrefix(name, "vulkan:")
	index, err := strconv.Atoi(rest)
	if !ok || err != nil || index < 0 {
		return 0, fmt.Errorf("vk: device %q: want \"vulkan\" or \"vulkan:N\" with N >= 0",
			name)
	}
	return index, nil
}

// Open opens the device named "vulkan" or "vulkan:N" (the N-th physical device).
func Open(name string) (*Device, error) {
	return OpenWith(name, Options{})
}

// OpenWith is Open with options.
func OpenWith(name string, opts Options) (*Device, error) {
	index, err := ParseDeviceName(name)
	if err != nil {
		return nil, err
	}
	be, info, err := openBackend(index, opts)
	if err != nil {
		return nil, err
	}
	d := &Device{name: info.name, limits: info.limits, be: be,
		pool: map[int][]*memory{}, validation: info.validation}
	d.maxColumnFloats = int(min(info.limits.MaxStorageBufferRange/4, maxColumnFloats))
	return d, nil
}

// Name returns the physical device's name, e.g. "llvmpipe (LLVM 15.0.6, 256 bits)".
func (d *Device) Name() string { return d.name }

// Limits returns the device limits the kernels depend on.
func (d *Device) Limits() Limits { return d.limits }

// Validation reports whether the validation layer and its message callback are on.
func (d *Device) Validation() bool { return d.validation }

// Sync submits the recorded work and waits for it to finish.
func (d *Device) Sync() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.flushLocked()
}

// Close waits for the device, frees the pooled buffers and destroys the device. Live
// buffers must not be used afterwards.
func (d *Device) Close() {
	if !d.isClosed() {
		d.releaseTables()
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return
	}
	d.flushLocked()
	for _, free := range d.pool {
		for _, m := range free {
			d.be.free(m)
		}
	}
	d.pool = nil
	d.be.close()
	d.closed = true
}

// isClosed reports whether Close has run.
func (d *Device) isClosed() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.closed
}

// flushLocked submits and waits; a device failure here is fatal for the device.
func (d *Device) flushLocked() {
	if d.closed {
		panic("vk: use of a closed Device")
	}
	if err := d.be.flush(); err != nil {
		panic(fmt.Sprintf("vk: submit failed: %v", err))
	}
}

// ValidationMessages returns how many errors and warnings the validation layer has
// reported in this process, and the last one.
func ValidationMessages() (int64, string) {
	return validationMessages()
}
