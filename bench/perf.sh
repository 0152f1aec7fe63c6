#!/bin/sh
# The whole performance comparison with PyTorch 1.13 in one run, from the repository
# root: the training step (cmd/bench) at each patch side with 1 and 2 threads, then
# conv3d per layer shape (bench/conv/compare.sh) and SGEMM (bench/gemm/compare.sh).
#
#	bench/perf.sh                       # patches 32,48,64, 5 timed steps
#	PATCHES=32,48,64,96 REPS=7 bench/perf.sh
#
# With 96^3 the run takes about 10 minutes more and needs 9 GB of memory (on an AMD
# Zen 4, 2026-12-04: a Go step 21.6 s and 8.0 GB with 1 thread, PyTorch 36.7 s and 4.9 GB).
set -eu
patches=${PATCHES:-32,48,64}
reps=${REPS:-5}
go run ./cmd/bench -step -threads 1,2 -reps "$reps" -patch "$patches"
echo
sh bench/conv/compare.sh 3
echo
sh bench/gemm/compare.sh "$reps"
