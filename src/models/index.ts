/**
 * `sg.models`: torchvision 0.14's classification networks and the CIFAR-10 ResNets of
 * akamaster/pytorch_resnet_cifar10, with torchvision's module trees, so their `stateDict()`
 * keys, `namedParameters()` and `toString()` are exactly PyTorch's and PyTorch weight files
 * load as they are.
 *
 *   const model = await sg.models.get('resnet18', { weights: 'resnet18-f37072fd.pth' });
 *   const small = sg.models.vgg11Bn({ numClasses: 10 });
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
 * with the same mean and std.
 */
import { load } from '../io/index.js';
import { full } from '../ops/create.js';
import type { Tensor } from '../tensor.js';
import type { Module } from '../nn/module.js';
import { alexnet } from './alexnet.js';
import { vgg11, vgg13, vgg16, vgg19, vgg11Bn, vgg13Bn, vgg16Bn, vgg19Bn } from './vgg.js';
import { resnet18, resnet34, resnet50 } from './resnet.js';
import { squeezenet1_0, squeezenet1_1 } from './squeezenet.js';
import { cifarResnet20, cifarResnet32, cifarResnet44, cifarResnet56, cifarResnet110 } from './cifar_resnet.js';
// The modern half of the zoo (EfficientNet, MobileNet, ConvNeXt, ViT):
import * as efficientnet from './efficientnet.js';
import * as mobilenetV2 from './mobilenet_v2.js';
import * as mobilenetV3 from './mobilenet_v3.js';
import * as convnext from './convnext.js';
import * as vit from './vision_transformer.js';

export { AlexNet, alexnet } from './alexnet.js';
export { VGG, makeLayers, cfgs, vgg11, vgg13, vgg16, vgg19, vgg11Bn, vgg13Bn, vgg16Bn, vgg19Bn, type VGGOptions } from './vgg.js';
export { ResNet, BasicBlock, Bottleneck, resnet18, resnet34, resnet50, type ResNetOptions } from './resnet.js';
export { SqueezeNet, Fire, squeezenet1_0, squeezenet1_1 } from './squeezenet.js';
export {
  CifarResNet, CifarBasicBlock, LambdaLayer, optionAShortcut, cifarResnet20, cifarResnet32, cifarResnet44, cifarResnet56, cifarResnet110,
  type CifarResNetOptions,
} from './cifar_resnet.js';
// The modern half of the zoo:
export {
  EfficientNet, MBConv, FusedMBConv, mbConvConfig, fusedMBConvConfig, type MBConvConfig, type EfficientNetOptions, type NormLayer,
  efficientnet_b0, efficientnet_b1, efficientnet_b2, efficientnet_b3, efficientnet_b4, efficientnet_b5, efficientnet_b6, efficientnet_b7,
  efficientnet_v2_s, efficientnet_v2_m, efficientnet_v2_l,
} from './efficientnet.js';
export { MobileNetV2, InvertedResidual, mobilenet_v2, type MobileNetV2Options } from './mobilenet_v2.js';
export {
  MobileNetV3, InvertedResidual as InvertedResidualV3, invertedResidualConfig, mobilenet_v3_small, mobilenet_v3_large,
  type InvertedResidualConfig, type MobileNetV3Options,
} from './mobilenet_v3.js';
export { ConvNeXt, CNBlock, convnext_tiny, convnext_small, convnext_base, convnext_large, type CNBlockConfig, type ConvNeXtOptions } from './convnext.js';
export {
  VisionTransformer, Encoder, EncoderBlock, MLPBlock, vit_b_16, vit_b_32, vit_l_16, vit_l_32, vit_h_14,
  type VisionTransformerOptions, type ConvStemConfig, type ViTOptions,
} from './vision_transformer.js';
export { makeDivisible } from './make_divisible.js';
export { kaimingNormal_, kaimingUniform_, normal_, constant_ } from './init.js';
export { uniform_, truncNormal_, xavierUniform_ } from './init.js';
export type { ClassifierOptions } from './options.js';

