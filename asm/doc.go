// Package asm holds the float32 compute kernels of the framework: a blocked,
// multi-threaded single-precision GEMM and the vector kernels a training step
// needs. On amd64 CPUs with AVX2 and FMA the kernels are hand-written Go
// assembly, and on CPUs with AVX-512F the GEMM uses a 12x32 micro-kernel in
// ZMM registers instead of the 6x16 AVX2 one; everywhere else (and under the
// purego build tag) a pure-Go twin with the same tile runs. The twins are
// always compiled: their doc comments are the loops both compute, and the
// tests check the assembly against them.
//
// The kernel set is chosen once, at start, from golang.org/x/sys/cpu
// (X86.HasAVX2 && X86.HasFMA, then X86.HasAVX512F). Without a rebuild,
// GODEBUG=cpu.avx512f=off forces the AVX2 micro-kernel and
// GODEBUG=cpu.avx2=off,cpu.fma=off the pure-Go path. Impl names the choice.
//
// # API
//
// All matrices are row-major with explicit leading dimensions.
//
//	Sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
//	    C = alpha*op(A)*op(B) + beta*C, op(A) m x k, op(B) k x n, C m x n;
//	    A's stored rows may overlap (any lda >= 1), B's and C's may not
//	SetThreads(n), Threads()        worker goroutines used by Sgemm
//	Impl() string                   "avx512", "avx2" or "generic"
//	Axpy(alpha, x, y)               y[i] += alpha*x[i]
//	Dot(x, y) float32               sum of x[i]*y[i]
//	Scale(alpha, x)                 x[i] *= alpha
//	Add(dst, x, y)                  dst[i] = x[i] + y[i]
//	Mul(dst, x, y)                  dst[i] = x[i] * y[i]
//	ReluForward(dst, x)             dst[i] = max(x[i], 0)
//	ReluBackward(dst, gradOut, x)   dst[i] = gradOut[i] if x[i] > 0 else 0
//	Sum(x) float32                  sum of x[i]
//	Max(x) float32                  largest x[i] (-Inf for an empty x)
//	Exp(dst, x)                     dst[i] = e**x[i], within 2 ulp
//	SGDMomentum(theta, grad, buf, lr, momentum, weightDecay, first)
//	ToChannelsLast(dst, stride, src, ld, c, n)
//	                                dst[x*stride+ch] = src[ch*ld+x] (ch < c, x < n)
//	AddFromChannelsLast(dst, ld, src, stride, bias, c, n)
//	                                dst[ch*ld+x] += src[x*stride+ch] + bias[ch]
//	WinogradInputTiles, WinogradGradientTiles, WinogradOutputTiles
//	Winograd4InputTiles, Winograd4GradientTiles, Winograd4OutputTiles
//	                                the fused 3-D Winograd F(2x2x2) and F(4x4x4)
//	                                tile transforms of a row of tiles (channels-last
//	                                voxels <-> components)
//	Winograd(kind, dst, dOff, dStride, src, sOff, sStride, n, count)
//	                                F(2, 3)'s kernel transform G or G^T on planes
//	SumFloat64, SquaredDeviations, GradientSums
//	                                a norm's float64 sums over a float32 slab
//	Normalize, GateNormReLU, AddNormInputGrad
//	                                a norm's elementwise steps in float64
//
// Slices passed together must have equal lengths. An output may be the same
// slice as an input (in place), but must not partially overlap it. Misuse
// panics with a constant message starting with "asm: ".
//
// Elementwise kernels (Axpy, Scale, Add, Mul, the ReLUs, Exp, SGDMomentum,
// Max), the channels-last conversions, the Winograd transforms and the norm kernels
// (their float64 sums included: 16 partial sums in a fixed order on both paths) give
// bit-identical results on both paths: the assembly rounds after every multiply and
// add exactly like the Go loop. Dot, Sum and Sgemm add in a
// different order on each path (and fuse multiply-adds in assembly), so they
// agree only to rounding.
package asm
