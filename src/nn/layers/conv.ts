/** Conv2d, as torch.nn.Conv2d (NCHW, zero padding). */
import type { Tensor } from '../../tensor.js';
import { conv2d, pair, type Pair } from '../../ops/conv.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { parseArgs } from '../args.js';
import { pyTuple } from '../repr.js';
import { biasUniform, fanIn, kaimingUniform } from '../init.js';

/** Keyword arguments of `Conv2d`, as `torch.nn.Conv2d(..., stride=1, padding=0, dilation=1, groups=1, bias=True)`. */
export interface Conv2dArgs {
  /** Step of the kernel over the input, one number or [h, w] (default 1). */
  stride?: Pair;
  /** Zeros added on each side of the input, one number or [h, w] (default 0). */
  padding?: Pair;
  /** Spacing between kernel elements, one number or [h, w] (default 1). */
  dilation?: Pair;
  /** Split the channels into this many independent convolutions (default 1). */
  groups?: number;
  /** Add a learnable bias per output channel (default true). */
  bias?: boolean;
}

/** 2-D convolution (cross-correlation) of an [N, C_in, H, W] input with weight [C_out, C_in / groups, kH, kW] plus bias, as `torch.nn.Conv2d`. */
export class Conv2d extends Module {
  /** Channels of the input (C_in). */
  readonly inChannels: number;
  /** Channels of the output (C_out). */
  readonly outChannels: number;
  /** [kH, kW]. */
  readonly kernelSize: [number, number];
  /** [sH, sW]. */
  readonly stride: [number, number];
  /** Zero padding [pH, pW] on each side. */
  readonly padding: [number, number];
  /** [dH, dW]. */
  readonly dilation: [number, number];
  /** Channel groups convolved independently. */
  readonly groups: number;
  /** [C_out, C_in / groups, kH, kW], initialised U(-1/√fanIn, 1/√fanIn), fanIn = C_in / groups kH kW (PyTorch's default). */
  weight: Parameter;
  /** [C_out], initialised U(-1/√fanIn, 1/√fanIn); null with `bias: false`. */
  bias: Parameter | null;

  /**
   * `new Conv2d(in, out, kernelSize, stride?, padding?, dilation?, groups?, bias?)`, or with the
   * trailing ones as options: `new Conv2d(3, 64, 3, {padding: 1})`.
   */
  constructor(
    inChannels: number,
    outChannels: number,
    kernelSize: Pair,
    ...rest: Array<Pair | boolean | Conv2dArgs | undefined>
  ) {
    super();
    const o = parseArgs('Conv2d', ['stride', 'padding', 'dilation', 'groups', 'bias'], rest, {
      stride: 1 as Pair,
      padding: 0 as Pair,
      dilation: 1 as Pair,
      groups: 1,
      bias: true,
    });
    if (inChannels % o.groups || outChannels % o.groups) {
      throw new Error(
        `Conv2d: in_channels ${inChannels} and out_channels ${outChannels} must be divisible by groups ${o.groups}`,
      );
    }
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.kernelSize = pair(kernelSize);
    this.stride = pair(o.stride);
    this.padding = pair(o.padding);
    this.dilation = pair(o.dilation);
    this.groups = o.groups;
    const shape = [outChannels, inChannels / o.groups, ...this.kernelSize];
    this.weight = kaimingUniform(shape);
    this.bias = o.bias ? biasUniform(outChannels, fanIn(shape)) : null;
  }

  forward(x: Tensor): Tensor {
    const options = { stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups };
    return conv2d(x, this.weight, this.bias, options, 'Conv2d');
  }

  /** As PyTorch: padding, dilation and groups only when not their defaults. */
  override extraRepr(): string {
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=${pyTuple(this.kernelSize)}, stride=${pyTuple(this.stride)}`;
    if (this.padding.some((p) => p !== 0)) s += `, padding=${pyTuple(this.padding)}`;
    if (this.dilation.some((d) => d !== 1)) s += `, dilation=${pyTuple(this.dilation)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (!this.bias) s += ', bias=False';
    return s;
  }
}
