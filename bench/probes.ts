/**
 * The adapter's measured peaks for the benchmarks: the FMA and copy probes live in the library
 * (src/profile/peaks.ts, shaders/probe_*.wgsl), since the profiler reports shares of them too.
 */
export { fmaPeak, copyProbe, copyPeak } from '../src/profile/peaks.js';
