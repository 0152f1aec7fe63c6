//go:build cgo && !novulkan

// Kernels and command recording: a compute pipeline per shader, and dispatches
// collected in one command buffer, each followed by a full compute barrier, until a
// flush submits them and waits.

#include "vkdecl.h"

// urpc_kernel_create builds a compute pipeline whose set 0 holds `bindings` storage
// buffers and whose push-constant block has push_bytes bytes; entry point "main".
VkResult urpc_kernel_create(urpc_dev *d, const uint32_t *code, size_t code_bytes,
	uint32_t bindings, uint32_t push_bytes, urpc_kernel *k) {
	*k = (urpc_kernel){0};
	k->bindings = bindings;
	k->push_bytes = push_bytes;
	VkShaderModuleCreateInfo sm = {ST_SHADER_MODULE_CREATE_INFO, NULL, 0, code_bytes, code};
	VkResult r = d->CreateShaderModule(d->device, &sm, NULL, &k->module);
	if (r != 0) {
		return r;
	}

	VkDescriptorSetLayoutBinding b[URPC_MAX_BINDINGS];
	for (uint32_t i = 0; i < bindings; i++) {
		b[i] = (VkDescriptorSetLayoutBinding){i, DESCRIPTOR_STORAGE_BUFFER, 1, STAGE_COMPUTE,
			NULL};
	}
	VkDescriptorSetLayoutCreateInfo sl = {ST_DESCRIPTOR_SET_LAYOUT_CREATE_INFO, NULL, 0,
		bindings, b};
	if ((r = d->CreateDescriptorSetLayout(d->device, &sl, NULL, &k->set_layout)) != 0) {
		return r;
	}

	VkPushConstantRange push = {STAGE_COMPUTE, 0, push_bytes};
	VkPipelineLayoutCreateInfo pl = {ST_PIPELINE_LAYOUT_CREATE_INFO, NULL, 0, 1,
		&k->set_layout, push_bytes ? 1u : 0u, &push};
	if ((r = d->CreatePipelineLayout(d->device, &pl, NULL, &k->pipeline_layout)) != 0) {
		return r;
	}

	VkComputePipelineCreateInfo cp = {ST_COMPUTE_PIPELINE_CREATE_INFO, NULL, 0,
		{ST_PIPELINE_SHADER_STAGE_CREATE_INFO, NULL, 0, STAGE_COMPUTE, k->module, "main",
			NULL},
		k->pipeline_layout, 0, -1};
	return d->CreateComputePipelines(d->device, 0, 1, &cp, NULL, &k->pipeline);
}

// urpc_kernel_destroy releases what urpc_kernel_create made (zero handles are skipped).
void urpc_kernel_destroy(urpc_dev *d, urpc_kernel *k) {
	if (k->pipeline) {
		d->DestroyPipeline(d->device, k->pipeline, NULL);
	}
	if (k->pipeline_layout) {
		d->DestroyPipelineLayout(d->device, k->pipeline_layout, NULL);
	}
	if (k->set_layout) {
		d->DestroyDescriptorSetLayout(d->device, k->set_layout, NULL);
	}
	if (k->module) {
		d->DestroyShaderModule(d->device, k->module, NULL);
	}
	*k = (urpc_kernel){0};
}

// begin starts the command buffer when it is not recording yet.
static VkResult begin(urpc_dev *d) {
	if (d->recording) {
		return 0;
	}
	VkCommandBufferBeginInfo info = {ST_COMMAND_BUFFER_BEGIN_INFO, NULL, CMD_ONE_TIME_SUBMIT,
		NULL};
	VkResult r = d->BeginCommandBuffer(d->cmd, &info);
	d->recording = r == 0;
	return r;
}

// barrier makes every earlier shader or transfer write visible to every later shader,
// transfer or host access.
static void barrier(urpc_dev *d) {
	VkMemoryBarrier mb = {ST_MEMORY_BARRIER, NULL, ACCESS_SHADER_WRITE | ACCESS_TRANSFER_WRITE,
		ACCESS_SHADER_READ | ACCESS_SHADER_WRITE | ACCESS_TRANSFER_READ |
			ACCESS_TRANSFER_WRITE | ACCESS_HOST_READ};
	d->CmdPipelineBarrier(d->cmd, PIPE_COMPUTE_SHADER | PIPE_TRANSFER,
		PIPE_COMPUTE_SHADER | PIPE_TRANSFER | PIPE_HOST, 0, 1, &mb, 0, NULL, 0, NULL);
}

