/** Linear, Identity and Flatten, as torch.nn's. */
import type { Tensor } from '../../tensor.js';
import { addBias } from '../../ops/bias.js';
import { matmulNT } from '../../ops/matmul.js';
import { flatten, reshape } from '../../ops/shape.js';
import { formatShape } from '../../ops/util.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { parseArgs } from '../args.js';
import { pyBool } from '../repr.js';
import { biasUniform, kaimingUniform } from '../init.js';

/**
 * y = x W^T + b for x [..., in], W [out, in], b [out] (`F.linear`). The product reads W in its
 * [out, in] layout (`matmulNT`): no transposed copy of the weight is made.
 */
export function linear(x: Tensor, weight: Tensor, bias: Tensor | null = null, layer = 'linear'): Tensor {
  const inFeatures = weight.shape[1];
  if (x.ndim === 0 || x.shape[x.ndim - 1] !== inFeatures) {
    throw new Error(
      `${layer}: input of shape ${formatShape(x.shape)} does not match weight ${formatShape(weight.shape)} (expected last dimension ${inFeatures})`,
    );
  }
  const outFeatures = weight.shape[0];
  const lead = x.shape.slice(0, -1);
  const flat = x.ndim === 2 ? x : reshape(x, [-1, inFeatures]);
  const y2 = matmulNT(flat, weight);
  const y = x.ndim === 2 ? y2 : reshape(y2, [...lead, outFeatures]);
  return bias ? addBias(y, bias) : y;
}

/** y = x Wᵀ + b, W [outFeatures, inFeatures], b [outFeatures], on the last dimension of x, as `torch.nn.Linear`. */
export class Linear extends Module {
  /** Size of each input's last dimension. */
  readonly inFeatures: number;
  /** Size of each output's last dimension. */
  readonly outFeatures: number;
  /** W [outFeatures, inFeatures], initialised U(-1/√in, 1/√in) (PyTorch's kaiming_uniform_ with a = √5). */
  weight: Parameter;
  /** b [outFeatures], initialised U(-1/√in, 1/√in); null with `bias: false`. */
  bias: Parameter | null;

  /** `new Linear(in, out)`, `new Linear(in, out, false)` or `new Linear(in, out, {bias: false})`. */
  constructor(inFeatures: number, outFeatures: number, ...rest: Array<boolean | { bias?: boolean }>) {
    super();
    const o = parseArgs('Linear', ['bias'], rest, { bias: true });
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.weight = kaimingUniform([outFeatures, inFeatures]);
    this.bias = o.bias ? biasUniform(outFeatures, inFeatures) : null;
  }

  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias, 'Linear');
  }

  override extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${pyBool(this.bias !== null)}`;
  }
}

/** Returns its input (a placeholder, e.g. for a removed classifier). */
export class Identity extends Module {
  forward(x: Tensor): Tensor {
    return x.reshape(x.shape);
  }
}

/** Merges dims `startDim..endDim` (default 1..-1) into one, as `torch.nn.Flatten`. */
export class Flatten extends Module {
  /** First dimension merged (default 1). */
  readonly startDim: number;
  /** Last dimension merged (default -1). */
  readonly endDim: number;

  /** `new Flatten()` (from dim 1), `new Flatten(0)`, `new Flatten({startDim, endDim})`. */
  constructor(...args: Array<number | { startDim?: number; endDim?: number }>) {
    super();
    const o = parseArgs('Flatten', ['startDim', 'endDim'], args, { startDim: 1, endDim: -1 });
    this.startDim = o.startDim;
    this.endDim = o.endDim;
  }

  forward(x: Tensor): Tensor {
    return flatten(x, this.startDim, this.endDim);
  }

  override extraRepr(): string {
    return `start_dim=${this.startDim}, end_dim=${this.endDim}`;
  }
}
