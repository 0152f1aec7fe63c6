//go:build cgo && !novulkan

package vk

/*
#cgo LDFLAGS: -ldl
#include <stdlib.h>
#include "shim.h"
*/
import "C"

import (
	"fmt"
	"unsafe"

	vulkan "github.com/vulkan-go/vulkan"
)

// backend is the cgo side of a Device: the instance, the shim's device and the
// compiled kernels. Its methods are called with Device.mu held.
type backend struct {
	instance C.VkInstance
	callback C.VkHandle64
	dev      *C.urpc_dev
	kernels  map[string]*C.urpc_kernel
}

// deviceInfo is what openBackend reports about the chosen physical device.
type deviceInfo struct {
	name       string
	limits     Limits
	validation bool
}

// vkError is a failed Vulkan call and its VkResult.
type vkError struct {
	call   string
	result C.VkResult
}

func (e vkError) Error() string { return fmt.Sprintf("vk: %s: VkResult %d", e.call, e.result) }

// openBackend loads the loader, creates an instance and opens physical device index.
func openBackend(index int, opts Options) (*backend, deviceInfo, error) {
	if C.urpc_vk_load() == 0 {
		return nil, deviceInfo{}, fmt.Errorf("%w: libvulkan.so.1 not found "+
			"(install libvulkan1 and a driver, e.g. mesa-vulkan-drivers)", ErrUnavailable)
	}
	vulkan.SetGetInstanceProcAddr(C.urpc_vk_get_instance_proc_addr())
	if err := vulkan.Init(); err != nil {
		return nil, deviceInfo{}, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}

	be := &backend{kernels: map[string]*C.urpc_kernel{}}
	var inst C.VkInstance
	var callback C.VkHandle64
	validation := C.int(0)
	if opts.Validation {
		validation = 1
	}
	if r := C.urpc_vk_create_instance(validation, &inst, &callback); r != 0 {
		return nil, deviceInfo{}, fmt.Errorf("%w: vkCreateInstance: VkResult %d "+
			"(no Vulkan driver? VK_LOADER_DEBUG=error tells why)", ErrUnavailable, r)
	}
	be.instance, be.callback = inst, callback

	info, err := be.openDevice(index)
	if err != nil {
		C.urpc_vk_destroy_instance(be.instance, be.callback)
		return nil, deviceInfo{}, err
	}
	return be, info, nil
}

