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
awk '
function median(key,   n, i, j, t, v) {
	n = split(vals[key], v, " ")
	if (n == 0) return 0
	for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++)
		if (v[j] + 0 < v[i] + 0) { t = v[i]; v[i] = v[j]; v[j] = t }
	return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
}
# The GFLOP/s column is the one before its unit; the benchmark name ends in
# -GOMAXPROCS, which the key drops.
function rate(   i) {
	for (i = 2; i <= NF; i++) if ($i == "GFLOP/s") return $(i - 1)
	return 0
}
/^BenchmarkFMAPeak/ {
	split($1, f, "/"); sub("-[0-9]+$", "", f[3])
	vals["peak " f[2] "/" f[3]] = vals["peak " f[2] "/" f[3]] " " rate()
}
/^BenchmarkGEMM/ {
	split($1, f, "/"); sub("-[0-9]+$", "", f[4]); key = f[2] "/" f[3]
	vals[f[4] " " key] = vals[f[4] " " key] " " rate()
	if (!(key in seen)) { seen[key] = 1; order[++nk] = key }
}
/^TorchMM/ { split($1, f, "/"); vals["torch " f[2] "/" f[3]] = $2 }
END {
	print "| FMA peak | avx2 (GFLOP/s) | avx512 (GFLOP/s) |"
	print "|---|---|---|"
	for (th = 1; th <= 2; th++)
		printf "| %d thread(s) | %.1f | %.1f |\n", th,
			median("peak threads=" th "/impl=avx2"),
			median("peak threads=" th "/impl=avx512")
	print ""
	print "| shape MxKxN | threads | avx2 | avx512 | torch.mm | best / torch | best / peak |"
	print "|---|---|---|---|---|---|---|"
	for (i = 1; i <= nk; i++) {
		split(order[i], f, "/")
		a2 = median("impl=avx2 " order[i]); a5 = median("impl=avx512 " order[i])
		t = vals["torch " order[i]]
		best = a2; bi = "avx2"
		if (a5 > best) { best = a5; bi = "avx512" }
		peak = median("peak " f[2] "/impl=" bi)
		sub("shape=", "", f[1]); sub("threads=", "", f[2])
		printf "| %s | %s | %.1f | %.1f | %.1f | %.2f | %.0f%% |\n", f[1], f[2], a2, a5, t,
			(t > 0 ? best / t : 0), (peak > 0 ? 100 * best / peak : 0)
	}
}' "$out/go.txt" "$out/torch.txt"
