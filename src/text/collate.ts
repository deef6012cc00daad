/**
 * Per-batch padding for `sg.data.DataLoader`: a `collateFn` that pads the token ids of each batch
 * to the batch's longest sentence, not to a length fixed for the whole dataset, as torchtext's
 * tutorials write it in PyTorch:
 *
 *   DataLoader(ds, batch_size=16, collate_fn=lambda batch: (
 *       F.to_tensor([ids for ids, _ in batch], padding_value=1), torch.tensor([y for _, y in batch])))
 *
 *   const loader = new sg.data.DataLoader(new sg.text.datasets.TokenDataset(ids, labels, { padding: false }),
 *     { batchSize: 16, collateFn: sg.text.datasets.padCollate({ paddingValue: 1 }) });
 *
 * A RoBERTa model's attention mask follows from the padding (keys equal to its `paddingIdx` are
 * masked, positions count only the other tokens), so a shorter batch gives the same results
 * for less work: attention is quadratic in the length, everything else linear.
 */
import type { CollateFn } from '../data/loader.js';
import { isHostTensor } from '../data/image.js';
import { checkOptions } from '../args.js';
import { tensor } from '../ops/create.js';

/** Options of `padCollate`. */
export interface PadCollateOptions {
  /** The id padded in (default 1, RoBERTa's and XLM-R's `<pad>`). */
  paddingValue?: number;
  /** Sentences longer than this are cut (default: none are). */
  maxLength?: number;
}

/**
 * A DataLoader `collateFn`: samples `[ids, label]` (ids a 1-D host tensor of token ids, as
 * `TokenDataset` gives them) to x int32 [B, L], each row padded with `paddingValue` to L, the
 * longest sentence of this batch (at most `maxLength`), and y int32 [B] of the labels; as
 * `torchtext.functional.to_tensor(batch, padding_value)` in a PyTorch `collate_fn`.
 */
export function padCollate(options: PadCollateOptions = {}): CollateFn {
  checkOptions('padCollate', options, { paddingValue: 'integer', maxLength: 'integer' });
  const { paddingValue = 1, maxLength = Infinity } = options;
  if (!(maxLength >= 1)) throw new Error(`padCollate: maxLength must be at least 1, got ${maxLength}`);
  return (samples) => {
    if (samples.length === 0) throw new Error('padCollate: a batch needs at least one sample');
    const rows = samples.map(([ids, label], k) => {
      if (!isHostTensor(ids) || ids.shape.length !== 1)
        throw new Error(
          `padCollate: sample ${k} of the batch should be 1-D token ids (a host tensor [length]), got ${describe(ids)}`,
        );
      if (!Number.isInteger(label))
        throw new Error(`padCollate: the label of sample ${k} of the batch is ${label}; labels must be integers`);
      return ids.data.subarray(0, Math.min(ids.shape[0], maxLength));
    });
    const longest = Math.max(...rows.map((r) => r.length));
    const x = new Int32Array(rows.length * longest).fill(paddingValue);
    rows.forEach((r, i) => x.set(r, i * longest));
    return {
      x: tensor(x, { dtype: 'int32', shape: [rows.length, longest] }),
      y: tensor(
        Int32Array.from(samples, ([, label]) => label),
        { dtype: 'int32', shape: [samples.length] },
      ),
    };
  };
}

function describe(v: unknown): string {
  if (isHostTensor(v)) return `shape [${v.shape.join(', ')}]`;
  return v !== null && typeof v === 'object' && 'width' in v ? 'an Image' : typeof v;
}
