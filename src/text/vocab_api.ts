/**
 * `sg.text.vocab`, as `torchtext.vocab`: `Vocab`, `vocab(orderedMap, options)` (vocab.ts) and
 * `loadVocab(file)` for torchtext's `*.vocab.pt` files (vocab_file.ts).
 */
export * from './vocab.js';
export { loadVocab } from './vocab_file.js';
