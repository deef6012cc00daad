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
export { names, type ModelName, type ModelOf } from './registry.js';
export { get, disposeModel, countParameters, type GetOptions } from './get.js';
export * from './builders.js';
