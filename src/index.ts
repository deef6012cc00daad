/// <reference types="@webgpu/types" preserve="true" />
/**
 * shadergrad: tensors and autograd whose every op is a hand-written WGSL compute shader.
 *
 *   import * as sg from 'shadergrad';
 *   await sg.init();
 *   const x = sg.randn([64, 3], { requiresGrad: true });
 *   const loss = x.matmul(w).relu().mean();
 *   loss.backward();
 */
export { init, type Options as InitOptions } from './init.js';
export { shutdown, deviceInfo, type DeviceInfo } from './gpu/device.js';
export { flush, synchronize, throttle, setPoliteWaiting } from './gpu/commands.js';
export { pendingBatches, setMaxInFlight } from './gpu/inflight.js';
export { emptyCache } from './gpu/pool.js';
export { Tensor, type DType, type Shape, type NestedArray } from './tensor.js';
export { formatTensor } from './tensor_format.js';
export { noGrad, enableGrad, isGradEnabled } from './autograd.js';
export { tidy, tidyAsync, keep, memory, resetPeakMemory, type MemoryInfo } from './memory.js';
export { profile, profiler, type ProfileOptions } from './profile/profiler.js';
export { Profile, type LaunchRecord, type KeyAverage, type ProfileInfo, type TableOptions } from './profile/profile.js';
export { type SortKey } from './profile/table.js';
export { adapterPeaks, type Peaks } from './profile/peaks.js';
export { warmup, type WarmupOptions, type WarmupResult } from './warmup.js';
export {
  tensor,
  full,
  zeros,
  ones,
  empty,
  zerosLike,
  onesLike,
  arange,
  rand,
  randn,
  uniform,
  normal,
  manualSeed,
  type TensorOptions,
  type LikeOptions,
} from './ops/create.js';
export { type SizeArgs } from './ops/size_args.js';
export { randint, type RandintOptions } from './ops/randint.js';
export {
  add,
  sub,
  mul,
  div,
  maximum,
  minimum,
  neg,
  exp,
  log,
  sqrt,
  abs,
  pow,
  relu,
  sigmoid,
  tanh,
  clone,
} from './ops/elementwise.js';
export { sum, mean, sumToShape, type ReduceOptions } from './ops/reduce.js';
export { max, min, amax, amin, argmax, argmin } from './ops/extrema.js';
export { ValuesIndices } from './values_indices.js';
export { clamp } from './ops/clamp.js';
export {
  reshape,
  flatten,
  unsqueeze,
  squeeze,
  permute,
  transpose,
  contiguous,
  expand,
  broadcastTo,
  slice,
  cat,
  split,
} from './ops/shape.js';
export { eq, ne, lt, le, gt, ge, where, cast } from './ops/compare.js';
export { matmul } from './ops/matmul.js';
export { setMatmulVersion, chosenMatmulVersion, MATMUL_VERSIONS } from './ops/matmul_versions.js';
export { tuneMatmul, matmulTuning, type MatmulTuning } from './ops/matmul_tuning.js';
export { conv2d, setConvVersion, chosenConvVersion, CONV_VERSIONS, type Conv2dOptions } from './ops/conv.js';
export { setDepthwiseVersion, setDepthwiseFastPath, DEPTHWISE_VERSIONS } from './ops/depthwise_conv.js';
export { maxPool2d, avgPool2d, adaptiveAvgPool2d, type MaxPool2dOptions, type AvgPool2dOptions } from './ops/pool.js';
export { softmax, logSoftmax } from './ops/softmax.js';
export {
  crossEntropy,
  mseLoss,
  l1Loss,
  binaryCrossEntropyWithLogits,
  type CrossEntropyOptions,
  type Reduction,
} from './ops/loss.js';
export { dropout } from './ops/dropout.js';
export { embedding, type EmbeddingOptions } from './ops/embedding.js';
export { cumsum } from './ops/cumsum.js';
export { silu, hardswish, hardsigmoid, relu6, gelu, type GeluOptions } from './ops/activation.js';
export { layerNorm, layerNorm2d } from './ops/layer_norm.js';
export { scaledDotProductAttention, type AttentionOptions } from './ops/attention.js';
export { stochasticDepth, type StochasticDepthMode } from './ops/stochastic_depth.js';
/** Modules and layers (`torch.nn`): `Module`, `Sequential`, `Linear`, `Conv2d`, `BatchNorm2d`, activations, attention, losses, `utils`. */
export * as nn from './nn/index.js';
/** torchvision.ops building blocks: `Permute`, `StochasticDepth`, `SqueezeExcitation`, `Conv2dNormActivation`. */
export * as ops from './vision_ops.js';
/** Optimisers (`torch.optim`): `SGD`, `Adam`, `AdamW`, gradient clipping and `lrScheduler`. */
export * as optim from './optim/index.js';
export { batchNorm, type BatchNormOptions } from './ops/batchnorm.js';
export { summary, type SummaryOptions } from './nn/summary.js';
export { setFusion, fusionEnabled } from './nn/fusion.js';
/** Weight files (`torch.load`, safetensors): `load`, `save`, `inspect`, `readCheckpoint`, training checkpoints. */
export * as io from './io/index.js';
/** torchvision's classification models and the CIFAR-10 ResNets (`torchvision.models`), `get` by name. */
export * as models from './models/index.js';
/** torchtext under `sg.text`: models (RoBERTa, XLM-R), transforms (GPT-2 BPE tokenizer, vocabulary, Truncate, AddToken, ToTensor), vocab, functional. */
export * as text from './text/index.js';
/** Images, datasets and the DataLoader (`torch.utils.data`, `torchvision.datasets`). */
export * as data from './data/index.js';
/** torchvision's image transforms (`torchvision.transforms`), seeded per sample. */
export * as transforms from './data/transforms.js';
export { save, load, Checkpoint, type CheckpointContents } from './io/checkpoint.js';
/**
 * The fine-tuning workflow (`sg.train.finetune`, `sg.train.fit`): phases, freezing, parameter
 * groups, schedulers, best weights, checkpoints and resumption, evaluation, metrics, prediction.
 */
export * as train from './train/index.js';
/** The figures of a training run as PNG bytes: curves, confusion matrix, a grid of predictions. */
export * as plot from './plot/index.js';
