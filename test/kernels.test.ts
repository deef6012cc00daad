// The kernel table (src/kernels.ts) against the shader files: every file in it once, each
// entry's bindings, entry points, overrides, aliases and `struct Params` fields as the WGSL
// declares them, op codes as named WGSL constants with the table's values; and the launch API
// (gpu/kernel.ts) refusing unknown or missing names before any GPU work.
import { describe, it, expect } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { K } from '../src/kernels.js';
import { dispatch, packUniforms, type KernelSpec } from '../src/gpu/kernel.js';

const ROOT = join(__dirname, '..');
const SHADER_DIR = join(ROOT, 'shaders');

function filesUnder(dir: string, ext: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(join(dir, e.name), ext) : e.name.endsWith(ext) ? [join(dir, e.name)] : [],
  );
}

const shaderFiles = filesUnder(SHADER_DIR, '.wgsl').map((f) => ({
  file: relative(SHADER_DIR, f),
  code: readFileSync(f, 'utf8'),
}));
const entries = Object.entries(K) as Array<[string, KernelSpec & { name: string }]>;

/** The WGSL with its comments removed. */
const stripComments = (code: string) => code.replace(/\/\/[^\n]*/g, '');

/** `struct Params` fields as [name, table type]. */
function paramsOf(code: string): Array<[string, string]> {
  const body = /struct Params \{([\s\S]*?)\n\}/.exec(stripComments(code));
  if (!body) return [];
  const types: Record<string, string> = {
    'array<vec4u, 2>': 'dims',
    u32: 'u32',
    i32: 'i32',
    f32: 'f32',
    vec4f: 'vec4f',
  };
  return [...body[1].matchAll(/(\w+)\s*:\s*(array<vec4u, 2>|\w+)/g)].map(([, name, type]) => [
    name,
    types[type] ?? `unknown ${type}`,
  ]);
}

function bindingsOf(code: string): string[] {
  return [...stripComments(code).matchAll(/@binding\((\d+)\) var<(\w+)(?:, (\w+))?>/g)].map(([, , space, access]) =>
    space === 'uniform' ? 'uniform' : access === 'read' ? 'read' : 'write',
  );
}

const entryPointsOf = (code: string) =>
  [...stripComments(code).matchAll(/@compute[^\n]*\s*fn (\w+)/g)].map((m) => m[1]);
const overridesOf = (code: string) =>
  new Map([...stripComments(code).matchAll(/^override (\w+): (\w+)/gm)].map((m) => [m[1], m[2]]));
const aliasesOf = (code: string) => [...stripComments(code).matchAll(/^alias (\w+) = /gm)].map((m) => m[1]);

describe('the kernel table', () => {
  it('holds every shader file exactly once, and nothing else', () => {
    for (const { file, code } of shaderFiles) {
      const users = entries.filter(([, spec]) => spec.source === code).map(([name]) => name);
      expect(users, `${file} is in the table ${users.length} times`).toHaveLength(1);
    }
    for (const [name, spec] of entries) {
      expect(
        shaderFiles.some((f) => f.code === spec.source),
        `${name}'s source is not a file of shaders/`,
      ).toBe(true);
    }
    expect(entries).toHaveLength(shaderFiles.length);
  });

  it('is the only place in src/ that imports a .wgsl file', () => {
    const importers = filesUnder(join(ROOT, 'src'), '.ts')
      .filter((f) => /from '[^']*\.wgsl'/.test(readFileSync(f, 'utf8')))
      .map((f) => relative(ROOT, f));
    expect(importers).toEqual(['src/kernels.ts']);
  });

  it.each(entries)('%s: bindings, entry points, aliases and struct Params as in its WGSL', (name, spec) => {
    expect(bindingsOf(spec.source), `${name} bindings`).toEqual([...spec.bindings]);
    expect(new Set(entryPointsOf(spec.source)), `${name} entry points`).toEqual(new Set(spec.entryPoints));
    expect(aliasesOf(spec.source), `${name} aliases`).toEqual([...spec.aliases]);
    expect(paramsOf(spec.source), `${name} struct Params`).toEqual(Object.entries(spec.params));
  });

  it.each(entries)('%s: every override declared, with its type; op codes as named constants', (name, spec) => {
    const declared = overridesOf(spec.source);
    expect(new Set(declared.keys()), `${name} overrides`).toEqual(new Set(Object.keys(spec.overrides)));
    for (const [override, type] of Object.entries(spec.overrides)) {
      expect(declared.get(override), `${name}: override ${override}`).toBe(typeof type === 'object' ? 'u32' : type);
      if (typeof type !== 'object') continue;
      for (const [op, value] of Object.entries(type)) {
        expect(spec.source, `${name}: const ${op.toUpperCase()} = ${value}u`).toMatch(
          new RegExp(`^const ${op.toUpperCase()} = ${value}u;`, 'm'),
        );
      }
      const code = stripComments(spec.source);
      expect(code, `${name}: ${override} compared with a bare number`).not.toMatch(new RegExp(`${override} [!=]= \\d`));
      expect(code, `${name}: a switch case is a bare number`).not.toMatch(/case \d+u?:/);
    }
  });
});

