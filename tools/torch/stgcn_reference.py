#!/usr/bin/python3
"""PyTorch reference for @asma/trainer: ST-GCN (PSTL configuration) and the Barlow Twins head.

Usage (Debian python3-torch 1.13 at /usr/bin/python3):
  /usr/bin/python3 tools/torch/stgcn_reference.py                 # write the fixtures
  /usr/bin/python3 tools/torch/stgcn_reference.py --count         # print the parameter count only
  /usr/bin/python3 tools/torch/stgcn_reference.py --check W.safetensors --io IO.safetensors
      # load a checkpoint written by TypeScript with load_state_dict(strict=True), run it in eval
      # mode on IO's `input` (with IO's `kept` joints when present) and compare with IO's `output`.

The model follows the public ST-GCN code family (st_gcn.Model / st_gcn / ConvTemporalGraphical)
as PSTL uses it: data_bn over the (N*M, V*C, T) view, ten st_gcn blocks, edge importance per block,
masked joints removed after data_bn with the adjacency and edge importance sliced per block,
mean over (T, V) then over the M persons. State-dict names are the PyTorch ones the TypeScript
StGcn mirrors.

Fixtures (packages/trainer/test/fixtures/): weights and inputs are float32 values; the reference
computations run in float64 on exactly those values, so the stored outputs and gradients are the
true answers for the float32 inputs (the TypeScript tests allow 1e-4 relative).
"""
import argparse
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safetensors_py import read_safetensors, write_safetensors  # noqa: E402

OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "packages", "trainer", "test", "fixtures")

# NTU RGB+D 25-joint bones (1-based), centre joint 21.
NTU_BONES = [(1, 2), (2, 21), (3, 21), (4, 3), (5, 21), (6, 5), (7, 6), (8, 7), (9, 21), (10, 9), (11, 10),
             (12, 11), (13, 1), (14, 13), (15, 14), (16, 15), (17, 1), (18, 17), (19, 18), (20, 19), (22, 23),
             (23, 8), (24, 25), (25, 12)]
NTU_CENTER = 21 - 1
PSTL_PARAMETERS = 821380


# ---------------------------------------------------------------- graph (reference net/utils/graph.py)
def hop_distance(num_node, edges, max_hop=1):
    adj = np.zeros((num_node, num_node))
    for i, j in edges:
        adj[j, i] = 1
        adj[i, j] = 1
    hop = np.zeros((num_node, num_node)) + np.inf
    transfer = [np.linalg.matrix_power(adj, d) for d in range(max_hop + 1)]
    arrive = np.stack(transfer) > 0
    for d in range(max_hop, -1, -1):
        hop[arrive[d]] = d
    return hop


def normalize_digraph(a):
    dl = np.sum(a, 0)
    dn = np.zeros_like(a)
    for i in range(a.shape[0]):
        if dl[i] > 0:
            dn[i, i] = dl[i] ** (-1)
    return np.dot(a, dn)


def spatial_adjacency(num_node=25, bones=NTU_BONES, center=NTU_CENTER, max_hop=1, dilation=1):
    """The 'spatial' partition with the reference quirk (hop distances known only up to max_hop)."""
    edges = [(i, i) for i in range(num_node)] + [(i - 1, j - 1) for i, j in bones]
    hop = hop_distance(num_node, edges, max_hop)
    valid = range(0, max_hop + 1, dilation)
    adjacency = np.zeros((num_node, num_node))
    for h in valid:
        adjacency[hop == h] = 1
    norm = normalize_digraph(adjacency)
    out = []
    for h in valid:
        root = np.zeros((num_node, num_node))
        close = np.zeros((num_node, num_node))
        further = np.zeros((num_node, num_node))
        for i in range(num_node):
            for j in range(num_node):
                if hop[j, i] == h:
                    if hop[j, center] == hop[i, center]:
                        root[j, i] = norm[j, i]
                    elif hop[j, center] > hop[i, center]:
                        close[j, i] = norm[j, i]
                    else:
                        further[j, i] = norm[j, i]
        if h == 0:
            out.append(root)
        else:
            out.append(root + close)
            out.append(further)
    return np.stack(out)


