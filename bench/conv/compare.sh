#!/bin/sh
# Runs BenchmarkConv3d of package nn (forward and forward+backward, 1 and 2 cores,
# COUNT times) and bench/conv/torch_conv.py right after, and prints one markdown table
# of the median GFLOP/s per layer shape and thread count with the Go/PyTorch ratios.
# Run from the repository root: bench/conv/compare.sh [COUNT]
set -eu
count=${1:-3}
out=$(mktemp -d)
trap 'rm -r "$out"' EXIT
go test -run '^$' -bench '^BenchmarkConv3d$/.*/.*/pass=(forward|both)' -benchtime 3x \
	-count "$count" ./nn/ >"$out/go.txt"
bench/conv/torch_conv.py >"$out/torch.txt"
grep '^cpu:' "$out/go.txt" | head -1
head -1 "$out/torch.txt"
awk -f bench/stats.awk -f bench/conv/table.awk "$out/go.txt" "$out/torch.txt"
