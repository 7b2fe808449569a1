#!/usr/bin/python3
"""Golden fixtures for @asma/autodiff, computed by PyTorch (Debian python3-torch 1.13).

Run: /usr/bin/python3 tools/torch/golden_autodiff.py
Writes packages/autodiff/test/fixtures/*.safetensors (each < 200 KB). The TypeScript tests
(packages/autodiff/test/golden*.test.ts) read them and need no Python.

Weights and inputs are float32 values; the reference computations run in float64 on those
exact values, so the stored outputs and gradients are the true answers for the float32 inputs.
The safetensors files are written here with struct + json (the python safetensors package is
not installed), padding the header with spaces to a multiple of 8 like the reference writer.
"""
import json
import os
import struct

import torch
import torch.nn as nn

OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "packages", "autodiff", "test", "fixtures")

DTYPES = {
    torch.float32: "F32",
    torch.float64: "F64",
    torch.float16: "F16",
    torch.bfloat16: "BF16",
    torch.int64: "I64",
    torch.int32: "I32",
    torch.uint8: "U8",
    torch.bool: "BOOL",
}


def tensor_bytes(t):
    t = t.detach().contiguous().cpu()
    if t.dtype == torch.bfloat16:
        # numpy has no bfloat16: reinterpret the 16-bit patterns.
        return t.view(torch.int16).numpy().astype("<i2").tobytes()
    arr = t.numpy()
    return arr.astype(arr.dtype.newbyteorder("<")).tobytes()


def write_safetensors(path, tensors, metadata=None):
    header = {}
    if metadata:
        header["__metadata__"] = {k: str(v) for k, v in metadata.items()}
    blobs = []
    offset = 0
    for name, t in tensors.items():
        data = tensor_bytes(t)
        header[name] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    hjson = json.dumps(header, separators=(",", ":")).encode("utf-8")
    hjson += b" " * ((8 - len(hjson) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(hjson)))
        f.write(hjson)
        for b in blobs:
            f.write(b)
    size = os.path.getsize(path)
    assert size < 200 * 1024, f"{path} is {size} bytes"
    print(f"wrote {os.path.relpath(path)} ({size} bytes, {len(tensors)} tensors)")


def f32(t):
    """Round to float32 values (kept as float32)."""
    return t.detach().to(torch.float32).clone()


