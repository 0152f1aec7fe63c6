#version 450
// Backward of softmax (log == 0) or log-softmax along the middle axis of
// [outer, C, inner], from the forward output y and the output gradient g:
//   softmax:     gx = y * (g - sum_c g*y)
//   log-softmax: gx = g - exp(y) * sum_c g
// gx is overwritten, or added to when accumulate != 0.
layout(local_size_x = 256) in;

layout(std430, set = 0, binding = 0) readonly buffer Y { float y[]; };
layout(std430, set = 0, binding = 1) readonly buffer G { float g[]; };
layout(std430, set = 0, binding = 2) buffer GX { float gx[]; };

layout(push_constant) uniform Push {
	uint outer, C, inner, log, accumulate;
	uint yo, go, xo;
} p;

void main() {
	uint t = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * 256;
	if (t >= p.outer * p.inner) {
		return;
	}
	uint base = (t / p.inner) * p.C * p.inner + t % p.inner;
	float s = 0;
	for (uint c = 0; c < p.C; c++) {
		uint k = base + c * p.inner;
		s += p.log != 0 ? g[p.go + k] : g[p.go + k] * y[p.yo + k];
	}
	for (uint c = 0; c < p.C; c++) {
		uint k = base + c * p.inner;
		float yv = y[p.yo + k], gv = g[p.go + k];
		float d = p.log != 0 ? gv - exp(yv) * s : yv * (gv - s);
		gx[p.xo + k] = p.accumulate != 0 ? gx[p.xo + k] + d : d;
	}
}