// urpc_record_dispatch records one dispatch of k with a fresh descriptor set. It
// returns VK_ERROR_OUT_OF_POOL_MEMORY when the pool is exhausted: flush and retry.
VkResult urpc_record_dispatch(urpc_dev *d, const urpc_kernel *k, const urpc_dispatch *a) {
	VkResult r = begin(d);
	if (r != 0) {
		return r;
	}
	VkHandle64 set = 0;
	VkDescriptorSetAllocateInfo alloc = {ST_DESCRIPTOR_SET_ALLOCATE_INFO, NULL,
		d->descriptor_pool, 1, &k->set_layout};
	if ((r = d->AllocateDescriptorSets(d->device, &alloc, &set)) != 0) {
		return r == VK_ERROR_FRAGMENTED_POOL_ ? VK_ERROR_OUT_OF_POOL_MEMORY_ : r;
	}

	VkDescriptorBufferInfo info[URPC_MAX_BINDINGS];
	VkWriteDescriptorSet w[URPC_MAX_BINDINGS];
	for (uint32_t i = 0; i < k->bindings; i++) {
		info[i] = (VkDescriptorBufferInfo){a->bindings[i].buffer, a->bindings[i].offset,
			a->bindings[i].range};
		w[i] = (VkWriteDescriptorSet){ST_WRITE_DESCRIPTOR_SET, NULL, set, i, 0, 1,
			DESCRIPTOR_STORAGE_BUFFER, NULL, &info[i], NULL};
	}
	d->UpdateDescriptorSets(d->device, k->bindings, w, 0, NULL);

	d->CmdBindPipeline(d->cmd, BIND_POINT_COMPUTE, k->pipeline);
	d->CmdBindDescriptorSets(d->cmd, BIND_POINT_COMPUTE, k->pipeline_layout, 0, 1, &set, 0,
		NULL);
	if (k->push_bytes) {
		d->CmdPushConstants(d->cmd, k->pipeline_layout, STAGE_COMPUTE, 0, k->push_bytes,
			a->push);
	}
	d->CmdDispatch(d->cmd, a->groups[0], a->groups[1], a->groups[2]);
	barrier(d);
	d->recorded++;
	return 0;
}

// urpc_record_copy records a buffer-to-buffer copy followed by a barrier.
VkResult urpc_record_copy(urpc_dev *d, VkHandle64 src, uint64_t src_off, VkHandle64 dst,
	uint64_t dst_off, uint64_t bytes) {
	VkResult r = begin(d);
	if (r != 0) {
		return r;
	}
	VkBufferCopy region = {src_off, dst_off, bytes};
	d->CmdCopyBuffer(d->cmd, src, dst, 1, &region);
	barrier(d);
	d->recorded++;
	return 0;
}

int urpc_dev_recorded(urpc_dev *d) { return d->recorded; }

// urpc_flush submits what was recorded, waits for it, and resets the command buffer
// and the descriptor pool for the next batch.
VkResult urpc_flush(urpc_dev *d) {
	if (!d->recording) {
		return 0;
	}
	d->recording = 0;
	d->recorded = 0;
	VkResult r = d->EndCommandBuffer(d->cmd);
	if (r == 0) {
		VkSubmitInfo submit = {ST_SUBMIT_INFO, NULL, 0, NULL, NULL, 1, &d->cmd, 0, NULL};
		r = d->QueueSubmit(d->queue, 1, &submit, d->fence);
	}
	if (r == 0) {
		r = d->WaitForFences(d->device, 1, &d->fence, 1, ~0ull);
		d->ResetFences(d->device, 1, &d->fence);
	}
	d->ResetCommandBuffer(d->cmd, 0);
	d->ResetDescriptorPool(d->device, d->descriptor_pool, 0);
	return r;
}
