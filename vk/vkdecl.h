// Vulkan 1.0 structures, constants and entry-point types used by the shim, transcribed
// from the Vulkan specification (only the members and values this package needs).

#ifndef URPC_VK_DECL_H
#define URPC_VK_DECL_H

#include "shim.h"

typedef uint32_t VkFlags;
typedef uint32_t VkBool32;
typedef uint64_t VkDeviceSize;
typedef void (*PFN_vkVoidFunction)(void);
typedef PFN_vkVoidFunction (*PFN_vkGetInstanceProcAddr)(VkInstance, const char *);

enum {
	ST_APPLICATION_INFO = 0,
	ST_INSTANCE_CREATE_INFO = 1,
	ST_DEVICE_QUEUE_CREATE_INFO = 2,
	ST_DEVICE_CREATE_INFO = 3,
	ST_SUBMIT_INFO = 4,
	ST_MEMORY_ALLOCATE_INFO = 5,
	ST_FENCE_CREATE_INFO = 8,
	ST_BUFFER_CREATE_INFO = 12,
	ST_SHADER_MODULE_CREATE_INFO = 16,
	ST_PIPELINE_SHADER_STAGE_CREATE_INFO = 18,
	ST_COMPUTE_PIPELINE_CREATE_INFO = 29,
	ST_PIPELINE_LAYOUT_CREATE_INFO = 30,
	ST_DESCRIPTOR_SET_LAYOUT_CREATE_INFO = 32,
	ST_DESCRIPTOR_POOL_CREATE_INFO = 33,
	ST_DESCRIPTOR_SET_ALLOCATE_INFO = 34,
	ST_WRITE_DESCRIPTOR_SET = 35,
	ST_COMMAND_POOL_CREATE_INFO = 39,
	ST_COMMAND_BUFFER_ALLOCATE_INFO = 40,
	ST_COMMAND_BUFFER_BEGIN_INFO = 42,
	ST_MEMORY_BARRIER = 46,
	ST_DEBUG_REPORT_CALLBACK_CREATE_INFO_EXT = 1000011000,
};

enum {
	VK_SUCCESS_ = 0,
	VK_INCOMPLETE_ = 5,
	VK_ERROR_OUT_OF_HOST_MEMORY_ = -1,
	VK_ERROR_INITIALIZATION_FAILED_ = -3,
	VK_ERROR_FEATURE_NOT_PRESENT_ = -8,
	VK_ERROR_FRAGMENTED_POOL_ = -12,
	VK_ERROR_OUT_OF_POOL_MEMORY_ = -1000069000,
};

#define QUEUE_COMPUTE_BIT 0x2u
#define MEM_DEVICE_LOCAL 0x1u
#define MEM_HOST_VISIBLE 0x2u
#define MEM_HOST_COHERENT 0x4u
#define BUFFER_USAGE_TRANSFER_SRC 0x1u
#define BUFFER_USAGE_TRANSFER_DST 0x2u
#define BUFFER_USAGE_STORAGE 0x20u
#define DESCRIPTOR_STORAGE_BUFFER 7u
#define STAGE_COMPUTE 0x20u
#define BIND_POINT_COMPUTE 1u
#define CMD_POOL_RESET_BUFFER 0x2u
#define CMD_ONE_TIME_SUBMIT 0x1u
#define ACCESS_SHADER_READ 0x20u
#define ACCESS_SHADER_WRITE 0x40u
#define ACCESS_TRANSFER_READ 0x800u
#define ACCESS_TRANSFER_WRITE 0x1000u
#define ACCESS_HOST_READ 0x2000u
#define ACCESS_HOST_WRITE 0x4000u
#define PIPE_COMPUTE_SHADER 0x800u
#define PIPE_TRANSFER 0x1000u
#define PIPE_HOST 0x4000u
#define DEBUG_REPORT_WARNING 0x2u
#define DEBUG_REPORT_PERFORMANCE 0x4u
#define DEBUG_REPORT_ERROR 0x8u

