#version 450
// Backward of maxpool.comp: each output gradient goes to its window's winner,
// gx[nc, idx[i]] += g[i]. The windows do not overlap, so no two invocations write the
// same value; gx must hold its prior gradient (or zeros).
layout(local_size_x = 256) in;

layout(std430, set = 0, binding = 0) readonly buffer G { float g[]; };
layout(std430, set = 0, binding = 1) readonly buffer Idx { uint idx[]; };
layout(std430, set = 0, binding = 2) buffer GX { float gx[]; };

layout(push_constant) uniform Push {
	uint NC, D, H, W;
	uint go, io, xo;
} p;

void main() {
	uint i = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * 256;
	uint outVolume = (p.D / 2) * (p.H / 2) * (p.W / 2);
	if (i >= p.NC * outVolume) {
		return;
	}
	uint k = p.xo + (i / outVolume) * p.D * p.H * p.W + idx[p.io + i];
	gx[k] = gx[k] + g[p.go + i];
}
