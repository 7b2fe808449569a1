#!/usr/bin/env python3
"""PyTorch peer for the GPU host's side-by-side figures (issue 16): ST-GCN-16 (821,380 parameters,
tools/torch/stgcn_reference.py, input (B, 3, 50, 25, 2)), timed by tools/torch/bench_stgcn.py's measure():
training samples/s at B = 64 and 128 (forward, cross-entropy, backward, Adam step), inference samples/s at
B = 256 and latency at B = 1, each a median after warm-up runs, the GPU synchronised before each clock reading.

It measures once per arithmetic mode (--tf32): `default` is PyTorch as a user gets it (cuDNN convolutions
in TF32 on Hopper), `off` is strict float32, the arithmetic WebGPU's f32 does. Prints one JSON object and
writes it to --out.
  python3 tools/gpu-host/torch-peer.py [--device cuda] [--out FILE] [--tf32 both|default|off]
  python3 tools/gpu-host/torch-peer.py --device cpu --smoke     (a tiny run anywhere, e.g. Debian's torch 1.13)
"""
import argparse
import json
import os
import platform
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "torch"))
from bench_stgcn import device_info, measure  # noqa: E402


def batches(text):
    try:
        values = [int(s) for s in text.split(",") if s.strip()]
    except ValueError:
        values = []
    if not values or any(v < 1 for v in values):
        raise argparse.ArgumentTypeError(f"expected positive integers separated by commas, got {text!r}")
    return values


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--device", default="cuda", choices=["cuda", "cpu"])
    ap.add_argument("--train-batches", type=batches, default=[64, 128])
    ap.add_argument("--infer-batches", type=batches, default=[256])
    ap.add_argument("--frames", type=int, default=50)
    ap.add_argument("--persons", type=int, default=2)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--latency-steps", type=int, default=50)
    ap.add_argument("--tf32", default="both", choices=["both", "default", "off"])
    ap.add_argument("--no-cudnn-benchmark", action="store_true",
                    help="leave cudnn.benchmark off (by default it is on: fixed shapes, as a user would set)")
    ap.add_argument("--smoke", action="store_true",
                    help="tiny model and batches, one step: checks that the script runs, measures nothing")
    ap.add_argument("--threads", type=int, default=0, help="CPU threads (default: torch's own choice)")
    ap.add_argument("--out", default=None)
    args = ap.parse_args()

    if args.device == "cuda" and not torch.cuda.is_available():
        sys.exit("torch-peer.py: --device cuda, but torch.cuda.is_available() is False "
                 f"(torch {torch.__version__}, CUDA build {torch.version.cuda})")
    device = torch.device(args.device)
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    shape = dict(frames=args.frames, persons=args.persons, base=16, features=256, steps=args.steps,
                 warmup=args.warmup, latency_steps=args.latency_steps)
    train_batches, infer_batches = args.train_batches, args.infer_batches
    if args.smoke:
        shape.update(frames=12, base=4, features=32, steps=1, warmup=1, latency_steps=1)
        train_batches, infer_batches = [2], [3]
    if device.type == "cuda":
        torch.backends.cudnn.benchmark = not args.no_cudnn_benchmark
    defaults = (torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32)
    modes = ["default", "off"] if args.tf32 == "both" else [args.tf32]
    if device.type == "cpu":
        modes = ["default"]  # TF32 is a GPU setting

    runs = []
    for mode in modes:
        if mode == "off":
            torch.backends.cudnn.allow_tf32 = False
            torch.backends.cuda.matmul.allow_tf32 = False
        else:
            torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32 = defaults
        t0 = time.perf_counter()
        m = measure(device, train_batches, infer_batches, **shape)
        runs.append({
            "tf32": mode,
            "train_samples_per_s": {str(b): v for b, v in m["train_samples_per_s"].items()},
            "infer_samples_per_s": {str(b): v for b, v in m["infer_samples_per_s"].items()},
            "latency_ms_b1": m["latency_ms_b1"],
            "parameters": m["parameters"],
            **device_info(device),
            "seconds": time.perf_counter() - t0,
        })
    report = {
        "engine": f"torch-{device.type}",
        "torch": torch.__version__,
        "python": platform.python_version(),
        "threads": torch.get_num_threads() if device.type == "cpu" else None,
        "smoke": args.smoke,
        "shape": {"channels": 3, "frames": shape["frames"], "joints": 25, "persons": args.persons,
                  "base": shape["base"], "features": shape["features"]},
        "train_batches": train_batches,
        "infer_batches": infer_batches,
        "steps": shape["steps"],
        "warmup": shape["warmup"],
        "latency_steps": shape["latency_steps"],
        "runs": runs,
    }
    if not args.smoke and runs and runs[0]["parameters"] != 821_380:
        sys.exit(f"torch-peer.py: the model has {runs[0]['parameters']} parameters, expected 821,380 (ST-GCN-16)")
    text = json.dumps(report, indent=2)
    if args.out:
        tmp = f"{args.out}.tmp-{os.getpid()}"
        with open(tmp, "w") as f:
            f.write(text + "\n")
        os.replace(tmp, args.out)
    print(text, flush=True)


if __name__ == "__main__":
    main()
