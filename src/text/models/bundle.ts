/**
 * torchtext's RobertaBundle and its four published encoders: a configuration, the URL of its
 * `*.encoder.pt` weights, and the text transform. `getModel` builds the model, loads weights
 * (renaming pre-0.14 keys as torchtext's `_load_from_state_dict` does) and attaches a head,
 * whose fresh weights replace any head in the checkpoint (torchtext's `override_checkpoint_head`).
 */
import type { Tensor } from '../../tensor.js';
import type { Module } from '../../nn/module.js';
import { load } from '../../io/index.js';
import { cachedFile } from '../../models/weights/hub_node.js';
import { RobertaEncoderConf } from './conf.js';
import { RobertaModel } from './roberta.js';
import { checkOptions } from '../../args.js';
import {
  AddToken,
  GPT2BPETokenizer,
  SentencePieceTokenizer,
  Sequential,
  Truncate,
  VocabTransform,
} from '../transforms.js';
import { Vocab } from '../vocab.js';
import { loadVocab } from '../vocab_file.js';

/**
 * What `transform()` returns: torchtext's text pipeline (tokenizer, vocabulary, Truncate,
 * AddToken), a string (or strings) to token ids.
 */
export interface TextTransform {
  /** Token ids of one string, or of each string of a batch. */
  forward(text: string | string[]): number[] | number[][];
}

/**
 * The files of a bundle's `transform` (paths in Node, or the files' bytes). torchtext's bundle
 * downloads them from download.pytorch.org/models/text/; shadergrad takes them from the caller.
 */
export interface TransformFiles {
  /** XLM-R: the sentencepiece model, torchtext's `xlmr.sentencepiece.bpe.model`. */
  spModel?: string | Uint8Array;
  /** RoBERTa: GPT-2's `encoder.json`, torchtext's `gpt2_bpe_encoder.json`. */
  encoderJson?: string | Uint8Array;
  /** RoBERTa: GPT-2's merges, torchtext's `gpt2_bpe_vocab.bpe`. */
  vocabBpe?: string | Uint8Array;
  /** torchtext's vocabulary `xlmr.vocab.pt` / `roberta.vocab.pt` (or a `Vocab`). */
  vocab?: string | Uint8Array | Vocab;
}

/** Options of `RobertaBundle.getModel`. */
export interface GetModelOptions {
  /** A module attached after the encoder (replacing the checkpoint's head, if any). */
  head?: Module | null;
  /**
   * The weights: a `*.encoder.pt` path, its bytes, or a state dict. Default: the bundle's file
   * from PyTorch's cache (`$TORCH_HOME/hub/checkpoints`, where torchtext puts it), downloaded when absent.
   */
  weights?: string | Uint8Array | Map<string, Tensor>;
  /** false: random initialisation (default true, as torchtext). */
  loadWeights?: boolean;
  /** requiresGrad false on every encoder parameter (default false). */
  freezeEncoder?: boolean;
}

const BETTER_TO_OLD: Record<string, string> = {
  'self_attn.in_proj_weight': 'attention.input_projection.weight',
  'self_attn.in_proj_bias': 'attention.input_projection.bias',
  'self_attn.out_proj.weight': 'attention.output_projection.weight',
  'self_attn.out_proj.bias': 'attention.output_projection.bias',
  'linear1.weight': 'residual_mlp.mlp.0.weight',
  'linear1.bias': 'residual_mlp.mlp.0.bias',
  'linear2.weight': 'residual_mlp.mlp.3.weight',
  'linear2.bias': 'residual_mlp.mlp.3.bias',
  'norm1.weight': 'attention_layer_norm.weight',
  'norm1.bias': 'attention_layer_norm.bias',
  'norm2.weight': 'final_layer_norm.weight',
  'norm2.bias': 'final_layer_norm.bias',
};
const OLD_TO_BETTER = new Map(Object.entries(BETTER_TO_OLD).map(([b, o]) => [o, b]));

