/**
 * What torchvision's `googlenet(weights=...)` and `inception_v3(weights=...)` change when they
 * load a published file: `transform_input` on unless given (the ported TensorFlow weights expect
 * inputs in [-1, 1]), the auxiliary heads built and loaded (the files hold them), no random
 * initialisation; afterwards googlenet drops its auxiliary heads unless `aux_logits=True` was
 * asked for. Other models are built from the given options unchanged. torchvision does this for
 * its named weights only; a file given by path or bytes loads into the model the options build,
 * without auxiliary heads if the file has none.
 */
import type { Module } from '../nn/module.js';
import { GoogLeNet } from './googlenet.js';
import { Inception3 } from './inception.js';

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

/** Removes GoogLeNet's or Inception v3's auxiliary heads (and frees them), as torchvision sets them to None. */
function dropAuxHeads(model: GoogLeNet | Inception3): void {
  const heads = model instanceof GoogLeNet ? [model.aux1, model.aux2] : [model.AuxLogits];
  for (const head of heads) for (const t of [...(head?.parameters() ?? []), ...(head?.buffers() ?? [])]) t.dispose();
  model.auxLogits = false;
  if (model instanceof GoogLeNet) {
    model.aux1 = null;
    model.aux2 = null;
  } else model.AuxLogits = null;
}

/** After loading named weights: googlenet keeps its auxiliary heads only if `auxLogits: true` was given. */
export function afterPretrained(name: string, model: Module, given: Record<string, unknown>): void {
  if (model instanceof GoogLeNet && given.auxLogits !== true) dropAuxHeads(model);
}

/**
 * Before loading a file: a file without auxiliary-head keys (a model fine-tuned and saved without
 * them) loads into a model without them, unless `auxLogits` was given.
 */
export function matchAuxHeads(model: Module, keys: Iterable<string>, given: Record<string, unknown>): void {
  if (given.auxLogits !== undefined || !(model instanceof GoogLeNet || model instanceof Inception3)) return;
  const prefix = model instanceof GoogLeNet ? /^aux[12]\./ : /^AuxLogits\./;
  if (![...keys].some((k) => prefix.test(k))) dropAuxHeads(model);
}
