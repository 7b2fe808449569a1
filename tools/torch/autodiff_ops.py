"""Golden values for @asma/autodiff ops (forward + input gradients) from PyTorch, float64.

Run: /usr/bin/python3 tools/torch/autodiff_ops.py  -> packages/autodiff/test/fixtures/ops_torch.json
Each case stores its inputs, the output, the gradient of sum(out * w) for a fixed weight w, and extras.
"""
import json
import torch
import torch.nn.functional as F

torch.manual_seed(0)
D = torch.float64
cases = {}


def t(*shape):
    return torch.randn(*shape, dtype=D, requires_grad=True)


def record(name, inputs, out, extra=None):
    w = torch.randn(out.shape, dtype=D)
    (out * w).sum().backward()
    cases[name] = {
        "inputs": {k: {"shape": list(v.shape), "data": v.detach().flatten().tolist()} for k, v in inputs.items()},
        "w": w.flatten().tolist(),
        "out": {"shape": list(out.shape), "data": out.detach().flatten().tolist()},
        "grads": {k: v.grad.flatten().tolist() for k, v in inputs.items() if v.requires_grad and v.grad is not None},
        **(extra or {}),
    }


x, wt, b = t(4, 3, 5, 2), t(3), t(3)
rm, rv = torch.randn(3, dtype=D), torch.rand(3, dtype=D) + 0.5
rm0, rv0 = rm.clone(), rv.clone()
out = F.batch_norm(x, rm, rv, wt, b, training=True, momentum=0.1, eps=1e-5)
record("batchNorm_train", {"x": x, "weight": wt, "bias": b}, out,
       {"runningMean0": rm0.tolist(), "runningVar0": rv0.tolist(), "runningMean": rm.tolist(), "runningVar": rv.tolist()})

x = t(6, 4)
out = F.batch_norm(x, rm0.new_zeros(4), rm0.new_ones(4) * 2, None, None, training=False, eps=1e-5)
record("batchNorm_eval_2d", {"x": x}, out)

x, wt, b = t(2, 3, 4), t(3, 4), t(3, 4)
record("layerNorm", {"x": x, "weight": wt, "bias": b}, F.layer_norm(x, [3, 4], wt, b, eps=1e-5))

x = t(5, 7)
labels = [0, 6, 3, 3, 1]
record("crossEntropy_smooth", {"x": x}, F.cross_entropy(x, torch.tensor(labels), label_smoothing=0.1), {"labels": labels})

s, tt = t(3, 4), t(3, 4)
record("klDiv_batchmean", {"s": s, "t": tt}, F.kl_div(F.log_softmax(s / 2, 1), F.softmax(tt / 2, 1), reduction="batchmean"))

x = t(2, 3, 4)
record("logSoftmax_axis1", {"x": x}, F.log_softmax(x, 1))
x = t(3, 5)
record("gelu", {"x": x}, F.gelu(x))
x = t(3, 4, 2)
record("var_unbiased", {"x": x}, torch.var(x, dim=[0, 2], unbiased=True, keepdim=True))
a, bb = t(2, 1, 3, 4), t(5, 4, 2)
record("matmul_broadcast", {"a": a, "b": bb}, torch.matmul(a, bb))
x, w2, bias2 = t(2, 3, 9, 4), t(5, 3, 3, 1), t(5)
record("conv_temporal", {"x": x, "w": w2, "bias": bias2}, F.conv2d(x, w2, bias2, stride=(2, 1), padding=(1, 0)))

with open("packages/autodiff/test/fixtures/ops_torch.json", "w") as f:
    json.dump({"torch": torch.__version__, "cases": cases}, f)
