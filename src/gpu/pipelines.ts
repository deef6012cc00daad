/**
 * Kernels and their compiled pipelines. A kernel is a WGSL file plus the values that specialise
 * it: `override` constants (workgroup size, tile sizes, which op) and, where `override` cannot
 * reach, a documented text substitution of `alias NAME = type;` lines (the element type).
 * Each specialisation is compiled once and cached; bind group layouts are cached by signature.
 */
import { gpuDevice, reportError } from './device.js';

/** How a kernel sees each binding, in binding order: `@group(0) @binding(i)`. */
export type BindingKind = 'read' | 'write' | 'uniform';

export interface Kernel {
  /** The shader's name; labels the pipeline so validation errors name it. */
  name: string;
  /** The name with the op it was specialised for, e.g. 'binary_forward(mul)', for messages. */
  label?: string;
  source: string;
  bindings: readonly BindingKind[];
  /** The `@compute` function to run; `main` unless the file has several. */
  entryPoint?: string;
  /** Values for the shader's `override` declarations. */
  constants?: Record<string, number>;
  /** Replaces `alias NAME = ...;` in the source, e.g. `{T: 'i32'}`. */
  aliases?: Record<string, string>;
}

interface Compiled {
  pipeline: GPUComputePipeline;
  layout: GPUBindGroupLayout;
}

let cacheDevice: GPUDevice | null = null;
/** Compile checks not yet resolved; awaited before any sync point reports success. */
const pendingChecks = new Set<Promise<void>>();
const pipelines = new Map<string, Compiled>();
const layouts = new Map<string, GPUBindGroupLayout>();

function resetIfNewDevice(device: GPUDevice): void {
  if (cacheDevice === device) return;
  cacheDevice = device;
  pipelines.clear();
  layouts.clear();
}

/** Source with its `alias` lines substituted. Throws if the shader lacks an alias it is given. */
export function specialise(kernel: Kernel): string {
  let code = kernel.source;
  for (const [name, type] of Object.entries(kernel.aliases ?? {})) {
    const pattern = new RegExp(`alias ${name} = [A-Za-z0-9_<>]+;`);
    if (!pattern.test(code))
      throw new Error(`shadergrad: kernel ${kernel.name} has no 'alias ${name} = ...;' to specialise`);
    code = code.replace(pattern, `alias ${name} = ${type};`);
  }
  return code;
}

function bindGroupLayout(device: GPUDevice, bindings: readonly BindingKind[]): GPUBindGroupLayout {
  const signature = bindings.join(',');
  let layout = layouts.get(signature);
  if (!layout) {
    const type: Record<BindingKind, GPUBufferBindingType> = {
      read: 'read-only-storage',
      write: 'storage',
      uniform: 'uniform',
    };
    layout = device.createBindGroupLayout({
      label: signature,
      entries: bindings.map((kind, binding) => ({
        binding,
        visibility: GPUShaderStage.COMPUTE,
        buffer: { type: type[kind] },
      })),
    });
    layouts.set(signature, layout);
  }
  return layout;
}

export function cacheKey(kernel: Kernel): string {
  return `${kernel.name}|${kernel.entryPoint ?? 'main'}|${JSON.stringify(kernel.constants ?? {})}|${JSON.stringify(kernel.aliases ?? {})}`;
}

export function compiled(kernel: Kernel): Compiled {
  const device = gpuDevice();
  resetIfNewDevice(device);
  const k = cacheKey(kernel);
  let entry = pipelines.get(k);
  if (!entry) {
    const layout = bindGroupLayout(device, kernel.bindings);
    // Compilation errors are caught in a scope so that the message names the kernel.
    device.pushErrorScope('validation');
    const module = device.createShaderModule({ label: kernel.name, code: specialise(kernel) });
    const pipeline = device.createComputePipeline({
      label: kernel.name,
      layout: device.createPipelineLayout({ label: kernel.name, bindGroupLayouts: [layout] }),
      compute: { module, entryPoint: kernel.entryPoint ?? 'main', constants: kernel.constants },
    });
    const check = device.popErrorScope().then(
      (error) => {
        if (error) reportError(`kernel ${kernel.name} (${k}) failed to compile: ${error.message}`);
      },
      () => undefined,
    );
    pendingChecks.add(check);
    check.finally(() => pendingChecks.delete(check));
    entry = { pipeline, layout };
    pipelines.set(k, entry);
  }
  return entry;
}

/** Resolves when every pipeline created so far has been checked for compilation errors. */
export async function settleCompileChecks(): Promise<void> {
  while (pendingChecks.size) await Promise.all([...pendingChecks]);
}

export function compiledPipelineCount(): number {
  return pipelines.size;
}
