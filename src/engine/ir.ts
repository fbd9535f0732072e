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

/** The initializers a quick fix can write (He uniform: TF.js, whose He normal is not truncation-corrected). */
export type Recommendation = 'he_normal' | 'he_uniform' | 'glorot_uniform' | 'lecun_normal';

/** Every Recommendation, in the order fixes and the simulator list them. */
export const RECOMMENDATIONS: readonly Recommendation[] = ['he_normal', 'he_uniform', 'glorot_uniform', 'lecun_normal'];

/**
 * An orthogonal kernel scaled by a gain: what LSUV (Mishkin & Matas 2016) arrives at for one
 * layer, written as Keras `Orthogonal(gain=g)`, PyTorch `orthogonal_(w, gain=g)`, TF.js
 * `orthogonal({gain: g})` or Flax `orthogonal(scale=g)`. `gain` is the literal as written
 * (`gainLiteral`); a fix only places it, so one fix built around `GAIN_SLOT` serves every gain
 * (wire.ts sends it that way).
 */
export interface ScaledOrthogonal {
  readonly kind: 'orthogonal';
  readonly gain: string;
}

/** What a quick fix can write into a layer. */
export type InitTarget = Recommendation | ScaledOrthogonal;

/** The gain as a literal every framework's source reads: four significant digits, a decimal point, no NaN. */
export function gainLiteral(gain: number): string {
  if (!(gain > 0) || !Number.isFinite(gain)) throw new RangeError(`a gain must be a positive number, not ${gain}`);
  const text = String(Number(gain.toPrecision(4)));
  return /[.e]/.test(text) ? text : `${text}.0`;
}

/** A placeholder gain: the fix built with it is a template whose every `GAIN_SLOT` is replaced by the gain (`withGain`). */
export const GAIN_SLOT = '\u2060gain\u2060';

/** The fix for one gain, from the template built with `GAIN_SLOT`. */
export function withGain(template: Fix, gain: string): Fix {
  const put = (text: string) => text.split(GAIN_SLOT).join(gain);
  return { title: put(template.title), edits: template.edits.map((e) => ({ ...e, newText: put(e.newText) })) };
}

export interface KernelInit {
  spec: InitSpec;
  /** False when the layer relies on the framework default. */
  explicit: boolean;
  /** Where the initializer is written; absent for a framework default. */
  span?: Span;
  /** Written once for several layers (an `apply` function, a loop): the diagnostic then stands on the layer. */
  shared: boolean;
  /** With `shared`: how many layers that one call initializes. */
  sharedBy?: number;
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
  /**
   * Where the layer's input comes from (v2 data flow). Front ends that do not record it yet are
   * read as a chain in source order (`graph.ts`).
   */
  input?: Flow;
  /** Var(b) where the bias is random (PyTorch's default U(+-1/sqrt(fan_in))); absent: a zero bias. */
  biasVariance?: number;
  /** Builds the quick fix that writes the given initializer in the file's own style; undefined when no safe edit exists. */
  rewrite(to: InitTarget): Fix | undefined;
}

/** How tensors combine (rules.md v2, "Data-flow graph"). */
export type MergeOp = 'add' | 'multiply' | 'concat' | 'other';

/**
 * Where a tensor comes from, back to the weighted layers that produced it. Pooling, reshape,
 * flatten and dropout keep the flow they receive (they keep E[x^2]).
 */
export type Flow =
  | { kind: 'input' }
  /** The output of a weighted layer, after its activation. */
  | { kind: 'layer'; layer: Layer }
  /** A normalization: E[x^2] = 1 after it. */
  | { kind: 'norm'; from: Flow }
  /** `widths`: each input's last dimension where known (a concatenation averages by width). */
  | { kind: 'merge'; op: MergeOp; from: Flow[]; widths?: Array<number | undefined> }
  /** An activation applied to a tensor no single layer produced (`relu(out + x)`). */
  | { kind: 'activation'; info: ActivationInfo; from: Flow }
  /** An operation not modelled: the signal's scale is unknown after it. */
  | { kind: 'opaque'; from?: Flow };

export interface Model {
  name: string;
  framework: Framework;
  span: Span;
  /** Weighted layers in forward order; a layer built in a loop appears once per iteration. */
  layers: Layer[];
  /** The model's outputs, where the front end records data flow. */
  outputs?: Flow[];
}

export interface FrontEndResult {
  models: Model[];
  /** Problems with the input itself (syntax errors), reported but not fatal. */
  errors: string[];
}

/** A layer's fix for `to`; a rewrite that throws (our bug) offers none, and costs that layer only. */
export function tryRewrite(layer: Layer, to: InitTarget): Fix | undefined {
  try {
    return layer.rewrite(to);
  } catch {
    return undefined;
  }
}
