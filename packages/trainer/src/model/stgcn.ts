/**
 * ST-GCN encoder in PSTL's configuration (the "ST-GCN-16" of SkeletonCLR / AimCLR / PSTL / ASMa):
 * data_bn over the (N*M, V*C, T) view, ten st_gcn blocks 3->16 (no residual), 16->16 x3,
 * 16->32 s2, 32->32 x2, 32->64 s2, 64->64, 64->256, edge importance per block, mean over (T, V)
 * and then over the M persons -> (N, 256). Parameter and buffer names are PyTorch's state-dict
 * names, so checkpoints move both ways (see interop/). 821,380 parameters by default.
 *
 * Joint removal (PSTL's spatial masking): the masked joints are dropped after data_bn, and every
 * block uses A[:, kept][:, :, kept] * importance[:, kept][:, :, kept].
 */
import {
  BatchNorm1d,
  type DType,
  indexSelect,
  Module,
  mean,
  mul,
  ones,
  permute,
  reshape,
  ShapeError,
  scratch,
  Tensor,
} from '@asma/autodiff';
import { type Adjacency, adjacency, NTU25 } from '@asma/skeleton';
import type { Rng } from '@asma/util';
import { StGcnBlock } from './block.js';
import { ModuleList, ParameterList } from './containers.js';

/** One block of the channel plan. */
export interface StGcnBlockSpec {
  in: number;
  out: number;
  /** Temporal stride (1 or 2 in the PSTL plan). */
  stride: number;
  /** false for the first block (PSTL: no residual and no dropout there). */
  residual: boolean;
}

export interface StGcnOptions {
  /** Seeds the initialisation and the dropout masks. */
  rng: Rng;
  /** Input channels C (3: x, y, z). */
  inChannels?: number;
  /** Width of the first stage of the PSTL plan (16); stages are base, 2*base, 4*base. */
  baseChannels?: number;
  /** Feature dimension of the last block (256). */
  outChannels?: number;
  /** Scales baseChannels and outChannels (rounded, at least 1): students use e.g. 0.5. */
  widthMultiplier?: number;
  /** A custom block list instead of the PSTL plan (small students); overrides the three above. */
  blocks?: readonly StGcnBlockSpec[];
  /** Temporal kernel size (9, padding 4). */
  temporalKernel?: number;
  /** Dropout after each block's tcn except the first (PSTL: 0.5). */
  dropout?: number;
  /** One learnable (K, V, V) importance per block, initialised to ones (true). */
  edgeImportance?: boolean;
  /** Adjacency (K, V, V); default NTU-25 'spatial' partition exactly as the reference code builds it. */
  graph?: Adjacency;
  /** Expected frames T (checked when given; the model itself works for any T). */
  frames?: number;
  /** Expected persons M (checked when given). */
  persons?: number;
  dtype?: DType;
}

export interface StGcnForwardOptions {
  /** Joints to keep (distinct indices into V); the others are removed as in PSTL. */
  keptJoints?: readonly number[];
}

/** The ten-block PSTL channel plan for a base width and output width. */
export function pstlPlan(base = 16, out = 256, inChannels = 3): StGcnBlockSpec[] {
  const b = base;
  return [
    { in: inChannels, out: b, stride: 1, residual: false },
    { in: b, out: b, stride: 1, residual: true },
    { in: b, out: b, stride: 1, residual: true },
    { in: b, out: b, stride: 1, residual: true },
    { in: b, out: 2 * b, stride: 2, residual: true },
    { in: 2 * b, out: 2 * b, stride: 1, residual: true },
    { in: 2 * b, out: 2 * b, stride: 1, residual: true },
    { in: 2 * b, out: 4 * b, stride: 2, residual: true },
    { in: 4 * b, out: 4 * b, stride: 1, residual: true },
    { in: 4 * b, out, stride: 1, residual: true },
  ];
}

/** Parameters of PyTorch's ST-GCN-16 (PSTL), data_bn and edge importance included. */
export const STGCN16_PARAMETERS = 821_380;

