/**
 * Element types and shapes: what every tensor has before it has a buffer (`DType`, `Shape`), the
 * check that refuses impossible sizes before anything is allocated, and the element count.
 */
/** Element type of a tensor: `'float32'` (`torch.float32`) or `'int32'` (`torch.int32`). */
export type DType = 'float32' | 'int32';
/** Sizes of a tensor's dimensions, outermost first (`torch.Size`); `[]` is a 0-d tensor. */
export type Shape = readonly number[];
export type Scalar = number;

/**
 * Refuses sizes that are not non-negative integers (NaN, infinities, fractions, negatives),
 * before anything is allocated; PyTorch: "Trying to create tensor with negative dimension -1".
 */
export function checkShape(shape: Shape): void {
  if (typeof shape?.length !== 'number')
    throw new Error(`shadergrad: a shape must be an array of sizes, got ${String(shape)}`);
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i];
    if (typeof d === 'number' && Number.isInteger(d) && d >= 0) continue;
    const why = typeof d === 'number' && d < 0 ? 'negative dimension' : 'a size that is not a non-negative integer';
    throw new Error(
      `shadergrad: trying to create a tensor with ${why} ${String(d)} (dimension ${i}): [${shape.join(', ')}]`,
    );
  }
}

export function numel(shape: Shape): number {
  return shape.reduce((a, b) => a * b, 1);
}
