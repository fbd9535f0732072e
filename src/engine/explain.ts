/**
 * The numbers behind a layer, for hovers, tree tooltips and the simulator: its initializer and
 * exact Var(w), its activation and gain, what the gain compounds to along its chain, and the
 * recommended initializer. Pure data; the adapters format it.
 */
import type { Layer, Model, Span } from './ir';
import type { Finding } from './linter';
import { varianceFormula } from './initializers';
import { fmt, layerGain, layerVariance, recommendationFor, recommendedVariance, RECOMMENDATION_LABEL, scaleRatio } from './variance';

export interface LayerExplanation {
  initializer: string;
  distribution: string;
  varianceFormula: string;
  variance?: number;
  fanIn?: number;
  fanOut?: number;
  activation: string;
  family: string;
  m: number;
  gain?: number;
  /** Product of the gains from the model's first layer (or the last normalization) to this one. */
  compounded?: number;
  depthInChain: number;
  recommended: string;
  recommendedVariance?: number;
  scaleRatio?: number;
  normalized: boolean;
}

export function explainLayer(model: Model, layer: Layer): LayerExplanation {
  let compounded: number | undefined = 1;
  let depth = 0;
  for (const l of model.layers) {
    if (l.normalizedBefore || l.normalized) {
      compounded = 1;
      depth = 0;
    }
    const g = layerGain(l);
    compounded = compounded === undefined || g === undefined ? undefined : compounded * g;
    depth++;
    if (l === layer) break;
  }
  const act = layer.activation.info;
  const rec = recommendationFor(act);
  return {
    initializer: layer.init.spec.describe + (layer.init.explicit ? '' : ' (framework default)'),
    distribution: layer.init.spec.distribution.replace('_', ' '),
    varianceFormula: varianceFormula(layer.init.spec),
    variance: layerVariance(layer),
    fanIn: layer.fanIn,
    fanOut: layer.fanOut,
    activation: act.name + (act.alpha !== undefined ? ` (slope ${fmt(act.alpha)})` : ''),
    family: act.family,
    m: act.m,
    gain: layerGain(layer),
    compounded: layer.normalized ? undefined : compounded,
    depthInChain: depth,
    recommended: RECOMMENDATION_LABEL[rec],
    recommendedVariance: recommendedVariance(act, layer.fanIn, layer.fanOut),
    scaleRatio: scaleRatio(layer),
    normalized: layer.normalized,
  };
}

/** A small markdown table of the explanation, as hovers show it. */
export function explanationMarkdown(layer: Layer, e: LayerExplanation): string {
  const num = (x?: number) => (x === undefined ? 'unknown' : fmt(x));
  const rows: Array<[string, string]> = [
    ['initializer', e.initializer],
    ['Var(w)', e.variance === undefined ? `${e.varianceFormula} (fan unknown)` : `${e.varianceFormula} = ${num(e.variance)}`],
    ['fan_in → fan_out', `${num(e.fanIn)} → ${num(e.fanOut)}`],
    ['activation', `${e.activation} (${e.family}, m = ${fmt(e.m)})`],
    ['gain g = fan_in·Var(w)·m', num(e.gain)],
  ];
  if (e.normalized) rows.push(['normalized', 'yes: a normalization resets the variance after this layer']);
  else if (e.compounded !== undefined && e.depthInChain > 1) rows.push([`compounded over ${e.depthInChain} layers`, num(e.compounded)]);
  rows.push(['recommended', e.recommendedVariance === undefined ? e.recommended : `${e.recommended}, Var = ${num(e.recommendedVariance)}`]);
  if (e.scaleRatio !== undefined) rows.push(['Var(w) / recommended', num(e.scaleRatio)]);
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  return [`**${esc(layer.label)}**`, '', '| | |', '|---|---|', ...rows.map(([k, v]) => `| ${esc(k)} | ${esc(v)} |`)].join('\n');
}


/** The findings that stand on a layer: on its constructor call or on its initializer. */
export function findingsOfLayer(findings: readonly Finding[], model: Model, layer: Layer): Finding[] {
  const within = (f: Finding, s?: Span) => !!s && f.start >= s.start && f.end <= s.end;
  return findings.filter((f) => f.model === model.name && (within(f, layer.span) || within(f, layer.init.span)));
}
