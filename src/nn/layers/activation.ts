/** Activations and Dropout, as torch.nn's. */
import type { Tensor } from '../../tensor.js';
import { relu, sigmoid, tanh } from '../../ops/elementwise.js';
import { softmax, logSoftmax } from '../../ops/softmax.js';
import { dropout } from '../../ops/dropout.js';
import { Module } from '../module.js';
import { parseArgs } from '../args.js';
import { pyBool, pyFloat } from '../repr.js';

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

export class Sigmoid extends Module {
  forward(x: Tensor): Tensor {
    return sigmoid(x);
  }
}

export class Tanh extends Module {
  forward(x: Tensor): Tensor {
    return tanh(x);
  }
}

export class Softmax extends Module {
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

export class LogSoftmax extends Module {
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
