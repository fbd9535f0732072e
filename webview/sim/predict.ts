/**
 * The analytic prediction the panel draws (dashed) over the Monte Carlo measurement, for the
 * stack exactly as simulate() runs it (webview/sim/simulate.ts): a unit-variance input, each
 * layer a dense fan_in -> units matmul (plus its bias, if any), standardised between the layer
 * and its activation where `normalize` says so, its input standardised where `normalizeInput`
 * says so, loss = mean(output^2).
 *
 * Forward, per layer: the propagation engine's numbers (src/engine/propagation.ts,
 * `layerNumbers`): q = fan_in Var(w) mu + Var(b), mu' = E[phi(z)^2] at z ~ N(0, q), with the
 * engine's exact moments (src/engine/moments.ts). A normalization between the layer and its
 * activation sets q to v / (v + eps) (v: the per-unit batch variance it divides by, eps as the
 * simulator's); a standardised input resets mu to 1. This is the number the panel, the hover
 * and the rules show, and what `actVar + actMean^2` measures.
 *
 * Backward: the second moment of the per-sample gradient dl_b/dW (`gradMoment` of the
 * measurement; l_b = mean over units of output_b^2, the batch loss is their mean) is
 * mu_in x E[delta^2], delta = dl_b/dz. The engine's chi = sigma^2 E[phi'(z)^2] is the factor one
 * layer puts on E[delta^2] when the gradient arriving at the layer is independent of the layer's
 * own weights. Three things this simulator does make the measured number differ from a plain
 * product of chi, by factors of 2 or more, so the prediction models them (measured against the
 * simulator in test/unit/agreement.test.ts):
 *
 *  1. The loss reads the network's own output. dl/da_L = (2 / n_L) a_L is a function of the
 *     last layer's weights, and so is everything derived from it: back through W_L, the
 *     gradient gets a part proportional to the layer's input (Stein's lemma:
 *     E[W_jk g(z_k)] = Var(w) x_j E[g'(z_k)]), c x_j with c = n_L Var(w) E[g']. It is carried
 *     down as a "coherent" amplitude c (at each activation, the part c phi(z) phi'(z) of
 *     dl/dz), next to the "random" part the chi recursion describes; with equal widths it is
 *     as large as the random part (a deep linear stack of square layers: E[delta^2] grows
 *     like the distance to the output, the Fuss-Catalan moments of a product of Gaussian
 *     matrices, where chi says 1). A normalization removes it (the scale of its input's
 *     direction is what it makes irrelevant).
 *  2. Cross-sample structure. Samples pass through the same weights, so two independent
 *     inputs become correlated (ReLU: correlation 1/pi after one layer, towards 1 with depth);
 *     per unit, z over the batch is N(m_k, q - q_ab) with m_k ~ N(0, q_ab). The pair moments
 *     q_ab (forward) and the backward ones are propagated along (the "c-map" of mean-field
 *     theory), by nested quadrature: E[f(z_a) g(z_b)] = E_m[f~(m) g~(m)], f~ = f smoothed by
 *     N(0, q - q_ab).
 *  3. Normalizations, as their backward pass is: batch standardisation divides the gradient
 *     by the per-unit standard deviation over the batch, sqrt(q - q_ab + eps) (not sqrt(q)),
 *     and projects out its per-unit batch mean and its component along the standardised z;
 *     a standardised input (a normalization after the previous activation) divides by each
 *     feature's own batch standard deviation, which, after a ReLU, is small for the units
 *     that are mostly off: E_j[E_b[phi'^2] / (var_j + eps)] is taken per unit, over m_j.
 *
 * Layer normalization ('layer', not produced by the panel's models) is taken as a per-sample
 * division by sqrt(q + eps), its projections left out. Softmax and log_softmax use the
 * engine's moments; for the pair moments and the loss's gradient they are read elementwise
 * with the other n - 1 logits at their mean (exact as n grows). Residual adds are not
 * simulated yet, so not predicted either.
 *
 * `effectiveVariance` says which Var(w) each kernel has as simulate() draws it.
 */
