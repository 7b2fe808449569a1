#!/usr/bin/python3
"""PyTorch twin of asma's pretraining recipe (issue 18): PSTL and ASMa pretraining of small ST-GCN
encoders, then the standardised linear probe on frozen features, written from the method description
(/work/shared/reference/asma-method.md) and asma's defaults, not from asma's code paths. It measures;
it writes no fixture (the fixture manifest test lists it as such).

Same data (an asma split folder, AimCLR layout), same distributions and counts as asma's demo recipe
(tools/evidence/probe.mjs): per batch three independent PSTL augmentations (anchor, spatial,
temporal input; crop, shear, rotation, flip, one draw per batch), masks drawn once per batch from the
temporal input's motion energy, masked joints removed inside the encoder (sliced adjacency), masked
frames gathered out, loss per encoder BT(anchor, temporal) + BT(anchor, spatial), summed over
encoders; Adam (weight decay 1e-5) with linear warm-up from lr / warmup then cosine to 0, lr set once
per epoch; shuffled batches, the last incomplete one dropped. Probe: eval-mode features, standardised
with the training statistics, Linear(D, classes), Adam lr 0.01 cosine over 100 epochs, batch 32, no
batch dropped; validation top-1 after the last epoch. Random draws come from torch's own seeded
generator: the same recipe, not the same numbers.

Data (asma writes it; the same clips probe.mjs trains on for that seed):
  node tools/evidence/probe.mjs --method pstl --seed 0 --per-class 40 --epochs 20 --out /tmp/twin/s0
  # -> /tmp/twin/s0/data/xsub/{train,val}_{position,label}.npy (and /tmp/twin/s0/pstl/log.jsonl)

Usage (Debian python3-torch at /usr/bin/python3; one CPU thread unless --threads):
  /usr/bin/python3 tools/torch/pretrain_twin.py --method pstl --seed 0 --data /tmp/twin/s0/data/xsub
  /usr/bin/python3 tools/torch/pretrain_twin.py --method asma --seed 0 --data /tmp/twin/s0/data/xsub
      [--epochs 20] [--batch 32] [--lr 2e-3] [--lambda 4.8e-3] [--base 4] [--features 32]
      [--projector 256] [--no-augment] [--no-mask] [--log twin.jsonl]
  /usr/bin/python3 tools/torch/pretrain_twin.py --method none|none-pair --seed 0 --data ...   # untrained baselines
Prints one JSON line per encoder set (asma: 'asma A+B', 'asma A', 'asma B') with the linear probe's
validation top-1 (%), and writes per-epoch losses (as asma's log.jsonl: loss and parts) to --log.
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.dont_write_bytecode = True  # no __pycache__ next to the reference module
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from stgcn_reference import NTU_BONES, BarlowTwinsHead, StGcn, bt_loss  # noqa: E402

V = 25
# Degree of each NTU-25 joint in the skeleton graph (no self loops): [3,2,2,1,2,...], sum 48.
DEGREE = np.zeros(V, dtype=np.int64)
for _i, _j in NTU_BONES:
    DEGREE[_i - 1] += 1
    DEGREE[_j - 1] += 1
assert DEGREE.tolist() == [3, 2, 2, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 2, 2, 2, 1, 4, 1, 2, 1, 2]
FLIP_ORDER = [0, 1, 2, 3, 8, 9, 10, 11, 4, 5, 6, 7, 16, 17, 18, 19, 12, 13, 14, 15, 20, 23, 24, 21, 22]


# ---------------------------------------------------------------- augmentation (PSTL, one draw per batch)
def crop(x, g, ratio=6):
    """Mirror-pad p = T // ratio frames at each end (edge frame repeated), random window of T."""
    t = x.shape[2]
    p = t // ratio
    if p == 0:
        return x
    padded = torch.cat([x[:, :, :p].flip(2), x, x[:, :, t - p:].flip(2)], dim=2)
    start = int(torch.randint(0, 2 * p + 1, (1,), generator=g))
    return padded[:, :, start:start + t]


def shear(x, g, amp=1.0):
    """x' = x S (row vectors), S = [[1,a,b],[c,1,d],[e,f,1]], off-diagonals U(-amp, amp)."""
    a, b, c, d, e, f = ((torch.rand(6, generator=g) * 2 - 1) * amp).tolist()
    s = torch.tensor([[1, a, b], [c, 1, d], [e, f, 1]], dtype=x.dtype)
    return torch.einsum("nctvm,cd->ndtvm", x, s)


def axis_rotation(axis, angle):
    co, si = math.cos(angle), math.sin(angle)
    if axis == 0:
        return torch.tensor([[1, 0, 0], [0, co, si], [0, -si, co]])
    if axis == 1:
        return torch.tensor([[co, 0, -si], [0, 1, 0], [si, 0, co]])
    return torch.tensor([[co, si, 0], [-si, co, 0], [0, 0, 1]])


