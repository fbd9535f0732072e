/**
 * The panel's initializer choices (src/protocol.ts INIT_CHOICES) as kernel specs with the exact
 * Var(w) for a layer's fans, taken from the engine's catalogue with Keras' numbers (Keras
 * corrects its variance-scaling truncated normals, so He normal is exactly 2 / fan_in).
 */
import type { Recommendation } from '../../src/engine/ir';
import type { InitChoice, KernelSpec } from '../../src/protocol';
import { kernelVariance, resolveInitializer, type InitArgs } from '../../src/engine/initializers';
import { LINEAR, lookupActivation } from '../../src/engine/activations';
import { recommendationFor } from '../../src/engine/variance';
import { CHOICE_LABELS } from '../labels';

/** Each choice (but `current` and `recommended`) as a Keras initializer and its arguments. */
export const CHOICE_INITIALIZERS: Record<Exclude<InitChoice, 'current' | 'recommended'>, { name: string; args?: InitArgs; label: string }> = {
  zeros: { name: 'Zeros', label: CHOICE_LABELS.zeros },
  constant: { name: 'Constant', args: { value: 0.5 }, label: CHOICE_LABELS.constant },
  small_normal: { name: 'RandomNormal', args: { stddev: 0.01 }, label: CHOICE_LABELS.small_normal },
  large_normal: { name: 'RandomNormal', args: { stddev: 1 }, label: CHOICE_LABELS.large_normal },
  glorot_uniform: { name: 'GlorotUniform', label: CHOICE_LABELS.glorot_uniform },
  glorot_normal: { name: 'GlorotNormal', label: CHOICE_LABELS.glorot_normal },
  he_normal: { name: 'HeNormal', label: CHOICE_LABELS.he_normal },
  he_uniform: { name: 'HeUniform', label: CHOICE_LABELS.he_uniform },
  he_fan_avg: { name: 'VarianceScaling', args: { scale: 2, mode: 'fan_avg' }, label: CHOICE_LABELS.he_fan_avg },
  lecun_normal: { name: 'LecunNormal', label: CHOICE_LABELS.lecun_normal },
  orthogonal: { name: 'Orthogonal', label: CHOICE_LABELS.orthogonal },
  // Data-driven: this is where it starts; lsuv() in simulate.ts rescales it on the run's inputs.
  lsuv: { name: 'Orthogonal', label: CHOICE_LABELS.orthogonal },
  // Learned: each layer starts here, then pretrain() in simulate.ts trains it as an autoencoder.
  pretrained: { name: 'GlorotUniform', label: CHOICE_LABELS.glorot_uniform },
};

export type ActivationArg = string | { name: string; alpha?: number };

/** The concrete choice `recommended` stands for: He normal for ReLU-like and smooth, LeCun normal for SELU, Glorot uniform otherwise. */
export function recommendedChoice(activation: ActivationArg): Recommendation {
  const { name, alpha } = typeof activation === 'string' ? { name: activation, alpha: undefined } : activation;
  return recommendationFor(lookupActivation(name, alpha) ?? LINEAR);
}

/**
 * The kernel a choice draws for a layer with these fans. `current` returns the layer's own
 * kernel unchanged. `receptiveField` (conv layers: fan_out = units x receptive field) only
 * matters for `orthogonal`, whose variance is 1 / max(fan_in, units), as kernelVariance has it.
 */
export function kernelFor(choice: InitChoice, fanIn: number, fanOut: number, current: KernelSpec, activation: ActivationArg, receptiveField = 1): KernelSpec {
  if (choice === 'current') return current;
  const concrete = choice === 'recommended' ? recommendedChoice(activation) : choice;
  const entry = CHOICE_INITIALIZERS[concrete];
  const spec = resolveInitializer('keras', entry.name, entry.args);
  if (!spec) throw new Error(`initializer ${entry.name} is not in the catalogue`);
  const variance = kernelVariance(spec, fanIn, fanOut, receptiveField);
  const label = choice === 'recommended' ? `Recommended: ${entry.label}` : entry.label;
  const kernel: KernelSpec = { label, distribution: spec.distribution, variance };
  if (spec.distribution === 'constant') kernel.constant = spec.constant ?? 0;
  return kernel;
}
