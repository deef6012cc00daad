/**
 * `sg.text.datasets`: labelled sentences from files (GLUE SST-2's `sentence<TAB>label` TSV with a
 * header, a CSV, or a folder DIR/<class>/*.txt) and a dataset of token ids for `sg.data.DataLoader`
 * ([B, S] int32 batches, padded with the padding id), and `padCollate`, a DataLoader collate that
 * pads each batch to its longest sentence. The readers live with the text workflow in
 * `src/train/text_data.ts`; this module gives them their torchtext-style place.
 */
export {
  readLabelledTable,
  readTextFolder,
  readLabelledText,
  TokenDataset,
  type LabelledText,
} from '../train/text_data.js';
export { padCollate, type PadCollateOptions } from './collate.js';
