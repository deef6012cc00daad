/**
 * The matmul kernel versions (`shaders/matmul/NN_*.wgsl`), numbered as llm.c numbers its
 * kernels, each with the facts a launch needs (tile per invocation, workgroup shape, vec4 loads),
 * the launcher, and which version runs: the one `matmul_tuning.ts` timed fastest on this
 * adapter, or one forced with `setMatmulVersion` (benchmarks, tests).
 */
import type { BufferBinding } from '../gpu/commands.js';
import { deviceInfo } from '../gpu/device.js';
import { dispatch } from '../gpu/kernel.js';
import { K } from '../kernels.js';
import type { Tensor } from '../tensor.js';

/** The kernels that compute C[b] = A[b] @ B[b] (versions 11-13, A @ B^T, are launched by matmul.ts). */
type ProductKernel = (typeof K)[
  | 'matmul_01_naive'
  | 'matmul_02_register_4x4'
  | 'matmul_03_vec4_4x4'
  | 'matmul_04_vec4_8x8'
  | 'matmul_05_row_strip'
  | 'matmul_06_vec4_4x8'
  | 'matmul_07_vec4_8x4_uniform_rows'
  | 'matmul_08_vec4_16x4_uniform_rows'
  | 'matmul_09_subgroup_broadcast'
  | 'matmul_10_subgroup_broadcast_row_order'];

export interface MatmulVersion {
  name: string;
  kernel: ProductKernel;
  /** Needs K and N to be multiples of 4 (vec4 loads). */
  vec4: boolean;
  /** Units of the batch strides of A and B (elements per index of their WGSL arrays). */
  strideUnits: [number, number];
  /** A device feature the kernel needs, if any. */
  requires?: string;
  /** Workgroup x walks blocks of rows and y blocks of columns (the usual order is the reverse). */
  rowsFirst?: boolean;
  /** Output columns and rows per invocation. */
  tile: [number, number];
  workgroup: [number, number];
}

/** Every matmul kernel version, in order, with its tile and workgroup shape; `setMatmulVersion` takes one's `name`. */
export const MATMUL_VERSIONS: readonly MatmulVersion[] = [
  { name: '01_naive', kernel: K.matmul_01_naive, vec4: false, strideUnits: [1, 1], tile: [1, 1], workgroup: [16, 16] },
  {
    name: '02_register_4x4',
    kernel: K.matmul_02_register_4x4,
    vec4: false,
    strideUnits: [1, 1],
    tile: [4, 4],
    workgroup: [8, 8],
  },
  {
    name: '03_vec4_4x4',
    kernel: K.matmul_03_vec4_4x4,
    vec4: true,
    strideUnits: [4, 4],
    tile: [4, 4],
    workgroup: [8, 32],
  },
  {
    name: '04_vec4_8x8',
    kernel: K.matmul_04_vec4_8x8,
    vec4: true,
    strideUnits: [4, 4],
    tile: [8, 8],
    workgroup: [4, 16],
  },
  {
    name: '05_row_strip',
    kernel: K.matmul_05_row_strip,
    vec4: true,
    strideUnits: [4, 1],
    tile: [1, 8],
    workgroup: [64, 1],
  },
  {
    name: '06_vec4_4x8',
    kernel: K.matmul_06_vec4_4x8,
    vec4: true,
    strideUnits: [4, 4],
    tile: [8, 4],
    workgroup: [8, 32],
  },
  {
    name: '07_vec4_8x4_uniform_rows',
    kernel: K.matmul_07_vec4_8x4_uniform_rows,
    vec4: true,
    strideUnits: [4, 4],
    tile: [4, 8],
    workgroup: [64, 1],
  },
  {
    name: '08_vec4_16x4_uniform_rows',
    kernel: K.matmul_08_vec4_16x4_uniform_rows,
    vec4: true,
    strideUnits: [4, 4],
    tile: [4, 16],
    workgroup: [64, 1],
  },
  {
    name: '09_subgroup_broadcast',
    kernel: K.matmul_09_subgroup_broadcast,
    vec4: true,
    requires: 'subgroups',
    strideUnits: [4, 4],
    tile: [4, 8],
    workgroup: [64, 1],
  },
  {
    name: '10_subgroup_broadcast_row_order',
    kernel: K.matmul_10_subgroup_broadcast_row_order,
    vec4: true,
    requires: 'subgroups',
    strideUnits: [4, 4],
    tile: [4, 8],
    workgroup: [64, 1],
    rowsFirst: true,
  },
];

