/**
 * Keras JSON model configs: `model.to_json()` (Keras 2 / tf.keras), the `config.json` of a
 * Keras 3 `.keras` archive, and TF.js `model.json` (its `modelTopology`). Sequential and
 * functional models (Keras 2 and Keras 3 `inbound_nodes`), models nested as layers (their
 * layers join the enclosing model in forward order). Recognised by content, not file name.
 *
 * Diagnostics stand on the layer's object (rules.md: a JSON layer's initializer is one value of
 * the layer's entry), so `init.shared` is set; the fix still edits the `kernel_initializer`.
 */
import { parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import type { Flow, FrontEndResult, InitTarget, KernelInit, Layer, Model, Span } from '../../ir';
import { lookupActivation, LEAKY_DEFAULT_ALPHA, LINEAR, unknownActivation, type ActivationInfo } from '../../activations';
import { defaultInitializer, randomBiasVariance, resolveInitializer, unknownInitializer, type InitArgs } from '../../initializers';
import {
  activationLayer,
  kerasLayerClass,
  mergeOp,
  mergeShape,
  namedActivation,
  reshapedShape,
  unjudgedShape,
  weightedGeometry,
  type ArgReader,
  type KerasLayerClass,
} from '../keras/layers';
import { constOf, isObject, items, num, prop, properties, shapeOf, str, type Dim } from './jsonNodes';
import { rewriteInitializer, type JsonFramework } from './kerasJsonFix';
import { layerKind, layerLabel } from '../describeLayer';
import * as signal from '../signal';
import type { ModelBuilder, TensorState } from '../signal';

/** Cheap test before any parsing: every Keras / TF.js layers config has these keys. */
export function looksLikeKerasConfig(text: string): boolean {
  return text.includes('"class_name"') && text.includes('"config"');
}

/** Undefined when the JSON is not a Keras or TF.js model config: such files are not judged. */
export function analyzeKerasConfig(text: string): FrontEndResult | undefined {
  if (/^\s*"/.test(text)) return analyzeDoubleEncoded(text);
  if (!looksLikeKerasConfig(text)) return undefined;
  const parseErrors: ParseError[] = [];
  let root: Node | undefined;
  try {
    root = parseTree(text, parseErrors, { disallowComments: true, allowTrailingComma: false });
  } catch (e) {
    // Pathological nesting exhausts the parser's stack.
    const why = e instanceof RangeError ? 'nested too deeply' : (e as Error).message;
    return { models: [], errors: [`JSON could not be parsed: ${why}`] };
  }
  const errors = syntaxErrors(text, parseErrors);
  const models: Model[] = [];
  try {
    for (const found of findModels(root)) {
      const m = new ConfigReader(text, found.framework, errors.length > 0, found.weights).model(found.node);
      if (m) models.push(m);
    }
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    errors.push(`model config nested too deeply to analyze: ${e.message}`);
  }
  if (!models.length && !errors.length) return undefined;
  return { models, errors };
}

/**
 * A file that is one JSON string holding the config (`json.dump(model.to_json(), f)`): the inner
 * config is judged, and every layer stands on the string (offsets inside it do not map onto the
 * file one to one), with no fixes (an edit would have to re-escape the string).
 */
function analyzeDoubleEncoded(text: string): FrontEndResult | undefined {
  let inner: unknown;
  try {
    inner = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof inner !== 'string' || !looksLikeKerasConfig(inner)) return undefined;
  const result = analyzeKerasConfig(inner);
  if (!result) return undefined;
  const start = text.indexOf('"');
  const span: Span = { start, end: text.trimEnd().length };
  for (const m of result.models) {
    m.span = span;
    for (const l of m.layers) {
      l.span = span;
      l.init = { ...l.init, span: undefined, shared: true };
      if (l.activation.span) l.activation = { ...l.activation, span };
      l.rewrite = () => undefined;
    }
  }
  return result;
}

const ERROR_TEXT: Record<string, string> = {
  InvalidSymbol: 'unexpected character',
  InvalidNumberFormat: 'invalid number',
  PropertyNameExpected: 'property name expected',
  ValueExpected: 'value expected',
  ColonExpected: '":" expected',
  CommaExpected: '"," expected',
  CloseBraceExpected: '"}" expected',
  CloseBracketExpected: '"]" expected',
  EndOfFileExpected: 'end of file expected (trailing content)',
  InvalidCommentToken: 'comments are not allowed in JSON',
  UnexpectedEndOfComment: 'unterminated comment',
  UnexpectedEndOfString: 'unterminated string',
  UnexpectedEndOfNumber: 'unterminated number',
  InvalidUnicode: 'invalid unicode escape',
  InvalidEscapeCharacter: 'invalid escape character',
  InvalidCharacter: 'invalid character',
};

/** `JSON syntax error at line 3, column 7: "}" expected`, for the first few distinct errors. */
function syntaxErrors(text: string, errors: ParseError[]): string[] {
  const out: string[] = [];
  for (const e of errors.slice(0, 3)) {
    const before = text.slice(0, e.offset);
    const line = before.split('\n').length;
    const column = e.offset - before.lastIndexOf('\n');
    const code = printParseErrorCode(e.error);
    const msg = `JSON syntax error at line ${line}, column ${column}: ${ERROR_TEXT[code] ?? code}`;
    if (!out.includes(msg)) out.push(msg);
  }
  if (errors.length > 3) out.push(`... and ${errors.length - 3} more JSON syntax errors`);
  return out;
}

interface FoundModel {
  node: Node;
  framework: JsonFramework;
  /** TF.js weightsManifest: kernel shapes by weight name. */
  weights?: Map<string, number[]>;
}

/** A Keras object whose `config` holds `layers` (or, Keras <= 2.2 Sequential, is the layer list). */
function isModelObject(n: Node | undefined): n is Node {
  if (!isObject(n) || str(prop(n, 'class_name')) === undefined) return false;
  const cfg = prop(n, 'config');
  return cfg?.type === 'array' || prop(cfg, 'layers')?.type === 'array';
}

function findModels(root: Node | undefined): FoundModel[] {
  if (!isObject(root)) return [];
  const tfjsVersion = (n: Node | undefined) => /^tfjs/.test(str(prop(n, 'keras_version')) ?? '') || str(prop(n, 'backend')) === 'tensor_flow.js';
  const topology = prop(root, 'modelTopology');
  if (isObject(topology)) {
    // TF.js model.json: layers models only (a graph model's topology is a GraphDef).
    const model = isModelObject(topology) ? topology : prop(topology, 'model_config');
    return isModelObject(model) ? [{ node: model, framework: 'tfjs', weights: weightShapes(prop(root, 'weightsManifest')) }] : [];
  }
  // An h5 file's `model_config` attribute, saved as is, wraps the model.
  const model = isModelObject(root) ? root : prop(root, 'model_config');
  if (!isModelObject(model)) return [];
  return [{ node: model, framework: tfjsVersion(root) || tfjsVersion(model) ? 'tfjs' : 'keras' }];
}

function weightShapes(manifest: Node | undefined): Map<string, number[]> | undefined {
  const out = new Map<string, number[]>();
  for (const group of items(manifest)) {
    for (const w of items(prop(group, 'weights'))) {
      const name = str(prop(w, 'name'));
      const shape = shapeOf(prop(w, 'shape'));
      if (name && name.endsWith('/kernel') && shape && shape.every((d) => d !== null)) out.set(name, shape as number[]);
    }
  }
  return out.size ? out : undefined;
}

const MODEL_CLASSES = new Set(['Sequential', 'Functional', 'Model']);
/** Nesting of models inside models beyond this is not followed. */
const MAX_NESTING = 32;

class ConfigReader {
  private builder: ModelBuilder = { scopeName: 'model', span: { start: 0, end: 0 }, layers: [] };
  /** Layers entered so far (signal.enterLayer stops a model growing past MAX_LAYERS). */
  private readonly counter = { layers: 0 };
  private depth = 0;

  constructor(
    private readonly text: string,
    private readonly framework: JsonFramework,
    private readonly broken: boolean,
    private readonly weights?: Map<string, number[]>,
  ) {}

  model(node: Node): Model {
    const cfg = prop(node, 'config');
    const name = str(prop(cfg, 'name')) ?? str(prop(node, 'name')) ?? str(prop(node, 'class_name'))!.toLowerCase();
    this.builder = { name, scopeName: name, span: spanOf(node), layers: [] };
    const out = this.container(node, this.fresh());
    return { name, framework: this.framework, span: spanOf(node), layers: this.builder.layers, outputs: out.flow ? [out.flow] : undefined };
  }

  /** A tensor no layer of this model produced yet (a model input), or one whose origin is known only by its flow. */
  private fresh(shape?: Dim[], flow?: Flow): TensorState {
    return { model: this.builder, normSeen: false, shape, flow };
  }

  // ---- models: Sequential and functional ----

  private container(node: Node, input: TensorState): TensorState {
    if (this.depth >= MAX_NESTING) return this.fresh();
    this.depth++;
    try {
      const cfg = prop(node, 'config');
      const list = cfg?.type === 'array' ? items(cfg) : items(prop(cfg, 'layers'));
      const functional = list.some((l) => prop(l, 'inbound_nodes') !== undefined) && str(prop(node, 'class_name')) !== 'Sequential';
      return functional ? this.functional(cfg!, list, input) : this.sequential(node, cfg, list, input);
    } finally {
      this.depth--;
    }
  }

  private sequential(node: Node, cfg: Node | undefined, list: Node[], input: TensorState): TensorState {
    const declared = batchless(shapeOf(prop(cfg, 'build_input_shape'))) ?? batchless(shapeOf(prop(prop(node, 'build_config'), 'input_shape')));
    let st: TensorState = { ...input, shape: declared ?? input.shape };
    for (const entry of list) st = this.apply(entry, st);
    return st;
  }

  private functional(cfg: Node, list: Node[], input: TensorState): TensorState {
    const entries = list.filter(isObject);
    const names = new Map<Node, string>();
    entries.forEach((e, i) => names.set(e, str(prop(e, 'name')) ?? str(prop(prop(e, 'config'), 'name')) ?? `#${i}`));
    const known = new Set(names.values());
    // How many times each layer's output is consumed: an activation closes a layer only when it alone reads it.
    const consumers = new Map<string, number>();
    const refs = new Map<Node, Array<{ name: string; shape?: Dim[] }>>();
    for (const e of entries) {
      const r = inboundRefs(prop(e, 'inbound_nodes'));
      refs.set(e, r);
      for (const x of r) consumers.set(x.name, (consumers.get(x.name) ?? 0) + 1);
    }
    const outputs = readRefs(prop(cfg, 'output_layers'));
    for (const o of outputs) consumers.set(o.name, (consumers.get(o.name) ?? 0) + 1);
    const inputNames = readRefs(prop(cfg, 'input_layers')).map((r) => r.name);

    const states = new Map<string, TensorState>();
    let last: TensorState = this.fresh();
    const run = (e: Node, withInputs: boolean) => {
      const own = names.get(e)!;
      const outer = inputNames.length <= 1 && (inputNames[0] ?? own) === own ? input : undefined;
      last = this.applyNode(e, withInputs ? refs.get(e)! : [], states, consumers, outer);
      states.set(own, last);
    };
    // Keras lists layers in topological order; a layer listed before its inputs waits for them
    // (linear time: each layer counts the inputs it still waits for).
    const done = new Set<Node>();
    const waitingFor = new Map<Node, number>();
    const dependents = new Map<string, Node[]>();
    const ready: Node[] = [];
    const finish = (e: Node) => {
      run(e, true);
      done.add(e);
      const released = dependents.get(names.get(e)!);
      dependents.delete(names.get(e)!);
      for (const d of released ?? []) {
        const left = waitingFor.get(d)! - 1;
        waitingFor.set(d, left);
        if (left === 0) ready.push(d);
      }
    };
    for (const e of entries) {
      const own = names.get(e)!;
      const deps = new Set(
        refs
          .get(e)!
          .map((x) => x.name)
          .filter((n) => n !== own && known.has(n) && !states.has(n)),
      );
      if (deps.size) {
        waitingFor.set(e, deps.size);
        for (const d of deps) {
          const list = dependents.get(d);
          if (list) list.push(e);
          else dependents.set(d, [e]);
        }
        continue;
      }
      finish(e);
      while (ready.length) finish(ready.pop()!);
    }
    // A cycle: read what is left without its inputs.
    for (const e of entries) if (!done.has(e)) run(e, false);
    const out = outputs.length === 1 ? states.get(outputs[0].name) : undefined;
    return out ?? (outputs.length ? this.fresh() : last);
  }

  private applyNode(
    entry: Node,
    r: Array<{ name: string; shape?: Dim[] }>,
    states: Map<string, TensorState>,
    consumers: Map<string, number>,
    outer: TensorState | undefined,
  ): TensorState {
    if (!r.length) {
      // An input of the graph: the enclosing model's tensor when this model is nested.
      return this.apply(entry, this.fresh(outer?.shape, outer?.flow));
    }
    const ins = r.map((x) => {
      const s = states.get(x.name) ?? this.fresh();
      const shared = (consumers.get(x.name) ?? 0) > 1;
      return { ...s, shape: x.shape ?? s.shape, open: shared ? undefined : s.open };
    });
    if (ins.length === 1) return this.apply(entry, ins[0]);
    const flow: Flow = { kind: 'merge', op: mergeOp(str(prop(entry, 'class_name')) ?? ''), from: ins.map((s) => s.flow ?? { kind: 'input' }) };
    return this.apply(
      entry,
      {
        model: this.builder,
        normSeen: ins.every((s) => s.normSeen),
        shape: mergeShape(
          str(prop(entry, 'class_name')) ?? '',
          constOf(prop(prop(entry, 'config'), 'axis')),
          ins.map((s) => s.shape),
        ),
        flow,
      },
      true,
    );
  }

  // ---- one layer entry ----

  private apply(entry: Node, st: TensorState, merged = false): TensorState {
    if (!isObject(entry)) return signal.opaque(st);
    const className = str(prop(entry, 'class_name')) ?? '';
    const cfg = prop(entry, 'config');
    if (isModelObject(entry) || (MODEL_CLASSES.has(className) && isObject(cfg))) {
      signal.close(st);
      return this.container(entry, st);
    }
    const inShape = this.declaredInput(entry, cfg) ?? st.shape;
    const cls = kerasLayerClass(className);
    if (!cls || (cls.role === 'weighted' && !isObject(cfg))) {
      const act = this.opActivation(entry, className, cfg);
      if (act) return { ...signal.activate(st, { info: act, span: spanOf(entry) }), shape: inShape };
      return signal.opaque(st);
    }
    switch (cls.role) {
      case 'activation': {
        const info = this.activationLayer(className, cfg);
        return { ...signal.activateOrClose(st, info && { info, span: spanOf(entry) }), shape: inShape };
      }
      case 'norm':
        return { ...signal.normalize(st), shape: inShape };
      case 'passthrough':
        return { ...st, shape: inShape };
      case 'input':
        return this.fresh(inputLayerShape(cfg) ?? inShape);
      case 'merge':
        signal.close(st);
        return { ...st, shape: merged ? st.shape : inShape };
      case 'reshape':
        return { ...st, shape: reshapedShape(className, cls, reader(cfg), inShape) };
      case 'unjudged':
        return signal.opaque(st, unjudgedShape(className, reader(cfg), inShape));
      case 'weighted':
        return this.weighted(entry, className, cls, cfg, inShape, st);
    }
  }

  /** The input shape Keras recorded for this layer: Keras 3 `build_config`, `batch_input_shape`, `batch_shape`. */
  private declaredInput(entry: Node, cfg: Node | undefined): Dim[] | undefined {
    return (
      batchless(shapeOf(prop(prop(entry, 'build_config'), 'input_shape'))) ??
      batchless(shapeOf(prop(cfg, 'batch_input_shape'))) ??
      batchless(shapeOf(prop(cfg, 'batch_shape')))
    );
  }

  private activationLayer(className: string, cfg: Node | undefined): ActivationInfo | undefined {
    if (className === 'Activation') return this.activationValue(prop(cfg, 'activation'));
    const cls = kerasLayerClass(className);
    return cls && activationLayer(className, cls, reader(cfg), LEAKY_DEFAULT_ALPHA[this.framework]);
  }

  /**
   * Activations that are not Keras layers: tf.keras `TFOpLambda` (`tf.nn.relu(x)` in a functional
   * model, config `"function": "nn.relu"`) and Keras 3 ops (`keras.ops.relu`, module keras.src.ops).
   */
  private opActivation(entry: Node, className: string, cfg: Node | undefined): ActivationInfo | undefined {
    if (className === 'TFOpLambda') {
      const fn = str(prop(cfg, 'function')) ?? '';
      if (!/^(nn|math|keras\.activations|activations)\.\w+$/.test(fn)) return undefined;
      const name = fn.slice(fn.lastIndexOf('.') + 1);
      const alpha = name === 'leaky_relu' ? (findNumber(prop(entry, 'inbound_nodes'), 'alpha') ?? LEAKY_DEFAULT_ALPHA.tf_nn) : undefined;
      // `tf.nn` and `tf.math` hold more than activations (nn.dropout, math.add): only the
      // activations module names an activation for certain.
      return lookupActivation(name, alpha) ?? (/activations\./.test(fn) ? unknownActivation(name) : undefined);
    }
    if (/(^|\.)ops(\.|$)/.test(str(prop(entry, 'module')) ?? '')) {
      const info = lookupActivation(className, num(prop(cfg, 'negative_slope')));
      return info && info.name !== 'linear' ? info : undefined;
    }
    return undefined;
  }

  /**
   * An `activation` value: a name, null, a Keras 3 function object, or a serialized activation
   * layer. A name the catalogue does not know (a custom function, a custom activation layer)
   * leaves the layer unjudged (rules.md v2): never linear.
   */
  private activationValue(n: Node | undefined): ActivationInfo | undefined {
    if (!n || n.type === 'null') return LINEAR;
    const s = str(n);
    // keras.activations.leaky_relu defaults to negative_slope=0.2 (Keras 3).
    if (s !== undefined) return namedActivation(s, LEAKY_DEFAULT_ALPHA.tf_nn);
    if (isObject(n)) {
      const cls = str(prop(n, 'class_name')) ?? '';
      const c = prop(n, 'config');
      if (kerasLayerClass(cls)?.role === 'activation') return this.activationLayer(cls, c);
      // Keras 3 serializes a custom function as {"class_name": "function", "config": "my_act", ...}.
      const fn = str(c);
      if (fn !== undefined) return lookupActivation(fn) ?? unknownActivation(fn);
      if (cls) return unknownActivation(cls);
    }
    return undefined;
  }

  // ---- weighted layers ----

  private weighted(entry: Node, className: string, cls: KerasLayerClass, cfg: Node | undefined, inShape: Dim[] | undefined, input: TensorState): TensorState {
    const { rank, transpose } = cls;
    const geometry = weightedGeometry(cls, reader(cfg), inShape);
    let { fanIn, fanOut, receptiveField } = geometry;
    const { outShape, width } = geometry;
    // TF.js model.json lists each kernel's shape: the fans follow from it exactly (Keras' compute_fans).
    const kernelShape = this.kernelShape(str(prop(cfg, 'name')));
    if (kernelShape && kernelShape.length === (rank ?? 0) + 2) {
      const rf = kernelShape.slice(0, -2).reduce((a, b) => a * b, 1);
      receptiveField = rf;
      fanIn = kernelShape[kernelShape.length - 2] * rf;
      fanOut = kernelShape[kernelShape.length - 1] * rf;
    }

    const actNode = prop(cfg, 'activation');
    const own = this.activationValue(actNode);
    // An activation this analysis does not know (a custom function) ends the layer: nothing after it is its activation.
    const ownActivation = own === undefined || own.name !== 'linear';
    const initNode = prop(cfg, 'kernel_initializer');
    const init = this.kernelInit(initNode);
    const biasNode = prop(cfg, 'bias_initializer');
    const biasVariance = biasNode ? randomBiasVariance(this.kernelInit(biasNode).spec, constOf(prop(cfg, 'use_bias'))) : undefined;
    const ctx = {
      text: this.text,
      framework: this.framework,
      layerConfig: cfg,
      sibling: [prop(cfg, 'bias_initializer'), prop(cfg, 'kernel_initializer')].find((n) => isObject(n)),
    };
    const broken = this.broken;
    const label = `${className}(${width ?? ''})`;
    const layer: Layer = {
      kind: layerKind(rank, transpose),
      label: layerLabel(label),
      span: spanOf(entry),
      fanIn,
      fanOut,
      receptiveField,
      init,
      ...(biasVariance ? { biasVariance } : {}),
      activation: own && ownActivation ? { info: own, span: actNode && spanOf(actNode) } : { info: LINEAR },
      normalized: false,
      normalizedBefore: false,
      rewrite(to: InitTarget) {
        // No key, no fix (the brief: serialized configs always write it); no edits into a broken file.
        if (!initNode || broken) return undefined;
        return rewriteInitializer(initNode, to, ctx);
      },
    };
    return { ...signal.enterLayer(layer, input, this.counter, ownActivation), shape: outShape };
  }

  private kernelShape(name: string | undefined): number[] | undefined {
    if (!this.weights || !name) return undefined;
    const exact = this.weights.get(`${name}/kernel`);
    if (exact) return exact;
    let found: number[] | undefined;
    for (const [k, v] of this.weights) {
      if (k.endsWith(`/${name}/kernel`)) {
        if (found) return undefined;
        found = v;
      }
    }
    return found;
  }

  private kernelInit(n: Node | undefined): KernelInit {
    const fw = this.framework;
    if (!n || n.type === 'null') return { spec: defaultInitializer(fw), explicit: false, shared: true, span: n && spanOf(n) };
    const span = spanOf(n);
    const s = str(n);
    if (s !== undefined) return { spec: resolveInitializer(fw, s) ?? unknownInitializer(fw, s), explicit: true, span, shared: true };
    const className = str(prop(n, 'class_name'));
    if (!className) return { spec: unknownInitializer(fw, 'initializer'), explicit: true, span, shared: true };
    const args: InitArgs = {};
    let unreadable = false;
    for (const p of properties(prop(n, 'config'))) {
      const key = p.key.value as string;
      if (key === 'seed' || key === 'dtype') continue;
      const v = p.value;
      if (v.type === 'number' || v.type === 'string' || v.type === 'boolean') args[key] = v.value as number | string | boolean;
      else if (v.type === 'null') continue;
      else unreadable = true;
    }
    let spec = resolveInitializer(fw, className, args);
    // A Constant with a list value is still constant; any other unreadable argument leaves the variance unknown.
    if (spec && unreadable && spec.family !== 'constant') spec = unknownInitializer(fw, className);
    return { spec: spec ?? unknownInitializer(fw, className), explicit: true, span, shared: true };
  }
}

function spanOf(n: Node): Span {
  return { start: n.offset, end: n.offset + n.length };
}

function batchless(s: Dim[] | undefined): Dim[] | undefined {
  return s && s.length >= 2 ? s.slice(1) : undefined;
}

function inputLayerShape(cfg: Node | undefined): Dim[] | undefined {
  return batchless(shapeOf(prop(cfg, 'batch_input_shape'))) ?? batchless(shapeOf(prop(cfg, 'batch_shape'))) ?? shapeOf(prop(cfg, 'shape'));
}

/**
 * The layers a functional layer reads, from its first call: Keras 2 `[[["dense", 0, 0, {}]]]`
 * (TFOpLambda: `[["dense", 0, 0, {...}]]`), Keras 3 `[{"args": [{"class_name": "__keras_tensor__",
 * "config": {"shape": [...], "keras_history": ["dense", 0, 0]}}], "kwargs": {}}]`.
 */
function inboundRefs(nodes: Node | undefined): Array<{ name: string; shape?: Dim[] }> {
  const first = items(nodes)[0];
  if (!first) return [];
  const out: Array<{ name: string; shape?: Dim[] }> = [];
  const visit = (n: Node, depth: number) => {
    if (depth > 8 || out.length > 64) return;
    if (n.type === 'array') {
      const c = n.children ?? [];
      if (c.length >= 3 && c[0].type === 'string' && c[1].type === 'number' && c[2].type === 'number') {
        out.push({ name: c[0].value as string });
        return;
      }
      for (const x of c) visit(x, depth + 1);
    } else if (n.type === 'object') {
      if (str(prop(n, 'class_name')) === '__keras_tensor__') {
        const c = prop(n, 'config');
        const h = items(prop(c, 'keras_history'));
        if (h[0]?.type === 'string') out.push({ name: h[0].value as string, shape: batchless(shapeOf(prop(c, 'shape'))) });
        return;
      }
      // Keras 3 call arguments: positional `args` only (kwargs hold masks, training flags).
      const args = prop(n, 'args');
      if (args) visit(args, depth + 1);
    }
  };
  // Keras 2 wraps one call's refs in a list; TFOpLambda writes the call's refs directly.
  visit(first.type === 'array' && first.children?.[0]?.type === 'string' ? nodes! : first, 0);
  return out;
}

/** `[["input_1", 0, 0]]` (input_layers / output_layers); Keras 3 writes a single ref unwrapped. */
function readRefs(n: Node | undefined): Array<{ name: string }> {
  const list = items(n);
  if (list[0]?.type === 'string') return [{ name: list[0].value as string }];
  return list
    .map((r) => items(r)[0])
    .filter((x): x is Node => x?.type === 'string')
    .map((x) => ({ name: x.value as string }));
}

function findNumber(n: Node | undefined, key: string, depth = 0): number | undefined {
  if (!n || depth > 6) return undefined;
  if (n.type === 'object') {
    const v = num(prop(n, key));
    if (v !== undefined) return v;
  }
  for (const c of n.children ?? []) {
    const v = findNumber(c.type === 'property' ? c.children?.[1] : c, key, depth + 1);
    if (v !== undefined) return v;
  }
  return undefined;
}

/** Reads a layer's config by Keras argument name, for the shared layer algebra. */
function reader(cfg: Node | undefined): ArgReader {
  return (key) => constOf(prop(cfg, key));
}