typedef struct {
	int32_t sType;
	const void *pNext;
	const char *pApplicationName;
	uint32_t applicationVersion;
	const char *pEngineName;
	uint32_t engineVersion;
	uint32_t apiVersion;
} VkApplicationInfo;

typedef struct {
	int32_t sType;
	const void *pNext;
	VkFlags flags;
	const VkApplicationInfo *pApplicationInfo;
	uint32_t enabledLayerCount;
	const char *const *ppEnabledLayerNames;
	uint32_t enabledExtensionCount;
	const char *const *ppEnabledExtensionNames;
} VkInstanceCreateInfo;

typedef struct {
	char layerName[256];
	uint32_t specVersion;
	uint32_t implementationVersion;
	char description[256];
} VkLayerProperties;

typedef struct {
	char extensionName[256];
	uint32_t specVersion;
} VkExtensionProperties;

typedef VkBool32 (*PFN_vkDebugReportCallbackEXT)(VkFlags flags, int32_t objectType,
	uint64_t object, size_t location, int32_t messageCode, const char *pLayerPrefix,
	const char *pMessage, void *pUserData);

typedef struct {
	int32_t sType;
	const void *pNext;
	VkFlags flags;
	PFN_vkDebugReportCallbackEXT pfnCallback;
	void *pUserData;
} VkDebugReportCallbackCreateInfoEXT;

typedef struct {
	uint32_t width, height, depth;
} VkExtent3D;

typedef struct {
	VkFlags queueFlags;
	uint32_t queueCount;
	uint32_t timestampValidBits;
	VkExtent3D minImageTransferGranularity;
} VkQueueFamilyProperties;

typedef struct {
	VkFlags propertyFlags;
	uint32_t heapIndex;
} VkMemoryType;

typedef struct {
	VkDeviceSize size;
	VkFlags flags;
} VkMemoryHeap;

typedef struct {
	uint32_t memoryTypeCount;
	VkMemoryType memoryTypes[32];
	uint32_t memoryHeapCount;
	VkMemoryHeap memoryHeaps[16];
} VkPhysicalDeviceMemoryProperties;

typedef struct {
	int32_t sType;
	const void *pNext;
	VkFlags flags;
	uint32_t queueFamilyIndex;
	uint32_t queueCount;
	const float *pQueuePriorities;
} VkDeviceQueueCreateInfo;

typedef struct {
	int32_t sType;
	const void *pNext;
	VkFlags flags;
	uint32_t queueCreateInfoCount;
	const VkDeviceQueueCreateInfo *pQueueCreateInfos;
	uint32_t enabledLayerCount;
	const char *const *ppEnabledLayerNames;
	uint32_t enabledExtensionCount;
	const char *const *ppEnabledExtensionNames;
	const void *pEnabledFeatures;
} VkDeviceCreateInfo;

typedef struct {
	int32_t sType;
	const void *pNext;
	VkFlags flags;
	VkDeviceSize size;
	VkFlags usage;
	int32_t sharingMode;
	uint32_t queueFamilyIndexCount;
	const uint32_t *pQueueFamilyIndices;
} VkBufferCreateInfo;

typedef struct {
	VkDeviceSize size;
	VkDeviceSize alignment;
	uint32_t memoryTypeBits;
} VkMemoryRequirements;

typedef struct {
	int32_t sType;
	const void *pNext;
	VkDeviceSize allocationSize;
	uint32_t memoryTypeIndex;
} VkMemoryAllocateInfo;

typedef struct {
	int32_t sType;
	const void *pNext;
	VkFlags flags;
	size_t codeSize;
	const uint32_t *pCode;
} VkShaderModuleCreateInfo;

typedef struct {
	uint32_t binding;
	int32_t descriptorType;
	uint32_t descriptorCount;
	VkFlags stageFlags;
	const void *pImmutableSamplers;
} VkDescriptorSetLayoutBinding;

typedef struct {
	int32_t sType;
	const void *pNext;
	VkFlags flags;
	uint32_t bindingCount;
	const VkDescriptorSetLayoutBinding *pBindings;
} VkDescriptorSetLayoutCreateInfo;

