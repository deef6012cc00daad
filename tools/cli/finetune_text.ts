/**
 * The text side of `shadergrad finetune` (`--task text`, or a --data that is a .tsv/.csv or a
 * folder of class folders of .txt files): options for `sg.train.finetuneText`.
 *
 *   shadergrad finetune --data SST-2/train.tsv --val SST-2/dev.tsv --model XLMR_BASE_ENCODER \
 *     --weights xlmr.base.encoder.pt --sp-model xlmr.sentencepiece.bpe.model --vocab xlmr.vocab.pt \
 *     --epochs 2 --head-epochs 1 --out run
 *
 * Pretrained weights need the model's own tokenizer files (torchtext's pipeline, the bundle's
 * `transform({...})`); without them the ids come from a word vocabulary of the training
 * sentences, which only `--word-vocab` accepts next to `--weights`.
 */
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as sg from '../../src/index.js';
import { UsageError, flag, num, str, type OptionSpec, type Parsed } from './args.js';

/** Options only the text task reads. */
export const TEXT_SPEC: Record<string, OptionSpec> = {
  task: { type: 'string', help: 'image | text (default: text for a .tsv/.csv or a folder of .txt files)' },
  'encoder-layers': { type: 'string', help: "text: encoder layers (default the bundle's; fewer for a quick run)" },
  'embedding-dim': { type: 'string', help: "text: encoder width (default the bundle's)" },
  heads: { type: 'string', help: "text: attention heads (default the bundle's)" },
  'ffn-dim': { type: 'string', help: "text: feed-forward width (default the bundle's)" },
  'max-length': { type: 'string', help: 'text: longest token sequence kept', default: '256' },
  'freeze-embeddings': {
    type: 'boolean',
    help: 'text: keep the token table as it is (no gradient, no optimiser state)',
  },
  'sparse-embeddings': {
    type: 'boolean',
    help: "text: update only the batch's rows of the token table (SparseAdam's rule; --optimizer adam/adamw)",
  },
  'sp-model': {
    type: 'string',
    help: "text, XLM-R: the sentencepiece model (torchtext's xlmr.sentencepiece.bpe.model)",
  },
  'encoder-json': { type: 'string', help: "text, RoBERTa: GPT-2's encoder.json (torchtext's gpt2_bpe_encoder.json)" },
  'vocab-bpe': { type: 'string', help: "text, RoBERTa: GPT-2's merges (torchtext's gpt2_bpe_vocab.bpe)" },
  vocab: { type: 'string', help: "text: torchtext's vocabulary (xlmr.vocab.pt or roberta.vocab.pt)" },
  'word-vocab': {
    type: 'boolean',
    help: 'text: tokenize with a word vocabulary of the training sentences even with --weights',
  },
};

/** The tokenizer files of each bundle family: option name -> `TransformFiles` key. */
const XLMR_FILES = { 'sp-model': 'spModel', vocab: 'vocab' } as const;
const ROBERTA_FILES = { 'encoder-json': 'encoderJson', 'vocab-bpe': 'vocabBpe', vocab: 'vocab' } as const;
const ALL_FILES = ['sp-model', 'encoder-json', 'vocab-bpe', 'vocab'] as const;

/**
 * The tokenizer of the command line: the bundle's torchtext pipeline from `--sp-model`/`--vocab`
 * (XLM-R) or `--encoder-json`/`--vocab-bpe`/`--vocab` (RoBERTa) with `files` (absolute paths, for
 * tokenizer.json), or undefined for the word vocabulary (refused with `--weights` unless `--word-vocab`).
 */
