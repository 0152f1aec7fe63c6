#version 450
// Sums g [N, C, P] over the batch and the positions for each channel (the bias
// gradient of a convolution): out[c] (+)= sum_n sum_p g[n, c, p]. One workgroup per
// channel reduces in shared memory.
layout(local_size_x = 256) in;

layout(std430, set = 0, binding = 0) readonly buffer G { float g[]; };
layout(std430, set = 0, binding = 1) buffer Out { float o[]; };

layout(push_constant) uniform Push {
	uint N, C, P, accumulate;
	uint go, oo;
} p;

shared float partial[256];

void main() {
	uint c = gl_WorkGroupID.x, t = gl_LocalInvocationID.x;
	float s = 0;
	for (uint n = 0; n < p.N; n++) {
		uint base = p.go + (n * p.C + c) * p.P;
		for (uint i = t; i < p.P; i += 256) {
			s += g[base + i];
		}
	}
	partial[t] = s;
	barrier();
	for (uint half_ = 128; half_ > 0; half_ >>= 1) {
		if (t < half_) {
			partial[t] += partial[t + half_];
		}
		barrier();
	}
	if (t == 0) {
		o[p.oo + c] = p.accumulate != 0 ? o[p.oo + c] + partial[0] : partial[0];
	}
}
