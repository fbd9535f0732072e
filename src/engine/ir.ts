/**
 * The model IR every front end produces and every rule reads. Offsets are UTF-16 code units
 * into the linted text (what tree-sitter's web binding and the editor both count).
 */
import type { InitSpec } from './initializers';
import type { ActivationInfo } from './activations';

export type Framework = 'keras' | 'tfjs' | 'pytorch' | 'flax';

export interface Span {
  start: number;
  end: number;
}

export interface TextEdit extends Span {
  newText: string;
}

export interface Fix {
  title: string;
  edits: TextEdit[];
}

/** The three initializers a quick fix can write. */
export type Recommendation = 'he_normal' | 'glorot_uniform' | 'lecun_normal';

export interface KernelInit {
  spec: InitSpec;
  /** False when the layer relies on the framework default. */
  explicit: boolean;
  /** Where the initializer is written; absent for a framework default. */
  span?: Span;
  /** Written once for several layers (an `apply` function, a loop): the diagnostic then stands on the layer. */
  shared: boolean;
}

export interface LayerActivation {
  info: ActivationInfo;
  /** Where the activation is written: the `activation=` value or the next operation. */
  span?: Span;
}

export type LayerKind = 'dense' | 'conv' | 'conv_transpose';

export interface Layer {
  kind: LayerKind;
  /** Short label as users write it, e.g. `Dense(64)`. */
  label: string;
  /** The constructor call. */
  span: Span;
  fanIn?: number;
  fanOut?: number;
  /** Product of the kernel's spatial size (1 for dense layers). */
  receptiveField: number;
  init: KernelInit;
  activation: LayerActivation;
  /** A normalization stands between the layer and its activation (or right after a linear layer). */
  normalized: boolean;
  /** A normalization stands between the previous weighted layer and this one: variance is reset. */
  normalizedBefore: boolean;
  /** Builds the quick fix that writes the given initializer in the file's own style; undefined when no safe edit exists. */
  rewrite(to: Recommendation): Fix | undefined;
}

export interface Model {
  name: string;
  framework: Framework;
  span: Span;
  /** Weighted layers in forward order; a layer built in a loop appears once per iteration. */
  layers: Layer[];
}

export interface FrontEndResult {
  models: Model[];
  /** Problems with the input itself (syntax errors), reported but not fatal. */
  errors: string[];
}
