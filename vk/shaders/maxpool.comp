#version 450
// 2x2x2 max pooling with stride 2 (floor mode) of x [NC, D, H, W] into
// out [NC, D/2, H/2, W/2]. The window is scanned in raster order and the first maximum
// wins (a later value replaces it only when larger, or NaN); idx receives the winner's
// flat index d*H*W + h*W + w inside its (n, c) volume.
layout(local_size_x = 256) in;

layout(std430, set = 0, binding = 0) readonly buffer X { float x[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Out { float o[]; };
layout(std430, set = 0, binding = 2) writeonly buffer Idx { uint idx[]; };

layout(push_constant) uniform Push {
	uint NC, D, H, W;
	uint xo, oo, io;
} p;

void main() {
	uint i = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * 256;
	uint OD = p.D / 2, OH = p.H / 2, OW = p.W / 2;
	if (i >= p.NC * OD * OH * OW) {
		return;
	}
	uint ow = i % OW, oh = (i / OW) % OH, od = (i / (OW * OH)) % OD;
	uint nc = i / (OW * OH * OD);
	uint base = p.xo + nc * p.D * p.H * p.W;
	uint first = (2 * od * p.H + 2 * oh) * p.W + 2 * ow;
	float best = x[base + first];
	uint at = first;
	for (uint a = 0; a < 2; a++) {
		for (uint b = 0; b < 2; b++) {
			for (uint e = 0; e < 2; e++) {
				uint j = first + (a * p.H + b) * p.W + e;
				float v = x[base + j];
				if (v > best || isnan(v)) {
					best = v;
					at = j;
				}
			}
		}
	}
	o[p.oo + i] = best;
	idx[p.io + i] = at;
}
