/**
 * Launching a kernel of the table (src/kernels.ts) by name: a call site reads
 *   dispatch(K.binary_backward, { OP: 'mul', SIDE: 1 }, { n, rank, ... }, buffers, grid)
 * The table says, per kernel, what its `override` constants are called (and, for op switches,
 * which op names map to which WGSL constants), which `alias` types it takes, and the fields of
 * its uniform `struct Params` in declaration order; this file turns names into the pipeline's
 * constants and the uniform's bytes, and refuses a missing or unknown name.
 */
import { encodeDispatch, type BufferBinding } from './commands.js';
import type { BindingKind, Kernel } from './pipelines.js';

/** WGSL types of uniform fields: scalars, a `vec4f`, and `array<vec4u, 2>` (up to 8 dims). */
export type FieldType = 'u32' | 'i32' | 'f32' | 'vec4f' | 'dims';
/** An `override`: a plain WGSL scalar, or a u32 selecting an op by name (`{add: 0, ...}`). */
export type OverrideType = 'u32' | 'f32' | 'bool' | Readonly<Record<string, number>>;

export interface KernelSpec {
  /** The WGSL text (imported as text). */
  readonly source: string;
  /** `@compute` functions; the first is the default. */
  readonly entryPoints: readonly string[];
  /** `@group(0) @binding(i)` in order; the uniform, if any, comes last. */
  readonly bindings: readonly BindingKind[];
  /** The `override` declarations a call site may set, by name. */
  readonly overrides: Readonly<Record<string, OverrideType>>;
  /** `alias NAME = ...;` lines a call site may retype (AliasType). */
  readonly aliases: readonly string[];
  /** The fields of `struct Params`, in declaration order. */
  readonly params: Readonly<Record<string, FieldType>>;
}

/** A table entry: the spec plus its name (its key in the table). */
export type NamedKernel<N extends string = string, S extends KernelSpec = KernelSpec> = S & { readonly name: N };

type OverrideValue<T> = T extends 'bool' ? boolean : T extends 'u32' | 'f32' ? number : keyof T;
type FieldValue<T> = T extends 'dims' | 'vec4f' ? readonly number[] : number;

/** Types an `alias` may be given: element types, and vec4s for kernels that load 16 bytes at a time. */
export type AliasType = 'f32' | 'i32' | 'u32' | 'vec4<f32>' | 'vec4<u32>';

/** What a call site may choose: overrides by name, alias types, and the entry point. */
export type Specialisation<S extends KernelSpec> = {
  readonly [O in keyof S['overrides']]?: OverrideValue<S['overrides'][O]>;
} & { readonly [A in S['aliases'][number]]?: AliasType } & { readonly entryPoint?: S['entryPoints'][number] };

/** Every uniform field, by name. */
export type Uniforms<S extends KernelSpec> = { readonly [F in keyof S['params']]: FieldValue<S['params'][F]> };

/** Names every entry by its key. */
export function nameKernels<T extends Record<string, KernelSpec>>(
  table: T,
): { readonly [N in keyof T & string]: NamedKernel<N, T[N]> } {
  return Object.fromEntries(Object.entries(table).map(([name, spec]) => [name, { ...spec, name }])) as never;
}

export const MAX_RANK = 8;
const SIZE: Record<FieldType, number> = { u32: 4, i32: 4, f32: 4, vec4f: 16, dims: 32 };
const ALIGN: Record<FieldType, number> = { u32: 4, i32: 4, f32: 4, vec4f: 16, dims: 16 };

/**
 * The bytes of `struct Params` from values by name, laid out by WGSL's rules (scalars 4-byte
 * aligned, vec4f and array<vec4u, 2> 16-byte aligned, the struct padded to 16).
 */
export function packUniforms(
  kernel: NamedKernel,
  values: Readonly<Record<string, number | readonly number[]>>,
): ArrayBuffer {
  const fields = Object.entries(kernel.params);
  for (const name of Object.keys(values)) {
    if (!(name in kernel.params))
      throw new Error(
        `shadergrad: kernel ${kernel.name} has no uniform field '${name}' (fields: ${fields.map(([f]) => f).join(', ')})`,
      );
  }
  let size = 0;
  for (const [, type] of fields) size = Math.ceil(size / ALIGN[type]) * ALIGN[type] + SIZE[type];
  const view = new DataView(new ArrayBuffer(Math.max(16, Math.ceil(size / 16) * 16)));
  let offset = 0;
  for (const [name, type] of fields) {
    const value = values[name];
    if (value === undefined) throw new Error(`shadergrad: kernel ${kernel.name}: uniform field '${name}' is missing`);
    offset = Math.ceil(offset / ALIGN[type]) * ALIGN[type];
    writeField(view, offset, type, value, kernel.name, name);
    offset += SIZE[type];
  }
  return view.buffer;
}

