/**
 * Fine-tuning a text classifier as torchtext's SST-2 tutorial does, in one call (and
 * `shadergrad finetune --task text`): an encoder bundle (`XLMR_BASE_ENCODER` by default, its
 * torchtext `*.encoder.pt` weights or random initialisation) with a RobertaClassificationHead
 * sized to the classes; phase 1 trains the head on the frozen encoder with `headLr`, phase 2
 * fine-tunes everything with the encoder at `backboneLr`; every epoch is evaluated.
 *
 *   const r = await sg.train.finetuneText({ data: 'SST-2/train.tsv', val: 'SST-2/dev.tsv',
 *     weights: 'xlmr.base.encoder.pt',
 *     tokenizer: sg.text.models.XLMR_BASE_ENCODER.transform({ spModel: 'xlmr.sentencepiece.bpe.model', vocab: 'xlmr.vocab.pt' }) });
 *   await sg.train.classifyText(r.model, r.tokenizer, 'a gripping film');  // probabilities
 */
import { init } from '../init.js';
import { padCollate } from '../text/collate.js';
import { manualSeed } from '../ops/create.js';
import type { Module } from '../nn/module.js';
import { Subset, randomSplit, type Dataset, type Example } from '../data/datasets.js';
import { RobertaEncoderConf, type RobertaEncoderConfig } from '../text/models/conf.js';
import { RobertaClassificationHead, RobertaModel } from '../text/models/roberta.js';
import {
  ROBERTA_BASE_ENCODER,
  ROBERTA_LARGE_ENCODER,
  XLMR_BASE_ENCODER,
  XLMR_LARGE_ENCODER,
  loadRobertaWeights,
  type TextTransform,
} from '../text/models/bundle.js';
import { type FitResult, type TrainEvents, fit } from './fit.js';
import type { OptimizerName, SchedulerName } from './optimizers.js';
import type { ProgressStream } from './progress.js';
import { combineEvents, consoleReporter } from './reporter.js';
import { joinPath, makeDir, writeAtomic } from './files.js';
import { classify } from './predict.js';
import { TokenDataset, WordVocabulary, readLabelledText, tokenSample, type LabelledText } from './text_data.js';

/** The encoder bundles by name. */
export const TEXT_BUNDLES = { XLMR_BASE_ENCODER, XLMR_LARGE_ENCODER, ROBERTA_BASE_ENCODER, ROBERTA_LARGE_ENCODER };

/** Options of `finetuneText`; only `data` is required. */
export interface TextFinetuneOptions {
  /** Labelled sentences: a .tsv/.csv (SST-2's `sentence<TAB>label`) or DIR/<class>/*.txt. */
  data: string;
  /** Validation sentences in the same layout; without it `valSplit` of `data` is held out (default 0.2). */
  val?: string;
  valSplit?: number;
  /** A bundle name of `TEXT_BUNDLES` (default 'XLMR_BASE_ENCODER'). */
  model?: keyof typeof TEXT_BUNDLES;
  /** Changes to the bundle's configuration (e.g. `{numEncoderLayers: 2}` for a quick run from random init). */
  encoder?: RobertaEncoderConfig;
  /** torchtext `*.encoder.pt` weights (path or bytes); default: random initialisation. */
  weights?: string | Uint8Array;
  /** Strings to token ids (the bundle's `transform({spModel, vocab})` or `transform({encoderJson, vocabBpe, vocab})`); default: a WordVocabulary of the training sentences. */
  tokenizer?: TextTransform;
  /** Longest token sequence kept (default 256, torchtext's Truncate(254) plus <s> and </s>). */
  maxLength?: number;
  headLr?: number;
  backboneLr?: number;
  /** Epochs in total (default 4) and of phase 1 (default half). */
  epochs?: number;
  headEpochs?: number;
  /**
   * Keep the token table (250,002 x 768 for XLM-R, 733 MiB) as it is in phase 2: no gradient for it
   * and no optimiser state (default false).
   */
  freezeEmbeddings?: boolean;
  /**
   * Train the token table with row-sparse gradients (nn.Embedding's `sparse`): each step updates
   * the rows of the batch's tokens with SparseAdam's rule (no weight decay, no clipping; the other
   * rows keep their moments), not all rows with a dense gradient (default false).
   */
  sparseEmbeddings?: boolean;
  /** Sentences per batch (default 16). */
  batchSize?: number;
  optimizer?: OptimizerName;
  scheduler?: SchedulerName;
  clipGradNorm?: number;
  seed?: number;
  /** Output folder: model.safetensors (best), classes.json, vocab.json (a WordVocabulary's tokens), metrics, curves.png. */
  out?: string;
  /** Aborting stops training at the next batch. */
  signal?: AbortSignal;
  /** Where the console display draws its progress bar (default stdout). */
  stream?: ProgressStream;
  /** Where the console display prints its lines (default console.log). */
  log?: (line: string) => void;
  on?: TrainEvents;
}

/** What `finetuneText` did: fit's result, the model, its tokenizer and the classes. */
export interface TextFinetuneResult extends FitResult {
  model: RobertaModel;
  tokenizer: TextTransform;
  classes: string[];
}

const ids = (t: TextTransform, s: string) => t.forward(s) as number[];

