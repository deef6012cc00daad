/**
 * The WebGPU adapter and device: acquiring them (Node through the `webgpu` package, browsers
 * through `navigator.gpu`), the limits we ask for, and turning validation errors and device loss
 * into JavaScript errors.
 */

export interface InitOptions {
  /** Passed to `requestAdapter`, e.g. `{featureLevel: 'compatibility'}` for Chromium on lavapipe. */
  adapter?: GPURequestAdapterOptions & { featureLevel?: string };
  /** Options for Dawn's `create()` in Node, e.g. `['backend=null']` to compile shaders without a GPU. */
  dawnFlags?: string[];
}

/** The adapter and device that `sg.init()` acquired: names, enabled features and the limits requested. */
export interface DeviceInfo {
  /** The adapter's description (Mesa's software driver: 'llvmpipe: Mesa 25.0.7-2~bpo12+1 (LLVM 15.0.6) 0.0.1'), or its device or vendor name. */
  adapterName: string;
  /** The adapter's vendor (e.g. 'mesa'), as `GPUAdapterInfo.vendor`. */
  vendor: string;
  /** The adapter's architecture (e.g. 'software'), as `GPUAdapterInfo.architecture`. */
  architecture: string;
  /** The backend type, where the implementation reports it ('' otherwise, as Dawn in Node does). */
  backend: string;
  /** The features enabled on the device, sorted: those it always has plus the optional ones the adapter offers ('timestamp-query', 'shader-f16', 'subgroups'). */
  features: string[];
  /** The device limits the kernels rely on (each the adapter's maximum), by WebGPU name. */
  limits: Record<string, number>;
}

/** Limits every kernel may rely on; we ask the adapter for its maximum of each. */
const WANTED_LIMITS = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupStorageSize',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBuffersPerShaderStage',
] as const;

const INSTALL_HINT =
  'shadergrad: no WebGPU adapter found. On a machine without a GPU, install the software Vulkan ' +
  'driver (Mesa lavapipe): as root run `bash tools/install-vulkan-driver.sh` from the shadergrad ' +
  'repository (Debian bookworm: mesa-vulkan-drivers from bookworm-backports). In a browser, ' +
  'use one with WebGPU enabled (see the README).';

interface GpuState {
  device: GPUDevice;
  info: DeviceInfo;
  /** Validation errors reported by the device, waiting to be thrown at the next sync point. */
  errors: string[];
  lost: string | null;
  /** Keeps Dawn's `GPU` object alive; dropped at shutdown so Node can exit. */
  gpu: GPU | null;
}

let state: GpuState | null = null;
let wasShutDown = false;

/** The device being acquired, so that concurrent `init()` calls share it. */
let starting: Promise<DeviceInfo> | null = null;

/** Acquire an adapter and device. Safe to call more than once, also concurrently: one device. */
export async function init(options: InitOptions = {}): Promise<DeviceInfo> {
  if (state) return state.info;
  starting ??= start(options).finally(() => (starting = null));
  return starting;
}

async function start(options: InitOptions): Promise<DeviceInfo> {
  const gpu = await findGpu(options);
  const adapter = await gpu.requestAdapter(options.adapter as GPURequestAdapterOptions);
  if (!adapter) throw new Error(INSTALL_HINT);
  const requiredLimits: Record<string, number> = {};
  for (const name of WANTED_LIMITS) {
    const value = (adapter.limits as unknown as Record<string, number>)[name];
    if (typeof value === 'number') requiredLimits[name] = value;
  }
  const optional = ['timestamp-query', 'shader-f16', 'subgroups'] as GPUFeatureName[];
  const requiredFeatures = optional.filter((f) => adapter.features.has(f));
  const device = await adapter.requestDevice({ requiredLimits, requiredFeatures });
  const info = describe(adapter, device);
  const s: GpuState = { device, info, errors: [], lost: null, gpu };
  device.addEventListener('uncapturederror', (event) => {
    s.errors.push((event as GPUUncapturedErrorEvent).error.message);
  });
  device.lost.then((lost) => {
    if (state === s && lost.reason !== 'destroyed') s.lost = lost.message || String(lost.reason);
  });
  state = s;
  wasShutDown = false;
  return info;
}

