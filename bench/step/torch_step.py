"""Times one PPNet training step in PyTorch, the twin of the Go step of cmd/bench:
the PPNet of ppnet_torch.py, random input [batch, 1, patch^3] and random labels, the
mean over heads of the cross-entropy of each head, backward, and an SGD step (lr 0.01,
momentum 0.9, weight decay 1e-4). Prints one JSON object: the wall and CPU times of each
step in ms (after warm-up steps), the peak RSS of this process in KiB, and the setting.

    /usr/bin/python3 bench/step/torch_step.py --threads 1 --patch 32 --reps 5
"""
import argparse
import json
import os
import resource
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--patch", type=int, default=32)
    ap.add_argument("--base", type=int, default=16)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--classes", type=int, default=3)
    ap.add_argument("--norm", default="instance")
    ap.add_argument("--perturb", default="reference")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=1)
    a = ap.parse_args()

    # Set before torch loads: a pthread OpenBLAS (Debian's libblas) sizes its pool
    # from these and ignores torch.set_num_threads.
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[name] = str(a.threads)
    import torch
    import torch.nn.functional as F
    from ppnet_torch import PPNet

    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    model = PPNet(1, a.classes, a.base, a.heads, a.norm, a.perturb)
    model.train()
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=1e-4)
    x = torch.randn(a.batch, 1, a.patch, a.patch, a.patch)
    y = torch.randint(0, a.classes, (a.batch, a.patch, a.patch, a.patch))

    times, cpu_times, losses = [], [], []
    for rep in range(a.warmup + a.reps):
        start, start_cpu = time.perf_counter(), time.process_time()
        opt.zero_grad()
        outs = model(x)
        loss = sum(F.cross_entropy(o, y) for o in outs) / len(outs)
        loss.backward()
        opt.step()
        elapsed = (time.perf_counter() - start) * 1e3
        elapsed_cpu = (time.process_time() - start_cpu) * 1e3
        if rep >= a.warmup:
            times.append(elapsed)
            cpu_times.append(elapsed_cpu)
        losses.append(loss.item())

    print(json.dumps({
        "impl": "pytorch " + torch.__version__,
        "threads": torch.get_num_threads(),
        "times_ms": times,
        "cpu_times_ms": cpu_times,
        "losses": losses,
        "maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "parameters": sum(p.numel() for p in model.parameters()),
    }))


if __name__ == "__main__":
    main()