typedef struct {
	VkFlags stageFlags;
	uint32_t offset;
	uint32_t size;
} VkPushConstantRange;

typedef struct {
	int32_t sType;
	const void *pNext;
	VkFlags flags;
	uint32_t setLayoutCount;
	const VkHandle64 *pSetLayouts;
	uint32_t pushConstantRangeCount;
	const VkPushConstantRange *pPushConstantRanges;
} VkPipelineLayoutCreateInfo;

typedef struct {
	int32_t sType;
	const void *pNext;
	VkFlags flags;
	VkFlags stage;
	VkHandle64 module;
	const char *pName;
	const void *pSpecializationInfo;
} VkPipelineShaderStageCreateInfo;

typedef struct {
	int32_t sType;
	const void *pNext;
	VkFlags flags;
	VkPipelineShaderStageCreateInfo stage;
	VkHandle64 layout;
	VkHandle64 basePipelineHandle;
	int32_t basePipelineIndex;
} VkComputePipelineCreateInfo;

typedef struct {
	int32_t type;
	uint32_t descriptorCount;
} VkDescriptorPoolSize;

typedef struct {
	int32_t sType;
	const void *pNext;
	VkFlags flags;
	uint32_t maxSets;
	uint32_t poolSizeCount;
	const VkDescriptorPoolSize *pPoolSizes;
} VkDescriptorPoolCreateInfo;

typedef struct {
	int32_t sType;
	const void *pNext;
	VkHandle64 descriptorPool;
	uint32_t descriptorSetCount;
	const VkHandle64 *pSetLayouts;
} VkDescriptorSetAllocateInfo;

typedef struct {
	VkHandle64 buffer;
	VkDeviceSize offset;
	VkDeviceSize range;
} VkDescriptorBufferInfo;

typedef struct {
	int32_t sType;
	const void *pNext;
	VkHandle64 dstSet;
	uint32_t dstBinding;
	uint32_t dstArrayElement;
	uint32_t descriptorCount;
	int32_t descriptorType;
	const void *pImageInfo;
	const VkDescriptorBufferInfo *pBufferInfo;
	const void *pTexelBufferView;
} VkWriteDescriptorSet;

typedef struct {
	int32_t sType;
	const void *pNext;
	VkFlags flags;
	uint32_t queueFamilyIndex;
} VkCommandPoolCreateInfo;

typedef struct {
	int32_t sType;
	const void *pNext;
	VkHandle64 commandPool;
	int32_t level;
	uint32_t commandBufferCount;
} VkCommandBufferAllocateInfo;

typedef struct {
	int32_t sType;
	const void *pNext;
	VkFlags flags;
	const void *pInheritanceInfo;
} VkCommandBufferBeginInfo;

typedef struct {
	int32_t sType;
	const void *pNext;
	VkFlags srcAccessMask;
	VkFlags dstAccessMask;
} VkMemoryBarrier;

typedef struct {
	VkDeviceSize srcOffset;
	VkDeviceSize dstOffset;
	VkDeviceSize size;
} VkBufferCopy;

typedef struct {
	int32_t sType;
	const void *pNext;
	uint32_t waitSemaphoreCount;
	const VkHandle64 *pWaitSemaphores;
	const VkFlags *pWaitDstStageMask;
	uint32_t commandBufferCount;
	const VkCommandBuffer *pCommandBuffers;
	uint32_t signalSemaphoreCount;
	const VkHandle64 *pSignalSemaphores;
} VkSubmitInfo;

typedef struct {
	int32_t sType;
	const void *pNext;
	VkFlags flags;
} VkFenceCreateInfo;

typedef VkResult (*PFN_create)(VkDevice, const void *, const void *, VkHandle64 *);
typedef void (*PFN_destroy)(VkDevice, VkHandle64, const void *);

