#!/usr/bin/python3
"""PyTorch peer of `asma bench`: ST-GCN-16 (tools/torch/stgcn_reference.py, 821,380 parameters) on the
same workloads, one JSON line per thread count.

  train: forward (B, 3, T, 25, M) -> Linear(256, 60) -> cross-entropy, backward, Adam(lr 1e-3) step
  infer: eval mode under torch.no_grad at batch B;  latency: the same at batch 1.
Figures are medians over --steps repetitions after one warm-up. Run with Debian's python3-torch:
  /usr/bin/python3 tools/torch/bench_stgcn.py [--batch 16] [--frames 50] [--persons 2] [--steps 3] [--threads 1,2]
"""
import argparse
import json
import os
import platform
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from stgcn_reference import StGcn  # noqa: E402


def median_ms(fn, reps):
    ms = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        ms.append((time.perf_counter() - t0) * 1000)
    return statistics.median(ms)


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def run(args, threads):
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = StGcn(hidden=args.base, hidden_dim=args.features)
    head = nn.Linear(args.features, 60)
    opt = torch.optim.Adam(list(model.parameters()) + list(head.parameters()), lr=1e-3)
    x = torch.randn(args.batch, 3, args.frames, 25, args.persons)
    x1 = torch.randn(1, 3, args.frames, 25, args.persons)
    labels = torch.randint(0, 60, (args.batch,))

    def train():
        model.train()
        loss = F.cross_entropy(head(model(x)), labels)
        opt.zero_grad()
        loss.backward()
        opt.step()

    def infer(inp):
        def f():
            model.eval()
            with torch.no_grad():
                head(model(inp))
        return f

    train()
    infer(x)()
    infer(x1)()
    train_ms = median_ms(train, args.steps)
    infer_ms = median_ms(infer(x), args.steps)
    latency = median_ms(infer(x1), args.steps)
    return {
        "engine": f"torch-{threads}t",
        "train_samples_per_s": args.batch * 1000 / train_ms,
        "infer_samples_per_s": args.batch * 1000 / infer_ms,
        "latency_ms_b1": latency,
        "backend": "cpu",
        "threads": threads,
        "torch": torch.__version__,
        "python": platform.python_version(),
        "cpu": cpu_model(),
        "batch": args.batch,
        "frames": args.frames,
        "persons": args.persons,
        "parameters": sum(p.numel() for p in model.parameters()),
        "steps": args.steps,
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--frames", type=int, default=50)
    ap.add_argument("--persons", type=int, default=2)
    ap.add_argument("--base", type=int, default=16)
    ap.add_argument("--features", type=int, default=256)
    ap.add_argument("--steps", type=int, default=3)
    ap.add_argument("--threads", default="1,2")
    args = ap.parse_args()
    for t in (int(s) for s in args.threads.split(",")):
        print(json.dumps(run(args, t)), flush=True)


if __name__ == "__main__":
    main()
