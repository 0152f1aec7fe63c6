#version 450
// Folds a column-matrix gradient back onto one volume (the adjoint of im2col): each
// invocation owns one input voxel gx[c, z, y, w] and gathers the column entries of
// every kernel tap (a, b, e) and output position that read it:
//   gx[c, z, y, w] (+)= sum cols[c*KD*KH*KW + (a*KH + b)*KW + e, (oz*OH + oy)*OW + ow]
//   over z = oz*SD - PD + a, y = oy*SH - PH + b, w = ow*SW - PW + e.
// cols holds only the block of output positions [p0, p0 + PC), as [K, PC]; entries
// outside it are skipped. gx is overwritten, or added to when accumulate != 0.
layout(local_size_x = 256) in;

layout(std430, set = 0, binding = 0) readonly buffer Cols { float cols[]; };
layout(std430, set = 0, binding = 1) buffer GX { float gx[]; };

layout(push_constant) uniform Push {
	uint C, D, H, W, KD, KH, KW, SD, SH, SW, PD, PH, PW, OD, OH, OW;
	uint accumulate, p0, PC;
	uint co, xo;
} p;

// outputIndex returns the output position along one axis whose tap k reads input i,
// or -1 when there is none.
int outputIndex(uint i, uint k, uint stride, uint pad, uint size) {
	int t = int(i) + int(pad) - int(k);
	if (t < 0 || t % int(stride) != 0 || t / int(stride) >= int(size)) {
		return -1;
	}
	return t / int(stride);
}

void main() {
	uint i = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * 256;
	if (i >= p.C * p.D * p.H * p.W) {
		return;
	}
	uint w = i % p.W, y = (i / p.W) % p.H, z = (i / (p.W * p.H)) % p.D;
	uint c = i / (p.W * p.H * p.D);
	float s = 0;
	for (uint a = 0; a < p.KD; a++) {
		int oz = outputIndex(z, a, p.SD, p.PD, p.OD);
		for (uint b = 0; b < p.KH && oz >= 0; b++) {
			int oy = outputIndex(y, b, p.SH, p.PH, p.OH);
			for (uint e = 0; e < p.KW && oy >= 0; e++) {
				int ow = outputIndex(w, e, p.SW, p.PW, p.OW);
				if (ow >= 0) {
					uint row = (c * p.KD + a) * p.KH * p.KW + b * p.KW + e;
					uint col = (uint(oz) * p.OH + uint(oy)) * p.OW + uint(ow);
					if (col >= p.p0 && col < p.p0 + p.PC) {
						s += cols[p.co + row * p.PC + col - p.p0];
					}
				}
			}
		}
	}
	gx[p.xo + i] = p.accumulate != 0 ? gx[p.xo + i] + s : s;
}
