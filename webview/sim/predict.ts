/**
 * The analytic prediction the panel draws (dashed) over the Monte Carlo measurement: the
 * engine's gain g = fan_in x Var(w) x m per layer (src/engine/variance.ts), compounded from a
 * unit-variance input.
 *
 * What it predicts is the activation's second moment E[a^2] (m = E[f(x)^2] / Var(x) is a
 * second-moment factor), which equals the variance for zero-mean activations (linear, tanh,
 * ...). For ReLU-like activations compare it with actVar + actMean^2 of the measurement.
 */
import { lookupActivation } from '../../src/engine/activations';
import type { SimConfig, SimLayerSpec } from './types';

/**
 * The Var(w) the prediction uses for a layer, i.e. the mean square of the kernel's entries as
 * simulate() draws them:
 *  - the spec's variance when it has one (constant kernels: 0, as the engine's g has it, so
 *    the prediction falls to 0; a constant kernel's problem is symmetry, not scale);
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

/** m of the layer's activation; unknown names are linear (m = 1), as simulate() runs them. */
export function activationM(layer: SimLayerSpec): number {
  return lookupActivation(layer.activation.name, layer.activation.alpha)?.m ?? 1;
}

/**
 * Predicted E[a^2] after each layer for a unit-variance input: q_l = q_{l-1} x fan_in x Var(w) x m,
 * q_0 = 1; a normalized layer ('batch' or 'layer') resets the pre-activation variance to 1,
 * so q_l = m there, and a standardised input resets q_{l-1} to 1.
 */
export function predictedVariances(config: SimConfig): number[] {
  const out: number[] = [];
  let q = 1;
  for (const layer of config.layers) {
    const m = activationM(layer);
    if (layer.normalizeInput) q = 1;
    q = layer.normalize === 'none' ? q * layer.fanIn * effectiveVariance(layer) * m : m;
    out.push(q);
  }
  return out;
}
