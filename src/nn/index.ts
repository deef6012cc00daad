/** `sg.nn`: modules and layers with PyTorch's names, behaviour and printed form. */
export { Module, type StateDict } from './module.js';
export { Parameter, parameter } from './parameter.js';
export { Sequential } from './sequential.js';
export { ModuleList } from './module_list.js';
export { Embedding, type EmbeddingArgs } from './layers/embedding.js';
export {
  TransformerEncoderLayer,
  TransformerEncoder,
  type TransformerEncoderLayerArgs,
  type TransformerEncoderArgs,
  type TransformerForwardOptions,
} from './layers/transformer.js';
export { Linear, Identity, Flatten, linear } from './layers/linear.js';
export { Conv2d, type Conv2dArgs } from './layers/conv.js';
export { MaxPool2d, AvgPool2d, AdaptiveAvgPool2d } from './layers/pool.js';
export {
  ReLU,
  ReLU6,
  SiLU,
  Hardswish,
  Hardsigmoid,
  GELU,
  Sigmoid,
  Tanh,
  Softmax,
  LogSoftmax,
  Dropout,
} from './layers/activation.js';
export { LayerNorm, LayerNorm2d, type LayerNormArgs } from './layers/layer_norm.js';
export {
  MultiheadAttention,
  NonDynamicallyQuantizableLinear,
  type MultiheadAttentionArgs,
  type MultiheadAttentionForwardOptions,
} from './layers/attention.js';
export {
  Permute,
  StochasticDepth,
  SqueezeExcitation,
  Conv2dNormActivation,
  makeLayer,
  type LayerFactory,
  type SqueezeExcitationArgs,
  type Conv2dNormActivationArgs,
} from './layers/torchvision_ops.js';
export { BatchNorm1d, BatchNorm2d, type BatchNormArgs } from './layers/batchnorm.js';
export { checkpoint } from './checkpoint.js';
export { CrossEntropyLoss, MSELoss, L1Loss, BCEWithLogitsLoss } from './layers/loss.js';
/** Gradient clipping (`torch.nn.utils.clip_grad_norm_`, `clip_grad_value_`). */
export * as utils from './utils.js';