import { activationFunction, leakySlope, lookupActivation, LINEAR, type ActivationInfo } from '../../src/engine/activations';
import { activationMoments, gaussianExpectation, MOMENT_CAP } from '../../src/engine/moments';
import { layerNumbers } from '../../src/engine/propagation';
import type { InitSpec } from '../../src/engine/initializers';
import type { SimConfig, SimLayerSpec } from './types';

/** Epsilon of the simulator's standardisation (PyTorch's BatchNorm/LayerNorm default). */
export const NORM_EPS = 1e-5;

/**
 * The Var(w) the prediction uses for a layer, i.e. the mean square of the kernel's entries as
 * simulate() draws them:
 *  - the spec's variance when it has one (constant kernels: 0, so the prediction falls to 0;
 *    a constant kernel's problem is symmetry, not scale, and mean-field theory does not apply);
 *  - identity (no variance in the spec): the mean square of eye(fan_in, units), min/(fan_in x units);
 *  - orthogonal without a variance: 1 / max(fan_in, units) (gain 1);
 *  - unknown or missing: Glorot uniform's 2 / (fan_in + units), which is what simulate() draws
 *    for them.
 */
export function effectiveVariance(layer: SimLayerSpec): number {
  const k = layer.kernel;
  if (k.distribution === 'identity') return Math.min(layer.fanIn, layer.units) / (layer.fanIn * layer.units);
  if (k.distribution === 'constant') return k.variance ?? 0;
  if (k.distribution !== 'unknown' && k.variance !== undefined && Number.isFinite(k.variance) && k.variance >= 0) return k.variance;
  if (k.distribution === 'orthogonal') return 1 / Math.max(layer.fanIn, layer.units);
  return glorotVariance(layer.fanIn, layer.units);
}

export function glorotVariance(fanIn: number, units: number): number {
  return 2 / Math.max(1, fanIn + units);
}

/** The layer's activation in the engine's catalogue; a name it does not know is simulated, and so predicted, as linear. */
export function simActivation(layer: Pick<SimLayerSpec, 'activation'>): ActivationInfo {
  const info = lookupActivation(layer.activation.name, layer.activation.alpha);
  return info && info.family !== 'unknown' ? info : LINEAR;
}

export interface LayerPrediction {
  /** Variance of the activation's input (after the normalization, if any). */
  q: number;
  /** Variance of z before any normalization: fan_in Var(w) mu_in + Var(b). */
  qPre: number;
  /** E[a^2] after the layer: the engine's E[phi(z)^2]. */
  mu: number;
  /** The engine's chi = sigma^2 E[phi'(z)^2] of this layer (sigma^2 = fan_in Var(w)). */
  chi: number;
  /** E[(dl_b/dz)^2], z before any normalization. */
  delta: number;
  /** E[(dl_b/dW)^2] = mu_in x delta: what `gradMoment` measures. */
  grad: number;
}

/**
 * Per layer, the predicted E[a^2] and per-sample gradient second moment for a unit-variance
 * input. `units`: the units per layer as simulated (SimResult.units, fewer than the config's on
 * a capped backend); default the config's.
 */
