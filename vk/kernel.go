package vk

import (
	"embed"
	"encoding/binary"
	"fmt"
)

//go:embed shaders/*.spv
var spirvFiles embed.FS

// kernelSpec describes one compute shader: its file shaders/<name>.spv, how many
// storage buffers it binds (set 0, bindings 0..) and how many 32-bit push constants it
// takes.
type kernelSpec struct {
	name      string
	bindings  int
	pushWords int
}

// spirvWords returns the committed SPIR-V of kernel name as 32-bit words.
func spirvWords(name string) []uint32 {
	raw, err := spirvFiles.ReadFile("shaders/" + name + ".spv")
	if err != nil || len(raw)%4 != 0 || len(raw) == 0 {
		panic(fmt.Sprintf("vk: missing or malformed shaders/%s.spv", name))
	}
	words := make([]uint32, len(raw)/4)
	for i := range words {
		words[i] = binary.LittleEndian.Uint32(raw[4*i:])
	}
	return words
}

// binding is one storage-buffer descriptor: bytes [offset, offset+size) of a buffer.
type binding struct {
	buffer       uint64
	offset, size uint64
}

// view is a range of n float32 values starting at element off of a buffer.
type view struct {
	buf    *Buffer
	off, n int
}

// whole returns the view of all of b.
func whole(b *Buffer) view { return view{buf: b, n: b.n} }

// optional returns the view of all of b, or the empty view (buf nil) when b is nil.
func optional(b *Buffer) view {
	if b == nil {
		return view{}
	}
	return whole(b)
}

// sub returns the n values of v starting at its element off.
func (v view) sub(off, n int) view { return view{buf: v.buf, off: v.off + off, n: n} }

// bind turns v into a descriptor at an aligned offset and returns the element offset
// of v's first value inside the bound range (passed to the shader as a push constant).
func (d *Device) bind(v view) (binding, uint32) {
	v.buf.check()
	align := max(d.limits.MinStorageBufferOffsetAlignment, 4)
	start := uint64(4 * v.off)
	aligned := start - start%align
	size := start - aligned + uint64(4*max(v.n, 1))
	// TODO(large tensors): only elementwise ops, SGD and the convolution's column
	// matrix are cut into chunks; a GEMM, conv, pooling, norm or resampling operand
	// (one activation) above maxStorageBufferRange panics here.
	if size > d.limits.MaxStorageBufferRange {
		panic(fmt.Sprintf("vk: a view of %d floats exceeds maxStorageBufferRange %d bytes",
			v.n, d.limits.MaxStorageBufferRange))
	}
	size = min(size, uint64(v.buf.mem.bytes)-aligned)
	return binding{buffer: v.buf.mem.buffer, offset: aligned, size: size},
		uint32((start - aligned) / 4)
}

// record binds the views, appends each view's element offset to the push constants
// (in view order, after push) and records one dispatch of spec.
func (d *Device) record(spec *kernelSpec, groups [3]uint32, push []uint32, views ...view) {
	if len(views) != spec.bindings || len(push)+len(views) != spec.pushWords {
		panic(fmt.Sprintf("vk: kernel %s wants %d buffers and %d push words, got %d and %d",
			spec.name, spec.bindings, spec.pushWords, len(views), len(push)+len(views)))
	}
	for i, g := range groups {
		if g > d.limits.MaxWorkGroupCount[i] {
			panic(fmt.Sprintf("vk: kernel %s: %d workgroups in dimension %d exceed the limit",
				spec.name, g, i))
		}
	}
	binds := make([]binding, len(views))
	words := append(make([]uint32, 0, spec.pushWords), push...)
	for i, v := range views {
		var off uint32
		binds[i], off = d.bind(v)
		words = append(words, off)
	}

	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		panic("vk: use of a closed Device")
	}
	if groups[0] == 0 || groups[1] == 0 || groups[2] == 0 {
		return
	}
	if err := d.be.dispatch(spec, binds, words, groups); err != nil {
		panic(fmt.Sprintf("vk: %v", err))
	}
}

// grid1D returns the workgroup counts covering n invocations with local size 256,
// folded into two dimensions when one exceeds the per-dimension limit.
func (d *Device) grid1D(n int) [3]uint32 {
	groups := (n + 255) / 256
	limit := int(d.limits.MaxWorkGroupCount[0])
	if groups <= limit {
		return [3]uint32{uint32(groups), 1, 1}
	}
	return [3]uint32{uint32(limit), uint32((groups + limit - 1) / limit), 1}
}

// allKernels lists every kernel of the package (tests check each has its SPIR-V).
var allKernels = []*kernelSpec{&elementwiseKernel, &sgdKernel, &gemmKernel,
	&softmaxKernel, &softmaxBackwardKernel, &im2colKernel, &col2imKernel,
	&channelSumKernel, &maxPoolKernel, &maxPoolBackwardKernel, &instNormKernel,
	&instNormBackwardKernel, &resampleKernel, &resampleBackwardKernel, &stridedCopyKernel,
	&gemmDirectKernel}
