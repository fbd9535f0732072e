/**
 * A model's data-flow graph over its weighted layers (rules.md v2, "Data-flow graph"): which
 * layer feeds which, and what stands on each edge (a normalization, a merge, an operation we
 * do not model). The rules walk paths of this graph, never source order.
 *
 * Front ends record each layer's input as a `Flow`. One that does not yet (every layer's
 * `input` absent) is read as a chain in source order with v1's normalization flags: the
 * layers it lists are then the path, as before v2.
 */
import type { Flow, Layer, MergeOp, Model } from './ir';

export interface Edge {
  from: Layer;
  to: Layer;
  /** A normalization stands on the way: `to` starts a new segment. */
  norm: boolean;
  /** Merges on the way, nearest to `to` first. */
  merges: MergeOp[];
  /** An operation we do not model stands on the way. */
  opaque: boolean;
}

export interface ModelGraph {
  /** Each weighted layer once (a layer applied twice is one node), in forward order. */
  layers: Layer[];
  /** The input of each layer: recorded by the front end, or the chain's. */
  input: Map<Layer, Flow>;
  producers: Map<Layer, Edge[]>;
  consumers: Map<Layer, Edge[]>;
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
    for (const edge of edgesInto(to, input.get(to)!)) {
      // A layer that reads its own output (a recurrence) ends its path there; so does one from
      // another model.
      if (edge.from === to || !consumers.has(edge.from)) continue;
      producers.get(to)!.push(edge);
      consumers.get(edge.from)!.push(edge);
    }
  }
  return { layers, input, producers, consumers };
}

/** The weighted layers a flow comes from, with what stands between. Iterative: flows can be deep. */
function edgesInto(to: Layer, flow: Flow): Edge[] {
  const out: Edge[] = [];
  const stack: Array<{ flow: Flow; norm: boolean; merges: MergeOp[]; opaque: boolean }> = [{ flow, norm: false, merges: [], opaque: false }];
  const visited = new Set<Flow>();
  while (stack.length) {
    const item = stack.pop()!;
    if (visited.has(item.flow)) continue;
    visited.add(item.flow);
    const f = item.flow;
    switch (f.kind) {
      case 'input': break;
      case 'layer': out.push({ from: f.layer, to, norm: item.norm, merges: item.merges, opaque: item.opaque }); break;
      case 'norm': stack.push({ ...item, flow: f.from, norm: true }); break;
      case 'merge': for (const g of f.from) stack.push({ ...item, flow: g, merges: [...item.merges, f.op] }); break;
      case 'opaque': if (f.from) stack.push({ ...item, flow: f.from, opaque: true }); break;
    }
  }
  return out;
}

/** An edge inside one segment: nothing resets or hides the signal's scale on it. */
export function continuesSegment(e: Edge): boolean {
  return !e.norm && !e.opaque;
}
