#version 450
// Copies rows between strided layouts: out[r*ostride + i] (+)= x[r*xstride + i] for
// r < rows and i < cols. The channel concatenation of [N, C1, V] and [N, C2, V] into
// [N, C1 + C2, V] copies each part with rows = N, cols = Ck*V, xstride = Ck*V and
// ostride = (C1 + C2)*V, starting at the part's first channel; the split of the
// gradient is the reverse copy. out is overwritten, or added to when accumulate != 0.
layout(local_size_x = 256) in;

layout(std430, set = 0, binding = 0) readonly buffer X { float x[]; };
layout(std430, set = 0, binding = 1) buffer Out { float o[]; };

layout(push_constant) uniform Push {
	uint rows, cols, xstride, ostride, accumulate;
	uint xo, oo;
} p;

void main() {
	uint i = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * 256;
	if (i >= p.rows * p.cols) {
		return;
	}
	uint r = i / p.cols, c = i % p.cols;
	uint k = p.oo + r * p.ostride + c;
	float v = x[p.xo + r * p.xstride + c];
	o[k] = p.accumulate != 0 ? o[k] + v : v;
}
