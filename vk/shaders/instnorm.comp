#version 450
// Instance norm without affine part, optionally fused with a ReLU, of x [G, M]
// (G = N*C groups of M = D*H*W voxels): y = (x - mean) * invstd, invstd =
// 1/sqrt(var + eps) with the biased variance, then max(y, 0) when relu != 0.
// stats[2g] = mean, stats[2g+1] = invstd are kept for the backward pass.
// One workgroup per group; two passes (mean, then squared deviations).
layout(local_size_x = 256) in;

layout(std430, set = 0, binding = 0) readonly buffer X { float x[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Y { float y[]; };
layout(std430, set = 0, binding = 2) writeonly buffer Stats { float stats[]; };

layout(push_constant) uniform Push {
	uint M;
	float eps;
	uint relu;
	uint xo, yo, so;
} p;

shared float partial[256];

// groupSum adds v over the workgroup.
float groupSum(float v) {
	uint t = gl_LocalInvocationID.x;
	barrier();
	partial[t] = v;
	barrier();
	for (uint half_ = 128; half_ > 0; half_ >>= 1) {
		if (t < half_) {
			partial[t] += partial[t + half_];
		}
		barrier();
	}
	return partial[0];
}

void main() {
	uint g = gl_WorkGroupID.x, t = gl_LocalInvocationID.x;
	uint base = g * p.M;
	float s = 0;
	for (uint i = t; i < p.M; i += 256) {
		s += x[p.xo + base + i];
	}
	float mean = groupSum(s) / float(p.M);
	float q = 0;
	for (uint i = t; i < p.M; i += 256) {
		float dev = x[p.xo + base + i] - mean;
		q += dev * dev;
	}
	float invstd = inversesqrt(groupSum(q) / float(p.M) + p.eps);
	for (uint i = t; i < p.M; i += 256) {
		float v = (x[p.xo + base + i] - mean) * invstd;
		y[p.yo + base + i] = p.relu != 0 ? max(v, 0) : v;
	}
	if (t == 0) {
		stats[p.so + 2 * g] = mean;
		stats[p.so + 2 * g + 1] = invstd;
	}
}
