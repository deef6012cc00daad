/**
 * The building blocks of torchvision.ops that the post-2016 models are made of: Permute,
 * StochasticDepth, SqueezeExcitation and Conv2dNormActivation (torchvision/ops/misc.py and
 * stochastic_depth.py), with torchvision's module trees, state-dict keys and printed forms.
 */
import type { Tensor } from '../../tensor.js';
import { permute } from '../../ops/shape.js';
import { mul } from '../../ops/elementwise.js';
import { stochasticDepth, type StochasticDepthMode } from '../../ops/stochastic_depth.js';
import { Module } from '../module.js';
import { Sequential } from '../sequential.js';
import { parseArgs } from '../args.js';
import { pyFloat } from '../repr.js';
import { Conv2d } from './conv.js';
import { AdaptiveAvgPool2d } from './pool.js';
import { BatchNorm2d } from './batchnorm.js';
import { ReLU, Sigmoid } from './activation.js';
import type { Pair } from '../../ops/conv.js';

/**
 * How a block makes one of its layers, as torchvision's `Callable[..., nn.Module]`: a module
 * class (`nn.BatchNorm2d`, `nn.SiLU`) or a function returning a module (torchvision's
 * `partial(nn.BatchNorm2d, eps=1e-3)` is `(c) => new nn.BatchNorm2d(c, {eps: 1e-3})`).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type LayerFactory<A extends any[]> = (new (...args: A) => Module) | ((...args: A) => Module);

/** Calls a class with `new` and a function without. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function makeLayer<A extends any[]>(factory: LayerFactory<A>, ...args: A): Module {
  const isClass = factory.prototype instanceof Module;
  return isClass ? new (factory as new (...a: A) => Module)(...args) : (factory as (...a: A) => Module)(...args);
}

/** Reorders dimensions (`torchvision.ops.misc.Permute`, used by ConvNeXt); printed `Permute()`. */
export class Permute extends Module {
  /** `new Permute(dims)`: output dim k is input dim `dims[k]`. */
  constructor(readonly dims: readonly number[]) {
    super();
  }

  forward(x: Tensor): Tensor {
    return permute(x, this.dims);
  }
}

/**
 * `torchvision.ops.StochasticDepth(p, mode)`: drops whole residual branches per sample ('row')
 * or per batch ('batch') in training, identity in eval. Printed `StochasticDepth(p=0.2, mode=row)`.
 */
export class StochasticDepth extends Module {
  constructor(
    readonly p: number,
    readonly mode: StochasticDepthMode,
  ) {
    super();
    if (!(p >= 0 && p <= 1))
      throw new Error(`StochasticDepth: drop probability has to be between 0 and 1, but got ${p}`);
    if (mode !== 'row' && mode !== 'batch')
      throw new Error(`StochasticDepth: mode has to be either 'batch' or 'row', but got ${mode}`);
  }

  forward(x: Tensor): Tensor {
    return stochasticDepth(x, this.p, this.mode, this.training);
  }

  /** torchvision writes `repr()` itself: `StochasticDepth(p=0.2, mode=row)`. */
  override toString(): string {
    return `StochasticDepth(p=${pyFloat(this.p)}, mode=${this.mode})`;
  }
}

/** The layers of a SqueezeExcitation block (torchvision's `activation`, `scale_activation`). */
export interface SqueezeExcitationArgs {
  activation?: LayerFactory<[]>;
  scaleActivation?: LayerFactory<[]>;
}

/**
 * Squeeze-and-excitation (`torchvision.ops.SqueezeExcitation`, EfficientNet and MobileNetV3):
 *   scale = scale_activation(fc2(activation(fc1(avgpool(x))))),  y = scale * x
 * with 1x1 convolutions fc1 (C -> squeeze) and fc2 (squeeze -> C). Keys fc1.*, fc2.*.
 */
export class SqueezeExcitation extends Module {
  avgpool: AdaptiveAvgPool2d;
  fc1: Conv2d;
  fc2: Conv2d;
  activation: Module;
  scale_activation: Module;

