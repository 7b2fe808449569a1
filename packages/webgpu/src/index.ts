/// <reference types="@webgpu/types" />
export { GpuArray } from './array.js';
export { createWebGpuBackend, requestWebGpuBackend, type WebGpuBackend } from './backend.js';
export { type AdapterInfo, requestAdapter, tolerantDevice } from './device.js';
