/**
 * `sg.models`: torchvision 0.14's classification networks and the CIFAR-10 ResNets of
 * akamaster/pytorch_resnet_cifar10, with torchvision's module trees, so their `stateDict()`
 * keys, `namedParameters()` and `toString()` are exactly PyTorch's and PyTorch weight files
 * load as they are.
 *
 *   const model = await sg.models.get('resnet18', { weights: 'resnet18-f37072fd.pth' });
 *   const small = sg.models.vgg11_bn({ numClasses: 10 });
 *
 * Pretrained weights by name (weights/): `get('resnet18', {weights: 'DEFAULT'})`, or a
 * `sg.models.ResNet18_Weights.IMAGENET1K_V1`, is read from PyTorch's cache
 * (`~/.cache/torch/hub/checkpoints`) or downloaded into it. A path or bytes is a file.
 * torchvision's ImageNet weights are at `https://download.pytorch.org/models/<file>`:
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
 * | efficientnet_b0 ... b4 | `efficientnet_b0_rwightman-3dd342df.pth`, `efficientnet_b1_rwightman-533bc792.pth` (V2: `efficientnet_b1-c27df63c.pth`), `efficientnet_b2_rwightman-bcdf34b7.pth`, `efficientnet_b3_rwightman-cf984f9c.pth`, `efficientnet_b4_rwightman-7eb33cd5.pth` |
 * | efficientnet_b5 ... b7 | `efficientnet_b5_lukemelas-b6417697.pth`, `efficientnet_b6_lukemelas-c76e70fd.pth`, `efficientnet_b7_lukemelas-dcc49843.pth` |
 * | efficientnet_v2_s, _m, _l | `efficientnet_v2_s-dd5fe13b.pth`, `efficientnet_v2_m-dc08266a.pth`, `efficientnet_v2_l-59c71312.pth` |
 * | mobilenet_v2, mobilenet_v3_small, mobilenet_v3_large | `mobilenet_v2-b0353104.pth` (V2: `mobilenet_v2-7ebf99e0.pth`), `mobilenet_v3_small-047dcff4.pth`, `mobilenet_v3_large-8738ca79.pth` (V2: `mobilenet_v3_large-5c1a4163.pth`) |
 * | convnext_tiny, _small, _base, _large | `convnext_tiny-983f1562.pth`, `convnext_small-0c510722.pth`, `convnext_base-6075fbad.pth`, `convnext_large-ea097f82.pth` |
 * | vit_b_16, vit_b_32, vit_l_16, vit_l_32 | `vit_b_16-c867db91.pth`, `vit_b_32-d86f8d99.pth`, `vit_l_16-852ce7e3.pth`, `vit_l_32-c7638314.pth` (224 px) |
 * | vit_h_14 (and SWAG B/16, L/16) | `vit_h_14_swag-80465313.pth` with `{imageSize: 518}` (`vit_b_16_swag-9ac1b537.pth` at 384, `vit_l_16_swag-4f3808c9.pth` at 512); the `_lc_swag` files at 224 |
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
import { alexnet as alexnetBuilder } from './alexnet.js';
import * as vgg from './vgg.js';
import * as resnet from './resnet.js';
import * as squeezenet from './squeezenet.js';
import * as densenet from './densenet.js';
import * as googlenetModule from './googlenet.js';
import * as inception from './inception.js';
import * as shufflenet from './shufflenet.js';
import * as cifar from './cifar_resnet.js';
import { pretrainedOptions, afterPretrained, matchAuxHeads } from './pretrained.js';
// The modern half of the zoo (EfficientNet, MobileNet, ConvNeXt, ViT):
import * as efficientnet from './efficientnet.js';
import * as mobilenetV2 from './mobilenet_v2.js';
import * as mobilenetV3 from './mobilenet_v3.js';
import * as convnext from './convnext.js';
import * as vit from './vision_transformer.js';
import { resolveWeights, fetchWeights, type FetchWeightsOptions, type Weights } from './weights/index.js';
import type { ProgressOption } from './weights/progress.js';

export { AlexNet } from './alexnet.js';
export { VGG, makeLayers, cfgs, type VGGOptions } from './vgg.js';
export { ResNet, BasicBlock, Bottleneck, type ResNetOptions } from './resnet.js';
export { SqueezeNet, Fire } from './squeezenet.js';
export {
  DenseNet,
  _DenseLayer,
  _DenseBlock,
  _Transition,
  remapDensenetKeys,
  type DenseNetOptions,
} from './densenet.js';
export { BasicConv2d, type BasicConv2dArgs } from './basic_conv2d.js';
export {
  GoogLeNet,
  Inception,
  InceptionAux as GoogLeNetInceptionAux,
  type GoogLeNetOptions,
  type GoogLeNetOutputs,
} from './googlenet.js';
export {
  Inception3,
  InceptionA,
  InceptionB,
  InceptionC,
  InceptionD,
  InceptionE,
  InceptionAux,
  type Inception3Options,
  type InceptionOutputs,
} from './inception.js';
export { transformInput } from './transform_input.js';
export { logitsOf } from './outputs.js';
export { ShuffleNetV2, InvertedResidual, channelShuffle } from './shufflenet.js';
export { CifarResNet, CifarBasicBlock, LambdaLayer, optionAShortcut, type CifarResNetOptions } from './cifar_resnet.js';
// The modern half of the zoo (their builders, which take weights, are at the end):
export {
  EfficientNet,
  MBConv,
  FusedMBConv,
  mbConvConfig,
  fusedMBConvConfig,
  type MBConvConfig,
  type EfficientNetOptions,
  type NormLayer,
} from './efficientnet.js';
export { MobileNetV2, InvertedResidual as InvertedResidualV2, type MobileNetV2Options } from './mobilenet_v2.js';
export {
  MobileNetV3,
  InvertedResidual as InvertedResidualV3,
  invertedResidualConfig,
  type InvertedResidualConfig,
  type MobileNetV3Options,
} from './mobilenet_v3.js';
export { ConvNeXt, CNBlock, type CNBlockConfig, type ConvNeXtOptions } from './convnext.js';
export {
  VisionTransformer,
  Encoder,
  EncoderBlock,
  MLPBlock,
  type VisionTransformerOptions,
  type ConvStemConfig,
  type ViTOptions,
} from './vision_transformer.js';
export { makeDivisible } from './make_divisible.js';
export { kaimingNormal_, kaimingUniform_, normal_, truncNormal_, constant_ } from './init.js';
export { uniform_, xavierUniform_ } from './init.js';
export type { ClassifierOptions } from './options.js';
export * from './weights/index.js';

/** Builders by torchvision name (the CIFAR ResNets as `cifar_resnetN`). */
const builders = {
  alexnet: alexnetBuilder,
  vgg11: vgg.vgg11,
  vgg13: vgg.vgg13,
  vgg16: vgg.vgg16,
  vgg19: vgg.vgg19,
  vgg11_bn: vgg.vgg11_bn,
  vgg13_bn: vgg.vgg13_bn,
  vgg16_bn: vgg.vgg16_bn,
  vgg19_bn: vgg.vgg19_bn,
  resnet18: resnet.resnet18,
  resnet34: resnet.resnet34,
  resnet50: resnet.resnet50,
  resnet101: resnet.resnet101,
  resnet152: resnet.resnet152,
  resnext50_32x4d: resnet.resnext50_32x4d,
  resnext101_32x8d: resnet.resnext101_32x8d,
  resnext101_64x4d: resnet.resnext101_64x4d,
  wide_resnet50_2: resnet.wide_resnet50_2,
  wide_resnet101_2: resnet.wide_resnet101_2,
  squeezenet1_0: squeezenet.squeezenet1_0,
  squeezenet1_1: squeezenet.squeezenet1_1,
  densenet121: densenet.densenet121,
  densenet161: densenet.densenet161,
  densenet169: densenet.densenet169,
  densenet201: densenet.densenet201,
  googlenet: googlenetModule.googlenet,
  inception_v3: inception.inception_v3,
  shufflenet_v2_x0_5: shufflenet.shufflenet_v2_x0_5,
  shufflenet_v2_x1_0: shufflenet.shufflenet_v2_x1_0,
  shufflenet_v2_x1_5: shufflenet.shufflenet_v2_x1_5,
  shufflenet_v2_x2_0: shufflenet.shufflenet_v2_x2_0,
  cifar_resnet20: cifar.cifar_resnet20,
  cifar_resnet32: cifar.cifar_resnet32,
  cifar_resnet44: cifar.cifar_resnet44,
  cifar_resnet56: cifar.cifar_resnet56,
  cifar_resnet110: cifar.cifar_resnet110,
  // The modern half of the zoo:
  efficientnet_b0: efficientnet.efficientnet_b0,
  efficientnet_b1: efficientnet.efficientnet_b1,
  efficientnet_b2: efficientnet.efficientnet_b2,
  efficientnet_b3: efficientnet.efficientnet_b3,
  efficientnet_b4: efficientnet.efficientnet_b4,
  efficientnet_b5: efficientnet.efficientnet_b5,
  efficientnet_b6: efficientnet.efficientnet_b6,
  efficientnet_b7: efficientnet.efficientnet_b7,
  efficientnet_v2_s: efficientnet.efficientnet_v2_s,
  efficientnet_v2_m: efficientnet.efficientnet_v2_m,
  efficientnet_v2_l: efficientnet.efficientnet_v2_l,
  mobilenet_v2: mobilenetV2.mobilenet_v2,
  mobilenet_v3_small: mobilenetV3.mobilenet_v3_small,
  mobilenet_v3_large: mobilenetV3.mobilenet_v3_large,
  convnext_tiny: convnext.convnext_tiny,
  convnext_small: convnext.convnext_small,
  convnext_base: convnext.convnext_base,
  convnext_large: convnext.convnext_large,
  vit_b_16: vit.vit_b_16,
  vit_b_32: vit.vit_b_32,
  vit_l_16: vit.vit_l_16,
  vit_l_32: vit.vit_l_32,
  vit_h_14: vit.vit_h_14,
};

