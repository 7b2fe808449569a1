import type { Rng } from '@asma/util';
import { softmax } from '../ops/activation.js';
import { add, mul } from '../ops/elementwise.js';
import { fmtShape, ShapeError } from '../ops/errors.js';
import { matmul } from '../ops/linalg.js';
import { dropout } from '../ops/norm.js';
import { mean } from '../ops/reduce.js';
import { reshape, slice, transpose } from '../ops/shape.js';
import { type DType, full, type Tensor } from '../tensor.js';
import { xavierUniform } from './init.js';
import { checkPositive, Linear } from './linear.js';
import { Module } from './module.js';

export interface MultiheadAttentionOptions {
  rng: Rng;
  /** Dropout on the attention weights in training mode (default 0). */
  dropout?: number;
  bias?: boolean;
  /** Inputs and output are (N, L, E) instead of (L, N, E). */
  batchFirst?: boolean;
  dtype?: DType;
}

export interface AttentionOptions {
  /** Additive float mask broadcastable to (N*H, L, S), e.g. (L, S) with -Infinity at forbidden pairs. */
  attnMask?: Tensor;
  /** (N, S) row-major, true/1 = ignore that key (torch's boolean key_padding_mask). */
  keyPaddingMask?: ArrayLike<boolean | number>;
  /** Also return the attention weights averaged over heads (default true). */
  needWeights?: boolean;
}

export interface AttentionResult {
  output: Tensor;
  /** (N, L, S) attention weights averaged over heads (after dropout, as torch 1.13), or null. */
  weights: Tensor | null;
}

/**
 * torch.nn.MultiheadAttention (same embedding size for q, k, v): parameters in_proj_weight (3E, E),
 * in_proj_bias (3E) and out_proj.{weight,bias}, initialised as torch (xavier_uniform in-projection,
 * zero biases, Linear default out-projection weight).
 */
export class MultiheadAttention extends Module {
  readonly headDim: number;
  readonly dropoutP: number;
  readonly batchFirst: boolean;
  readonly outProj: Linear;
  private readonly rng: Rng;

  constructor(
    readonly embedDim: number,
    readonly numHeads: number,
    opts: MultiheadAttentionOptions,
  ) {
    super();
    checkPositive('MultiheadAttention', { embedDim, numHeads });
    if (embedDim % numHeads !== 0)
      throw new RangeError(
        `MultiheadAttention: embedDim ${embedDim} is not divisible by numHeads ${numHeads}`,
      );
    this.headDim = embedDim / numHeads;
    this.dropoutP = opts.dropout ?? 0;
    if (!(this.dropoutP >= 0 && this.dropoutP <= 1))
      throw new RangeError(`MultiheadAttention: dropout must lie in [0, 1], got ${this.dropoutP}`);
    this.batchFirst = opts.batchFirst ?? false;
    this.rng = opts.rng;
    const bias = opts.bias ?? true;
    const dtype = opts.dtype ?? 'float32';
    this.registerParameter('in_proj_weight', xavierUniform([3 * embedDim, embedDim], opts.rng, 1, dtype));
    this.registerParameter('in_proj_bias', bias ? full([3 * embedDim], 0, { dtype }) : null);
    this.outProj = this.registerModule(
      'out_proj',
      new Linear(embedDim, embedDim, { rng: opts.rng, bias, dtype }),
    );
    if (bias) this.outProj.bias!.data.fill(0);
  }

  get inProjWeight(): Tensor {
    return this.param('in_proj_weight')!;
  }
  get inProjBias(): Tensor | null {
    return this.param('in_proj_bias');
  }

  /** Project x (L, N, E) with rows [i*E, (i+1)*E) of the packed in-projection. */
  private project(x: Tensor, i: number): Tensor {
    const e = this.embedDim;
    const w = slice(this.inProjWeight, 0, i * e, (i + 1) * e);
    const y = matmul(x, transpose(w, 0, 1));
    const b = this.inProjBias;
    return b === null ? y : add(y, slice(b, 0, i * e, (i + 1) * e));
  }

  /** The key padding mask as an additive (N*H, 1, S) constant: -Infinity at ignored keys. */
  private paddingMask(mask: ArrayLike<boolean | number>, n: number, s: number, dtype: DType): Tensor {
    if (mask.length !== n * s)
      throw new ShapeError(
        `MultiheadAttention: keyPaddingMask must hold N*S = ${n}*${s} = ${n * s} entries, got ${mask.length}`,
      );
    const h = this.numHeads;
    const t = full([n * h, 1, s], 0, { dtype });
    for (let b = 0; b < n; b++)
      for (let j = 0; j < s; j++)
        if (mask[b * s + j])
          for (let k = 0; k < h; k++) t.data[(b * h + k) * s + j] = Number.NEGATIVE_INFINITY;
    return t;
  }

  forward(query: Tensor, key: Tensor, value: Tensor, opts: AttentionOptions = {}): AttentionResult {
    const e = this.embedDim;
    const h = this.numHeads;
    const d = this.headDim;
    for (const [name, t] of [
      ['query', query],
      ['key', key],
      ['value', value],
    ] as const)
      if (t.ndim !== 3 || t.shape[2] !== e)
        throw new ShapeError(
          `MultiheadAttention: ${name} must be ${this.batchFirst ? '(N, L, E)' : '(L, N, E)'} with E = ${e}, got ${fmtShape(t.shape)}`,
        );
    const [q0, k0, v0] = this.batchFirst
      ? [transpose(query, 0, 1), transpose(key, 0, 1), transpose(value, 0, 1)]
      : [query, key, value];
    const [l, n] = [q0.shape[0]!, q0.shape[1]!];
    const s = k0.shape[0]!;
    if (k0.shape[1] !== n || v0.shape[1] !== n || v0.shape[0] !== s)
      throw new ShapeError(
        `MultiheadAttention: query ${fmtShape(query.shape)}, key ${fmtShape(key.shape)} and value ${fmtShape(value.shape)} disagree on batch or source length`,
      );
    // (len, N, E) -> (N*H, len, d): the head split torch uses.
    const heads = (x: Tensor, len: number) => transpose(reshape(x, [len, n * h, d]), 0, 1);
    const q = mul(heads(this.project(q0, 0), l), 1 / Math.sqrt(d));
    const k = heads(this.project(k0, 1), s);
    const v = heads(this.project(v0, 2), s);
    let scores = matmul(q, transpose(k, 1, 2));
    if (opts.attnMask !== undefined) scores = add(scores, opts.attnMask);
    if (opts.keyPaddingMask !== undefined)
      scores = add(scores, this.paddingMask(opts.keyPaddingMask, n, s, scores.dtype));
    let attn = softmax(scores, -1);
    if (this.training && this.dropoutP > 0) attn = dropout(attn, this.dropoutP, this.rng, true);
    const ctx = reshape(transpose(matmul(attn, v), 0, 1), [l, n, e]);
    let output = this.outProj.forward(ctx);
    if (this.batchFirst) output = transpose(output, 0, 1);
    const weights = (opts.needWeights ?? true) ? mean(reshape(attn, [n, h, l, s]), 1) : null;
    return { output, weights };
  }
}
