/**
 * What the rules recommend and compare against (rules.md v2, "Activation families"), and how
 * numbers are printed. The propagation itself lives in `propagation.ts`.
 */
import { leakySlope, type ActivationInfo } from './activations';
import type { Framework, Layer, Recommendation } from './ir';
import { kernelVariance } from './initializers';
import { layerNumbers } from './propagation';
import { MOMENT_CAP } from './moments';

/**
 * The recommended initializer for an activation in a framework. He normal where truncation is
 * corrected (Keras, Flax) or absent (PyTorch), He uniform in TF.js: its truncated normals are
 * not corrected and keep only 0.774 of the variance, so `heNormal` under ReLU is g_f = 0.77.
 */
export function recommendationFor(act: ActivationInfo, framework?: Framework): Recommendation {
  switch (act.family) {
    case 'relu':
    case 'smooth':
      return framework === 'tfjs' ? 'he_uniform' : 'he_normal';
    case 'selu':
      return 'lecun_normal';
    default:
      return 'glorot_uniform';
  }
}

export const RECOMMENDATION_LABEL: Record<Recommendation, string> = {
  he_normal: 'He normal',
  he_uniform: 'He uniform',
  glorot_uniform: 'Glorot uniform',
  lecun_normal: 'LeCun normal',
};

/** The critical sigma^2 = fan_in Var(w) of an activation family (leaky ReLU: 2 / (1 + a^2)). */
export function criticalScale(act: ActivationInfo): number | undefined {
  switch (act.family) {
    case 'relu':
      return 2 / (1 + leakySlope(act) ** 2);
    case 'smooth':
      return 2;
    case 'unknown':
      return undefined;
    default:
      return 1;
  }
}

/** Var_crit = critical sigma^2 / fan_in: what the scale ratio of IL004/IL005 compares with. */
export function criticalVariance(act: ActivationInfo, fanIn?: number): number | undefined {
  const c = criticalScale(act);
  return c === undefined || fanIn === undefined || fanIn <= 0 ? undefined : c / fanIn;
}

/** The recommended initializer's own variance for this layer (Glorot: over fan_avg), for hovers. */
export function recommendedVariance(act: ActivationInfo, fanIn?: number, fanOut?: number): number | undefined {
  if (fanIn === undefined || fanIn <= 0) return undefined;
  switch (recommendationFor(act)) {
    case 'he_normal':
    case 'he_uniform':
      return criticalVariance(act, fanIn);
    case 'lecun_normal':
      return 1 / fanIn;
    case 'glorot_uniform':
      return fanOut === undefined ? undefined : 2 / (fanIn + fanOut);
  }
}

export function layerVariance(layer: Pick<Layer, 'init' | 'fanIn' | 'fanOut' | 'receptiveField'>): number | undefined {
  return kernelVariance(layer.init.spec, layer.fanIn, layer.fanOut, layer.receptiveField);
}

/** The forward gain g_f of a layer on a unit input (mu = 1): the propagation engine's number. */
export function layerGain(
  layer: Pick<Layer, 'init' | 'fanIn' | 'fanOut' | 'receptiveField' | 'activation' | 'biasVariance' | 'normalized'>,
): number | undefined {
  return layerNumbers({ ...layer, normalized: false }, 1).gain;
}

/** s = Var(w) / Var_crit (rules.md v2: over fan_in). */
export function scaleRatio(layer: Pick<Layer, 'init' | 'fanIn' | 'fanOut' | 'receptiveField' | 'activation'>): number | undefined {
  const v = layerVariance(layer);
  const crit = criticalVariance(layer.activation.info, layer.fanIn);
  if (v === undefined || crit === undefined) return undefined;
  return v / crit;
}

/**
 * Numbers as messages print them: 3 significant digits, exponent form for the very small or
 * large; never Infinity or NaN (an overflow prints as "> 1e300").
 */
export function fmt(x: number): string {
  if (Number.isNaN(x)) return 'unknown';
  if (x === 0) return '0';
  if (Math.abs(x) >= MOMENT_CAP) return x > 0 ? '> 1e300' : '< -1e300';
  const ax = Math.abs(x);
  if (ax >= 1e-3 && ax < 1e5) return Number(x.toPrecision(3)).toString();
  const [m, e] = x.toExponential(2).split('e');
  return `${Number(m)}e${Number(e)}`;
}

/** A per-layer or compounded factor: two decimals where that is readable (0.50, 1.11), else as fmt. */
export function fmtFactor(x: number): string {
  if (Number.isFinite(x) && x >= 0.01 && x < 100) return x.toFixed(2);
  return fmt(x);
}

/**
 * A factor compounded over many layers: a product of positive factors that underflows double
 * precision (0.5 over 10,000 layers) is not 0 but "< 1e-300".
 */
export function fmtProduct(x: number): string {
  return x === 0 ? '< 1e-300' : fmtFactor(x);
}
