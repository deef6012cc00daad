/** `sg.text`: torchtext's layout (`sg.text.models`); the tokenizers and transforms come in `transforms`, `vocab`, `functional`. */
export * as models from './models/index.js';
