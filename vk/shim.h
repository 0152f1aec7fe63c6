// The small C layer of package vk: the Vulkan 1.0 declarations it needs, written from
// the specification, and every call that passes arrays or structs to the driver.
// Go never hands these functions memory they keep; all arrays live on the C stack.

#ifndef URPC_VK_SHIM_H
#define URPC_VK_SHIM_H

#include <stddef.h>
#include <stdint.h>

typedef struct VkInstance_T *VkInstance;
typedef struct VkPhysicalDevice_T *VkPhysicalDevice;
typedef struct VkDevice_T *VkDevice;
typedef struct VkQueue_T *VkQueue;
typedef struct VkCommandBuffer_T *VkCommandBuffer;
typedef uint64_t VkHandle64;
typedef int32_t VkResult;

// urpc_kernel is one compiled compute shader: module, layouts and pipeline.
typedef struct {
	VkHandle64 module, set_layout, pipeline_layout, pipeline;
	uint32_t bindings, push_bytes;
} urpc_kernel;

// urpc_binding is one storage-buffer descriptor: a range of a buffer.
typedef struct {
	VkHandle64 buffer;
	uint64_t offset, range;
} urpc_binding;

#define URPC_MAX_BINDINGS 8
#define URPC_MAX_PUSH 128

// urpc_dispatch is one recorded dispatch; it is filled by Go on its stack.
typedef struct {
	urpc_binding bindings[URPC_MAX_BINDINGS];
	uint32_t push[URPC_MAX_PUSH / 4];
	uint32_t groups[3];
} urpc_dispatch;

typedef struct urpc_dev urpc_dev;

int urpc_vk_load(void);
void *urpc_vk_get_instance_proc_addr(void);
VkResult urpc_vk_create_instance(int want_validation, VkInstance *out, VkHandle64 *callback);
void urpc_vk_destroy_instance(VkInstance inst, VkHandle64 callback);
long urpc_vk_validation_messages(void);
const char *urpc_vk_last_message(void);

VkResult urpc_dev_open(VkInstance inst, VkPhysicalDevice phys, urpc_dev **out);
void urpc_dev_close(urpc_dev *d);
VkResult urpc_buffer_create(urpc_dev *d, uint64_t bytes, VkHandle64 *buf, VkHandle64 *mem,
	void **mapped);
void urpc_buffer_destroy(urpc_dev *d, VkHandle64 buf, VkHandle64 mem);
VkResult urpc_kernel_create(urpc_dev *d, const uint32_t *code, size_t code_bytes,
	uint32_t bindings, uint32_t push_bytes, urpc_kernel *out);
void urpc_kernel_destroy(urpc_dev *d, urpc_kernel *k);
VkResult urpc_record_dispatch(urpc_dev *d, const urpc_kernel *k, const urpc_dispatch *a);
VkResult urpc_record_copy(urpc_dev *d, VkHandle64 src, uint64_t src_off, VkHandle64 dst,
	uint64_t dst_off, uint64_t bytes);
VkResult urpc_flush(urpc_dev *d);
int urpc_dev_recorded(urpc_dev *d);

#endif
