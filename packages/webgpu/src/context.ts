/**
 * Recording of kernel dispatches: every dispatch goes into one pending command encoder (one compute
 * pass until a copy or clear needs the encoder), its parameters into a slot of a uniform arena, and the
 * whole batch is submitted at once: when something reads back, when the arena is full, or at the end
 * of the current JS task (a microtask). Nothing waits for the GPU here.
 */
import { GpuArray } from './array.js';
import { BufferPool } from './pool.js';

/** Bytes per parameter slot: the uniform offset alignment WebGPU guarantees (256). */
export const SLOT_BYTES = 256;
const SLOTS = 4096;
/** Threads per workgroup of the one-thread-per-element kernels. */
export const WG = 256;
const MAX_GROUPS = 65535;

const UNIFORM_COPY_DST = 0x40 | 0x08;
const MAP_READ_COPY_DST = 0x01 | 0x08;

/** One parameter slot: u32, i32 and f32 views of the same 64 words. */
export interface Slot {
  u: Uint32Array;
  i: Int32Array;
  f: Float32Array;
}

export class GpuContext {
  readonly pool: BufferPool;
  /** Buffers read back to the host (read, allFinite): a training step should add only what it asks for. */
  readbacks = 0;
  /** Dispatches recorded so far (for tests and profiles). */
  dispatches = 0;
  private readonly pipelines = new Map<string, GPUComputePipeline>();
  private readonly arena: GPUBuffer;
  private readonly arenaHost = new ArrayBuffer(SLOTS * SLOT_BYTES);
  private slots = 0;
  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  private flushQueued = false;
  /** Temporary buffers made for one batch (labels), destroyed once it is submitted. */
  private transient: GPUBuffer[] = [];

  /** A 16-byte storage buffer bound where an optional array is absent (the shader skips it). */
  readonly placeholder: GPUBuffer;

  constructor(readonly device: GPUDevice) {
    this.pool = new BufferPool(device);
    this.placeholder = device.createBuffer({ size: 16, usage: 0x80 });
    this.arena = device.createBuffer({ size: SLOTS * SLOT_BYTES, usage: UNIFORM_COPY_DST });
  }

  /** The compute pipeline for `key`, compiled from `code()` on first use. */
  pipeline(key: string, code: () => string): GPUComputePipeline {
    let p = this.pipelines.get(key);
    if (!p) {
      const module = this.device.createShaderModule({ code: code(), label: key });
      p = this.device.createComputePipeline({
        layout: 'auto',
        compute: { module, entryPoint: 'main' },
        label: key,
      });
      this.pipelines.set(key, p);
    }
    return p;
  }

  /** A zeroed parameter slot for the next dispatch. */
  slot(): { slot: Slot; offset: number } {
    if (this.slots === SLOTS) this.flush();
    const offset = this.slots++ * SLOT_BYTES;
    const u = new Uint32Array(this.arenaHost, offset, SLOT_BYTES / 4);
    u.fill(0);
    return {
      slot: {
        u,
        i: new Int32Array(this.arenaHost, offset, SLOT_BYTES / 4),
        f: new Float32Array(this.arenaHost, offset, SLOT_BYTES / 4),
      },
      offset,
    };
  }

  private open(): GPUCommandEncoder {
    if (!this.encoder) {
      this.encoder = this.device.createCommandEncoder();
      if (!this.flushQueued) {
        this.flushQueued = true;
        queueMicrotask(() => {
          this.flushQueued = false;
          this.flush();
        });
      }
    }
    return this.encoder;
  }

  private computePass(): GPUComputePassEncoder {
    if (!this.pass) this.pass = this.open().beginComputePass();
    return this.pass;
  }

  /** The encoder for a copy or clear (ends the open compute pass). */
  commands(): GPUCommandEncoder {
    const enc = this.open();
    if (this.pass) {
      this.pass.end();
      this.pass = null;
    }
    return enc;
  }

