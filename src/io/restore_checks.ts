/**
 * The checks that make `Checkpoint.restore` all or nothing: every part of a training checkpoint
 * (its metadata when read, then the optimizer and scheduler state against the live objects it
 * is restored into) is checked before anything changes, and each error names the file and the
 * field (`lastEpoch: 'abc'` would otherwise turn every weight into NaN at the next step).
 */
import type { Optimizer, OptimizerState } from '../optim/optimizer.js';

/** What `sg.save` writes in the `optimizer` metadata. */
export interface OptimizerMeta {
  type: string;
  params: Array<{ step: number; tensors: string[] } | null>;
  groups: Array<Record<string, unknown>>;
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const isCount = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
const show = (x: unknown) => (typeof x === 'string' ? `'${x}'` : (JSON.stringify(x) ?? String(x)));

/** The state tensors each optimizer needs per parameter with state (SGD's momentum buffer is optional). */
const SLOTS: Record<string, string[]> = {
  Adam: ['exp_avg', 'exp_avg_sq', 'max_exp_avg_sq'],
  AdamW: ['exp_avg', 'exp_avg_sq', 'max_exp_avg_sq'],
  SGD: [],
};

/** Checks the metadata fields of a checkpoint as read (epoch, rng, optimizer, scheduler, extra). */
export function checkMetadata(file: string, meta: Record<string, unknown>): void {
  const bad = (field: string, what: string) =>
    new Error(`${file}: bad checkpoint metadata '${field}': ${what}, got ${show(meta[field])}`);
  const { epoch, rng, optimizer, scheduler, extra } = meta;
  if (epoch !== null && !(typeof epoch === 'number' && Number.isFinite(epoch)))
    throw bad('epoch', 'expected a finite number or null');
  if (rng !== null && !(isObject(rng) && isCount(rng.seed) && isCount(rng.stream)))
    throw bad('rng', 'expected {seed, stream} with integers >= 0');
  if (scheduler !== null && !isObject(scheduler)) throw bad('scheduler', 'expected an object or null');
  if (extra !== null && !isObject(extra)) throw bad('extra', 'expected an object');
  if (optimizer === null) return;
  if (!isObject(optimizer) || typeof optimizer.type !== 'string')
    throw bad('optimizer', 'expected {type, params, groups}');
  const { params, groups } = optimizer;
  if (!Array.isArray(params) || !Array.isArray(groups) || !groups.every(isObject))
    throw bad('optimizer', 'expected params and groups lists');
  params.forEach((p, i) => {
    if (p === null) return;
    if (!isObject(p) || !isCount(p.step))
      throw new Error(
        `${file}: bad checkpoint metadata: optimizer.params[${i}].step is ${show(p?.step)}, not an integer >= 0`,
      );
    if (!Array.isArray(p.tensors) || !p.tensors.every((t) => typeof t === 'string'))
      throw new Error(`${file}: bad checkpoint metadata: optimizer.params[${i}].tensors is not a list of names`);
  });
}

/** Checks an optimizer state against the optimizer it is restored into (nothing is changed). */
export function checkOptimizerState(
  file: string,
  state: OptimizerState & { type: string },
  optimizer: Optimizer<{ lr: number }>,
): void {
  const type = optimizer.constructor.name;
  if (state.type !== type)
    throw new Error(`${file}: the checkpoint holds ${state.type} state, the optimizer is ${type}`);
  const params = optimizer.paramGroups.flatMap((g) => g.params);
  if (params.length !== state.state.length)
    throw new Error(
      `${file}: the optimizer state has ${state.state.length} parameters, the optimizer ${params.length}`,
    );
  if (state.groups.length !== optimizer.paramGroups.length) {
    throw new Error(
      `${file}: the optimizer state has ${state.groups.length} parameter groups, the optimizer ${optimizer.paramGroups.length}`,
    );
  }
  state.state.forEach((s, i) => {
    if (!s) return;
    for (const name of SLOTS[type] ?? [])
      if (!(name in s.tensors))
        throw new Error(`${file}: optimizer state of parameter ${i} has no ${name} (${type} needs it)`);
    for (const [name, data] of Object.entries(s.tensors)) {
      // Adam keeps a 1-element placeholder max_exp_avg_sq when amsgrad is off.
      if (data.length !== params[i].size && !(name === 'max_exp_avg_sq' && data.length === 1)) {
        throw new Error(
          `${file}: optimizer state ${name} of parameter ${i} has ${data.length} elements, the parameter [${params[i].shape.join(', ')}] has ${params[i].size}`,
        );
      }
    }
  });
  state.groups.forEach((g, i) => checkLike(file, `optimizer group ${i}`, g, optimizer.paramGroups[i].options));
}

/** Checks a scheduler state against the live scheduler's own `stateDict()` (same fields, same kinds). */
export function checkSchedulerState(file: string, state: object, live: object): void {
  checkLike(file, 'scheduler state', state as Record<string, unknown>, live as Record<string, unknown>, true);
  const s = state as Record<string, unknown>;
  for (const counter of ['lastEpoch', 'numBadEpochs', 'cooldownCounter'])
    if (counter in s && !isCount(s[counter]))
      throw new Error(`${file}: scheduler state ${counter} is ${show(s[counter])}, not an integer >= 0`);
}

/**
 * Every field of `saved` must be one `live` has (and, when `complete`, every field of `live` be saved), of the same kind: numbers finite, booleans,
 * lists of finite numbers of the same length (betas), strings. `best` of ReduceLROnPlateau may
 * be 'Infinity' or '-Infinity' (JSON has no infinities).
 */
function checkLike(
  file: string,
  what: string,
  saved: Record<string, unknown>,
  live: Record<string, unknown>,
  complete = false,
): void {
  if (!isObject(saved)) throw new Error(`${file}: ${what} is ${show(saved)}, not an object`);
  for (const key of complete ? Object.keys(live) : []) {
    if (!(key in saved)) throw new Error(`${file}: ${what} has no field ${key}`);
  }
  for (const [key, v] of Object.entries(saved)) {
    if (!(key in live)) throw new Error(`${file}: ${what} has a field ${key} that the live object does not have`);
    const want = live[key];
    const infinity = key === 'best' && (v === 'Infinity' || v === '-Infinity');
    const ok =
      typeof want === 'number' || (key === 'best' && typeof want === 'string')
        ? (typeof v === 'number' && Number.isFinite(v)) || infinity
        : typeof want === 'boolean' || typeof want === 'string'
          ? typeof v === typeof want
          : Array.isArray(want)
            ? Array.isArray(v) &&
              v.length === want.length &&
              v.every((x) => typeof x === 'number' && Number.isFinite(x))
            : want === null || want === undefined || typeof v === typeof want;
    if (!ok) throw new Error(`${file}: ${what} field ${key} is ${show(v)}, expected ${describeKind(want)}`);
  }
}

function describeKind(x: unknown): string {
  if (typeof x === 'number') return 'a finite number';
  if (Array.isArray(x)) return `a list of ${x.length} finite numbers`;
  return `a ${typeof x}`;
}