/** The version used where N and K are multiples of 4 until tuning says otherwise. */
export const DEFAULT_VERSION = MATMUL_VERSIONS[2];
let forced: string | null = null;
const tunedFor = new Map<string, MatmulVersion>();

/** Forces a version by name (null to go back to the adapter's choice). */
export function setMatmulVersion(name: string | null): void {
  if (name !== null && !MATMUL_VERSIONS.some((v) => v.name === name)) {
    throw new Error(
      `setMatmulVersion: unknown version ${name}; versions: ${MATMUL_VERSIONS.map((v) => v.name).join(', ')}`,
    );
  }
  forced = name;
}

/** The version tuned for an adapter, if any. */
export const tunedVersion = (adapter: string): MatmulVersion | undefined => tunedFor.get(adapter);
/** Records the version tuning chose for an adapter. */
export const setTunedVersion = (adapter: string, version: MatmulVersion): void => void tunedFor.set(adapter, version);

/** The version this adapter uses for shapes whose N and K are multiples of 4. */
export function chosenMatmulVersion(): string {
  return forced ?? (tunedFor.get(deviceInfo().adapterName) ?? DEFAULT_VERSION).name;
}

/** The version to run for an M x K by K x N product. */
export function chooseVersion(n: number, k: number): MatmulVersion {
  const aligned = n % 4 === 0 && k % 4 === 0;
  if (forced) {
    const v = MATMUL_VERSIONS.find((x) => x.name === forced)!;
    if (aligned || !v.vec4) return v;
  }
  if (!aligned) return MATMUL_VERSIONS[1];
  return tunedFor.get(deviceInfo().adapterName) ?? DEFAULT_VERSION;
}

/** Launches C[b] = A[b] @ B[b] with the given version; batch strides in elements (0 = shared). */
export function launchMatmul(
  version: MatmulVersion,
  a: Tensor,
  b: Tensor,
  c: Tensor,
  m: number,
  n: number,
  k: number,
  batch: number,
  aBatchStride: number,
  bBatchStride: number,
): void {
  launchMatmulOn(version, a.buffer, b.buffer, c.buffer, m, n, k, batch, aBatchStride, bBatchStride);
}

/** `launchMatmul` on bindings: whole buffers or byte ranges of them. */
export function launchMatmulOn(
  version: MatmulVersion,
  a: BufferBinding,
  b: BufferBinding,
  c: BufferBinding,
  m: number,
  n: number,
  k: number,
  batch: number,
  aBatchStride: number,
  bBatchStride: number,
): void {
  const [unitA, unitB] = version.strideUnits; // vec4 arrays are indexed in vec4s
  const [tx, ty] = version.tile;
  const wy = version.workgroup[1];
  let wx = version.workgroup[0];
  // Narrow products (N of 64, say) would leave most lanes of a wide row of invocations idle:
  // shrink the row to the columns there are (at least 8 lanes, one subgroup on a CPU driver).
  if (wy === 1) wx = Math.min(wx, Math.max(8, 2 ** Math.ceil(Math.log2(Math.ceil(n / tx)))));
  const columns = Math.ceil(n / (tx * wx));
  const rows = Math.ceil(m / (ty * wy));
  const uniforms = { m, n, k, a_batch_stride: aBatchStride / unitA, b_batch_stride: bBatchStride / unitB };
  dispatch(
    version.kernel,
    { WG_X: wx, WG_Y: wy },
    uniforms,
    [a, b, c],
    version.rowsFirst ? [rows, columns, batch] : [columns, rows, batch],
  );
}
