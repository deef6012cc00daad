// The counter-based generator of shaders/random.wgsl and random_inplace.wgsl in plain
// JavaScript: pcg3d (Jarzynski & Olano 2020) on (index, seed, stream) in u32 arithmetic, then
// the uniform or Box-Muller normal transform in float64.

/** pcg3d of the 3-word input, as three u32. */
export function pcg3d(x: number, y: number, z: number): [number, number, number] {
  let a = (Math.imul(x, 1664525) + 1013904223) >>> 0;
  let b = (Math.imul(y, 1664525) + 1013904223) >>> 0;
  let c = (Math.imul(z, 1664525) + 1013904223) >>> 0;
  a = (a + Math.imul(b, c)) >>> 0;
  b = (b + Math.imul(c, a)) >>> 0;
  c = (c + Math.imul(a, b)) >>> 0;
  a = (a ^ (a >>> 16)) >>> 0;
  b = (b ^ (b >>> 16)) >>> 0;
  c = (c ^ (c >>> 16)) >>> 0;
  a = (a + Math.imul(b, c)) >>> 0;
  b = (b + Math.imul(c, a)) >>> 0;
  c = (c + Math.imul(a, b)) >>> 0;
  return [a, b, c];
}

const unit = (bits: number) => (bits >>> 8) / 16777216;

/** Element i of the draw (seed, stream): low + (high - low) u, or (dist 'normal') low + high z. */
export function randomRef(
  n: number,
  seed: number,
  stream: number,
  dist: 'uniform' | 'normal',
  low: number,
  high: number,
): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const [h0, h1] = pcg3d(i, seed, stream);
    if (dist === 'uniform') out.push(low + (high - low) * unit(h0));
    else out.push(low + high * Math.sqrt(-2 * Math.log(1 - unit(h0))) * Math.cos(2 * Math.PI * unit(h1)));
  }
  return out;
}

/** torch.randint's values as random.wgsl draws them: low + (hash mod (high - low)) for element i. */
export function randintRef(seed: number, stream: number, n: number, low: number, high: number): number[] {
  return Array.from({ length: n }, (_, i) => low + (pcg3d(i, seed, stream)[0] % (high - low)));
}
