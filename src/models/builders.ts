/**
 * The model builders under torchvision's names (`resnet18`, `efficientnet_b0`, ...): without
 * `weights` they build the model synchronously; with `weights` (a file, or named weights such as
 * `'DEFAULT'`) they load it through `get` and return a Promise, as torchvision's builders do.
 */
import type { Module } from '../nn/module.js';
import type { Weights } from './weights/index.js';
import type { ProgressOption } from './weights/progress.js';
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
import { get, type GetOptions } from './get.js';

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
