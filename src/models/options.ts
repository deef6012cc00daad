/** The constructor options the zoo shares (torchvision's `num_classes`, `dropout` keywords). */
import { parseArgs } from '../nn/args.js';

/** Options shared by the classification models, as torchvision's `num_classes` and `dropout` keyword arguments. */
export interface ClassifierOptions {
  /** Size of the last layer (torchvision's `num_classes`; 1000 for ImageNet). */
  numClasses?: number;
  /** Dropout probability in the classifier (torchvision's `dropout`; 0.5). */
  dropout?: number;
}

/** Options with defaults filled in; an unknown key is an error naming the model. */
export function modelOptions<T extends object>(model: string, given: object, defaults: T): T {
  const o = parseArgs(model, [], [given], defaults);
  const numClasses = (o as { numClasses?: number }).numClasses;
  if (numClasses !== undefined && !(Number.isInteger(numClasses) && numClasses > 0)) {
    throw new Error(`${model}: numClasses must be a positive integer, got ${numClasses}`);
  }
  return o;
}
