/**
 * Every WGSL kernel of the core ops, as text (bundled by esbuild's `text` loader). The matmul
 * family lives in `shaders/matmul/` and is imported by `src/ops/matmul.ts`, which picks a
 * version per adapter. `test/shaders.test.ts` checks that every file in `shaders/` is used.
 */
import adam_step from '../shaders/adam_step.wgsl';
import arange from '../shaders/arange.wgsl';
import argmax from '../shaders/argmax.wgsl';
import avgpool2d_backward from '../shaders/avgpool2d_backward.wgsl';
import avgpool2d_forward from '../shaders/avgpool2d_forward.wgsl';
import batchnorm_backward from '../shaders/batchnorm_backward.wgsl';
import batchnorm_eval_stats from '../shaders/batchnorm_eval_stats.wgsl';
import batchnorm_forward from '../shaders/batchnorm_forward.wgsl';
import batchnorm_stats from '../shaders/batchnorm_stats.wgsl';
import binary_backward from '../shaders/binary_backward.wgsl';
import binary_forward from '../shaders/binary_forward.wgsl';
import cast from '../shaders/cast.wgsl';
import col2im from '../shaders/col2im.wgsl';
import compare from '../shaders/compare.wgsl';
import cross_entropy_backward from '../shaders/cross_entropy_backward.wgsl';
import cross_entropy_forward from '../shaders/cross_entropy_forward.wgsl';
import dropout_forward from '../shaders/dropout_forward.wgsl';
import fill from '../shaders/fill.wgsl';
import gather_strided from '../shaders/gather_strided.wgsl';
import im2col from '../shaders/im2col.wgsl';
import max_backward from '../shaders/max_backward.wgsl';
import maxpool2d_backward from '../shaders/maxpool2d_backward.wgsl';
import maxpool2d_forward from '../shaders/maxpool2d_forward.wgsl';
import random from '../shaders/random.wgsl';
import reduce from '../shaders/reduce.wgsl';
import scatter_strided from '../shaders/scatter_strided.wgsl';
import sgd_step from '../shaders/sgd_step.wgsl';
import softmax_backward from '../shaders/softmax_backward.wgsl';
import softmax_forward from '../shaders/softmax_forward.wgsl';
import unary_backward from '../shaders/unary_backward.wgsl';
import unary_forward from '../shaders/unary_forward.wgsl';
import where_forward from '../shaders/where_forward.wgsl';

export const shaders = {
  adam_step,
  arange,
  argmax,
  avgpool2d_backward,
  avgpool2d_forward,
  batchnorm_backward,
  batchnorm_eval_stats,
  batchnorm_forward,
  batchnorm_stats,
  binary_backward,
  binary_forward,
  cast,
  col2im,
  compare,
  cross_entropy_backward,
  cross_entropy_forward,
  dropout_forward,
  fill,
  gather_strided,
  im2col,
  max_backward,
  maxpool2d_backward,
  maxpool2d_forward,
  random,
  reduce,
  scatter_strided,
  sgd_step,
  softmax_backward,
  softmax_forward,
  unary_backward,
  unary_forward,
  where_forward,
};
