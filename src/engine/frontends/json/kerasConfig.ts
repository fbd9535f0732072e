/** Keras JSON model configs (model.to_json(), a .keras archive's config.json, TF.js model.json). */
import type { FrontEndResult } from '../../ir';

/** Undefined when the JSON is not a Keras or TF.js model config: such files are not judged. */
export function analyzeKerasConfig(text: string): FrontEndResult | undefined {
  void text;
  return undefined;
}