// openDevice picks physical device index (through the binding) and opens it.
func (be *backend) openDevice(index int) (deviceInfo, error) {
	instance := vulkan.Instance(unsafe.Pointer(be.instance))
	if err := vulkan.InitInstance(instance); err != nil {
		return deviceInfo{}, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	var count uint32
	if r := vulkan.EnumeratePhysicalDevices(instance, &count, nil); r != vulkan.Success {
		return deviceInfo{}, fmt.Errorf("%w: vkEnumeratePhysicalDevices: %d", ErrUnavailable, r)
	}
	if index >= int(count) {
		return deviceInfo{}, fmt.Errorf("%w: device vulkan:%d asked for, %d found",
			ErrUnavailable, index, count)
	}
	physical := make([]vulkan.PhysicalDevice, count)
	vulkan.EnumeratePhysicalDevices(instance, &count, physical)

	var props vulkan.PhysicalDeviceProperties
	vulkan.GetPhysicalDeviceProperties(physical[index], &props)
	props.Deref()
	props.Limits.Deref()
	info := deviceInfo{name: vulkan.ToString(props.DeviceName[:]), limits: Limits{
		MaxStorageBufferRange:           uint64(props.Limits.MaxStorageBufferRange),
		MinStorageBufferOffsetAlignment: uint64(props.Limits.MinStorageBufferOffsetAlignment),
		MaxWorkGroupCount:               props.Limits.MaxComputeWorkGroupCount,
	}}

	var dev *C.urpc_dev
	phys := C.VkPhysicalDevice(unsafe.Pointer(physical[index]))
	if r := C.urpc_dev_open(be.instance, phys, &dev); r != 0 {
		return deviceInfo{}, fmt.Errorf("%w: opening %s: VkResult %d", ErrUnavailable,
			info.name, r)
	}
	be.dev = dev
	info.validation = be.callback != 0
	return info, nil
}

// close destroys the kernels, the device and the instance.
func (be *backend) close() {
	for _, k := range be.kernels {
		C.urpc_kernel_destroy(be.dev, k)
	}
	C.urpc_dev_close(be.dev)
	C.urpc_vk_destroy_instance(be.instance, be.callback)
}

// alloc creates a mapped storage buffer of the given size.
func (be *backend) alloc(bytes int) (*memory, error) {
	var buf, mem C.VkHandle64
	var mapped unsafe.Pointer
	if r := C.urpc_buffer_create(be.dev, C.uint64_t(bytes), &buf, &mem, &mapped); r != 0 {
		return nil, vkError{"vkCreateBuffer/vkAllocateMemory", r}
	}
	return &memory{buffer: uint64(buf), allocation: uint64(mem), mapped: mapped,
		bytes: bytes}, nil
}

// free destroys a buffer and its memory.
func (be *backend) free(m *memory) {
	C.urpc_buffer_destroy(be.dev, C.VkHandle64(m.buffer), C.VkHandle64(m.allocation))
}

// kernel returns the compiled pipeline of spec, compiling it on first use.
func (be *backend) kernel(spec *kernelSpec) (*C.urpc_kernel, error) {
	if k, ok := be.kernels[spec.name]; ok {
		return k, nil
	}
	code := spirvWords(spec.name)
	k := (*C.urpc_kernel)(C.calloc(1, C.sizeof_urpc_kernel))
	r := C.urpc_kernel_create(be.dev, (*C.uint32_t)(unsafe.Pointer(&code[0])),
		C.size_t(4*len(code)), C.uint32_t(spec.bindings), C.uint32_t(4*spec.pushWords), k)
	if r != 0 {
		C.urpc_kernel_destroy(be.dev, k)
		C.free(unsafe.Pointer(k))
		return nil, vkError{"creating kernel " + spec.name, r}
	}
	be.kernels[spec.name] = k
	return k, nil
}

// dispatch records one dispatch of spec; when the descriptor pool is full it submits
// the recorded work first.
func (be *backend) dispatch(spec *kernelSpec, binds []binding, push []uint32,
	groups [3]uint32) error {
	k, err := be.kernel(spec)
	if err != nil {
		return err
	}
	var a C.urpc_dispatch
	for i, b := range binds {
		a.bindings[i] = C.urpc_binding{buffer: C.VkHandle64(b.buffer),
			offset: C.uint64_t(b.offset), _range: C.uint64_t(b.size)}
	}
	for i, w := range push {
		a.push[i] = C.uint32_t(w)
	}
	for i, g := range groups {
		a.groups[i] = C.uint32_t(g)
	}
	r := C.urpc_record_dispatch(be.dev, k, &a)
	if r == C.VkResult(-1000069000) {
		if err := be.flush(); err != nil {
			return err
		}
		r = C.urpc_record_dispatch(be.dev, k, &a)
	}
	if r != 0 {
		return vkError{"recording " + spec.name, r}
	}
	return nil
}

// copyBuffer records a copy of bytes from src at srcOff to dst at dstOff.
func (be *backend) copyBuffer(src *memory, srcOff uint64, dst *memory, dstOff uint64,
	bytes uint64) error {
	r := C.urpc_record_copy(be.dev, C.VkHandle64(src.buffer), C.uint64_t(srcOff),
		C.VkHandle64(dst.buffer), C.uint64_t(dstOff), C.uint64_t(bytes))
	if r != 0 {
		return vkError{"vkCmdCopyBuffer", r}
	}
	return nil
}

// flush submits the recorded work and waits for it.
func (be *backend) flush() error {
	if r := C.urpc_flush(be.dev); r != 0 {
		return vkError{"vkQueueSubmit/vkWaitForFences", r}
	}
	return nil
}

// validationMessages returns the validation layer's message count and last message.
func validationMessages() (int64, string) {
	return int64(C.urpc_vk_validation_messages()), C.GoString(C.urpc_vk_last_message())
}
