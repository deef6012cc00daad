/**
 * Which parameters each phase of fine-tuning trains: the new last layer (the head), the rest
 * (the backbone), and what `freeze` leaves trainable in phase 1.
 */
import type { Module } from '../nn/module.js';
import type { Parameter } from '../nn/parameter.js';
import { headPath, moduleAt } from './head.js';

/** What phase 1 of fine-tuning keeps fixed: the feature extractor, all but the new last layer, nothing, or the first N layers. */
export type Freeze = 'features' | 'all-but-head' | 'none' | number;

/** The parameters of a model split for the two phases of fine-tuning. */
export interface FreezePlan {
  /** The new last layer's parameters (phase 2's head group) and all others (the backbone group). */
  head: Parameter[];
  backbone: Parameter[];
  /** What phase 1 trains. */
  phase1: Set<Parameter>;
}

/**
 * Which parameters phase 1 trains. 'features' freezes the `features` block (AlexNet, VGG,
 * SqueezeNet: their whole classifier trains) and, for models without one (ResNets), everything
 * but the head; N freezes the first N layers that hold parameters, in the order of the forward pass.
 * In PyTorch: `for p in model.features.parameters(): p.requires_grad = False`.
 */
export function freezePlan(model: Module, name: string, freeze: Freeze): FreezePlan {
  const headParams = new Set(moduleAt(model, headPath(name)).module.parameters());
  const named = model.namedParameters();
  const head = named.filter(([, p]) => headParams.has(p)).map(([, p]) => p);
  const backbone = named.filter(([, p]) => !headParams.has(p)).map(([, p]) => p);
  let phase1: Parameter[];
  if (freeze === 'none') phase1 = named.map(([, p]) => p);
  else if (freeze === 'all-but-head') phase1 = head;
  else if (freeze === 'features') {
    const hasFeatures = named.some(([n]) => n.startsWith('features.'));
    phase1 = hasFeatures ? named.filter(([n]) => !n.startsWith('features.')).map(([, p]) => p) : head;
  } else {
    const layers = [...new Set(named.map(([n]) => n.slice(0, n.lastIndexOf('.'))))];
    if (!(Number.isInteger(freeze) && freeze >= 0 && freeze < layers.length)) {
      throw new Error(
        `finetune: freeze ${freeze} layers, but ${name} has ${layers.length} layers with parameters (the last is the head)`,
      );
    }
    const frozen = new Set(layers.slice(0, freeze));
    phase1 = named.filter(([n]) => !frozen.has(n.slice(0, n.lastIndexOf('.')))).map(([, p]) => p);
  }
  return { head, backbone, phase1: new Set(phase1) };
}
