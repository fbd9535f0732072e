/**
 * The propagation engine (rules.md v2, "The numbers behind every verdict"): mean-field signal
 * propagation along a model's data-flow graph. Per weighted layer with input second moment
 * mu = E[x^2]:
 *
 *   q     = fan_in Var(w) mu + Var(b)          pre-activation variance
 *   mu'   = E[phi(z)^2], z ~ N(0, q)            what the layer hands forward
 *   g_f   = mu' / mu                            forward gain
 *   sigma^2 = fan_in Var(w)                     the layer's own scale
 *   chi   = sigma^2 E[phi'(z)^2]                mean-field chi_1: the factor on the gradient
 *
 * Merges: add sums the second moments, multiply multiplies them, concatenate averages them; a
 * normalization resets mu to 1; an operation we do not model is assumed to hand on mu = 1
 * (and ends the segment). The rules, the hover, the panel, `--format json` and the simulator's
 * dashed line read these numbers and no other copy of the math.
 */
import type { ActivationInfo } from './activations';
import type { Flow, Layer, Model } from './ir';
import { kernelVariance, type InitSpec } from './initializers';
import { activationMoments, MOMENT_CAP, type Moments } from './moments';
import { afterInputs, continuesSegment, modelGraph, type Edge, type ModelGraph } from './graph';

export interface LayerNumbers {
  layer: Layer;
  /** Var(w) for this layer; undefined when a fan it depends on, or the initializer, is unknown. */
  variance?: number;
  /** sigma^2 = fan_in Var(w). Known without fan_in where Var(w) scales as 1/fan_in. */
  sigma2?: number;
  biasVariance: number;
  /** E[x^2] of the layer's input. */
  muIn: number;
  /** muIn was not known (an unmodelled operation, a layer with unknown numbers before it): 1 was assumed. */
  muAssumed: boolean;
  q?: number;
  moments?: Moments;
  /** E[phi(z)^2]. */
  muOut?: number;
  /** g_f = muOut / muIn. */
  gain?: number;
  /** chi = sigma^2 E[phi'(z)^2]. */
  chi?: number;
  /**
   * The factors this layer contributes when a path's effect is compounded. A softmax or
   * log_softmax output contributes its logits' gain (q / mu and sigma^2): what the loss sees.
   */
  forwardFactor?: number;
  backwardFactor?: number;
  /** Why the layer has no numbers to judge, when it has none. */
  unjudged?: string;
}

/** The compounded factors over a layer's segment path, and that path's length. */
export interface SegmentEffect {
  forward: number;
  backward: number;
  depth: number;
}

export interface Propagation {
  graph: ModelGraph;
  numbers: Map<Layer, LayerNumbers>;
  /** The longest path inside the layer's segment that passes through it (the layer alone when nothing continues it). */
  segmentPath(layer: Layer): Layer[];
  /** The compounded effect over segmentPath(layer), in O(1) per layer after one pass over the graph. */
  segmentEffect(layer: Layer): SegmentEffect | undefined;
  /** Maximal paths inside segments, each at most once (capped at MAX_PATHS). */
  paths(): Layer[][];
}

/** Paths enumerated per model at most: real models have far fewer; a pathological DAG must not hang the lint. */
export const MAX_PATHS = 2000;

/** sigma^2 = fan_in Var(w), also where fan_in is unknown but Var(w) is scale / fan_in. */
export function layerScale(spec: InitSpec, fanIn: number | undefined, fanOut: number | undefined, receptiveField: number): number | undefined {
  if (fanIn !== undefined) {
    const v = kernelVariance(spec, fanIn, fanOut, receptiveField);
    return v === undefined ? undefined : fanIn * v;
  }
  // A constant kernel is 0 whatever the fans.
  if (spec.distribution === 'constant') return 0;
  if (spec.mode === 'fan_in' && spec.scale !== undefined && spec.fixedVariance === undefined && spec.distribution !== 'orthogonal') {
    return spec.scale * spec.truncation;
  }
  return undefined;
}

/**
 * The numbers of one layer at input second moment mu (the simulator's dashed line uses this
 * too, layer by layer).
 */
