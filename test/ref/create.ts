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
