"""PSTL's temporal and spatial masking ops in PyTorch, as oracle for @asma/masking.

Writes packages/masking/test/fixtures/pstl_masks.{npy,json}: a random (4, 3, 50, 25, 2) float32
batch, PSTL's motion attention (temporal_att), the frames kept after the motion-attentive top-k
(PSTL: drop the 10 highest; ASMa A: drop the 10 lowest), the gathered batches, and a joint removal.
Run: /usr/bin/python3 tools/torch/masking_fixture.py
"""
import json
import os

import numpy as np
import torch

out = os.path.join(os.path.dirname(__file__), '..', '..', 'packages', 'masking', 'test', 'fixtures')
torch.manual_seed(0)
x = torch.randn(4, 3, 50, 25, 2, dtype=torch.float32)
x[3, :, :, :, 1] = 0  # a clip with one body, as in NTU
n, c, t, v, m = x.shape
mask_frame = 10
remain = t - mask_frame

# PSTL motion_att_temp_mask, up to the random drop (which uses Python's RNG).
motion = torch.zeros_like(x)
motion[:, :, :-1] = x[:, :, 1:] - x[:, :, :-1]
att = (motion ** 2).mean((1, 3, 4))  # (N, T); PSTL ranks -att with topk
_, keep_hi = torch.topk(-att, remain)  # drops the 10 highest
keep_hi, _ = torch.sort(keep_hi, dim=1)
_, keep_lo = torch.topk(att, remain)  # drops the 10 lowest (ASMa encoder A)
keep_lo, _ = torch.sort(keep_lo, dim=1)
idx = keep_hi.unsqueeze(1).unsqueeze(3).unsqueeze(4).repeat(1, c, 1, v, m)
gathered = x.gather(2, idx)

ignore = [3, 7, 20, 21, 23]  # a central_spacial_mask draw
rem = [j for j in range(v) if j not in ignore]
removed = x[:, :, :, rem, :]

np.save(os.path.join(out, 'pstl_x.npy'), x.numpy())
np.save(os.path.join(out, 'pstl_gathered.npy'), gathered.numpy())
np.save(os.path.join(out, 'pstl_joint_removed.npy'), removed.numpy())
with open(os.path.join(out, 'pstl_masks.json'), 'w') as f:
    json.dump(
        {
            'torch': torch.__version__,
            'energy': att.tolist(),
            'keptDropHighest': keep_hi.tolist(),
            'keptDropLowest': keep_lo.tolist(),
            'ignoreJoints': ignore,
            'keptJoints': rem,
        },
        f,
    )
print('wrote', out)
