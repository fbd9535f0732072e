/**
 * An analysis as plain data, for crossing a process boundary: the language server sends it to
 * its VS Code client, whose panel, code lenses, status item and simulator read it as they read
 * a local analysis. What is not data in the IR becomes data here:
 * - the data-flow graph is sent once per flow object: `flows` is a table, children before the
 *   flows that read them, and a layer's input or a model's output is an index into it. A tree
 *   of nested flows would repeat every shared part: a chain of residual blocks, each block's
 *   input the sum of the last one's, grows with the square of its length written out as a tree
 *   (Keras's `inception_resnet_v2.py`: 1 MB of inputs for 625 layers, 32 KB as a table);
 * - a flow's reference to a layer becomes the layer's place, and is a reference again once
 *   revived, so the propagation engine reads the same graph;
 * - an initializer's spec is sent once (`specs`) and a layer's is an index into it: the layers
 *   that use one initializer share one spec object (initializers.ts resolves each once);
 * - a layer whose data is an earlier layer's of its model (one call in a loop makes a new layer
 *   object at each turn, alike but for its input) is sent as `{ like: j, input }`: 20,000
 *   layers built in a loop were 6.5 MB, almost all of it one layer's data again;
 * - a layer's `rewrite` (a closure over the syntax tree) is not sent with every analysis: the
 *   fixes it builds are asked for (`rewritesToWire`, the server's `initlint/rewrites`) where a
 *   client is about to offer or apply them (the simulator's Apply), and installed into the
 *   revived layers (`installRewrites`). Built at every lint, five per layer, they were most of
 *   an analysis's bytes and half of its cost beyond the lint itself;
 * - a finding crosses as what the client's views read of it (`FindingSummary`) and whether it
 *   has a fix: the edits are asked for where they are applied (the server's `initlint/fixes`:
 *   the panel's Fix, Fix All), and the related locations go in the LSP diagnostics. With every
 *   fix and related location, a one-line Keras JSON of 10,000 layers made a 13 MB message:
 *   about 100 ms of `JSON.parse` on VS Code's extension host at every lint.
 * `fromWire(toWire(a))` with `installRewrites` gives the numbers and verdicts of `a`, and the
 * fixes of its layers: test/unit/wire.test.ts.
 */
import { GAIN_SLOT, RECOMMENDATIONS, tryRewrite, withGain, type Fix, type Flow, type KernelInit, type Layer, type Model, type Recommendation } from './ir';
import { unknownInitializer, type InitSpec } from './initializers';
import { afterInputs, flowInputs } from './graph';
import type { Analysis, FindingSummary } from './linter';

/** A layer's place: its model's index in the analysis and its index in that model's layers. */
type LayerRef = [model: number, layer: number];
/** A flow: its index in `WireAnalysis.flows`. */
export type FlowRef = number;

export type WireFlow =
  | { kind: 'input' }
  | { kind: 'layer'; layer: LayerRef }
  | { kind: 'norm'; from: FlowRef }
  | { kind: 'merge'; op: Extract<Flow, { kind: 'merge' }>['op']; from: FlowRef[]; widths?: Array<number | undefined> }
  | { kind: 'activation'; info: Extract<Flow, { kind: 'activation' }>['info']; from: FlowRef }
  | { kind: 'opaque'; from?: FlowRef };

export interface WireLayer extends Omit<Layer, 'rewrite' | 'input' | 'init'> {
  input?: FlowRef;
  /** `spec`: its index in `WireAnalysis.specs`. */
  init: Omit<KernelInit, 'spec'> & { spec: number };
}

/** A layer with the data of the model's layer `like` (an earlier one), and its own input. */
export interface WireLikeLayer {
  like: number;
  input?: FlowRef;
}

/**
 * A model's layers; `{ same: i }` where the model lists one layer object again (a layer called
 * in a loop), `WireLikeLayer` for another layer object with the same data (a layer built in a loop).
 */
export interface WireModel extends Omit<Model, 'layers' | 'outputs'> {
  layers: Array<WireLayer | { same: number } | WireLikeLayer>;
  outputs?: FlowRef[];
}

/** A finding as the client's views read it. */
export interface WireFinding extends FindingSummary {
  /** The finding has a fix (`initlint/fixes` builds its edits). */
  fixable?: true;
}

export interface WireAnalysis extends Omit<Analysis, 'models' | 'findings'> {
  findings: WireFinding[];
  models: WireModel[];
  /** The data-flow graph's flows, each once; a flow's `from` is an earlier entry. */
  flows: WireFlow[];
  /** The layers' initializer specs, each once. */
  specs: InitSpec[];
}

