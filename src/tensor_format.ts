/**
 * Printing tensors. `console.log(t)` / `util.inspect(t)` show what is known without reading the
 * GPU: `Tensor(shape=[2, 3], dtype=float32, requiresGrad=true, gradFn=MulBackward)`.
 * `await t.toStringAsync()` / `await t.print()` read the values back and format them as
 * `repr(torch.tensor)` does (torch/_tensor_str.py with its default print options): precision 4,
 * summarised beyond 1000 elements to the first and last 3 items of every dimension around
 * `...`, lines wrapped at 80 characters, and one number format for the whole tensor: integers
 * as `1.`, fixed `1.2346`, or scientific `1.2346e+05` when the non-zero magnitudes span more than
 * 1000x, exceed 1e8 or fall below 1e-4.
 */
import type { Tensor } from './tensor.js';

const PRECISION = 4;
const THRESHOLD = 1000;
const EDGE = 3;
const LINEWIDTH = 80;

/** 'max_pool2d' -> 'MaxPool2dBackward': PyTorch's naming of gradient nodes. */
export function gradFnName(t: Tensor): string | null {
  if (!t.gradFn) return null;
  return `${t.gradFn.name.replace(/(^|_)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase())}Backward`;
}

/** The metadata-only description that `console.log` shows (no GPU read). */
export function describeTensor(t: Tensor): string {
  const shape = t.describe().replace(/ \w+$/, ''); // readable after dispose, unlike t.shape
  const parts = [`shape=${shape}`, `dtype=${t.dtype}`];
  if (t.requiresGrad) parts.push('requiresGrad=true');
  const fn = gradFnName(t);
  if (fn) parts.push(`gradFn=${fn}`);
  if (t.isDisposed) parts.push('disposed');
  return `${t.constructor.name}(${parts.join(', ')})`; // Tensor, or Parameter
}

/** Python's `'{:.Nf}'` / `'{:.Ne}'` of a double: exact decimal digits, ties to even. */
function pyFormat(v: number, digits: number, sci: boolean): string {
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v < 0 ? '-inf' : 'inf';
  const sign = v < 0 || Object.is(v, -0) ? '-' : '';
  const a = Math.abs(v);
  if (a === 0) return sign + (0).toFixed(digits) + (sci ? 'e+00' : '');
  if (a >= 1e21) return sign + fixExponent(a.toExponential(digits)); // beyond toFixed; no float32 ties there
  // a = 0.D * 10^E exactly: every float32 value below 1e21 has at most 100 fractional digits.
  const [int, frac] = a.toFixed(100).split('.');
  const all = (int + frac).replace(/^0+/, '');
  let e = int === '0' ? -(frac.length - frac.replace(/^0+/, '').length) : int.length;
  const keep = sci ? digits + 1 : e + digits; // significant digits kept
  if (keep <= 0) return sign + a.toFixed(digits); // below half a unit of the last place shown
  let r = roundDigits(all, keep);
  if (r.length > keep) [r, e] = [sci ? r.slice(0, keep) : r, e + 1]; // 9.99995 -> 10.0000
  if (sci)
    return `${sign}${r[0]}${digits ? `.${r.slice(1)}` : ''}e${e - 1 < 0 ? '-' : '+'}${String(Math.abs(e - 1)).padStart(2, '0')}`;
  const [whole, fraction] = e <= 0 ? ['0', '0'.repeat(-e) + r] : [r.slice(0, e), r.slice(e)];
  return sign + whole + (digits ? `.${fraction}` : '');
}

/** The first `n` digits of the digit string `all`, rounded half to even (one longer on a carry). */
function roundDigits(all: string, n: number): string {
  const head = all.slice(0, n).padEnd(n, '0');
  const rest = all.slice(n);
  const up = rest[0] > '5' || (rest[0] === '5' && (/[1-9]/.test(rest.slice(1)) || Number(head[n - 1]) % 2 === 1));
  if (!up) return head;
  const d = [...head].map(Number);
  let i = n - 1;
  while (i >= 0 && d[i] === 9) d[i--] = 0;
  if (i < 0) d.unshift(1);
  else d[i]++;
  return d.join('');
}

/** JS 'e+5' -> Python 'e+05'. */
const fixExponent = (s: string) => s.replace(/e([+-])(\d)$/, 'e$10$2');

/** torch's _Formatter: one format and width for every element shown. */
class Formatter {
  intMode = true;
  sciMode = false;
  maxWidth = 1;

  constructor(
    readonly floating: boolean,
    values: number[],
  ) {
    if (!floating) {
      for (const v of values) this.maxWidth = Math.max(this.maxWidth, String(v).length);
      return;
    }
    const finite = values.filter((v) => Number.isFinite(v) && v !== 0);
    if (finite.length === 0) return;
    const abs = finite.map(Math.abs);
    const [min, max] = [Math.min(...abs), Math.max(...abs)];
    this.intMode = finite.every((v) => v === Math.ceil(v));
    this.sciMode = max / min > 1000 || max > 1e8 || (!this.intMode && min < 1e-4);
    for (const v of finite) {
      const s = this.sciMode
        ? pyFormat(v, PRECISION, true)
        : this.intMode
          ? `${pyFormat(v, 0, false)}.`
          : pyFormat(v, PRECISION, false);
      this.maxWidth = Math.max(this.maxWidth, s.length);
    }
  }

