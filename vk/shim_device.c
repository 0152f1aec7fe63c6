//go:build cgo && !novulkan

// Device-level part of the shim: device creation, buffers, compute kernels, and the
// recording and submission of dispatches.

#include <stdlib.h>
#include <string.h>

#include "vkdecl.h"

#define DESCRIPTOR_SETS 1024u

// load_device_functions fills d's entry points; it returns 0 when one is missing.
static int load_device_functions(urpc_dev *d, VkInstance inst) {
	PFN_vkVoidFunction (*get)(VkDevice, const char *) =
		(void *)urpc_gipa(inst, "vkGetDeviceProcAddr");
	if (get == NULL) {
		return 0;
	}
	int ok = 1;
#define LOAD(field, name) ok &= (*(void **)&d->field = (void *)get(d->device, name)) != NULL
	LOAD(DestroyDevice, "vkDestroyDevice");
	LOAD(GetDeviceQueue, "vkGetDeviceQueue");
	LOAD(CreateBuffer, "vkCreateBuffer");
	LOAD(DestroyBuffer, "vkDestroyBuffer");
	LOAD(FreeMemory, "vkFreeMemory");
	LOAD(DestroyShaderModule, "vkDestroyShaderModule");
	LOAD(DestroyPipeline, "vkDestroyPipeline");
	LOAD(DestroyDescriptorSetLayout, "vkDestroyDescriptorSetLayout");
	LOAD(DestroyPipelineLayout, "vkDestroyPipelineLayout");
	LOAD(DestroyDescriptorPool, "vkDestroyDescriptorPool");
	LOAD(DestroyCommandPool, "vkDestroyCommandPool");
	LOAD(DestroyFence, "vkDestroyFence");
	LOAD(GetBufferMemoryRequirements, "vkGetBufferMemoryRequirements");
	LOAD(AllocateMemory, "vkAllocateMemory");
	LOAD(BindBufferMemory, "vkBindBufferMemory");
	LOAD(MapMemory, "vkMapMemory");
	LOAD(CreateShaderModule, "vkCreateShaderModule");
	LOAD(CreateDescriptorSetLayout, "vkCreateDescriptorSetLayout");
	LOAD(CreatePipelineLayout, "vkCreatePipelineLayout");
	LOAD(CreateDescriptorPool, "vkCreateDescriptorPool");
	LOAD(CreateCommandPool, "vkCreateCommandPool");
	LOAD(CreateFence, "vkCreateFence");
	LOAD(CreateComputePipelines, "vkCreateComputePipelines");
	LOAD(ResetDescriptorPool, "vkResetDescriptorPool");
	LOAD(AllocateDescriptorSets, "vkAllocateDescriptorSets");
	LOAD(UpdateDescriptorSets, "vkUpdateDescriptorSets");
	LOAD(AllocateCommandBuffers, "vkAllocateCommandBuffers");
	LOAD(BeginCommandBuffer, "vkBeginCommandBuffer");
	LOAD(EndCommandBuffer, "vkEndCommandBuffer");
	LOAD(ResetCommandBuffer, "vkResetCommandBuffer");
	LOAD(CmdBindPipeline, "vkCmdBindPipeline");
	LOAD(CmdBindDescriptorSets, "vkCmdBindDescriptorSets");
	LOAD(CmdPushConstants, "vkCmdPushConstants");
	LOAD(CmdDispatch, "vkCmdDispatch");
	LOAD(CmdPipelineBarrier, "vkCmdPipelineBarrier");
	LOAD(CmdCopyBuffer, "vkCmdCopyBuffer");
	LOAD(QueueSubmit, "vkQueueSubmit");
	LOAD(WaitForFences, "vkWaitForFences");
	LOAD(ResetFences, "vkResetFences");
	LOAD(DeviceWaitIdle, "vkDeviceWaitIdle");
#undef LOAD
	return ok;
}

// TODO(discrete GPUs): all buffers live in host-visible memory (system RAM on most
// discrete GPUs); device-local buffers with staging copies would be faster there.

// pick_queue_and_memory finds a compute queue family and a host-visible, coherent
// memory type (device-local preferred); it returns 0 when there is none.
static int pick_queue_and_memory(VkInstance inst, VkPhysicalDevice phys, uint32_t *family,
	uint32_t *memory_type) {
	void (*families)(VkPhysicalDevice, uint32_t *, VkQueueFamilyProperties *) =
		(void *)urpc_gipa(inst, "vkGetPhysicalDeviceQueueFamilyProperties");
	void (*memory)(VkPhysicalDevice, VkPhysicalDeviceMemoryProperties *) =
		(void *)urpc_gipa(inst, "vkGetPhysicalDeviceMemoryProperties");
	if (families == NULL || memory == NULL) {
		return 0;
	}
	VkQueueFamilyProperties props[16];
	uint32_t count = 16;
	families(phys, &count, props);
	*family = UINT32_MAX;
	for (uint32_t i = 0; i < count && *family == UINT32_MAX; i++) {
		if (props[i].queueFlags & QUEUE_COMPUTE_BIT) {
			*family = i;
		}
	}

	VkPhysicalDeviceMemoryProperties mem;
	memory(phys, &mem);
	const VkFlags host = MEM_HOST_VISIBLE | MEM_HOST_COHERENT;
	*memory_type = UINT32_MAX;
	for (uint32_t i = 0; i < mem.memoryTypeCount; i++) {
		VkFlags f = mem.memoryTypes[i].propertyFlags;
		if ((f & host) == host && (*memory_type == UINT32_MAX || (f & MEM_DEVICE_LOCAL))) {
			*memory_type = i;
		}
	}
	return *family != UINT32_MAX && *memory_type != UINT32_MAX;
}

