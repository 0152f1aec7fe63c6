#!/bin/sh
# The whole performance comparison with PyTorch 1.13 in one run, from the repository
# root: the training step (cmd/bench) at each patch side with 1 and 2 threads, then
# conv3d per layer shape (bench/conv/compare.sh) and SGEMM (bench/gemm/compare.sh).
#
#	bench/perf.sh                       # patches 32,48,64, 5 timed steps
#	PATCHES=32,48,64,96 REPS=7 bench/perf.sh
#
# 96^3 was not run: from 64^3 (2.5-4 GB and 6-9 s per step for Go) expect over 10 GB
# and 20-30 s per step for each implementation.
set -eu
patches=${PATCHES:-32,48,64}
reps=${REPS:-5}
go run ./cmd/bench -step -threads 1,2 -reps "$reps" -patch "$patches"
echo
sh bench/conv/compare.sh 3
echo
sh bench/gemm/compare.sh "$reps"