export class StGcn extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly numJoints: number;
  readonly k: number;
  readonly temporalKernel: number;
  readonly plan: readonly StGcnBlockSpec[];
  readonly frames: number | undefined;
  readonly persons: number | undefined;
  readonly dataBn: BatchNorm1d;
  readonly blocks: ModuleList<StGcnBlock>;
  private readonly importance: ParameterList | null;

  constructor(opts: StGcnOptions) {
    super();
    const graph = opts.graph ?? adjacency(NTU25, 'spatial');
    const [k, v, w] = graph.shape;
    if (v !== w || graph.data.length !== k * v * w)
      throw new ShapeError(`StGcn: graph must be (K, V, V), got [${graph.shape.join(', ')}]`);
    this.k = k;
    this.numJoints = v;
    this.inChannels = opts.inChannels ?? 3;
    const mult = opts.widthMultiplier ?? 1;
    if (!(mult > 0)) throw new RangeError(`StGcn: widthMultiplier must be > 0, got ${mult}`);
    const scale = (c: number) => Math.max(1, Math.round(c * mult));
    this.plan = opts.blocks
      ? [...opts.blocks]
      : pstlPlan(scale(opts.baseChannels ?? 16), scale(opts.outChannels ?? 256), this.inChannels);
    checkPlan(this.plan, this.inChannels);
    this.outChannels = this.plan[this.plan.length - 1]!.out;
    this.frames = opts.frames;
    this.persons = opts.persons;
    const dtype = opts.dtype ?? 'float32';
    const kt = opts.temporalKernel ?? 9;
    this.temporalKernel = kt;
    const dropout = opts.dropout ?? 0.5;

    // Registration order = PyTorch's state_dict order: A (buffer), data_bn, st_gcn_networks, edge_importance.
    const a = new Tensor(
      dtype === 'float64' ? Float64Array.from(graph.data) : Float32Array.from(graph.data),
      [k, v, v],
    );
    this.registerBuffer('A', a);
    this.dataBn = this.registerModule('data_bn', new BatchNorm1d(this.inChannels * v, { dtype }));
    this.blocks = this.registerModule(
      'st_gcn_networks',
      new ModuleList(
        this.plan.map(
          (b) =>
            new StGcnBlock(b.in, b.out, {
              rng: opts.rng,
              k,
              kt,
              stride: b.stride,
              dropout: b.residual ? dropout : 0,
              residual: b.residual,
              dtype,
            }),
        ),
      ),
    );
    this.importance =
      (opts.edgeImportance ?? true)
        ? this.registerModule(
            'edge_importance',
            new ParameterList(this.plan.map(() => ones([k, v, v], { dtype }))),
          )
        : null;
  }

  /** The (K, V, V) adjacency buffer. */
  get A(): Tensor {
    return this.buffer('A') as Tensor;
  }

  get edgeImportance(): ParameterList | null {
    return this.importance;
  }

  /**
   * x (N, C, T, V, M) -> features (N, outChannels). The intermediates are `scratch`: their buffers are
   * recycled once the backward pass through them has run (at once under noGrad).
   */
  forward(x: Tensor, opts: StGcnForwardOptions = {}): Tensor {
    this.checkInput(x);
    return scratch(() => this.encode(x, opts));
  }

  private encode(x: Tensor, opts: StGcnForwardOptions): Tensor {
    const [n, c, t, v, m] = x.shape as [number, number, number, number, number];
    // data_bn over the (N*M, V*C, T) view: channel index v*C + c.
    let h = reshape(permute(x, [0, 4, 3, 1, 2]), [n * m, v * c, t]);
    h = this.dataBn.forward(h);
    h = reshape(permute(reshape(h, [n, m, v, c, t]), [0, 1, 3, 4, 2]), [n * m, c, t, v]);
    const kept = opts.keptJoints === undefined ? null : checkKept(opts.keptJoints, v);
    if (kept !== null) h = indexSelect(h, 3, kept);
    for (let i = 0; i < this.blocks.length; i++) {
      let a = this.importance === null ? this.A : mul(this.A, this.importance.at(i));
      if (kept !== null) a = indexSelect(indexSelect(a, 1, kept), 2, kept);
      h = this.blocks.at(i).forward(h, a);
    }
    const pooled = mean(h, [2, 3]); // (N*M, C)
    return mean(reshape(pooled, [n, m, this.outChannels]), 1);
  }

  private checkInput(x: Tensor): void {
    const expected = `(N, ${this.inChannels}, ${this.frames ?? 'T'}, ${this.numJoints}, ${this.persons ?? 'M'})`;
    const ok =
      x.ndim === 5 &&
      x.shape[1] === this.inChannels &&
      x.shape[3] === this.numJoints &&
      (this.frames === undefined || x.shape[2] === this.frames) &&
      (this.persons === undefined || x.shape[4] === this.persons);
    if (!ok) throw new ShapeError(`StGcn: input must be ${expected}, got [${x.shape.join(', ')}]`);
  }
}

function checkPlan(plan: readonly StGcnBlockSpec[], inChannels: number): void {
  if (plan.length === 0) throw new RangeError('StGcn: the block list is empty');
  let prev = inChannels;
  plan.forEach((b, i) => {
    if (b.in !== prev)
      throw new RangeError(`StGcn: block ${i} takes ${b.in} channels but the previous stage gives ${prev}`);
    if (!Number.isInteger(b.out) || b.out < 1)
      throw new RangeError(`StGcn: block ${i} out must be a positive integer, got ${b.out}`);
    if (!Number.isInteger(b.stride) || b.stride < 1)
      throw new RangeError(`StGcn: block ${i} stride must be a positive integer, got ${b.stride}`);
    prev = b.out;
  });
}

function checkKept(kept: readonly number[], v: number): number[] {
  if (kept.length === 0) throw new RangeError('StGcn: keptJoints is empty');
  const seen = new Set<number>();
  for (const j of kept) {
    if (!Number.isInteger(j) || j < 0 || j >= v)
      throw new RangeError(`StGcn: kept joint ${j} is outside 0..${v - 1}`);
    if (seen.has(j)) throw new RangeError(`StGcn: kept joint ${j} is listed twice`);
    seen.add(j);
  }
  return [...kept];
}
