// activation_backward: dx = g * f'(x) for the activations of activation_forward.wgsl, with
// PyTorch's values at the kinks and at NaN (its backward kernels' comparisons, reproduced):
//   SILU        s (1 + x (1 - s)),  s = sigmoid(x)
//   HARDSWISH   0 for x < -3, x / 3 + 1/2 for -3 <= x <= 3, else 1   (NaN: 1, as PyTorch)
//   HARDSIGMOID 1/6 for -3 < x < 3, else 0                           (NaN: 0)
//   RELU6       0 for x <= 0 or x >= 6, else 1                       (NaN: 1)
//   RELU        g where x > 0, else 0 (a select: an infinite g stays finite where x <= 0; NaN: g)
//   GELU        Phi(x) + x phi(x),  Phi(x) = erfc(-x / sqrt 2) / 2,  phi(x) = exp(-x^2 / 2) / sqrt(2 pi)
//   GELU_TANH   (1 + t) / 2 + x/2 (1 - t^2) sqrt(2/pi) (1 + 3 * 0.044715 x^2),
//               t = tanh(sqrt(2/pi) (x + 0.044715 x^3))
// V is substituted as in the forward (vec4<f32> when the count divides by 4, else f32).
//
// Buffers:  g [n] (upstream gradient), x [n] (the forward's input), dx [n]   (n counted in V)
//           For RELU and RELU6 x may be the forward's output instead: the same sign tests hold
//           (the fused convolutions of src/ops/fused_conv.ts save only their output).
// Dispatch: one invocation per V, workgroups of WG, 2-D past 65535 workgroups (gridFor).
// Launched by src/ops/activation.ts.

alias V = vec4<f32>;

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
  n: u32,   // length of g, x and dx in units of V
}

@group(0) @binding(0) var<storage, read> g: array<V>;
@group(0) @binding(1) var<storage, read> x: array<V>;
@group(0) @binding(2) var<storage, read_write> dx: array<V>;
@group(0) @binding(3) var<uniform> p: Params;

// erfc(z), Numerical Recipes' erfcc (fractional error < 1.2e-7), as in the forward.
// same as activation_forward.wgsl:erfc_v
fn erfc_v(z: V) -> V {
  let a = abs(z);
  let t = 1.0 / (1.0 + 0.5 * a);
  let poly = -1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
    t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  let r = t * exp(-a * a + poly);
  return select(2.0 - r, r, z >= V(0.0));
}

// same as activation_forward.wgsl:sigmoid_v
fn sigmoid_v(v: V) -> V {
  let e = exp(-abs(v));
  return select(e / (1.0 + e), 1.0 / (1.0 + e), v >= V(0.0));
}

// same as activation_forward.wgsl:tanh_v
fn tanh_v(u: V) -> V {
  let e = exp(-2.0 * abs(u));
  return sign(u) * (1.0 - e) / (1.0 + e);
}

// f'(v). NOTE: the comparisons are PyTorch's, so a NaN input takes the branch PyTorch's takes.
fn derivative(v: V) -> V {
  switch OP {
    case SILU: {
      let s = sigmoid_v(v);
      return s * (1.0 + v * (1.0 - s));
    }
    case HARDSWISH: {
      return select(select(V(1.0), v / 3.0 + 0.5, v <= V(3.0)), V(0.0), v < V(-3.0));
    }
    case HARDSIGMOID: {
      return select(V(0.0), V(1.0 / 6.0), (v > V(-3.0)) & (v < V(3.0)));
    }
    case RELU6: {
      return select(V(1.0), V(0.0), (v <= V(0.0)) | (v >= V(6.0)));
    }
    case GELU: {
      let cdf = 0.5 * erfc_v(-v * 0.70710678118654752);
      let pdf = 0.39894228040143268 * exp(-0.5 * v * v);
      return cdf + v * pdf;
    }
    default: {
      let k = 0.79788456080286536;
      let t = tanh_v(k * (v + 0.044715 * v * v * v));
      return 0.5 * (1.0 + t) + 0.5 * v * (1.0 - t * t) * k * (1.0 + 3.0 * 0.044715 * v * v);
    }
  }
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) groups: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wg.y * groups.x + wg.x) * WG + lid;
  if (i >= p.n) { return; }
  if (OP == RELU) {
    dx[i] = select(g[i], V(0.0), x[i] <= V(0.0));
    return;
  }
  let d = derivative(x[i]);
  // A zero derivative gives +0 (PyTorch's backward kernels select 0 there; g * 0 could be -0).
  if (OP == HARDSWISH || OP == HARDSIGMOID || OP == RELU6) {
    dx[i] = select(g[i] * d, V(0.0), d == V(0.0));
    return;
  }
  dx[i] = g[i] * d;
}
