/**
 * Builds the bytes of a shader's uniform `Params` struct. Fields are written in declaration
 * order with WGSL's alignment rules for the types we use: 4-byte scalars, and `array<vec4u, 2>`
 * (up to 8 dimensions of a shape or strides) aligned to 16 bytes.
 */
export const MAX_RANK = 8;

export class Params {
  private view = new DataView(new ArrayBuffer(512));
  private offset = 0;

  u32(value: number): this {
    this.view.setUint32(this.offset, value >>> 0, true);
    this.offset += 4;
    return this;
  }

  i32(value: number): this {
    this.view.setInt32(this.offset, value | 0, true);
    this.offset += 4;
    return this;
  }

  f32(value: number): this {
    this.view.setFloat32(this.offset, value, true);
    this.offset += 4;
    return this;
  }

  /** An `array<vec4u, 2>`: up to 8 unsigned values, zero-padded, 16-byte aligned. */
  dims(values: readonly number[]): this {
    if (values.length > MAX_RANK) throw new Error(`shadergrad: tensors of rank ${values.length} exceed the maximum rank ${MAX_RANK}`);
    this.offset = Math.ceil(this.offset / 16) * 16;
    for (let i = 0; i < MAX_RANK; i++) this.u32(values[i] ?? 0);
    return this;
  }

  /** The struct's bytes, padded to a multiple of 16 as uniform buffers require. */
  bytes(): ArrayBuffer {
    return this.view.buffer.slice(0, Math.max(16, Math.ceil(this.offset / 16) * 16));
  }
}
