/**
 * The text side of `shadergrad finetune` (`--task text`, or a --data that is a .tsv/.csv or a
 * folder of class folders of .txt files): options for `sg.train.finetuneText`.
 *
 *   shadergrad finetune --data SST-2/train.tsv --val SST-2/dev.tsv --model XLMR_BASE_ENCODER \
 *     --weights xlmr.base.encoder.pt --epochs 2 --head-epochs 1 --out run
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as sg from '../../src/index.js';
import { UsageError, num, str, type OptionSpec, type Parsed } from './args.js';

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
};

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

/** The command line as `sg.train.finetuneText` options. */
export function textOptions(p: Parsed, data: string, common: Record<string, unknown>): sg.train.TextFinetuneOptions {
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
  return {
    ...common,
    data,
    model: model as keyof typeof sg.train.TEXT_BUNDLES,
    encoder,
    maxLength: n('max-length'),
    freezeEmbeddings: p.options.get('freeze-embeddings') === true,
    sparseEmbeddings: p.options.get('sparse-embeddings') === true,
  } as sg.train.TextFinetuneOptions;
}
