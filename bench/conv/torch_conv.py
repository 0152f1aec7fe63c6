#!/usr/bin/python3
"""PyTorch reference for BenchmarkConv3d (nn/conv_bench_test.go).

Measures F.conv3d (3x3x3, padding 1, bias) in float32 on the CPU for the U-Net's
shapes at batch 4, with 1 and 2 intra-op threads: forward, and forward+backward
(input and weight gradients, as the Go benchmark's "both" pass). Each number is the
median of 5 timed runs after one warm-up; GFLOP/s counts 2*N*Cout*Cin*27*V flops for
the forward and three times that for forward+backward (V = output voxels).

    /usr/bin/python3 bench/conv/torch_conv.py [--threads 1,2]

Each thread count runs in its own process with OMP_NUM_THREADS, OPENBLAS_NUM_THREADS
and MKL_NUM_THREADS set before torch is imported, so that no library's own thread
pool uses more cores than torch.set_num_threads asks for.
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

SHAPES = [(1, 16, 48), (16, 16, 48), (32, 32, 24), (64, 64, 12), (128, 128, 6)]
BATCH, REPEATS = 4, 5


def median_seconds(fn):
    fn()
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bench(torch, cin, cout, size):
    gen = torch.Generator().manual_seed(1)
    x = torch.randn(BATCH, cin, size, size, size, generator=gen, requires_grad=True)
    w = (0.1 * torch.randn(cout, cin, 3, 3, 3, generator=gen)).requires_grad_()
    b = (0.1 * torch.randn(cout, generator=gen)).requires_grad_()
    g = torch.randn(BATCH, cout, size, size, size, generator=gen)
    flops = 2.0 * BATCH * cout * cin * 27 * size ** 3

    def forward():
        with torch.no_grad():
            torch.nn.functional.conv3d(x, w, b, padding=1)

    def both():
        x.grad = w.grad = b.grad = None
        torch.nn.functional.conv3d(x, w, b, padding=1).backward(g)

    return flops / median_seconds(forward) / 1e9, 3 * flops / median_seconds(both) / 1e9


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", default="1,2", help="comma-separated thread counts")
    counts = [int(t) for t in ap.parse_args().threads.split(",")]
    if len(counts) > 1:
        for threads in counts:
            sys.stdout.flush()
            subprocess.run([sys.executable, __file__, "--threads", str(threads)], check=True)
        return

    threads = counts[0]
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[name] = str(threads)
    import torch
    torch.set_num_threads(threads)
    print(f"torch {torch.__version__}, {torch.backends.mkldnn.is_available()=}, "
          f"threads {threads}")
    print("threads  shape        forward GFLOP/s  fwd+bwd GFLOP/s")
    for cin, cout, size in SHAPES:
        fwd, both = bench(torch, cin, cout, size)
        shape = f"{cin}x{cout}x{size}"
        print(f"{threads:7d}  {shape:<12s} {fwd:15.2f}  {both:15.2f}")


if __name__ == "__main__":
    main()
