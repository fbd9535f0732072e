/**
 * An analysis as plain data, for crossing a process boundary: the language server sends it to
 * its VS Code client, whose panel, code lenses, status item and simulator read it as they read
 * a local analysis. What is not data in the IR becomes data here:
 * - a layer's `rewrite` (a closure over the syntax tree) becomes the fixes it would build, one
 *   per initializer a fix can write, computed when the analysis is sent;
 * - a flow's reference to a layer (the data-flow graph) becomes the layer's place, and is a
 *   reference again once revived, so the propagation engine reads the same graph;
 * - a finding's lazily built fix is read, so it crosses as data.
 * `fromWire(toWire(a))` gives the numbers, verdicts and fixes of `a`: test/unit/wire.test.ts.
 */
import { GAIN_SLOT, RECOMMENDATIONS, withGain, type Fix, type Flow, type Layer, type Model, type Recommendation } from './ir';
import type { Analysis, Finding } from './linter';

/** A layer's place: its model's index in the analysis and its index in that model's layers. */
type LayerRef = [model: number, layer: number];

export type WireFlow =
  | { kind: 'input' }
  | { kind: 'layer'; layer: LayerRef }
  | { kind: 'norm'; from: WireFlow }
  | { kind: 'merge'; op: Extract<Flow, { kind: 'merge' }>['op']; from: WireFlow[]; widths?: Array<number | undefined> }
  | { kind: 'activation'; info: Extract<Flow, { kind: 'activation' }>['info']; from: WireFlow }
  | { kind: 'opaque'; from?: WireFlow };

export interface WireLayer extends Omit<Layer, 'rewrite' | 'input'> {
  input?: WireFlow;
  /** What `rewrite(to)` builds, for each initializer that has a safe edit. */
  rewrites: Partial<Record<Recommendation, Fix>>;
  /** What `rewrite` builds for an orthogonal kernel with a gain, around `GAIN_SLOT` (a template for every gain). */
  orthogonal?: Fix;
}

/** A model's layers; `{ same: i }` where the model lists one layer object again (a layer called in a loop). */
export interface WireModel extends Omit<Model, 'layers' | 'outputs'> {
  layers: Array<WireLayer | { same: number }>;
  outputs?: WireFlow[];
}

export interface WireAnalysis extends Omit<Analysis, 'models'> {
  models: WireModel[];
}

export function toWire(analysis: Analysis): WireAnalysis {
  const places = new Map<Layer, LayerRef>();
  analysis.models.forEach((m, i) =>
    m.layers.forEach((l, j) => {
      if (!places.has(l)) places.set(l, [i, j]);
    }),
  );
  const flow = (f: Flow): WireFlow => {
    switch (f.kind) {
      case 'input':
        return f;
      case 'layer': {
        const at = places.get(f.layer);
        // A layer outside every model (none today): its scale is unknown here, as after an opaque op.
        return at ? { kind: 'layer', layer: at } : { kind: 'opaque' };
      }
      case 'norm':
        return { kind: 'norm', from: flow(f.from) };
      case 'merge':
        return { kind: 'merge', op: f.op, from: f.from.map(flow), ...(f.widths ? { widths: f.widths } : {}) };
      case 'activation':
        return { kind: 'activation', info: f.info, from: flow(f.from) };
      case 'opaque':
        return f.from ? { kind: 'opaque', from: flow(f.from) } : { kind: 'opaque' };
    }
  };
  const models = analysis.models.map((m, i): WireModel => {
    const layers = m.layers.map((l, j): WireLayer | { same: number } => {
      const first = places.get(l)!;
      if (first[0] !== i || first[1] !== j) return { same: first[1] };
      const { rewrite, input, ...data } = l;
      const rewrites: Partial<Record<Recommendation, Fix>> = {};
      for (const to of RECOMMENDATIONS) {
        const fix = rewrite.call(l, to);
        if (fix) rewrites[to] = fix;
      }
      const orthogonal = rewrite.call(l, { kind: 'orthogonal', gain: GAIN_SLOT });
      return { ...data, ...(input ? { input: flow(input) } : {}), rewrites, ...(orthogonal ? { orthogonal } : {}) };
    });
    const { name, framework, span } = m;
    return { name, framework, span, layers, ...(m.outputs ? { outputs: m.outputs.map(flow) } : {}) };
  });
  // Fixes are built when first read (linter.ts): read here, so they cross as data.
  const findings = analysis.findings.map((f): Finding => {
    const { fix, ...rest } = f;
    return fix ? { ...rest, fix } : rest;
  });
  return { ...analysis, findings, models };
}

export function fromWire(wire: WireAnalysis): Analysis {
  const models: Model[] = wire.models.map((m) => ({ name: m.name, framework: m.framework, span: m.span, layers: [] }));
  // Every layer first, then the flows that refer to them.
  wire.models.forEach((m, i) => {
    for (const w of m.layers) {
      if ('same' in w) {
        models[i].layers.push(models[i].layers[w.same]);
        continue;
      }
      // eslint-disable-next-line @typescript-eslint/no-unused-vars
      const { rewrites, orthogonal, input, ...data } = w;
      models[i].layers.push({ ...data, rewrite: (to) => (typeof to === 'string' ? rewrites[to] : orthogonal && withGain(orthogonal, to.gain)) });
    }
  });
  const flow = (f: WireFlow): Flow => {
    switch (f.kind) {
      case 'input':
        return f;
      case 'layer': {
        const layer = models[f.layer[0]]?.layers[f.layer[1]];
        return layer ? { kind: 'layer', layer } : { kind: 'opaque' };
      }
      case 'norm':
        return { kind: 'norm', from: flow(f.from) };
      case 'merge':
        // JSON writes an unknown width (undefined in an array) as null.
        return { kind: 'merge', op: f.op, from: f.from.map(flow), ...(f.widths ? { widths: f.widths.map((w) => w ?? undefined) } : {}) };
      case 'activation':
        return { kind: 'activation', info: f.info, from: flow(f.from) };
      case 'opaque':
        return f.from ? { kind: 'opaque', from: flow(f.from) } : { kind: 'opaque' };
    }
  };
  wire.models.forEach((m, i) => {
    m.layers.forEach((w, j) => {
      if (!('same' in w) && w.input) models[i].layers[j].input = flow(w.input);
    });
    if (m.outputs) models[i].outputs = m.outputs.map(flow);
  });
  return { ...wire, models };
}
