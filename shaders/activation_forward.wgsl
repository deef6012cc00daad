// activation_forward: y = f(x) elementwise for the activations of post-2016 networks:
//   SILU        x * sigmoid(x)                                   (nn.SiLU)
//   HARDSWISH   x * clamp(x + 3, 0, 6) / 6                       (nn.Hardswish)
//   HARDSIGMOID clamp(x + 3, 0, 6) / 6                           (nn.Hardsigmoid)
//   RELU6       clamp(x, 0, 6)                                   (nn.ReLU6)
//   GELU        x * Phi(x) = x/2 * erfc(-x / sqrt 2)             (nn.GELU())
//   GELU_TANH   x/2 * (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))  (nn.GELU(approximate='tanh'))
//   RELU        max(x, 0)                                        (nn.ReLU, float32)
// NaN in gives NaN out, as PyTorch (clamp and select would otherwise swallow it).
// V (and U) are substituted: vec4<f32> when the element count divides by 4 (one 16-byte load and store
// per invocation: these layers are memory-bound), else f32. Every formula is written for V.
//
// Buffers:  x [n], y [n]   (n counted in V: elements / 4 for vec4)
// Dispatch: one invocation per V, workgroups of WG, 2-D past 65535 workgroups (gridFor).
// Launched by src/ops/activation.ts.

alias V = vec4<f32>;
alias U = vec4<u32>;   // the unsigned type of V's shape (vec4<u32> with vec4<f32>), for the NaN test

const SILU = 0u;
const HARDSWISH = 1u;
const HARDSIGMOID = 2u;
const RELU6 = 3u;
const GELU = 4u;
const GELU_TANH = 5u;
const RELU = 6u;

override OP: u32 = SILU;
override WG: u32 = 256u;

struct Params {
  n: u32,   // length of x and y in units of V
}

@group(0) @binding(0) var<storage, read> x: array<V>;
@group(0) @binding(1) var<storage, read_write> y: array<V>;
@group(0) @binding(2) var<uniform> p: Params;

// erfc(z) after Numerical Recipes' erfcc (Chebyshev fit, fractional error < 1.2e-7 for every z):
// relative accuracy also in the tail, where gelu(x) for x << 0 is tiny.
fn erfc_v(z: V) -> V {
  let a = abs(z);
  let t = 1.0 / (1.0 + 0.5 * a);
  let poly = -1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
    t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  let r = t * exp(-a * a + poly);
  return select(2.0 - r, r, z >= V(0.0));
}

// Logistic sigmoid without overflow: e = exp(-|x|) never exceeds 1.
fn sigmoid_v(v: V) -> V {
  let e = exp(-abs(v));
  return select(e / (1.0 + e), 1.0 / (1.0 + e), v >= V(0.0));
}

// tanh from exp(-2|u|), which cannot overflow (a direct tanh of large |u| may give inf / inf).
fn tanh_v(u: V) -> V {
  let e = exp(-2.0 * abs(u));
  return sign(u) * (1.0 - e) / (1.0 + e);
}

fn activate(v: V) -> V {
  switch OP {
    case SILU: { return v * sigmoid_v(v); }
    case HARDSWISH: { return v * clamp(v + 3.0, V(0.0), V(6.0)) / 6.0; }
    case HARDSIGMOID: { return clamp(v + 3.0, V(0.0), V(6.0)) / 6.0; }
    // Selects, not clamp: NaN and -0 pass through, as PyTorch's hardtanh.
    case RELU6: { return select(select(v, V(6.0), v > V(6.0)), V(0.0), v < V(0.0)); }
    case GELU: {
      // A zero result is +0 in PyTorch (x * Phi(x) gives -0 for x = -0 and large negative x).
      let y = 0.5 * v * erfc_v(-v * 0.70710678118654752);
      return select(y, V(0.0), y == V(0.0));
    }
    // A select, not max: NaN and -0 pass through, as PyTorch's relu.
    case RELU: { return select(v, V(0.0), v < V(0.0)); }
    default: {
      let u = 0.79788456080286536 * (v + 0.044715 * v * v * v);
      return 0.5 * v * (1.0 + tanh_v(u));
    }
  }
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) groups: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wg.y * groups.x + wg.x) * WG + lid;
  if (i >= p.n) { return; }
  let v = x[i];
  // Keep NaN where clamp or select would have dropped it. NOTE: the test reads the bits (exponent
  // all ones, mantissa nonzero): `v != v` is folded to false by the driver's compiler.
  let nan = (bitcast<U>(v) & U(0x7fffffffu)) > U(0x7f800000u);
  y[i] = select(activate(v), v, nan);
}