/** Each top-level `fn NAME(...) { ... }` of a WGSL file, by name, as text. */
function functionsOf(code: string): Map<string, string> {
  return new Map([...code.matchAll(/^fn (\w+)\([\s\S]*?^\}/gm)].map((m) => [m[1], m[0]]));
}

describe('helpers copied between shaders', () => {
  const marks = shaderFiles.flatMap(({ file, code }) =>
    [...code.matchAll(/^\/\/ same as (\S+):(\w+)\nfn (\w+)\(/gm)].map(([, source, fn, next]) => ({
      file,
      source,
      fn,
      next,
    })),
  );

  it('are marked `// same as FILE:fn` and stay identical to the original', () => {
    expect(marks.length).toBeGreaterThan(0);
    for (const { file, source, fn, next } of marks) {
      expect(next, `${file}: the mark names ${fn} but precedes fn ${next}`).toBe(fn);
      const original = shaderFiles.find((f) => f.file === source);
      expect(original, `${file}: no shader ${source}`).toBeDefined();
      const copy = functionsOf(shaderFiles.find((f) => f.file === file)!.code).get(fn);
      expect(copy, `${file}:${fn} differs from ${source}:${fn}`).toBe(functionsOf(original!.code).get(fn));
    }
  });

  it('are all marked: of the files sharing the text of a function, only the original lacks the mark', () => {
    const holders = new Map<string, Array<{ file: string; marked: boolean }>>();
    for (const { file, code } of shaderFiles) {
      for (const [fn, text] of functionsOf(code)) {
        const marked = new RegExp(`^// same as \\S+:${fn}\\nfn ${fn}\\(`, 'm').test(code);
        holders.set(text, [...(holders.get(text) ?? []), { file: `${file}:${fn}`, marked }]);
      }
    }
    for (const copies of holders.values()) {
      const unmarked = copies.filter((c) => !c.marked).map((c) => c.file);
      expect(
        unmarked.length,
        `identical functions, only one may be unmarked: ${unmarked.join(', ')}`,
      ).toBeLessThanOrEqual(1);
    }
  });
});

describe('launching by name', () => {
  it('lays out struct Params by WGSL rules: scalars, then array<vec4u, 2> on 16-byte boundaries', () => {
    const bytes = packUniforms(K.binary_forward, {
      n: 7,
      rank: 2,
      out_shape: [3, 4],
      a_strides: [4, 1],
      b_strides: [0, 1],
    });
    const u = new Uint32Array(bytes);
    expect(bytes.byteLength).toBe(112); // 8 bytes, padded to 16, then 3 x 32
    expect([u[0], u[1], u[4], u[5], u[6], u[12], u[13], u[20], u[21]]).toEqual([7, 2, 3, 4, 0, 4, 1, 0, 1]);
    const image = new Float32Array(
      packUniforms(K.image_to_tensor, { n: 1, hw: 1, c: 3, pad: 0, mean: [0.5, 0.25, 0.125, 0], stdev: [1, 2, 3, 1] }),
    );
    expect([...image.slice(4, 12)]).toEqual([0.5, 0.25, 0.125, 0, 1, 2, 3, 1]);
  });

  it('refuses a missing or unknown uniform field, naming the kernel and the field', () => {
    expect(() => packUniforms(K.fill, { n: 4 })).toThrow(/kernel fill: uniform field 'bits' is missing/);
    expect(() => packUniforms(K.fill, { n: 4, bits: 0, size: 2 })).toThrow(/kernel fill has no uniform field 'size'/);
  });

  it('refuses an unknown override, op name or entry point before any GPU work', () => {
    const u = { n: 1, exponent: 0 };
    expect(() => dispatch(K.unary_forward, { OP: 'cube' } as never, u, [], [1])).toThrow(
      /kernel unary_forward: 'cube' is not one of its OP values \(neg, exp/,
    );
    expect(() => dispatch(K.unary_forward, { SIDE: 1 } as never, u, [], [1])).toThrow(
      /kernel unary_forward has no override 'SIDE'/,
    );
    expect(() => dispatch(K.unary_forward, { entryPoint: 'rows' } as never, u, [], [1])).toThrow(
      /kernel unary_forward has no entry point 'rows'/,
    );
  });
});
