#version 450
// C = alpha*op(A)*op(B) + beta*C for row-major matrices, op(A) M x K, op(B) K x N,
// batched over gl_WorkGroupID.z with element strides. Each 16x16 workgroup computes a
// 64x64 tile of C, 4x4 values per invocation, from 64x16 and 16x64 tiles of A and B
// staged in shared memory. beta == 0 never reads C.
layout(local_size_x = 16, local_size_y = 16) in;

layout(std430, set = 0, binding = 0) readonly buffer A { float a[]; };
layout(std430, set = 0, binding = 1) readonly buffer B { float b[]; };
layout(std430, set = 0, binding = 2) buffer C { float c[]; };

layout(push_constant) uniform Push {
	uint M, N, K, lda, ldb, ldc, transA, transB;
	float alpha, beta;
	uint strideA, strideB, strideC;
	uint ao, bo, co;
} p;

const uint TILE = 64, DEPTH = 16;
shared float tileA[DEPTH][TILE];
shared float tileB[DEPTH][TILE];

float loadA(uint base, uint i, uint k) {
	if (i >= p.M || k >= p.K) {
		return 0;
	}
	return p.transA != 0 ? a[base + k * p.lda + i] : a[base + i * p.lda + k];
}

float loadB(uint base, uint k, uint j) {
	if (k >= p.K || j >= p.N) {
		return 0;
	}
	return p.transB != 0 ? b[base + j * p.ldb + k] : b[base + k * p.ldb + j];
}

void main() {
	uint tx = gl_LocalInvocationID.x, ty = gl_LocalInvocationID.y;
	uint tid = ty * 16 + tx;
	uint row0 = gl_WorkGroupID.y * TILE, col0 = gl_WorkGroupID.x * TILE;
	uint z = gl_WorkGroupID.z;
	uint baseA = p.ao + z * p.strideA, baseB = p.bo + z * p.strideB;
	float acc[4][4];
	for (uint r = 0; r < 4; r++) {
		for (uint q = 0; q < 4; q++) {
			acc[r][q] = 0;
		}
	}

	for (uint k0 = 0; k0 < p.K; k0 += DEPTH) {
		for (uint e = tid; e < TILE * DEPTH; e += 256) {
			tileA[e % DEPTH][e / DEPTH] = loadA(baseA, row0 + e / DEPTH, k0 + e % DEPTH);
			tileB[e / TILE][e % TILE] = loadB(baseB, k0 + e / TILE, col0 + e % TILE);
		}
		barrier();
		for (uint kk = 0; kk < DEPTH; kk++) {
			float av[4], bv[4];
			for (uint r = 0; r < 4; r++) {
				av[r] = tileA[kk][ty + 16 * r];
				bv[r] = tileB[kk][tx + 16 * r];
			}
			for (uint r = 0; r < 4; r++) {
				for (uint q = 0; q < 4; q++) {
					acc[r][q] += av[r] * bv[q];
				}
			}
		}
		barrier();
	}

	uint baseC = p.co + z * p.strideC;
	for (uint r = 0; r < 4; r++) {
		for (uint q = 0; q < 4; q++) {
			uint i = row0 + ty + 16 * r, j = col0 + tx + 16 * q;
			if (i < p.M && j < p.N) {
				uint k = baseC + i * p.ldc + j;
				float prior = p.beta != 0 ? p.beta * c[k] : 0;
				c[k] = p.alpha * acc[r][q] + prior;
			}
		}
	}
}
