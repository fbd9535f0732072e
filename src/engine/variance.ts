/**
 * Analytic variance propagation. For a layer with n = fan_in inputs of variance v, the
 * pre-activation variance is n Var(w) v, and the activation keeps a fraction m of it; so each
 * layer multiplies the signal variance by g = fan_in x Var(w) x m, and a chain by the product.
 */
import type { ActivationInfo } from './activations';
import type { Layer, Recommendation } from './ir';
import { kernelVariance } from './initializers';

/** The recommended initializer for an activation family (rules.md, "Activation families"). */
export function recommendationFor(act: ActivationInfo): Recommendation {
  switch (act.family) {
    case 'relu': case 'smooth': return 'he_normal';
    case 'selu': return 'lecun_normal';
    case 'saturating': case 'linear': return 'glorot_uniform';
  }
}

export const RECOMMENDATION_LABEL: Record<Recommendation, string> = {
  he_normal: 'He normal',
  glorot_uniform: 'Glorot uniform',
  lecun_normal: 'LeCun normal',
};

/** Var_rec: the recommended initializer's variance for this layer (leaky ReLU: 2/((1+alpha^2) fan_in)). */
export function recommendedVariance(act: ActivationInfo, fanIn?: number, fanOut?: number): number | undefined {
  const rec = recommendationFor(act);
  if (fanIn === undefined) return undefined;
  if (rec === 'he_normal') {
    const a = act.alpha ?? 0;
    return 2 / ((1 + a * a) * fanIn);
  }
  if (rec === 'lecun_normal') return 1 / fanIn;
  if (fanOut === undefined) return undefined;
  return 2 / (fanIn + fanOut);
}

export function layerVariance(layer: Pick<Layer, 'init' | 'fanIn' | 'fanOut' | 'receptiveField'>): number | undefined {
  return kernelVariance(layer.init.spec, layer.fanIn, layer.fanOut, layer.receptiveField);
}

/** g = fan_in x Var(w) x m; undefined when fan_in or Var(w) is unknown. */
export function layerGain(layer: Pick<Layer, 'init' | 'fanIn' | 'fanOut' | 'receptiveField' | 'activation'>): number | undefined {
  const v = layerVariance(layer);
  if (v === undefined || layer.fanIn === undefined) return undefined;
  return layer.fanIn * v * layer.activation.info.m;
}

/** s = Var(w) / Var_rec. */
export function scaleRatio(layer: Pick<Layer, 'init' | 'fanIn' | 'fanOut' | 'receptiveField' | 'activation'>): number | undefined {
  const v = layerVariance(layer);
  const rec = recommendedVariance(layer.activation.info, layer.fanIn, layer.fanOut);
  if (v === undefined || rec === undefined || rec === 0) return undefined;
  return v / rec;
}

/** Numbers as messages print them: 3 significant digits, exponent form for the very small or large. */
export function fmt(x: number): string {
  if (x === 0) return '0';
  const ax = Math.abs(x);
  if (ax >= 1e-3 && ax < 1e5) return Number(x.toPrecision(3)).toString();
  const [m, e] = x.toExponential(2).split('e');
  return `${Number(m)}e${Number(e)}`;
}
