import { it } from 'vitest';
import * as sg from '../src/index.js';
import { setDeterministic, deterministicInput } from './ref/deterministic.js';
import { readFileSync } from 'node:fs';
it('dbg', async () => {
  await sg.init();
  const m = sg.models.googlenet({ dropout: 0, dropoutAux: 0, numClasses: 10, initWeights: false }).train();
  setDeterministic(m);
  const got: Record<string, sg.Tensor> = {};
  for (const [name, mod] of m.namedChildren()) {
    const f = mod.forward.bind(mod);
    mod.forward = (...a: sg.Tensor[]) => { const o = f(...a); got[name] = o; return o; };
  }
  m.forward(deterministicInput([2, 3, 64, 64]));
  const py = JSON.parse(readFileSync('/tmp/py.json', 'utf8'));
  for (const [k, t] of Object.entries(got)) {
    const d = await t.data(); let s = 0; for (const v of d) s += Math.abs(v);
    console.log(k, s.toPrecision(6), py[k]?.[0].toPrecision(6), t.shape.join('x'), py[k]?.[1].join('x'));
  }
}, 600000);
