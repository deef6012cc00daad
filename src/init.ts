/**
 * `sg.init()`: the device, then the one-time choices that depend on the adapter (which matmul
 * kernel is fastest here).
 */
import { init as initDevice, type InitOptions, type DeviceInfo } from './gpu/device.js';
import { tuneMatmul } from './ops/matmul_tuning.js';

/** Options of `sg.init()`: the adapter to ask for, Dawn's flags, and whether to time the matmul kernels. */
export interface Options extends InitOptions {
  /** Time the matmul kernels on this adapter (default true; cached per adapter on disk in Node). */
  tune?: boolean;
}

/** An `init()` in progress: concurrent calls share it (one device, one tuning run). */
let starting: Promise<DeviceInfo> | null = null;

/**
 * Acquires a WebGPU adapter and device and prepares the kernels. Returns what was found. A
 * second call returns the same device; concurrent calls share one start.
 */
export function init(options: Options = {}): Promise<DeviceInfo> {
  starting ??= (async () => {
    const info = await initDevice(options);
    if (options.tune !== false) await tuneMatmul();
    return info;
  })().finally(() => (starting = null));
  return starting;
}