/** A torchvision model name that `get` knows. */
export type ModelName = keyof typeof builders;
/** The class `get(name)` returns: `get('resnet18')` gives a ResNet; other strings a Module. */
export type ModelOf<N extends string> = N extends ModelName ? ReturnType<(typeof builders)[N]> : Module;

/** Every model `get` builds, by its torchvision name. */
export const names: readonly string[] = Object.freeze(Object.keys(builders));

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
  const added: Tensor[] = [];
  try {
    for (const [k, t] of model.stateDict()) {
      if (
        k.endsWith('.num_batches_tracked') &&
        !state.has(k) &&
        state.has(k.replace(/num_batches_tracked$/, 'running_mean'))
      ) {
        const zero = full([], 0, { dtype: t.dtype });
        added.push(zero);
        state.set(k, zero);
      }
    }
    model.loadStateDict(state);
    if (named) afterPretrained(key, model, modelOptions);
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
export function disposeModel(model: Module): void {
  for (const p of model.parameters()) {
    p.grad?.dispose();
    p.grad = null;
  }
  for (const t of model.stateDict().values()) t.dispose();
}

/** Number of parameters (as `sum(p.numel() for p in model.parameters())`). */
export function countParameters(model: Module): number {
  return model.parameters().reduce((n, p) => n + p.size, 0);
}

/** What a builder takes besides its model options when it loads weights. */
export interface WeightsOption {
  /** Named weights (`'DEFAULT'`, `ResNet18_Weights.IMAGENET1K_V1`) or a file (path or bytes). */
  weights: string | Uint8Array | Weights;
  /** The download's progress bar (default on stderr in Node), a callback, or false. */
  progress?: ProgressOption;
  /** Removed from the front of every key in a file, e.g. `'module.'`. */
  stripPrefix?: string;
}

/**
 * A model builder as torchvision's: `resnet18()` builds the model; `resnet18({weights: 'DEFAULT'})`
 * (or a weights enum member, or a file) also loads weights, so it returns a Promise, as
 * `get(name, options)` does.
 */
export interface Builder<O, M> {
  (options?: O & { weights?: undefined }): M;
  (options: O & WeightsOption): Promise<M>;
}

function withWeights<O, M extends Module>(name: string, build: (options?: O) => M): Builder<O, M> {
  const builder = (options?: O & Partial<WeightsOption>) =>
    options?.weights === undefined ? build(options) : (get(name, options as GetOptions) as Promise<M>);
  return Object.defineProperty(builder, 'name', { value: build.name }) as Builder<O, M>;
}

/** AlexNet, as `torchvision.models.alexnet(weights=...)`. */
export const alexnet = withWeights('alexnet', alexnetBuilder);
/** VGG-11, as `torchvision.models.vgg11(weights=...)`. */
export const vgg11 = withWeights('vgg11', vgg.vgg11);
/** VGG-13, as `torchvision.models.vgg13(weights=...)`. */
export const vgg13 = withWeights('vgg13', vgg.vgg13);
/** VGG-16, as `torchvision.models.vgg16(weights=...)`. */
export const vgg16 = withWeights('vgg16', vgg.vgg16);
/** VGG-19, as `torchvision.models.vgg19(weights=...)`. */
export const vgg19 = withWeights('vgg19', vgg.vgg19);
/** VGG-11 with batch norm, as `torchvision.models.vgg11_bn(weights=...)`. */
export const vgg11_bn = withWeights('vgg11_bn', vgg.vgg11_bn);
/** VGG-13 with batch norm, as `torchvision.models.vgg13_bn(weights=...)`. */
export const vgg13_bn = withWeights('vgg13_bn', vgg.vgg13_bn);
/** VGG-16 with batch norm, as `torchvision.models.vgg16_bn(weights=...)`. */
export const vgg16_bn = withWeights('vgg16_bn', vgg.vgg16_bn);
/** VGG-19 with batch norm, as `torchvision.models.vgg19_bn(weights=...)`. */
export const vgg19_bn = withWeights('vgg19_bn', vgg.vgg19_bn);
/** ResNet-18, as `torchvision.models.resnet18(weights=...)`. */
export const resnet18 = withWeights('resnet18', resnet.resnet18);
/** ResNet-34, as `torchvision.models.resnet34(weights=...)`. */
export const resnet34 = withWeights('resnet34', resnet.resnet34);
/** ResNet-50, as `torchvision.models.resnet50(weights=...)`. */
export const resnet50 = withWeights('resnet50', resnet.resnet50);
/** ResNet-101, as `torchvision.models.resnet101(weights=...)`. */
export const resnet101 = withWeights('resnet101', resnet.resnet101);
/** ResNet-152, as `torchvision.models.resnet152(weights=...)`. */
export const resnet152 = withWeights('resnet152', resnet.resnet152);
/** ResNeXt-50 32x4d, as `torchvision.models.resnext50_32x4d(weights=...)`. */
export const resnext50_32x4d = withWeights('resnext50_32x4d', resnet.resnext50_32x4d);
/** ResNeXt-101 32x8d, as `torchvision.models.resnext101_32x8d(weights=...)`. */
export const resnext101_32x8d = withWeights('resnext101_32x8d', resnet.resnext101_32x8d);
/** ResNeXt-101 64x4d, as `torchvision.models.resnext101_64x4d(weights=...)`. */
export const resnext101_64x4d = withWeights('resnext101_64x4d', resnet.resnext101_64x4d);
/** Wide ResNet-50-2, as `torchvision.models.wide_resnet50_2(weights=...)`. */
export const wide_resnet50_2 = withWeights('wide_resnet50_2', resnet.wide_resnet50_2);
/** Wide ResNet-101-2, as `torchvision.models.wide_resnet101_2(weights=...)`. */
export const wide_resnet101_2 = withWeights('wide_resnet101_2', resnet.wide_resnet101_2);
/** DenseNet-121, as `torchvision.models.densenet121(weights=...)` (old file keys renamed). */
export const densenet121 = withWeights('densenet121', densenet.densenet121);
/** DenseNet-161, as `torchvision.models.densenet161(weights=...)`. */
export const densenet161 = withWeights('densenet161', densenet.densenet161);
/** DenseNet-169, as `torchvision.models.densenet169(weights=...)`. */
export const densenet169 = withWeights('densenet169', densenet.densenet169);
/** DenseNet-201, as `torchvision.models.densenet201(weights=...)`. */
export const densenet201 = withWeights('densenet201', densenet.densenet201);
/** GoogLeNet, as `torchvision.models.googlenet(weights=...)`. */
export const googlenet = withWeights('googlenet', googlenetModule.googlenet);
/** Inception v3, as `torchvision.models.inception_v3(weights=...)`. */
export const inception_v3 = withWeights('inception_v3', inception.inception_v3);
/** ShuffleNet V2 x0.5, as `torchvision.models.shufflenet_v2_x0_5(weights=...)`. */
export const shufflenet_v2_x0_5 = withWeights('shufflenet_v2_x0_5', shufflenet.shufflenet_v2_x0_5);
/** ShuffleNet V2 x1.0, as `torchvision.models.shufflenet_v2_x1_0(weights=...)`. */
export const shufflenet_v2_x1_0 = withWeights('shufflenet_v2_x1_0', shufflenet.shufflenet_v2_x1_0);
/** ShuffleNet V2 x1.5, as `torchvision.models.shufflenet_v2_x1_5(weights=...)`. */
export const shufflenet_v2_x1_5 = withWeights('shufflenet_v2_x1_5', shufflenet.shufflenet_v2_x1_5);
/** ShuffleNet V2 x2.0, as `torchvision.models.shufflenet_v2_x2_0(weights=...)`. */
export const shufflenet_v2_x2_0 = withWeights('shufflenet_v2_x2_0', shufflenet.shufflenet_v2_x2_0);
/** SqueezeNet 1.0, as `torchvision.models.squeezenet1_0(weights=...)`. */
export const squeezenet1_0 = withWeights('squeezenet1_0', squeezenet.squeezenet1_0);
/** SqueezeNet 1.1, as `torchvision.models.squeezenet1_1(weights=...)`. */
export const squeezenet1_1 = withWeights('squeezenet1_1', squeezenet.squeezenet1_1);
/** akamaster's CIFAR-10 ResNet-20 (`weights: 'DEFAULT'` loads its published checkpoint). */
export const cifar_resnet20 = withWeights('cifar_resnet20', cifar.cifar_resnet20);
/** akamaster's CIFAR-10 ResNet-32. */
export const cifar_resnet32 = withWeights('cifar_resnet32', cifar.cifar_resnet32);
/** akamaster's CIFAR-10 ResNet-44. */
export const cifar_resnet44 = withWeights('cifar_resnet44', cifar.cifar_resnet44);
/** akamaster's CIFAR-10 ResNet-56. */
export const cifar_resnet56 = withWeights('cifar_resnet56', cifar.cifar_resnet56);
/** akamaster's CIFAR-10 ResNet-110. */
export const cifar_resnet110 = withWeights('cifar_resnet110', cifar.cifar_resnet110);

// ---- the modern half of the zoo, as torchvision's builders (`weights` too) ----
/** EfficientNet-B0, as `torchvision.models.efficientnet_b0(weights=...)`. */
export const efficientnet_b0 = withWeights('efficientnet_b0', efficientnet.efficientnet_b0);
/** EfficientNet-B1, as `torchvision.models.efficientnet_b1(weights=...)`. */
export const efficientnet_b1 = withWeights('efficientnet_b1', efficientnet.efficientnet_b1);
/** EfficientNet-B2, as `torchvision.models.efficientnet_b2(weights=...)`. */
export const efficientnet_b2 = withWeights('efficientnet_b2', efficientnet.efficientnet_b2);
/** EfficientNet-B3, as `torchvision.models.efficientnet_b3(weights=...)`. */
export const efficientnet_b3 = withWeights('efficientnet_b3', efficientnet.efficientnet_b3);
/** EfficientNet-B4, as `torchvision.models.efficientnet_b4(weights=...)`. */
export const efficientnet_b4 = withWeights('efficientnet_b4', efficientnet.efficientnet_b4);
/** EfficientNet-B5, as `torchvision.models.efficientnet_b5(weights=...)`. */
export const efficientnet_b5 = withWeights('efficientnet_b5', efficientnet.efficientnet_b5);
/** EfficientNet-B6, as `torchvision.models.efficientnet_b6(weights=...)`. */
export const efficientnet_b6 = withWeights('efficientnet_b6', efficientnet.efficientnet_b6);
/** EfficientNet-B7, as `torchvision.models.efficientnet_b7(weights=...)`. */
export const efficientnet_b7 = withWeights('efficientnet_b7', efficientnet.efficientnet_b7);
/** EfficientNetV2-S, as `torchvision.models.efficientnet_v2_s(weights=...)`. */
export const efficientnet_v2_s = withWeights('efficientnet_v2_s', efficientnet.efficientnet_v2_s);
/** EfficientNetV2-M, as `torchvision.models.efficientnet_v2_m(weights=...)`. */
export const efficientnet_v2_m = withWeights('efficientnet_v2_m', efficientnet.efficientnet_v2_m);
/** EfficientNetV2-L, as `torchvision.models.efficientnet_v2_l(weights=...)`. */
export const efficientnet_v2_l = withWeights('efficientnet_v2_l', efficientnet.efficientnet_v2_l);
/** MobileNet V2, as `torchvision.models.mobilenet_v2(weights=...)`. */
export const mobilenet_v2 = withWeights('mobilenet_v2', mobilenetV2.mobilenet_v2);
/** MobileNet V3 Small, as `torchvision.models.mobilenet_v3_small(weights=...)`. */
export const mobilenet_v3_small = withWeights('mobilenet_v3_small', mobilenetV3.mobilenet_v3_small);
/** MobileNet V3 Large, as `torchvision.models.mobilenet_v3_large(weights=...)`. */
export const mobilenet_v3_large = withWeights('mobilenet_v3_large', mobilenetV3.mobilenet_v3_large);
/** ConvNeXt Tiny, as `torchvision.models.convnext_tiny(weights=...)`. */
export const convnext_tiny = withWeights('convnext_tiny', convnext.convnext_tiny);
/** ConvNeXt Small, as `torchvision.models.convnext_small(weights=...)`. */
export const convnext_small = withWeights('convnext_small', convnext.convnext_small);
/** ConvNeXt Base, as `torchvision.models.convnext_base(weights=...)`. */
export const convnext_base = withWeights('convnext_base', convnext.convnext_base);
/** ConvNeXt Large, as `torchvision.models.convnext_large(weights=...)`. */
export const convnext_large = withWeights('convnext_large', convnext.convnext_large);
/** ViT-B/16, as `torchvision.models.vit_b_16(weights=...)` (SWAG weights set imageSize 384). */
export const vit_b_16 = withWeights('vit_b_16', vit.vit_b_16);
/** ViT-B/32, as `torchvision.models.vit_b_32(weights=...)`. */
export const vit_b_32 = withWeights('vit_b_32', vit.vit_b_32);
/** ViT-L/16, as `torchvision.models.vit_l_16(weights=...)` (SWAG weights set imageSize 512). */
export const vit_l_16 = withWeights('vit_l_16', vit.vit_l_16);
/** ViT-L/32, as `torchvision.models.vit_l_32(weights=...)`. */
export const vit_l_32 = withWeights('vit_l_32', vit.vit_l_32);
/** ViT-H/14, as `torchvision.models.vit_h_14(weights=...)` (its DEFAULT, SWAG E2E, sets imageSize 518). */
export const vit_h_14 = withWeights('vit_h_14', vit.vit_h_14);
