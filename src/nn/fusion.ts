/**
 * Layer fusion at forward time, without changing the module tree, its repr or its state-dict
 * keys: `Sequential` (and so `Conv2dNormActivation`) and ResNet's blocks ask this file whether the
 * modules they are about to run can run as one fused op (ops/fused.ts):
 *   Conv2d [-> BatchNorm2d (eval)] [-> ReLU | ReLU6 | SiLU | Hardswish]   one convolution kernel;
 *   Linear -> activation                                                   product + one pass;
 *   relu(out + identity)                                                   one pass (addRelu).
 * An eval-mode BatchNorm2d after a convolution is folded into its weights (Ioffe & Szegedy's
 * affine map, applied to W and b):
 *   s = gamma / sqrt(running_var + eps),  W' = W s (per output channel),  b' = (b - mean) s + beta,
 * computed on the GPU and cached per layer pair; the cache is recomputed when any of those
 * tensors is written in place (Storage.version: copy_, optimiser steps, load_state_dict) or
 * replaced, or when `train()` / `eval()` is called anywhere (nn/module.ts's trainGeneration).
 * Nothing fuses across a module whose `forward` was wrapped on the instance (nn/summary.ts does
 * that to record every layer). `sg.setFusion(false)` runs every module on its own.
 */
import type { Tensor } from '../tensor.js';
import { isGradEnabled, noGrad } from '../autograd.js';
import { keep, tidy } from '../memory.js';
import { add, div, mul, sqrt, sub } from '../ops/elementwise.js';
import { addRelu, conv2dActivation, linearActivation, type FusedActivation } from '../ops/fused.js';
import { reshape } from '../ops/shape.js';
import { isTrackingModules } from '../profile/module_stack.js';
import { Module, onDispose, trainGeneration } from './module.js';
import { Conv2d } from './layers/conv.js';
import { BatchNorm2d } from './layers/batchnorm.js';
import { Linear } from './layers/linear.js';
import { Hardswish, ReLU, ReLU6, SiLU } from './layers/activation.js';

let enabled = true;

/**
 * Turns layer fusion on (the default) or off: off, every module runs its own kernels, as the
 * module tree reads. Fused and unfused forwards agree within float32 rounding (test/fusion.test.ts).
 */
export function setFusion(on: boolean): void {
  enabled = on;
}

/** Whether layer fusion is on (`setFusion`). */
export function fusionEnabled(): boolean {
  return enabled;
}

/** Fusion on, and no profiler recording per module (it must see each module's own launches). */
const active = () => enabled && !isTrackingModules();

/** A module whose forward was replaced on the instance (a hook, nn/summary.ts) must run as is. */
const wrapped = (m: Module) => Object.prototype.hasOwnProperty.call(m, 'forward');

/** The fused name of an activation module (exact classes only: a subclass may change forward). */
export function activationOf(m: Module | null | undefined): FusedActivation | null {
  if (!m || wrapped(m)) return null;
  const c = m.constructor;
  return c === ReLU ? 'relu' : c === ReLU6 ? 'relu6' : c === SiLU ? 'silu' : c === Hardswish ? 'hardswish' : null;
}

// ---- batch norm folded into the convolution ----

interface Fold {
  sources: Array<Tensor | null>;
  versions: number[];
  generation: number;
  weight: Tensor;
  bias: Tensor;
}
const folds = new WeakMap<BatchNorm2d, Fold>();

const foldSources = (conv: Conv2d, bn: BatchNorm2d) => [
  conv.weight,
  conv.bias,
  bn.weight,
  bn.bias,
  bn.running_mean,
  bn.running_var,
];

/** Whether `bn` (after `conv`) can be folded: eval mode, running statistics, no parameter gradient recorded. */
function foldable(conv: Conv2d, bn: Module | undefined): bn is BatchNorm2d {
  if (!bn || bn.constructor !== BatchNorm2d || wrapped(bn)) return false;
  const b = bn as BatchNorm2d;
  if (b.training || !b.trackRunningStats || b.numFeatures !== conv.outChannels) return false;
  return !isGradEnabled() || ![conv.weight, conv.bias, b.weight, b.bias].some((p) => p?.requiresGrad);
}

