/**
 * What torchvision's `googlenet(weights=...)` and `inception_v3(weights=...)` change when they
 * load a published file: `transform_input` on unless given (the ported TensorFlow weights expect
 * inputs in [-1, 1]), the auxiliary heads built and loaded (the files hold them), no random
 * initialisation; afterwards googlenet drops its auxiliary heads unless `aux_logits=True` was
 * asked for. Other models are built from the given options unchanged.
 */
import type { Module } from '../nn/module.js';
import { GoogLeNet } from './googlenet.js';

const PORTED = new Set(['googlenet', 'inception_v3']);

/** torchvision's `_ovewrite_named_param`: a given value must equal the forced one. */
function overwrite(options: Record<string, unknown>, key: string, value: unknown): void {
  if (options[key] === undefined) options[key] = value;
  else if (options[key] !== value) {
    const py = (v: unknown) => (v === true ? 'True' : v === false ? 'False' : String(v));
    throw new Error(
      `models.get: the parameter '${key}' expected value ${py(value)} but got ${py(options[key])} instead.`,
    );
  }
}

/** The options `get(name, {weights})` builds the model with. */
export function pretrainedOptions(name: string, given: Record<string, unknown>): Record<string, unknown> {
  if (!PORTED.has(name)) return given;
  const options = { ...given };
  if (options.transformInput === undefined) options.transformInput = true;
  overwrite(options, 'auxLogits', true);
  overwrite(options, 'initWeights', false);
  return options;
}

/** After loading: googlenet keeps its auxiliary heads only if `auxLogits: true` was given. */
export function afterPretrained(name: string, model: Module, given: Record<string, unknown>): void {
  if (!(model instanceof GoogLeNet) || given.auxLogits === true) return;
  for (const head of [model.aux1, model.aux2]) for (const p of head?.parameters() ?? []) p.dispose();
  for (const head of [model.aux1, model.aux2]) for (const b of head?.buffers() ?? []) b.dispose();
  model.auxLogits = false;
  model.aux1 = null;
  model.aux2 = null;
}