# --------------------------------------------------------------------------------------------
# (a) ST-GCN block
# --------------------------------------------------------------------------------------------
class ConvTemporalGraphical(nn.Module):
    def __init__(self, cin, cout, k):
        super().__init__()
        self.kernel_size = k
        self.conv = nn.Conv2d(cin, cout * k, kernel_size=(1, 1))

    def forward(self, x, A):
        x = self.conv(x)
        n, kc, t, v = x.size()
        x = x.view(n, self.kernel_size, kc // self.kernel_size, t, v)
        return torch.einsum("nkctv,kvw->nctw", (x, A)).contiguous()


class StGcnBlock(nn.Module):
    """The ST-GCN block of the public st-gcn code (kernel 9, K spatial subsets)."""

    def __init__(self, cin, cout, k, stride, residual):
        super().__init__()
        self.gcn = ConvTemporalGraphical(cin, cout, k)
        self.tcn = nn.Sequential(
            nn.BatchNorm2d(cout),
            nn.ReLU(inplace=False),
            nn.Conv2d(cout, cout, (9, 1), (stride, 1), (4, 0)),
            nn.BatchNorm2d(cout),
            nn.Dropout(0.0),
        )
        if not residual:
            self.residual = None
        elif cin == cout and stride == 1:
            self.residual = "identity"
        else:
            self.residual = nn.Sequential(nn.Conv2d(cin, cout, 1, (stride, 1)), nn.BatchNorm2d(cout))
        self.relu = nn.ReLU()

    def forward(self, x, A):
        if self.residual is None:
            res = 0
        elif self.residual == "identity":
            res = x
        else:
            res = self.residual(x)
        x = self.gcn(x, A)
        x = self.tcn(x) + res
        return self.relu(x)


def normalised_adjacency(V, K, gen):
    """K fixed, column-normalised subsets of a small chain graph plus random extra edges."""
    A = torch.zeros(K, V, V, dtype=torch.float64)
    A[0] = torch.eye(V, dtype=torch.float64)
    for i in range(V - 1):
        A[1, i + 1, i] = 1.0
        A[2, i, i + 1] = 1.0
    A[1, 0, V - 1] = 1.0  # one wrap-around edge so no column of subset 1 is empty
    A[2, V - 1, 0] = 1.0
    A = A + 0.25 * (torch.rand(K, V, V, generator=gen, dtype=torch.float64) > 0.7).double()
    deg = A.sum(dim=1, keepdim=True)
    return f32(A / deg.clamp(min=1e-9))


def stgcn_fixture(name, cin, cout, stride, seed):
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    N, T, V, K = 2, 8, 5, 3
    block = StGcnBlock(cin, cout, K, stride, residual=True)
    # Non-trivial BN affine parameters and running statistics.
    with torch.no_grad():
        for m in block.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.weight.copy_(1 + 0.3 * torch.randn(m.num_features, generator=gen))
                m.bias.copy_(0.2 * torch.randn(m.num_features, generator=gen))
                m.running_mean.copy_(0.1 * torch.randn(m.num_features, generator=gen))
                m.running_var.copy_(1 + 0.2 * torch.rand(m.num_features, generator=gen))
                m.num_batches_tracked.fill_(3)
    importance = f32(1 + 0.2 * torch.randn(K, V, V, generator=gen))
    A = normalised_adjacency(V, K, gen)
    x = f32(torch.randn(N, cin, T, V, generator=gen))
    tout = (T + 2 * 4 - 9) // stride + 1
    R = f32(torch.randn(N, cout, tout, V, generator=gen))

    tensors = {"A": A, "edge_importance": importance, "x": x, "R": R}
    for k, v in block.state_dict().items():
        tensors[k] = v.clone()

    # Float64 oracle on the float32 values.
    block = block.double()
    imp = nn.Parameter(importance.double())
    xd = x.double().requires_grad_(True)
    block.train()
    out = block(xd, A.double() * imp)
    loss = (out * R.double()).sum()
    loss.backward()
    tensors["train.out"] = out.detach()
    tensors["train.loss"] = loss.detach().reshape(1)
    tensors["train.grad.x"] = xd.grad.detach().clone()
    tensors["train.grad.edge_importance"] = imp.grad.detach().clone()
    for pname, p in block.named_parameters():
        tensors["train.grad." + pname] = p.grad.detach().clone()
    for bname, b in block.named_buffers():
        tensors["after." + bname] = b.detach().clone()

    block.eval()
    xe = x.double().requires_grad_(True)
    oute = block(xe, A.double() * imp.detach())
    (oute * R.double()).sum().backward()
    tensors["eval.out"] = oute.detach()
    tensors["eval.grad.x"] = xe.grad.detach().clone()
    write_safetensors(
        os.path.join(OUT_DIR, name),
        tensors,
        {"cin": cin, "cout": cout, "stride": stride, "K": K, "N": N, "T": T, "V": V, "torch": torch.__version__},
    )


# --------------------------------------------------------------------------------------------
# (b) Barlow Twins loss (+ a tiny projector)
# --------------------------------------------------------------------------------------------
def barlow_loss(z1, z2, lambd):
    N, D = z1.shape
    bn = nn.BatchNorm1d(D, affine=False).to(z1.dtype)
    c = bn(z1).T @ bn(z2) / N
    on_diag = (torch.diagonal(c) - 1).pow(2).sum()
    off_diag = c.pow(2).sum() - torch.diagonal(c).pow(2).sum()
    return on_diag + lambd * off_diag, c


def barlow_fixture(seed):
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    N, D, H = 8, 16, 12
    z1 = f32(torch.randn(N, D, generator=gen))
    z2 = f32(z1 + 0.5 * torch.randn(N, D, generator=gen))
    tensors = {"z1": z1, "z2": z2}
    for tag, lambd in (("l2e-4", 2e-4), ("l5e-3", 5e-3)):
        a = z1.double().requires_grad_(True)
        b = z2.double().requires_grad_(True)
        loss, c = barlow_loss(a, b, lambd)
        loss.backward()
        tensors[f"{tag}.loss"] = loss.detach().reshape(1)
        tensors[f"{tag}.c"] = c.detach()
        tensors[f"{tag}.grad.z1"] = a.grad.detach().clone()
        tensors[f"{tag}.grad.z2"] = b.grad.detach().clone()

    # Projector Linear(H, D) - BN1d(D) - ReLU - Linear(D, D), both views through it (training mode).
    proj = nn.Sequential(nn.Linear(H, D), nn.BatchNorm1d(D), nn.ReLU(), nn.Linear(D, D))
    with torch.no_grad():
        proj[1].weight.copy_(1 + 0.3 * torch.randn(D, generator=gen))
        proj[1].bias.copy_(0.2 * torch.randn(D, generator=gen))
    h1 = f32(torch.randn(N, H, generator=gen))
    h2 = f32(h1 + 0.3 * torch.randn(N, H, generator=gen))
    tensors["h1"] = h1
    tensors["h2"] = h2
    for k, v in proj.state_dict().items():
        tensors["proj." + k] = v.clone()
    proj = proj.double().train()
    a = h1.double().requires_grad_(True)
    b = h2.double().requires_grad_(True)
    loss, _ = barlow_loss(proj(a), proj(b), 2e-4)
    loss.backward()
    tensors["proj.loss"] = loss.detach().reshape(1)
    tensors["proj.grad.h1"] = a.grad.detach().clone()
    tensors["proj.grad.h2"] = b.grad.detach().clone()
    for pname, p in proj.named_parameters():
        tensors["proj.grad." + pname] = p.grad.detach().clone()
    for bname, buf in proj.named_buffers():
        tensors["proj.after." + bname] = buf.detach().clone()
    write_safetensors(os.path.join(OUT_DIR, "golden_barlow.safetensors"), tensors, {"N": N, "D": D, "H": H})


# --------------------------------------------------------------------------------------------
# (c) optimiser steps (float32, as a real run does them)
# --------------------------------------------------------------------------------------------
def optim_fixture(seed):
    gen = torch.Generator().manual_seed(seed)
    p0 = [f32(torch.randn(4, 3, generator=gen)), f32(torch.randn(5, generator=gen))]
    grads = [[f32(torch.randn(p.shape, generator=gen)) for p in p0] for _ in range(3)]
    tensors = {}
    for i, p in enumerate(p0):
        tensors[f"p{i}"] = p
    for s, gs in enumerate(grads):
        for i, g in enumerate(gs):
            tensors[f"grad{s}.p{i}"] = g
    configs = {
        "adam": lambda ps: torch.optim.Adam(ps, lr=0.01, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.1),
        "adamw": lambda ps: torch.optim.AdamW(ps, lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.05),
        "sgd": lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9, weight_decay=0.01),
        "nesterov": lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01),
    }
    for name, make in configs.items():
        ps = [nn.Parameter(p.clone()) for p in p0]
        opt = make(ps)
        for s, gs in enumerate(grads):
            for p, g in zip(ps, gs):
                p.grad = g.clone()
            opt.step()
            if s == 0:
                for i, p in enumerate(ps):
                    tensors[f"{name}.step1.p{i}"] = p.detach().clone()
        for i, p in enumerate(ps):
            tensors[f"{name}.step3.p{i}"] = p.detach().clone()
    write_safetensors(os.path.join(OUT_DIR, "golden_optim.safetensors"), tensors, {"steps": 3})


