/**
 * Getting a GPUDevice: the browser's navigator.gpu, or in Node the `webgpu` npm package (Dawn),
 * imported dynamically so that browser bundles and machines without it are unaffected.
 */

export interface AdapterInfo {
  vendor: string;
  architecture: string;
  description?: string;
}

/**
 * Lets `device.onuncapturederror = f` be assigned without throwing: Dawn's Node binding rejects the
 * assignment ("object is not of the correct interface type"), and libraries (gpu.js) do it. The
 * handler is kept and also registered as an event listener where the device has one.
 */
export function tolerantDevice(device: GPUDevice): GPUDevice {
  let handler: ((this: GPUDevice, ev: GPUUncapturedErrorEvent) => unknown) | null = null;
  let proto: object | null = Object.getPrototypeOf(device);
  let native: PropertyDescriptor | undefined;
  while (proto && !native) {
    native = Object.getOwnPropertyDescriptor(proto, 'onuncapturederror');
    proto = Object.getPrototypeOf(proto);
  }
  try {
    Object.defineProperty(device, 'onuncapturederror', {
      configurable: true,
      enumerable: true,
      get: () => handler,
      set(h) {
        handler = h;
        try {
          native?.set?.call(device, h);
        } catch {
          // Dawn's binding: fall back to the event listener below.
          if (typeof h === 'function' && typeof device.addEventListener === 'function')
            device.addEventListener('uncapturederror', h as EventListener);
        }
      },
    });
  } catch {
    // A device object that cannot take an own property: left as it is.
  }
  return device;
}

/** The limits worth raising to the adapter's maximum (large activations, many bindings). */
const LIMITS = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxStorageBuffersPerShaderStage',
  'maxComputeWorkgroupStorageSize',
] as const;

/** A device with the adapter's largest buffer limits, and the adapter's description. */
export async function deviceFromAdapter(
  adapter: GPUAdapter,
): Promise<{ device: GPUDevice; info: AdapterInfo }> {
  const requiredLimits: Record<string, number> = {};
  for (const k of LIMITS) requiredLimits[k] = adapter.limits[k];
  const device = tolerantDevice(await adapter.requestDevice({ requiredLimits }));
  // Older implementations had requestAdapterInfo() instead of the info attribute.
  const raw = (adapter as GPUAdapter & { info?: GPUAdapterInfo }).info;
  const info: AdapterInfo = {
    vendor: raw?.vendor ?? 'unknown',
    architecture: raw?.architecture ?? 'unknown',
  };
  if (raw?.description) info.description = raw.description;
  return { device, info };
}

/** The reason no WebGPU adapter is at hand here, or the adapter. */
export async function requestAdapter(options?: GPURequestAdapterOptions): Promise<GPUAdapter> {
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  let gpu: GPU | undefined = nav?.gpu;
  let where = 'navigator.gpu';
  const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';
  if (!gpu && isNode) {
    where = "the 'webgpu' package (Dawn)";
    const name = 'webgpu';
    let mod: { create(flags: string[]): GPU };
    try {
      mod = await import(/* @vite-ignore */ name);
    } catch (e) {
      throw new Error(
        `WebGPU unavailable in Node: the 'webgpu' package (Dawn) did not load: ${(e as Error).message} ` +
          '(its prebuilt binary needs a recent glibc; older versions need glibc 2.38)',
      );
    }
    gpu = mod.create([]);
  }
  if (!gpu)
    throw new Error(
      'WebGPU unavailable: navigator.gpu is missing (Chromium needs --enable-unsafe-webgpu on Linux, and a secure context)',
    );
  const adapter = await gpu.requestAdapter(options);
  if (!adapter)
    throw new Error(
      `WebGPU unavailable: ${where} returned no adapter (no GPU or no Vulkan driver: Dawn needs libvulkan.so.1 and a Vulkan ICD)`,
    );
  return adapter;
}
