#!/usr/bin/python3
"""Tiny .npy fixtures written by real NumPy for the @asma/skeleton .npy reader tests, plus the
ST-GCN reference adjacency (net/utils/graph.py construction, NTU-25) for the graph tests.

Run: /usr/bin/python3 tools/make_npy_fixtures.py   (writes packages/skeleton/test/fixtures/npy/)
"""
import json
import os

import numpy as np

OUT = os.path.join(os.path.dirname(__file__), '..', 'packages', 'skeleton', 'test', 'fixtures', 'npy')
os.makedirs(OUT, exist_ok=True)
manifest = {}


def save(name, arr, version=None):
    path = os.path.join(OUT, name)
    with open(path, 'wb') as f:
        np.lib.format.write_array(f, arr, version=version, allow_pickle=False)
    values = arr.ravel(order='K' if arr.flags.f_contiguous and not arr.flags.c_contiguous else 'C')
    entry = {'descr': arr.dtype.str, 'shape': list(arr.shape)}
    if arr.size <= 64:
        entry['values'] = [str(v) for v in values.tolist()] if arr.dtype.str == '<i8' else values.tolist()
    else:
        entry['sum'] = float(values.astype(np.float64).sum())
        entry['first'] = values[:8].tolist()
    manifest[name] = entry


save('f4_2x3.npy', (np.arange(6, dtype=np.float32).reshape(2, 3) / 4 - 0.5).astype(np.float32))
save('f8_3.npy', np.array([0.1, -2.5, 1e-40], dtype=np.float64))
save('i8_labels.npy', np.array([0, 5, 59, -1, 2 ** 40], dtype=np.int64))
save('i4_2x2x2.npy', np.arange(-4, 4, dtype=np.int32).reshape(2, 2, 2))
save('f4_scalar.npy', np.array(7.5, dtype=np.float32))
save('f4_empty.npy', np.zeros((0, 3), dtype=np.float32))
save('f4_v2.npy', np.linspace(-1, 1, 10, dtype=np.float32).reshape(5, 2), version=(2, 0))
save('f4_v3.npy', np.linspace(-1, 1, 4, dtype=np.float32), version=(3, 0))
save('fortran.npy', np.asfortranarray(np.arange(6, dtype=np.float32).reshape(2, 3)))
save('big_endian.npy', np.arange(3, dtype='>f4'))
save('uint8.npy', np.arange(3, dtype=np.uint8))
rng = np.random.default_rng(0)
save('f4_clips.npy', rng.standard_normal((4, 3, 5, 25, 2)).astype(np.float32))

# ST-GCN graph (reference construction, max_hop = 1), stored as float32 like the PyTorch buffer A.
num_node = 25
bones = [(1, 2), (2, 21), (3, 21), (4, 3), (5, 21), (6, 5), (7, 6), (8, 7), (9, 21), (10, 9), (11, 10), (12, 11),
         (13, 1), (14, 13), (15, 14), (16, 15), (17, 1), (18, 17), (19, 18), (20, 19), (22, 23), (23, 8), (24, 25),
         (25, 12)]
edge = [(i, i) for i in range(num_node)] + [(i - 1, j - 1) for i, j in bones]
center = 21 - 1


def hop_distance(max_hop):
    A = np.zeros((num_node, num_node))
    for i, j in edge:
        A[j, i] = 1
        A[i, j] = 1
    hop = np.zeros((num_node, num_node)) + np.inf
    arrive = np.stack([np.linalg.matrix_power(A, d) for d in range(max_hop + 1)]) > 0
    for d in range(max_hop, -1, -1):
        hop[arrive[d]] = d
    return hop


def normalize_digraph(A):
    Dl = np.sum(A, 0)
    Dn = np.zeros((num_node, num_node))
    for i in range(num_node):
        if Dl[i] > 0:
            Dn[i, i] = Dl[i] ** (-1)
    return np.dot(A, Dn)


def graph(strategy, max_hop=1):
    hop = hop_distance(max_hop)
    valid = range(0, max_hop + 1)
    adj = np.zeros((num_node, num_node))
    for h in valid:
        adj[hop == h] = 1
    na = normalize_digraph(adj)
    if strategy == 'uniform':
        return na[None]
    if strategy == 'distance':
        A = np.zeros((len(valid), num_node, num_node))
        for i, h in enumerate(valid):
            A[i][hop == h] = na[hop == h]
        return A
    A = []
    for h in valid:
        root, close, further = (np.zeros((num_node, num_node)) for _ in range(3))
        for i in range(num_node):
            for j in range(num_node):
                if hop[j, i] == h:
                    if hop[j, center] == hop[i, center]:
                        root[j, i] = na[j, i]
                    elif hop[j, center] > hop[i, center]:
                        close[j, i] = na[j, i]
                    else:
                        further[j, i] = na[j, i]
        if h == 0:
            A.append(root)
        else:
            A.append(root + close)
            A.append(further)
    return np.stack(A)


for strategy in ('uniform', 'distance', 'spatial'):
    for max_hop in (1, 2):
        np.save(os.path.join(OUT, f'stgcn_{strategy}_hop{max_hop}.npy'), graph(strategy, max_hop).astype(np.float32))

with open(os.path.join(OUT, 'manifest.json'), 'w') as f:
    json.dump(manifest, f, indent=1)
print('wrote', len(manifest) + 6, 'fixtures to', os.path.normpath(OUT))
