/**
 * Text classification with torchtext's RoBERTa / XLM-R encoder and a classification head, step
 * by step as torchtext's SST-2 tutorial writes it:
 *
 *   xlmr_base = torchtext.models.XLMR_BASE_ENCODER
 *   head = RobertaClassificationHead(num_classes=2, input_dim=768)
 *   model = xlmr_base.get_model(head=head)            # pretrained encoder, new head
 *   transform = xlmr_base.transform()                  # sentencepiece + vocab + truncate + <s> </s>
 *   ... to_tensor(transform(batch), padding_value=1), cross-entropy, AdamW, evaluate, predict
 *
 * on 60 short movie reviews shipped in examples/data/reviews.tsv (SST-2's `sentence<TAB>label`).
 *
 *   node tools/run.mjs examples/text_classification.ts                       # small RoBERTa, random init
 *   node tools/run.mjs examples/text_classification.ts xlmr.base.encoder.pt  # XLM-R base, torchtext's weights
 *
 * Pretrained weights: no network here, so by default a small encoder (2 layers of 128) starts
 * from random initialisation with a word vocabulary of the training sentences (it learns the
 * task's words, nothing more). With torchtext's weights it is real transfer learning: download
 * `https://download.pytorch.org/models/text/xlmr.base.encoder.pt` wherever you have a network
 * (torchtext's `XLMR_BASE_ENCODER.get_model()` puts it in `~/.cache/torch/hub/checkpoints`, where
 * `XLMR_BASE_ENCODER.getModel()` looks first) and pass its path. Token ids must then come from
 * XLM-R's sentencepiece model and vocabulary: `XLMR_BASE_ENCODER.transform({spModel, vocab})` with
 * torchtext's `xlmr.sentencepiece.bpe.model` and `xlmr.vocab.pt` (<s> 0, </s> 2, padding 1).
 * Environment: HEAD_EPOCHS (3), FINE_EPOCHS (6), BATCH (8), OUT (text-out).
 */
import { mkdirSync } from 'node:fs';
import * as sg from '../src/index.js';

const T = sg.text.models;
const weights = process.argv[2];
const headEpochs = Number(process.env.HEAD_EPOCHS ?? 3);
const fineEpochs = Number(process.env.FINE_EPOCHS ?? 6);
const batchSize = Number(process.env.BATCH ?? 8);
const out = process.env.OUT ?? 'text-out';
await sg.init();
sg.manualSeed(0);

// 1. Labelled sentences, a held-out fifth for validation, and token ids.
const data = sg.train.readLabelledText('examples/data/reviews.tsv');
const order = Array.from({ length: data.sentences.length }, (_, i) => i);
const valIdx = order.filter((i) => i % 5 === 4);
const trainIdx = order.filter((i) => i % 5 !== 4);
const tokenizer = new sg.train.WordVocabulary(trainIdx.map((i) => data.sentences[i]));
const toSet = (idx: number[]) =>
  new sg.train.TokenDataset(
    idx.map((i) => tokenizer.forward(data.sentences[i]) as number[]),
    idx.map((i) => data.labels[i]),
  );
const [train, val] = [toSet(trainIdx), toSet(valIdx)];

// 2. The encoder and a new head (torchtext's classes, keys and printed form).
const conf = weights
  ? T.XLMR_BASE_ENCODER.encoderConf
  : new T.RobertaEncoderConf({
      vocabSize: tokenizer.itos.length,
      embeddingDim: 128,
      ffnDimension: 256,
      numAttentionHeads: 4,
      numEncoderLayers: 2,
    });
const head = new T.RobertaClassificationHead(data.classes.length, conf.embeddingDim);
const model = weights ? await T.XLMR_BASE_ENCODER.getModel({ head, weights }) : new T.RobertaModel(conf, head);
console.log(model.toString());
console.log(sg.summary(model, [train.sequenceLength], { dtype: 'int32', batchSize }));

// 3. Train the head on the frozen encoder, then everything with the encoder at a lower rate.
mkdirSync(out, { recursive: true });
const r = await sg.train.fit(model, {
  train,
  val,
  batchSize,
  numWorkers: 0,
  optimizer: 'adamw',
  out,
  phases: [
    { epochs: headEpochs, groups: [{ name: 'head', params: head.parameters(), lr: 1e-3 }] },
    {
      epochs: fineEpochs,
      groups: [
        { name: 'head', params: head.parameters(), lr: 1e-3 },
        { name: 'encoder', params: model.encoder.parameters(), lr: weights ? 1e-5 : 1e-3 },
      ],
    },
  ],
  on: sg.train.consoleReporter(),
});
console.log(`best validation accuracy ${(100 * r.bestAcc).toFixed(1)}% (epoch ${r.bestEpoch}); outputs in ${out}/`);

// 4. Predict: class probabilities of new sentences.
for (const s of ['a wonderful, moving story', 'dull and painfully long']) {
  const p = await sg.train.classifyText(model, tokenizer, s);
  console.log(
    `${JSON.stringify(s)}: ${data.classes.map((c, k) => `${c === '1' ? 'positive' : 'negative'} ${p[k].toFixed(3)}`).join(', ')}`,
  );
}
sg.models.disposeModel(model);
await sg.shutdown();