def rotate(x, g, main=30.0, other=1.0):
    """One main axis by U(0, main) degrees, the others by U(0, other); x' = Rz Ry Rx x."""
    main_axis = int(torch.randint(0, 3, (1,), generator=g))
    deg = [float(torch.rand(1, generator=g)) * (main if k == main_axis else other) for k in range(3)]
    ax, ay, az = (math.radians(d) for d in deg)
    r = axis_rotation(2, az) @ axis_rotation(1, ay) @ axis_rotation(0, ax)
    return torch.einsum("dc,nctvm->ndtvm", r.to(x.dtype), x)


def flip(x, g, p=0.5):
    return x[:, :, :, FLIP_ORDER] if float(torch.rand(1, generator=g)) < p else x


def augment(x, g):
    return flip(rotate(shear(crop(x, g), g), g), g)


# ---------------------------------------------------------------- masks
def motion_energy(x):
    """(N, T): mean over (c, v, m) of (x[t+1] - x[t])^2; the last frame 0."""
    d = (x[:, :, 1:] - x[:, :, :-1]).pow(2).mean(dim=(1, 3, 4))
    return torch.cat([d, torch.zeros(x.shape[0], 1, dtype=x.dtype)], dim=1)


def multiset_joints(multiplicity, draws, g):
    """Joints hit by `draws` draws without replacement from the multiset (joint j appears m_j times)."""
    items = np.repeat(np.arange(V), multiplicity)
    pick = torch.randperm(len(items), generator=g)[:draws].numpy()
    removed = set(items[pick].tolist())
    return [j for j in range(V) if j not in removed]


def frame_mask(energy, drop, motion_drops, random_drops, g):
    """(N, T - motion - random) kept frames: per clip the `motion_drops` highest/lowest-energy frames
    (ties: earlier frame first), then `random_drops` of the remaining slots, one draw per batch."""
    n, t = energy.shape
    e = energy.numpy().astype(np.float64)
    slots = set(torch.randperm(t - motion_drops, generator=g)[:random_drops].tolist())
    kept = []
    for s in range(n):
        order = np.argsort(-e[s] if drop == "highest" else e[s], kind="stable")
        by_motion = set(order[:motion_drops].tolist())
        rest = [f for f in range(t) if f not in by_motion]
        kept.append([f for k, f in enumerate(rest) if k not in slots])
    return torch.tensor(kept, dtype=torch.long)


def gather_frames(x, kept):
    """x (N, C, T, V, M), kept (N, T') -> (N, C, T', V, M)."""
    xt = x.permute(0, 2, 1, 3, 4)
    return xt[torch.arange(x.shape[0])[:, None], kept].permute(0, 2, 1, 3, 4).contiguous()


# View rules: (spatial multiplicity, frames dropped by motion).
DMAX = int(DEGREE.max())
VIEWS = {
    "pstl": [("pstl", DEGREE, "highest")],
    # A: high-degree joints (PSTL's multiset) + low-motion frames; B: low-degree joints (d_max + 1 - d) + high-motion frames.
    "asma": [("A", DEGREE, "lowest"), ("B", DMAX + 1 - DEGREE, "highest")],
}


# ---------------------------------------------------------------- pretraining
def lr_at(epoch, base, warmup, total):
    s = 1.0 / warmup if warmup > 0 else 0.0
    if epoch < warmup:
        return base * (s + (1 - s) * epoch / warmup)
    return base * 0.5 * (1 + math.cos(math.pi * (epoch - warmup) / (total - warmup)))


