/**
 * Binary ops on same-shape float32 operands four elements at a time (version 02,
 * `shaders/binary/02_vec4_same_shape.wgsl`): the residual adds, gates and scales of networks are
 * memory-bound, and version 01 (`binary_forward.wgsl`) loads one float per invocation. Used when
 * both operands have the output's shape and the element count divides by 4; the bound ranges of
 * chunked tensors then start on 16-byte multiples (gpu/chunks.ts). Same numbers as version 01:
 * each lane computes what 01 computes for its element.
 */
import { gridFor } from '../gpu/commands.js';
import { forEachChunk } from '../gpu/chunks.js';
import { dispatch } from '../gpu/kernel.js';
import { K, type BINARY_OPS } from '../kernels.js';
import type { Tensor } from '../tensor.js';
import { sameShape } from './util.js';

const WG = 256;
let enabled = true;

/** Turns version 02 off (tests and benches compare it with version 01) or back on. */
export function setBinaryVec4(on: boolean): void {
  enabled = on;
}

/** Whether `a OP b -> out` runs on version 02: float32, one shape, a multiple of 4 elements. */
export function binaryVec4Applies(a: Tensor, b: Tensor, outShape: readonly number[]): boolean {
  return (
    enabled &&
    a.dtype === 'float32' &&
    sameShape(a.shape, outShape) &&
    sameShape(b.shape, outShape) &&
    a.size > 0 &&
    a.size % 4 === 0
  );
}

/** out = a OP b by version 02 (check `binaryVec4Applies` first). */
export function binaryVec4(op: keyof typeof BINARY_OPS, a: Tensor, b: Tensor, out: Tensor): void {
  const operands = [a, b, out].map((t) => ({ buffer: t.buffer, rowBytes: 16 }));
  forEachChunk(`${op} (binary_02_vec4)`, a.size / 4, operands, (_, n, bindings) =>
    dispatch(K.binary_02_vec4, { OP: op, WG }, { n }, bindings, gridFor(n, WG)),
  );
}