# --------------------------------------------------------------------------------------------
# (d) MultiheadAttention (E=8, H=2), (L, N, E) layout
# --------------------------------------------------------------------------------------------
def mha_fixture(seed):
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    E, H, L, S, N = 8, 2, 3, 4, 2
    mha = nn.MultiheadAttention(E, H)
    with torch.no_grad():  # non-zero biases so their gradients and use are exercised
        mha.in_proj_bias.copy_(0.1 * torch.randn(3 * E, generator=gen))
        mha.out_proj.bias.copy_(0.1 * torch.randn(E, generator=gen))
    q = f32(torch.randn(L, N, E, generator=gen))
    k = f32(torch.randn(S, N, E, generator=gen))
    v = f32(torch.randn(S, N, E, generator=gen))
    R = f32(torch.randn(L, N, E, generator=gen))
    Rw = f32(torch.randn(N, L, S, generator=gen))
    tensors = {"q": q, "k": k, "v": v, "R": R, "Rw": Rw}
    for name, t in mha.state_dict().items():
        tensors[name] = t.clone()
    mha = mha.double()
    qd, kd, vd = (t.double().requires_grad_(True) for t in (q, k, v))
    out, w = mha(qd, kd, vd)
    loss = (out * R.double()).sum() + (w * Rw.double()).sum()
    loss.backward()
    tensors["out"] = out.detach()
    tensors["weights"] = w.detach()
    tensors["grad.q"], tensors["grad.k"], tensors["grad.v"] = (t.grad.detach().clone() for t in (qd, kd, vd))
    for name, p in mha.named_parameters():
        tensors["grad." + name] = p.grad.detach().clone()
    # Key padding mask: batch 0 ignores its last key, batch 1 its first two.
    kpm = torch.tensor([[False, False, False, True], [True, True, False, False]])
    qd, kd, vd = (t.double().requires_grad_(True) for t in (q, k, v))
    mha.zero_grad()
    out, w = mha(qd, kd, vd, key_padding_mask=kpm)
    ((out * R.double()).sum() + (w * Rw.double()).sum()).backward()
    tensors["kpm"] = kpm.to(torch.uint8)
    tensors["kpm.out"] = out.detach()
    tensors["kpm.weights"] = w.detach()
    tensors["kpm.grad.q"], tensors["kpm.grad.k"], tensors["kpm.grad.v"] = (t.grad.detach().clone() for t in (qd, kd, vd))
    for name, p in mha.named_parameters():
        tensors["kpm.grad." + name] = p.grad.detach().clone()
    write_safetensors(os.path.join(OUT_DIR, "golden_mha.safetensors"), tensors, {"E": E, "H": H})


