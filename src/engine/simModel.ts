/**
 * The simulator's view of a model: each layer's kernel as a distribution with its exact
 * variance for this layer's fans, its activation, normalization and bias, and the propagation
 * engine's gain at the layer's operating point. Pure data, posted to the webview (which
 * predicts the per-layer curves itself, from the same engine: webview/sim/predict.ts).
 */
import { activationInfo } from './activations';
import { GAIN_SLOT, RECOMMENDATIONS, tryRewrite, type Fix, type InitTarget, type Layer, type Model, type Recommendation } from './ir';
import type { FindingSummary } from './linter';
import type { ApplyOption, KernelSpec, SimLayer, SimModel } from '../protocol';
import { kernelVariance, resolveInitializer } from './initializers';
import { RECOMMENDATION_LABEL, recommendationFor } from './variance';
import { layerNumbers, propagationOf, type LayerNumbers } from './propagation';
import { findingsOfLayer, layerKey } from './explain';

/** Input width assumed when the first layer's fan_in is unknown (editable in the panel). */
export const DEFAULT_INPUT_WIDTH = 256;
/** Units assumed when a layer's width is unknown. */
const DEFAULT_UNITS = 64;

function kernelOf(layer: Layer, fanIn: number): KernelSpec {
  const spec = layer.init.spec;
  const units = layer.fanOut !== undefined ? layer.fanOut : DEFAULT_UNITS * layer.receptiveField;
  return {
    label: spec.describe,
    distribution: spec.distribution,
    variance: kernelVariance(spec, fanIn, units, layer.receptiveField),
    constant: spec.constant,
  };
}

/**
 * `previous`: the layer before it in the model, if any. A normalization after that layer's
 * activation standardises this layer's input; one before that activation is the previous
 * layer's own `normalized` and is not applied twice. `numbers`: the layer's numbers from the
 * propagation engine along its model (default: the layer alone on a unit input).
 */
export function toSimLayer(
  layer: Layer,
  findings: readonly FindingSummary[],
  fanInFallback: number,
  previous?: Layer,
  numbers?: Pick<LayerNumbers, 'gain'>,
  sameCode = 1,
): SimLayer {
  const fanIn = layer.fanIn ?? fanInFallback;
  const act = layer.activation.info;
  return {
    label: layer.label,
    kind: layer.kind,
    fanIn: layer.fanIn,
    fanOut: layer.fanOut,
    units: layer.fanOut !== undefined ? Math.max(1, Math.round(layer.fanOut / layer.receptiveField)) : undefined,
    receptiveField: layer.receptiveField,
    kernel: kernelOf(layer, fanIn),
    activation: act.alpha !== undefined ? { name: act.name, family: act.family, alpha: act.alpha } : { name: act.name, family: act.family },
    normalized: layer.normalized,
    normalizedInput: layer.normalizedBefore && !(previous?.normalized ?? false),
    predictedGain: (numbers ?? layerNumbers(layer, 1)).gain,
    ...(layer.biasVariance ? { biasVariance: layer.biasVariance } : {}),
    recommended: recommendationFor(act, layer.init.spec.framework),
    findings: findings.map((f) => ({ code: f.code, severity: f.severity, message: f.message })),
    apply: applyOptions(layer, sameCode),
  };
}

/**
 * What writing each initializer into a layer would do: nothing where the layer already draws
 * its weights that way (the same variance and distribution, however it is spelled, a framework
 * default included: no explicit default is written); else the layer's own fix, or why none
 * exists. `orthogonal`: an orthogonal kernel with a gain of LSUV's choosing, which no layer
 * "already uses" (the gain comes from a run), and which a call building `sameCode` layers of the
 * model (a loop, a helper called twice: `sameLayerCounts`) cannot take, one gain for several.
 */
export function applyOptions(layer: Layer, sameCode = 1): NonNullable<SimLayer['apply']> {
  const out: NonNullable<SimLayer['apply']> = {};
  for (const choice of RECOMMENDATIONS) out[choice] = applyOption(layer, choice).option;
  out.orthogonal = applyOption(layer, { kind: 'orthogonal', gain: GAIN_SLOT }, sameCode).option;
  return out;
}

