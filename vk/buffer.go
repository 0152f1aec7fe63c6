package vk

import (
	"fmt"
	"math/bits"
	"unsafe"
)

// memory is one Vulkan buffer with its own allocation, mapped for its lifetime.
type memory struct {
	buffer, allocation uint64
	mapped             unsafe.Pointer
	bytes              int
}

// Buffer is an array of Len float32 values in device memory (host-visible, mapped).
type Buffer struct {
	dev *Device
	mem *memory
	n   int
}

// sizeClass rounds a request up to the pool's size class: a power of two, at least
// 256 bytes.
func sizeClass(bytes int) int {
	if bytes <= 256 {
		return 256
	}
	return 1 << bits.Len(uint(bytes-1))
}

// NewBuffer returns a buffer of n float32 values from the pool (or a new allocation).
// Its contents are undefined until written.
func (d *Device) NewBuffer(n int) *Buffer {
	if n < 0 {
		panic("vk: NewBuffer with a negative length")
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		panic("vk: use of a closed Device")
	}
	class := sizeClass(4 * n)
	var m *memory
	if free := d.pool[class]; len(free) > 0 {
		m = free[len(free)-1]
		d.pool[class] = free[:len(free)-1]
	} else {
		var err error
		if m, err = d.be.alloc(class); err != nil {
			panic(fmt.Sprintf("vk: allocating %d bytes: %v", class, err))
		}
	}
	d.live++
	return &Buffer{dev: d, mem: m, n: n}
}

// Upload returns a new buffer holding a copy of data.
func (d *Device) Upload(data []float32) *Buffer {
	b := d.NewBuffer(len(data))
	b.Write(data)
	return b
}

// LiveBuffers returns how many buffers are allocated and not yet released.
func (d *Device) LiveBuffers() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.live
}

// Len returns the number of float32 values in b.
func (b *Buffer) Len() int { return b.n }

// Device returns the device that owns b.
func (b *Buffer) Device() *Device { return b.dev }

// floats returns the mapped memory of b as a slice (valid while the queue is idle).
func (b *Buffer) floats() []float32 {
	b.check()
	return unsafe.Slice((*float32)(b.mem.mapped), b.n)
}

// check panics when b was released.
func (b *Buffer) check() {
	if b.mem == nil {
		panic("vk: use of a released Buffer")
	}
}

// Write copies src (len(src) == b.Len()) into b after the recorded work has finished.
func (b *Buffer) Write(src []float32) {
	if len(src) != b.n {
		panic(fmt.Sprintf("vk: Write of %d values into a buffer of %d", len(src), b.n))
	}
	b.dev.mu.Lock()
	defer b.dev.mu.Unlock()
	b.dev.flushLocked()
	copy(b.floats(), src)
}

// writeWords copies raw 32-bit words (index tables) into b, like Write.
func (b *Buffer) writeWords(src []uint32) {
	if len(src) != b.n {
		panic(fmt.Sprintf("vk: write of %d words into a buffer of %d", len(src), b.n))
	}
	b.dev.mu.Lock()
	defer b.dev.mu.Unlock()
	b.dev.flushLocked()
	copy(unsafe.Slice((*uint32)(b.mem.mapped), b.n), src)
}

// Read runs the recorded work and copies b into dst (len(dst) == b.Len()).
func (b *Buffer) Read(dst []float32) {
	if len(dst) != b.n {
		panic(fmt.Sprintf("vk: Read of a buffer of %d values into %d", b.n, len(dst)))
	}
	b.dev.mu.Lock()
	defer b.dev.mu.Unlock()
	b.dev.flushLocked()
	copy(dst, b.floats())
}

// Download runs the recorded work and returns a copy of b.
func (b *Buffer) Download() []float32 {
	out := make([]float32, b.n)
	b.Read(out)
	return out
}

// Release returns b to the device's pool; b must not be used afterwards. Work already
// recorded on b stays valid: any later host write to the memory waits for it.
func (b *Buffer) Release() {
	b.check()
	d := b.dev
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.closed {
		class := sizeClass(4 * b.n)
		d.pool[class] = append(d.pool[class], b.mem)
	}
	d.live--
	b.mem = nil
}
