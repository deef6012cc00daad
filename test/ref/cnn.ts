/**
 * float64 references for the CNN ops, written as the textbook definitions with plain loops
 * (independent of the im2col formulation and of the kernels under test).
 */
export interface Arr {
  shape: number[];
  data: Float64Array;
}

const at4 = (s: number[], n: number, c: number, h: number, w: number) => ((n * s[1] + c) * s[2] + h) * s[3] + w;

export interface ConvRefOptions {
  stride: [number, number];
  padding: [number, number];
  dilation: [number, number];
  groups: number;
}

/** out[n, co, oh, ow] = b[co] + sum_{ci, kh, kw} x[n, g Cg + ci, oh S - P + kh D, ow S - P + kw D] w[co, ci, kh, kw]. */
export function conv2dRef(x: Arr, w: Arr, b: Arr | null, o: ConvRefOptions): Arr {
  const [n, , h, wd] = x.shape;
  const [cout, cg, kh, kw] = w.shape;
  const oh = Math.floor((h + 2 * o.padding[0] - o.dilation[0] * (kh - 1) - 1) / o.stride[0]) + 1;
  const ow = Math.floor((wd + 2 * o.padding[1] - o.dilation[1] * (kw - 1) - 1) / o.stride[1]) + 1;
  const coutG = cout / o.groups;
  const shape = [n, cout, oh, ow];
  const out = new Float64Array(n * cout * oh * ow);
  for (let b0 = 0; b0 < n; b0++)
    for (let co = 0; co < cout; co++) {
      const g = Math.floor(co / coutG);
      for (let y = 0; y < oh; y++)
        for (let xx = 0; xx < ow; xx++) {
          let acc = b ? b.data[co] : 0;
          for (let ci = 0; ci < cg; ci++)
            for (let i = 0; i < kh; i++)
              for (let j = 0; j < kw; j++) {
                const ih = y * o.stride[0] - o.padding[0] + i * o.dilation[0];
                const iw = xx * o.stride[1] - o.padding[1] + j * o.dilation[1];
                if (ih < 0 || ih >= h || iw < 0 || iw >= wd) continue;
                acc += x.data[at4(x.shape, b0, g * cg + ci, ih, iw)] * w.data[at4(w.shape, co, ci, i, j)];
              }
          out[at4(shape, b0, co, y, xx)] = acc;
        }
    }
  return { shape, data: out };
}

export function poolSize(size: number, k: number, s: number, p: number, d: number, ceil: boolean): number {
  let out = Math.floor((size + 2 * p - d * (k - 1) - 1 + (ceil ? s - 1 : 0)) / s) + 1;
  if (ceil && (out - 1) * s >= size + p) out--;
  return out;
}

/** Max over windows, skipping padding. */
export function maxPoolRef(
  x: Arr,
  k: [number, number],
  s: [number, number],
  p: [number, number],
  d: [number, number],
  ceil: boolean,
): Arr {
  const [n, c, h, w] = x.shape;
  const oh = poolSize(h, k[0], s[0], p[0], d[0], ceil);
  const ow = poolSize(w, k[1], s[1], p[1], d[1], ceil);
  const shape = [n, c, oh, ow];
  const out = new Float64Array(n * c * oh * ow);
  for (let a = 0; a < n; a++)
    for (let ch = 0; ch < c; ch++)
      for (let y = 0; y < oh; y++)
        for (let xx = 0; xx < ow; xx++) {
          let best = -Infinity;
          for (let i = 0; i < k[0]; i++)
            for (let j = 0; j < k[1]; j++) {
              const ih = y * s[0] - p[0] + i * d[0];
              const iw = xx * s[1] - p[1] + j * d[1];
              if (ih >= 0 && ih < h && iw >= 0 && iw < w) best = Math.max(best, x.data[at4(x.shape, a, ch, ih, iw)]);
            }
          out[at4(shape, a, ch, y, xx)] = best;
        }
  return { shape, data: out };
}

