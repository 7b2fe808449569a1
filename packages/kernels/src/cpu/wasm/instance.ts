/**
 * Compiles the generated SIMD gemm module once, synchronously (it is a few KiB), and owns its linear
 * memory. `null` when this runtime has no WebAssembly or no SIMD (WebAssembly.validate says no):
 * callers then use the JS gemm.
 */
import { DEFAULT_SHAPE, gemmModuleBytes, type KernelShape } from './kernel.js';

/** The slice of the WebAssembly JS API used here (this package's lib has no DOM/wasm typings). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}

export type MacroKernel = (
  aPtr: number,
  bPtr: number,
  cPtr: number,
  mPanels: number,
  nPanels: number,
  kc: number,
  ldcBytes: number,
  add: number,
  nLast: number,
  edgePtr: number,
) => void;

/** `direct(aPtr, xPtr, cPtr, mPanels, nTiles, cin, kt, vBytes, rowBytes, aPanelBytes, ldcBytes, add, nLast, edgePtr)`, see directConv.ts. */
export type DirectKernel = (...args: number[]) => void;

/** `(src, dst, panels, kc, ldBytes)`, see kernel.ts. */
export type Packer = (src: number, dst: number, panels: number, kc: number, ldBytes: number) => void;

export interface GemmWasm {
  readonly shape: KernelShape;
  readonly macro: MacroKernel;
  readonly direct: DirectKernel;
  /** `directWeight(tablePtr, bPtr, cPtr, mPanels, nPanels, depth, ldcBytes, add, nLast, edgePtr)`, see directWeight.ts. */
  readonly directWeight: DirectKernel;
  /** The Winograd F(3, 3) transforms, see winograd.ts. */
  readonly winogradInput: DirectKernel;
  readonly winogradOutput: DirectKernel;
  readonly winogradGradOut: DirectKernel;
  /** `copyRuns(dst, dstStride, src, srcStride, runs, bytes)`, see vector.ts. */
  readonly copyRuns: DirectKernel;
  /** Packers from staged rows (packRows) or staged columns (packCols) into panels of A (mr) and B (nr). */
  readonly packRowsA: Packer;
  readonly packRowsB: Packer;
  readonly packColsA: Packer;
  readonly packColsB: Packer;
  /** float32 view of the whole linear memory; replaced whenever memory grows. */
  f32: Float32Array;
  /** Make the memory at least `floats` float32 long (grow-only). */
  reserve(floats: number): void;
}

const PAGE = 65536;

interface NodeProcess {
  env?: Record<string, string | undefined>;
  getBuiltinModule?: (id: string) => { setFlagsFromString?: (flags: string) => void } | undefined;
}

/**
 * The tile's multiply-add: relaxed SIMD's fused f32x4.relaxed_madd where this runtime has it (on by
 * default in Chromium since 114; Node 20 has it behind a V8 flag, which is turned on here before
 * the first compile), measured 1.25-1.45x on the ST-GCN convolutions. ASMA_WASM_FMA=0 keeps the
 * separate multiply and add; a shape with `fma` set is taken as is (kernel workers get the calling
 * thread's, so results never depend on the thread count). Across CPUs, FMA hardware rounds once
 * per multiply-add instead of twice.
 */
function chooseShape(api: WasmApi, base: KernelShape): KernelShape {
  const proc = (globalThis as { process?: NodeProcess }).process;
  if (base.fma === false || (base.fma === undefined && proc?.env?.ASMA_WASM_FMA === '0')) return base;
  const fused = { ...base, fma: true };
  const probe = gemmModuleBytes(fused);
  if (!api.validate(probe)) {
    try {
      proc?.getBuiltinModule?.('node:v8')?.setFlagsFromString?.('--experimental-wasm-relaxed-simd');
    } catch {
      // no way to turn it on: validate says no below
    }
  }
  if (api.validate(probe)) return fused;
  if (base.fma === true)
    throw new Error('WebAssembly relaxed SIMD (f32x4.relaxed_madd) is not available here');
  return base;
}

export function instantiateGemmWasm(requested: KernelShape = DEFAULT_SHAPE): GemmWasm | null {
  const api = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  if (!api) return null;
  // Plain SIMD first: relaxed SIMD may need its flag switched on (chooseShape).
  if (!api.validate(gemmModuleBytes({ ...requested, fma: false }))) return null;
  const shape = chooseShape(api, requested);
  const bytes = gemmModuleBytes(shape);
  const { exports } = new api.Instance(new api.Module(bytes), {});
  const memory = exports.memory as WasmMemory;
  const self: GemmWasm = {
    shape,
    macro: exports.macro as MacroKernel,
    direct: exports.direct as DirectKernel,
    directWeight: exports.directWeight as DirectKernel,
    winogradInput: exports.winogradInput as DirectKernel,
    winogradOutput: exports.winogradOutput as DirectKernel,
    winogradGradOut: exports.winogradGradOut as DirectKernel,
    copyRuns: exports.copyRuns as DirectKernel,
    packRowsA: exports[`packRows${shape.mr}`] as Packer,
    packRowsB: exports[`packRows${shape.nr}`] as Packer,
    packColsA: exports[`packCols${shape.mr}`] as Packer,
    packColsB: exports[`packCols${shape.nr}`] as Packer,
    f32: new Float32Array(memory.buffer),
    reserve(floats: number) {
      const need = floats * 4;
      if (need <= memory.buffer.byteLength) return;
      // Grow at least geometrically so a slowly rising size does not regrow on every call.
      const want = Math.max(need, memory.buffer.byteLength * 1.5);
      memory.grow(Math.ceil((want - memory.buffer.byteLength) / PAGE));
      self.f32 = new Float32Array(memory.buffer);
    },
  };
  return self;
}
