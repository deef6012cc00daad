// Every WGSL file compiles, on Dawn's null backend (no GPU needed: this catches WGSL errors
// cheaply), for each element type it is specialised to; every file is used by src/ and opens
// with a comment saying what it computes.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { create, globals } from 'webgpu';
import { K } from '../src/kernels.js';

const SHADER_DIR = join(__dirname, '..', 'shaders');
const SRC_DIR = join(__dirname, '..', 'src');

function filesUnder(dir: string, ext: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(join(dir, e.name), ext) : e.name.endsWith(ext) ? [join(dir, e.name)] : [],
  );
}

const shaderFiles = filesUnder(SHADER_DIR, '.wgsl');
const sources = filesUnder(SRC_DIR, '.ts')
  .map((f) => readFileSync(f, 'utf8'))
  .join('\n');

describe('shader files', () => {
  it('are all imported by src/', () => {
    for (const file of shaderFiles) {
      const rel = relative(SHADER_DIR, file);
      expect(sources.includes(`shaders/${rel}'`), `${rel} is not imported anywhere in src/`).toBe(true);
    }
  });

  it('open with a comment', () => {
    for (const file of shaderFiles) {
      expect(readFileSync(file, 'utf8').trimStart().startsWith('//'), `${file} has no opening comment`).toBe(true);
    }
  });
});

describe('shaders compile on the null backend', () => {
  let device: GPUDevice;
  // Dawn's GPU object must outlive its adapters and devices: a collected one crashes the process.
  let gpu: GPU;
  beforeAll(async () => {
    for (const [name, value] of Object.entries(globals))
      if (!(name in globalThis)) (globalThis as Record<string, unknown>)[name] = value;
    gpu = create(['backend=null']);
    const adapter = await gpu.requestAdapter();
    const wanted = ['shader-f16', 'subgroups'].filter((f) => adapter!.features.has(f)) as GPUFeatureName[];
    device = await adapter!.requestDevice({ requiredFeatures: wanted });
  });

  afterAll(async () => {
    // Destroying the device (after its work) lets the worker process exit cleanly.
    await device.queue.onSubmittedWorkDone();
    device.destroy();
  });

  /** The element types each `alias NAME = ...;` line may be specialised to. */
  function variants(code: string): string[] {
    const out = [code];
    for (const [, name] of code.matchAll(/alias (\w+) = f32;/g)) {
      for (const v of [...out]) out.push(v.replace(new RegExp(`alias ${name} = f32;`), `alias ${name} = i32;`));
    }
    for (const [, name] of code.matchAll(/alias (\w+) = i32;/g)) {
      for (const v of [...out]) out.push(v.replace(new RegExp(`alias ${name} = i32;`), `alias ${name} = f32;`));
    }
    return out;
  }

  /**
   * Whether a pipeline with `storage` storage buffers can be built here. The null adapter allows
   * WebGPU's default of 8; the multi-tensor optimiser kernels bind 15 and run only on devices
   * that allow them (src/optim/multi_tensor.ts, tested on the real adapter by
   * test/optim_multi_tensor.test.ts): here their WGSL is compiled, not built into a pipeline.
   */
  const buildable = (storage: number) => storage <= device.limits.maxStorageBuffersPerShaderStage;

  it('every kernel of the table builds each entry point with the bindings the table gives', async () => {
    const types = { read: 'read-only-storage', write: 'storage', uniform: 'uniform' } as const;
    for (const [name, spec] of Object.entries(K)) {
      if (!buildable(spec.bindings.filter((b) => b !== 'uniform').length)) continue;
      device.pushErrorScope('validation');
      const entries = spec.bindings.map((kind, binding) => ({
        binding,
        visibility: GPUShaderStage.COMPUTE,
        buffer: { type: types[kind] },
      }));
      const layout = device.createPipelineLayout({ bindGroupLayouts: [device.createBindGroupLayout({ entries })] });
      const module = device.createShaderModule({ code: spec.source });
      for (const entryPoint of spec.entryPoints)
        device.createComputePipeline({ layout, compute: { module, entryPoint } });
      const error = await device.popErrorScope();
      expect(error?.message ?? null, name).toBeNull();
    }
  });

  for (const file of shaderFiles) {
    it(relative(SHADER_DIR, file), async () => {
      for (const code of variants(readFileSync(file, 'utf8'))) {
        device.pushErrorScope('validation');
        const module = device.createShaderModule({ code });
        const info = await module.getCompilationInfo();
        const errors = info.messages
          .filter((m) => m.type === 'error')
          .map((m) => `${m.lineNum}:${m.linePos} ${m.message}`);
        expect(errors, file).toEqual([]);
        const entryPoints = buildable(code.match(/var<storage/g)?.length ?? 0)
          ? code.matchAll(/@compute[^\n]*\n\s*fn (\w+)/g)
          : [];
        for (const [, entryPoint] of entryPoints) {
          device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint } });
        }
        const error = await device.popErrorScope();
        expect(error?.message ?? null, file).toBeNull();
      }
    });
  }
});
