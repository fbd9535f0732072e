/**
 * The seven rules of rules.md, evaluated on the IR. Each finding carries the numbers behind
 * it in one sentence, its range per "Where a diagnostic stands", and its fix as data.
 */
import type { Fix, Layer, Model, Span } from './ir';
import { varianceFormula } from './initializers';
import {
  fmt, layerGain, layerVariance, recommendationFor, recommendedVariance, RECOMMENDATION_LABEL, scaleRatio,
} from './variance';

export type RuleCode = 'IL001' | 'IL002' | 'IL003' | 'IL004' | 'IL005' | 'IL006' | 'IL007';
export type Severity = 'error' | 'warning' | 'info';

export interface RuleMeta {
  code: RuleCode;
  name: string;
  severity: Severity;
  summary: string;
}

export const RULES: readonly RuleMeta[] = [
  { code: 'IL001', name: 'glorot-with-relu', severity: 'warning', summary: 'Glorot/Xavier kernel under a ReLU-family activation halves the signal variance at every layer.' },
  { code: 'IL002', name: 'he-with-saturating', severity: 'warning', summary: 'He/Kaiming kernel under a saturating activation (tanh, sigmoid) doubles the variance and drives units into saturation.' },
  { code: 'IL003', name: 'constant-kernel', severity: 'error', summary: 'A constant (e.g. zero) kernel makes every unit of the layer identical, and they stay identical under training.' },
  { code: 'IL004', name: 'vanishing-scale', severity: 'warning', summary: 'A fixed-scale random kernel far below the recommended variance makes activations and gradients vanish.' },
  { code: 'IL005', name: 'exploding-scale', severity: 'warning', summary: 'A fixed-scale random kernel far above the recommended variance makes activations explode or saturate.' },
  { code: 'IL006', name: 'selu-needs-lecun', severity: 'warning', summary: 'SELU self-normalizes only with LeCun normal kernels.' },
  { code: 'IL007', name: 'depth-compounding', severity: 'info', summary: 'Four or more unnormalized layers whose per-layer gains compound beyond [1e-3, 1e3].' },
];

export const RULE_CODES: readonly RuleCode[] = RULES.map((r) => r.code);

export function ruleMeta(code: RuleCode): RuleMeta {
  return RULES.find((r) => r.code === code)!;
}

export interface RelatedInfo {
  span: Span;
  message: string;
}

/** A finding with offsets; the linter adds line/column and the file. */
export interface RawFinding {
  code: RuleCode;
  severity: Severity;
  message: string;
  span: Span;
  model: string;
  layer: string;
  fix?: Fix;
  related: RelatedInfo[];
}

export interface RuleOptions {
  normalizationAware: boolean;
}

/** Bounds of IL004/IL005 on s = Var(w) / Var_rec, and of IL007 on the compounded gain. */
export const VANISHING_RATIO = 0.1;
export const EXPLODING_RATIO = 10;
export const CHAIN_MIN_DEPTH = 4;
export const CHAIN_BOUNDS: readonly [number, number] = [1e-3, 1e3];

function initSpanOf(layer: Layer): Span {
  return layer.init.explicit && !layer.init.shared && layer.init.span ? layer.init.span : layer.span;
}

function fans(layer: Layer): string {
  if (layer.fanIn === undefined) return 'fan_in unknown';
  return layer.fanOut === undefined ? `fan_in ${layer.fanIn}` : `fan_in ${layer.fanIn}, fan_out ${layer.fanOut}`;
}

function varText(layer: Layer): string {
  const v = layerVariance(layer);
  if (layer.init.spec.fixedVariance !== undefined || v === undefined) return `Var(w) = ${v === undefined ? varianceFormula(layer.init.spec) : fmt(v)}`;
  return `Var(w) = ${varianceFormula(layer.init.spec)} = ${fmt(v)}`;
}

function recText(layer: Layer): string {
  const rec = recommendationFor(layer.activation.info);
  const v = recommendedVariance(layer.activation.info, layer.fanIn, layer.fanOut);
  return v === undefined ? RECOMMENDATION_LABEL[rec] : `${RECOMMENDATION_LABEL[rec]} (Var = ${fmt(v)})`;
}

function activationRelated(layer: Layer): RelatedInfo[] {
  const span = layer.activation.span;
  return span ? [{ span, message: `activation ${layer.activation.info.name} applied here` }] : [];
}