# ---------------------------------------------------------------- model
class ConvTemporalGraphical(nn.Module):
    def __init__(self, in_channels, out_channels, k):
        super().__init__()
        self.k = k
        self.conv = nn.Conv2d(in_channels, out_channels * k, kernel_size=(1, 1))

    def forward(self, x, a):
        x = self.conv(x)
        n, kc, t, v = x.size()
        x = x.view(n, self.k, kc // self.k, t, v)
        return torch.einsum("nkctv,kvw->nctw", (x, a)).contiguous()


class StGcnBlock(nn.Module):
    def __init__(self, in_channels, out_channels, k=3, kt=9, stride=1, dropout=0.0, residual=True):
        super().__init__()
        pad = (kt - 1) // 2
        self.gcn = ConvTemporalGraphical(in_channels, out_channels, k)
        self.tcn = nn.Sequential(
            nn.BatchNorm2d(out_channels),
            nn.ReLU(inplace=True),
            nn.Conv2d(out_channels, out_channels, (kt, 1), (stride, 1), (pad, 0)),
            nn.BatchNorm2d(out_channels),
            nn.Dropout(dropout, inplace=True),
        )
        if not residual:
            self.residual = lambda x: 0
        elif in_channels == out_channels and stride == 1:
            self.residual = lambda x: x
        else:
            self.residual = nn.Sequential(
                nn.Conv2d(in_channels, out_channels, kernel_size=1, stride=(stride, 1)),
                nn.BatchNorm2d(out_channels),
            )
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x, a):
        res = self.residual(x)
        x = self.gcn(x, a)
        x = self.tcn(x) + res
        return self.relu(x)


def pstl_plan(hidden, hidden_dim):
    """(in, out, stride, residual) for the ten PSTL blocks."""
    h = hidden
    return [(3, h, 1, False), (h, h, 1, True), (h, h, 1, True), (h, h, 1, True), (h, 2 * h, 2, True),
            (2 * h, 2 * h, 1, True), (2 * h, 2 * h, 1, True), (2 * h, 4 * h, 2, True), (4 * h, 4 * h, 1, True),
            (4 * h, hidden_dim, 1, True)]


class StGcn(nn.Module):
    def __init__(self, hidden=16, hidden_dim=256, dropout=0.5, edge_importance=True):
        super().__init__()
        a = torch.tensor(spatial_adjacency(), dtype=torch.float32)
        self.register_buffer("A", a)
        k, v = a.shape[0], a.shape[1]
        self.data_bn = nn.BatchNorm1d(3 * v)
        # The first block has neither residual nor dropout (PSTL passes dropout only to the others).
        self.st_gcn_networks = nn.ModuleList(
            StGcnBlock(i, o, k, 9, s, dropout if r else 0.0, r) for i, o, s, r in pstl_plan(hidden, hidden_dim))
        if edge_importance:
            self.edge_importance = nn.ParameterList([nn.Parameter(torch.ones(a.size())) for _ in self.st_gcn_networks])
        else:
            self.edge_importance = [1] * len(self.st_gcn_networks)

    def forward(self, x, kept=None):
        n, c, t, v, m = x.size()
        x = x.permute(0, 4, 3, 1, 2).contiguous().view(n * m, v * c, t)
        x = self.data_bn(x)
        x = x.view(n, m, v, c, t).permute(0, 1, 3, 4, 2).contiguous().view(n * m, c, t, v)
        if kept is None:
            kept = list(range(v))
        x = x[:, :, :, kept]
        for block, importance in zip(self.st_gcn_networks, self.edge_importance):
            a = (self.A * importance)[:, kept][:, :, kept]
            x = block(x, a)
        x = F.avg_pool2d(x, x.size()[2:])
        return x.view(n, m, -1).mean(dim=1)


class BarlowTwinsHead(nn.Module):
    def __init__(self, in_dim=256, width=6144, lambd=2e-4):
        super().__init__()
        self.projector = nn.Sequential(
            nn.Linear(in_dim, width, bias=False), nn.BatchNorm1d(width), nn.ReLU(True),
            nn.Linear(width, width, bias=False), nn.BatchNorm1d(width), nn.ReLU(True),
            nn.Linear(width, width, bias=False),
        )
        self.bn = nn.BatchNorm1d(width, affine=False)
        self.lambd = lambd

    def project(self, f):
        return self.projector(f)

    def loss_from_projections(self, z1, z2):
        return bt_loss(self.bn(z1), self.bn(z2), self.lambd)

    def forward(self, f1, f2):
        return self.loss_from_projections(self.project(f1), self.project(f2))


def bt_loss(z1n, z2n, lambd):
    n = z1n.shape[0]
    c = z1n.T @ z2n / n
    on = (torch.diagonal(c) - 1).pow(2).sum()
    off = c.pow(2).sum() - torch.diagonal(c).pow(2).sum()
    return on + lambd * off


def standardize(z, eps=1e-5):
    """BatchNorm1d(affine=False) in training mode: biased batch variance."""
    mean = z.mean(0, keepdim=True)
    var = ((z - mean) ** 2).mean(0, keepdim=True)
    return (z - mean) / torch.sqrt(var + eps)


