/** Activations and Dropout, as torch.nn's. */
import type { Tensor } from '../../tensor.js';
import { relu, sigmoid, tanh } from '../../ops/elementwise.js';
import { silu, hardswish, hardsigmoid, relu6, gelu } from '../../ops/activation.js';
import { softmax, logSoftmax } from '../../ops/softmax.js';
import { dropout } from '../../ops/dropout.js';
import { Module } from '../module.js';
import { parseArgs } from '../args.js';
import { pyBool, pyFloat } from '../repr.js';

/** y = max(x, 0), as `torch.nn.ReLU`. */
export class ReLU extends Module {
  /** Accepted for PyTorch compatibility; the result is a new tensor either way. */
  readonly inplace: boolean;

  /** `new ReLU()`, `new ReLU(true)` or `new ReLU({inplace: true})`. */
  constructor(...args: Array<boolean | { inplace?: boolean }>) {
    super();
    this.inplace = parseArgs('ReLU', ['inplace'], args, { inplace: false }).inplace;
  }

  forward(x: Tensor): Tensor {
    return relu(x);
  }

  override extraRepr(): string {
    return this.inplace ? 'inplace=True' : '';
  }
}

/** Reads PyTorch's `inplace` flag (positional or `{inplace}`); the result is a new tensor either way. */
function inplaceFlag(layer: string, args: Array<boolean | { inplace?: boolean }>): boolean {
  return parseArgs(layer, ['inplace'], args, { inplace: false }).inplace;
}

/** x * sigmoid(x) (`nn.SiLU`); repr `SiLU()` or `SiLU(inplace=True)`. */
export class SiLU extends Module {
  readonly inplace: boolean;

  /** `new SiLU()`, `new SiLU(true)` or `new SiLU({inplace: true})` (the result is a new tensor either way). */
  constructor(...args: Array<boolean | { inplace?: boolean }>) {
    super();
    this.inplace = inplaceFlag('SiLU', args);
  }

  forward(x: Tensor): Tensor {
    return silu(x);
  }

  override extraRepr(): string {
    return this.inplace ? 'inplace=True' : '';
  }
}

/** min(max(x, 0), 6) (`nn.ReLU6`); repr `ReLU6()` or `ReLU6(inplace=True)`. */
export class ReLU6 extends Module {
  readonly inplace: boolean;

  /** `new ReLU6()`, `new ReLU6(true)` or `new ReLU6({inplace: true})` (the result is a new tensor either way). */
  constructor(...args: Array<boolean | { inplace?: boolean }>) {
    super();
    this.inplace = inplaceFlag('ReLU6', args);
  }

  forward(x: Tensor): Tensor {
    return relu6(x);
  }

  override extraRepr(): string {
    return this.inplace ? 'inplace=True' : '';
  }
}

/** x * relu6(x + 3) / 6 (`nn.Hardswish`); PyTorch prints `Hardswish()` whatever `inplace` is. */
export class Hardswish extends Module {
  readonly inplace: boolean;

  /** `new Hardswish()` or with `inplace` as `new Hardswish(true)` / `{inplace: true}` (the result is a new tensor either way). */
  constructor(...args: Array<boolean | { inplace?: boolean }>) {
    super();
    this.inplace = inplaceFlag('Hardswish', args);
  }

  forward(x: Tensor): Tensor {
    return hardswish(x);
  }
}

/** relu6(x + 3) / 6 (`nn.Hardsigmoid`); printed `Hardsigmoid()` whatever `inplace` is. */
export class Hardsigmoid extends Module {
  readonly inplace: boolean;

  /** `new Hardsigmoid()` or with `inplace` as `new Hardsigmoid(true)` / `{inplace: true}` (the result is a new tensor either way). */
  constructor(...args: Array<boolean | { inplace?: boolean }>) {
    super();
    this.inplace = inplaceFlag('Hardsigmoid', args);
  }

  forward(x: Tensor): Tensor {
    return hardsigmoid(x);
  }
}

/** x * Phi(x) (`nn.GELU`), or its tanh approximation: `new GELU({approximate: 'tanh'})` or `new GELU('tanh')`. */
export class GELU extends Module {
  readonly approximate: 'none' | 'tanh';

  /** `new GELU()`, `new GELU('tanh')` or `new GELU({approximate: 'tanh'})`. */
  constructor(...args: Array<'none' | 'tanh' | { approximate?: 'none' | 'tanh' }>) {
    super();
    this.approximate = parseArgs(
      'GELU',
      ['approximate'],
      args,
      { approximate: 'none' as 'none' | 'tanh' },
      { approximate: ['none', 'tanh'] },
    ).approximate;
    if (this.approximate !== 'none' && this.approximate !== 'tanh')
      throw new Error(`GELU: approximate must be 'none' or 'tanh', got '${this.approximate}'`);
  }

  forward(x: Tensor): Tensor {
    return gelu(x, { approximate: this.approximate });
  }

  override extraRepr(): string {
    return `approximate='${this.approximate}'`;
  }
}

/** y = 1 / (1 + e^-x), as `torch.nn.Sigmoid`. */
export class Sigmoid extends Module {
  forward(x: Tensor): Tensor {
    return sigmoid(x);
  }
}

/** y = tanh x, as `torch.nn.Tanh`. */
export class Tanh extends Module {
  forward(x: Tensor): Tensor {
    return tanh(x);
  }
}

/** y_i = e^(x_i) / Σ_j e^(x_j) along `dim`, as `torch.nn.Softmax(dim)`. */
export class Softmax extends Module {
  /** `new Softmax(dim)`: normalises along `dim`. */
  constructor(readonly dim: number) {
    super();
  }

  forward(x: Tensor): Tensor {
    return softmax(x, this.dim);
  }

  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}

/** y_i = x_i - log Σ_j e^(x_j) along `dim`, as `torch.nn.LogSoftmax(dim)`. */
export class LogSoftmax extends Module {
  /** `new LogSoftmax(dim)`: normalises along `dim`. */
  constructor(readonly dim: number) {
    super();
  }

  forward(x: Tensor): Tensor {
    return logSoftmax(x, this.dim);
  }

  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}

/** In training, zeroes each element with probability `p` and scales the rest by 1 / (1 - p); the identity in eval mode; as `torch.nn.Dropout`. */
export class Dropout extends Module {
  readonly p: number;
  readonly inplace: boolean;

  /** `new Dropout()` (p = 0.5), `new Dropout(0.2)`, `new Dropout({p: 0.2})`. Identity in eval mode. */
  constructor(...args: Array<number | boolean | { p?: number; inplace?: boolean }>) {
    super();
    const o = parseArgs('Dropout', ['p', 'inplace'], args, { p: 0.5, inplace: false });
    if (!(o.p >= 0 && o.p <= 1)) throw new Error(`Dropout: probability has to be between 0 and 1, but got ${o.p}`);
    this.p = o.p;
    this.inplace = o.inplace;
  }

  forward(x: Tensor): Tensor {
    return dropout(x, this.p, this.training);
  }

  override extraRepr(): string {
    return `p=${pyFloat(this.p)}, inplace=${pyBool(this.inplace)}`;
  }
}
