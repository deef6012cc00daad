/**
 * `sg.init()`: the device, then the one-time choices that depend on the adapter (which matmul
 * kernel is fastest here).
 */
import { init as initDevice, type InitOptions, type DeviceInfo } from './gpu/device.js';
import { tuneMatmul } from './ops/matmul_tuning.js';
import { checkOptions } from './args.js';

/** Options of `sg.init()`: the adapter to ask for, Dawn's flags, and whether to time the matmul kernels. */
export interface Options extends InitOptions {
  /** Time the matmul kernels on this adapter (default true; cached per adapter on disk in Node). */
  tune?: boolean;
}

/** Acquires a WebGPU adapter and device and prepares the kernels. Returns what was found. */
export async function init(options: Options = {}): Promise<DeviceInfo> {
  checkOptions('init', options, { tune: 'boolean', adapter: 'object', dawnFlags: 'array' });
  const info = await initDevice(options);
  if (options.tune !== false) await tuneMatmul();
  return info;
}