/** W' and b' of conv followed by eval-mode bn, from the cache when nothing changed. */
function folded(conv: Conv2d, bn: BatchNorm2d): { weight: Tensor; bias: Tensor } {
  const sources = foldSources(conv, bn);
  const versions = sources.map((t) => t?.storage.version ?? -1);
  const cached = folds.get(bn);
  const fresh =
    cached &&
    cached.generation === trainGeneration() &&
    cached.sources.every((t, i) => t === sources[i]) &&
    cached.versions.every((v, i) => v === versions[i]);
  if (fresh) return cached;
  if (cached) forget(bn);
  const [weight, bias] = tidy(() =>
    noGrad(() => {
      const c = conv.outChannels;
      const scale = div(bn.weight ?? 1, sqrt(add(bn.running_var, bn.eps))); // [C]
      const w = mul(conv.weight, reshape(scale, [c, 1, 1, 1]));
      const shift = conv.bias ? sub(conv.bias, bn.running_mean) : mul(bn.running_mean, -1);
      const b = mul(shift, scale);
      return [keep(w), keep(bn.bias ? add(b, bn.bias) : b)];
    }),
  );
  const fold = { sources, versions, generation: trainGeneration(), weight, bias };
  folds.set(bn, fold);
  onDispose(bn, () => forget(bn)); // model.dispose() frees the folded weights too
  return fold;
}

function forget(bn: BatchNorm2d): void {
  const fold = folds.get(bn);
  if (!fold) return;
  fold.weight.dispose();
  fold.bias.dispose();
  folds.delete(bn);
  onDispose(bn, null);
}

/** Frees the folded weights cached for the batch norm layers of `model` (`model.dispose()` does it too). */
export function releaseFusionCache(model: Module): void {
  for (const m of model.modules()) if (m instanceof BatchNorm2d) forget(m);
}

// ---- running fused sequences ----

/**
 * act(bn(conv(x))) with either of bn and act absent: as one convolution when fusion is on and
 * the layers allow it, else module by module. ResNet's blocks call it for their conv-bn(-relu).
 */
export function convBnAct(conv: Conv2d, bn: BatchNorm2d | null, act: Module | null, x: Tensor): Tensor {
  const fused = active() && conv.constructor === Conv2d && !wrapped(conv) ? fuseConv(conv, bn, act, x) : null;
  if (fused) return fused;
  const y = bn ? bn.forward(conv.forward(x)) : conv.forward(x);
  return act ? act.forward(y) : y;
}

/** The fused forward of conv, bn, act, or null where bn cannot be folded or act is not fusable. */
function fuseConv(conv: Conv2d, bn: Module | null, act: Module | null, x: Tensor): Tensor | null {
  if (bn && !foldable(conv, bn)) return null;
  const a = act ? activationOf(act) : null;
  if (act && !a) return null;
  const { weight, bias } = bn ? folded(conv, bn as BatchNorm2d) : { weight: conv.weight, bias: conv.bias };
  const options = { stride: conv.stride, padding: conv.padding, dilation: conv.dilation, groups: conv.groups };
  return conv2dActivation(x, weight, bias, options, a ?? 'none', 'Conv2d');
}

/** relu(a + b) as one pass when fusion is on (ResNet's blocks), else `relu.forward(add(a, b))`. */
export function residualRelu(relu: Module, a: Tensor, b: Tensor): Tensor {
  return active() && activationOf(relu) === 'relu' ? addRelu(a, b) : relu.forward(add(a, b));
}

/**
 * Runs modules[i] and whatever follows it that fuses with it (Sequential's forward): returns the
 * output and the index of the next module to run, or null when modules[i] runs on its own.
 */
export function fusedStep(modules: readonly Module[], i: number, x: Tensor): { y: Tensor; next: number } | null {
  if (!active()) return null;
  const m = modules[i];
  if (wrapped(m)) return null;
  if (m.constructor === Conv2d) {
    const conv = m as Conv2d;
    const bn = foldable(conv, modules[i + 1]) ? (modules[i + 1] as BatchNorm2d) : null;
    const j = bn ? i + 2 : i + 1;
    const act = activationOf(modules[j]) ? modules[j] : null;
    if (!bn && !act) return null;
    const y = fuseConv(conv, bn, act, x);
    return y ? { y, next: act ? j + 1 : j } : null;
  }
  const act = activationOf(modules[i + 1]);
  if (m.constructor === Linear && act) {
    const linear = m as Linear;
    return { y: linearActivation(x, linear.weight, linear.bias, act, 'Linear'), next: i + 2 };
  }
  return null;
}
