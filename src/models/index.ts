/**
 * `sg.models`: torchvision 0.14's classification networks and the CIFAR-10 ResNets of
 * akamaster/pytorch_resnet_cifar10, with torchvision's module trees, so their `stateDict()`
 * keys, `namedParameters()` and `toString()` are exactly PyTorch's and PyTorch weight files
 * load as they are.
 *
 *   const model = await sg.models.get('resnet18', { weights: 'resnet18-f37072fd.pth' });
 *   const small = sg.models.vgg11_bn({ numClasses: 10 });
 *
 * Weights are not downloaded for you: fetch the file once by hand and pass its path (or its
 * bytes). torchvision's ImageNet weights are at `https://download.pytorch.org/models/<file>`:
 *
 * | model | file |
 * |---|---|
 * | alexnet | `alexnet-owt-7be5be79.pth` |
 * | vgg11, vgg13, vgg16, vgg19 | `vgg11-8a719046.pth`, `vgg13-19584684.pth`, `vgg16-397923af.pth`, `vgg19-dcbb9e9d.pth` |
 * | vgg11_bn, vgg13_bn, vgg16_bn, vgg19_bn | `vgg11_bn-6002323d.pth`, `vgg13_bn-abd245e5.pth`, `vgg16_bn-6c64b313.pth`, `vgg19_bn-c79401a0.pth` |
 * | resnet18, resnet34, resnet50 | `resnet18-f37072fd.pth`, `resnet34-b627a593.pth`, `resnet50-0676ba61.pth` (ResNet-50 V1; V2 is `resnet50-11ad3fa6.pth`) |
 * | squeezenet1_0, squeezenet1_1 | `squeezenet1_0-b66bff10.pth`, `squeezenet1_1-b8a52dc0.pth` |
 * | resnet101, resnet152 | `resnet101-63fe2227.pth`, `resnet152-394f9c45.pth` (V1; V2: `resnet101-cd907fc2.pth`, `resnet152-f82ba261.pth`) |
 * | resnext50_32x4d, resnext101_32x8d, resnext101_64x4d | `resnext50_32x4d-7cdf4587.pth`, `resnext101_32x8d-8ba56ff5.pth`, `resnext101_64x4d-173b62eb.pth` |
 * | wide_resnet50_2, wide_resnet101_2 | `wide_resnet50_2-95faca4d.pth`, `wide_resnet101_2-32ee1156.pth` |
 * | densenet121, densenet161, densenet169, densenet201 | `densenet121-a639ec97.pth`, `densenet161-8d451a50.pth`, `densenet169-b2777c0a.pth`, `densenet201-c1103571.pth` (old key names, renamed on load) |
 * | googlenet | `googlenet-1378be20.pth` |
 * | inception_v3 | `inception_v3_google-0cc3c7bd.pth` |
 * | shufflenet_v2_x0_5, shufflenet_v2_x1_0, shufflenet_v2_x1_5, shufflenet_v2_x2_0 | `shufflenetv2_x0.5-f707e7126e.pth`, `shufflenetv2_x1-5666bf0f80.pth`, `shufflenetv2_x1_5-3c479a10.pth`, `shufflenetv2_x2_0-8be3c8ee.pth` |
 *
 * The CIFAR-10 ResNets' checkpoints are at
 * `https://github.com/akamaster/pytorch_resnet_cifar10/raw/master/pretrained_models/<file>`:
 * `resnet20-12fca82f.th`, `resnet32-d509ac18.th`, `resnet44-014dd654.th`,
 * `resnet56-4bfd9763.th`, `resnet110-1d1ed7c2.th`. They were saved from `nn.DataParallel`, so
 * pass `stripPrefix: 'module.'`. ImageNet models expect 224 x 224 RGB in [0, 1] normalised with
 * mean (0.485, 0.456, 0.406) and std (0.229, 0.224, 0.225); the CIFAR ones 32 x 32 normalised
 * with the same mean and std; inception_v3 expects 299 x 299.
 */
