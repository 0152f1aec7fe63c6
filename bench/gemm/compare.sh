#!/bin/sh
# Runs BenchmarkFMAPeak and BenchmarkGEMM of package asm (both assembly
# micro-kernels, 1 and 2 threads) COUNT times and bench/gemm/torch_mm.py with
# COUNT reps right after, and prints markdown tables of the medians: the FMA
# peak per thread count, then GFLOP/s per shape beside torch.mm, with the
# faster kernel's share of the peak of its own instruction set.
# Run from the repository root: bench/gemm/compare.sh [COUNT]
# SHORT=1 skips 4096^3.
set -eu
count=${1:-5}
short=${SHORT:+-short}
out=$(mktemp -d)
trap 'rm -r "$out"' EXIT
go test -run '^$' -bench 'FMAPeak|GEMM/shape/threads/impl=avx' -count "$count" $short \
	./asm/ >"$out/go.txt"
bench/gemm/torch_mm.py --reps "$count" ${SHORT:+--short} >"$out/torch.txt"
grep '^cpu:' "$out/go.txt" | head -1
head -1 "$out/torch.txt"
awk -f bench/stats.awk -f bench/gemm/table.awk "$out/go.txt" "$out/torch.txt"
