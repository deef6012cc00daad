/**
 * Weights enums for the CIFAR-10 ResNets of akamaster/pytorch_resnet_cifar10 (not part of
 * torchvision, so written by hand in the form of table.ts). The files are the repository's
 * `pretrained_models/*.th`, saved from nn.DataParallel (hence `stripPrefix: 'module.'`);
 * accuracies are 100 minus the test error its README publishes; `sha256` is pinned where we
 * hold the file (examples/weights/), elsewhere the 8-hex prefix in the file name is checked.
 * The evaluation transform: the 32 x 32 image as it is (Resize/CenterCrop to 32 only change
 * other sizes), ToTensor, Normalize with ImageNet's mean and std, as akamaster's trainer.py.
 */
import { weightsEnum, type WeightsEntry } from './weights.js';

const BASE = 'https://github.com/akamaster/pytorch_resnet_cifar10/raw/master/pretrained_models';

function entry(
  depth: number,
  file: string,
  numParams: number,
  acc1: number,
  sha256?: string,
): { CIFAR10_V1: WeightsEntry } {
  return {
    CIFAR10_V1: {
      url: `${BASE}/${file}`,
      transforms: {
        cropSize: 32,
        resizeSize: 32,
        interpolation: 'bilinear',
        mean: [0.485, 0.456, 0.406],
        std: [0.229, 0.224, 0.225],
      },
      meta: {
        categories: 'cifar10',
        numParams,
        minSize: [1, 1],
        metrics: { 'CIFAR-10': { 'acc@1': acc1 } },
        recipe: 'https://github.com/akamaster/pytorch_resnet_cifar10',
        docs: `ResNet-${depth} for CIFAR-10 (He et al. 2015, option A shortcuts), trained by Yerlan Idelbayev.`,
        license: 'https://github.com/akamaster/pytorch_resnet_cifar10/blob/master/LICENSE',
        stripPrefix: 'module.',
        ...(sha256 ? { sha256 } : {}),
      },
    },
  };
}

/** akamaster's CIFAR-10 ResNet-20 (`cifar_resnet20`): CIFAR10_V1 (DEFAULT). */
export const CifarResNet20_Weights = weightsEnum(
  'CifarResNet20_Weights',
  'cifar_resnet20',
  'CIFAR10_V1',
  entry(20, 'resnet20-12fca82f.th', 269722, 91.73, '12fca82f0bebc4135bf1f32f6e3710e61d5108578464b84fd6d7f5c1b04036c8'),
);
/** akamaster's CIFAR-10 ResNet-32 (`cifar_resnet32`): CIFAR10_V1 (DEFAULT). */
export const CifarResNet32_Weights = weightsEnum(
  'CifarResNet32_Weights',
  'cifar_resnet32',
  'CIFAR10_V1',
  entry(32, 'resnet32-d509ac18.th', 464154, 92.63),
);
/** akamaster's CIFAR-10 ResNet-44 (`cifar_resnet44`): CIFAR10_V1 (DEFAULT). */
export const CifarResNet44_Weights = weightsEnum(
  'CifarResNet44_Weights',
  'cifar_resnet44',
  'CIFAR10_V1',
  entry(44, 'resnet44-014dd654.th', 658586, 93.1),
);
/** akamaster's CIFAR-10 ResNet-56 (`cifar_resnet56`): CIFAR10_V1 (DEFAULT). */
export const CifarResNet56_Weights = weightsEnum(
  'CifarResNet56_Weights',
  'cifar_resnet56',
  'CIFAR10_V1',
  entry(56, 'resnet56-4bfd9763.th', 853018, 93.39, '4bfd97631478d6b638d2764fd2baff3edb1d7d82252d54439343b6596b9b5367'),
);
/** akamaster's CIFAR-10 ResNet-110 (`cifar_resnet110`): CIFAR10_V1 (DEFAULT). */
export const CifarResNet110_Weights = weightsEnum(
  'CifarResNet110_Weights',
  'cifar_resnet110',
  'CIFAR10_V1',
  entry(110, 'resnet110-1d1ed7c2.th', 1727962, 93.68),
);

/** The CIFAR ResNets' enums by `sg.models.get` name. */
export const CIFAR_WEIGHTS = {
  cifar_resnet20: CifarResNet20_Weights,
  cifar_resnet32: CifarResNet32_Weights,
  cifar_resnet44: CifarResNet44_Weights,
  cifar_resnet56: CifarResNet56_Weights,
  cifar_resnet110: CifarResNet110_Weights,
};