import { load } from '../io/index.js';
import { full } from '../ops/create.js';
import type { Tensor } from '../tensor.js';
import type { Module, StateDict } from '../nn/module.js';
import { alexnet } from './alexnet.js';
import { vgg11, vgg13, vgg16, vgg19, vgg11_bn, vgg13_bn, vgg16_bn, vgg19_bn } from './vgg.js';
import {
  resnet18, resnet34, resnet50, resnet101, resnet152, resnext50_32x4d, resnext101_32x8d, resnext101_64x4d, wide_resnet50_2, wide_resnet101_2,
} from './resnet.js';
import { squeezenet1_0, squeezenet1_1 } from './squeezenet.js';
import { densenet121, densenet161, densenet169, densenet201, remapDensenetKeys } from './densenet.js';
import { googlenet } from './googlenet.js';
import { inception_v3 } from './inception.js';
import { shufflenet_v2_x0_5, shufflenet_v2_x1_0, shufflenet_v2_x1_5, shufflenet_v2_x2_0 } from './shufflenet.js';
import { cifar_resnet20, cifar_resnet32, cifar_resnet44, cifar_resnet56, cifar_resnet110 } from './cifar_resnet.js';
import { pretrainedOptions, afterPretrained } from './pretrained.js';

export { AlexNet, alexnet } from './alexnet.js';
export { VGG, makeLayers, cfgs, vgg11, vgg13, vgg16, vgg19, vgg11_bn, vgg13_bn, vgg16_bn, vgg19_bn, type VGGOptions } from './vgg.js';
export {
  ResNet, BasicBlock, Bottleneck, resnet18, resnet34, resnet50, resnet101, resnet152,
  resnext50_32x4d, resnext101_32x8d, resnext101_64x4d, wide_resnet50_2, wide_resnet101_2, type ResNetOptions,
} from './resnet.js';
export { SqueezeNet, Fire, squeezenet1_0, squeezenet1_1 } from './squeezenet.js';
export {
  DenseNet, _DenseLayer, _DenseBlock, _Transition, densenet121, densenet161, densenet169, densenet201, remapDensenetKeys, type DenseNetOptions,
} from './densenet.js';
export { BasicConv2d, type BasicConv2dArgs } from './basic_conv2d.js';
export { GoogLeNet, Inception, InceptionAux as GoogLeNetInceptionAux, googlenet, type GoogLeNetOptions, type GoogLeNetOutputs } from './googlenet.js';
export {
  Inception3, InceptionA, InceptionB, InceptionC, InceptionD, InceptionE, InceptionAux, inception_v3, type Inception3Options, type InceptionOutputs,
} from './inception.js';
export { transformInput } from './transform_input.js';
export { logitsOf } from './outputs.js';
export { ShuffleNetV2, InvertedResidual, channelShuffle, shufflenet_v2_x0_5, shufflenet_v2_x1_0, shufflenet_v2_x1_5, shufflenet_v2_x2_0 } from './shufflenet.js';
export {
  CifarResNet, CifarBasicBlock, LambdaLayer, optionAShortcut, cifar_resnet20, cifar_resnet32, cifar_resnet44, cifar_resnet56, cifar_resnet110,
  type CifarResNetOptions,
} from './cifar_resnet.js';
export { kaimingNormal_, kaimingUniform_, normal_, truncNormal_, constant_ } from './init.js';
export type { ClassifierOptions } from './options.js';

/** Builders by torchvision name (the CIFAR ResNets as `cifar_resnetN`). */
const builders = {
  alexnet, vgg11, vgg13, vgg16, vgg19, vgg11_bn, vgg13_bn, vgg16_bn, vgg19_bn,
  resnet18, resnet34, resnet50, resnet101, resnet152, resnext50_32x4d, resnext101_32x8d, resnext101_64x4d, wide_resnet50_2, wide_resnet101_2,
  squeezenet1_0, squeezenet1_1, densenet121, densenet161, densenet169, densenet201, googlenet, inception_v3,
  shufflenet_v2_x0_5, shufflenet_v2_x1_0, shufflenet_v2_x1_5, shufflenet_v2_x2_0,
  cifar_resnet20, cifar_resnet32, cifar_resnet44, cifar_resnet56, cifar_resnet110,
};

/** A torchvision model name that `get` knows. */
export type ModelName = keyof typeof builders;
/** The class `get(name)` returns: `get('resnet18')` gives a ResNet; other strings a Module. */
export type ModelOf<N extends string> = N extends ModelName ? ReturnType<(typeof builders)[N]> : Module<unknown>;

/** Every model `get` builds, by its torchvision name. */
export const names: readonly string[] = Object.freeze(Object.keys(builders));

