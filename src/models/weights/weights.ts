/**
 * Pretrained weights by name, as torchvision 0.14's Weights API: one enum per model
 * (`ResNet18_Weights`), each member (`IMAGENET1K_V1`, and `DEFAULT`, an alias of the best one) a
 * `Weights` with its `url`, its `meta` and `transforms()`, the evaluation preprocessing those
 * weights were measured with. The enums themselves are generated into table.ts (torchvision's)
 * and cifar.ts (the CIFAR-10 ResNets of akamaster/pytorch_resnet_cifar10).
 *
 *   const w = sg.models.ResNet18_Weights.DEFAULT;   // ResNet18_Weights.IMAGENET1K_V1
 *   const model = await sg.models.get('resnet18', { weights: w });
 *   const x = w.transforms().apply(image);          // Resize(256) CenterCrop(224) ToTensor Normalize
 */
import classNames from '../../data/imagenet_classes.json';
import { Compose } from '../../data/transforms/compose.js';
import { Resize, type ResizeInterpolation } from '../../data/transforms/resize.js';
import { CenterCrop } from '../../data/transforms/crop.js';
import { Normalize, ToTensor } from '../../data/transforms/tensor.js';

/** The arguments of torchvision's `ImageClassification` preset for one set of weights. */
export interface PresetSpec {
  /** Side of the centre crop (`crop_size`). */
  cropSize: number;
  /** Shorter side after resizing (`resize_size`). */
  resizeSize: number;
  interpolation: ResizeInterpolation;
  mean: readonly number[];
  std: readonly number[];
}

/** What torchvision's `weights.meta` holds, camelCased; `metrics` is its `_metrics`, `docs` its `_docs`. */
export interface WeightsMeta {
  /** Class names by logit index (null for feature-extractor weights). */
  categories: readonly string[] | null;
  numParams: number;
  /** Smallest input [height, width] the network accepts. */
  minSize: readonly [number, number];
  /** Published accuracies, e.g. `{'ImageNet-1K': {'acc@1': 69.758, 'acc@5': 89.078}}`. */
  metrics: Readonly<Record<string, Readonly<Record<string, number>>>>;
  recipe: string;
  docs: string;
  license?: string;
  /** The file's full sha256 where it is pinned (otherwise the prefix in the file name is checked). */
  sha256?: string;
  /** Key prefix to strip on load (`'module.'` for files saved from nn.DataParallel). */
  stripPrefix?: string;
}

/** One table row as generated: categories are a named shared list. */
export interface WeightsEntry {
  url: string;
  transforms: PresetSpec;
  meta: Omit<WeightsMeta, 'categories'> & { categories: string | null };
}

const CATEGORY_LISTS: Record<string, readonly string[]> = {
  imagenet: Object.freeze(classNames as string[]),
  cifar10: Object.freeze(['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck']),
};

/** One set of pretrained weights: a member of a `*_Weights` enum. */
export class Weights {
  readonly meta: Readonly<WeightsMeta>;

  constructor(
    /** The enum's name, e.g. `'ResNet18_Weights'`. */
    readonly enumName: string,
    /** The member's name, e.g. `'IMAGENET1K_V1'`. */
    readonly name: string,
    /** The torchvision model these weights are for, e.g. `'resnet18'`. */
    readonly model: string,
    readonly url: string,
    readonly preset: Readonly<PresetSpec>,
    meta: WeightsEntry['meta'],
  ) {
    const categories = meta.categories === null ? null : CATEGORY_LISTS[meta.categories];
    if (categories === undefined) throw new Error(`${enumName}.${name}: unknown category list '${meta.categories}'`);
    this.meta = Object.freeze({ ...meta, categories });
  }

  /** The file name the URL ends with: the name PyTorch's cache keeps it under. */
  get fileName(): string {
    return this.url.slice(this.url.lastIndexOf('/') + 1);
  }

  /**
   * The evaluation transform these weights expect, torchvision's `weights.transforms()`
   * (`ImageClassification`): `Resize(resizeSize, interpolation) -> CenterCrop(cropSize) ->
   * ToTensor() -> Normalize(mean, std)`, antialiased as PIL resizes.
   */
  transforms(): Compose {
    const p = this.preset;
    return new Compose([
      new Resize(p.resizeSize, { interpolation: p.interpolation }),
      new CenterCrop(p.cropSize),
      new ToTensor(),
      new Normalize(p.mean, p.std),
    ]);
  }

  /** `'ResNet18_Weights.IMAGENET1K_V1'`, as Python prints the enum member. */
  toString(): string {
    return `${this.enumName}.${this.name}`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

/** A `*_Weights` enum: its members by name, `DEFAULT`, iteration and `verify`. */
export type WeightsEnum<K extends string> = { readonly [P in K]: Weights } & AnyWeightsEnum;

/** What every weights enum has, whatever its members. */
export interface AnyWeightsEnum {
  /** The best weights, as torchvision's `DEFAULT` alias. */
  readonly DEFAULT: Weights;
  readonly enumName: string;
  /** The torchvision model name these weights belong to. */
  readonly model: string;
  /** The members, without the `DEFAULT` alias (as `list(ResNet50_Weights)`). */
  members(): Weights[];
  /**
   * A member from itself or its name (`'IMAGENET1K_V1'`, `'DEFAULT'`,
   * `'ResNet18_Weights.IMAGENET1K_V1'`), as `ResNet18_Weights.verify(obj)`; throws otherwise.
   */
  verify(value: Weights | string): Weights;
  /** Iterates the members, as `for w in ResNet50_Weights`. */
  [Symbol.iterator](): Iterator<Weights>;
}

/** Builds an enum from its generated table rows (used by table.ts and cifar.ts). */
export function weightsEnum<K extends string>(
  enumName: string,
  model: string,
  defaultName: NoInfer<K>,
  entries: Record<K, WeightsEntry>,
): WeightsEnum<K> {
  const members: Record<string, Weights> = {};
  for (const [name, e] of Object.entries(entries) as [string, WeightsEntry][]) {
    members[name] = new Weights(enumName, name, model, e.url, Object.freeze({ ...e.transforms }), e.meta);
  }
  const list = Object.values(members);
  const verify = (value: Weights | string): Weights => {
    if (value instanceof Weights) {
      if (value.enumName !== enumName)
        throw new Error(`Invalid Weight class provided; expected ${enumName} but received ${value.enumName}.`);
      return value;
    }
    const member = value.startsWith(`${enumName}.`) ? value.slice(enumName.length + 1) : value;
    const found = member === 'DEFAULT' ? members[defaultName] : members[member];
    if (!found)
      throw new Error(
        `${enumName}: no weights named '${value}'; available: DEFAULT, ${list.map((w) => w.name).join(', ')}`,
      );
    return found;
  };
  return Object.freeze({
    ...members,
    DEFAULT: members[defaultName],
    enumName,
    model,
    members: () => [...list],
    verify,
    [Symbol.iterator]: () => list[Symbol.iterator](),
  }) as unknown as WeightsEnum<K>;
}