async function findGpu(options: InitOptions): Promise<GPU> {
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  if (nav?.gpu && !options.dawnFlags) return nav.gpu;
  if (typeof process === 'undefined' || !process.versions?.node) throw new Error(INSTALL_HINT);
  let webgpu: { create: (flags: string[]) => GPU; globals: object };
  try {
    webgpu = await import('webgpu');
  } catch (e) {
    throw new Error(`${INSTALL_HINT}\n(the 'webgpu' npm package could not be loaded: ${(e as Error).message})`);
  }
  // GPUBufferUsage, GPUMapMode, ... are globals in browsers; Dawn exports them.
  for (const [name, value] of Object.entries(webgpu.globals)) {
    if (!(name in globalThis)) (globalThis as Record<string, unknown>)[name] = value;
  }
  return webgpu.create(dawnFlags(options.dawnFlags ?? []));
}

/**
 * Dawn quantises timestamp queries to 65.5 microseconds by default (a browser's defence against
 * timing attacks), too coarse for the profiler's per-launch times; in Node we ask for full
 * resolution unless the caller sets `disable-dawn-features` itself.
 */
function dawnFlags(flags: string[]): string[] {
  if (flags.some((f) => f.startsWith('disable-dawn-features='))) return flags;
  return [...flags, 'disable-dawn-features=timestamp_quantization'];
}

function describe(adapter: GPUAdapter, device: GPUDevice): DeviceInfo {
  const a = adapter.info;
  const limits: Record<string, number> = {};
  for (const name of WANTED_LIMITS) limits[name] = (device.limits as unknown as Record<string, number>)[name];
  return {
    adapterName: a?.description || a?.device || a?.vendor || 'unknown adapter',
    vendor: a?.vendor ?? '',
    architecture: a?.architecture ?? '',
    backend: (a as unknown as { backendType?: string })?.backendType ?? '',
    features: [...device.features].sort(),
    limits,
  };
}

/** The device, or a clear error if `init()` was not awaited (or `shutdown()` was called). */
export function gpuDevice(): GPUDevice {
  if (state) return state.device;
  if (wasShutDown)
    throw new Error('shadergrad: the device was shut down (sg.shutdown()); call sg.init() again to use tensors');
  throw new Error('shadergrad: not initialised: call `await sg.init()` first');
}

/** The adapter and device in use (throws before `await sg.init()`), as `torch.cuda.get_device_properties`. */
export function deviceInfo(): DeviceInfo {
  gpuDevice();
  return state!.info;
}

export function hasFeature(name: string): boolean {
  return state?.info.features.includes(name) ?? false;
}

export function isInitialised(): boolean {
  return state !== null;
}

/**
 * Throws the first validation error or the loss reason the device reported since the last
 * check. Dawn's messages name the labelled object, and every pipeline and pass is labelled
 * with its kernel's name.
 */
export function throwIfDeviceFailed(): void {
  if (!state) return;
  if (state.lost) throw new Error(`shadergrad: the WebGPU device was lost: ${state.lost}`);
  if (state.errors.length) {
    const [first, ...rest] = state.errors.splice(0);
    const more = rest.length ? ` (and ${rest.length} more error(s))` : '';
    throw new Error(`shadergrad: WebGPU error: ${first}${more}`);
  }
}

/** Queues an error to be thrown at the next sync point (readback or flush). */
export function reportError(message: string): void {
  state?.errors.push(message);
}

/**
 * Destroys the device and drops every GPU reference so that a Node process can exit. Work
 * already submitted is waited for first: destroying a device under running work (or right
 * after a write to a piped stdout) can crash Dawn at exit. Tensors are unusable afterwards.
 */
export async function shutdown(): Promise<void> {
  if (!state) return;
  const s = state;
  state = null;
  wasShutDown = true;
  await s.device.queue.onSubmittedWorkDone().catch(() => undefined);
  await new Promise((resolve) => setTimeout(resolve, 0));
  s.device.destroy();
  s.gpu = null;
}