export function predictLayers(config: SimConfig, units?: readonly number[]): LayerPrediction[] {
  const L = config.layers.length;
  const n = config.layers.map((l, i) => units?.[i] ?? l.units);
  const acts = config.layers.map(simActivation);
  const variances = config.layers.map(effectiveVariance);
  const width = (i: number) => (i === 0 ? config.inputWidth : n[i - 1]);

  interface Forward {
    muIn: number; q: number; qab: number; qPre: number; mu: number; sigma2: number; chi: number;
    /** E[a_a a_b] of the layer's output for two independent inputs a, b. */
    cross: number;
    /** 1 / (the variance the normalization divides by), or 1. */
    normScale: number;
    fns: Fns;
  }
  const fw: Forward[] = [];
  let mu = 1; // the input: N(0, 1) or U(-sqrt 3, sqrt 3), E[x^2] = 1
  let cross = 0; // E[x_a x_b] of two samples: independent zero-mean inputs
  for (let i = 0; i < L; i++) {
    const layer = config.layers[i];
    const act = acts[i];
    if (layer.normalizeInput) {
      const v = Math.max(mu - cross, 0);
      mu = v / (v + NORM_EPS);
      cross = 0;
    }
    const bias = layer.biasVariance ?? 0;
    const num = layerNumbers(layerLike(layer, variances[i], act), mu, n[i]);
    const sigma2 = num.sigma2 ?? layer.fanIn * variances[i];
    const qPre = num.q ?? sigma2 * mu + bias;
    const qabPre = Math.min(sigma2 * cross + bias, qPre);
    let q = qPre;
    let qab = qabPre;
    let normScale = 1;
    if (layer.normalize === 'batch') {
      const v = Math.max(qPre - qabPre, 0);
      normScale = 1 / (v + NORM_EPS);
      q = v * normScale;
      qab = 0;
    } else if (layer.normalize === 'layer') {
      normScale = 1 / (qPre + NORM_EPS);
      q = qPre * normScale;
      qab = qabPre * normScale;
    }
    const m = layer.normalize === 'none' ? num.moments : activationMoments(act, q, n[i]);
    const fns = activationFns(act, q, n[i]);
    const out = m?.forward ?? MOMENT_CAP;
    cross = pairMoment(fns.f, fns.f, q, qab, fns.kinks);
    fw.push({ muIn: mu, q, qab, qPre, mu: out, sigma2, chi: sigma2 * (m?.backward ?? 0), cross, normScale, fns });
    mu = out;
  }

  // Backward. At each layer's output a, the gradient dl/da is a random part (second moment R,
  // pair moment XR between two samples) plus the coherent part c a.
  const result: LayerPrediction[] = new Array(L);
  let R = 0;
  let XR = 0;
  let c = 2 / n[L - 1]; // dl/da_L = (2 / n_L) a_L: all coherent
  // The next layer standardised this output per feature: the gradient arriving here has no
  // batch mean per feature and no coherent part, and is divided by each feature's variance.
  let standardisedBelow = false;
  for (let i = L - 1; i >= 0; i--) {
    const layer = config.layers[i];
    const { q, qab, fns, normScale } = fw[i];
    const e = (g: (z: number) => number) => gaussianExpectation(g, q, fns.kinks);
    // dl/dz at the activation's input: phi'(z) (random part) + c h(z).
    let Dg: number;
    let Xg: number;
    if (standardisedBelow) {
      Dg = perUnitRatio(fns, q, qab) * R;
      Xg = 0;
    } else {
      const d2 = activationMoments(acts[i], q, n[i])?.backward ?? MOMENT_CAP;
      Dg = d2 * R + c * c * e((z) => fns.h(z) ** 2);
      Xg = pairMoment(fns.d, fns.d, q, qab, fns.kinks) * XR + c * c * pairMoment(fns.h, fns.h, q, qab, fns.kinks);
    }
    // Through the normalization, to z.
    let D: number;
    let X: number;
    let cz: number; // E[d(dl/dz) / dz]: what makes the coherent part of the layer below
    if (layer.normalize === 'batch') {
      // Backward of (z - mean) / sqrt(var + eps): divide by the standard deviation and project
      // out the per-unit batch mean and the part along the standardised z (here q ~ 1, qab = 0).
      // The projection removes the coherent part's slope too: cz = 0.
      const removed = standardisedBelow ? 0
        : (e(fns.d) ** 2 + e((z) => z * fns.d(z)) ** 2) * XR + c * c * (e(fns.h) ** 2 + e((z) => z * fns.h(z)) ** 2);
      D = Math.max(Dg - removed, 0) * normScale;
      X = 0;
      cz = 0;
    } else {
      D = Dg * normScale;
      X = Xg * normScale;
      // Stein: E[h'(z)] = E[z h(z)] / q.
      cz = standardisedBelow || !(q > 0) ? 0 : (c * e((z) => z * fns.h(z)) / q) * normScale;
    }
    result[i] = { q, qPre: fw[i].qPre, mu: fw[i].mu, chi: fw[i].chi, delta: finite(D), grad: finite(fw[i].muIn * D) };
    if (i === 0) break;
    // Down through W_i to the previous layer's output. Each of its outputs feeds fan_in / width
    // of this layer's inputs on average (simulate()'s rolled copies; 1 in a plain chain).
    const copies = layer.fanIn / width(i);
    const scale = n[i] * variances[i] * copies;
    c = scale * cz;
    // i.i.d. kernels: sum_k W_jk delta_k has second moment n Var(w) E[delta^2] (the random part)
    // plus the coherent part's c^2 E[a^2] on top. An orthogonal kernel keeps the total at
    // n Var(w) E[delta^2] (|W delta| = |delta| for a square one): the coherent part is inside it.
    const orthogonal = layer.kernel.distribution === 'orthogonal';
    R = Math.max(scale * D - (orthogonal ? c * c * fw[i].muIn : 0), 0);
    XR = Math.max(scale * X - (orthogonal ? c * c * fw[i - 1].cross : 0), 0);
    standardisedBelow = layer.normalizeInput === true;
    if (standardisedBelow) {
      // Standardising this layer's input per feature removes the gradient's per-feature batch
      // mean and its part along the input, i.e. the coherent part entirely.
      R = Math.max(R - XR, 0);
      XR = 0;
      c = 0;
    }
  }
  return result;
}