// urpc_dev is one logical device with one queue, one command buffer that collects the
// dispatches until the next flush, a fence, and a descriptor pool reset at each flush.
struct urpc_dev {
	VkDevice device;
	VkQueue queue;
	uint32_t memory_type;
	VkHandle64 command_pool, fence, descriptor_pool;
	VkCommandBuffer cmd;
	int recording, recorded;

	void (*DestroyDevice)(VkDevice, const void *);
	void (*GetDeviceQueue)(VkDevice, uint32_t, uint32_t, VkQueue *);
	VkResult (*CreateBuffer)(VkDevice, const VkBufferCreateInfo *, const void *,
		VkHandle64 *);
	PFN_destroy DestroyBuffer, FreeMemory, DestroyShaderModule, DestroyPipeline;
	PFN_destroy DestroyDescriptorSetLayout, DestroyPipelineLayout, DestroyDescriptorPool;
	PFN_destroy DestroyCommandPool, DestroyFence;
	void (*GetBufferMemoryRequirements)(VkDevice, VkHandle64, VkMemoryRequirements *);
	VkResult (*AllocateMemory)(VkDevice, const VkMemoryAllocateInfo *, const void *,
		VkHandle64 *);
	VkResult (*BindBufferMemory)(VkDevice, VkHandle64, VkHandle64, VkDeviceSize);
	VkResult (*MapMemory)(VkDevice, VkHandle64, VkDeviceSize, VkDeviceSize, VkFlags,
		void **);
	PFN_create CreateShaderModule, CreateDescriptorSetLayout, CreatePipelineLayout;
	PFN_create CreateDescriptorPool, CreateCommandPool, CreateFence;
	VkResult (*CreateComputePipelines)(VkDevice, VkHandle64, uint32_t,
		const VkComputePipelineCreateInfo *, const void *, VkHandle64 *);
	VkResult (*ResetDescriptorPool)(VkDevice, VkHandle64, VkFlags);
	VkResult (*AllocateDescriptorSets)(VkDevice, const VkDescriptorSetAllocateInfo *,
		VkHandle64 *);
	void (*UpdateDescriptorSets)(VkDevice, uint32_t, const VkWriteDescriptorSet *,
		uint32_t, const void *);
	VkResult (*AllocateCommandBuffers)(VkDevice, const VkCommandBufferAllocateInfo *,
		VkCommandBuffer *);
	VkResult (*BeginCommandBuffer)(VkCommandBuffer, const VkCommandBufferBeginInfo *);
	VkResult (*EndCommandBuffer)(VkCommandBuffer);
	VkResult (*ResetCommandBuffer)(VkCommandBuffer, VkFlags);
	void (*CmdBindPipeline)(VkCommandBuffer, uint32_t, VkHandle64);
	void (*CmdBindDescriptorSets)(VkCommandBuffer, uint32_t, VkHandle64, uint32_t,
		uint32_t, const VkHandle64 *, uint32_t, const uint32_t *);
	void (*CmdPushConstants)(VkCommandBuffer, VkHandle64, VkFlags, uint32_t, uint32_t,
		const void *);
	void (*CmdDispatch)(VkCommandBuffer, uint32_t, uint32_t, uint32_t);
	void (*CmdPipelineBarrier)(VkCommandBuffer, VkFlags, VkFlags, VkFlags, uint32_t,
		const VkMemoryBarrier *, uint32_t, const void *, uint32_t, const void *);
	void (*CmdCopyBuffer)(VkCommandBuffer, VkHandle64, VkHandle64, uint32_t,
		const VkBufferCopy *);
	VkResult (*QueueSubmit)(VkQueue, uint32_t, const VkSubmitInfo *, VkHandle64);
	VkResult (*WaitForFences)(VkDevice, uint32_t, const VkHandle64 *, VkBool32, uint64_t);
	VkResult (*ResetFences)(VkDevice, uint32_t, const VkHandle64 *);
	VkResult (*DeviceWaitIdle)(VkDevice);
};

// urpc_gipa is vkGetInstanceProcAddr of the loaded libvulkan.so.1.
extern PFN_vkGetInstanceProcAddr urpc_gipa;

#endif
