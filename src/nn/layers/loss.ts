/** Loss modules, as torch.nn's: CrossEntropyLoss, MSELoss, L1Loss, BCEWithLogitsLoss. */
import type { Tensor } from '../../tensor.js';
import { binaryCrossEntropyWithLogits, crossEntropy, l1Loss, mseLoss, type Reduction } from '../../ops/loss.js';
import { Module } from '../module.js';
import { parseArgs } from '../args.js';

const REDUCTION = { reduction: ['mean', 'sum', 'none'] } as const;

/** -log softmax(logits)[target] between logits [N, C, ...] and int32 class indices [N, ...], averaged by default, as `torch.nn.CrossEntropyLoss` (`reduction`, `ignoreIndex` -100, `labelSmoothing` 0). */
export class CrossEntropyLoss extends Module {
  readonly reduction: Reduction;
  readonly ignoreIndex: number;
  readonly labelSmoothing: number;

  /** `new CrossEntropyLoss({reduction, ignoreIndex, labelSmoothing})` ('mean', -100, 0 by default). */
  constructor(options: { reduction?: Reduction; ignoreIndex?: number; labelSmoothing?: number } = {}) {
    super();
    const o = parseArgs(
      'CrossEntropyLoss',
      [],
      [options],
      {
        reduction: 'mean' as Reduction,
        ignoreIndex: -100,
        labelSmoothing: 0,
      },
      { ...REDUCTION, ignoreIndex: 'integer' },
    );
    this.reduction = o.reduction;
    this.ignoreIndex = o.ignoreIndex;
    this.labelSmoothing = o.labelSmoothing;
  }

  forward(logits: Tensor, target: Tensor): Tensor {
    return crossEntropy(
      logits,
      target,
      { reduction: this.reduction, ignoreIndex: this.ignoreIndex, labelSmoothing: this.labelSmoothing },
      'CrossEntropyLoss',
    );
  }
}

/** mean((input - target)²) (or its sum, or none), as `torch.nn.MSELoss`. */
export class MSELoss extends Module {
  /** `new MSELoss({reduction})` ('mean' by default). */
  constructor(readonly options: { reduction?: Reduction } = {}) {
    super();
    parseArgs('MSELoss', [], [options], { reduction: 'mean' as Reduction }, REDUCTION);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return mseLoss(input, target, this.options);
  }
}

/** mean(|input - target|) (or its sum, or none), as `torch.nn.L1Loss`. */
export class L1Loss extends Module {
  /** `new L1Loss({reduction})` ('mean' by default). */
  constructor(readonly options: { reduction?: Reduction } = {}) {
    super();
    parseArgs('L1Loss', [], [options], { reduction: 'mean' as Reduction }, REDUCTION);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return l1Loss(input, target, this.options);
  }
}

/** Binary cross-entropy on logits z with targets y in [0, 1]: max(z, 0) - z y + log(1 + e^-|z|), averaged by default, as `torch.nn.BCEWithLogitsLoss`. */
export class BCEWithLogitsLoss extends Module {
  /** `new BCEWithLogitsLoss({reduction})` ('mean' by default). */
  constructor(readonly options: { reduction?: Reduction } = {}) {
    super();
    parseArgs('BCEWithLogitsLoss', [], [options], { reduction: 'mean' as Reduction }, REDUCTION);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return binaryCrossEntropyWithLogits(input, target, this.options);
  }
}