/** Predicted E[a^2] per layer (see predictLayers). */
export function predictedVariances(config: SimConfig, units?: readonly number[]): number[] {
  return predictLayers(config, units).map((p) => p.mu);
}

/** Predicted second moment of the per-sample weight gradient per layer (see predictLayers). */
export function predictedGradients(config: SimConfig, units?: readonly number[]): number[] {
  return predictLayers(config, units).map((p) => p.grad);
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

function finite(x: number): number {
  return Number.isNaN(x) ? MOMENT_CAP : Math.min(Math.max(x, 0), MOMENT_CAP);
}

/** The layer as the engine's layerNumbers reads it: a fixed-variance kernel of this Var(w), no normalization (applied here). */
function layerLike(layer: SimLayerSpec, variance: number, act: ActivationInfo) {
  const spec: InitSpec = {
    name: layer.kernel.label, framework: 'keras', distribution: layer.kernel.distribution, family: 'fixed',
    fixedVariance: variance, truncation: 1, fixedScale: false, describe: layer.kernel.label,
  };
  return {
    init: { spec, explicit: true, shared: false },
    fanIn: layer.fanIn, fanOut: layer.units, receptiveField: 1,
    activation: { info: act }, biasVariance: layer.biasVariance ?? 0, normalized: false,
  };
}

/**
 * What the backward recursion needs of an activation at operating point q: f = phi, d = the
 * Jacobian's diagonal phi', and h, the map of the loss's coherent part (dl/da = c a gives
 * dl/dz = c h(z)): phi phi' for elementwise activations.
 */
interface Fns {
  f: (z: number) => number;
  d: (z: number) => number;
  h: (z: number) => number;
  kinks: readonly number[];
}

function activationFns(act: ActivationInfo, q: number, units: number): Fns {
  if (act.name === 'softmax') {
    // p(z) with the other n - 1 logits at their mean (moments.ts does the same); dl/dz of
    // dl/dp = c p is c p (p - sum_j p_j^2), the sum at its mean n E[p^2].
    const rest = (units - 1) * Math.exp(Math.min(q, 700) / 2);
    const p = (z: number) => 1 / (1 + rest * Math.exp(-z));
    const s = units * (activationMoments(act, q, units)?.forward ?? 0);
    return { f: p, d: (z) => p(z) * (1 - p(z)), h: (z) => p(z) * (p(z) - s), kinks: [] };
  }
  if (act.name === 'log_softmax') {
    // o = z - logsumexp(z) ~ z - c0, c0 = log n + q / 2; dl/dz of dl/do = c o is
    // c (o - p sum_j o_j) ~ c (z - c0 + c0 e^(z - q/2)).
    const c0 = Math.log(units) + Math.min(q, MOMENT_CAP) / 2;
    return { f: (z) => z - c0, d: () => 1, h: (z) => z - c0 + c0 * Math.exp(Math.min(z - q / 2, 700)), kinks: [] };
  }
  if (act.name === 'exponential') {
    const e = (z: number) => Math.exp(Math.min(z, 700));
    return { f: e, d: e, h: (z) => e(2 * z), kinks: [] };
  }
  const fn = activationFunction(act);
  if (fn) return { f: fn.phi, d: fn.dphi, h: (z) => fn.phi(z) * fn.dphi(z), kinks: fn.kinks };
  // Closed-form ones: relu, leaky relu, prelu, linear.
  const a = act.name === 'linear' ? 1 : leakySlope(act);
  return {
    f: (z) => (z > 0 ? z : a * z),
    d: (z) => (z > 0 ? 1 : a),
    h: (z) => (z > 0 ? z : a * a * z),
    kinks: [0],
  };
}

/** Probabilists' Gauss-Hermite rule (weights sum to 1 for N(0, 1)), by bisection on h_n and the Christoffel weights. */
function hermiteRule(order: number): { x: number[]; w: number[] } {
  const h = (x: number, k: number) => {
    // Orthonormal Hermite polynomials: h_{k+1} = (x h_k - sqrt(k) h_{k-1}) / sqrt(k + 1).
    let prev = 0;
    let cur = 1;
    for (let j = 0; j < k; j++) {
      const next = (x * cur - Math.sqrt(j) * prev) / Math.sqrt(j + 1);
      prev = cur;
      cur = next;
    }
    return cur;
  };
  const lim = Math.sqrt(4 * order + 2) + 1;
  const steps = 200 * order;
  const x: number[] = [];
  let a = -lim;
  let fa = h(a, order);
  for (let s = 1; s <= steps; s++) {
    const b = -lim + (2 * lim * s) / steps;
    const fb = h(b, order);
    if (fa === 0 || fa * fb < 0) {
      let lo = a;
      let hi = b;
      for (let it = 0; it < 80; it++) {
        const mid = (lo + hi) / 2;
        if (h(lo, order) * h(mid, order) <= 0) hi = mid;
        else lo = mid;
      }
      x.push((lo + hi) / 2);
    }
    a = b;
    fa = fb;
  }
  const w = x.map((xi) => {
    let s = 0;
    for (let k = 0; k < order; k++) s += h(xi, k) ** 2;
    return 1 / s;
  });
  return { x, w };
}

let rule: { x: number[]; w: number[] } | undefined;
/** E[g(m + s u)], u ~ N(0, 1), by 24-point Gauss-Hermite. */
function smoothed(g: (z: number) => number, m: number, s: number): number {
  rule ??= hermiteRule(24);
  if (!(s > 0)) return g(m);
  let sum = 0;
  for (let i = 0; i < rule.x.length; i++) sum += rule.w[i] * g(m + s * rule.x[i]);
  return sum;
}

/**
 * E[f(z_a) g(z_b)] for (z_a, z_b) centred Gaussian with variances q and covariance qab >= 0:
 * per unit, z = m + sqrt(q - qab) u with m ~ N(0, qab) shared by the samples, so it is
 * E_m[f~(m) g~(m)] with f~, g~ smoothed by the per-sample part.
 */
function pairMoment(f: (z: number) => number, g: (z: number) => number, q: number, qab: number, kinks: readonly number[]): number {
  const cov = Math.min(Math.max(qab, 0), q);
  const s = Math.sqrt(Math.max(q - cov, 0));
  const v = gaussianExpectation((m) => smoothed(f, m, s) * (f === g ? smoothed(f, m, s) : smoothed(g, m, s)), cov, kinks);
  return Number.isFinite(v) ? v : MOMENT_CAP;
}

/**
 * E_j[E_b[phi'(z)^2] / (Var_b(phi(z)) + eps)] over units j whose z is N(m_j, q - qab) over the
 * batch, m_j ~ N(0, qab): the factor a per-feature standardisation after the activation puts
 * on the gradient's second moment, with phi'^2.
 */
function perUnitRatio(fns: Fns, q: number, qab: number): number {
  const cov = Math.min(Math.max(qab, 0), q);
  const s = Math.sqrt(Math.max(q - cov, 0));
  const v = gaussianExpectation((m) => {
    const mean = smoothed(fns.f, m, s);
    const variance = Math.max(smoothed((z) => fns.f(z) ** 2, m, s) - mean * mean, 0);
    return smoothed((z) => fns.d(z) ** 2, m, s) / (variance + NORM_EPS);
  }, cov, fns.kinks);
  return Number.isFinite(v) ? v : MOMENT_CAP;
}
