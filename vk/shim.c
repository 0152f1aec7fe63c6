//go:build cgo && !novulkan

// The C side of package vk: loads libvulkan.so.1, creates the instance, the device and
// its objects, and records and submits command buffers. Every array handed to the
// driver is built here on the C stack, so no Go garbage collection can free it early.

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vkdecl.h"

static void *vulkan_library;
PFN_vkGetInstanceProcAddr urpc_gipa;
static long validation_messages;
static char last_message[1024];

// urpc_vk_load opens the Vulkan loader; it returns 0 when it is not installed.
int urpc_vk_load(void) {
	if (urpc_gipa != NULL) {
		return 1;
	}
	vulkan_library = dlopen("libvulkan.so.1", RTLD_NOW | RTLD_LOCAL);
	if (vulkan_library == NULL) {
		return 0;
	}
	urpc_gipa =
		(PFN_vkGetInstanceProcAddr)dlsym(vulkan_library, "vkGetInstanceProcAddr");
	return urpc_gipa != NULL;
}

void *urpc_vk_get_instance_proc_addr(void) { return (void *)urpc_gipa; }

long urpc_vk_validation_messages(void) {
	return __atomic_load_n(&validation_messages, __ATOMIC_SEQ_CST);
}

const char *urpc_vk_last_message(void) { return last_message; }

// debug_report counts the validation layer's errors and warnings and keeps the last.
static VkBool32 debug_report(VkFlags flags, int32_t type, uint64_t object, size_t location,
	int32_t code, const char *prefix, const char *message, void *user) {
	(void)flags, (void)type, (void)object, (void)location, (void)code, (void)user;
	__atomic_add_fetch(&validation_messages, 1, __ATOMIC_SEQ_CST);
	snprintf(last_message, sizeof last_message, "%s: %s", prefix, message);
	return 0;
}

// has_layer reports whether the loader offers the named instance layer.
static int has_layer(const char *name) {
	VkResult (*enumerate)(uint32_t *, VkLayerProperties *) =
		(void *)urpc_gipa(NULL, "vkEnumerateInstanceLayerProperties");
	uint32_t count = 0;
	if (enumerate == NULL || enumerate(&count, NULL) != 0 || count == 0) {
		return 0;
	}
	VkLayerProperties *layers = calloc(count, sizeof *layers);
	int found = 0;
	if (layers != NULL && enumerate(&count, layers) >= 0) {
		for (uint32_t i = 0; i < count; i++) {
			found |= strcmp(layers[i].layerName, name) == 0;
		}
	}
	free(layers);
	return found;
}

// urpc_vk_create_instance creates a Vulkan 1.0 instance, with the Khronos validation
// layer and a debug-report callback when asked for and installed.
VkResult urpc_vk_create_instance(int want_validation, VkInstance *out, VkHandle64 *callback) {
	static const char *layers[] = {"VK_LAYER_KHRONOS_validation"};
	static const char *extensions[] = {"VK_EXT_debug_report"};
	VkResult (*create)(const VkInstanceCreateInfo *, const void *, VkInstance *) =
		(void *)urpc_gipa(NULL, "vkCreateInstance");
	if (create == NULL) {
		return VK_ERROR_INITIALIZATION_FAILED_;
	}

	int validation = want_validation && has_layer(layers[0]);
	VkApplicationInfo app = {ST_APPLICATION_INFO, NULL, "urpc", 1, "urpc", 1, 1u << 22};
	VkInstanceCreateInfo info = {ST_INSTANCE_CREATE_INFO, NULL, 0, &app,
		validation ? 1u : 0u, layers, validation ? 1u : 0u, extensions};
	VkResult r = create(&info, NULL, out);
	if (r != 0) {
		return r;
	}

	*callback = 0;
	if (validation) {
		VkResult (*create_callback)(VkInstance, const VkDebugReportCallbackCreateInfoEXT *,
			const void *, VkHandle64 *) =
			(void *)urpc_gipa(*out, "vkCreateDebugReportCallbackEXT");
		VkDebugReportCallbackCreateInfoEXT cb = {ST_DEBUG_REPORT_CALLBACK_CREATE_INFO_EXT,
			NULL, DEBUG_REPORT_ERROR | DEBUG_REPORT_WARNING, debug_report, NULL};
		if (create_callback == NULL || create_callback(*out, &cb, NULL, callback) != 0) {
			*callback = 0;
		}
	}
	return 0;
}

// urpc_vk_destroy_instance destroys the debug-report callback (when not 0) and inst.
void urpc_vk_destroy_instance(VkInstance inst, VkHandle64 callback) {
	if (callback) {
		void (*destroy_callback)(VkInstance, VkHandle64, const void *) =
			(void *)urpc_gipa(inst, "vkDestroyDebugReportCallbackEXT");
		destroy_callback(inst, callback, NULL);
	}
	void (*destroy)(VkInstance, const void *) = (void *)urpc_gipa(inst, "vkDestroyInstance");
	destroy(inst, NULL);
}