export function textTokenizer(
  p: Parsed,
  model: keyof typeof sg.train.TEXT_BUNDLES,
): { transform: sg.text.models.TextTransform; files: Record<string, string> } | undefined {
  const given = ALL_FILES.filter((o) => str(p, o) !== undefined);
  const wordVocab = flag(p, 'word-vocab');
  const xlmr = model.startsWith('XLMR');
  const want: Record<string, string> = xlmr ? XLMR_FILES : ROBERTA_FILES;
  const options = Object.keys(want).map((o) => `--${o} FILE`);
  if (!given.length) {
    if (str(p, 'weights') !== undefined && !wordVocab)
      throw new UsageError(
        `finetune: pretrained --weights need ${model}'s own tokenizer files: ${options.join(' ')} ` +
          "(torchtext's files; or --word-vocab to tokenize with a word vocabulary of the training sentences)",
      );
    return undefined;
  }
  if (wordVocab) throw new UsageError(`finetune: --word-vocab excludes tokenizer files (--${given.join(', --')})`);
  const foreign = given.filter((o) => !(o in want));
  if (foreign.length)
    throw new UsageError(
      `finetune: --${foreign.join(', --')} ${foreign.length > 1 ? 'are' : 'is'} not a file of ${model}, which needs ${options.join(' ')}`,
    );
  const missing = Object.keys(want).filter((o) => str(p, o) === undefined);
  if (missing.length)
    throw new UsageError(
      `finetune: ${model}'s tokenizer needs ${options.join(' ')}; missing --${missing.join(', --')}`,
    );
  const files: Record<string, string> = {};
  for (const [o, key] of Object.entries(want)) {
    const path = str(p, o)!;
    if (!existsSync(path)) throw new UsageError(`finetune: --${o}: no such file ${path}`);
    files[key] = resolve(path);
  }
  return { transform: sg.train.TEXT_BUNDLES[model].transform(files), files };
}

/** Whether `data` holds labelled sentences: a .tsv/.csv file, or class folders holding .txt files. */
export function looksLikeText(data: string): boolean {
  if (/\.(tsv|csv)$/i.test(data)) return true;
  if (!existsSync(data) || !statSync(data).isDirectory()) return false;
  for (const e of readdirSync(data, { withFileTypes: true })) {
    if (!e.isDirectory()) continue;
    const files = readdirSync(join(data, e.name));
    if (files.some((f) => f.endsWith('.txt'))) return true;
    if (files.length) return false;
  }
  return false;
}

/**
 * The command line as `sg.train.finetuneText` options, and the tokenizer files used (absolute
 * paths by `TransformFiles` key; undefined for the word vocabulary).
 */
export function textOptions(
  p: Parsed,
  data: string,
  common: Record<string, unknown>,
): { options: sg.train.TextFinetuneOptions; tokenizerFiles?: Record<string, string> } {
  const model = str(p, 'model') ?? 'XLMR_BASE_ENCODER';
  if (!(model in sg.train.TEXT_BUNDLES))
    throw new UsageError(
      `finetune: --model for text must be one of ${Object.keys(sg.train.TEXT_BUNDLES).join(', ')}, got "${model}"`,
    );
  const n = (name: string) => num(p, 'finetune', name, { integer: true });
  const encoder = Object.fromEntries(
    (
      [
        ['numEncoderLayers', n('encoder-layers')],
        ['embeddingDim', n('embedding-dim')],
        ['numAttentionHeads', n('heads')],
        ['ffnDimension', n('ffn-dim')],
      ] as const
    ).filter(([, v]) => v !== undefined),
  );
  const name = model as keyof typeof sg.train.TEXT_BUNDLES;
  const tokenizer = textTokenizer(p, name);
  const options = {
    ...common,
    data,
    model: name,
    encoder,
    maxLength: n('max-length'),
    freezeEmbeddings: p.options.get('freeze-embeddings') === true,
    sparseEmbeddings: p.options.get('sparse-embeddings') === true,
    ...(tokenizer ? { tokenizer: tokenizer.transform } : {}),
  } as sg.train.TextFinetuneOptions;
  return { options, tokenizerFiles: tokenizer?.files };
}

/**
 * Records in `out`/tokenizer.json which torchtext files the model's token ids came from (the
 * bundle and the files' absolute paths), so that a later prediction tokenizes the same way.
 */
export function writeTokenizerRecord(out: string, model: string, files: Record<string, string>): void {
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'tokenizer.json'), JSON.stringify({ model, files }, null, 2) + '\n');
}
