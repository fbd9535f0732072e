/**
 * The numbers behind a layer, for hovers, tree tooltips and the CLI's JSON: its initializer
 * and exact Var(w), q, the forward gain and chi at its operating point, what they compound to
 * over its segment, and the recommended initializer. All of it read from the propagation
 * engine; pure data, the adapters format it.
 */
import type { Layer, Model, Span } from './ir';
import type { FindingSummary } from './linter';
import { varianceFormula } from './initializers';
import { propagationOf } from './propagation';
import { criticalScale, fmt, recommendationFor, recommendedVariance, RECOMMENDATION_LABEL, scaleRatio } from './variance';

export interface LayerExplanation {
  initializer: string;
  distribution: string;
  varianceFormula: string;
  variance?: number;
  fanIn?: number;
  fanOut?: number;
  activation: string;
  family: string;
  /** sigma^2 = fan_in Var(w), and the family's critical value. */
  sigma2?: number;
  criticalSigma2?: number;
  /** E[x^2] of the layer's input; `muAssumed` when it could not be followed and 1 was assumed. */
  muIn: number;
  muAssumed: boolean;
  /** Pre-activation variance. */
  q?: number;
  /** Forward gain g_f = E[phi(z)^2] / E[x^2]. */
  gain?: number;
  /** chi = sigma^2 E[phi'(z)^2]: the gradient's factor per layer. */
  chi?: number;
  /** The layer's segment (between normalizations) along the data flow, and its compounded factors. */
  segmentDepth: number;
  segmentForward?: number;
  segmentBackward?: number;
  recommended: string;
  recommendedVariance?: number;
  /** Var(w) / Var_crit, Var_crit = critical sigma^2 / fan_in. */
  scaleRatio?: number;
  /** A normalization stands between the layer and its activation. */
  normalized: boolean;
  /** Why the layer is not judged, when it is not (unknown activation, fan_in 0, unknown fans). */
  unjudged?: string;
}

export function explainLayer(model: Model, layer: Layer): LayerExplanation {
  const prop = propagationOf(model);
  const n = prop.numbers.get(layer) ?? { muIn: 1, muAssumed: true, biasVariance: 0, layer };
  const act = layer.activation.info;
  const effect = prop.segmentEffect(layer);
  const depth = effect?.depth ?? prop.segmentPath(layer).length;
  return {
    initializer: layer.init.spec.describe + (layer.init.explicit ? '' : ' (framework default)'),
    distribution: layer.init.spec.distribution.replace('_', ' '),
    varianceFormula: varianceFormula(layer.init.spec),
    variance: n.variance,
    fanIn: layer.fanIn,
    fanOut: layer.fanOut,
    activation: act.name + (act.alpha !== undefined ? ` (slope ${fmt(act.alpha)})` : ''),
    family: act.family,
    sigma2: n.sigma2,
    criticalSigma2: criticalScale(act),
    muIn: n.muIn,
    muAssumed: n.muAssumed,
    q: n.q,
    gain: n.gain,
    chi: n.chi,
    segmentDepth: depth,
    segmentForward: effect?.forward,
    segmentBackward: effect?.backward,
    recommended: RECOMMENDATION_LABEL[recommendationFor(act, model.framework)],
    recommendedVariance: recommendedVariance(act, layer.fanIn, layer.fanOut),
    scaleRatio: scaleRatio(layer),
    normalized: layer.normalized,
    unjudged: n.unjudged,
  };
}

/** A small markdown table of the explanation, as hovers show it. */
export function explanationMarkdown(layer: Layer, e: LayerExplanation): string {
  const num = (x?: number) => (x === undefined ? 'unknown' : fmt(x));
  const rows: Array<[string, string]> = [
    ['initializer', e.initializer],
    ['Var(w)', e.variance === undefined ? `${e.varianceFormula} (fan unknown)` : `${e.varianceFormula} = ${num(e.variance)}`],
    ['fan_in → fan_out', `${num(e.fanIn)} → ${num(e.fanOut)}`],
    ['activation', `${e.activation} (${e.family})`],
  ];
  if (e.unjudged) rows.push(['not judged', e.unjudged]);
  rows.push(['σ² = fan_in·Var(w)', e.criticalSigma2 === undefined ? num(e.sigma2) : `${num(e.sigma2)} (critical ${num(e.criticalSigma2)})`]);
  rows.push(['input E[x²]', `${num(e.muIn)}${e.muAssumed ? ' (assumed)' : ''}`]);
  if (e.q !== undefined) rows.push(['q = σ²·E[x²] + Var(b)', num(e.q)]);
  rows.push(['forward gain g_f', num(e.gain)]);
  rows.push(['gradient factor χ = σ²·E[φ′(z)²]', num(e.chi)]);
  if (e.normalized) rows.push(['normalized', 'yes: a normalization resets the variance after this layer']);
  if (e.segmentDepth > 1) {
    rows.push([
      `over its ${e.segmentDepth}-layer segment`,
      e.segmentForward === undefined ? 'unknown' : `forward ×${num(e.segmentForward)}, backward ×${num(e.segmentBackward)}`,
    ]);
  }
  rows.push(['recommended', e.recommendedVariance === undefined ? e.recommended : `${e.recommended}, Var = ${num(e.recommendedVariance)}`]);
  if (e.scaleRatio !== undefined) rows.push(['Var(w) / critical', num(e.scaleRatio)]);
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  return [`**${esc(layer.label)}**`, '', '| | |', '|---|---|', ...rows.map(([k, v]) => `| ${esc(k)} | ${esc(v)} |`)].join('\n');
}

/** The findings that stand on a layer: on its constructor call or on its initializer. */
export function findingsOfLayer<F extends FindingSummary>(findings: readonly F[], model: Model, layer: Layer): F[] {
  const within = (f: F, s?: Span) => !!s && f.start >= s.start && f.end <= s.end;
  return findings.filter((f) => f.model === model.name && (within(f, layer.span) || within(f, layer.init.span)));
}

/** The layer a position is on: the innermost span wins (the initializer inside its layer call). */
export function layerAt(models: readonly Model[], offset: number): { model: Model; layer: Layer } | undefined {
  const on = (s: Span | undefined) => !!s && s.start <= offset && offset <= s.end;
  for (const model of models) {
    const layer = model.layers.filter((l) => on(l.span) || on(l.init.span)).sort((a, b) => a.span.end - a.span.start - (b.span.end - b.span.start))[0];
    if (layer) return { model, layer };
  }
  return undefined;
}

/**
 * A layer as written: its constructor call. A layer built in a loop, or by a helper called
 * several times, is one layer written (and one edit) however many times the model lists it.
 * The panel, the simulator's Apply, the status item and the lens all count and match layers by it.
 */
export function layerKey(layer: Pick<Layer, 'span'>): string {
  return `${layer.span.start}:${layer.span.end}`;
}

/** How many layers a model's code writes (its layers by `layerKey`). */
export function writtenLayers(model: Pick<Model, 'layers'>): number {
  return new Set(model.layers.map(layerKey)).size;
}

/** A model's one-line verdict, over its definition: "initlint: 5 layers · 2 problems". */
export function modelSummary(model: Model, findings: readonly FindingSummary[]): string {
  const layers = writtenLayers(model);
  const problems = findings.filter((f) => f.model === model.name).length;
  return `initlint: ${layers} layer${layers === 1 ? '' : 's'} · ${problems === 0 ? 'no problems' : `${problems} problem${problems === 1 ? '' : 's'}`}`;
}
