/**
 * A model's data-flow graph over its weighted layers (rules.md v2, "Data-flow graph"): which
 * layer feeds which, and what stands on each edge (a normalization, a merge, an operation we
 * do not model). The rules walk paths of this graph, never source order.
 *
 * Front ends record each layer's input as a `Flow`. One that does not yet (every layer's
 * `input` absent) is read as a chain in source order with v1's normalization flags: the
 * layers it lists are then the path, as before v2.
 */
import type { Flow, Layer, Model } from './ir';
import { isPiecewiseLinear } from './activations';

export interface Edge {
  from: Layer;
  to: Layer;
  /** A normalization stands on the way: `to` starts a new segment. */
  norm: boolean;
  /** An operation we do not model stands on the way. */
  opaque: boolean;
}

export interface ModelGraph {
  /** Each weighted layer once (a layer applied twice is one node), in forward order. */
  layers: Layer[];
  /** The input of each layer: recorded by the front end, or the chain's. */
  input: Map<Layer, Flow>;
  /**
   * Direct edges: the signal goes from one layer to the next through no merge (normalizations,
   * pooling, reshapes and unmodelled operations may stand between). A merge mixes in other
   * tensors, so paths, and the products along them, stop there (rules.md v2 leaves a path's
   * factor across a sum undefined; a residual stack compounded along its branches alone would
   * read as vanishing while its signal grows).
   */
  producers: Map<Layer, Edge[]>;
  consumers: Map<Layer, Edge[]>;
  /** Layers whose output enters a merge somewhere (consumed, but not by a direct edge). */
  merged: Set<Layer>;
  /**
   * The model's outputs each layer reaches without a merge between (what stands on the way:
   * `norm`, `opaque`), where the front end records outputs: a normalization at the output
   * removes the scale of the layers before it as one before another layer does.
   */
  toOutput: Map<Layer, Array<{ norm: boolean; opaque: boolean }>>;
  /**
   * Branch ends: linear layers whose output, through unmodelled operations only, is added to or
   * multiplies another tensor (a residual branch, LoRA's B, a gate, adaLN-zero, a zero conv).
   */
  branchEnds: Set<Layer>;
}

export function modelGraph(model: Model): ModelGraph {
  const layers: Layer[] = [];
  const seen = new Set<Layer>();
  for (const l of model.layers) {
    if (!seen.has(l)) {
      seen.add(l);
      layers.push(l);
    }
  }
  const recorded = layers.some((l) => l.input !== undefined);
  const input = new Map<Layer, Flow>();
  layers.forEach((l, i) => {
    if (recorded) {
      input.set(l, l.input ?? { kind: 'opaque' });
      return;
    }
    if (i === 0) {
      input.set(l, l.normalizedBefore ? { kind: 'norm', from: { kind: 'input' } } : { kind: 'input' });
      return;
    }
    const prev: Flow = { kind: 'layer', layer: layers[i - 1] };
    input.set(l, l.normalizedBefore ? { kind: 'norm', from: prev } : prev);
  });
  const producers = new Map<Layer, Edge[]>(layers.map((l) => [l, []]));
  const consumers = new Map<Layer, Edge[]>(layers.map((l) => [l, []]));
  for (const to of layers) {
    for (const edge of directEdges(to, input.get(to)!)) {
      // A layer that reads its own output (a recurrence) ends its path there; so does one from
      // another model.
      if (edge.from === to || !consumers.has(edge.from)) continue;
      producers.get(to)!.push(edge);
      consumers.get(edge.from)!.push(edge);
    }
  }
  const toOutput = new Map<Layer, Array<{ norm: boolean; opaque: boolean }>>();
  for (const out of layers.length ? (model.outputs ?? []) : []) {
    // The same walk as a layer's input, towards an output instead of a layer (`to` is unused).
    for (const e of directEdges(layers[0], out)) {
      if (!consumers.has(e.from)) continue;
      const list = toOutput.get(e.from) ?? [];
      list.push({ norm: e.norm, opaque: e.opaque });
      toOutput.set(e.from, list);
    }
  }
  return { layers, input, producers, consumers, toOutput, ...mergedLayers([...input.values(), ...(model.outputs ?? [])]) };
}

/** Calls `each` on the flows a flow reads: an activation's, a normalization's or an opaque operation's input; a merge's parts. */
export function flowInputs(f: Flow, each: (input: Flow) => void): void {
  switch (f.kind) {
    case 'activation':
    case 'norm':
      each(f.from);
      return;
    case 'opaque':
      if (f.from) each(f.from);
      return;
    case 'merge':
      for (const g of f.from) each(g);
      return;
  }
}

