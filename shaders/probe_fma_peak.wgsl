// probe_fma_peak (a measuring instrument, not an op): the adapter's arithmetic peak. Each invocation runs
// `iters` rounds of 8 independent vec4 FMA chains (enough independent work to hide FMA
// latency), touching memory only once at the end: 64 FLOPs per round per invocation.
//
// Buffers:  out [invocations] vec4f (so the compiler cannot drop the work)
// Dispatch: any number of workgroups of WG (1024 where the device allows). Launched by src/profile/peaks.ts.

override WG: u32 = 256u;

struct Params {
  iters: u32,
}

@group(0) @binding(0) var<storage, read_write> out: array<vec4f>;
@group(0) @binding(1) var<uniform> p: Params;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  var a0 = vec4f(f32(gid.x)); var a1 = a0 + 1.0; var a2 = a0 + 2.0; var a3 = a0 + 3.0;
  var a4 = a0 + 4.0; var a5 = a0 + 5.0; var a6 = a0 + 6.0; var a7 = a0 + 7.0;
  let m = vec4f(0.9999);
  let c = vec4f(0.0001);
  for (var i = 0u; i < p.iters; i++) {
    a0 = fma(a0, m, c); a1 = fma(a1, m, c); a2 = fma(a2, m, c); a3 = fma(a3, m, c);
    a4 = fma(a4, m, c); a5 = fma(a5, m, c); a6 = fma(a6, m, c); a7 = fma(a7, m, c);
  }
  out[gid.x] = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7;
}
