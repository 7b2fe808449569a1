"""PyTorch side of the kernel benchmark: the same shapes as benchmarks/kernels, GFLOP/s as JSON.

Run with /usr/bin/python3 (Debian's python3-torch). Each (case, threads) pair is measured in
interleaved rounds and the median is reported, because the machine is shared and noisy.
Usage: /usr/bin/python3 tools/torch/bench_kernels.py [--rounds 5] [--quick]
"""

import argparse
import json
import statistics
import time

import torch


def cases(quick):
    n = 2 if quick else 32
    out = []
    for s in (256, 512):
        a = torch.rand(s, s)
        b = torch.rand(s, s)
        out.append((f"matmul {s}^3", 2.0 * s**3, lambda a=a, b=b: torch.mm(a, b)))
    # The hot layer of ST-GCN-16 (batch 16, two views), then an early 64-channel layer.
    for c, t in ((256, 13), (64, 50)):
        x = torch.rand(n, c, t, 25)
        conv = torch.nn.Conv2d(c, c, (9, 1), (1, 1), (4, 0), bias=True)
        flops = 2.0 * n * c * c * 9 * t * 25

        def run_conv(conv=conv, x=x):
            with torch.no_grad():
                return conv(x)

        out.append((f"tconv fwd N={n} C={c} kt=9 T={t} V=25", flops, run_conv))
    return out


def time_once(fn, min_time=0.2):
    """Seconds per call: repeat until min_time has passed (at least once)."""
    fn()
    calls = 0
    t0 = time.perf_counter()
    while True:
        fn()
        calls += 1
        el = time.perf_counter() - t0
        if el >= min_time:
            return el / calls


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    cs = cases(args.quick)
    samples = {}
    for _ in range(args.rounds):
        for threads in (1, 2):
            torch.set_num_threads(threads)
            for name, flops, fn in cs:
                samples.setdefault((name, threads), []).append(flops / time_once(fn) / 1e9)
    results = [
        {"case": name, "backend": f"torch-{threads}t", "threads": threads, "gflops": statistics.median(v), "samples": v}
        for (name, threads), v in samples.items()
    ]
    print(json.dumps({"torch": torch.__version__, "rounds": args.rounds, "results": results}))


if __name__ == "__main__":
    main()
