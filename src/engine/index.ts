/** The engine's public surface: what dist/engine.js exports. */
export { createLinter, languageOf } from './linter';
export type { Analysis, Finding, FindingEdit, Linter, LinterOptions, LintOptions, Position } from './linter';
export { applyEdits } from './edits';
export { RULES, ruleMeta } from './rules';
export type { RuleCode, RuleMeta, Severity } from './rules';
export { DEFAULT_SETTINGS, parseSettings } from './settings';
export type { Settings } from './settings';
export { catalogue, kernelVariance, resolveInitializer } from './initializers';
export { lookupActivation } from './activations';
export { layerGain, scaleRatio } from './variance';
export type { Model, Layer } from './ir';
export { ruleDocUrl, RULES_DOC_URL } from './docs';
export { explainLayer, explanationMarkdown } from './explain';
export type { LayerExplanation } from './explain';
export { readNotebook } from './notebook';
export { fromWire, toWire } from './wire';
