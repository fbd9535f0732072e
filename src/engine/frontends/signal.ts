/**
 * What every front end tracks as it follows a model forward: the signal (a tensor) with its
 * shape, the weighted layer whose output it still is (open until an activation closes it),
 * and whether a normalization stood in between. One set of rules, shared by the Python and
 * TF.js interpreters, decides each layer's activation and normalization flags.
 */
import type { Flow, Framework, Layer, LayerActivation, MergeOp, Model, Span } from '../ir';
import type { Dim } from '../shapes';
import { activationInfo } from '../activations';

export interface ModelBuilder {
  name?: string;
  /** Name to fall back on: the enclosing function or class. */
  scopeName: string;
  span: Span;
  layers: Layer[];
  /** What the model returns, where the front end follows it (a normalization at the output counts for the layers before it). */
  outputs?: Flow[];
}

export interface Pending {
  layer: Layer;
  normed: boolean;
}

export interface TensorState {
  shape?: Dim[];
  /** The weighted layer whose output this is, while no activation has been applied to it. */
  open?: Pending;
  /** A normalization was applied since the last weighted layer. */
  normSeen: boolean;
  model: ModelBuilder;
  /** Where the tensor comes from (v2 data flow); absent: a model input. */
  flow?: Flow;
}

/**
 * The models a file defines, in the order they were found: builders that received no layer are
 * dropped, and a name used twice gets `#2`, `#3` so each model can be told apart (and picked
 * in the simulator).
 */
export function finishModels(builders: readonly ModelBuilder[], framework: Framework): Model[] {
  const models: Model[] = [];
  const seen = new Map<string, number>();
  for (const b of builders) {
    if (b.layers.length === 0) continue;
    let name = b.name ?? b.scopeName;
    const n = (seen.get(name) ?? 0) + 1;
    seen.set(name, n);
    if (n > 1) name = `${name}#${n}`;
    models.push(
      b.outputs?.length ? { name, framework, span: b.span, layers: b.layers, outputs: b.outputs } : { name, framework, span: b.span, layers: b.layers },
    );
  }
  return models;
}

/** x * gate(x) for the gates whose product has a name in the catalogue. */
const GATED: Record<string, string> = { sigmoid: 'silu', hard_sigmoid: 'hard_swish' };

/** Layers per file beyond which a model stops growing (pathological loops). */
export const MAX_LAYERS = 20000;

/**
 * The open layer meets an operation that is not an activation: it stays linear. If a
 * normalization was already applied to this same raw output elsewhere (a pre-norm block's input
 * projection feeding both the LayerNorm and the skip), the raw output also reaches this
 * operation unnormalized: the layer is not normalized (its scale matters on this path).
 */
export function close(st: TensorState): void {
  if (st.open?.normed && !st.normSeen) {
    st.open.normed = false;
    st.open.layer.normalized = false;
  }
  st.open = undefined;
}

/**
 * An operation the analysis does not model (a reshape it cannot follow, an unknown call): the
 * open layer stays linear, a normalization before it no longer counts, and only the shape, if
 * known, carries on.
 */
export function opaque(st: TensorState, shape?: Dim[]): TensorState {
  close(st);
  const flow: Flow = { kind: 'opaque', from: st.flow };
  return shape ? { model: st.model, normSeen: false, shape, flow } : { model: st.model, normSeen: false, flow };
}

/**
 * An activation applied to the signal: it becomes the open layer's activation. Applied to a
 * tensor no single layer produced (a sum, an input), its effect on the scale is not modelled:
 * the flow becomes opaque there.
 */
export function activate(st: TensorState, act: LayerActivation): TensorState {
  if (st.open) {
    st.open.layer.activation = act;
    st.open.layer.normalized = st.open.normed;
    return { ...st, open: undefined };
  }
  if (act.info.name === 'linear') return st;
  return {
    ...st,
    open: undefined,
    flow: act.info.family === 'unknown' ? { kind: 'opaque', from: st.flow } : { kind: 'activation', info: act.info, from: st.flow ?? { kind: 'input' } },
  };
}

/** An activation layer whose activation may be unknown (then the open layer stays linear). */
export function activateOrClose(st: TensorState, act: LayerActivation | undefined): TensorState {
  if (act) return activate(st, act);
  close(st);
  return { ...st, open: undefined, flow: { kind: 'opaque', from: st.flow } };
}

/**
 * A normalization: the open layer is normalized (its numbers take q = 1, propagation.ts), and
 * what follows starts a new segment.
 */
export function normalize(st: TensorState): TensorState {
  if (st.open) {
    st.open.normed = true;
    st.open.layer.normalized = true;
  }
  return { ...st, normSeen: true, flow: { kind: 'norm', from: st.flow ?? { kind: 'input' } } };
}

/**
 * Tensors combined (a sum, a product, a concatenation): one flow node over their flows. A
 * single tensor (`x * 2`, `x + 1`) keeps its own flow.
 */
export function mergeFlows(states: readonly TensorState[], op: MergeOp): Flow | undefined {
  if (states.length === 1) return states[0].flow;
  // `x * sigmoid(x)` (swish written out, as in EfficientNet code): the sigmoid was taken as the
  // layer's activation when it was applied; multiplied back into the layer's own output it is silu.
  const [a, b] = states;
  if (op === 'multiply' && states.length === 2 && a.flow?.kind === 'layer' && a.flow === b.flow) {
    const layer = a.flow.layer;
    const gated = GATED[layer.activation.info.name];
    if (gated) {
      layer.activation = { ...layer.activation, info: activationInfo(gated) };
      return a.flow;
    }
  }
  const widths = states.map((s) => {
    const last = s.shape?.[s.shape.length - 1];
    return typeof last === 'number' ? last : undefined;
  });
  return { kind: 'merge', op, from: states.map((s) => s.flow ?? { kind: 'input' }), widths };
}

/**
 * A weighted layer receives the signal: it enters the signal's model (unless the file already
 * holds MAX_LAYERS) and stays open for the activation that follows, unless it has its own.
 */
export function enterLayer(layer: Layer, st: TensorState, counter: { layers: number }, ownActivation = false): TensorState {
  close(st);
  layer.normalizedBefore = st.normSeen;
  // A layer object applied again (a recurrence, a shared layer) keeps its first input: one node.
  layer.input ??= st.flow ?? { kind: 'input' };
  if (counter.layers < MAX_LAYERS) {
    st.model.layers.push(layer);
    counter.layers++;
  }
  return { model: st.model, normSeen: false, open: ownActivation ? undefined : { layer, normed: false }, flow: { kind: 'layer', layer } };
}
