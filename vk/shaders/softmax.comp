#version 450
// Softmax (or log-softmax when log != 0) along the middle axis of x viewed as
// [outer, C, inner]: one invocation per (outer, inner) position.
layout(local_size_x = 256) in;

layout(std430, set = 0, binding = 0) readonly buffer X { float x[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Out { float o[]; };

layout(push_constant) uniform Push {
	uint outer, C, inner, log;
	uint xo, oo;
} p;

void main() {
	uint t = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * 256;
	if (t >= p.outer * p.inner) {
		return;
	}
	uint base = (t / p.inner) * p.C * p.inner + t % p.inner;
	float m = x[p.xo + base];
	for (uint c = 1; c < p.C; c++) {
		m = max(m, x[p.xo + base + c * p.inner]);
	}
	float s = 0;
	for (uint c = 0; c < p.C; c++) {
		s += exp(x[p.xo + base + c * p.inner] - m);
	}
	float logS = log(s);
	for (uint c = 0; c < p.C; c++) {
		float v = x[p.xo + base + c * p.inner] - m;
		o[p.oo + base + c * p.inner] = p.log != 0 ? v - logS : exp(v) / s;
	}
}