/**
 * Pre-0.14 torchtext key names (`...layers.3.attention.input_projection.weight`) renamed to
 * PyTorch's (`...layers.layers.3.self_attn.in_proj_weight`), as torchtext's loader does; other
 * keys unchanged, order kept.
 */
export function remapRobertaKeys(state: Map<string, Tensor>): Map<string, Tensor> {
  const out = new Map<string, Tensor>();
  for (const [k, t] of state) {
    const m = /^(.*?)layers\.(\d+)\.(.+)$/.exec(k);
    const better = m ? OLD_TO_BETTER.get(m[3]) : undefined;
    out.set(m && better ? `${m[1]}layers.layers.${m[2]}.${better}` : k, t);
  }
  return out;
}

/** torchtext's RobertaBundle: `getModel(options)`, `transform()`, `encoderConf`. */
export class RobertaBundle {
  constructor(
    /** The bundle's name, as torchtext's attribute (`XLMR_BASE_ENCODER`). */
    readonly name: string,
    /** The encoder's configuration. */
    readonly encoderConf: RobertaEncoderConf,
    /** The published weights (torchtext's `_path`). */
    readonly url: string,
    private readonly makeTransform: (files: TransformFiles) => TextTransform,
  ) {}

  /**
   * The model with this bundle's configuration, `head` attached, weights loaded unless
   * `loadWeights: false`; as torchtext's `bundle.get_model(head=..., load_weights=..., freeze_encoder=...)`.
   */
  async getModel(options: GetModelOptions = {}): Promise<RobertaModel> {
    checkOptions('getModel', options, {
      head: 'object|null',
      weights: 'string|bytes|object',
      loadWeights: 'boolean',
      freezeEncoder: 'boolean',
    });
    const { head = null, loadWeights = true, freezeEncoder = false } = options;
    const model = new RobertaModel(this.encoderConf, head, { freezeEncoder });
    if (!loadWeights) return model;
    const source = options.weights ?? (await cachedFile(this.url, this.url.split('/').pop()!, { checkHash: false }));
    await loadRobertaWeights(model, source, this.name);
    return model;
  }

  /**
   * The text transform of this bundle, as torchtext's `bundle.transform()`: tokenizer ->
   * `VocabTransform` -> `Truncate(254)` (510 for the large models) -> `AddToken(0, begin)` ->
   * `AddToken(2, end)`, strings to token ids. torchtext downloads the tokenizer and vocabulary
   * files; here they are given: `{spModel, vocab}` for XLM-R, `{encoderJson, vocabBpe, vocab}`
   * for RoBERTa (see `TransformFiles`).
   */
  transform(files: TransformFiles = {}): TextTransform {
    checkOptions(`${this.name}.transform`, files, {
      spModel: 'string|bytes',
      encoderJson: 'string|bytes',
      vocabBpe: 'string|bytes',
      vocab: 'string|bytes|object',
    });
    return this.makeTransform(files);
  }
}

/**
 * Loads torchtext weights into `model`: old keys renamed, the model's own head kept when it has
 * one (the checkpoint's head dropped), non-strict as torchtext (missing keys keep their values;
 * a shape mismatch is an error naming the key).
 */
export async function loadRobertaWeights(
  model: RobertaModel,
  source: string | Uint8Array | Map<string, Tensor>,
  what = 'RobertaModel',
): Promise<{ missingKeys: string[]; unexpectedKeys: string[] }> {
  const state = source instanceof Map ? source : await load(source);
  try {
    const renamed = remapRobertaKeys(state);
    if (model.head) for (const k of [...renamed.keys()]) if (k.startsWith('head.')) renamed.delete(k);
    return model.loadStateDict(renamed, { strict: false });
  } catch (e) {
    throw new Error(`${what}: cannot load weights: ${(e as Error).message}`);
  } finally {
    if (!(source instanceof Map)) for (const t of state.values()) t.dispose();
  }
}

const TEXT_BUCKET = 'https://download.pytorch.org/models/text/';

