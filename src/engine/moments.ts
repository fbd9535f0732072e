/**
 * Exact activation moments at a layer's operating point (rules.md v2, "The numbers behind every
 * verdict"): for z ~ N(0, q), the forward moment E[phi(z)^2] and the backward moment
 * E[phi'(z)^2]. Closed forms for the piecewise-linear activations; quadrature for the rest, at
 * the actual q, so a bounded activation saturates instead of growing.
 *
 * Quadrature: composite 8-point Gauss-Legendre over z in [-10 sqrt(q), 10 sqrt(q)], with panel
 * edges at the activation's kinks, every 0.5 on [-12, 12] (where every activation in the
 * catalogue bends), and every sqrt(q) / 4 (the Gaussian's own scale). Plain Gauss-Hermite
 * places its nodes on the Gaussian's scale only: at q = 63 its 128 nodes leave a gap of 3
 * around 0, where tanh' lives, and E[tanh'(z)^2] comes out at a third of its value. The
 * composite rule is exact to 1e-6 relative at every q we tested (1e-8 to 1e8) and costs about
 * 1,000 evaluations, cached per (activation, q).
 */
import { activationFunction, isPiecewiseLinear, leakySlope, type ActivationFunction, type ActivationInfo } from './activations';

export interface Moments {
  /** E[phi(z)^2], z ~ N(0, q): what the layer hands forward (means included). */
  forward: number;
  /** E[phi'(z)^2]: the factor on the gradient's second moment. */
  backward: number;
}

/** Nodes and weights of 8-point Gauss-Legendre on [-1, 1]. */
const GL_X = [
  -0.9602898564975363, -0.7966664774136267, -0.525532409916329, -0.1834346424956498, 0.1834346424956498, 0.525532409916329, 0.7966664774136267,
  0.9602898564975363,
];
const GL_W = [
  0.1012285362903763, 0.2223810344533745, 0.3137066458778873, 0.362683783378362, 0.362683783378362, 0.3137066458778873, 0.2223810344533745, 0.1012285362903763,
];

/** Where panels break: every 0.5 on [-12, 12]. */
const FIXED_EDGES = Array.from({ length: 49 }, (_, i) => -12 + i * 0.5);

/** E[f(z)] for z ~ N(0, q), by composite Gauss-Legendre (see the file comment). */
export function gaussianExpectation(f: (z: number) => number, q: number, kinks: readonly number[] = []): number {
  if (!(q > 0)) return f(0);
  const s = Math.sqrt(q);
  const lim = 10 * s;
  const edges = new Set<number>([-lim, lim]);
  for (let i = -40; i <= 40; i++) edges.add((i / 4) * s);
  for (const e of FIXED_EDGES) if (Math.abs(e) < lim) edges.add(e);
  for (const e of kinks) if (Math.abs(e) < lim) edges.add(e);
  const sorted = [...edges].sort((a, b) => a - b);
  const norm = 1 / (s * Math.sqrt(2 * Math.PI));
  let sum = 0;
  for (let k = 0; k + 1 < sorted.length; k++) {
    const a = sorted[k];
    const b = sorted[k + 1];
    const half = (b - a) / 2;
    const mid = (a + b) / 2;
    let panel = 0;
    for (let j = 0; j < 8; j++) {
      const z = mid + half * GL_X[j];
      panel += GL_W[j] * f(z) * Math.exp((-z * z) / (2 * q));
    }
    sum += panel * half;
  }
  return sum * norm;
}

/** Largest moment reported: beyond it a number is "astronomically large" and printed as such. */
export const MOMENT_CAP = 1e300;
const cap = (x: number) => (Number.isNaN(x) ? MOMENT_CAP : Math.min(x, MOMENT_CAP));

const cache = new Map<string, Moments>();
const CACHE_LIMIT = 50_000;

/**
 * The moments of an activation at pre-activation variance q. `units` is the layer's width,
 * needed by softmax and log_softmax only (they are not elementwise). Undefined for an unknown
 * activation, and for softmax without a width.
 */
export function activationMoments(act: ActivationInfo, q: number, units?: number): Moments | undefined {
  if (!(q >= 0)) return undefined;
  q = Math.min(q, MOMENT_CAP);
  if (act.family === 'unknown') return undefined;
  if (isPiecewiseLinear(act)) {
    if (act.name === 'linear') return { forward: q, backward: 1 };
    const a = leakySlope(act);
    const k = (1 + a * a) / 2;
    return { forward: k * q, backward: k };
  }
  if (act.name === 'exponential') {
    // E[e^{2z}] = e^{2q}, for phi and phi' alike.
    const e = cap(Math.exp(2 * q));
    return { forward: e, backward: e };
  }
  if (act.name === 'softmax' || act.name === 'log_softmax') {
    if (units === undefined || !(units >= 1)) return undefined;
    return act.name === 'softmax' ? softmaxMoments(q, units) : logSoftmaxMoments(q, units);
  }
  const fn = activationFunction(act);
  if (!fn) return undefined;
  const key = `${act.name}:${q}`;
  let m = cache.get(key);
  if (!m) {
    m = quadratureMoments(fn, q);
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(key, m);
  }
  return m;
}

