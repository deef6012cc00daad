/**
 * Labelled sentences for the text workflow: reading them (a TSV/CSV with a label column, GLUE's
 * SST-2 layout `sentence<TAB>label`, or a folder DIR/<class>/*.txt, one sample per file), a
 * dataset of token ids padded to a common length (padding id 1, as torchtext's RoBERTa), and a
 * word-level vocabulary built from the training sentences for when no tokenizer is given.
 */
import type { Dataset, Example } from '../data/datasets.js';
import { checkIndex } from '../data/datasets.js';
import type { HostTensor } from '../data/image.js';
import { nodeFs } from '../data/node.js';
import type { TextTransform } from '../text/models/bundle.js';
import { joinPath } from './files.js';
import { checkOptions } from '../args.js';

/** Sentences, their class indices and the class names (`labels[i]` indexes `classes`). */
export interface LabelledText {
  sentences: string[];
  labels: number[];
  classes: string[];
}

/** One line of CSV (`,`, RFC 4180 quotes) or TSV (tab, no quoting, as GLUE's files) into fields. */
function splitRow(line: string, sep: string): string[] {
  if (sep === '\t') return line.split('\t');
  const out: string[] = [];
  let field = '',
    quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted && c === '"' && line[i + 1] === '"') {
      field += '"';
      i++;
    } else if (c === '"') {
      quoted = !quoted;
    } else if (c === sep && !quoted) {
      out.push(field);
      field = '';
    } else {
      field += c;
    }
  }
  out.push(field);
  return out;
}

/**
 * Class names and indices of raw labels: integer labels 0..K-1 stay as they are (SST-2's 0/1,
 * classes '0', '1', ...), other labels are the sorted distinct strings.
 */
function indexLabels(raw: string[], what: string): { labels: number[]; classes: string[] } {
  if (raw.every((l) => /^\d+$/.test(l))) {
    const k = Math.max(...raw.map(Number)) + 1;
    return { labels: raw.map(Number), classes: Array.from({ length: k }, (_, i) => String(i)) };
  }
  const classes = [...new Set(raw)].sort();
  if (classes.length < 2) throw new Error(`${what}: needs at least two classes, found ${classes.length}`);
  return { labels: raw.map((l) => classes.indexOf(l)), classes };
}

/**
 * A .tsv or .csv of labelled sentences: a header naming a `sentence` (or `text`) and a `label`
 * column, as GLUE's SST-2 `train.tsv`; without such a header, the first column is the text and
 * the last the label.
 */
export function readLabelledTable(path: string): LabelledText {
  const text = nodeFs('readLabelledTable').readFileSync(path, 'utf8');
  const sep = path.toLowerCase().endsWith('.csv') ? ',' : '\t';
  const rows = text
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '')
    .map((l) => splitRow(l, sep));
  if (rows.length === 0) throw new Error(`readLabelledTable: ${path} has no rows`);
  const header = rows[0].map((h) => h.trim().toLowerCase());
  let textCol = header.findIndex((h) => h === 'sentence' || h === 'text');
  let labelCol = header.indexOf('label');
  const body = textCol >= 0 && labelCol >= 0 ? rows.slice(1) : rows;
  if (textCol < 0 || labelCol < 0) [textCol, labelCol] = [0, rows[0].length - 1];
  if (textCol === labelCol) throw new Error(`readLabelledTable: ${path} needs a text and a label column`);
  body.forEach((r, i) => {
    if (r.length <= Math.max(textCol, labelCol))
      throw new Error(`readLabelledTable: ${path} row ${i + 1} has ${r.length} fields, expected a text and a label`);
  });
  const { labels, classes } = indexLabels(
    body.map((r) => r[labelCol].trim()),
    `readLabelledTable(${path})`,
  );
  return { sentences: body.map((r) => r[textCol]), labels, classes };
}

/** DIR/<class>/*.txt, one sample per file (as IMDB's aclImdb), classes sorted by name. */
export function readTextFolder(dir: string): LabelledText {
  const fs = nodeFs('readTextFolder');
  const classes = fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  if (classes.length < 2) throw new Error(`readTextFolder: ${dir} needs at least two class folders`);
  const out: LabelledText = { sentences: [], labels: [], classes };
  classes.forEach((c, k) => {
    for (const f of fs
      .readdirSync(joinPath(dir, c))
      .filter((n) => n.endsWith('.txt'))
      .sort()) {
      out.sentences.push(fs.readFileSync(joinPath(joinPath(dir, c), f), 'utf8').trim());
      out.labels.push(k);
    }
  });
  if (out.sentences.length === 0) throw new Error(`readTextFolder: ${dir} has no .txt files in its class folders`);
  return out;
}

