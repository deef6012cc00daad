/**
 * The zoo's builders by torchvision name (what `get` and `names` know), and the types that map a
 * name to its model class.
 */
import type { Module } from '../nn/module.js';
import { alexnet as alexnetBuilder } from './alexnet.js';
import * as vgg from './vgg.js';
import * as resnet from './resnet.js';
import * as squeezenet from './squeezenet.js';
import * as densenet from './densenet.js';
import * as googlenetModule from './googlenet.js';
import * as inception from './inception.js';
import * as shufflenet from './shufflenet.js';
import * as cifar from './cifar_resnet.js';
import * as efficientnet from './efficientnet.js';
import * as mobilenetV2 from './mobilenet_v2.js';
import * as mobilenetV3 from './mobilenet_v3.js';
import * as convnext from './convnext.js';
import * as vit from './vision_transformer.js';

/** Builders by torchvision name (the CIFAR ResNets as `cifar_resnetN`). */
export const builders = {
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
