/** `sg.text`: torchtext's layout: `models`, `transforms`, `vocab`, `functional`, `datasets`. */
/** torchtext's text models (RoBERTa, XLM-R encoders, head and bundles): `torchtext.models`. */
export * as models from './models/index.js';
/** torchtext's text transforms (SentencePieceTokenizer, GPT2BPETokenizer, VocabTransform, Truncate, AddToken, PadTransform, ToTensor, Sequential): `torchtext.transforms`. */
export * as transforms from './transforms.js';
/** torchtext's vocabulary (`Vocab`, `vocab(orderedMap, options)`, `loadVocab(file)` for `*.vocab.pt` files): `torchtext.vocab`. */
export * as vocab from './vocab_api.js';
/** torchtext's functional forms (`toTensor`, `truncate`, `addToken`): `torchtext.functional`. */
export * as functional from './functional.js';
/** Labelled sentences from a TSV/CSV (GLUE SST-2 layout) or a class folder, and token-id datasets. */
export * as datasets from './datasets.js';
