"""Writes nn/testdata/ppnet_torch_reference.json: forward and backward values of the
PyTorch PPNet twin (ppnet_torch.py) in float64, for the Go test TestPPNetMatchesPyTorch.

Weights, inputs and the projections r_s come from closed formulas (below, and the same
in the Go test), so the file stores only results: for each case, each head's logits
(sum, sum of squares, and samples at fixed indices), the gradient of
L = sum_s sum(logits_s * r_s) with respect to the input and to every parameter entry
(sum, sum of squares, samples), and the batch-norm running statistics.

    /usr/bin/python3 bench/step/ppnet_reference_values.py
"""
import json
import math
import os

import torch

from ppnet_torch import PPNet

torch.set_default_dtype(torch.float64)
SAMPLES = 7


def formula_param(name, shape, e):
    """Entry e of the state_dict (parameters only, in order)."""
    n = math.prod(shape)
    i = torch.arange(n, dtype=torch.float64)
    wave = torch.sin(0.37 * i + 0.61 * e + 0.2) * torch.cos(0.11 * i + e)
    if len(shape) == 5:
        fan_in = math.prod(shape[1:])
        return (2 * math.sqrt(2.0 / fan_in) * wave).reshape(shape)
    if name.endswith(".1.weight"):  # batch norm gamma
        return 1 + 0.1 * wave
    return 0.1 * wave


def formula_input(shape):
    i = torch.arange(math.prod(shape), dtype=torch.float64)
    return (torch.sin(0.05 * i) + 0.5 * torch.cos(0.13 * i + 1)).reshape(shape)


def formula_projection(shape, s):
    i = torch.arange(math.prod(shape), dtype=torch.float64)
    return torch.cos(0.29 * i + s).reshape(shape)


def summary(t):
    flat = t.detach().reshape(-1)
    idx = [(k * 7919) % flat.numel() for k in range(SAMPLES)]
    return {"sum": flat.sum().item(), "sumsq": (flat * flat).sum().item(),
            "index": idx, "values": [flat[j].item() for j in idx]}


def run_case(name, cfg, shape, train):
    model = PPNet(cfg["in"], cfg["classes"], cfg["base"], cfg["heads"], cfg["norm"],
                  perturb="none")
    params = dict(model.named_parameters())
    with torch.no_grad():
        for e, (pname, p) in enumerate(params.items()):
            p.copy_(formula_param(pname, list(p.shape), e))
    model.train(train)
    x = formula_input(shape).requires_grad_(True)
    outs = model(x)
    loss = sum((o * formula_projection(list(o.shape), s)).sum() for s, o in enumerate(outs))
    loss.backward()
    result = {"config": cfg, "input_shape": shape, "train": train, "loss": loss.item(),
              "heads": [summary(o) for o in outs], "grad_input": summary(x.grad),
              "grads": {n: summary(p.grad) for n, p in params.items()},
              "buffers": {n: b.tolist() for n, b in model.named_buffers()
                          if "running" in n}}
    return name, result


def main():
    cases = dict([
        run_case("instance_s4_eval", {"in": 1, "classes": 3, "base": 2, "heads": 4,
                                      "norm": "instance"}, [1, 1, 16, 16, 32], False),
        run_case("batch_s5_train", {"in": 1, "classes": 2, "base": 2, "heads": 5,
                                    "norm": "batch"}, [2, 1, 16, 16, 16], True),
    ])
    here = os.path.dirname(os.path.abspath(__file__))
    out = os.path.join(here, "..", "..", "nn", "testdata", "ppnet_torch_reference.json")
    with open(out, "w") as f:
        json.dump({"generator": "bench/step/ppnet_reference_values.py",
                   "torch": torch.__version__, "cases": cases}, f, indent=1)
    print("wrote", os.path.normpath(out))


if __name__ == "__main__":
    main()