export function layerNumbers(
  layer: Pick<Layer, 'init' | 'fanIn' | 'fanOut' | 'receptiveField' | 'activation' | 'biasVariance' | 'normalized'> & Partial<Pick<Layer, 'label'>>,
  muIn: number,
  units?: number,
): Omit<LayerNumbers, 'layer' | 'muAssumed'> {
  const act = layer.activation.info;
  const variance = layer.fanIn === 0 ? undefined : kernelVariance(layer.init.spec, layer.fanIn, layer.fanOut, layer.receptiveField);
  const sigma2 = layer.fanIn === 0 ? undefined : layerScale(layer.init.spec, layer.fanIn, layer.fanOut, layer.receptiveField);
  const biasVariance = layer.biasVariance ?? 0;
  const base = { variance, sigma2, biasVariance, muIn };
  if (layer.fanIn === 0) return { ...base, unjudged: 'its input has no elements (fan_in 0)' };
  if (act.family === 'unknown') return { ...base, unjudged: `unknown activation "${act.name}"` };
  if (layer.init.spec.family === 'unknown') return { ...base, unjudged: `the variance its initializer (${layer.init.spec.name}) draws is not known here` };
  if (sigma2 === undefined) return { ...base, unjudged: 'Var(w) depends on a fan that is unknown here' };
  // A normalization between the layer and its activation standardises z: q = 1.
  const q = layer.normalized ? 1 : finite(sigma2 * muIn + biasVariance);
  const moments = activationMoments(act, q, units ?? layer.fanOut);
  const out = { ...base, q };
  if (!moments) return { ...out, unjudged: `${act.name} needs the layer's width` };
  const muOut = moments.forward;
  const gain = muIn > 0 ? finite(muOut / muIn) : undefined;
  const chi = finite(sigma2 * moments.backward);
  const output = act.name === 'softmax' || act.name === 'log_softmax';
  return {
    ...out,
    moments,
    muOut,
    gain,
    chi,
    forwardFactor: output ? (muIn > 0 ? finite(q / muIn) : undefined) : gain,
    backwardFactor: output ? sigma2 : chi,
  };
}

/**
 * chi at the fixed point of q (q <- sigma^2 E[phi(z)^2] + Var(b)), where a deep stack settles:
 * the number that decides order (chi < 1) or chaos (chi > 1) for tanh (Schoenholz et al. 2017).
 * Undefined where q has no finite fixed point (it grows without bound) within 200 steps.
 */
export function fixedPointChi(act: ActivationInfo, sigma2: number, biasVariance = 0): { q: number; chi: number } | undefined {
  // Up to 200 quadratures, each at a new q: cached, since IL002 asks on every lint of the file.
  const key = `${act.name}:${act.alpha ?? ''}:${sigma2}:${biasVariance}`;
  if (fixedPoints.has(key)) return fixedPoints.get(key);
  const r = iterateFixedPoint(act, sigma2, biasVariance);
  if (fixedPoints.size >= 10_000) fixedPoints.clear();
  fixedPoints.set(key, r);
  return r;
}
const fixedPoints = new Map<string, { q: number; chi: number } | undefined>();

function iterateFixedPoint(act: ActivationInfo, sigma2: number, biasVariance: number): { q: number; chi: number } | undefined {
  let q = 1;
  for (let i = 0; i < 200; i++) {
    const m = activationMoments(act, q);
    if (!m) return undefined;
    const next = sigma2 * m.forward + biasVariance;
    if (!(next < MOMENT_CAP)) return undefined;
    if (Math.abs(next - q) <= 1e-9 * Math.max(q, 1e-12)) {
      q = next;
      break;
    }
    q = next;
  }
  const m = activationMoments(act, q);
  return m && { q, chi: finite(sigma2 * m.backward) };
}

function finite(x: number): number {
  return Number.isNaN(x) ? MOMENT_CAP : Math.min(Math.max(x, 0), MOMENT_CAP);
}

const computed = new WeakMap<Model, Propagation>();

/** The propagation of a model, computed once: the rules, the hover and the panel share it. */
export function propagationOf(model: Model): Propagation {
  let p = computed.get(model);
  if (!p) {
    p = propagate(model);
    computed.set(model, p);
  }
  return p;
}

