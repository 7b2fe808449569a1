/**
 * Generates `aggregate`: the inference-time graph aggregation with its BN shift and ReLU,
 * out[c, row, w] = max(sum_{k, v} g[k, c, row, v] A[k, v, w] + shift[c], 0) over rows of V joints,
 * reading only the adjacency's nonzeros. Output columns go four at a time; a table lists, per group of
 * four columns, the (k, v) whose A[k, v, group] is not all zero, with that A vector. Four rows share
 * each table entry (the A vector is loaded once, the four g values are splats).
 *
 * `aggregate(g, out, shift, channels, rowsPerChannel, table, gapBytes)`: g holds partition k's rows
 * kStrideBytes apart (baked into the table's offsets); output channels lie gapBytes apart beyond their
 * rows (a consumer's padding frames; the last row's spill lands there, so zero them afterwards). Table: per group (last group first, so the last
 * group's spill past column V lands in the next row before that row is written), a 16-byte header
 * holding the entry count, then 32-byte entries: the g byte offset at +0, the A vector at +16.
 */
import { type FuncDef, I32, op, V128 } from './encode.js';
import { bump, bumpBy, countedLoop, indices, mov, repeat } from './tile.js';

/** Bytes of the table for `entries` nonzero (k, v, group) triples and `groups` groups. */
export const aggregateTableBytes = (groups: number, entries: number) => 16 * groups + 32 * entries;

export function aggregate(v: number): FuncDef {
  const groups = Math.ceil(v / 4);
  const rowBytes = v * 4;
  const [G, OUT, SHIFT, CHANNELS, ROWS, TABLE, GAP] = indices(7);
  const [GR, OR, SH, TP, E, GO, OW, GC, N] = indices(9, 7);
  const FIRST_V = 16;
  const SHV = FIRST_V;
  const AV = FIRST_V + 1;
  const acc = (r: number) => FIRST_V + 2 + r;
  const rows = (count: number) => {
    const entry: number[] = [...op.get(GR), ...op.get(TP), ...op.i32Load(0), ...op.i32Add, ...op.set(GO)];
    entry.push(...op.get(TP), ...op.v128Load(16), ...op.set(AV));
    for (let r = 0; r < count; r++)
      entry.push(
        ...op.get(acc(r)),
        ...op.get(GO),
        ...op.v128Load32Splat(r * rowBytes),
        ...op.get(AV),
        ...op.f32x4Mul,
        ...op.f32x4Add,
        ...op.set(acc(r)),
      );
    entry.push(...bump(TP, 32));
    const group: number[] = [];
    for (let r = 0; r < count; r++) group.push(...op.v128Zero, ...op.set(acc(r)));
    group.push(
      ...op.get(TP),
      ...op.i32Load(0),
      ...op.set(E),
      ...bump(TP, 16),
      ...op.block,
      ...op.get(E),
      ...op.i32Eqz,
      ...op.brIf(0),
      ...countedLoop(E, entry),
      ...op.end,
    );
    // max keeps NaN, as the JS ReLU does.
    for (let r = 0; r < count; r++)
      group.push(
        ...op.get(OW),
        ...op.get(acc(r)),
        ...op.get(SHV),
        ...op.f32x4Add,
        ...op.v128Zero,
        ...op.f32x4Max,
        ...op.v128Store(r * rowBytes),
      );
    group.push(...bump(OW, -16));
    return [
      ...mov(TP, TABLE),
      ...op.get(OR),
      ...op.i32((groups - 1) * 16),
      ...op.i32Add,
      ...op.set(OW),
      ...op.i32(groups),
      ...op.set(GC),
      ...countedLoop(GC, group),
      ...bump(GR, count * rowBytes),
      ...bump(OR, count * rowBytes),
    ];
  };
  return {
    name: 'aggregate',
    params: new Array<number>(7).fill(I32),
    locals: [
      [FIRST_V - GR, I32],
      [2 + 4, V128],
    ],
    body: [
      ...mov(GR, G),
      ...mov(OR, OUT),
      ...mov(SH, SHIFT),
      ...countedLoop(CHANNELS, [
        ...op.get(SH),
        ...op.v128Load32Splat(0),
        ...op.set(SHV),
        ...bump(SH, 4),
        ...op.get(ROWS),
        ...op.i32(2),
        ...op.i32ShrU,
        ...op.set(N),
        ...repeat(N, rows(4)),
        ...op.get(ROWS),
        ...op.i32(3),
        ...op.i32And,
        ...op.set(N),
        ...repeat(N, rows(1)),
        ...bumpBy(OR, GAP),
      ]),
    ],
  };
}

/**
 * Writes the table of `aggregate` for adjacency a (K, V, V) and partitions kStrideBytes apart into the
 * int32 / float32 views at byte `at`; returns its bytes.
 */
export function writeAggregateTable(
  i32: Int32Array,
  f32: Float32Array,
  at: number,
  a: ArrayLike<number>,
  k: number,
  v: number,
  kStrideBytes: number,
): number {
  const groups = Math.ceil(v / 4);
  let p = at;
  for (let gi = groups - 1; gi >= 0; gi--) {
    const header = p;
    let count = 0;
    p += 16;
    for (let kk = 0; kk < k; kk++)
      for (let vi = 0; vi < v; vi++) {
        const lanes = [0, 1, 2, 3].map((l) => (4 * gi + l < v ? a[(kk * v + vi) * v + 4 * gi + l]! : 0));
        if (lanes.every((x) => x === 0)) continue;
        i32[p / 4] = kk * kStrideBytes + vi * 4;
        f32.set(lanes, p / 4 + 4);
        p += 32;
        count++;
      }
    i32[header / 4] = count;
  }
  return p - at;
}

/** Entries of the table for adjacency a: nonzero (k, v, group of four columns) triples. */
export function aggregateEntries(a: ArrayLike<number>, k: number, v: number): number {
  let n = 0;
  for (let gi = 0; gi < Math.ceil(v / 4); gi++)
    for (let kk = 0; kk < k; kk++)
      for (let vi = 0; vi < v; vi++)
        for (let l = 0; l < 4 && 4 * gi + l < v; l++)
          if (a[(kk * v + vi) * v + 4 * gi + l] !== 0) {
            n++;
            break;
          }
  return n;
}