function writeField(
  view: DataView,
  offset: number,
  type: FieldType,
  value: number | readonly number[],
  kernel: string,
  name: string,
): void {
  if (type === 'dims' || type === 'vec4f') {
    const max = type === 'dims' ? MAX_RANK : 4;
    if (typeof value === 'number')
      throw new Error(`shadergrad: kernel ${kernel}: uniform field '${name}' takes a list of numbers`);
    if (value.length > max) {
      throw new Error(
        type === 'dims'
          ? `shadergrad: tensors of rank ${value.length} exceed the maximum rank ${MAX_RANK}`
          : `shadergrad: kernel ${kernel}: '${name}' takes at most 4 numbers`,
      );
    }
    for (let i = 0; i < max; i++) {
      if (type === 'dims') view.setUint32(offset + 4 * i, (value[i] ?? 0) >>> 0, true);
      else view.setFloat32(offset + 4 * i, value[i] ?? 0, true);
    }
    return;
  }
  if (typeof value !== 'number')
    throw new Error(`shadergrad: kernel ${kernel}: uniform field '${name}' takes a number`);
  if (type === 'u32') view.setUint32(offset, value >>> 0, true);
  else if (type === 'i32') view.setInt32(offset, value | 0, true);
  else view.setFloat32(offset, value, true);
}

/** The pipeline constants of a specialisation: op names become their WGSL values, booleans 0/1. */
function resolve(kernel: NamedKernel, spec: Readonly<Record<string, unknown>>): Kernel {
  const constants: Record<string, number> = {};
  const aliases: Record<string, string> = {};
  let entryPoint = kernel.entryPoints[0];
  for (const [name, value] of Object.entries(spec)) {
    const type = kernel.overrides[name];
    if (name === 'entryPoint') {
      if (!kernel.entryPoints.includes(value as string))
        throw new Error(`shadergrad: kernel ${kernel.name} has no entry point '${String(value)}'`);
      entryPoint = value as string;
    } else if (kernel.aliases.includes(name)) {
      aliases[name] = value as string;
    } else if (type === undefined) {
      throw new Error(`shadergrad: kernel ${kernel.name} has no override '${name}'`);
    } else if (typeof type === 'object') {
      const code = type[value as string];
      if (code === undefined)
        throw new Error(
          `shadergrad: kernel ${kernel.name}: '${String(value)}' is not one of its ${name} values (${Object.keys(type).join(', ')})`,
        );
      constants[name] = code;
    } else {
      constants[name] = typeof value === 'boolean' ? (value ? 1 : 0) : (value as number);
    }
  }
  const ops = Object.entries(spec).filter(([name]) => typeof kernel.overrides[name] === 'object');
  const label = ops.length ? `${kernel.name}(${ops.map(([, v]) => String(v)).join(', ')})` : kernel.name;
  return { name: kernel.name, label, source: kernel.source, bindings: kernel.bindings, entryPoint, constants, aliases };
}

/**
 * Records one launch of `kernel`: `spec` sets overrides (op names by name), alias types and the
 * entry point; `uniforms` gives every field of its `struct Params` by name; `buffers` fill the
 * storage bindings in order (whole buffers or byte ranges); `grid` is the workgroup count.
 */
export function dispatch<N extends string, S extends KernelSpec>(
  kernel: NamedKernel<N, S>,
  spec: Specialisation<S>,
  uniforms: Uniforms<S>,
  buffers: BufferBinding[],
  grid: readonly number[],
): void {
  const hasUniform = kernel.bindings[kernel.bindings.length - 1] === 'uniform';
  const bytes = hasUniform ? packUniforms(kernel, uniforms as Record<string, number | readonly number[]>) : null;
  const values = uniforms as Record<string, number | readonly number[]>;
  encodeDispatch(resolve(kernel, spec as Record<string, unknown>), buffers, bytes, grid, values);
}
