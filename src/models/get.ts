/**
 * `get(name, options)`: a zoo model by torchvision name, with weights loaded strictly from a file
 * or by name (as `torchvision.models.get_model` + `load_state_dict`); `disposeModel`,
 * `countParameters`.
 */
import { load } from '../io/index.js';
import type { Tensor } from '../tensor.js';
import type { Module, StateDict } from '../nn/module.js';
import { releaseFusionCache } from '../nn/fusion.js';
import { pretrainedOptions, afterPretrained, matchAuxHeads } from './pretrained.js';
// The modern half of the zoo (EfficientNet, MobileNet, ConvNeXt, ViT):
import { resolveWeights, fetchWeights, type FetchWeightsOptions, type Weights } from './weights/index.js';
import * as densenet from './densenet.js';
import { builders, names, type ModelOf } from './registry.js';
import { checkArg, describeValue, isPlainObject } from '../args.js';

/** Options of `get`: the model's own (`numClasses`, `dropout`) and what to load into it. */
export interface GetOptions {
  /** Size of the last layer (torchvision's `num_classes`). */
  numClasses?: number;
  /** Classifier dropout (AlexNet, VGG, SqueezeNet, GoogLeNet, Inception v3, as in torchvision). */
  dropout?: number;
  /** Any other option of the model's builder (e.g. `auxLogits`, `groups`, `memoryEfficient`, `stochasticDepthProb`, `widthMult`, `imageSize`). */
  [option: string]: unknown;
  /**
   * Weights to load strictly: a `Weights` (`ResNet18_Weights.IMAGENET1K_V1`) or its name
   * (`'DEFAULT'`, `'IMAGENET1K_V1'`, `'ResNet18_Weights.IMAGENET1K_V1'`), fetched through
   * PyTorch's cache; or a file (path or bytes: `.pth`, legacy `.th`/`.pt`, `.safetensors`).
   */
  weights?: string | Uint8Array | Weights;
  /** Named weights: the download's progress bar (default on stderr in Node), a callback, or false. */
  progress?: FetchWeightsOptions['progress'];
  /** Named weights: false skips the download's sha256 check (default true). */
  checkHash?: boolean;
  /** Removed from the front of every key in the file, e.g. `'module.'` for `nn.DataParallel`. */
  stripPrefix?: string;
}

/** torchvision names pass unchanged; the old camelCase ones ('vgg16Bn', 'cifarResnet20') are a deprecated alias. */
function canonicalName(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

/** Renamings torchvision applies to the keys of its published files before loading them. */
const keyRemaps: Partial<Record<string, (state: StateDict) => StateDict>> = {
  densenet121: densenet.remapDensenetKeys,
  densenet161: densenet.remapDensenetKeys,
  densenet169: densenet.remapDensenetKeys,
  densenet201: densenet.remapDensenetKeys,
};

/**
 * Builds a model by name, as `torchvision.models.get_model(name, num_classes=..., dropout=...)`,
 * and, with `weights`, loads a state dict into it strictly (as `model.load_state_dict(torch.load(f))`).
 * Names are torchvision's (`'resnet18'`, `'vgg16_bn'`; see `names`); the camelCase spellings
 * of earlier versions (`'vgg16Bn'`) are still accepted but deprecated. Published DenseNet files
 * have their old keys renamed (`remapDensenetKeys`); with named weights, GoogLeNet and
 * Inception v3 are built as torchvision builds them (`transformInput` unless given, auxiliary
 * heads loaded; googlenet then drops them unless `auxLogits: true` was given); a file without
 * auxiliary-head keys loads into a model without auxiliary heads.
 * A file written for another model fails with the strict-load error listing the missing and
 * unexpected keys, prefixed with the model and file name. Files from before PyTorch 0.4.1 have no
 * `num_batches_tracked`; as PyTorch does, those counters start at 0.
 */
export async function get<N extends string>(name: N, options: GetOptions = {}): Promise<ModelOf<N>> {
  if (!isPlainObject(options)) throw new Error(`models.get: options must be an object, got ${describeValue(options)}`);
  checkArg('models.get', 'weights', options.weights, 'string|bytes|object');
  checkArg('models.get', 'stripPrefix', options.stripPrefix, 'string');
  checkArg('models.get', 'progress', options.progress, 'boolean|function');
  checkArg('models.get', 'checkHash', options.checkHash, 'boolean');
  const key = canonicalName(name);
  const build = (builders as Record<string, (options: object) => Module>)[key];
  if (!build) throw new Error(`models.get: unknown model '${name}'; known models: ${names.join(', ')}`);
  const { weights: given, stripPrefix, progress, checkHash, ...modelOptions } = options;
  const named = given === undefined ? null : resolveWeights(key, given);
  const categories = named?.meta.categories?.length;
  if (named && categories && modelOptions.numClasses !== undefined && modelOptions.numClasses !== categories) {
    throw new Error(
      `models.get('${key}'): numClasses = ${modelOptions.numClasses} does not match the ${categories} categories of ${named}`,
    );
  }
  const weights = named
    ? await fetchWeights(named, { progress, checkHash })
    : (given as string | Uint8Array | undefined);
  const options_ = named && categories ? { ...modelOptions, numClasses: categories } : modelOptions;
  // torchvision's ViT builders take the image size from named weights too (SWAG files: 384, 512, 518 px).
  const sized = named && key.startsWith('vit_') ? { ...options_, imageSize: named.meta.minSize[0] } : options_;
  const model = build(named ? pretrainedOptions(key, sized) : sized) as ModelOf<N>;
  if (weights === undefined) return model;
  const file =
    typeof weights === 'string'
      ? weights.split(/[\\/]/).pop()!
      : named
        ? named.fileName
        : `<${weights.byteLength} bytes>`;
  let state: Map<string, Tensor>;
  try {
    state = await load(weights, { stripPrefix: stripPrefix ?? named?.meta.stripPrefix });
    state = keyRemaps[key]?.(state) ?? state;
    if (!named) matchAuxHeads(model, state.keys(), modelOptions);
  } catch (e) {
    disposeModel(model);
    throw new Error(`models.get('${key}'): cannot read ${file}: ${(e as Error).message}`);
  }
  try {
    model.loadStateDict(state); // BatchNorm fills a missing num_batches_tracked with 0

    if (named) afterPretrained(key, model, modelOptions);
    return model;
  } catch (e) {
    disposeModel(model);
    throw new Error(`models.get('${key}') with weights ${file}: ${(e as Error).message}`);
  } finally {
    for (const t of state.values()) t.dispose();
  }
}

/** Frees a model's GPU memory now: its parameters, their gradients and its buffers. */
export function disposeModel(model: Module): void {
  releaseFusionCache(model); // the folded batch norm weights (nn/fusion.ts)
  model.dispose();
}

/** Number of parameters (as `sum(p.numel() for p in model.parameters())`). */
export function countParameters(model: Module): number {
  return model.parameters().reduce((n, p) => n + p.size, 0);
}
