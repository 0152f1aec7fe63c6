#!/bin/sh
# Runs BenchmarkGEMM of package asm COUNT times and bench/gemm/torch_mm.py
# with COUNT reps, and prints a markdown table of median GFLOP/s per shape and
# thread count. Run from the repository root: bench/gemm/compare.sh [COUNT]
# SHORT=1 skips 4096^3.
set -eu
count=${1:-5}
short=${SHORT:+-short}
out=$(mktemp -d)
go test -run '^$' -bench 'GEMM/shape/threads/impl=avx2' -count "$count" $short ./asm/ >"$out/go.txt"
bench/gemm/torch_mm.py --reps "$count" ${SHORT:+--short} >"$out/torch.txt"
grep '^cpu:' "$out/go.txt" | head -1
head -1 "$out/torch.txt"
awk -v count="$count" '
function median(key,   n, i, j, t, v) {
	n = split(vals[key], v, " ")
	for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++)
		if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
	return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
}
/^BenchmarkGEMM/ {
	split($1, f, "/"); key = f[2] "/" f[3]
	vals["go " key] = vals["go " key] " " $(NF - 1)
	if (!(key in seen)) { seen[key] = 1; order[++nk] = key }
}
/^TorchMM/ { split($1, f, "/"); vals["torch " f[2] "/" f[3]] = $2 }
END {
	print "| shape MxKxN | threads | asm (GFLOP/s) | torch.mm (GFLOP/s) | ratio |"
	print "|---|---|---|---|---|"
	for (i = 1; i <= nk; i++) {
		split(order[i], f, "/"); sub("shape=", "", f[1]); sub("threads=", "", f[2])
		g = median("go " order[i]); t = vals["torch " order[i]]
		printf "| %s | %s | %.1f | %.1f | %.2f |\n", f[1], f[2], g, t, (t > 0 ? g / t : 0)
	}
}' "$out/go.txt" "$out/torch.txt"
rm -r "$out"
