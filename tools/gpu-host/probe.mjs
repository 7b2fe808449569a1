#!/usr/bin/env node
/**
 * Does Dawn see the GPU? Loads the webgpu package (Dawn), asks for an adapter, prints its vendor,
 * architecture, description, features and limits, runs one small WGSL compute shader and checks
 * every element of its result. Prints one JSON object on stdout (also to --out FILE) and exits:
 *   0 the shader ran and its result is exact;  1 it ran but a value is wrong, or a WebGPU call failed;
 *   2 Dawn loaded but no adapter answered;     3 the webgpu package or its Dawn binary did not load;
 *   4 timed out (--timeout-s, default 60).
 * The process exits explicitly: Node holding a Dawn instance never exits by itself. The probe never
 * assigns device.onuncapturederror (Dawn's binding rejects it: "object is not of the correct
 * interface type"); it reads validation errors through error scopes instead.
 * Usage, on the GPU host after `. tools/gpu-host/arrive.sh`:
 *   node tools/gpu-host/probe.mjs [--out FILE] [--timeout-s 60] [--dawn-option backend=vulkan ...]
 * The webgpu package is looked up from $ASMA_GPU_HOME/asma (the packed asma), else from packages/asma.
 */
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
const opts = { out: null, timeoutS: 60, dawnOptions: [] };
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  const v = args[i + 1];
  if (a === '--out' && v) opts.out = v;
  else if (a === '--timeout-s' && v) opts.timeoutS = Number(v);
  else if (a === '--dawn-option' && v) opts.dawnOptions.push(v);
  else {
    console.error(`probe: unknown or incomplete option ${a} (see the comment at the top of this file)`);
    process.exit(1);
  }
  i++;
}

const report = {
  probe: 'asma gpu-host probe',
  node: process.version,
  platform: `${process.platform}-${process.arch}`,
  env: {
    VK_DRIVER_FILES: process.env.VK_DRIVER_FILES ?? null,
    VK_ICD_FILENAMES: process.env.VK_ICD_FILENAMES ?? null,
    LD_LIBRARY_PATH: process.env.LD_LIBRARY_PATH ?? null,
  },
  dawnOptions: opts.dawnOptions,
  webgpu: null,
  adapter: null,
  compute: null,
  ok: false,
  error: null,
};

function finish(code) {
  report.ok = code === 0;
  const text = JSON.stringify(report, null, 2);
  console.log(text);
  if (opts.out) writeFileSync(opts.out, `${text}\n`);
  process.exit(code);
}

setTimeout(() => {
  report.error = `timed out after ${opts.timeoutS} s`;
  finish(4);
}, opts.timeoutS * 1000);

/** The webgpu package: the packed asma's first, then the repo's. */
async function loadWebgpu() {
  const bases = [];
  if (process.env.ASMA_GPU_HOME) bases.push(join(process.env.ASMA_GPU_HOME, 'asma', 'package.json'));
  bases.push(new URL('../../packages/asma/package.json', import.meta.url).pathname);
  const errors = [];
  for (const base of bases) {
    try {
      const resolved = createRequire(base).resolve('webgpu');
      const mod = await import(pathToFileURL(resolved).href);
      const version = createRequire(resolved)('./package.json').version;
      return { mod, from: resolved, version };
    } catch (e) {
      errors.push(`${base}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  throw new Error(`cannot load the webgpu package (Dawn): ${errors.join(' | ')}`);
}

/** Plain fields of a WebGPU limits/info object (its values live on the prototype as getters). */
function plain(obj) {
  const out = {};
  for (const key in obj) {
    const v = obj[key];
    if (typeof v !== 'function') out[key] = v;
  }
  return out;
}

// y[i] = a[i] * 3 + b[i] on integers below 2^24: exact in float32, so the check is equality.
const N = 1000; // not a multiple of the workgroup size: the bounds check is exercised too
const WGSL = `
@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  let i = id.x;
  if (i < arrayLength(&y)) { y[i] = a[i] * 3.0 + b[i]; }
}`;

async function compute(device, GPUBufferUsage, GPUMapMode) {
  const a = Float32Array.from({ length: N }, (_, i) => i);
  const b = Float32Array.from({ length: N }, (_, i) => 7 - (i % 13));
  const bytes = N * 4;
  const storage = (data) => {
    const buf = device.createBuffer({ size: bytes, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
    device.queue.writeBuffer(buf, 0, data);
    return buf;
  };
  device.pushErrorScope('validation');
  const bufA = storage(a);
  const bufB = storage(b);
  const bufY = device.createBuffer({ size: bytes, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
  const read = device.createBuffer({ size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const module = device.createShaderModule({ code: WGSL });
  const pipeline = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
  const bindGroup = device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: [bufA, bufB, bufY].map((buffer, binding) => ({ binding, resource: { buffer } })),
  });
  const t0 = performance.now();
  const encoder = device.createCommandEncoder();
  const pass = encoder.beginComputePass();
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, bindGroup);
  pass.dispatchWorkgroups(Math.ceil(N / 64));
  pass.end();
  encoder.copyBufferToBuffer(bufY, 0, read, 0, bytes);
  device.queue.submit([encoder.finish()]);
  const validation = await device.popErrorScope();
  if (validation) throw new Error(`WebGPU validation error: ${validation.message}`);
  await read.mapAsync(GPUMapMode.READ);
  const ms = performance.now() - t0;
  const y = new Float32Array(read.getMappedRange().slice(0));
  read.unmap();
  let wrong = 0;
  let firstWrong = null;
  for (let i = 0; i < N; i++) {
    const want = a[i] * 3 + b[i];
    if (y[i] !== want) {
      wrong++;
      firstWrong ??= { index: i, got: y[i], want };
    }
  }
  return { elements: N, wrong, firstWrong, roundTripMs: Number(ms.toFixed(3)) };
}

async function main() {
  let webgpu = null;
  try {
    webgpu = await loadWebgpu();
  } catch (e) {
    report.error = e instanceof Error ? e.message : String(e);
    return finish(3);
  }
  report.webgpu = { version: webgpu.version, from: webgpu.from };
  const { create, globals } = webgpu.mod;
  const gpu = create(opts.dawnOptions);
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) {
    report.error =
      'Dawn loaded but requestAdapter() returned null: check `ldconfig -p | grep libvulkan` (or ' +
      'LD_LIBRARY_PATH) and VK_DRIVER_FILES (tools/gpu-host/README.md)';
    return finish(2);
  }
  const info = adapter.info ?? {};
  report.adapter = {
    vendor: info.vendor ?? null,
    architecture: info.architecture ?? null,
    device: info.device ?? null,
    description: info.description ?? null,
    isFallbackAdapter: adapter.isFallbackAdapter ?? info.isFallbackAdapter ?? null,
    features: [...adapter.features].sort(),
    limits: plain(adapter.limits),
  };
  try {
    const device = await adapter.requestDevice();
    device.lost.then((lost) => {
      if (lost.reason !== 'destroyed') console.error(`probe: device lost: ${lost.message}`);
    });
    report.compute = await compute(device, globals.GPUBufferUsage, globals.GPUMapMode);
    device.destroy();
  } catch (e) {
    report.error = e instanceof Error ? e.message : String(e);
    return finish(1);
  }
  if (report.compute.wrong > 0) {
    report.error = `${report.compute.wrong} of ${N} values wrong`;
    return finish(1);
  }
  return finish(0);
}

main().catch((e) => {
  report.error = e instanceof Error ? (e.stack ?? e.message) : String(e);
  finish(1);
});
