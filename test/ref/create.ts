/** float64 references for the factories that compute values: arange, and moments of samples. */

/** torch.arange: start, start + step, ... while before `end` (step of either sign). */
export function arangeRef(start: number, end: number, step: number): number[] {
  const out: number[] = [];
  for (let i = 0; step > 0 ? start + i * step < end : start + i * step > end; i++) out.push(start + i * step);
  return out;
}

/** Sample mean and (population) standard deviation. */
export function moments(x: ArrayLike<number>): { mean: number; std: number } {
  let mean = 0;
  for (let i = 0; i < x.length; i++) mean += x[i];
  mean /= x.length;
  let variance = 0;
  for (let i = 0; i < x.length; i++) variance += (x[i] - mean) ** 2;
  return { mean, std: Math.sqrt(variance / x.length) };
}

/** Pearson correlation of neighbours x[i], x[i + lag]: near 0 for a good generator. */
export function lagCorrelation(x: ArrayLike<number>, lag = 1): number {
  const n = x.length - lag;
  const { mean, std } = moments(x);
  let s = 0;
  for (let i = 0; i < n; i++) s += (x[i] - mean) * (x[i + lag] - mean);
  return s / n / (std * std);
}

/** Standard normal CDF (Abramowitz & Stegun 7.1.26 erf, error < 1.5e-7). */
export function normalCdf(z: number): number {
  const t = 1 / (1 + 0.3275911 * Math.abs(z / Math.SQRT2));
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-(z * z) / 2);
  return 0.5 * (1 + Math.sign(z) * erf);
}

/** random.wgsl's pcg3d hash in u32 arithmetic (an independent re-implementation for exact checks). */
export function pcg3dRef(x: number, y: number, z: number): [number, number, number] {
  let v = [x, y, z].map((a) => (Math.imul(a, 1664525) + 1013904223) >>> 0);
  const mix = (): void => {
    v[0] = (v[0] + Math.imul(v[1], v[2])) >>> 0;
    v[1] = (v[1] + Math.imul(v[2], v[0])) >>> 0;
    v[2] = (v[2] + Math.imul(v[0], v[1])) >>> 0;
  };
  mix();
  v = v.map((a) => (a ^ (a >>> 16)) >>> 0);
  mix();
  return v as [number, number, number];
}

/** torch.randint's values as random.wgsl draws them: low + (hash mod (high - low)) for element i. */
export function randintRef(seed: number, stream: number, n: number, low: number, high: number): number[] {
  return Array.from({ length: n }, (_, i) => low + (pcg3dRef(i, seed, stream)[0] % (high - low)));
}