export interface GetOptions {
  /** Size of the last layer (torchvision's `num_classes`). */
  numClasses?: number;
  /** Classifier dropout (AlexNet, VGG, SqueezeNet, GoogLeNet, Inception v3, as in torchvision). */
  dropout?: number;
  /** Any other option of the model's builder (e.g. `auxLogits`, `groups`, `memoryEfficient`). */
  [option: string]: unknown;
  /** A weight file (path or bytes: `.pth`, legacy `.th`/`.pt`, `.safetensors`) to load strictly. */
  weights?: string | Uint8Array;
  /** Removed from the front of every key in the file, e.g. `'module.'` for `nn.DataParallel`. */
  stripPrefix?: string;
}

/** torchvision names pass unchanged; the old camelCase ones ('vgg16Bn', 'cifarResnet20') are a deprecated alias. */
function canonicalName(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

/** Renamings torchvision applies to the keys of its published files before loading them. */
const keyRemaps: Partial<Record<string, (state: StateDict) => StateDict>> = {
  densenet121: remapDensenetKeys, densenet161: remapDensenetKeys, densenet169: remapDensenetKeys, densenet201: remapDensenetKeys,
};

/**
 * Builds a model by name, as `torchvision.models.get_model(name, num_classes=..., dropout=...)`,
 * and, with `weights`, loads a state dict into it strictly (as `model.load_state_dict(torch.load(f))`).
 * Names are torchvision's (`'resnet18'`, `'vgg16_bn'`; see `names`); the camelCase spellings
 * of earlier versions (`'vgg16Bn'`) are still accepted but deprecated. Published DenseNet files
 * have their old keys renamed (`remapDensenetKeys`); with weights, GoogLeNet and Inception v3
 * are built as torchvision builds them for its files (`transformInput` unless given, auxiliary
 * heads loaded, then dropped unless asked for: googlenet keeps them only with `auxLogits: true`,
 * inception_v3 unless `auxLogits: false`).
 * A file written for another model fails with the strict-load error listing the missing and
 * unexpected keys, prefixed with the model and file name. Files from before PyTorch 0.4.1 have no
 * `num_batches_tracked`; as PyTorch does, those counters start at 0.
 */
export async function get<N extends string>(name: N, options: GetOptions = {}): Promise<ModelOf<N>> {
  const key = canonicalName(name);
  const build = (builders as Record<string, (options: object) => Module>)[key];
  if (!build) throw new Error(`models.get: unknown model '${name}'; known models: ${names.join(', ')}`);
  const { weights, stripPrefix, ...given } = options;
  const model = build(weights === undefined ? given : pretrainedOptions(key, given)) as ModelOf<N>;
  if (weights === undefined) return model;
  const file = typeof weights === 'string' ? weights.split(/[\\/]/).pop()! : `<${weights.byteLength} bytes>`;
  let state: Map<string, Tensor>;
  try {
    state = await load(weights, { stripPrefix });
    state = keyRemaps[key]?.(state) ?? state;
  } catch (e) {
    disposeModel(model);
    throw new Error(`models.get('${key}'): cannot read ${file}: ${(e as Error).message}`);
  }
  const added: Tensor[] = [];
  try {
    for (const [k, t] of model.stateDict()) {
      if (k.endsWith('.num_batches_tracked') && !state.has(k) && state.has(k.replace(/num_batches_tracked$/, 'running_mean'))) {
        const zero = full([], 0, { dtype: t.dtype });
        added.push(zero);
        state.set(k, zero);
      }
    }
    model.loadStateDict(state);
    afterPretrained(key, model, given);
    return model;
  } catch (e) {
    disposeModel(model);
    throw new Error(`models.get('${key}') with weights ${file}: ${(e as Error).message}`);
  } finally {
    for (const t of state.values()) t.dispose();
    for (const t of added) t.dispose();
  }
}

/** Frees a model's GPU memory now: its parameters, their gradients and its buffers. */
export function disposeModel(model: Module<unknown>): void {
  for (const p of model.parameters()) {
    p.grad?.dispose();
    p.grad = null;
  }
  for (const t of model.stateDict().values()) t.dispose();
}

/** Number of parameters (as `sum(p.numel() for p in model.parameters())`). */
export function countParameters(model: Module<unknown>): number {
  return model.parameters().reduce((n, p) => n + p.size, 0);
}