/** torch's avg_pool2d: window clipped to [-P, H + P) for the divisor (countIncludePad) and to the input for the sum. */
export function avgPoolRef(
  x: Arr,
  k: [number, number],
  s: [number, number],
  p: [number, number],
  ceil: boolean,
  countIncludePad: boolean,
): Arr {
  const [n, c, h, w] = x.shape;
  const oh = poolSize(h, k[0], s[0], p[0], 1, ceil);
  const ow = poolSize(w, k[1], s[1], p[1], 1, ceil);
  const shape = [n, c, oh, ow];
  const out = new Float64Array(n * c * oh * ow);
  for (let a = 0; a < n; a++)
    for (let ch = 0; ch < c; ch++)
      for (let y = 0; y < oh; y++)
        for (let xx = 0; xx < ow; xx++) {
          let hs = y * s[0] - p[0];
          let ws = xx * s[1] - p[1];
          let he = Math.min(hs + k[0], h + p[0]);
          let we = Math.min(ws + k[1], w + p[1]);
          const padded = (he - hs) * (we - ws);
          hs = Math.max(hs, 0);
          ws = Math.max(ws, 0);
          he = Math.min(he, h);
          we = Math.min(we, w);
          let acc = 0;
          for (let i = hs; i < he; i++) for (let j = ws; j < we; j++) acc += x.data[at4(x.shape, a, ch, i, j)];
          out[at4(shape, a, ch, y, xx)] = acc / (countIncludePad ? padded : (he - hs) * (we - ws));
        }
  return { shape, data: out };
}

/** torch's adaptive_avg_pool2d: window [floor(o H / OH), ceil((o + 1) H / OH)). */
export function adaptiveAvgPoolRef(x: Arr, oh: number, ow: number): Arr {
  const [n, c, h, w] = x.shape;
  const shape = [n, c, oh, ow];
  const out = new Float64Array(n * c * oh * ow);
  for (let a = 0; a < n; a++)
    for (let ch = 0; ch < c; ch++)
      for (let y = 0; y < oh; y++)
        for (let xx = 0; xx < ow; xx++) {
          const hs = Math.floor((y * h) / oh);
          const he = Math.ceil(((y + 1) * h) / oh);
          const ws = Math.floor((xx * w) / ow);
          const we = Math.ceil(((xx + 1) * w) / ow);
          let acc = 0;
          for (let i = hs; i < he; i++) for (let j = ws; j < we; j++) acc += x.data[at4(x.shape, a, ch, i, j)];
          out[at4(shape, a, ch, y, xx)] = acc / ((he - hs) * (we - ws));
        }
  return { shape, data: out };
}

/** log_softmax over dim 1 of [N, C] rows... generalised: along `dim` of any shape. */
export function logSoftmaxRef(x: Arr, dim: number): Arr {
  const d = dim < 0 ? dim + x.shape.length : dim;
  const size = x.shape[d];
  const inner = x.shape.slice(d + 1).reduce((a, b) => a * b, 1);
  const outer = x.data.length / (size * inner);
  const out = new Float64Array(x.data.length);
  for (let o = 0; o < outer; o++)
    for (let i = 0; i < inner; i++) {
      const idx = (j: number) => (o * size + j) * inner + i;
      let m = -Infinity;
      for (let j = 0; j < size; j++) m = Math.max(m, x.data[idx(j)]);
      let s = 0;
      for (let j = 0; j < size; j++) s += Math.exp(x.data[idx(j)] - m);
      for (let j = 0; j < size; j++) out[idx(j)] = x.data[idx(j)] - m - Math.log(s);
    }
  return { shape: x.shape, data: out };
}

/** PyTorch's cross_entropy with class indices, ignore_index and label smoothing, reduction mean. */
export function crossEntropyRef(logits: Arr, target: number[], ignore: number, eps: number): number {
  const [n, c] = logits.shape;
  const inner = logits.shape.slice(2).reduce((a, b) => a * b, 1);
  const lsm = logSoftmaxRef(logits, 1).data;
  let total = 0;
  let count = 0;
  for (let a = 0; a < n; a++)
    for (let i = 0; i < inner; i++) {
      const t = target[a * inner + i];
      if (t === ignore) continue;
      count++;
      let smooth = 0;
      for (let k = 0; k < c; k++) smooth -= lsm[(a * c + k) * inner + i];
      total += (1 - eps) * -lsm[(a * c + t) * inner + i] + (eps / c) * smooth;
    }
  return total / count;
}
