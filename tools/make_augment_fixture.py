#!/usr/bin/python3
"""Reference outputs of PSTL's augmentations and input streams (model.py of the public PSTL code, re-typed here
with the random draws replaced by fixed parameters) in PyTorch, for @asma/skeleton's tests.

Run: /usr/bin/python3 tools/make_augment_fixture.py  (writes packages/skeleton/test/fixtures/augment/)
"""
import json
import math
import os

import numpy as np
import torch

OUT = os.path.join(os.path.dirname(__file__), '..', 'packages', 'skeleton', 'test', 'fixtures', 'augment')
os.makedirs(OUT, exist_ok=True)
x = torch.from_numpy(np.random.default_rng(1).standard_normal((2, 3, 12, 25, 2)).astype(np.float32))


def crop(data, frame_start, temperal_padding_ratio=6):
    N, C, T, V, M = data.shape
    padding_len = T // temperal_padding_ratio
    first_clip = torch.flip(data[:, :, :padding_len], dims=[2])
    thrid_clip = torch.flip(data[:, :, -padding_len:], dims=[2])
    out = torch.cat([first_clip, data, thrid_clip], dim=2)
    return out[:, :, frame_start:frame_start + T]


def shear(data, s):
    S = torch.tensor([[1, s[0], s[1]], [s[2], 1, s[3]], [s[4], s[5], 1]], dtype=torch.float32)
    return torch.einsum('n c t v m, c d -> n d t v m', [data, S])


def rotate_axis(seq, axis, angle):
    c, s = math.cos(angle), math.sin(angle)
    if axis == 0:
        R = np.array([[1, 0, 0], [0, c, s], [0, -s, c]])
    if axis == 1:
        R = np.array([[c, 0, -s], [0, 1, 0], [s, 0, c]])
    if axis == 2:
        R = np.array([[c, s, 0], [-s, c, 0], [0, 0, 1]])
    R = torch.Tensor(R.T)
    return torch.einsum('n c t v m, c d -> n d t v m', [seq, R])


def rotate(data, degrees):
    for axis in (0, 1, 2):
        data = rotate_axis(data, axis, math.radians(degrees[axis]))
    return data


def get_stream(data, view):
    if view == 'motion':
        motion = torch.zeros_like(data)
        motion[:, :, :-1, :, :] = data[:, :, 1:, :, :] - data[:, :, :-1, :, :]
        return motion
    Bone = [(1, 2), (2, 21), (3, 21), (4, 3), (5, 21), (6, 5), (7, 6), (8, 7), (9, 21),
            (10, 9), (11, 10), (12, 11), (13, 1), (14, 13), (15, 14), (16, 15), (17, 1),
            (18, 17), (19, 18), (20, 19), (21, 21), (22, 23), (23, 8), (24, 25), (25, 12)]
    bone = torch.zeros_like(data)
    for v1, v2 in Bone:
        bone[:, :, :, v1 - 1, :] = data[:, :, :, v1 - 1, :] - data[:, :, :, v2 - 1, :]
    return bone


def motion_attention(data):
    # motion_att_temp_mask's score, negated back: mean over (c, v, m) of the squared motion, float32
    motion = torch.zeros_like(data)
    motion[:, :, :-1, :, :] = data[:, :, 1:, :, :] - data[:, :, :-1, :, :]
    return (motion ** 2).mean((1, 3, 4))


order = [0, 1, 2, 3, 8, 9, 10, 11, 4, 5, 6, 7, 16, 17, 18, 19, 12, 13, 14, 15, 20, 23, 24, 21, 22]
params = {'crop_start': 3, 'shear': [0.3, -0.7, 0.1, 0.9, -0.2, 0.5], 'degrees': [27.0, 0.4, 0.8]}
outputs = {
    'input': x,
    'crop': crop(x, params['crop_start']),
    'shear': shear(x, params['shear']),
    'rotate': rotate(x, params['degrees']),
    'flip': x[:, :, :, order, :],
    'motion': get_stream(x, 'motion'),
    'bone': get_stream(x, 'bone'),
    'energy': motion_attention(x),
}
for name, t in outputs.items():
    np.save(os.path.join(OUT, f'{name}.npy'), t.numpy().astype(np.float32))
with open(os.path.join(OUT, 'params.json'), 'w') as f:
    json.dump(params, f)
print('wrote', len(outputs), 'arrays to', os.path.normpath(OUT))
