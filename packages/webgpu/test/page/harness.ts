/**
 * Runs a kernel on the CPU backend (the reference) and on the WebGPU backend with the same inputs,
 * and measures how far the WebGPU outputs are from the CPU's.
 */
import { cpuBackend, type FloatArray, type KernelBackend } from '@asma/kernels';
import type { GpuArray, WebGpuBackend } from '@asma/webgpu';

export type Host = Record<string, Float32Array | null>;
// biome-ignore lint/suspicious/noExplicitAny: one call site drives both backends' storage types
export type Run = (be: KernelBackend<any>, a: Record<string, any>) => unknown;

export interface Outputs {
  [name: string]: { cpu: Float32Array; gpu: Float32Array };
}

function clone(h: Host, map: (x: number) => number = (x) => x): Record<string, Float32Array | null> {
  const out: Record<string, Float32Array | null> = {};
  for (const [k, v] of Object.entries(h)) out[k] = v === null ? null : v.map(map);
  return out;
}

/** Runs `run` on both backends from copies of `host` and returns the named outputs of each. */
export async function both(gpu: WebGpuBackend, host: Host, outs: string[], run: Run): Promise<Outputs> {
  const c = clone(host);
  await run(cpuBackend, c);
  const uploaded: Record<string, GpuArray | null> = {};
  for (const [k, v] of Object.entries(clone(host))) uploaded[k] = v === null ? null : gpu.upload(v);
  await run(gpu, uploaded);
  const result: Outputs = {};
  for (const name of outs)
    result[name] = { cpu: c[name] as Float32Array, gpu: (await gpu.read(uploaded[name]!)) as Float32Array };
  for (const v of Object.values(uploaded)) if (v) gpu.release!(v);
  return result;
}

/** The CPU outputs of `run` on |inputs|: the sum of |terms| behind each output, the scale of its rounding error. */
export async function magnitudes(
  host: Host,
  outs: string[],
  run: Run,
): Promise<Record<string, Float32Array>> {
  const c = clone(host, Math.abs);
  await run(cpuBackend, c);
  return Object.fromEntries(outs.map((n) => [n, c[n] as Float32Array]));
}

function same(a: number, b: number): boolean {
  return a === b || (Number.isNaN(a) && Number.isNaN(b));
}

/** max |gpu - cpu| / max(|cpu|, floor). */
export function relErr(cpu: FloatArray, gpu: FloatArray, floor = 1e-30): number {
  if (cpu.length !== gpu.length) return Number.POSITIVE_INFINITY;
  let worst = 0;
  for (let i = 0; i < cpu.length; i++) {
    if (same(cpu[i]!, gpu[i]!)) continue;
    const e = Math.abs(gpu[i]! - cpu[i]!) / Math.max(Math.abs(cpu[i]!), floor);
    worst = Number.isNaN(e) ? Number.POSITIVE_INFINITY : Math.max(worst, e);
  }
  return worst;
}

/** max |gpu - cpu| / scale (scale: the sum of |terms| of each output, from `magnitudes`). */
export function scaledErr(cpu: FloatArray, gpu: FloatArray, scale: FloatArray): number {
  if (cpu.length !== gpu.length) return Number.POSITIVE_INFINITY;
  let worst = 0;
  for (let i = 0; i < cpu.length; i++) {
    if (same(cpu[i]!, gpu[i]!)) continue;
    const e = Math.abs(gpu[i]! - cpu[i]!) / Math.max(scale[i]!, 1e-30);
    worst = Number.isNaN(e) ? Number.POSITIVE_INFINITY : Math.max(worst, e);
  }
  return worst;
}

/** Elements whose bits differ. */
export function bitMismatches(cpu: FloatArray, gpu: FloatArray): number {
  if (cpu.length !== gpu.length) return Number.POSITIVE_INFINITY;
  let n = 0;
  for (let i = 0; i < cpu.length; i++) if (!Object.is(cpu[i], gpu[i]) && !same(cpu[i]!, gpu[i]!)) n++;
  return n;
}

export interface CheckResult {
  name: string;
  cases: number;
  /** The worst error over the cases (metric: see `metric`). */
  err: number;
  bound: number;
  metric: string;
}

/** Keeps the worst error per check name. */
export class Results {
  readonly byName = new Map<string, CheckResult>();
  add(name: string, err: number, bound: number, metric: string): void {
    const r = this.byName.get(name);
    if (!r) this.byName.set(name, { name, cases: 1, err, bound, metric });
    else {
      r.cases++;
      r.err = Math.max(r.err, err);
    }
  }
}