export function propagate(model: Model): Propagation {
  const graph = modelGraph(model);
  const numbers = new Map<Layer, LayerNumbers>();
  const index = new Map(graph.layers.map((l, i) => [l, i]));
  for (const layer of graph.layers) {
    const { mu, assumed } = flowMoment(graph.input.get(layer)!, numbers);
    const n: LayerNumbers = { layer, muAssumed: assumed, ...layerNumbers(layer, mu) };
    if (mu === 0 && n.forwardFactor === undefined && !n.unjudged) {
      // Nothing reaches the layer (a zero layer before it): its gain on nothing is undefined, so
      // a path through it compounds the factor it has on a unit input instead.
      n.forwardFactor = layerNumbers(layer, 1).forwardFactor;
    }
    numbers.set(layer, n);
  }

  // In-segment edges that go forward: the DAG the paths run on (a reused layer makes no cycle).
  // Paths break at constant kernels (rules.md v2: IL003 judges those layers, and a zero layer
  // would make every product through it 0).
  const constant = (l: Layer) => l.init.spec.family === 'constant';
  const forward = (e: Edge) => continuesSegment(e) && index.get(e.from)! < index.get(e.to)! && !constant(e.from) && !constant(e.to);
  const preds = (l: Layer) =>
    graph.producers
      .get(l)!
      .filter(forward)
      .map((e) => e.from);
  const succs = (l: Layer) =>
    graph.consumers
      .get(l)!
      .filter(forward)
      .map((e) => e.to);

  let longest: { to: Map<Layer, number>; from: Map<Layer, number>; bestPred: Map<Layer, Layer>; bestSucc: Map<Layer, Layer> } | undefined;
  let effects: Map<Layer, SegmentEffect | undefined> | undefined;
  const longestPaths = () => {
    if (longest) return longest;
    // Longest chain into each layer (forward order) and out of it (reverse order).
    const longestChain = (order: readonly Layer[], next: (l: Layer) => Layer[]) => {
      const length = new Map<Layer, number>();
      const best = new Map<Layer, Layer>();
      for (const l of order) {
        let most = 0;
        for (const n of next(l)) {
          const d = length.get(n) ?? 0;
          if (d > most) {
            most = d;
            best.set(l, n);
          }
        }
        length.set(l, most + 1);
      }
      return { length, best };
    };
    const into = longestChain(graph.layers, preds);
    const outOf = longestChain([...graph.layers].reverse(), succs);
    const [to, bestPred, from, bestSucc] = [into.length, into.best, outOf.length, outOf.best];
    longest = { to, from, bestPred, bestSucc };
    return longest;
  };

  return {
    graph,
    numbers,
    segmentPath(layer) {
      const { bestPred, bestSucc } = longestPaths();
      const before: Layer[] = [];
      for (let p = bestPred.get(layer); p; p = bestPred.get(p)) before.push(p);
      const path = before.reverse();
      path.push(layer);
      for (let s = bestSucc.get(layer); s; s = bestSucc.get(s)) path.push(s);
      return path;
    },
    segmentEffect(layer) {
      if (!effects) {
        // Products along the best chain into and out of each layer, in one pass each way (the
        // same chains segmentPath walks), so every finding's message costs O(1).
        const { bestPred, bestSucc, to, from } = longestPaths();
        type P = { f: number; b: number } | undefined;
        const factor = (l: Layer): P => {
          const n = numbers.get(l);
          return n?.forwardFactor === undefined || n.backwardFactor === undefined ? undefined : { f: n.forwardFactor, b: n.backwardFactor };
        };
        const mul = (x: P, y: P): P => (x && y ? { f: finite(x.f * y.f), b: finite(x.b * y.b) } : undefined);
        // Product along the best chain from each layer back to its start (or on to its end).
        const chainProduct = (order: readonly Layer[], best: Map<Layer, Layer>) => {
          const prod = new Map<Layer, P>();
          for (const l of order) {
            const n = best.get(l);
            prod.set(l, n ? mul(factor(l), prod.get(n)) : factor(l));
          }
          return prod;
        };
        const into = chainProduct(graph.layers, bestPred);
        const out = chainProduct([...graph.layers].reverse(), bestSucc);
        effects = new Map();
        for (const l of graph.layers) {
          const p = bestPred.get(l);
          const e = mul(out.get(l), p ? into.get(p) : { f: 1, b: 1 });
          effects.set(l, e && { forward: e.f, backward: e.b, depth: to.get(l)! + from.get(l)! - 1 });
        }
      }
      return effects.get(layer);
    },
    paths() {
      // Depth-first with one shared path (push on the way down, pop on the way back), copied only
      // at a path's end: a 2,000-layer chain costs 2,000 steps, not 2,000 copies of a growing path.
      const out: Layer[][] = [];
      const next = new Map<Layer, Layer[]>();
      const succsOf = (l: Layer) => {
        let s = next.get(l);
        if (!s) {
          s = succs(l);
          next.set(l, s);
        }
        return s;
      };
      for (const start of graph.layers) {
        if (preds(start).length > 0) continue;
        const path: Layer[] = [start];
        const child: number[] = [0];
        while (path.length && out.length < MAX_PATHS) {
          const top = path[path.length - 1];
          const s = succsOf(top);
          if (s.length === 0) {
            out.push([...path]);
            path.pop();
            child.pop();
            continue;
          }
          const i = child[child.length - 1];
          if (i < s.length) {
            child[child.length - 1] = i + 1;
            path.push(s[i]);
            child.push(0);
          } else {
            path.pop();
            child.pop();
          }
        }
      }
      return out;
    },
  };
}