/** A .tsv/.csv file or a folder of class folders of .txt files. */
export function readLabelledText(path: string): LabelledText {
  return nodeFs('readLabelledText').statSync(path).isDirectory() ? readTextFolder(path) : readLabelledTable(path);
}

/** Token ids [length] (padded with `paddingIdx` or cut) as a host sample of dtype int32. */
export function tokenSample(ids: readonly number[], length = ids.length, paddingIdx = 1): HostTensor {
  const data = new Float32Array(length).fill(paddingIdx);
  data.set(ids.slice(0, length));
  return { shape: [length], data, dtype: 'int32' };
}

/**
 * Token-id samples with labels, cut to `maxLength`. By default each is padded with `paddingIdx`
 * to the dataset's longest, so the DataLoader's default collate stacks them into [B, S] int32
 * batches; with `padding: false` each keeps its own length, for a collate that pads per batch
 * (`sg.text.datasets.padCollate`). Padding changes no result of a RoBERTa model: padded keys are
 * masked and the head reads the first token.
 */
export class TokenDataset implements Dataset<Example> {
  readonly length: number;
  /** The longest sample, at most `maxLength`: the common length of the samples when they are padded. */
  readonly sequenceLength: number;

  constructor(
    readonly ids: readonly number[][],
    readonly labels: readonly number[],
    readonly options: { paddingIdx?: number; maxLength?: number; padding?: boolean } = {},
  ) {
    checkOptions('TokenDataset', options, { paddingIdx: 'integer', maxLength: 'integer', padding: 'boolean' });
    if (ids.length !== labels.length)
      throw new Error(`TokenDataset: ${ids.length} token sequences but ${labels.length} labels`);
    this.length = ids.length;
    const longest = Math.max(1, ...ids.map((s) => s.length));
    this.sequenceLength = Math.min(longest, options.maxLength ?? longest);
  }

  get(index: number): Example {
    checkIndex('TokenDataset', index, this.length);
    const ids = this.ids[index];
    const length = this.options.padding === false ? Math.min(ids.length, this.sequenceLength) : this.sequenceLength;
    return [tokenSample(ids, length, this.options.paddingIdx ?? 1), this.labels[index]];
  }
}

/**
 * A word-level vocabulary of training sentences, for a model trained from random initialisation
 * when no tokenizer is given: lower-cased words and punctuation marks, ids by frequency (ties by
 * spelling) after torchtext's specials <s> 0, <pad> 1, </s> 2, <unk> 3; `forward` adds <s> and
 * </s> and cuts to `maxLength` tokens, as the bundles' transforms do.
 */
export class WordVocabulary implements TextTransform {
  readonly itos: string[];
  private readonly stoi: Map<string, number>;

  constructor(
    sentences: readonly string[],
    readonly options: { maxSize?: number; maxLength?: number } = {},
  ) {
    const counts = new Map<string, number>();
    for (const s of sentences) for (const w of words(s)) counts.set(w, (counts.get(w) ?? 0) + 1);
    const sorted = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([w]) => w);
    this.itos = ['<s>', '<pad>', '</s>', '<unk>', ...sorted].slice(0, options.maxSize ?? Infinity);
    this.stoi = new Map(this.itos.map((w, i) => [w, i]));
  }

  /** Token ids of one sentence, or of each of several. */
  forward(text: string | string[]): number[] | number[][] {
    if (Array.isArray(text)) return text.map((t) => this.encode(t));
    return this.encode(text);
  }

  private encode(text: string): number[] {
    const max = (this.options.maxLength ?? 256) - 2;
    const ids = words(text)
      .slice(0, max)
      .map((w) => this.stoi.get(w) ?? 3);
    return [0, ...ids, 2];
  }
}

const words = (s: string) => s.toLowerCase().match(/[\p{L}\p{N}_']+|[^\s\p{L}\p{N}_']/gu) ?? [];
