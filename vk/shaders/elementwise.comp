#version 450
// Elementwise ops over n values: out[i] = f(x[i], y[b(i)]), with the second operand
// broadcast through b(i) = ((base + i) / div) % mod (e.g. a per-channel mask
// [N, C, 1, 1, 1] has div = D*H*W, mod = N*C). `base` is the index of the first value
// of this chunk in the whole tensor.
layout(local_size_x = 256) in;

layout(std430, set = 0, binding = 0) readonly buffer X { float x[]; };
layout(std430, set = 0, binding = 1) readonly buffer Y { float y[]; };
layout(std430, set = 0, binding = 2) buffer Out { float o[]; };

layout(push_constant) uniform Push {
	uint op, n, base, div, mod;
	float alpha;
	uint xo, yo, oo;
} p;

const uint COPY = 0, ADD = 1, SUB = 2, MUL = 3, AXPY = 4, SCALE = 5, RELU = 6,
	RELU_BACKWARD = 7, FILL = 8, MUL_ONE_PLUS = 9, ADD_MUL = 10, ADD_RELU_BACKWARD = 11;

void main() {
	uint i = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * 256;
	if (i >= p.n) {
		return;
	}
	uint b = p.yo + ((p.base + i) / p.div) % p.mod;
	float v = x[p.xo + i];
	uint k = p.oo + i;
	switch (p.op) {
	case COPY: o[k] = v; break;
	case ADD: o[k] = v + y[b]; break;
	case SUB: o[k] = v - y[b]; break;
	case MUL: o[k] = v * y[b]; break;
	case AXPY: o[k] = o[k] + p.alpha * v; break;
	case SCALE: o[k] = p.alpha * v; break;
	case RELU: o[k] = v > 0 ? v : 0; break;
	case RELU_BACKWARD: o[k] = y[b] > 0 ? v : 0; break;
	case FILL: o[k] = p.alpha; break;
	case MUL_ONE_PLUS: o[k] = v * (1 + y[b]); break;
	case ADD_MUL: o[k] = o[k] + v * y[b]; break;
	case ADD_RELU_BACKWARD: o[k] = o[k] + (y[b] > 0 ? v : 0); break;
	}
}
