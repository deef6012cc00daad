/**
 * The studio's choices: the shipped weights, the form's defaults (the settings of `npm run demo`,
 * examples/finetune.ts, which reach about 80% on ants/bees with the CIFAR ResNets) and the
 * shorter schedule of `?demo=1`.
 */

/** Weight files served with the site (examples/weights/), by model. */
export const SHIPPED_WEIGHTS: Record<string, string> = {
  cifar_resnet20: 'weights/resnet20-12fca82f.th',
  cifar_resnet56: 'weights/resnet56-4bfd9763.th',
};

/** Input side: what the network was trained on (32 for the CIFAR ResNets, 224 for ImageNet models). */
export const defaultImageSize = (model: string): number => (model.startsWith('cifar') ? 32 : 224);

/** Form defaults by element id. */
export const DEFAULTS: Record<string, string | number> = {
  model: 'cifar_resnet20',
  weights: 'shipped',
  freeze: 'all-but-head',
  'head-epochs': 5,
  'head-lr': 1e-2,
  'fine-epochs': 10,
  'backbone-lr': 1e-3,
  'batch-size': 32,
  optimizer: 'adam',
  scheduler: 'cosine',
};

/**
 * `?demo=1`: the shipped ResNet-20, two epochs per phase (the head alone reaches about 67% in its
 * second epoch, the whole network about 70% in its first; a phase-2 epoch costs three of phase 1).
 */
export const DEMO: Record<string, string | number> = {
  ...DEFAULTS,
  'head-epochs': 2,
  'fine-epochs': 2,
  'image-size': 32,
};