/** What one layer's `rewrite` builds. */
export interface WireLayerRewrites {
  /** For each initializer that has a safe edit. */
  rewrites: Partial<Record<Recommendation, Fix>>;
  /** For an orthogonal kernel with a gain, around `GAIN_SLOT` (a template for every gain). */
  orthogonal?: Fix;
}

/** The fixes a model's layers can build, in the model's layer order (`{ same: i }` as in `WireModel`). */
export interface WireRewrites {
  layers: Array<WireLayerRewrites | { same: number }>;
}

export function toWire(analysis: Analysis): WireAnalysis {
  const places = new Map<Layer, LayerRef>();
  analysis.models.forEach((m, i) =>
    m.layers.forEach((l, j) => {
      if (!places.has(l)) places.set(l, [i, j]);
    }),
  );
  const flows: WireFlow[] = [];
  const sent = new Map<Flow, FlowRef>();
  // Each flow once, its inputs before it (afterInputs: a chain of 65,000 activations nests as deep).
  const ref = (f: Flow): FlowRef => {
    afterInputs(
      f,
      flowInputs,
      (g) => sent.has(g),
      (g) => sent.set(g, flows.push(node(g)) - 1),
    );
    return sent.get(f)!;
  };
  // Only once its inputs are sent (a cycle, which no front end builds, reads as opaque).
  const input = (f: Flow): FlowRef => sent.get(f) ?? flows.push({ kind: 'opaque' }) - 1;
  const node = (f: Flow): WireFlow => {
    switch (f.kind) {
      case 'input':
        return f;
      case 'layer': {
        const at = places.get(f.layer);
        // A layer outside every model (none today): its scale is unknown here, as after an opaque op.
        return at ? { kind: 'layer', layer: at } : { kind: 'opaque' };
      }
      case 'norm':
        return { kind: 'norm', from: input(f.from) };
      case 'merge':
        return { kind: 'merge', op: f.op, from: f.from.map(input), ...(f.widths ? { widths: f.widths } : {}) };
      case 'activation':
        return { kind: 'activation', info: f.info, from: input(f.from) };
      case 'opaque':
        return f.from ? { kind: 'opaque', from: input(f.from) } : { kind: 'opaque' };
    }
  };
  const specs: InitSpec[] = [];
  const specIndex = new Map<InitSpec, number>();
  const specRef = (spec: InitSpec): number => {
    let at = specIndex.get(spec);
    if (at === undefined) {
      at = specs.push(spec) - 1;
      specIndex.set(spec, at);
    }
    return at;
  };
  const models = analysis.models.map((m, i): WireModel => {
    // Each distinct layer data as JSON, and the first layer of this model that has it.
    const firstWith = new Map<string, number>();
    const layers = m.layers.map((l, j): WireModel['layers'][number] => {
      const first = places.get(l)!;
      if (first[0] !== i || first[1] !== j) return { same: first[1] };
      // eslint-disable-next-line @typescript-eslint/no-unused-vars
      const { rewrite, input, init, ...rest } = l;
      const data = { ...rest, init: { ...init, spec: specRef(init.spec) } };
      const inputRef = input ? { input: ref(input) } : {};
      const key = JSON.stringify(data);
      const like = firstWith.get(key);
      if (like !== undefined) return { like, ...inputRef };
      firstWith.set(key, j);
      return { ...data, ...inputRef };
    });
    const { name, framework, span } = m;
    return { name, framework, span, layers, ...(m.outputs ? { outputs: m.outputs.map(ref) } : {}) };
  });
  const findings = analysis.findings.map((f): WireFinding => ({
    code: f.code,
    severity: f.severity,
    message: f.message,
    model: f.model,
    layer: f.layer,
    start: f.start,
    end: f.end,
    ...(f.cell !== undefined ? { cell: f.cell } : {}),
    // Builds the fix (linter.ts builds each when first read): a rewrite can find no safe edit.
    ...(f.fix ? { fixable: true } : {}),
  }));
  return { ...analysis, findings, models, flows, specs };
}

/** An analysis as the client holds it: the engine's, with its findings as they crossed. */
export interface RevivedAnalysis extends Omit<Analysis, 'findings'> {
  findings: WireFinding[];
}

