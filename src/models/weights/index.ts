/**
 * Resolving weights by name, as torchvision's `get_weight` / `get_model_weights` / the `weights=`
 * argument of its builders, and fetching their file: from PyTorch's cache in Node
 * (hub_node.ts), from Cache Storage in browsers (hub_browser.ts), downloading when absent.
 * `SHADERGRAD_WEIGHTS_URL` (or the `baseUrl` option) replaces the directory of every URL, for
 * mirrors and tests: `<base>/<file name>`.
 */
import { Weights, type AnyWeightsEnum } from './weights.js';
import { TORCHVISION_WEIGHTS } from './table.js';
import { CIFAR_WEIGHTS } from './cifar.js';
import { cachedFile } from './hub_node.js';
import { cachedBytes } from './hub_browser.js';
import type { ProgressOption } from './progress.js';
import { checkOptions } from '../../args.js';

export { Weights, type WeightsEnum, type AnyWeightsEnum, type WeightsMeta, type PresetSpec } from './weights.js';
export * from './table.js';
export * from './cifar.js';
export { torchHome, checkpointsDir, hashPrefix, cachedFile, type FetchOptions } from './hub_node.js';
export { formatProgress, type DownloadProgress, type ProgressOption } from './progress.js';

/** Every weights enum by model name (torchvision's names, and `cifar_resnetN`). */
const BY_MODEL: Record<string, AnyWeightsEnum> = { ...TORCHVISION_WEIGHTS, ...CIFAR_WEIGHTS };
const BY_ENUM: Record<string, AnyWeightsEnum> = Object.fromEntries(Object.values(BY_MODEL).map((e) => [e.enumName, e]));

/**
 * The weights enum of a model, as `torchvision.models.get_model_weights('resnet18')`
 * (-> `ResNet18_Weights`). Throws for a model without pretrained weights.
 */
export function getModelWeights(model: string): AnyWeightsEnum {
  const found = BY_MODEL[model];
  if (!found) throw new Error(`getModelWeights: no pretrained weights are known for '${model}'`);
  return found;
}

/**
 * One set of weights by its full name, as `torchvision.models.get_weight('ResNet18_Weights.IMAGENET1K_V1')`;
 * with `model`, also by member name alone (`'IMAGENET1K_V1'`, `'DEFAULT'`).
 */
export function getWeight(name: string, model?: string): Weights {
  const dot = name.indexOf('.');
  if (dot >= 0) {
    const e = BY_ENUM[name.slice(0, dot)];
    if (!e) throw new Error(`getWeight: unknown weights enum '${name.slice(0, dot)}' in '${name}'`);
    if (model !== undefined && e.model !== model)
      throw new Error(`getWeight: ${name} are weights for ${e.model}, not ${model}`);
    return e.verify(name);
  }
  if (model === undefined)
    throw new Error(`getWeight: '${name}' needs a model name, or the enum's name as in 'ResNet18_Weights.${name}'`);
  return getModelWeights(model).verify(name);
}

/** True for strings that name weights rather than a file: `DEFAULT`, `IMAGENET1K_V1`, `Enum_Weights.MEMBER`. */
export function isWeightsName(value: string): boolean {
  return /^[A-Z][A-Z0-9_]*$/.test(value) || /^[A-Za-z0-9]+(?:_[A-Za-z0-9]+)*_Weights\.[A-Z][A-Z0-9_]*$/.test(value);
}

/**
 * The `Weights` that `value` names for `model`, or null when `value` is a file (a path or bytes).
 * A Weights for another model is an error, as torchvision's `verify`.
 */
export function resolveWeights(model: string, value: Weights | string | Uint8Array): Weights | null {
  if (value instanceof Weights) {
    if (value.model !== model)
      throw new Error(
        `Invalid Weight class provided; expected ${getModelWeights(model).enumName} but received ${value.enumName}.`,
      );
    return value;
  }
  if (typeof value !== 'string' || !isWeightsName(value)) return null;
  return getWeight(value, model);
}

/** Options of `fetchWeights` (and of `models.get` with named weights). */
export interface FetchWeightsOptions {
  /** Replaces the URL's directory (default: `$SHADERGRAD_WEIGHTS_URL` in Node, else the published URL). */
  baseUrl?: string;
  /** Node: the cache directory (default: torch.hub's `checkpointsDir()`). */
  cacheDir?: string;
  /** A progress bar on stderr (default in Node), a callback, or false. */
  progress?: ProgressOption;
  /** Node: false skips the sha256 check of a download (default true). */
  checkHash?: boolean;
}

/** Where `weights` is downloaded from: `url`, or `<base>/<fileName>` with a mirror. */
export function downloadUrl(weights: Weights, baseUrl?: string): string {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const base = baseUrl ?? env?.SHADERGRAD_WEIGHTS_URL;
  return base ? `${base.replace(/\/+$/, '')}/${weights.fileName}` : weights.url;
}

const isNode = () => !!(globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node;

/**
 * The weight file of `weights`: in Node its path in PyTorch's cache (downloaded first if
 * missing), in a browser its bytes (from Cache Storage or downloaded). As torchvision's
 * `weights.get_state_dict()` minus the parsing, which `sg.io.load` does.
 */
export async function fetchWeights(weights: Weights, options: FetchWeightsOptions = {}): Promise<string | Uint8Array> {
  checkOptions('fetchWeights', options, {
    baseUrl: 'string',
    cacheDir: 'string',
    progress: 'boolean|function',
    checkHash: 'boolean',
  });
  const url = downloadUrl(weights, options.baseUrl);
  const check = { sha256: weights.meta.sha256, progress: options.progress };
  if (isNode())
    return cachedFile(url, weights.fileName, { ...check, cacheDir: options.cacheDir, checkHash: options.checkHash });
  return cachedBytes(url, weights.fileName, check);
}