/** E[x^2] of a flow, from the numbers of the layers before it. */
function flowMoment(root: Flow, numbers: Map<Layer, LayerNumbers>): Moment {
  // Each flow once, inputs first (afterInputs): `x = x + x` forty times is 2^40 paths. Past
  // MAX_ACTIVATIONS activations the scale is assumed: each costs a quadrature (about 60 µs),
  // and 65,000 in a row (a loop applying tanh) took 4 s.
  const done = new Map<Flow, Moment>();
  let activations = 0;
  afterInputs(
    root,
    (f, each) => momentInputs(f).forEach(each),
    (f) => done.has(f),
    (f) => {
      const inputs = momentInputs(f);
      const over = f.kind === 'activation' && ++activations > MAX_ACTIVATIONS;
      // An input not done is one this flow reaches again (a cycle): assumed.
      done.set(
        f,
        over
          ? ASSUMED
          : momentOf(
              f,
              inputs.map((g) => done.get(g) ?? ASSUMED),
              numbers,
            ),
      );
    },
  );
  return done.get(root)!;
}

/** Activations between a layer and the layers before it whose moments are computed (a deep residual stack has a few hundred). */
const MAX_ACTIVATIONS = 1024;

/** The flows whose moments a flow's is computed from: an activation's input, a merge's parts (a normalization or an opaque operation starts afresh). */
const momentInputs = (f: Flow): readonly Flow[] => (f.kind === 'activation' ? [f.from] : f.kind === 'merge' ? f.from : []);

interface Moment {
  mu: number;
  assumed: boolean;
}

const ASSUMED: Moment = { mu: 1, assumed: true };

/** A flow's second moment from its inputs' (an activation's one, a merge's parts). */
function momentOf(flow: Flow, inputs: Moment[], numbers: Map<Layer, LayerNumbers>): Moment {
  switch (flow.kind) {
    case 'input':
      return { mu: 1, assumed: false };
    case 'norm': {
      // A normalization between a layer and its activation: the layer's own numbers already
      // take q = 1, and what follows is its activation's E[phi(z)^2] at q = 1, not 1.
      const f = flow.from;
      const mu = f.kind === 'layer' && f.layer.normalized ? numbers.get(f.layer)?.muOut : undefined;
      return { mu: mu ?? 1, assumed: false };
    }
    case 'opaque':
      return ASSUMED;
    case 'activation': {
      // Its input taken as zero-mean Gaussian with the second moment that reaches it.
      const inner = inputs[0];
      const m = activationMoments(flow.info, inner.mu);
      return m ? { mu: finite(m.forward), assumed: inner.assumed } : ASSUMED;
    }
    case 'layer': {
      const mu = numbers.get(flow.layer)?.muOut;
      return mu === undefined ? ASSUMED : { mu, assumed: false };
    }
    case 'merge': {
      const parts = inputs;
      if (parts.length === 0) return ASSUMED;
      const assumed = parts.some((p) => p.assumed);
      const mus = parts.map((p) => p.mu);
      switch (flow.op) {
        case 'add':
          return { mu: finite(mus.reduce((a, b) => a + b, 0)), assumed };
        case 'multiply':
          return { mu: finite(mus.reduce((a, b) => a * b, 1)), assumed };
        default: {
          // Concatenation: the width-weighted mean of the parts' second moments; a plain mean
          // where a width is unknown (and for merges we do not model more closely).
          const w = flow.widths;
          if (flow.op === 'concat' && w && w.length === mus.length && w.every((x) => typeof x === 'number' && x > 0)) {
            const total = (w as number[]).reduce((a, b) => a + b, 0);
            return { mu: mus.reduce((a, m, i) => a + m * (w[i] as number), 0) / total, assumed };
          }
          return { mu: mus.reduce((a, b) => a + b, 0) / mus.length, assumed };
        }
      }
    }
  }
}

/** The activation a layer is judged with; re-exported for adapters that label it. */
export type { ActivationInfo };
