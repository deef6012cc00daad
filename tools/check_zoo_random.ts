/**
 * The Node half of tools/fixtures/check_zoo_random.py: for each model in the manifest it writes,
 * builds the model by name (or `new VisionTransformer(options)`), loads the torch.save'd random
 * state dict with `model.loadStateDict(await sg.io.load(file))`, runs the torch.save'd random
 * input in eval mode and compares the logits with PyTorch's float64 ones: the largest difference
 * over the largest |logit| must stay under 1e-3. Exit status 1 if any model fails.
 *
 *   node tools/run.mjs tools/check_zoo_random.ts /tmp/sg-zoo-random/manifest.json
 */
import { readFileSync } from 'node:fs';
import * as sg from '../src/index.js';

interface Case {
  name: string;
  options: Record<string, unknown>;
  weights: string;
  input: string;
  logits: number[];
  shape: number[];
}

const TOLERANCE = 1e-3;

async function build(c: Case): Promise<sg.nn.Module> {
  if (c.name === 'VisionTransformer')
    return new sg.models.VisionTransformer(c.options as unknown as sg.models.VisionTransformerOptions);
  return sg.models.get(c.name, c.options);
}

/** max |got - want| / max |want|, or Infinity when the shapes differ. */
async function check(c: Case): Promise<{ error: number; detail: string }> {
  const model = (await build(c)).eval();
  const state = await sg.io.load(c.weights);
  const inputs = await sg.io.load(c.input);
  try {
    model.loadStateDict(state);
    const x = inputs.get('input')!;
    const y = sg.noGrad(() => model.forward(x)) as sg.Tensor;
    const got = await y.data();
    y.dispose();
    if (y.shape.join() !== c.shape.join()) return { error: Infinity, detail: `shape [${y.shape}] vs [${c.shape}]` };
    const scale = Math.max(...c.logits.map(Math.abs));
    const worst = c.logits.reduce((m, v, i) => Math.max(m, Math.abs(got[i] - v)), 0);
    return { error: worst / scale, detail: `max |logit| ${scale.toPrecision(3)}` };
  } finally {
    for (const t of [...state.values(), ...inputs.values()]) t.dispose();
    sg.models.disposeModel(model);
  }
}

const manifest = JSON.parse(readFileSync(process.argv[2] ?? '/tmp/sg-zoo-random/manifest.json', 'utf8'));
await sg.init();
let failures = 0;
for (const c of manifest.cases as Case[]) {
  const start = performance.now();
  let line: string;
  try {
    const { error, detail } = await check(c);
    const ok = error < TOLERANCE;
    if (!ok) failures++;
    line = `${ok ? 'ok  ' : 'FAIL'} ${c.name} ${JSON.stringify(c.options)}: max difference / max |logit| = ${error.toExponential(2)} (${detail})`;
  } catch (e) {
    failures++;
    line = `FAIL ${c.name}: ${(e as Error).message.split('\n')[0]}`;
  }
  console.log(`${line}, ${((performance.now() - start) / 1000).toFixed(1)} s`);
}
console.log(
  `seed ${manifest.seed}: ${manifest.cases.length - failures} of ${manifest.cases.length} models within ${TOLERANCE}`,
);
await sg.shutdown();
process.exit(failures ? 1 : 0);
