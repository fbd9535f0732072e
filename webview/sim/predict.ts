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
 * own weights. Four things this simulator does make the measured number differ from a plain
 * product of chi, the first three by factors of 2 or more, so the prediction models them
 * (measured against the simulator in test/unit/agreement.test.ts):
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
 *  4. The finite batch B, to first order in 1/B: a batch standardisation puts (B - 2) / (B - 3)
 *     on the gradient's second moment (its biased variance estimate and its projection), a
 *     standardised input the delta method's correction per unit (perUnitRatio). Without it,
 *     at the first layer of a 20-layer stack with batch norm at batch 64, the measurement would
 *     come out 1.4x the prediction.
 *
 * What it leaves out, measured against the simulator at width 256 (test/unit/agreement.test.ts):
 * finite-width corrections, of order depth / width, which mean-field theory drops. E[a^2] stays
 * within a few % at any depth; the gradient's prediction drifts by up to 1-2 % per layer (ReLU,
 * tanh, SELU) and 2-7 % per layer (sigmoid, gelu, silu, hard_swish) below the output. And a
 * standardised input behind layers whose samples are correlated (two or more unnormalized ReLU
 * layers before it) at a small batch: units active in a few samples of the batch dominate its
 * backward pass there (predicted 2x low at batch 64), beyond what a first-order correction in
 * 1/B describes.
 *
 * Layer normalization ('layer', not produced by the panel's models) is taken as a per-sample
 * division by sqrt(q + eps), its projections left out. Softmax and log_softmax use the
 * engine's moments; the loss's gradient through them is sampled (seeded logits), and their
 * pair moments read them elementwise with the other n - 1 logits at their mean (exact as n
 * grows while q stays below about log(n) - 4.6). Residual adds are not simulated yet, so not
 * predicted either.
 *
 * `effectiveVariance` says which Var(w) each kernel has as simulate() draws it.
 */
import { activationFunction, leakySlope, lookupActivation, LINEAR, type ActivationInfo } from '../../src/engine/activations';
import { activationMoments, gaussianExpectation, MOMENT_CAP, softmaxDraws } from '../../src/engine/moments';
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
  /**
   * Covariance, at the activation's input, of two independent input samples (the per-unit
   * batch mean's square): 0 for a standardised or white input, towards q with depth where the
   * activation has a mean.
   */
  qab: number;
  /** E[a^2] after the layer: the engine's E[phi(z)^2]. */
  mu: number;
  /** The engine's chi = sigma^2 E[phi'(z)^2] of this layer (sigma^2 = fan_in Var(w)). */
  chi: number;
  /** E[(dl_b/dz)^2], z before any normalization. */
  delta: number;
  /** E[(dl_b/dW)^2] = mu_in x delta: what `gradMoment` measures. */
  grad: number;
  /**
   * Batch normalization between layer and activation: the fraction of dl/dz's second moment its
   * projection keeps (the rest lies along the batch mean and along z). Near 0 the gradient is a
   * small remainder, which a finite batch estimates poorly (heavy-tailed).
   */
  normKept?: number;
}

/** The shape a run actually had (SimResult's `units` and `batch`: fewer on a capped backend); default the config's. */
export interface RunShape {
  units?: readonly number[];
  batch?: number;
}

