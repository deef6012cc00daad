/**
 * A zoo model for transfer learning: built, loaded from a weight file of any number of classes,
 * and given a new head for the task's classes. The file is read and parsed once, and each of
 * its tensors copied to the GPU once (sg.io.load), whatever the file's head size or key prefix.
 */
import type { Module } from '../nn/module.js';
import type { Tensor } from '../tensor.js';
import { load } from '../io/index.js';
import { get, resolveWeights, fetchWeights, type Weights } from '../models/index.js';
import { headPath, replaceHead } from './head.js';

/** 'vgg16Bn' -> 'vgg16_bn'; torchvision names pass unchanged. */
export const canonicalModelName = (name: string): string => name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();

/**
 * A zoo model with `numClasses` outputs, from `weights` when given (a path or the file's bytes:
 * `.pth`, `.th`, `.safetensors`; or named weights, `'DEFAULT'` or `ResNet18_Weights.IMAGENET1K_V1`,
 * fetched through PyTorch's cache). A file with another number of classes (ImageNet's 1000,
 * CIFAR's 10) is loaded as it is and its head replaced by a fresh layer; nn.DataParallel's
 * `module.` prefix is removed. In PyTorch:
 * `m = resnet18(); m.load_state_dict(torch.load(f)); m.fc = nn.Linear(m.fc.in_features, numClasses)`.
 */
export async function loadModel(
  name: string,
  given: string | Uint8Array | Weights | undefined,
  numClasses: number,
): Promise<Module> {
  const canonical = canonicalModelName(name);
  if (given === undefined) return get(canonical, { numClasses });
  // A weights name ('DEFAULT', 'IMAGENET1K_V1', 'ResNet18_Weights.IMAGENET1K_V1') or enum member:
  // its file in PyTorch's cache, downloaded first if missing.
  const named = resolveWeights(canonical, given);
  const weights = named ? await fetchWeights(named) : (given as string | Uint8Array);
  const file = typeof weights === 'string' ? weights : `<${weights.byteLength} bytes>`;
  const state = await load(weights, { name: typeof weights === 'string' ? undefined : file });
  try {
    const headKey = `${headPath(canonical)}.weight`;
    const prefix = state.has(headKey) ? '' : state.has(`module.${headKey}`) ? 'module.' : null;
    if (prefix === null) throw new Error(`loadModel: ${file} has no tensor ${headKey}; is it a ${canonical} file?`);
    const keyed = new Map([...state].map(([k, t]) => [k.startsWith(prefix) ? k.slice(prefix.length) : k, t]));
    const model = await get(canonical, { numClasses: keyed.get(headKey)!.shape[0] });
    loadStrict(model, keyed, canonical, file);
    if (keyed.get(headKey)!.shape[0] !== numClasses) replaceHead(model, canonical, numClasses);
    return model;
  } finally {
    for (const t of state.values()) t.dispose();
  }
}

/**
 * `model.loadStateDict(state)`, strict; files from before PyTorch 0.4.1 have no batch-norm
 * `num_batches_tracked` counters: as PyTorch does, those start at 0. On failure the model is
 * disposed and the error names the model and the file.
 */
function loadStrict(model: Module, state: Map<string, Tensor>, name: string, file: string): void {
  try {
    model.loadStateDict(state); // BatchNorm fills a missing num_batches_tracked with 0
  } catch (e) {
    for (const t of model.stateDict().values()) t.dispose();
    throw new Error(`loadModel('${name}') with weights ${file}: ${(e as Error).message}`);
  }
}