# ---------------------------------------------------------------- fixture helpers
def randomize(model, gen):
    """Seeded, non-trivial weights: every parameter, BN running stat and edge importance differs from init."""
    for mod in model.modules():
        if isinstance(mod, (nn.Conv2d, nn.Linear)):
            fan_in = mod.weight[0].numel()
            mod.weight.data = torch.randn(mod.weight.shape, generator=gen) * (1.0 / fan_in) ** 0.5
            if mod.bias is not None:
                mod.bias.data = torch.randn(mod.bias.shape, generator=gen) * 0.1
        elif isinstance(mod, nn.modules.batchnorm._BatchNorm):
            c = mod.num_features
            if mod.affine:
                mod.weight.data = 0.5 + torch.rand(c, generator=gen)
                mod.bias.data = torch.randn(c, generator=gen) * 0.1
            mod.running_mean.data = torch.randn(c, generator=gen) * 0.2
            mod.running_var.data = 0.5 + 1.5 * torch.rand(c, generator=gen)
            mod.num_batches_tracked.data = torch.tensor(7, dtype=torch.long)
    if isinstance(getattr(model, "edge_importance", None), nn.ParameterList):
        for p in model.edge_importance:
            p.data = 0.5 + torch.rand(p.shape, generator=gen)


def float_state(model):
    return {k: v for k, v in model.state_dict().items()}


def buffers_after(model, prefix):
    return {prefix + k: v.clone() for k, v in model.named_buffers() if k != "A"}


def count_parameters(model):
    return sum(p.numel() for p in model.parameters())


def rel_err(a, b):
    a = a.double()
    b = b.double()
    return float((a - b).abs().max() / b.abs().max().clamp_min(1e-30))


# ---------------------------------------------------------------- fixtures
def fixture_full(gen):
    """(a) ST-GCN-16 with random weights in eval mode: output, and output with joints removed."""
    model = StGcn(16, 256, dropout=0.5)
    assert count_parameters(model) == PSTL_PARAMETERS, count_parameters(model)
    randomize(model, gen)
    x = torch.randn(2, 3, 50, 25, 2, generator=gen)
    x[1, :, :, :, 1] = 0  # a clip with one person: the second body is zero padded, as in NTU
    kept = [j for j in range(25) if j not in (3, 7, 11, 15, 19, 21, 23)]
    model.eval()
    ref = StGcn(16, 256, dropout=0.5).double()
    ref.load_state_dict(model.state_dict())
    ref.eval()
    with torch.no_grad():
        out = ref(x.double())
        out_kept = ref(x.double(), kept)
        out32 = model(x)
    print(f"(a) eval output float32 vs float64 rel err {rel_err(out32, out):.2e}")
    write_safetensors(os.path.join(OUT_DIR, "stgcn16.safetensors"), float_state(model),
                      {"format": "pt", "model": "st-gcn-16 (PSTL)", "seed": "fixture"})
    write_safetensors(os.path.join(OUT_DIR, "stgcn16-io.safetensors"), {
        "input": x, "output": out, "kept": torch.tensor(kept, dtype=torch.long), "output_kept": out_kept,
    })
    return model, x


def fixture_train(gen, prefix, kept):
    """(b)/(c) small-width ST-GCN in training mode (dropout 0): output, gradients, updated BN stats."""
    model = StGcn(4, 16, dropout=0.0)
    randomize(model, gen)
    x = torch.randn(2, 3, 20, 25, 2, generator=gen)
    r = torch.randn(2, 16, generator=gen)
    tensors = {prefix + "param." + k: v.clone() for k, v in model.state_dict().items() if k != "A"}
    ref = model.double()
    ref.train()
    xd = x.double().requires_grad_(True)
    out = ref(xd, kept)
    loss = (out * r.double()).sum()
    loss.backward()
    tensors[prefix + "input"] = x
    tensors[prefix + "loss_weight"] = r
    tensors[prefix + "output"] = out.detach()
    tensors[prefix + "loss"] = loss.detach().reshape(1)
    tensors[prefix + "grad.input"] = xd.grad
    for name, p in ref.named_parameters():
        tensors[prefix + "grad." + name] = p.grad
    tensors.update(buffers_after(ref, prefix + "after."))
    if kept is not None:
        tensors[prefix + "kept"] = torch.tensor(kept, dtype=torch.long)
    print(f"(b/c) {prefix or 'full '} training loss {loss.item():.6f}")
    return tensors


