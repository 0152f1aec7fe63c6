#version 450
// Unfolds one volume x [C, D, H, W] into the column matrix of a 3-D convolution:
//   cols[(c*KD*KH*KW + (a*KH + b)*KW + e), (z*OH + y)*OW + w] =
//     x[c, z*SD - PD + a, y*SH - PH + b, w*SW - PW + e]   (0 outside the volume)
// so that the convolution is weight [Cout, C*KD*KH*KW] times cols. Only the block of
// output positions [p0, p0 + PC) is written, as cols [K, PC].
layout(local_size_x = 256) in;

layout(std430, set = 0, binding = 0) readonly buffer X { float x[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Cols { float cols[]; };

layout(push_constant) uniform Push {
	uint C, D, H, W, KD, KH, KW, SD, SH, SW, PD, PH, PW, OD, OH, OW;
	uint p0, PC;
	uint xo, co;
} p;

void main() {
	uint i = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * 256;
	uint taps = p.KD * p.KH * p.KW;
	if (i >= p.C * taps * p.PC) {
		return;
	}
	uint row = i / p.PC, col = p.p0 + i % p.PC;
	uint c = row / taps, t = row % taps;
	int a = int(t / (p.KH * p.KW)), b = int((t / p.KW) % p.KH), e = int(t % p.KW);
	int z = int(col / (p.OH * p.OW)) * int(p.SD) - int(p.PD) + a;
	int y = int((col / p.OW) % p.OH) * int(p.SH) - int(p.PH) + b;
	int w = int(col % p.OW) * int(p.SW) - int(p.PW) + e;
	float v = 0;
	if (z >= 0 && z < int(p.D) && y >= 0 && y < int(p.H) && w >= 0 && w < int(p.W)) {
		v = x[p.xo + ((c * p.D + uint(z)) * p.H + uint(y)) * p.W + uint(w)];
	}
	cols[p.co + i] = v;
}