/**
 * Visits `root` and the flows it reads (`inputs`), each once, inputs first, without recursion: a
 * chain of 65,000 activations (a loop applying `tanh`) nests as deep, and a tensor merged with
 * itself in a loop (`x = x + x`) doubles its paths at each merge. `done`: visited already (in an
 * earlier call too). A flow met again while its inputs are visited, a cycle no front end builds,
 * is visited with that input not done. No array per flow: the inputs are pushed as they are met.
 */
export function afterInputs(root: Flow, inputs: (f: Flow, each: (input: Flow) => void) => void, done: (f: Flow) => boolean, visit: (f: Flow) => void): void {
  if (done(root)) return;
  const stack: Flow[] = [root];
  let open: Set<Flow> | undefined;
  let waiting: boolean;
  const push = (g: Flow) => {
    if (!done(g)) {
      stack.push(g);
      waiting = true;
    }
  };
  while (stack.length > 0) {
    const f = stack[stack.length - 1];
    if (done(f)) {
      stack.pop();
      continue;
    }
    waiting = false;
    if (!open?.has(f)) inputs(f, push);
    if (waiting) {
      (open ??= new Set()).add(f);
      continue;
    }
    stack.pop();
    open?.delete(f);
    visit(f);
  }
}

/** The weighted layers a flow comes from without a merge between, with what stands between. */
function directEdges(to: Layer, flow: Flow): Edge[] {
  const out: Edge[] = [];
  let item: { flow: Flow; norm: boolean; opaque: boolean } | undefined = { flow, norm: false, opaque: false };
  // Without merges a flow is a simple chain: follow it down to its layer or its start.
  while (item) {
    const f: Flow = item.flow;
    switch (f.kind) {
      case 'layer':
        out.push({ from: f.layer, to, norm: item.norm, opaque: item.opaque });
        item = undefined;
        break;
      case 'norm':
        item = { ...item, flow: f.from, norm: true };
        break;
      case 'opaque':
        item = f.from ? { ...item, flow: f.from, opaque: true } : undefined;
        break;
      // Through an activation the signal goes on; a scale survives it only if the activation is
      // positively homogeneous (relu, leaky, linear), so any other counts as unmodelled here.
      case 'activation':
        item = { ...item, flow: f.from, opaque: item.opaque || !isPiecewiseLinear(f.info) };
        break;
      default:
        item = undefined;
    }
  }
  return out;
}

/**
 * Every layer whose output enters a merge, and the branch ends among them, found in one pass over all flows: each flow node is
 * visited at most twice (outside and inside a merge), so a 2,000-block residual stack, whose
 * flows nest 2,000 sums deep, costs linear time.
 */
function mergedLayers(roots: readonly Flow[]): { merged: Set<Layer>; branchEnds: Set<Layer> } {
  const merged = new Set<Layer>();
  const branchEnds = new Set<Layer>();
  const visited = [new Set<Flow>(), new Set<Flow>()];
  const stack: Array<{ flow: Flow; inMerge: boolean }> = roots.map((flow) => ({ flow, inMerge: false }));
  while (stack.length) {
    const { flow, inMerge } = stack.pop()!;
    const v = visited[inMerge ? 1 : 0];
    if (v.has(flow)) continue;
    v.add(flow);
    switch (flow.kind) {
      case 'layer':
        if (inMerge) merged.add(flow.layer);
        break;
      case 'norm':
        stack.push({ flow: flow.from, inMerge });
        break;
      case 'opaque':
        if (flow.from) stack.push({ flow: flow.from, inMerge });
        break;
      case 'activation':
        stack.push({ flow: flow.from, inMerge });
        break;
      case 'merge':
        for (const g of flow.from) {
          stack.push({ flow: g, inMerge: true });
          if ((flow.op === 'add' || flow.op === 'multiply') && flow.from.length >= 2) {
            let h = g;
            while (h.kind === 'opaque' && h.from) h = h.from;
            if (h.kind === 'layer' && h.layer.activation.info.name === 'linear') branchEnds.add(h.layer);
          }
        }
        break;
      case 'input':
        break;
    }
  }
  return { merged, branchEnds };
}

/** An edge inside one segment: nothing resets or hides the signal's scale on it. */
export function continuesSegment(e: Edge): boolean {
  return !e.norm && !e.opaque;
}