# --------------------------------------------------------------------------------------------
# dtype coverage for the safetensors reader
# --------------------------------------------------------------------------------------------
def dtypes_fixture():
    vals = torch.tensor([[0.0, 1.0, -2.5, 0.15625], [3.0, -0.375, 1024.0, 6.5]], dtype=torch.float32)
    tensors = {
        "f32": vals,
        "f64": vals.double() / 3,
        "f16": vals.half(),
        "bf16": vals.bfloat16(),
        "i64": torch.tensor([0, -1, 2**40 + 5, -(2**33)], dtype=torch.int64),
        "i32": torch.tensor([[7, -8], [2**31 - 1, -(2**31)]], dtype=torch.int32),
        "u8": torch.tensor([0, 1, 128, 255], dtype=torch.uint8),
        "bool": torch.tensor([True, False, True], dtype=torch.bool),
        "scalar": torch.tensor(2.5, dtype=torch.float32),
        "empty": torch.zeros(0, 3, dtype=torch.float32),
    }
    write_safetensors(os.path.join(OUT_DIR, "io_dtypes.safetensors"), tensors, {"format": "pt", "note": "dtype coverage"})


if __name__ == "__main__":
    os.makedirs(OUT_DIR, exist_ok=True)
    torch.set_num_threads(1)
    stgcn_fixture("golden_stgcn_s1.safetensors", cin=6, cout=6, stride=1, seed=1)
    stgcn_fixture("golden_stgcn_s2.safetensors", cin=4, cout=6, stride=2, seed=2)
    barlow_fixture(3)
    optim_fixture(4)
    mha_fixture(5)
    dtypes_fixture()