  constructor(
    inputChannels: number,
    squeezeChannels: number,
    ...rest: Array<LayerFactory<[]> | SqueezeExcitationArgs>
  ) {
    super();
    const o = parseArgs<Required<SqueezeExcitationArgs>>('SqueezeExcitation', ['activation', 'scaleActivation'], rest, {
      activation: ReLU,
      scaleActivation: Sigmoid,
    });
    this.avgpool = new AdaptiveAvgPool2d(1);
    this.fc1 = new Conv2d(inputChannels, squeezeChannels, 1);
    this.fc2 = new Conv2d(squeezeChannels, inputChannels, 1);
    this.activation = makeLayer(o.activation);
    this.scale_activation = makeLayer(o.scaleActivation);
  }

  /** The per-channel scale [N, C, 1, 1]. */
  scale(x: Tensor): Tensor {
    const pooled = this.avgpool.forward(x);
    const squeezed = this.activation.forward(this.fc1.forward(pooled));
    return this.scale_activation.forward(this.fc2.forward(squeezed));
  }

  forward(x: Tensor): Tensor {
    return mul(this.scale(x), x);
  }
}

/** Options of `new nn.Conv2dNormActivation(in, out, options)`, torchvision's arguments in camelCase. */
export interface Conv2dNormActivationArgs {
  kernelSize?: Pair;
  stride?: Pair;
  /** Default (kernelSize - 1) / 2 * dilation, rounded down: 'same' size at stride 1. */
  padding?: Pair | null;
  groups?: number;
  /** Default nn.BatchNorm2d; null for none. */
  normLayer?: LayerFactory<[number]> | null;
  /** Default nn.ReLU; null for none. Called with `{inplace}` (as torchvision, unless inplace is null). */
  activationLayer?: LayerFactory<[{ inplace?: boolean }]> | LayerFactory<[]> | null;
  dilation?: Pair;
  inplace?: boolean | null;
  /** Default: a bias only when there is no norm layer. */
  bias?: boolean | null;
}

/**
 * Convolution, normalisation, activation (`torchvision.ops.Conv2dNormActivation`): a Sequential
 * of Conv2d (0), the norm layer (1) and the activation (2), printed under its own name.
 * `new Conv2dNormActivation(3, 32, {kernelSize: 3, stride: 2, activationLayer: nn.SiLU})`.
 */
export class Conv2dNormActivation extends Sequential {
  readonly outChannels: number;

  constructor(
    inChannels: number,
    outChannels: number,
    ...rest: Array<Pair | number | null | boolean | LayerFactory<never> | Conv2dNormActivationArgs>
  ) {
    const o = parseArgs<Required<Conv2dNormActivationArgs>>(
      'Conv2dNormActivation',
      ['kernelSize', 'stride', 'padding', 'groups', 'normLayer', 'activationLayer', 'dilation', 'inplace', 'bias'],
      rest,
      {
        kernelSize: 3,
        stride: 1,
        padding: null,
        groups: 1,
        normLayer: BatchNorm2d,
        activationLayer: ReLU,
        dilation: 1,
        inplace: true,
        bias: null,
      },
    );
    const [k, d] = [pairOf(o.kernelSize), pairOf(o.dilation)];
    const padding =
      o.padding ??
      (typeof o.kernelSize === 'number' && typeof o.dilation === 'number'
        ? Math.floor((o.kernelSize - 1) / 2) * o.dilation
        : ([0, 1].map((i) => Math.floor((k[i] - 1) / 2) * d[i]) as [number, number]));
    const bias = o.bias ?? o.normLayer === null;
    const layers: Module[] = [
      new Conv2d(inChannels, outChannels, o.kernelSize, {
        stride: o.stride,
        padding,
        dilation: o.dilation,
        groups: o.groups,
        bias,
      }),
    ];
    if (o.normLayer) layers.push(makeLayer(o.normLayer, outChannels));
    if (o.activationLayer) {
      const params = o.inplace === null ? [] : [{ inplace: o.inplace }];
      layers.push(makeLayer(o.activationLayer as LayerFactory<[{ inplace?: boolean }?]>, ...params));
    }
    super(...layers);
    this.outChannels = outChannels;
  }
}

function pairOf(v: Pair): [number, number] {
  return typeof v === 'number' ? [v, v] : [v[0], v[1]];
}