  format(v: number): string {
    let s: string;
    if (!this.floating) s = String(v);
    else if (this.sciMode) s = pyFormat(v, PRECISION, true);
    else if (this.intMode) s = pyFormat(v, 0, false) + (Number.isFinite(v) ? '.' : '');
    else s = pyFormat(v, PRECISION, false);
    return s.padStart(this.maxWidth);
  }
}

/** A row-major sub-array of the values: its shape and where it starts. */
interface Block {
  shape: number[];
  offset: number;
}

const sub = (b: Block, i: number): Block => ({
  shape: b.shape.slice(1),
  offset: b.offset + i * b.shape.slice(1).reduce((x, y) => x * y, 1),
});

/** The indices shown along an axis of length n: all, or the first and last EDGE with null for '...'. */
function shown(n: number, summarize: boolean): Array<number | null> {
  const all = Array.from({ length: n }, (_, i) => i);
  return summarize && n > 2 * EDGE ? [...all.slice(0, EDGE), null, ...all.slice(n - EDGE)] : all;
}

/** The values the formatter sees (torch's get_summarized_data). */
function summarized(values: ArrayLike<number>, b: Block, summarize: boolean, out: number[]): number[] {
  if (b.shape.length === 0) out.push(values[b.offset]);
  else for (const i of shown(b.shape[0], summarize)) if (i !== null) summarized(values, sub(b, i), summarize, out);
  return out;
}

function blockStr(values: ArrayLike<number>, b: Block, indent: number, summarize: boolean, f: Formatter): string {
  const dim = b.shape.length;
  if (dim === 0) return f.format(values[b.offset]);
  if (dim === 1) {
    const perLine = Math.max(1, Math.floor((LINEWIDTH - indent) / (f.maxWidth + 2)));
    const items = shown(b.shape[0], summarize).map((i) => (i === null ? ' ...' : f.format(values[b.offset + i])));
    const lines = [];
    for (let i = 0; i < items.length; i += perLine) lines.push(items.slice(i, i + perLine).join(', '));
    return `[${lines.join(`,\n${' '.repeat(indent + 1)}`)}]`;
  }
  const slices = shown(b.shape[0], summarize).map((i) =>
    i === null ? '...' : blockStr(values, sub(b, i), indent + 1, summarize, f),
  );
  return `[${slices.join(`,${'\n'.repeat(dim - 1)}${' '.repeat(indent + 1)}`)}]`;
}

/** torch's _add_suffixes: `, dtype=...` on the last line, or on a new line past 80 characters. */
function addSuffixes(text: string, suffixes: string[], indent: number): string {
  let lastLen = text.length - text.lastIndexOf('\n') + 1;
  let out = text;
  for (const s of suffixes) {
    if (lastLen + s.length + 2 > LINEWIDTH) {
      out += `,\n${' '.repeat(indent)}${s}`;
      lastLen = indent + s.length;
    } else {
      out += `, ${s}`;
      lastLen += s.length + 2;
    }
  }
  return `${out})`;
}

/**
 * `repr(tensor)` as PyTorch prints it, from the values read back: `tensor([[1., 2.]],
 * requires_grad=True)`, `tensor([1, 2], dtype=torch.int32)`, `grad_fn=<MulBackward0>`.
 */
export function formatTensor(
  values: ArrayLike<number>,
  shape: readonly number[],
  dtype: string,
  grad: { requiresGrad?: boolean; gradFn?: string | null } = {},
): string {
  const prefix = 'tensor(';
  const numel = shape.reduce((a, b) => a * b, 1);
  const suffixes: string[] = [];
  let body: string;
  if (numel === 0) {
    body = '[]';
    if (shape.length !== 1) suffixes.push(`size=(${shape.join(', ')}${shape.length === 1 ? ',' : ''})`);
  } else {
    const summarize = numel > THRESHOLD;
    const root: Block = { shape: [...shape], offset: 0 };
    const f = new Formatter(dtype === 'float32', summarized(values, root, summarize, []));
    body = blockStr(values, root, prefix.length, summarize, f);
  }
  if (dtype !== 'float32') suffixes.push(`dtype=torch.${dtype}`);
  if (grad.gradFn) suffixes.push(`grad_fn=<${grad.gradFn}0>`);
  else if (grad.requiresGrad) suffixes.push('requires_grad=True');
  return addSuffixes(prefix + body, suffixes, prefix.length);
}

/** Reads `t` back and formats it as `repr(t)` in PyTorch (a Parameter as `Parameter containing:\ntensor(...)`). */
export async function tensorToStringAsync(t: Tensor): Promise<string> {
  return (
    (t.constructor.name === 'Parameter' ? 'Parameter containing:\n' : '') +
    formatTensor(await t.data(), t.shape, t.dtype, { requiresGrad: t.requiresGrad, gradFn: gradFnName(t) })
  );
}