/** Per layer, the predicted E[a^2] and per-sample gradient second moment for the run's input. */
export function predictLayers(config: SimConfig, run: RunShape = {}): LayerPrediction[] {
  const L = config.layers.length;
  if (L === 0) return [];
  // The backward pass through a residual add (two gradient paths, their coherent parts) is not
  // modelled here; the panel's models are chains, and the engine's propagate() predicts E[a^2]
  // of residual stacks (test/unit/agreement.test.ts).
  if (config.layers.some((l) => l.residualFrom !== undefined)) throw new TypeError('predictLayers: chains only (a layer has residualFrom)');
  const n = config.layers.map((l, i) => run.units?.[i] ?? l.units);
  const batch = run.batch ?? config.batch;
  // Batch standardisation with a finite batch B: the gradient's second moment gains
  // E[1 / var-hat] = B / ((B - 3) v) (Gaussian z, biased variance) and the projection keeps
  // (B - 2) / B of it.
  const batchFactor = batch > 3 ? (batch - 2) / (batch - 3) : 1;
  const acts = config.layers.map(simActivation);
  const variances = config.layers.map(effectiveVariance);
  const width = (i: number) => (i === 0 ? config.inputWidth : n[i - 1]);

  interface Forward {
    muIn: number;
    q: number;
    qab: number;
    qPre: number;
    mu: number;
    sigma2: number;
    chi: number;
    /** E[a_a a_b] of the layer's output for two independent inputs a, b. */
    cross: number;
    /** 1 / (the variance the normalization divides by), or 1. */
    normScale: number;
    fns: Fns;
  }
  const fw: Forward[] = [];
  // The input: N(0, 1) or U(-sqrt 3, sqrt 3) has E[x^2] = 1 and independent zero-mean samples
  // (E[x_a x_b] = 0); the user's data has its own (webview/sim/inputs.ts).
  const data = config.input === 'data' ? config.data?.stats : undefined;
  let mu = data?.secondMoment ?? 1;
  let cross = data ? Math.min(Math.max(data.crossMoment, 0), data.secondMoment) : 0;
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
    cross = pairOf(fns, 'f', q, qab);
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
    // E[h], E[h^2], E[z h] at z ~ N(0, q): by quadrature, or sampled for softmax and log_softmax.
    const hm = fns.sampled?.() ?? { h: e(fns.h), h2: e((z) => fns.h(z) ** 2), zh: e((z) => z * fns.h(z)) };
    // dl/dz at the activation's input: phi'(z) (random part) + c h(z).
    let Dg: number;
    let Xg: number;
    if (standardisedBelow) {
      Dg = perUnitRatio(fns, q, qab, batch) * R;
      Xg = 0;
    } else {
      const d2 = activationMoments(acts[i], q, n[i])?.backward ?? MOMENT_CAP;
      Dg = d2 * R + c * c * hm.h2;
      Xg = pairOf(fns, 'd', q, qab) * XR + c * c * pairOf(fns, 'h', q, qab);
    }
    // Through the normalization, to z.
    let D: number;
    let X: number;
    let cz: number; // E[d(dl/dz) / dz]: what makes the coherent part of the layer below
    let normKept: number | undefined;
    if (layer.normalize === 'batch') {
      // Backward of (z - mean) / sqrt(var + eps): divide by the standard deviation and project
      // out the per-unit batch mean and the part along the standardised z (here q ~ 1, qab = 0).
      // The projection removes the coherent part's slope too: cz = 0.
      // (The standardised z has batch variance q = v / (v + eps): the part along it is E[z g]^2 / q.)
      const removed = standardisedBelow || !(q > 0) ? 0 : (e(fns.d) ** 2 + e((z) => z * fns.d(z)) ** 2 / q) * XR + c * c * (hm.h ** 2 + hm.zh ** 2 / q);
      D = Math.max(Dg - removed, 0) * normScale * batchFactor;
      X = 0;
      cz = 0;
      normKept = Dg > 0 ? Math.max(Dg - removed, 0) / Dg : 1;
    } else {
      D = Dg * normScale;
      X = Xg * normScale;
      // Stein: E[h'(z)] = E[z h(z)] / q.
      cz = standardisedBelow || !(q > 0) ? 0 : ((c * hm.zh) / q) * normScale;
    }
    result[i] = {
      q,
      qPre: fw[i].qPre,
      qab,
      mu: fw[i].mu,
      chi: fw[i].chi,
      delta: finite(D),
      grad: finite(fw[i].muIn * D),
      ...(normKept !== undefined ? { normKept } : {}),
    };
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
export function predictedVariances(config: SimConfig, run: RunShape = {}): number[] {
  return predictLayers(config, run).map((p) => p.mu);
}

/** Predicted second moment of the per-sample weight gradient per layer (see predictLayers). */
export function predictedGradients(config: SimConfig, run: RunShape = {}): number[] {
  return predictLayers(config, run).map((p) => p.grad);
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
    name: layer.kernel.label,
    framework: 'keras',
    distribution: layer.kernel.distribution,
    family: 'fixed',
    fixedVariance: variance,
    truncation: 1,
    fixedScale: false,
    describe: layer.kernel.label,
  };
  return {
    init: { spec, explicit: true, shared: false },
    fanIn: layer.fanIn,
    fanOut: layer.units,
    receptiveField: 1,
    activation: { info: act },
    biasVariance: layer.biasVariance ?? 0,
    normalized: false,
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
  /** E[h], E[h^2], E[z h] where h is not elementwise (softmax, log_softmax): over sampled logits. */
  sampled?: () => HMoments;
  /** The pair moments E[f(z_a) f(z_b)], E[d d], E[h h] in closed form, where there is one (pairMoment otherwise). */
  pairs?: Record<'f' | 'd' | 'h', (q: number, qab: number) => number>;
}

/**
 * Pair moments of a piecewise-linear phi (slope 1 above 0, `a` below: relu, leaky relu, prelu,
 * linear), exactly: for (z_a, z_b) centred Gaussian with variances q and covariance c = q cos t,
 * E[relu(z_a) relu(z_b)] = q (sin t + (pi - t) cos t) / (2 pi) (Cho & Saul 2009, the arc-cosine
 * kernel of degree 1) and P(z_a > 0, z_b > 0) = (pi - t) / (2 pi). With phi(z) = relu(z) -
 * a relu(-z), and (z_a, -z_b) of covariance -c:
 *   E[phi phi] = (1 + a^2) K(c) - 2 a K(-c),   E[phi' phi'] = (1 + a^2) (pi - t) / (2 pi) + a t / pi,
 * and h = phi phi' is piecewise linear with slopes 1 and a^2. The quadrature these replace took
 * 3 ms a layer (a 50-layer prediction held the panel's first chart up by 0.15 s).
 */
/** @internal Exported for its test against the quadrature. */
export function piecewiseLinearPairs(a: number): NonNullable<Fns['pairs']> {
  const angle = (q: number, qab: number) => Math.acos(Math.min(Math.max(qab / q, 0), 1));
  // K(c) and K(-c) through t: cos(pi - t) = -cos t, sin(pi - t) = sin t.
  const kernels = (q: number, qab: number) => {
    const t = angle(q, qab);
    const k = (q / (2 * Math.PI)) * (Math.sin(t) + (Math.PI - t) * Math.cos(t));
    const kNeg = (q / (2 * Math.PI)) * (Math.sin(t) - t * Math.cos(t));
    return [k, kNeg];
  };
  const linear = (slope: number) => (q: number, qab: number) => {
    if (!(q > 0)) return 0;
    const [k, kNeg] = kernels(q, qab);
    return (1 + slope * slope) * k - 2 * slope * kNeg;
  };
  return {
    f: linear(a),
    h: linear(a * a),
    d: (q, qab) => {
      if (!(q > 0)) return 0;
      const t = angle(q, qab);
      return ((1 + a * a) * (Math.PI - t)) / (2 * Math.PI) + (a * t) / Math.PI;
    },
  };
}

/** E[g(z_a) g(z_b)] for g one of the activation's functions: in closed form where it has one. */
function pairOf(fns: Fns, which: 'f' | 'd' | 'h', q: number, qab: number): number {
  return fns.pairs ? fns.pairs[which](q, qab) : pairMoment(fns[which], fns[which], q, qab, fns.kinks);
}

interface HMoments {
  h: number;
  h2: number;
  zh: number;
}

function activationFns(act: ActivationInfo, q: number, units: number): Fns {
  if (act.name === 'softmax') {
    // Elementwise reading (pair moments): p(z) with the other n - 1 logits at their mean, and
    // dl/dz of dl/dp = c p, c p (p - sum_j p_j^2), with the sum at its mean n E[p^2]. The
    // moments of h itself are sampled: p_k - sum_j p_j^2 is a difference of two terms of order
    // 1/n whose fluctuations from sample to sample are not small.
    const rest = (units - 1) * Math.exp(Math.min(q, 700) / 2);
    const p = (z: number) => 1 / (1 + rest * Math.exp(-z));
    const s = units * (activationMoments(act, q, units)?.forward ?? 0);
    return { f: p, d: (z) => p(z) * (1 - p(z)), h: (z) => p(z) * (p(z) - s), kinks: [], sampled: () => sampledOutputMoments('softmax', q, units) };
  }
  if (act.name === 'log_softmax') {
    // o = z - logsumexp(z) ~ z - c0 (c0 = log n + q / 2 for many logits; here from the engine's
    // E[o^2] = q + c0^2); dl/dz of dl/do = c o is c (o - p sum_j o_j) ~ c (z - c0 + c0 e^(z - q/2)).
    const c0 = Math.sqrt(Math.max((activationMoments(act, q, units)?.forward ?? 0) - q, 0));
    return {
      f: (z) => z - c0,
      d: () => 1,
      h: (z) => z - c0 + c0 * Math.exp(Math.min(z - q / 2, 700)),
      kinks: [],
      sampled: () => sampledOutputMoments('log_softmax', q, units),
    };
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
    pairs: piecewiseLinearPairs(a),
  };
}

/** 8-point Gauss-Legendre on [-1, 1], for the per-unit smoothing below. */
const GL_X = [
  -0.9602898564975363, -0.7966664774136267, -0.525532409916329, -0.1834346424956498, 0.1834346424956498, 0.525532409916329, 0.7966664774136267,
  0.9602898564975363,
];
const GL_W = [
  0.1012285362903763, 0.2223810344533745, 0.3137066458778873, 0.362683783378362, 0.362683783378362, 0.3137066458778873, 0.2223810344533745, 0.1012285362903763,
];
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/** A quadrature rule: the first `n` entries of z and w. */
interface Rule {
  z: Float64Array;
  w: Float64Array;
  n: number;
}

const SMOOTHING_EDGES = [-8, -6, -4, -2, 0, 2, 4, 6, 8];
/** The 64 nodes (u) and weights of the unsplit panels, computed once: most panels hold no kink. */
const BASE_U = new Float64Array(64);
const BASE_W = new Float64Array(64);
for (let p = 0; p < 8; p++) {
  for (let j = 0; j < 8; j++) {
    const u = SMOOTHING_EDGES[p] + 1 + GL_X[j];
    BASE_U[8 * p + j] = u;
    BASE_W[8 * p + j] = GL_W[j] * INV_SQRT_2PI * Math.exp((-u * u) / 2);
  }
}
/**
 * The rule smoothingRule fills: one buffer, reused, since a rule is always used up before the
 * next is made. The prediction of a 50-layer stack makes about a million of them; making each
 * afresh (arrays and an exp per node) was 60 % of its 0.4 s.
 */
const scratch: Rule = { z: new Float64Array(128), w: new Float64Array(128), n: 0 };

/**
 * The nodes and weights of E[g(m + s u)], u ~ N(0, 1): composite 8-point Gauss-Legendre on
 * u in [-8, 8], panels of width 2, split at the activation's kinks (m + s u = kink), so a step
 * such as relu' is integrated exactly. About 70 nodes.
 */
function smoothingRule(m: number, s: number, kinks: readonly number[]): Rule {
  const splits: number[] = [];
  for (const k of kinks) {
    const u = (k - m) / s;
    if (u > -8 && u < 8 && !SMOOTHING_EDGES.includes(u)) splits.push(u);
  }
  splits.sort((a, b) => a - b);
  const size = 8 * (8 + splits.length);
  if (scratch.z.length < size) Object.assign(scratch, { z: new Float64Array(size), w: new Float64Array(size) });
  const { z, w } = scratch;
  let n = 0;
  let next = 0;
  for (let p = 0; p < 8; p++) {
    const lo = SMOOTHING_EDGES[p];
    const hi = SMOOTHING_EDGES[p + 1];
    if (next >= splits.length || splits[next] >= hi) {
      for (let i = 8 * p; i < 8 * p + 8; i++) {
        z[n] = m + s * BASE_U[i];
        w[n++] = BASE_W[i];
      }
      continue;
    }
    // A kink inside this panel: its pieces, each its own 8 nodes.
    let from = lo;
    while (from < hi) {
      const to = next < splits.length && splits[next] < hi ? splits[next++] : hi;
      const half = (to - from) / 2;
      const mid = (to + from) / 2;
      if (half > 0) {
        for (let j = 0; j < 8; j++) {
          const u = mid + half * GL_X[j];
          z[n] = m + s * u;
          w[n++] = GL_W[j] * half * INV_SQRT_2PI * Math.exp((-u * u) / 2);
        }
      }
      from = to;
    }
  }
  scratch.n = n;
  return scratch;
}

function expect(rule: Rule, g: (z: number) => number): number {
  let sum = 0;
  for (let i = 0; i < rule.n; i++) sum += rule.w[i] * g(rule.z[i]);
  return sum;
}

/**
 * E[f(z_a) g(z_b)] for (z_a, z_b) centred Gaussian with variances q and covariance qab >= 0:
 * per unit, z = m + sqrt(q - qab) u with m ~ N(0, qab) shared by the samples, so it is
 * E_m[f~(m) g~(m)] with f~, g~ smoothed by the per-sample part.
 */
/** @internal Exported for the test of the closed forms. */
export function pairMoment(f: (z: number) => number, g: (z: number) => number, q: number, qab: number, kinks: readonly number[]): number {
  const cov = Math.min(Math.max(qab, 0), q);
  const s = Math.sqrt(Math.max(q - cov, 0));
  const v = gaussianExpectation(
    (m) => {
      if (!(s > 0)) return f(m) * g(m);
      const rule = smoothingRule(m, s, kinks);
      const ef = expect(rule, f);
      return ef * (f === g ? ef : expect(rule, g));
    },
    cov,
    kinks,
  );
  return Number.isFinite(v) ? v : MOMENT_CAP;
}

/**
 * The factor a per-feature standardisation after the activation (the next layer's
 * `normalizeInput`) puts on the gradient's second moment, with phi'^2: per unit j, whose z over
 * the batch is N(m_j, q - qab) with m_j ~ N(0, qab), E_b[phi'^2] / Var_b(phi), averaged over
 * the units. With a batch of B, to first order in 1/B (the delta method; the variance is the
 * biased one, and the projection takes 2 of the B dimensions):
 * (E[phi'^2] (1 + kappa / B) - 2 E[phi'^2 (a - mean)^2] / (B v)) / v, kappa the kurtosis of a.
 * For a unit active in very few samples of the batch that expansion fails (its kurtosis is of
 * the order of B): its correction is capped at a factor 2.
 */
function perUnitRatio(fns: Fns, q: number, qab: number, batch: number): number {
  const cov = Math.min(Math.max(qab, 0), q);
  const s = Math.sqrt(Math.max(q - cov, 0));
  const v = gaussianExpectation(
    (m) => {
      if (!(s > 0)) return 0;
      const rule = smoothingRule(m, s, fns.kinks);
      const mean = expect(rule, fns.f);
      const variance = expect(rule, (z) => (fns.f(z) - mean) ** 2);
      const d2 = expect(rule, (z) => fns.d(z) ** 2);
      if (!(variance > 0) || !(d2 > 0)) return 0;
      let correction = 1;
      if (batch > 3 && Number.isFinite(batch)) {
        const kurtosis = expect(rule, (z) => (fns.f(z) - mean) ** 4) / (variance * variance);
        const weighted = expect(rule, (z) => fns.d(z) ** 2 * (fns.f(z) - mean) ** 2) / (variance * d2);
        correction = Math.min(Math.max(1 + (kurtosis - 2 * weighted) / batch, 0.5), 2);
      }
      return (d2 * correction) / (variance + NORM_EPS);
    },
    cov,
    fns.kinks,
  );
  return Number.isFinite(v) ? v : MOMENT_CAP;
}

const sampledCache = new Map<string, HMoments>();

/**
 * E[h], E[h^2], E[z h] for softmax (h_k = p_k (p_k - sum_j p_j^2)) and log_softmax
 * (h_k = o_k - p_k sum_j o_j) over seeded draws of n logits i.i.d. N(0, q), every logit of each
 * draw counted: 2^17 logits in all (at least 32 draws), cached per (activation, q, n).
 */
function sampledOutputMoments(name: 'softmax' | 'log_softmax', q: number, n: number): HMoments {
  const key = `${name}:${q}:${n}`;
  const hit = sampledCache.get(key);
  if (hit) return hit;
  const draws = Math.max(32, Math.ceil(2 ** 17 / n));
  let h1 = 0;
  let h2 = 0;
  let zh = 0;
  softmaxDraws(q, n, draws, (z, p, lse) => {
    let sp2 = 0;
    let so = 0;
    for (let i = 0; i < n; i++) {
      sp2 += p[i] * p[i];
      so += z[i] - lse;
    }
    for (let i = 0; i < n; i++) {
      const h = name === 'softmax' ? p[i] * (p[i] - sp2) : z[i] - lse - p[i] * so;
      h1 += h;
      h2 += h * h;
      zh += z[i] * h;
    }
  });
  const total = draws * n;
  const m = { h: h1 / total, h2: h2 / total, zh: zh / total };
  if (sampledCache.size > 10_000) sampledCache.clear();
  sampledCache.set(key, m);
  return m;
}
