/**
 * The Node side: the device wrapper and the pool without a GPU, and the WebGPU backend through the
 * `webgpu` package (Dawn) where Node has an adapter; skipped, with the reason, where it has none.
 */
import { describe, expect, it } from 'vitest';
import { requestWebGpuBackend, tolerantDevice, type WebGpuBackend } from '../src/index.js';
import { bucketBytes } from '../src/pool.js';

describe('tolerantDevice', () => {
  it("lets onuncapturederror be assigned where the device's own setter throws (Dawn's binding)", () => {
    class DawnLikeDevice {
      set onuncapturederror(_h: unknown) {
        throw new TypeError('object is not of the correct interface type');
      }
      listeners: unknown[] = [];
      addEventListener(_type: string, h: unknown) {
        this.listeners.push(h);
      }
    }
    const device = new DawnLikeDevice();
    expect(() => {
      device.onuncapturederror = 1;
    }).toThrow(/correct interface type/);
    tolerantDevice(device as unknown as GPUDevice);
    const handler = () => {};
    expect(() => {
      (device as unknown as GPUDevice).onuncapturederror = handler;
    }).not.toThrow();
    expect((device as unknown as GPUDevice).onuncapturederror).toBe(handler);
    expect(device.listeners).toEqual([handler]);
  });
});

describe('buffer pool buckets', () => {
  it('rounds up by at most 25% (quarter octaves) and never below the request', () => {
    for (const bytes of [1, 4, 63, 64, 65, 100, 4096, 4097, 123_457, 10_000_000]) {
      const b = bucketBytes(bytes);
      expect(b).toBeGreaterThanOrEqual(bytes);
      expect(b % 4).toBe(0);
      if (bytes > 64) expect(b / bytes).toBeLessThanOrEqual(1.25);
    }
    expect(bucketBytes(4097)).toBe(bucketBytes(5000));
  });
});

let backend: WebGpuBackend | null = null;
let reason = '';
try {
  backend = await requestWebGpuBackend();
} catch (e) {
  reason = (e as Error).message;
  console.warn(`Node WebGPU test skipped: ${reason}`);
}

describe.skipIf(backend === null)(
  backend ? 'webgpu backend in Node (Dawn)' : `webgpu backend in Node (skipped: ${reason})`,
  () => {
    it('runs a kernel and reads it back, counting the readback', async () => {
      const gpu = backend!;
      try {
        const x = gpu.upload(new Float32Array([1, -2, 3, -4]));
        const y = gpu.allocate!(4, false, false)!;
        gpu.unary('relu', y, x);
        expect(Array.from(await gpu.read(y))).toEqual([1, 0, 3, 0]);
        expect(gpu.readbacks).toBe(1);
        expect(gpu.errors).toEqual([]);
        console.log(`adapter: ${gpu.adapter.vendor} / ${gpu.adapter.architecture}`);
      } finally {
        gpu.destroy();
      }
    });
  },
);
