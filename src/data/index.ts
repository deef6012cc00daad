/** `sg.data`: image decoding, datasets and the DataLoader. */
export { loadMnist, type DigitSet } from './mnist.js';