/** Trains and evaluates; see the file comment. */
export async function finetuneText(o: TextFinetuneOptions): Promise<TextFinetuneResult> {
  const seed = o.seed ?? 0,
    epochs = o.epochs ?? 4,
    headEpochs = o.headEpochs ?? Math.ceil(epochs / 2);
  const headLr = o.headLr ?? 1e-3,
    backboneLr = o.backboneLr ?? 1e-5,
    maxLength = o.maxLength ?? 256;
  const bundle = TEXT_BUNDLES[o.model ?? 'XLMR_BASE_ENCODER'];
  if (!bundle) throw new Error(`finetuneText: unknown model '${o.model}' (${Object.keys(TEXT_BUNDLES).join(', ')})`);
  if (!(headEpochs >= 0 && headEpochs <= epochs))
    throw new Error(`finetuneText: headEpochs ${headEpochs} must be between 0 and epochs (${epochs})`);
  if (o.freezeEmbeddings && o.sparseEmbeddings)
    throw new Error('finetuneText: freezeEmbeddings and sparseEmbeddings exclude each other');
  if (o.sparseEmbeddings && o.optimizer === 'sgd')
    throw new Error("finetuneText: sparseEmbeddings needs optimizer 'adam' or 'adamw' (SparseAdam's rule)");
  const events = combineEvents(consoleReporter({ log: o.log, stream: o.stream }), o.on);
  const { train, val } = splitText(o, seed);
  const tokenizer =
    o.tokenizer ?? new WordVocabulary(train.sentences, { maxSize: bundle.encoderConf.vocabSize, maxLength });
  const toSet = (t: LabelledText) =>
    new TokenDataset(
      t.sentences.map((s) => ids(tokenizer, s)),
      t.labels,
      { maxLength, paddingIdx: bundle.encoderConf.paddingIdx, padding: false },
    );
  const [trainSet, valSet] = [toSet(train), toSet(val)];
  events.log?.(
    `${train.classes.length} classes (${train.classes.join(', ')}); ${trainSet.length} training and ${valSet.length} validation sentences`,
  );
  if (o.out) {
    makeDir(o.out);
    writeAtomic(joinPath(o.out, 'classes.json'), JSON.stringify(train.classes, null, 2) + '\n');
    // The word vocabulary the model was trained with (its tokens by id), to tokenize for it later.
    if (tokenizer instanceof WordVocabulary)
      writeAtomic(joinPath(o.out, 'vocab.json'), JSON.stringify(tokenizer.itos) + '\n');
  }
  await init();
  manualSeed(seed);
  const conf = new RobertaEncoderConf({ ...bundle.encoderConf, ...o.encoder });
  const head = new RobertaClassificationHead(train.classes.length, conf.embeddingDim);
  const model = new RobertaModel(conf, head);
  if (o.weights) await loadRobertaWeights(model, o.weights, bundle.name);
  const table = model.encoder.transformer.token_embedding;
  table.sparse = o.sparseEmbeddings ?? false;
  // Parameters left out of every group are frozen by fit.
  const encoder = model.encoder.parameters().filter((p) => !(o.freezeEmbeddings && p === table.weight));
  const result = await fit(model, {
    train: trainSet as Dataset<Example>,
    val: valSet as Dataset<Example>,
    phases: [
      { name: 'head', epochs: headEpochs, groups: [{ name: 'head', params: head.parameters(), lr: headLr }] },
      {
        name: 'fine-tune',
        epochs: epochs - headEpochs,
        groups: [
          { name: 'head', params: head.parameters(), lr: headLr },
          { name: 'backbone', params: encoder, lr: backboneLr },
        ],
      },
    ],
    batchSize: o.batchSize ?? 16,
    optimizer: o.optimizer ?? 'adamw',
    scheduler: o.scheduler,
    clipGradNorm: o.clipGradNorm,
    seed,
    numWorkers: 0,
    // Each batch padded to its longest sentence (the padding keys are masked in attention).
    collateFn: padCollate({ paddingValue: bundle.encoderConf.paddingIdx }),
    groupNames: ['head', 'backbone'],
    out: o.out,
    title: 'Text fine-tuning',
    signal: o.signal,
    on: events,
    metadata: { model: bundle.name, classes: JSON.stringify(train.classes) },
    checkpointExtra: { headEpochs, classes: train.classes, modelName: bundle.name },
  });
  return { ...result, model, tokenizer, classes: train.classes };
}

/** Training and validation sentences: two files (same classes), or a seeded split of one. */
function splitText(o: TextFinetuneOptions, seed: number): { train: LabelledText; val: LabelledText } {
  const all = readLabelledText(o.data);
  if (o.val) {
    const val = readLabelledText(o.val);
    if (val.classes.join('\n') !== all.classes.join('\n'))
      throw new Error(`finetuneText: ${o.val} has classes [${val.classes}], ${o.data} has [${all.classes}]`);
    return { train: all, val };
  }
  const f = o.valSplit ?? 0.2;
  if (!(f > 0 && f < 1)) throw new Error(`finetuneText: valSplit must be in (0, 1), got ${f}`);
  const indices = { length: all.sentences.length, get: (i: number) => i };
  const nVal = Math.max(1, Math.round(all.sentences.length * f));
  const [tr, va] = randomSplit(indices, [all.sentences.length - nVal, nVal], { seed }) as Subset<number>[];
  const pick = (s: Subset<number>) => ({
    sentences: s.indices.map((i) => all.sentences[i]),
    labels: s.indices.map((i) => all.labels[i]),
    classes: all.classes,
  });
  return { train: pick(tr), val: pick(va) };
}

/**
 * Class probabilities of one sentence: its token ids through `model` (eval mode, no graph) and a
 * softmax, as torchtext's tutorial `F.softmax(model(to_tensor(transform([s]), padding_value=1)), -1)`.
 */
export async function classifyText(model: Module, tokenizer: TextTransform, sentence: string): Promise<Float32Array> {
  return classify(model, tokenSample(ids(tokenizer, sentence)));
}
