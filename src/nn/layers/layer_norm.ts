/** LayerNorm (torch.nn) and ConvNeXt's channels-first LayerNorm2d (torchvision.models.convnext). */
import type { Tensor } from '../../tensor.js';
import { layerNorm, layerNorm2d } from '../../ops/layer_norm.js';
import { ones, zeros } from '../../ops/create.js';
import { Module } from '../module.js';
import { parameter, type Parameter } from '../parameter.js';
import { parseArgs } from '../args.js';
import { pyBool, pyFloat, pyTuple } from '../repr.js';

/** Options of `new nn.LayerNorm(normalizedShape, options)`. */
export interface LayerNormArgs {
  eps?: number;
  elementwiseAffine?: boolean;
}

/**
 * Normalises over the trailing `normalizedShape` dims (`nn.LayerNorm`): weight (ones) and bias
 * (zeros) of that shape when `elementwiseAffine`. `new LayerNorm(768, {eps: 1e-6})`.
 */
export class LayerNorm extends Module {
  readonly normalizedShape: number[];
  readonly eps: number;
  readonly elementwiseAffine: boolean;
  weight: Parameter | null;
  bias: Parameter | null;

  /** `new LayerNorm(shape, eps?, elementwiseAffine?)` or with options: normalises over the last `shape.length` dims (eps 1e-5, affine by default). */
  constructor(normalizedShape: number | readonly number[], ...rest: Array<number | boolean | LayerNormArgs>) {
    super();
    const o = parseArgs(new.target.name, ['eps', 'elementwiseAffine'], rest, { eps: 1e-5, elementwiseAffine: true });
    this.normalizedShape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
    this.eps = o.eps;
    this.elementwiseAffine = o.elementwiseAffine;
    this.weight = o.elementwiseAffine ? parameter(ones(this.normalizedShape)) : null;
    this.bias = o.elementwiseAffine ? parameter(zeros(this.normalizedShape)) : null;
  }

  forward(x: Tensor): Tensor {
    return layerNorm(x, this.normalizedShape, this.weight, this.bias, this.eps);
  }

  /** `(768,), eps=1e-06, elementwise_affine=True`, as PyTorch. */
  override extraRepr(): string {
    return `${pyTuple(this.normalizedShape)}, eps=${pyFloat(this.eps)}, elementwise_affine=${pyBool(this.elementwiseAffine)}`;
  }
}

/**
 * ConvNeXt's LayerNorm2d: a LayerNorm over the channels of an NCHW input (torchvision permutes
 * to NHWC, normalises and permutes back; `layerNorm2d` reads the channels in place instead).
 * Same parameters and keys as LayerNorm; printed `LayerNorm2d((96,), eps=1e-06, elementwise_affine=True)`.
 */
export class LayerNorm2d extends LayerNorm {
  /** `new LayerNorm2d(C, eps?, elementwiseAffine?)` or with options; `normalizedShape` must have one dimension (the channels). */
  constructor(normalizedShape: number | readonly number[], ...rest: Array<number | boolean | LayerNormArgs>) {
    super(normalizedShape, ...rest);
    if (this.normalizedShape.length !== 1)
      throw new Error(
        `LayerNorm2d: normalizes over the channels only, got normalized shape ${pyTuple(this.normalizedShape)}`,
      );
  }

  override forward(x: Tensor): Tensor {
    if (x.ndim === 4 && x.shape[1] !== this.normalizedShape[0]) {
      throw new Error(
        `LayerNorm2d: input of shape [${x.shape.join(', ')}] has ${x.shape[1]} channels, expected ${this.normalizedShape[0]}`,
      );
    }
    return layerNorm2d(x, this.weight, this.bias, this.eps);
  }
}
