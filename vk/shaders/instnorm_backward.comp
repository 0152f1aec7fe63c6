#version 450
// Backward of instnorm.comp from the output gradient g, the input x and the saved
// stats: with xhat = (x - mean)*invstd and g' = g (or g where xhat > 0 with relu),
//   gx = invstd * (g' - mean(g') - xhat * mean(g' * xhat)).
// gx is overwritten, or added to when accumulate != 0. One workgroup per group.
layout(local_size_x = 256) in;

layout(std430, set = 0, binding = 0) readonly buffer G { float g[]; };
layout(std430, set = 0, binding = 1) readonly buffer X { float x[]; };
layout(std430, set = 0, binding = 2) readonly buffer Stats { float stats[]; };
layout(std430, set = 0, binding = 3) buffer GX { float gx[]; };

layout(push_constant) uniform Push {
	uint M, relu, accumulate;
	uint go, xo, so, gxo;
} p;

shared float partial[256];

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
	uint grp = gl_WorkGroupID.x, t = gl_LocalInvocationID.x;
	uint base = grp * p.M;
	float mean = stats[p.so + 2 * grp], invstd = stats[p.so + 2 * grp + 1];
	float sg = 0, sgx = 0;
	for (uint i = t; i < p.M; i += 256) {
		float xhat = (x[p.xo + base + i] - mean) * invstd;
		float gv = g[p.go + base + i];
		gv = p.relu != 0 && xhat <= 0 ? 0 : gv;
		sg += gv;
		sgx += gv * xhat;
	}
	float meanG = groupSum(sg) / float(p.M);
	float meanGX = groupSum(sgx) / float(p.M);
	for (uint i = t; i < p.M; i += 256) {
		float xhat = (x[p.xo + base + i] - mean) * invstd;
		float gv = g[p.go + base + i];
		gv = p.relu != 0 && xhat <= 0 ? 0 : gv;
		float d = invstd * (gv - meanG - xhat * meanGX);
		uint k = p.gxo + base + i;
		gx[k] = p.accumulate != 0 ? gx[k] + d : d;
	}
}