/**
 * The analysis again, its graph a graph of its layers. Each layer's `rewrite` offers nothing
 * until `installRewrites` gives it the fixes the sender built. Consumes `wire`: its layer
 * objects become the analysis's layers. Copied (object rest, then spread), the 20,000 layers of
 * a loop took 50 ms, and setting their inputs on the copies 22 ms more: V8 copies such objects
 * property by property into slow ones. Taken over, both are a few ms.
 */
export function fromWire(wire: WireAnalysis): RevivedAnalysis {
  const models: Model[] = wire.models.map((m) => ({ name: m.name, framework: m.framework, span: m.span, layers: [] }));
  // Every layer first, then the flows that refer to them, then the layers' inputs.
  const inputs: Array<[Layer, FlowRef]> = [];
  wire.models.forEach((m, i) => {
    for (const w of m.layers) {
      if ('same' in w) {
        models[i].layers.push(models[i].layers[w.same]);
        continue;
      }
      if ('like' in w) {
        const base = models[i].layers[w.like];
        if (!base) throw new Error(`layer ${models[i].layers.length} of ${m.name} is like layer ${w.like}, which is not before it`);
        // A shallow copy: the layers share their data's objects, as values (nothing writes into them).
        const layer: Layer = { ...base, input: undefined, rewrite: () => undefined };
        if (w.input !== undefined) inputs.push([layer, w.input]);
        models[i].layers.push(layer);
        continue;
      }
      const input = w.input;
      // An index that names no spec (a malformed message): an initializer not known here.
      const spec = wire.specs?.[w.init.spec] ?? unknownInitializer(m.framework, 'unknown');
      const layer: Layer = Object.assign(w, { init: { ...w.init, spec }, input: undefined, rewrite: () => undefined });
      if (input !== undefined) inputs.push([layer, input]);
      models[i].layers.push(layer);
    }
  });
  const flows: Flow[] = [];
  // An index that is not an earlier entry (a malformed message): unknown, as after an opaque op.
  const at = (r: FlowRef): Flow => flows[r] ?? { kind: 'opaque' };
  // `?? []`: a message without the table (a server older than it) reads as a graph of unknowns.
  for (const f of wire.flows ?? []) {
    switch (f.kind) {
      case 'input':
        flows.push(f);
        break;
      case 'layer': {
        const layer = models[f.layer[0]]?.layers[f.layer[1]];
        flows.push(layer ? { kind: 'layer', layer } : { kind: 'opaque' });
        break;
      }
      case 'norm':
        flows.push({ kind: 'norm', from: at(f.from) });
        break;
      case 'merge':
        // JSON writes an unknown width (undefined in an array) as null.
        flows.push({ kind: 'merge', op: f.op, from: f.from.map(at), ...(f.widths ? { widths: f.widths.map((w) => w ?? undefined) } : {}) });
        break;
      case 'activation':
        flows.push({ kind: 'activation', info: f.info, from: at(f.from) });
        break;
      case 'opaque':
        flows.push(f.from !== undefined ? { kind: 'opaque', from: at(f.from) } : { kind: 'opaque' });
        break;
    }
  }
  for (const [layer, input] of inputs) layer.input = at(input);
  wire.models.forEach((m, i) => {
    if (m.outputs) models[i].outputs = m.outputs.map(at);
  });
  const { flows: _, specs: __, ...rest } = wire;
  return { ...rest, models };
}

/** What each of a model's layers can rewrite its initializer to: every recommendation, and the orthogonal template. */
export function rewritesToWire(model: Model): WireRewrites {
  const first = new Map<Layer, number>();
  const layers = model.layers.map((l, j): WireLayerRewrites | { same: number } => {
    const seen = first.get(l);
    if (seen !== undefined) return { same: seen };
    first.set(l, j);
    const rewrites: Partial<Record<Recommendation, Fix>> = {};
    for (const to of RECOMMENDATIONS) {
      const fix = tryRewrite(l, to);
      if (fix) rewrites[to] = fix;
    }
    const orthogonal = tryRewrite(l, { kind: 'orthogonal', gain: GAIN_SLOT });
    return { rewrites, ...(orthogonal ? { orthogonal } : {}) };
  });
  return { layers };
}

/** Gives a revived model's layers the fixes `rewritesToWire` built for the same model; false when they do not match it. */
export function installRewrites(model: Model, wire: WireRewrites): boolean {
  if (wire.layers.length !== model.layers.length) return false;
  wire.layers.forEach((w, j) => {
    if ('same' in w) return;
    const { rewrites, orthogonal } = w;
    model.layers[j].rewrite = (to) => (typeof to === 'string' ? rewrites[to] : orthogonal && withGain(orthogonal, to.gain));
  });
  return true;
}
