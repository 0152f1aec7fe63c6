#version 450
// C = alpha*op(A)*op(B) + beta*C for row-major matrices, op(A) M x K, op(B) K x N,
// batched over gl_WorkGroupID.z with element strides, one invocation per element of
// C: c[i, j] = alpha * sum_k op(A)[i, k] * op(B)[k, j] (+ beta * c[i, j]). For thin
// products (a few rows, columns or terms), where the 64x64x16 tiles of gemm.comp
// would mostly compute padding. beta == 0 never reads C.
layout(local_size_x = 256) in;

layout(std430, set = 0, binding = 0) readonly buffer A { float a[]; };
layout(std430, set = 0, binding = 1) readonly buffer B { float b[]; };
layout(std430, set = 0, binding = 2) buffer C { float c[]; };

layout(push_constant) uniform Push {
	uint M, N, K, lda, ldb, ldc, transA, transB;
	float alpha, beta;
	uint strideA, strideB, strideC;
	uint ao, bo, co;
} p;

void main() {
	uint idx = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * 256;
	if (idx >= p.M * p.N) {
		return;
	}
	uint i = idx / p.N, j = idx % p.N, z = gl_WorkGroupID.z;
	uint baseA = p.ao + z * p.strideA, baseB = p.bo + z * p.strideB;
	uint a0 = baseA + (p.transA != 0 ? i : i * p.lda);
	uint aStep = p.transA != 0 ? p.lda : 1;
	uint b0 = baseB + (p.transB != 0 ? j * p.ldb : j);
	uint bStep = p.transB != 0 ? 1 : p.ldb;
	float s = 0;
	for (uint k = 0; k < p.K; k++) {
		s += a[a0 + k * aStep] * b[b0 + k * bStep];
	}
	uint k = p.co + z * p.strideC + i * p.ldc + j;
	float prior = p.beta != 0 ? p.beta * c[k] : 0;
	c[k] = p.alpha * s + prior;
}