/** What writing one initializer into a layer would do (`applyOptions`), and the fix that does it. */
export function applyOption(layer: Layer, to: InitTarget, sameCode = 1): { option: ApplyOption; fix?: Fix } {
  if (typeof to === 'string' && drawsAs(layer, to))
    return {
      option: { edit: false, already: true, reason: `already uses ${RECOMMENDATION_LABEL[to]}${layer.init.explicit ? '' : ' (the framework default)'}` },
    };
  if (typeof to !== 'string' && sameCode > 1)
    return {
      option: {
        edit: false,
        reason: `no safe edit: ${sameCode} of the model's layers come from this one piece of code (a loop, a helper called twice, a layer used twice), and LSUV measures a gain for each`,
      },
    };
  const fix = tryRewrite(layer, to);
  if (fix) return { option: { edit: true }, fix };
  const reason = layer.init.shared
    ? 'no safe edit: its initializer is set by a call that also initializes other layers'
    : typeof to === 'string'
      ? 'no safe edit: initlint cannot rewrite how this layer is initialized'
      : "no safe edit: initlint cannot write an orthogonal kernel with a gain here (it needs the framework's initializers importable, and a layer of its own)";
  return { option: { edit: false, reason } };
}

/**
 * How many of the model's layers each layer's code builds (by `layerKey`): a loop or a helper
 * called twice builds several; a layer called twice (shared weights) counts twice too.
 */
export function sameLayerCounts(model: Pick<Model, 'layers'>): Map<Layer, number> {
  const byKey = new Map<string, number>();
  for (const l of model.layers) byKey.set(layerKey(l), (byKey.get(layerKey(l)) ?? 0) + 1);
  return new Map(model.layers.map((l) => [l, byKey.get(layerKey(l)) ?? 1]));
}

/** The layer's initializer draws like `choice` (Keras's catalogue entry of that name): the same variance (to 1e-9) and distribution family. */
function drawsAs(layer: Layer, choice: Recommendation): boolean {
  const { fanIn, fanOut, receptiveField } = layer;
  const want = resolveInitializer('keras', choice);
  const variance = kernelVariance(layer.init.spec, fanIn, fanOut, receptiveField);
  const target = want && kernelVariance(want, fanIn, fanOut, receptiveField);
  if (variance === undefined || target === undefined) return false;
  const family = (d: string) => (d === 'truncated_normal' ? 'normal' : d);
  return family(layer.init.spec.distribution) === family(want!.distribution) && Math.abs(variance - target) <= 1e-9 * target;
}

export function toSimModel(model: Model, findings: readonly FindingSummary[], file: string): SimModel {
  const layers: SimLayer[] = [];
  let width = model.layers[0]?.fanIn ?? DEFAULT_INPUT_WIDTH;
  const numbers = propagationOf(model).numbers;
  const same = sameLayerCounts(model);
  model.layers.forEach((layer, i) => {
    const sim = toSimLayer(layer, findingsOfLayer(findings, model, layer), width, model.layers[i - 1], numbers.get(layer), same.get(layer));
    layers.push(sim);
    width = sim.units ?? DEFAULT_UNITS;
  });
  return { name: model.name, framework: model.framework, file, layers, defaultInputWidth: model.layers[0]?.fanIn ?? DEFAULT_INPUT_WIDTH, preset: false };
}

/** The seed tutorial's experiment: input 100, five hidden tanh layers of 50 drawn from N(0, 0.01^2). */
export function presetModel(): SimModel {
  const spec = resolveInitializer('keras', 'RandomNormal', { stddev: 0.01 })!;
  const tanh = activationInfo('tanh');
  let mu = 1; // a unit-variance input
  const layers: SimLayer[] = Array.from({ length: 5 }, (_, i) => {
    const fanIn = i === 0 ? 100 : 50;
    const n = layerNumbers(
      { init: { spec, explicit: true, shared: false }, fanIn, fanOut: 50, receptiveField: 1, activation: { info: tanh }, normalized: false },
      mu,
    );
    mu = n.muOut ?? mu;
    return {
      label: `Dense(50) #${i + 1}`,
      kind: 'dense' as const,
      fanIn,
      fanOut: 50,
      units: 50,
      receptiveField: 1,
      kernel: { label: 'RandomNormal(stddev=0.01)', distribution: 'normal' as const, variance: 1e-4 },
      activation: { name: 'tanh', family: 'tanh' as const },
      normalized: false,
      predictedGain: n.gain,
      recommended: 'glorot_uniform' as const,
      findings: [],
    };
  });
  return { name: 'preset: 5 × 50 tanh, N(0, 0.01²)', framework: 'keras', file: '', layers, defaultInputWidth: 100, preset: true };
}
