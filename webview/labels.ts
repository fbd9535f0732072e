/** Readable names of the initializer choices, for dropdowns, tooltips and exports. */
import { APPLICABLE_CHOICES, INIT_CHOICES, type InitChoice, type SimLayer } from '../src/protocol';

export const CHOICE_LABELS: Readonly<Record<InitChoice, string>> = {
  current: 'Current (as in the code)',
  recommended: 'Recommended for each activation',
  zeros: 'Zeros',
  constant: 'Constant (all weights equal)',
  small_normal: 'Small normal N(0, 0.01²)',
  large_normal: 'Large normal N(0, 1)',
  glorot_uniform: 'Glorot (Xavier) uniform',
  glorot_normal: 'Glorot (Xavier) normal',
  he_normal: 'He (Kaiming) normal',
  he_uniform: 'He (Kaiming) uniform',
  he_fan_avg: 'He, fan_avg',
  lecun_normal: 'LeCun normal',
  orthogonal: 'Orthogonal',
};

export const CHOICE_OPTIONS = INIT_CHOICES.map((value) => ({ value, label: CHOICE_LABELS[value] }));

export function isInitChoice(x: unknown): x is InitChoice {
  return typeof x === 'string' && (INIT_CHOICES as readonly string[]).includes(x);
}

/** The initializer that "Apply to code" would write for this layer, if any ('recommended' resolves per layer). */
export function applicableChoice(choice: InitChoice, layer: SimLayer): InitChoice | undefined {
  const resolved = choice === 'recommended' ? layer.recommended : choice;
  return APPLICABLE_CHOICES.includes(resolved) ? resolved : undefined;
}
