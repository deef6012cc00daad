/** MaxPool2d, AvgPool2d and AdaptiveAvgPool2d, as torch.nn's (arguments kept as given, for printing). */
import type { Tensor } from '../../tensor.js';
import type { Pair } from '../../ops/conv.js';
import { adaptiveAvgPool2d, avgPool2d, maxPool2d } from '../../ops/pool.js';
import { Module } from '../module.js';
import { parseArgs } from '../args.js';
import { pyBool, pyTuple } from '../repr.js';

/** The maximum of each `kernelSize` window of an [N, C, H, W] input, as `torch.nn.MaxPool2d`. */
export class MaxPool2d extends Module {
  readonly kernelSize: Pair;
  readonly stride: Pair;
  readonly padding: Pair;
  readonly dilation: Pair;
  readonly ceilMode: boolean;

  /** `new MaxPool2d(2)`, `new MaxPool2d(2, 2)`, `new MaxPool2d(3, {stride: 2, ceilMode: true})`. */
  constructor(
    kernelSize: Pair,
    ...rest: Array<
      | Pair
      | boolean
      | null
      | { stride?: Pair | null; padding?: Pair; dilation?: Pair; ceilMode?: boolean; returnIndices?: boolean }
    >
  ) {
    super();
    const o = parseArgs('MaxPool2d', ['stride', 'padding', 'dilation', 'returnIndices', 'ceilMode'], rest, {
      stride: null as Pair | null,
      padding: 0 as Pair,
      dilation: 1 as Pair,
      returnIndices: false,
      ceilMode: false,
    });
    if (o.returnIndices) throw new Error('MaxPool2d: returnIndices is not supported');
    this.kernelSize = kernelSize;
    this.stride = o.stride ?? kernelSize; // PyTorch: stride defaults to the kernel size
    this.padding = o.padding;
    this.dilation = o.dilation;
    this.ceilMode = o.ceilMode;
  }

  forward(x: Tensor): Tensor {
    return maxPool2d(
      x,
      this.kernelSize,
      { stride: this.stride, padding: this.padding, dilation: this.dilation, ceilMode: this.ceilMode },
      'MaxPool2d',
    );
  }

  override extraRepr(): string {
    return `kernel_size=${pyTuple(this.kernelSize)}, stride=${pyTuple(this.stride)}, padding=${pyTuple(this.padding)}, dilation=${pyTuple(this.dilation)}, ceil_mode=${pyBool(this.ceilMode)}`;
  }
}

/** The mean of each `kernelSize` window of an [N, C, H, W] input, as `torch.nn.AvgPool2d`. */
export class AvgPool2d extends Module {
  readonly kernelSize: Pair;
  readonly stride: Pair;
  readonly padding: Pair;
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;

  /** `new AvgPool2d(2)`, `new AvgPool2d(3, 2, 1)` or `new AvgPool2d(3, {stride: 2, countIncludePad: false})`: kernel size, then stride, padding, ceilMode, countIncludePad. */
  constructor(
    kernelSize: Pair,
    ...rest: Array<
      Pair | boolean | null | { stride?: Pair | null; padding?: Pair; ceilMode?: boolean; countIncludePad?: boolean }
    >
  ) {
    super();
    const o = parseArgs('AvgPool2d', ['stride', 'padding', 'ceilMode', 'countIncludePad'], rest, {
      stride: null as Pair | null,
      padding: 0 as Pair,
      ceilMode: false,
      countIncludePad: true,
    });
    this.kernelSize = kernelSize;
    this.stride = o.stride ?? kernelSize;
    this.padding = o.padding;
    this.ceilMode = o.ceilMode;
    this.countIncludePad = o.countIncludePad;
  }

  forward(x: Tensor): Tensor {
    return avgPool2d(
      x,
      this.kernelSize,
      { stride: this.stride, padding: this.padding, ceilMode: this.ceilMode, countIncludePad: this.countIncludePad },
      'AvgPool2d',
    );
  }

  override extraRepr(): string {
    return `kernel_size=${pyTuple(this.kernelSize)}, stride=${pyTuple(this.stride)}, padding=${pyTuple(this.padding)}`;
  }
}

/** Averages an [N, C, H, W] input into `outputSize` windows, as `torch.nn.AdaptiveAvgPool2d`. */
export class AdaptiveAvgPool2d extends Module {
  readonly outputSize: Pair;

  /** `new AdaptiveAvgPool2d(7)` or `new AdaptiveAvgPool2d([7, 7])`. */
  constructor(outputSize: Pair) {
    super();
    this.outputSize = outputSize;
  }

  forward(x: Tensor): Tensor {
    return adaptiveAvgPool2d(x, this.outputSize, 'AdaptiveAvgPool2d');
  }

  override extraRepr(): string {
    return `output_size=${pyTuple(this.outputSize)}`;
  }
}