  /**
   * Records one dispatch of `pipeline`: binding 0 is the parameter slot, bindings 1.. the arrays in
   * order. `grid` is in workgroups.
   */
  dispatch(
    pipeline: GPUComputePipeline,
    offset: number,
    arrays: (GpuArray | GPUBuffer)[],
    grid: [number, number, number],
  ): void {
    if (grid[0] === 0 || grid[1] === 0 || grid[2] === 0) return;
    for (const g of grid)
      if (g > MAX_GROUPS)
        throw new RangeError(
          `webgpu: a dispatch of ${grid.join(' x ')} workgroups exceeds ${MAX_GROUPS} per dimension`,
        );
    const entries: GPUBindGroupEntry[] = [
      { binding: 0, resource: { buffer: this.arena, offset, size: SLOT_BYTES } },
    ];
    arrays.forEach((a, k) => {
      const buffer = a instanceof GpuArray ? a.buffer : a;
      const size = a instanceof GpuArray ? Math.max(4, a.length * 4) : a.size;
      entries.push({ binding: k + 1, resource: { buffer, offset: 0, size } });
    });
    const bindGroup = this.device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries });
    const pass = this.computePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(grid[0], grid[1], grid[2]);
    this.dispatches++;
  }

  /** A buffer holding `data` for the current batch only (destroyed after it is submitted). */
  transientBuffer(data: Int32Array | Uint32Array): GPUBuffer {
    const buffer = this.device.createBuffer({
      size: Math.max(16, data.byteLength),
      usage: 0x80,
      mappedAtCreation: true,
    });
    new Uint32Array(buffer.getMappedRange()).set(new Uint32Array(data.buffer, data.byteOffset, data.length));
    buffer.unmap();
    this.transient.push(buffer);
    return buffer;
  }

  /** Submits everything recorded so far (no wait). */
  flush(): void {
    if (!this.encoder) return;
    if (this.pass) {
      this.pass.end();
      this.pass = null;
    }
    const commands = this.encoder.finish();
    this.encoder = null;
    if (this.slots > 0)
      this.device.queue.writeBuffer(this.arena, 0, this.arenaHost, 0, this.slots * SLOT_BYTES);
    this.slots = 0;
    this.device.queue.submit([commands]);
    for (const b of this.transient) b.destroy();
    this.transient = [];
  }

  /** Copies `bytes` of `src` to a mappable buffer, submits, and waits for the copy. */
  async readBytes(src: GPUBuffer, bytes: number): Promise<ArrayBuffer> {
    const size = Math.max(4, Math.ceil(bytes / 4) * 4);
    const staging = this.device.createBuffer({ size, usage: MAP_READ_COPY_DST });
    this.commands().copyBufferToBuffer(src, 0, staging, 0, size);
    this.flush();
    this.readbacks++;
    try {
      await staging.mapAsync(1 /* GPUMapMode.READ */);
      return staging.getMappedRange().slice(0, bytes);
    } finally {
      staging.destroy();
    }
  }

  /** Workgroups for `n` threads of WG each, as a 2-D grid when one dimension is not enough. */
  static grid1d(n: number): [number, number, number] {
    const groups = Math.ceil(n / WG);
    if (groups <= MAX_GROUPS) return [groups, 1, 1];
    const y = Math.ceil(groups / MAX_GROUPS);
    return [Math.ceil(groups / y), y, 1];
  }

  /** Workgroups for `n` workgroups, as a 2-D grid when needed. */
  static groups(n: number): [number, number, number] {
    if (n <= MAX_GROUPS) return [n, 1, 1];
    const y = Math.ceil(n / MAX_GROUPS);
    return [Math.ceil(n / y), y, 1];
  }
}

/** WGSL: the linear thread index of a grid1d dispatch (`gid`, `nwg` are the builtins). */
export const LINEAR_INDEX = 'gid.x + gid.y * nwg.x * 256u';
/** WGSL: the linear workgroup index of a `groups` dispatch. */
export const LINEAR_GROUP = 'wid.x + wid.y * nwg.x';
/** WGSL entry-point parameters for both. */
export const ENTRY_BUILTINS =
  '@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) li: u32';
