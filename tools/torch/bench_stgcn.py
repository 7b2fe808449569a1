#!/usr/bin/python3
"""PyTorch peer of `asma bench`: ST-GCN-16 (tools/torch/stgcn_reference.py, 821,380 parameters) on the
same workloads, one JSON line per thread count.

  train: forward (B, 3, T, 25, M) -> Linear(256, 60) -> cross-entropy, backward, Adam(lr 1e-3) step
  infer: eval mode under torch.no_grad at batch B;  latency: the same at batch 1.
Figures are medians over --steps repetitions after --warmup (default 1) untimed ones. Run with Debian's python3-torch:
  /usr/bin/python3 tools/torch/bench_stgcn.py [--batch 16] [--frames 50] [--persons 2] [--steps 3] [--threads 1,2]
On a GPU: --device cuda (one JSON line; --threads is ignored), which synchronises the device before each
clock reading; --infer-batch N times inference at another batch than training. tools/gpu-host/torch-peer.py
uses measure() below for the GPU host's side-by-side figures.
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


def sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def median_ms(fn, reps, device=torch.device("cpu")):
    """Median wall time of fn in ms; on a GPU the queue is drained before each clock reading."""
    ms = []
    for _ in range(reps):
        sync(device)
        t0 = time.perf_counter()
        fn()
        sync(device)
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


def measure(device, train_batches, infer_batches, frames=50, persons=2, base=16, features=256, steps=3,
            warmup=1, latency_steps=None):
    """ST-GCN-16 + Linear(features, 60) on `device`: training samples/s (forward, cross-entropy, backward,
    Adam step) at each of train_batches, eval-mode inference samples/s at each of infer_batches, and the
    batch-1 latency in ms; each a median over `steps` runs (latency: latency_steps) after `warmup` runs."""
    torch.manual_seed(0)
    model = StGcn(hidden=base, hidden_dim=features).to(device)
    head = nn.Linear(features, 60).to(device)
    opt = torch.optim.Adam(list(model.parameters()) + list(head.parameters()), lr=1e-3)

    def train_step(x, labels):
        def f():
            model.train()
            loss = F.cross_entropy(head(model(x)), labels)
            opt.zero_grad()
            loss.backward()
            opt.step()
        return f

    def infer(x):
        def f():
            model.eval()
            with torch.no_grad():
                head(model(x))
        return f

    def timed(fn, reps):
        for _ in range(warmup):
            fn()
        return median_ms(fn, reps, device)

    train = {}
    for b in train_batches:
        x = torch.randn(b, 3, frames, 25, persons, device=device)
        labels = torch.randint(0, 60, (b,), device=device)
        train[b] = b * 1000 / timed(train_step(x, labels), steps)
    inference = {}
    for b in infer_batches:
        inference[b] = b * 1000 / timed(infer(torch.randn(b, 3, frames, 25, persons, device=device)), steps)
    latency = timed(infer(torch.randn(1, 3, frames, 25, persons, device=device)), latency_steps or steps)
    return {
        "train_samples_per_s": train,
        "infer_samples_per_s": inference,
        "latency_ms_b1": latency,
        "parameters": sum(p.numel() for p in model.parameters()),
    }


def device_info(device):
    """What names the engine in a figure: the GPU and the settings that change its arithmetic."""
    if device.type != "cuda":
        return {"backend": "cpu", "cpu": cpu_model()}
    return {
        "backend": "cuda",
        "gpu": torch.cuda.get_device_name(device),
        "cuda": torch.version.cuda,
        "cudnn": torch.backends.cudnn.version(),
        "cudnn_benchmark": torch.backends.cudnn.benchmark,
        "cudnn_allow_tf32": torch.backends.cudnn.allow_tf32,
        "matmul_allow_tf32": torch.backends.cuda.matmul.allow_tf32,
        "cpu": cpu_model(),
    }


def run(args, threads, device=torch.device("cpu")):
    if device.type == "cpu":
        torch.set_num_threads(threads)
    infer_batch = args.infer_batch or args.batch
    m = measure(device, [args.batch], [infer_batch], args.frames, args.persons, args.base, args.features,
                args.steps, args.warmup)
    return {
        "engine": f"torch-{threads}t" if device.type == "cpu" else "torch-cuda",
        "train_samples_per_s": m["train_samples_per_s"][args.batch],
        "infer_samples_per_s": m["infer_samples_per_s"][infer_batch],
        "latency_ms_b1": m["latency_ms_b1"],
        **device_info(device),
        "threads": threads if device.type == "cpu" else None,
        "torch": torch.__version__,
        "python": platform.python_version(),
        "batch": args.batch,
        "infer_batch": infer_batch,
        "frames": args.frames,
        "persons": args.persons,
        "parameters": m["parameters"],
        "steps": args.steps,
        "warmup": args.warmup,
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
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--infer-batch", type=int, default=0, help="inference batch (default: --batch)")
    ap.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    args = ap.parse_args()
    if args.device == "cuda":
        if not torch.cuda.is_available():
            sys.exit("bench_stgcn.py: --device cuda, but torch.cuda.is_available() is False")
        print(json.dumps(run(args, None, torch.device("cuda"))), flush=True)
        return
    for t in (int(s) for s in args.threads.split(",")):
        print(json.dumps(run(args, t)), flush=True)


if __name__ == "__main__":
    main()
