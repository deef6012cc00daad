/**
 * The Node half of tools/fixtures/check_text_random.py: builds XLM-R base with a
 * RobertaClassificationHead(2, 768) from the bundle's configuration, loads the torch.save'd random
 * state dict with `model.loadStateDict(await sg.io.load(file))`, runs the padded token batch in
 * eval mode and compares the logits with PyTorch's float64 ones: the largest difference over the
 * largest |logit| must stay under 1e-3. Exit status 1 if it does not.
 *
 *   node tools/run.mjs tools/check_text_random.ts /tmp/sg-text-random/manifest.json
 */
import { readFileSync } from 'node:fs';
import * as sg from '../src/index.js';

const TOLERANCE = 1e-3;
const manifest = JSON.parse(readFileSync(process.argv[2] ?? '/tmp/sg-text-random/manifest.json', 'utf8'));
await sg.init();
const { RobertaModel, RobertaClassificationHead, XLMR_BASE_ENCODER } = sg.text.models;
const conf = XLMR_BASE_ENCODER.encoderConf;
const model = new RobertaModel(conf, new RobertaClassificationHead(2, conf.embeddingDim)).eval();
const state = await sg.io.load(manifest.weights);
model.loadStateDict(state);
for (const t of state.values()) t.dispose();
const tokens = sg.tensor(manifest.tokens as number[][], { dtype: 'int32' });
const start = performance.now();
const logits = sg.noGrad(() => model.forward(tokens)) as sg.Tensor;
const got = await logits.data();
const want = manifest.logits as number[];
const scale = Math.max(...want.map(Math.abs));
const worst = want.reduce((m, v, i) => Math.max(m, Math.abs(got[i] - v)), 0);
const ok = logits.shape.join() === manifest.shape.join() && worst / scale < TOLERANCE;
console.log(
  `XLM-R base + head, tokens [${manifest.shape[0]}, ${manifest.tokens[0].length}] padded: logits [${logits.shape}], ` +
    `max |diff| / max |logit| = ${(worst / scale).toExponential(2)} (max |logit| ${scale.toPrecision(3)}), ` +
    `${ok ? 'ok' : 'FAILED'} (${((performance.now() - start) / 1000).toFixed(1)} s)`,
);
console.log(
  `ours:  ${Array.from(got, (v) => v.toFixed(6)).join(' ')}\ntorch: ${want.map((v) => v.toFixed(6)).join(' ')}`,
);
await sg.shutdown();
process.exit(ok ? 0 : 1);
