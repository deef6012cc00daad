/**
 * The classifier's last layer (the "head") of every zoo model, and the surgery of transfer
 * learning: replacing it by a fresh layer sized to a new set of classes.
 */
import type { Module } from '../nn/module.js';
import { Linear } from '../nn/layers/linear.js';
import { Conv2d } from '../nn/layers/conv.js';

/**
 * The dotted path of a zoo model's last layer, by family, as torchvision names it:
 * `classifier.6` (AlexNet, VGG), `classifier.1` (SqueezeNet's 1x1 convolution), `fc` (ResNet,
 * ResNeXt, Wide ResNet, GoogLeNet, Inception v3, ShuffleNet V2), `classifier` (DenseNet),
 * `linear` (the CIFAR ResNets), `classifier.1` (EfficientNet, MobileNet V2), `classifier.3`
 * (MobileNet V3), `classifier.2` (ConvNeXt), `heads.head` (ViT).
 */
export function headPath(model: string): string {
  if (/^(alexnet|vgg)/.test(model)) return 'classifier.6';
  if (/^squeezenet/.test(model)) return 'classifier.1';
  if (/^cifar_/.test(model)) return 'linear';
  if (/^(resnet|resnext|wide_resnet|googlenet|inception|shufflenet)/.test(model)) return 'fc';
  if (/^densenet/.test(model)) return 'classifier';
  if (/^(efficientnet|mobilenet_v2)/.test(model)) return 'classifier.1';
  if (/^mobilenet_v3/.test(model)) return 'classifier.3';
  if (/^convnext/.test(model)) return 'classifier.2';
  if (/^vit_/.test(model)) return 'heads.head';
  throw new Error(`headPath: no classifier layer known for model '${model}'`);
}

/** The module at a dotted path, with its parent and field name (`model.get_submodule(path)`). */
export function moduleAt(model: Module, path: string): { parent: Module; key: string; module: Module } {
  const keys = path.split('.');
  let parent = model;
  for (const k of keys.slice(0, -1)) parent = (parent as unknown as Record<string, Module>)[k];
  const key = keys[keys.length - 1];
  return { parent, key, module: (parent as unknown as Record<string, Module>)[key] };
}

/**
 * Replaces the last layer by a freshly initialised one with `numClasses` outputs, as the
 * tutorial's `model.fc = nn.Linear(model.fc.in_features, num_classes)` (a 1x1 convolution for
 * SqueezeNet). The old layer's parameters are disposed. Returns the new layer.
 */
export function replaceHead(model: Module, name: string, numClasses: number): Module {
  const { parent, key, module: old } = moduleAt(model, headPath(name));
  const head =
    old instanceof Linear
      ? new Linear(old.inFeatures, numClasses)
      : old instanceof Conv2d
        ? new Conv2d(old.inChannels, numClasses, 1)
        : null;
  if (!head)
    throw new Error(`replaceHead: ${headPath(name)} of ${name} is a ${old?.constructor.name}, not Linear or Conv2d`);
  for (const p of old.parameters()) p.dispose();
  (parent as unknown as Record<string, Module>)[key] = head;
  return head;
}
