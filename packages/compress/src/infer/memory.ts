/**
 * The memory of a compiled plan: one instance of @asma/kernels' inference module per plan, regions
 * planned once (byte offsets, 16-byte aligned, each followed by slack for the SIMD kernels' overreads
 * and tail spills), views made once the memory has its final size.
 */
import {
  aggregateEntries,
  aggregateTableBytes,
  type ConvEpilogue,
  type InferenceWasm,
  instantiateInferenceWasm,
  writeAggregateTable,
} from '@asma/kernels';
import type { FoldedBlock } from '../folded.js';

export class PlanMemory {
  readonly wasm: InferenceWasm;
  private top = 16;
  private views: { f32: Float32Array; i16: Int16Array; i32: Int32Array } | null = null;

  constructor(joints: number, what: string) {
    const wasm = instantiateInferenceWasm(joints);
    if (wasm === null) throw new Error(`${what}: this runtime has no WebAssembly SIMD`);
    this.wasm = wasm;
  }

  /** A region of `bytes` (plus 256 bytes of slack); only before the first `view`. */
  take(bytes: number): number {
    if (this.views !== null) throw new Error('PlanMemory: regions are planned before the memory is viewed');
    const at = this.top;
    this.top += Math.ceil((bytes + 256) / 16) * 16;
    return at;
  }

  /** Views of the whole memory, grown once to the planned size. */
  view(): { f32: Float32Array; i16: Int16Array; i32: Int32Array } {
    if (this.views === null) {
      const { memory } = this.wasm;
      const have = memory.buffer.byteLength;
      if (this.top > have) memory.grow(Math.ceil((this.top - have) / 65536));
      const b = memory.buffer;
      this.views = { f32: new Float32Array(b), i16: new Int16Array(b), i32: new Int32Array(b) };
    }
    return this.views;
  }
}

/** Mean over each channel's `plane` floats from float index `at`, into pooled[0..channels). */
export function meanPlanes(
  pooled: Float32Array,
  f32: Float32Array,
  at: number,
  channels: number,
  plane: number,
) {
  const f = 1 / plane;
  for (let c = 0; c < channels; c++) {
    let s = 0;
    for (let j = at + c * plane; j < at + (c + 1) * plane; j++) s += f32[j]!;
    pooled[c] = s * f;
  }
}

/**
 * A block's graph aggregation in a plan (@asma/kernels' `aggregate`): its table of the adjacency's
 * nonzeros for the g layout (K, out, t * vm) and its BN shift, written by `fill` once the memory is viewed.
 */
export function planAggregation(
  mem: PlanMemory,
  b: FoldedBlock,
  k: number,
  v: number,
  t: number,
  vm: number,
) {
  const table = mem.take(aggregateTableBytes(Math.ceil(v / 4), aggregateEntries(b.adjacency, k, v)));
  const shift = mem.take(b.out * 4);
  const kStride = b.out * t * vm * 4;
  return {
    table,
    shift,
    fill(f32: Float32Array, i32: Int32Array): void {
      writeAggregateTable(i32, f32, table, b.adjacency, k, v, kStride);
      f32.set(b.bn0.shift, shift / 4);
    },
  };
}

/** The temporal conv's epilogue: ReLU, or the residual (block input or residual conv) added first. */
export const blockEpilogue = (b: FoldedBlock): ConvEpilogue => (b.residual === 'none' ? 'relu' : 'addRelu');
