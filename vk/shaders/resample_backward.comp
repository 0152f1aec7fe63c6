#version 450
// Backward of resample.comp by gathering: each invocation owns one input voxel and
// sums g over the output voxels that read it. Per axis the transposed table is in CSR
// form: starts[in + 1], then (o, weight bits) pairs; the contribution of output
// (oz, oy, ow) is wz * wy * ww * g. gx is overwritten, or added to when accumulate.
layout(local_size_x = 256) in;

layout(std430, set = 0, binding = 0) readonly buffer G { float g[]; };
layout(std430, set = 0, binding = 1) buffer GX { float gx[]; };
layout(std430, set = 0, binding = 2) readonly buffer Table { uint table[]; };

layout(push_constant) uniform Push {
	uint NC, ID, IH, IW, OD, OH, OW, cz, cy, cx, accumulate;
	uint go, xo, to;
} p;

void main() {
	uint i = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * 256;
	if (i >= p.NC * p.ID * p.IH * p.IW) {
		return;
	}
	uint iw = i % p.IW, ih = (i / p.IW) % p.IH, id = (i / (p.IW * p.IH)) % p.ID;
	uint nc = i / (p.IW * p.IH * p.ID);
	uint sz = p.to + p.cz, sy = p.to + p.cy, sx = p.to + p.cx;
	uint ez = sz + p.ID + 1, ey = sy + p.IH + 1, ex = sx + p.IW + 1;
	uint base = p.go + nc * p.OD * p.OH * p.OW;
	float s = 0;
	for (uint a = table[sz + id]; a < table[sz + id + 1]; a++) {
		uint oz = table[ez + 2 * a];
		float wz = uintBitsToFloat(table[ez + 2 * a + 1]);
		for (uint b = table[sy + ih]; b < table[sy + ih + 1]; b++) {
			uint oy = table[ey + 2 * b];
			float wzy = wz * uintBitsToFloat(table[ey + 2 * b + 1]);
			for (uint e = table[sx + iw]; e < table[sx + iw + 1]; e++) {
				uint ow = table[ex + 2 * e];
				float wgt = wzy * uintBitsToFloat(table[ex + 2 * e + 1]);
				s += wgt * g[base + (oz * p.OH + oy) * p.OW + ow];
			}
		}
	}
	uint k = p.xo + i;
	gx[k] = p.accumulate != 0 ? gx[k] + s : s;
}