def fixture_barlow(gen):
    """(d) Barlow Twins head, width 32, training mode: loss and gradients."""
    head = BarlowTwinsHead(256, 32, 2e-4)
    randomize(head, gen)
    f1 = torch.randn(8, 256, generator=gen)
    f2 = f1 + 0.5 * torch.randn(8, 256, generator=gen)  # correlated views, like two augmentations
    tensors = {"param." + k: v.clone() for k, v in head.state_dict().items()}
    ref = head.double()
    ref.train()
    f1d = f1.double().requires_grad_(True)
    f2d = f2.double().requires_grad_(True)
    z1 = ref.project(f1d)
    z2 = ref.project(f2d)
    z1.retain_grad()
    z2.retain_grad()
    loss = ref.loss_from_projections(z1, z2)
    loss.backward()
    tensors.update({"f1": f1, "f2": f2, "loss": loss.detach().reshape(1), "grad.f1": f1d.grad, "grad.f2": f2d.grad,
                    "z1": z1.detach(), "z2": z2.detach(), "grad.z1": z1.grad, "grad.z2": z2.grad})
    for name, p in ref.named_parameters():
        tensors["grad." + name] = p.grad
    tensors.update({"after." + k: v.clone() for k, v in ref.named_buffers()})
    # The loss alone with a large lambda, so the off-diagonal term shows in the gradients.
    z1l = z1.detach().clone().requires_grad_(True)
    z2l = z2.detach().clone().requires_grad_(True)
    loss05 = bt_loss(standardize(z1l), standardize(z2l), 0.5)
    loss05.backward()
    tensors.update({"lambda05.loss": loss05.detach().reshape(1), "lambda05.grad.z1": z1l.grad,
                    "lambda05.grad.z2": z2l.grad})
    print(f"(d) barlow twins loss {loss.item():.6f}, lambda 0.5 loss {loss05.item():.6f}")
    write_safetensors(os.path.join(OUT_DIR, "barlow-twins.safetensors"), tensors,
                      {"width": 32, "lambda": 2e-4, "batch": 8})


def generate():
    os.makedirs(OUT_DIR, exist_ok=True)
    a = spatial_adjacency()
    nz = [int((a[k] != 0).sum()) for k in range(3)]
    assert nz == [25, 40, 8], nz
    assert np.allclose(a.sum(0).sum(0), 1)
    gen = torch.Generator().manual_seed(20261124)
    fixture_full(gen)
    small = fixture_train(gen, "", None)
    kept = [j for j in range(25) if j not in (0, 4, 8, 12, 16, 20, 24)]
    small.update(fixture_train(gen, "kept.", kept))
    write_safetensors(os.path.join(OUT_DIR, "stgcn-small-train.safetensors"), small,
                      {"hidden": 4, "hidden_dim": 16, "T": 20, "dropout": 0, "loss": "sum(output * loss_weight)"})
    fixture_barlow(gen)
    print(f"parameters (ST-GCN-16, PSTL): {count_parameters(StGcn(16, 256))}")


def check(weights_path, io_path):
    """Strict PyTorch load of a TypeScript-written checkpoint, then compare outputs."""
    state, meta = read_safetensors(weights_path)
    io, _ = read_safetensors(io_path)
    hidden = state["st_gcn_networks.0.gcn.conv.weight"].shape[0] // 3
    hidden_dim = state["st_gcn_networks.9.gcn.conv.weight"].shape[0] // 3
    model = StGcn(hidden, hidden_dim, edge_importance="edge_importance.0" in state)
    model.load_state_dict(state, strict=True)
    model.eval()
    kept = io["kept"].tolist() if "kept" in io else None
    with torch.no_grad():
        out = model.double()(io["input"].double(), kept)
    if "A" in state:
        a_err = float((state["A"].double() - torch.tensor(spatial_adjacency())).abs().max())
        print(f"A vs the reference 'spatial' graph: max abs difference {a_err:.3e}")
    nbt = [k for k, v in state.items() if k.endswith("num_batches_tracked") and v.dtype != torch.int64]
    if nbt:
        print(f"num_batches_tracked not int64: {nbt}")
        sys.exit(1)
    err = rel_err(out, io["output"])
    print(f"strict load ok ({len(state)} tensors, metadata {meta}); hidden {hidden}, out {hidden_dim}; "
          f"max|ts - torch| / max|torch| = {err:.3e}")
    if err > 1e-4:
        sys.exit(1)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", action="store_true")
    parser.add_argument("--check", metavar="WEIGHTS")
    parser.add_argument("--io", metavar="IO")
    args = parser.parse_args()
    if args.count:
        print(count_parameters(StGcn(16, 256)))
    elif args.check:
        if not args.io:
            parser.error("--check needs --io")
        check(args.check, args.io)
    else:
        generate()


if __name__ == "__main__":
    main()
