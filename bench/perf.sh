#!/bin/sh
# The whole performance comparison with PyTorch 1.13 in one run, from the repository
# root: the training step (cmd/bench) at each patch side with 1 and 2 threads, then
# conv3d per layer shape (bench/conv/compare.sh) and SGEMM (bench/gemm/compare.sh).
#
#	bench/perf.sh                       # patches 32,48,64, 5 timed steps
#	PATCHES=32,48,64,96 REPS=7 bench/perf.sh
#
# With 96^3 the run takes about 10 minutes more and needs 5 GB of memory (on an Intel
# Xeon, 2026-12-04, d26c215: a Go step 11.4 s and 4.2 GB with 1 thread, PyTorch 28.9 s
# and 4.9 GB).
set -eu
patches=${PATCHES:-32,48,64}
reps=${REPS:-5}
go run ./cmd/bench -step -threads 1,2 -reps "$reps" -patch "$patches"
echo
sh bench/conv/compare.sh 3
echo
sh bench/gemm/compare.sh "$reps"
