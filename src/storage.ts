/**
 * The GPU memory under tensors: one pooled buffer, reference-counted, so that views (reshapes)
 * share it and the last one released returns it to the pool.
 */
import { releaseBuffer } from './gpu/pool.js';
import { countLive } from './memory.js';

/** A reference-counted GPU buffer that several tensors (views) may share. */
export class Storage {
  private refs = 1;
  /**
   * In-place writes so far (copy_, fills, random init, optimiser steps, running statistics), as
   * PyTorch's `tensor._version`: caches derived from a tensor (nn/fusion.ts's folded batch norm)
   * compare it to know when to recompute.
   */
  version = 0;
  constructor(
    readonly buffer: GPUBuffer,
    readonly byteLength: number,
  ) {
    countLive(0, byteLength);
  }
  retain(): this {
    this.refs++;
    return this;
  }
  release(): void {
    if (--this.refs === 0) {
      countLive(0, -this.byteLength);
      releaseBuffer(this.buffer);
    }
  }
}
