#!/usr/bin/python3
"""Measure torch.mm GFLOP/s on the shapes of BenchmarkGEMM in package asm.

For each M x K x N shape and thread count (torch.set_num_threads 1 and 2) it
times C = A @ B (float32, row-major, no transposes, a preallocated out=C)
over several repetitions and prints the median GFLOP/s, in the same layout
as `go test -bench GEMM ./asm/`.

Usage: bench/gemm/torch_mm.py [--reps N] [--short]
  --short skips 4096^3, as `go test -short` does.
"""
import argparse
import platform
import statistics
import time

import torch

SHAPES = [(1024, 1024, 1024), (4096, 4096, 4096), (32, 864, 13824), (13824, 864, 32)]


def cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def bench(m, k, n, reps):
    """Return the median GFLOP/s of reps timed calls, after one warm-up call."""
    a = torch.randn(m, k, dtype=torch.float32)
    b = torch.randn(k, n, dtype=torch.float32)
    c = torch.empty(m, n, dtype=torch.float32)
    flop = 2.0 * m * n * k
    torch.mm(a, b, out=c)
    # Repeat cheap shapes inside one timing so that a timing lasts >= ~20 ms.
    inner = max(1, int(2e9 / flop))
    rates = []
    for _ in range(reps):
        t0 = time.perf_counter()
        for _ in range(inner):
            torch.mm(a, b, out=c)
        dt = time.perf_counter() - t0
        rates.append(flop * inner / dt / 1e9)
    return statistics.median(rates)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--reps", type=int, default=7)
    p.add_argument("--short", action="store_true")
    args = p.parse_args()
    print(f"cpu: {cpu_name()}; torch {torch.__version__}; "
          f"median of {args.reps} reps")
    for m, k, n in SHAPES:
        if args.short and m * n * k > 5e9:
            continue
        for threads in (1, 2):
            torch.set_num_threads(threads)
            g = bench(m, k, n, args.reps)
            print(f"TorchMM/shape={m}x{k}x{n}/threads={threads}\t{g:8.2f} GFLOP/s")


if __name__ == "__main__":
    main()
