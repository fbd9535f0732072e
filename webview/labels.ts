/**
 * The one name of each initializer choice, wherever the panel shows it: the dropdowns, the
 * legends, the histograms' key, the table's Run and Initializer columns, the Apply buttons and
 * the CSV. The four a fix can write are named as the extension's messages name them
 * (RECOMMENDATION_LABEL: "Applied He normal to 2 layers").
 */
import { APPLICABLE_CHOICES, INIT_CHOICES, type InitChoice, type SimLayer } from '../src/protocol';
import { RECOMMENDATION_LABEL } from '../src/engine/variance';
import type { InputKind } from './sim/types';

export const CHOICE_LABELS: Readonly<Record<InitChoice, string>> = {
  current: 'Current (the code)',
  recommended: 'Recommended for each activation',
  zeros: 'Zeros',
  constant: 'Constant(0.5)',
  small_normal: 'Small normal N(0, 0.01²)',
  large_normal: 'Large normal N(0, 1)',
  glorot_uniform: RECOMMENDATION_LABEL.glorot_uniform,
  glorot_normal: 'Glorot normal',
  he_normal: RECOMMENDATION_LABEL.he_normal,
  he_uniform: RECOMMENDATION_LABEL.he_uniform,
  he_fan_avg: 'VarianceScaling(2, fan_avg)',
  lecun_normal: RECOMMENDATION_LABEL.lecun_normal,
  orthogonal: 'Orthogonal',
  lsuv: 'LSUV (orthogonal, rescaled on the inputs)',
  pretrained: 'Greedy layerwise pretraining (autoencoders)',
};

/** The run of the per-layer choices (some layers set in their rows): named for what it is. */
export const PER_LAYER_RUN = 'Per-layer choices';

export const CHOICE_OPTIONS = INIT_CHOICES.map((value) => ({ value, label: CHOICE_LABELS[value] }));

export function isInitChoice(x: unknown): x is InitChoice {
  return typeof x === 'string' && (INIT_CHOICES as readonly string[]).includes(x);
}

/** The initializer that "Apply to code" would write for this layer, if any ('recommended' resolves per layer). */
export function applicableChoice(choice: InitChoice, layer: SimLayer): InitChoice | undefined {
  const resolved = choice === 'recommended' ? layer.recommended : choice;
  return APPLICABLE_CHOICES.includes(resolved) ? resolved : undefined;
}

/** The input dropdown: the two distributions, and the user's file once one is loaded. */
export function inputOptions(fileName?: string): Array<{ value: InputKind; label: string }> {
  return [
    { value: 'normal', label: 'normal N(0, 1)' },
    { value: 'uniform', label: 'uniform U(−√3, √3)' },
    ...(fileName ? [{ value: 'data' as const, label: `file: ${fileName}` }] : []),
  ];
}
