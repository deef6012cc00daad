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

  /** Storage buffers per shader stage on this device (8 on the null backend). */
  function storageLimit(): number {
    return device.limits.maxStorageBuffersPerShaderStage;
  }

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

  it('every kernel of the table builds each entry point with the bindings the table gives', async () => {
    const types = { read: 'read-only-storage', write: 'storage', uniform: 'uniform' } as const;
    for (const [name, spec] of Object.entries(K)) {
      device.pushErrorScope('validation');
      const entries = spec.bindings.map((kind, binding) => ({
        binding,
        visibility: GPUShaderStage.COMPUTE,
        buffer: { type: types[kind] },
      }));
      const module = device.createShaderModule({ code: spec.source });
      const storage = spec.bindings.filter((kind) => kind !== 'uniform').length;
      if (storage > storageLimit()) {
        // More storage buffers than the null backend allows (8): the launcher uses such a
        // kernel only where the device allows them, so here its WGSL alone is checked.
        const info = await module.getCompilationInfo();
        expect(info.messages.filter((m) => m.type === 'error').length, name).toBe(0);
        expect((await device.popErrorScope())?.message ?? null, name).toBeNull();
        continue;
      }
      const layout = device.createPipelineLayout({ bindGroupLayouts: [device.createBindGroupLayout({ entries })] });
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
        // A pipeline needs its storage buffers within the device's limit (see the table test above).
        if ((code.match(/var<storage/g) ?? []).length > storageLimit()) {
          expect((await device.popErrorScope())?.message ?? null, file).toBeNull();
          continue;
        }
        for (const [, entryPoint] of code.matchAll(/@compute[^\n]*\n\s*fn (\w+)/g)) {
          device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint } });
        }
        const error = await device.popErrorScope();
        expect(error?.message ?? null, file).toBeNull();
      }
    });
  }
});