/** The files a bundle's transform needs, or an error naming the missing ones. */
function need<K extends keyof TransformFiles>(
  name: string,
  files: TransformFiles,
  keys: K[],
): Required<Pick<TransformFiles, K>> {
  const missing = keys.filter((k) => files?.[k] === undefined);
  if (missing.length > 0)
    throw new Error(
      `${name}.transform(): needs ${keys.map((k) => `'${k}'`).join(', ')} (torchtext downloads them from ${TEXT_BUCKET}); missing ${missing.join(', ')}`,
    );
  return files as Required<Pick<TransformFiles, K>>;
}

/** torchtext's bundle pipeline after the tokenizer. */
function pipeline(tokenizer: { forward(t: never): unknown }, vocab: string | Uint8Array | Vocab, maxSeqLen: number) {
  return new Sequential(
    tokenizer,
    new VocabTransform(vocab instanceof Vocab ? vocab : loadVocab(vocab)),
    new Truncate(maxSeqLen),
    new AddToken({ token: 0, begin: true }),
    new AddToken({ token: 2, begin: false }),
  ) as TextTransform;
}

/** XLM-R's transform: SentencePiece (`xlmr.sentencepiece.bpe.model`), `xlmr.vocab.pt`. */
const xlmrTransform = (name: string, maxSeqLen: number) => (files: TransformFiles) => {
  const { spModel, vocab } = need(name, files, ['spModel', 'vocab']);
  return pipeline(new SentencePieceTokenizer(spModel), vocab, maxSeqLen);
};

/** RoBERTa's transform: GPT-2 BPE (`gpt2_bpe_encoder.json`, `gpt2_bpe_vocab.bpe`), `roberta.vocab.pt`. */
const robertaTransform = (name: string, maxSeqLen: number) => (files: TransformFiles) => {
  const { encoderJson, vocabBpe, vocab } = need(name, files, ['encoderJson', 'vocabBpe', 'vocab']);
  return pipeline(new GPT2BPETokenizer(encoderJson, vocabBpe), vocab, maxSeqLen);
};

const base = new RobertaEncoderConf();
const large = { embeddingDim: 1024, ffnDimension: 4096, numAttentionHeads: 16, numEncoderLayers: 24 };

/** XLM-R base (250,002 tokens, 12 layers of 768; 278M parameters), torchtext's `XLMR_BASE_ENCODER`. */
export const XLMR_BASE_ENCODER = new RobertaBundle(
  'XLMR_BASE_ENCODER',
  new RobertaEncoderConf({ vocabSize: 250002 }),
  `${TEXT_BUCKET}xlmr.base.encoder.pt`,
  xlmrTransform('XLMR_BASE_ENCODER', 254),
);
/** XLM-R large (24 layers of 1024; 560M parameters), torchtext's `XLMR_LARGE_ENCODER`. */
export const XLMR_LARGE_ENCODER = new RobertaBundle(
  'XLMR_LARGE_ENCODER',
  new RobertaEncoderConf({ vocabSize: 250002, ...large }),
  `${TEXT_BUCKET}xlmr.large.encoder.pt`,
  xlmrTransform('XLMR_LARGE_ENCODER', 510),
);
/** RoBERTa base (50,265 tokens; 125M parameters), torchtext's `ROBERTA_BASE_ENCODER`. */
export const ROBERTA_BASE_ENCODER = new RobertaBundle(
  'ROBERTA_BASE_ENCODER',
  base,
  `${TEXT_BUCKET}roberta.base.encoder.pt`,
  robertaTransform('ROBERTA_BASE_ENCODER', 254),
);
/** RoBERTa large (24 layers of 1024; 355M parameters), torchtext's `ROBERTA_LARGE_ENCODER`. */
export const ROBERTA_LARGE_ENCODER = new RobertaBundle(
  'ROBERTA_LARGE_ENCODER',
  new RobertaEncoderConf(large),
  `${TEXT_BUCKET}roberta.large.encoder.pt`,
  robertaTransform('ROBERTA_LARGE_ENCODER', 510),
);