function judgeLayer(layer: Layer, isLast: boolean, opts: RuleOptions): Array<Omit<RawFinding, 'model' | 'severity'>> {
  const out: Array<Omit<RawFinding, 'model' | 'severity'>> = [];
  const spec = layer.init.spec;
  const act = layer.activation.info;
  const exempt = opts.normalizationAware && layer.normalized;
  const g = layerGain(layer);
  const gainText = g === undefined ? '' : `, gain g = ${fmt(g)} per layer`;
  const add = (code: RuleCode, message: string, span: Span, fix: boolean) => {
    out.push({
      code, message, span, layer: layer.label, related: activationRelated(layer),
      fix: fix ? layer.rewrite(recommendationFor(act)) : undefined,
    });
  };

  if (spec.family === 'constant' && !isLast) {
    add('IL003', `${layer.label} has a constant kernel (${spec.describe}): every unit computes the same output and gets the same update, so they never differ; use ${recText(layer)}.`, initSpanOf(layer), true);
  }
  if (!exempt && spec.family === 'glorot' && act.family === 'relu') {
    const keeps = g === undefined
      ? `: ${act.name} zeroes half of its input and this kernel does not make up for it`
      : `, so the layer keeps g = ${fmt(g)} of the signal variance (${act.name} zeroes half of its input)`;
    add('IL001', `${spec.describe} with ${act.name}: ${varText(layer)} for ${fans(layer)}${keeps}; use ${recText(layer)}, which keeps 1.`, initSpanOf(layer), true);
  }
  if (!exempt && spec.family === 'he' && act.family === 'saturating') {
    add('IL002', `${spec.describe} with ${act.name}: ${varText(layer)} for ${fans(layer)}${gainText}, which pushes ${act.name} into saturation; use ${recText(layer)}.`, initSpanOf(layer), true);
  }
  if (!exempt && layer.init.explicit && spec.fixedScale) {
    const s = scaleRatio(layer);
    if (s !== undefined && s < VANISHING_RATIO) {
      add('IL004', `${spec.describe} gives ${varText(layer)}, ${fmt(s)} x the ${recText(layer)} for ${fans(layer)}${gainText}: activations and gradients vanish with depth; use ${RECOMMENDATION_LABEL[recommendationFor(act)]}.`, initSpanOf(layer), true);
    } else if (s !== undefined && s > EXPLODING_RATIO) {
      const what = act.family === 'saturating' ? `${act.name} saturates` : 'activations explode with depth';
      add('IL005', `${spec.describe} gives ${varText(layer)}, ${fmt(s)} x the ${recText(layer)} for ${fans(layer)}${gainText}: ${what}; use ${RECOMMENDATION_LABEL[recommendationFor(act)]}.`, initSpanOf(layer), true);
    }
  }
  if (act.family === 'selu' && !(spec.family === 'lecun' && (spec.distribution === 'normal' || spec.distribution === 'truncated_normal'))) {
    add('IL006', `selu self-normalizes only with LeCun normal (Var = 1/fan_in${layer.fanIn ? ` = ${fmt(1 / layer.fanIn)}` : ''}); this kernel is ${spec.describe} with ${varText(layer)}.`, initSpanOf(layer), true);
  }
  return out;
}

/**
 * IL007: within each maximal run of consecutive unnormalized layers with known gains, the
 * stretch of at least CHAIN_MIN_DEPTH layers whose compounded gain is most extreme. A healthy
 * output layer at the end of a vanishing stack must not hide it, so every stretch counts.
 */
function judgeChains(model: Model, opts: RuleOptions): Array<Omit<RawFinding, 'model' | 'severity'>> {
  const out: Array<Omit<RawFinding, 'model' | 'severity'>> = [];
  let run: Array<{ layer: Layer; g: number }> = [];
  const flush = () => {
    const worst = mostExtremeStretch(run.slice(0, MAX_CHAIN).map((r) => r.g));
    if (worst) {
      const { from, to, product } = worst;
      const first = run[from].layer;
      const depth = to - from;
      const mean = Math.pow(product, 1 / depth);
      const direction = product < 1 ? 'shrinks' : 'grows';
      out.push({
        code: 'IL007', span: first.span, layer: first.label, related: [],
        message: `${depth} consecutive unnormalized layers from ${first.label}: the activation variance ${direction} by a factor of ${fmt(product)} (g = ${fmt(mean)} per layer with ${first.init.spec.describe} and ${first.activation.info.name}).`,
      });
    }
    run = [];
  };
  for (const layer of model.layers) {
    const skip = opts.normalizationAware && layer.normalized;
    if (layer.normalizedBefore && opts.normalizationAware) flush();
    const g = layerGain(layer);
    if (skip || g === undefined || !(g > 0)) {
      flush();
      continue;
    }
    run.push({ layer, g });
  }
  flush();
  return out;
}

/** Longest run examined: quadratic in its length, and real models are far shorter. */
const MAX_CHAIN = 1000;

/** The stretch [from, to) of at least CHAIN_MIN_DEPTH gains whose product lies furthest outside CHAIN_BOUNDS. */
export function mostExtremeStretch(gains: number[]): { from: number; to: number; product: number } | undefined {
  const prefix = [0];
  for (const g of gains) prefix.push(prefix[prefix.length - 1] + Math.log(g));
  const lo = Math.log(CHAIN_BOUNDS[0]);
  const hi = Math.log(CHAIN_BOUNDS[1]);
  let best: { from: number; to: number; excess: number; log: number } | undefined;
  for (let to = CHAIN_MIN_DEPTH; to <= gains.length; to++) {
    for (let from = 0; from <= to - CHAIN_MIN_DEPTH; from++) {
      const log = prefix[to] - prefix[from];
      const excess = log < lo ? lo - log : log > hi ? log - hi : 0;
      // Ties keep the first stretch found: the shortest one ending earliest.
      if (excess > 0 && (!best || excess > best.excess + 1e-12)) best = { from, to, excess, log };
    }
  }
  return best && { from: best.from, to: best.to, product: Math.exp(best.log) };
}

/** All findings of one model, at the rules' default severities, without duplicates from loop iterations. */
export function judgeModel(model: Model, opts: RuleOptions): RawFinding[] {
  const raw: Array<Omit<RawFinding, 'model' | 'severity'>> = [];
  const lastLayer = model.layers[model.layers.length - 1];
  for (const layer of model.layers) {
    // A layer unrolled from a loop shares its constructor span; the last weighted layer of
    // the model is the one the output comes from.
    const isLast = layer.span.start === lastLayer.span.start && layer.span.end === lastLayer.span.end;
    raw.push(...judgeLayer(layer, isLast, opts));
  }
  raw.push(...judgeChains(model, opts));
  const seen = new Set<string>();
  const out: RawFinding[] = [];
  for (const f of raw) {
    const key = `${f.code}:${f.span.start}:${f.span.end}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ ...f, model: model.name, severity: ruleMeta(f.code).severity });
  }
  return out;
}
