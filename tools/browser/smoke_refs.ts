// float64 references for the browser smoke test (tools/browser/smoke.ts): plain loops, written
// independently of the kernels they check, as test/ref/ is for the Node tests.

/** Deterministic float32-representable values in [lo, hi). */
export function values(n: number, seed: number, lo = -1, hi = 1): Float64Array {
  let s = (seed * 2654435761) >>> 0;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = Math.fround(lo + (hi - lo) * (s / 2 ** 32));
  }
  return out;
}

export function close(got: ArrayLike<number>, want: ArrayLike<number>, what: string, rtol = 1e-4, atol = 1e-4): string {
  if (got.length !== want.length) throw new Error(`${what}: ${got.length} elements, expected ${want.length}`);
  let worst = 0;
  for (let i = 0; i < want.length; i++) {
    const err = Math.abs(got[i] - want[i]);
    if (!(err <= atol + rtol * Math.abs(want[i])))
      throw new Error(`${what}: element ${i} is ${got[i]}, expected ${want[i]}`);
    worst = Math.max(worst, err);
  }
  return `${what} max|err| ${worst.toExponential(2)}`;
}

/** float64 conv2d (stride 1, padding p, one group) and the gradients of sum(y * g). */
export function convRef(
  x: Float64Array,
  wt: Float64Array,
  bias: Float64Array,
  g: Float64Array | null,
  [n, c, h, wd]: number[],
  [co, , kh, kw]: number[],
  pad: number,
) {
  const oh = h + 2 * pad - kh + 1;
  const ow = wd + 2 * pad - kw + 1;
  const y = new Float64Array(n * co * oh * ow);
  const dx = new Float64Array(x.length);
  const dw = new Float64Array(wt.length);
  const db = new Float64Array(co);
  for (let b = 0; b < n; b++)
    for (let o = 0; o < co; o++)
      for (let i = 0; i < oh; i++)
        for (let j = 0; j < ow; j++) {
          const yi = ((b * co + o) * oh + i) * ow + j;
          let s = bias[o];
          const gv = g ? g[yi] : 0;
          db[o] += gv;
          for (let ci = 0; ci < c; ci++)
            for (let p = 0; p < kh; p++)
              for (let q = 0; q < kw; q++) {
                const r = i + p - pad;
                const col = j + q - pad;
                if (r < 0 || r >= h || col < 0 || col >= wd) continue;
                const xi = ((b * c + ci) * h + r) * wd + col;
                const wi = ((o * c + ci) * kh + p) * kw + q;
                s += x[xi] * wt[wi];
                dx[xi] += gv * wt[wi];
                dw[wi] += gv * x[xi];
              }
          y[yi] = s;
        }
  return { y, dx, dw, db, outShape: [n, co, oh, ow] };
}

/** float64 mean cross entropy of logits [n, c] against integer targets. */
export function crossEntropyRef(logits: Float64Array, target: number[], n: number, c: number): number {
  let total = 0;
  for (let i = 0; i < n; i++) {
    let mx = -Infinity;
    for (let j = 0; j < c; j++) mx = Math.max(mx, logits[i * c + j]);
    let s = 0;
    for (let j = 0; j < c; j++) s += Math.exp(logits[i * c + j] - mx);
    total += Math.log(s) + mx - logits[i * c + target[i]];
  }
  return total / n;
}