/** Builders by torchvision name (the CIFAR ResNets as `cifar_resnetN`). */
const builders = {
  alexnet, vgg11, vgg13, vgg16, vgg19, vgg11_bn: vgg11Bn, vgg13_bn: vgg13Bn, vgg16_bn: vgg16Bn, vgg19_bn: vgg19Bn,
  resnet18, resnet34, resnet50, squeezenet1_0, squeezenet1_1,
  cifar_resnet20: cifarResnet20, cifar_resnet32: cifarResnet32, cifar_resnet44: cifarResnet44, cifar_resnet56: cifarResnet56, cifar_resnet110: cifarResnet110,
  // The modern half of the zoo:
  efficientnet_b0: efficientnet.efficientnet_b0, efficientnet_b1: efficientnet.efficientnet_b1, efficientnet_b2: efficientnet.efficientnet_b2,
  efficientnet_b3: efficientnet.efficientnet_b3, efficientnet_b4: efficientnet.efficientnet_b4, efficientnet_b5: efficientnet.efficientnet_b5,
  efficientnet_b6: efficientnet.efficientnet_b6, efficientnet_b7: efficientnet.efficientnet_b7,
  efficientnet_v2_s: efficientnet.efficientnet_v2_s, efficientnet_v2_m: efficientnet.efficientnet_v2_m, efficientnet_v2_l: efficientnet.efficientnet_v2_l,
  mobilenet_v2: mobilenetV2.mobilenet_v2, mobilenet_v3_small: mobilenetV3.mobilenet_v3_small, mobilenet_v3_large: mobilenetV3.mobilenet_v3_large,
  convnext_tiny: convnext.convnext_tiny, convnext_small: convnext.convnext_small, convnext_base: convnext.convnext_base, convnext_large: convnext.convnext_large,
  vit_b_16: vit.vit_b_16, vit_b_32: vit.vit_b_32, vit_l_16: vit.vit_l_16, vit_l_32: vit.vit_l_32, vit_h_14: vit.vit_h_14,
};

/** A torchvision model name that `get` knows. */
export type ModelName = keyof typeof builders;
/** The class `get(name)` returns: `get('resnet18')` gives a ResNet; camelCase names give a Module. */
export type ModelOf<N extends string> = N extends ModelName ? ReturnType<(typeof builders)[N]> : Module;

/** Every model `get` builds, by its torchvision name. */
export const names: readonly string[] = Object.freeze(Object.keys(builders));

export interface GetOptions {
  /** Size of the last layer (torchvision's `num_classes`). */
  numClasses?: number;
  /** Classifier dropout (AlexNet, VGG, SqueezeNet only, as in torchvision). */
  dropout?: number;
  /** A weight file (path or bytes: `.pth`, legacy `.th`/`.pt`, `.safetensors`) to load strictly. */
  weights?: string | Uint8Array;
  /** Removed from the front of every key in the file, e.g. `'module.'` for `nn.DataParallel`. */
  stripPrefix?: string;
  /** The model's other torchvision options, camelCase: `stochasticDepthProb`, `widthMult`, `imageSize` (ViT), ... */
  [option: string]: unknown;
}

/** 'vgg16Bn' -> 'vgg16_bn', 'cifarResnet20' -> 'cifar_resnet20'; torchvision names pass unchanged. */
function canonicalName(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

/**
 * Builds a model by name, as `torchvision.models.get_model(name, num_classes=..., dropout=...)`,
 * and, with `weights`, loads a state dict into it strictly (as `model.load_state_dict(torch.load(f))`).
 * Names are torchvision's (`'resnet18'`, `'vgg16_bn'`) or camelCase (`'vgg16Bn'`); see `names`.
 * A file written for another model fails with the strict-load error listing the missing and
 * unexpected keys, prefixed with the model and file name. Files from before PyTorch 0.4.1 have no
 * `num_batches_tracked`; as PyTorch does, those counters start at 0.
 */
export async function get<N extends string>(name: N, options: GetOptions = {}): Promise<ModelOf<N>> {
  const key = canonicalName(name);
  const build = (builders as Record<string, (options: object) => Module>)[key];
  if (!build) throw new Error(`models.get: unknown model '${name}'; known models: ${names.join(', ')}`);
  const { weights, stripPrefix, ...modelOptions } = options;
  const model = build(modelOptions) as ModelOf<N>;
  if (weights === undefined) return model;
  const file = typeof weights === 'string' ? weights.split(/[\\/]/).pop()! : `<${weights.byteLength} bytes>`;
  let state: Map<string, Tensor>;
  try {
    state = await load(weights, { stripPrefix });
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