def pretrain(args, x_train, g, log):
    views = VIEWS[args.method]
    drops = max(1, min(round(args.frames * 0.2), (args.frames - 1) // 2))
    encoders = nn.ModuleList(StGcn(args.base, args.features, dropout=0.5) for _ in views)
    heads = nn.ModuleList(BarlowTwinsHead(args.features, args.projector, args.lambd) for _ in views)
    params = list(encoders.parameters()) + list(heads.parameters())
    opt = torch.optim.Adam(params, lr=args.lr, weight_decay=args.weight_decay)
    warmup = max(0, min(args.warmup, args.epochs - 1))
    n = x_train.shape[0]
    aug = augment if args.augment else (lambda x, _g: x)
    for epoch in range(args.epochs):
        lr = lr_at(epoch, args.lr, warmup, args.epochs)
        for group in opt.param_groups:
            group["lr"] = lr
        encoders.train()
        heads.train()
        started = time.time()
        perm = torch.randperm(n, generator=g)
        sums, count = {}, 0
        for b in range(n // args.batch):
            x = x_train[perm[b * args.batch:(b + 1) * args.batch]]
            anchor, for_spatial, for_temporal = aug(x, g), aug(x, g), aug(x, g)
            energy = motion_energy(for_temporal)
            total = 0.0
            parts = {}
            for (name, mult, drop), enc, head in zip(views, encoders, heads):
                if args.mask:
                    kept_joints = multiset_joints(mult, args.draws, g)
                    kept_frames = frame_mask(energy, drop, drops, drops, g)
                    temporal_in = gather_frames(for_temporal, kept_frames)
                else:
                    kept_joints, temporal_in = None, for_temporal
                za = head.project(enc(anchor))
                zt = head.project(enc(temporal_in))
                zs = head.project(enc(for_spatial, kept_joints))
                lt = bt_loss(head.bn(za), head.bn(zt), args.lambd)
                ls = bt_loss(head.bn(za), head.bn(zs), args.lambd)
                key = "" if len(views) == 1 else f"{name.lower()}/"
                parts[f"{key}temporal"] = float(lt)
                parts[f"{key}spatial"] = float(ls)
                total = total + lt + ls
            opt.zero_grad(set_to_none=True)
            total.backward()
            opt.step()
            parts["loss"] = float(total)
            for k, v in parts.items():
                sums[k] = sums.get(k, 0.0) + v * x.shape[0]
            count += x.shape[0]
        record = {"epoch": epoch, "lr": lr, "loss": sums.pop("loss") / count,
                  "parts": {k: v / count for k, v in sums.items()}, "seconds": round(time.time() - started, 2)}
        print(json.dumps(record), file=log, flush=True)
    return encoders, record["loss"]


# ---------------------------------------------------------------- linear probe
@torch.no_grad()
def features(enc, x, batch=64):
    enc.eval()
    return torch.cat([enc(x[i:i + batch]) for i in range(0, x.shape[0], batch)])


def linear_probe(ftr, ytr, fva, yva, classes, seed, epochs=100, batch=32, lr=0.01):
    mean = ftr.double().mean(0)
    std = ftr.double().std(0, unbiased=False)
    std = torch.where(std > 1e-12, std, torch.ones_like(std))
    ftr = ((ftr - mean.float()) / std.float())
    fva = ((fva - mean.float()) / std.float())
    g = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    clf = nn.Linear(ftr.shape[1], classes)
    opt = torch.optim.Adam(clf.parameters(), lr=lr)
    n = ftr.shape[0]
    for epoch in range(epochs):
        for group in opt.param_groups:
            group["lr"] = lr * 0.5 * (1 + math.cos(math.pi * epoch / epochs))
        perm = torch.randperm(n, generator=g)
        for i in range(0, n, batch):
            idx = perm[i:i + batch]
            loss = F.cross_entropy(clf(ftr[idx]), ytr[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
    with torch.no_grad():
        train_acc = float((clf(ftr).argmax(1) == ytr).float().mean())
        val_acc = float((clf(fva).argmax(1) == yva).float().mean())
    return train_acc, val_acc


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--method", choices=["pstl", "asma", "none", "none-pair"], required=True)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--data", required=True, help="split folder with {train,val}_{position,label}.npy")
    p.add_argument("--epochs", type=int, default=20)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--weight-decay", type=float, default=1e-5)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--lambda", dest="lambd", type=float, default=4.8e-3, help="balancedLambda(256)")
    p.add_argument("--base", type=int, default=4)
    p.add_argument("--features", type=int, default=32)
    p.add_argument("--projector", type=int, default=256)
    p.add_argument("--draws", type=int, default=8)
    p.add_argument("--linear-epochs", type=int, default=100)
    p.add_argument("--no-augment", dest="augment", action="store_false")
    p.add_argument("--no-mask", dest="mask", action="store_false")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--log", help="per-epoch JSON lines (default: stderr)")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    g = torch.Generator().manual_seed(args.seed)

    def load(part):
        x = torch.from_numpy(np.load(os.path.join(args.data, f"{part}_position.npy"))).float()
        y = torch.from_numpy(np.load(os.path.join(args.data, f"{part}_label.npy"))).long()
        return x, y

    xtr, ytr = load("train")
    xva, yva = load("val")
    args.frames = xtr.shape[2]
    classes = int(max(ytr.max(), yva.max())) + 1
    started = time.time()
    log = open(args.log, "w") if args.log else sys.stderr
    if args.method in ("none", "none-pair"):  # untrained baselines: one encoder, or two side by side
        count = 2 if args.method == "none-pair" else 1
        encoders, last = nn.ModuleList(StGcn(args.base, args.features, dropout=0.5) for _ in range(count)), None
    else:
        encoders, last = pretrain(args, xtr, g, log)
    seconds = round(time.time() - started, 1)
    feats = [(features(e, xtr), features(e, xva)) for e in encoders]
    names = [VIEWS[args.method][i][0] for i in range(len(encoders))] if args.method in VIEWS else ["A", "B"]
    sets = [(args.method if len(feats) == 1 else f"{args.method} A+B", list(range(len(feats))))]
    if len(feats) == 2:
        sets += [(f"{args.method} {names[i]}", [i]) for i in range(2)]
    for name, which in sets:
        ftr = torch.cat([feats[i][0] for i in which], dim=1)
        fva = torch.cat([feats[i][1] for i in which], dim=1)
        train_acc, val_acc = linear_probe(ftr, ytr, fva, yva, classes, args.seed, args.linear_epochs, args.batch)
        print(json.dumps({"set": name, "side": "torch", "seed": args.seed, "epochs": args.epochs,
                          "augment": args.augment, "mask": args.mask, "linear": round(val_acc * 100, 1),
                          "trainAccuracy": round(train_acc * 100, 1), "lastLoss": last, "seconds": seconds}),
              flush=True)


if __name__ == "__main__":
    main()