// create_objects makes the command pool and buffer, the fence and the descriptor pool.
static VkResult create_objects(urpc_dev *d, uint32_t family) {
	VkCommandPoolCreateInfo pool = {ST_COMMAND_POOL_CREATE_INFO, NULL,
		CMD_POOL_RESET_BUFFER, family};
	VkResult r = d->CreateCommandPool(d->device, &pool, NULL, &d->command_pool);
	if (r != 0) {
		return r;
	}
	VkCommandBufferAllocateInfo alloc = {ST_COMMAND_BUFFER_ALLOCATE_INFO, NULL,
		d->command_pool, 0, 1};
	if ((r = d->AllocateCommandBuffers(d->device, &alloc, &d->cmd)) != 0) {
		return r;
	}
	VkFenceCreateInfo fence = {ST_FENCE_CREATE_INFO, NULL, 0};
	if ((r = d->CreateFence(d->device, &fence, NULL, &d->fence)) != 0) {
		return r;
	}
	VkDescriptorPoolSize size = {DESCRIPTOR_STORAGE_BUFFER,
		DESCRIPTOR_SETS * URPC_MAX_BINDINGS};
	VkDescriptorPoolCreateInfo dp = {ST_DESCRIPTOR_POOL_CREATE_INFO, NULL, 0,
		DESCRIPTOR_SETS, 1, &size};
	return d->CreateDescriptorPool(d->device, &dp, NULL, &d->descriptor_pool);
}

// urpc_dev_open creates a logical device with one compute queue on phys.
VkResult urpc_dev_open(VkInstance inst, VkPhysicalDevice phys, urpc_dev **out) {
	uint32_t family, memory_type;
	if (!pick_queue_and_memory(inst, phys, &family, &memory_type)) {
		return VK_ERROR_FEATURE_NOT_PRESENT_;
	}
	VkResult (*create)(VkPhysicalDevice, const VkDeviceCreateInfo *, const void *,
		VkDevice *) = (void *)urpc_gipa(inst, "vkCreateDevice");
	float priority = 1;
	VkDeviceQueueCreateInfo queue = {ST_DEVICE_QUEUE_CREATE_INFO, NULL, 0, family, 1,
		&priority};
	VkDeviceCreateInfo info = {ST_DEVICE_CREATE_INFO, NULL, 0, 1, &queue, 0, NULL, 0, NULL,
		NULL};
	urpc_dev *d = calloc(1, sizeof *d);
	if (d == NULL) {
		return VK_ERROR_OUT_OF_HOST_MEMORY_;
	}
	d->memory_type = memory_type;

	VkResult r = create(phys, &info, NULL, &d->device);
	if (r != 0) {
		free(d);
		return r;
	}
	if (!load_device_functions(d, inst)) {
		free(d);
		return VK_ERROR_INITIALIZATION_FAILED_;
	}
	d->GetDeviceQueue(d->device, family, 0, &d->queue);
	if ((r = create_objects(d, family)) != 0) {
		urpc_dev_close(d);
		return r;
	}
	*out = d;
	return 0;
}

// urpc_dev_close waits for the device and destroys it with the objects it owns.
void urpc_dev_close(urpc_dev *d) {
	d->DeviceWaitIdle(d->device);
	if (d->descriptor_pool) {
		d->DestroyDescriptorPool(d->device, d->descriptor_pool, NULL);
	}
	if (d->fence) {
		d->DestroyFence(d->device, d->fence, NULL);
	}
	if (d->command_pool) {
		d->DestroyCommandPool(d->device, d->command_pool, NULL);
	}
	d->DestroyDevice(d->device, NULL);
	free(d);
}

// urpc_buffer_create makes a storage buffer of the given size bound to its own
// host-visible allocation, mapped for the buffer's lifetime.
VkResult urpc_buffer_create(urpc_dev *d, uint64_t bytes, VkHandle64 *buf, VkHandle64 *mem,
	void **mapped) {
	VkBufferCreateInfo info = {ST_BUFFER_CREATE_INFO, NULL, 0, bytes,
		BUFFER_USAGE_STORAGE | BUFFER_USAGE_TRANSFER_SRC | BUFFER_USAGE_TRANSFER_DST, 0, 0,
		NULL};
	VkResult r = d->CreateBuffer(d->device, &info, NULL, buf);
	if (r != 0) {
		return r;
	}
	VkMemoryRequirements req;
	d->GetBufferMemoryRequirements(d->device, *buf, &req);
	VkMemoryAllocateInfo alloc = {ST_MEMORY_ALLOCATE_INFO, NULL, req.size, d->memory_type};
	if (!(req.memoryTypeBits & (1u << d->memory_type))) {
		r = VK_ERROR_FEATURE_NOT_PRESENT_;
	} else if ((r = d->AllocateMemory(d->device, &alloc, NULL, mem)) == 0) {
		r = d->BindBufferMemory(d->device, *buf, *mem, 0);
		if (r == 0) {
			r = d->MapMemory(d->device, *mem, 0, ~0ull, 0, mapped);
		}
		if (r != 0) {
			d->FreeMemory(d->device, *mem, NULL);
		}
	}
	if (r != 0) {
		d->DestroyBuffer(d->device, *buf, NULL);
	}
	return r;
}

void urpc_buffer_destroy(urpc_dev *d, VkHandle64 buf, VkHandle64 mem) {
	d->DestroyBuffer(d->device, buf, NULL);
	d->FreeMemory(d->device, mem, NULL);
}
