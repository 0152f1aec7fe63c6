#!/bin/sh
# Runs BenchmarkConv3d of package nn (forward and forward+backward, 1 and 2 cores,
# COUNT times) and bench/conv/torch_conv.py right after, and prints one markdown table
# of the median GFLOP/s per layer shape and thread count with the Go/PyTorch ratios.
# Run from the repository root: bench/conv/compare.sh [COUNT]
set -eu
count=${1:-3}
out=$(mktemp -d)
trap 'rm -r "$out"' EXIT
go test -run '^$' -bench '^BenchmarkConv3d$/.*/pass=(forward|both)' -cpu 1,2 -benchtime 3x \
	-count "$count" ./nn/ >"$out/go.txt"
/usr/bin/python3 bench/conv/torch_conv.py >"$out/torch.txt"
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
function rate(   i) {
	for (i = 2; i <= NF; i++) if ($i == "GFLOP/s") return $(i - 1)
	return 0
}
# BenchmarkConv3d/shape=16x16x48/pass=both-2: the suffix is GOMAXPROCS (-cpu).
/^BenchmarkConv3d\// {
	split($1, f, "/"); sub("shape=", "", f[2]); sub("pass=", "", f[3])
	threads = f[3]; sub(".*-", "", threads); pass = f[3]; sub("-[0-9]+$", "", pass)
	if (threads !~ /^[0-9]+$/) threads = 1
	key = f[2] " " threads
	vals["go " pass " " key] = vals["go " pass " " key] " " rate()
	if (!(key in seen)) { seen[key] = 1; order[++nk] = key }
}
/^ *[0-9]+  [0-9]+x[0-9]+x[0-9]+ / {
	vals["torch forward " $2 " " $1] = $3; vals["torch both " $2 " " $1] = $4
}
END {
	print "| Cin x Cout x size | threads | Go fwd | PyTorch fwd | Go fwd+bwd | " \
		"PyTorch fwd+bwd | Go / PyTorch fwd+bwd |"
	print "|---|---|---|---|---|---|---|"
	for (i = 1; i <= nk; i++) {
		split(order[i], f, " ")
		gf = median("go forward " order[i]); gb = median("go both " order[i])
		tf = vals["torch forward " order[i]]; tb = vals["torch both " order[i]]
		printf "| %s | %s | %.1f | %.1f | %.1f | %.1f | %.2f |\n", f[1], f[2], gf, tf, gb,
			tb, (tb > 0 ? gb / tb : 0)
	}
}' "$out/go.txt" "$out/torch.txt"