function quadratureMoments(fn: ActivationFunction, q: number): Moments {
  return {
    forward: cap(gaussianExpectation((z) => fn.phi(z) ** 2, q, fn.kinks)),
    backward: cap(gaussianExpectation((z) => fn.dphi(z) ** 2, q, fn.kinks)),
  };
}

/**
 * Softmax over `n` logits i.i.d. N(0, q): E[p_i^2] and, for the backward moment, E[(p_i (1 - p_i))^2]
 * (the Jacobian's diagonal). The other n - 1 terms of the denominator are replaced by their
 * mean (n - 1) e^{q/2}, which is exact as n grows while their relative spread
 * sqrt((e^q - 1) / (n - 1)) is small; below 64 logits, or where that spread exceeds 0.1 (q above
 * about log(n) - 4.6: then a few logits dominate the sum, and its mean overstates it by orders of
 * magnitude), the expectation is taken over seeded draws instead (`sampledSoftmax`).
 */
function softmaxMoments(q: number, n: number): Moments {
  if (n === 1) return { forward: 1, backward: 0 };
  if (!annealed(q, n)) return sampledSoftmax(q, n).softmax;
  const rest = (n - 1) * Math.exp(Math.min(q, 700) / 2);
  const p = (z: number) => 1 / (1 + rest * Math.exp(-z));
  return {
    forward: gaussianExpectation((z) => p(z) ** 2, q),
    backward: gaussianExpectation((z) => (p(z) * (1 - p(z))) ** 2, q),
  };
}

/** Whether the sum over n - 1 logits is close to its mean: n >= 64 and a relative spread below 0.1. */
function annealed(q: number, n: number): boolean {
  return n >= 64 && Math.expm1(Math.min(q, 700)) / (n - 1) <= 0.01;
}

/**
 * Softmax and log_softmax moments over seeded draws of n logits i.i.d. N(0, q), every logit of
 * each draw counted: 2^18 logits in all (at least 64 draws, at most 4,096), cached per (q, n).
 */
function sampledSoftmax(q: number, n: number): { softmax: Moments; logSoftmax: Moments } {
  const key = `softmax:${q}:${n}`;
  const hit = sampledCache.get(key);
  if (hit) return hit;
  const draws = Math.min(4096, Math.max(64, Math.ceil(2 ** 18 / n)));
  let f = 0;
  let b = 0;
  let lf = 0;
  let lb = 0;
  softmaxDraws(q, n, draws, (z, p, lse) => {
    for (let i = 0; i < n; i++) {
      f += p[i] * p[i];
      b += (p[i] * (1 - p[i])) ** 2;
      lf += (z[i] - lse) ** 2;
      lb += (1 - p[i]) ** 2;
    }
  });
  const total = draws * n;
  const m = {
    softmax: { forward: f / total, backward: b / total },
    logSoftmax: { forward: cap(lf / total), backward: lb / total },
  };
  if (sampledCache.size >= CACHE_LIMIT) sampledCache.clear();
  sampledCache.set(key, m);
  return m;
}
const sampledCache = new Map<string, { softmax: Moments; logSoftmax: Moments }>();

/**
 * log_softmax(z)_i = z_i - logsumexp(z): about z_i - (log n + q/2) for many logits, where the sum
 * is close to its mean (see softmaxMoments; otherwise sampled: for large q, logsumexp is near the
 * largest logit, sqrt(2 q log n), far below log n + q/2). Its Jacobian is close to the identity.
 */
function logSoftmaxMoments(q: number, n: number): Moments {
  if (!annealed(q, n)) return sampledSoftmax(q, n).logSoftmax;
  const c = Math.log(n) + Math.min(q, MOMENT_CAP) / 2;
  return { forward: cap(q + c * c), backward: 1 };
}

/**
 * `draws` seeded draws of n logits i.i.d. N(0, q) (the same on every run): for each, the logits z,
 * their softmax p and logsumexp, computed stably. Shared by the moments here and the simulator's
 * prediction of the output layer's gradient (webview/sim/predict.ts).
 */
export function softmaxDraws(q: number, n: number, draws: number, visit: (z: Float64Array, p: Float64Array, lse: number) => void): void {
  const rand = normals(0x5eed);
  const s = Math.sqrt(Math.min(Math.max(q, 0), MOMENT_CAP));
  const z = new Float64Array(n);
  const p = new Float64Array(n);
  for (let k = 0; k < draws; k++) {
    let max = -Infinity;
    for (let i = 0; i < n; i++) {
      z[i] = s * rand();
      if (z[i] > max) max = z[i];
    }
    let sum = 0;
    for (let i = 0; i < n; i++) sum += Math.exp(z[i] - max);
    const lse = max + Math.log(sum);
    for (let i = 0; i < n; i++) p[i] = Math.exp(z[i] - lse);
    visit(z, p, lse);
  }
}

/** A seeded standard-normal generator (mulberry32 + Box-Muller): the same numbers on every run. */
function normals(seed: number): () => number {
  let a = seed >>> 0;
  const uniform = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) {
      const x = spare;
      spare = undefined;
      return x;
    }
    const u = Math.max(uniform(), 1e-300);
    const v = uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
}
