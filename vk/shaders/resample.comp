#version 450
// Trilinear resampling of x [NC, ID, IH, IW] to out [NC, OD, OH, OW] through one 1-D
// table per axis: for output index o the table holds (i0, i1, l) and the axis weight of
// input i0 is 1 - l, of input i1 is l. out is the sum over the 8 corners of the
// product of the three axis weights times x.
layout(local_size_x = 256) in;

layout(std430, set = 0, binding = 0) readonly buffer X { float x[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Out { float o[]; };
layout(std430, set = 0, binding = 2) readonly buffer Table { uint table[]; };

layout(push_constant) uniform Push {
	uint NC, ID, IH, IW, OD, OH, OW, tz, ty, tx;
	uint xo, oo, to;
} p;

void main() {
	uint i = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * 256;
	if (i >= p.NC * p.OD * p.OH * p.OW) {
		return;
	}
	uint ow = i % p.OW, oh = (i / p.OW) % p.OH, od = (i / (p.OW * p.OH)) % p.OD;
	uint nc = i / (p.OW * p.OH * p.OD);
	uint z[2], y[2], w[2];
	float lz, ly, lw;
	uint kz = p.to + p.tz + 3 * od, ky = p.to + p.ty + 3 * oh, kw = p.to + p.tx + 3 * ow;
	z[0] = table[kz]; z[1] = table[kz + 1]; lz = uintBitsToFloat(table[kz + 2]);
	y[0] = table[ky]; y[1] = table[ky + 1]; ly = uintBitsToFloat(table[ky + 2]);
	w[0] = table[kw]; w[1] = table[kw + 1]; lw = uintBitsToFloat(table[kw + 2]);
	float wz[2] = float[2](1 - lz, lz), wy[2] = float[2](1 - ly, ly);
	float ww[2] = float[2](1 - lw, lw);
	uint base = p.xo + nc * p.ID * p.IH * p.IW;
	float s = 0;
	for (uint a = 0; a < 2; a++) {
		for (uint b = 0; b < 2; b++) {
			float row = ww[0] * x[base + (z[a] * p.IH + y[b]) * p.IW + w[0]] +
				ww[1] * x[base + (z[a] * p.IH + y[b]) * p.IW + w[1]];
			s += wz[a] * wy[b] * row;
		}
	}
	o[p.oo + i] = s;
}
