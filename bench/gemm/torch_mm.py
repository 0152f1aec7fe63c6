#!/usr/bin/python3
"""Measure torch.mm GFLOP/s on the shapes of BenchmarkGEMM in package asm.

For each M x K x N shape and thread count (1 and 2) it
times C = A @ B (float32, row-major, no transposes, a preallocated out=C)
over several repetitions and prints the median GFLOP/s, in the same layout
as `go test -bench GEMM ./asm/`.

Usage: bench/gemm/torch_mm.py [--reps N] [--short] [--threads 1,2]
  --short skips 4096^3, as `go test -short` does.

torch.mm runs in the BLAS library torch links (Debian: a pthread OpenBLAS), whose
thread count torch.set_num_threads does not set: each thread count runs in its own
process with OMP_NUM_THREADS, OPENBLAS_NUM_THREADS and MKL_NUM_THREADS set before
torch is imported.
"""
import argparse
import os
import platform
import statistics
import subprocess
import sys
import time

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


def bench(torch, m, k, n, reps):
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
    p.add_argument("--threads", default="1,2", help="comma-separated thread counts")
    args = p.parse_args()
    counts = [int(t) for t in args.threads.split(",")]
    if len(counts) > 1:
        for threads in counts:
            child = [sys.executable, __file__, "--reps", str(args.reps),
                     "--threads", str(threads)] + (["--short"] if args.short else [])
            sys.stdout.flush()
            subprocess.run(child, check=True)
        return

    threads = counts[0]
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[name] = str(threads)
    import torch
    torch.set_num_threads(threads)
    print(f"cpu: {cpu_name()}; torch {torch.__version__}; threads {threads}; "
          f"median of {args.reps} reps")
    for m, k, n in SHAPES:
        if args.short and m * n * k > 5e9:
            continue
        g = bench(torch, m, k, n, args.reps)
        print(f"TorchMM/shape={m}x{k}x{n}/threads={threads}\t{g:8.2f} GFLOP/s")


if __name__ == "__main__":
    main()
