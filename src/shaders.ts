/**
 * Every WGSL kernel of the core ops, as text (bundled by esbuild's `text` loader). The matmul
 * family lives in `shaders/matmul/` and is imported by `src/ops/matmul.ts`, which picks a
 * version per adapter. `test/shaders.test.ts` checks that every file in `shaders/` is used.
 */
import arange from '../shaders/arange.wgsl';
import argmax from '../shaders/argmax.wgsl';
import binary_backward from '../shaders/binary_backward.wgsl';
import binary_forward from '../shaders/binary_forward.wgsl';
import cast from '../shaders/cast.wgsl';
import compare from '../shaders/compare.wgsl';
import fill from '../shaders/fill.wgsl';
import gather_strided from '../shaders/gather_strided.wgsl';
import max_backward from '../shaders/max_backward.wgsl';
import random from '../shaders/random.wgsl';
import reduce from '../shaders/reduce.wgsl';
import scatter_strided from '../shaders/scatter_strided.wgsl';
import unary_backward from '../shaders/unary_backward.wgsl';
import unary_forward from '../shaders/unary_forward.wgsl';
import where_forward from '../shaders/where_forward.wgsl';

export const shaders = {
  arange,
  argmax,
  binary_backward,
  binary_forward,
  cast,
  compare,
  fill,
  gather_strided,
  max_backward,
  random,
  reduce,
  scatter_strided,
  unary_backward,
  unary_forward,
  where_forward,
};
