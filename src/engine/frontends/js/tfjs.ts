/**
 * The TF.js front end (JavaScript and TypeScript), on the JavaScript interpreter
 * (js/interpreter.ts), which walks the code: this file says what TF.js's names mean. Its values
 * are symbolic tensors and their shapes, layers built by `tf.layers.*` factories (their config
 * objects read lazily), `tf.sequential` and `tf.model` models, and initializers. Layers are
 * judged where they are applied (their fan_in comes from the tensor they receive); a layer
 * without its own `activation` stays open until the next activation layer closes it; a
 * normalization in between marks it normalized.
 */
import type { SyntaxNode as Node, SyntaxTree as Tree } from '../../syntaxTree';
import type { Fix, FrontEndResult, InitTarget, KernelInit, Layer, LayerActivation, Recommendation } from '../../ir';
import { LEAKY_DEFAULT_ALPHA, LINEAR, type ActivationInfo } from '../../activations';
import {
  defaultInitializer,
  isKnownInitializer,
  randomBiasVariance,
  resolveInitializer,
  unknownInitializer,
  type InitArgs,
  type InitSpec,
} from '../../initializers';
import { recommendationFor } from '../../variance';
import { syntaxErrors as treeSyntaxErrors } from '../python/syntax';
import { toShape, type Dim } from '../../shapes';
import * as signal from '../signal';
import type { ModelBuilder, TensorState } from '../signal';
import { CORE_OP_NAMES, tfjsLayerClass, unknownTfjsLayer } from './tfjsLayers';
import { activationLayer, declaredInputShape, mergeOp, namedActivation, reshapedShape, unjudgedShape, weightedGeometry, type ArgReader } from '../keras/layers';
import { insertProperty, quoteStyle, rewriteExplicit, type JsStyle } from './tfjsFix';
import { callArgs, objectLiteral, stringValue, unwrap, type JsArgs, type ObjectLiteral } from './tfjsSyntax';
import { layerKind, layerLabel } from '../describeLayer';
import { Env, JsInterpreter, UNKNOWN, assignedName, spanOf, type Config, type LayerOp, type Value } from './interpreter';

export function analyzeTfjs(tree: Tree, text: string): FrontEndResult {
  return new TfjsFrontEnd(tree, text).run();
}

const TFJS_MODULE = /^@tensorflow\/tfjs(?:-[a-z0-9-]+)?(?:\/.*)?$/;
const TF_IMPORT = /(?:\bfrom\s*|\brequire\s*\(\s*|\bimport\s*\(\s*|\bimport\s+)['"`]@tensorflow\/tfjs/;

class TfjsFrontEnd extends JsInterpreter {
  protected readonly framework = 'tfjs' as const;
  /** Local name -> TF.js path, from the imports (for fixes that name a factory). */
  private readonly locals = new Map<string, string>();
  private readonly style: JsStyle;
  /** The layers each constructor call built (a loop or a helper builds several). */
  private readonly byCall = new Map<number, { layers: Layer[]; recs?: Set<Recommendation> }>();

  constructor(tree: Tree, text: string) {
    super(tree, text);
    let quote: "'" | '"' | undefined;
    this.style = { text, locals: this.locals, quote: () => (quote ??= quoteStyle(tree.rootNode)) };
  }

  // ---- the evaluator core's hooks (eval/evaluator.ts) ----

  /** Every file is read (a script may use the global `tf`); syntax errors only in files that import TF.js. */
  protected applies(): boolean {
    return true;
  }

  protected syntaxErrors(root: Node): string[] {
    return TF_IMPORT.test(this.text) ? treeSyntaxErrors(root) : [];
  }

  protected prepare(root: Node): void {
    this.collectImports(root);
    this.hoist(root, this.module);
  }

  // ---- imports and definitions ----

  private collectImports(root: Node): void {
    for (const stmt of root.descendantsOfType('import_statement')) {
      const source = stmt?.childForFieldName('source');
      const module = source ? stringValue(source) : undefined;
      if (!stmt || !module || !TFJS_MODULE.test(module)) continue;
      const clause = stmt.namedChildren.find((c) => c?.type === 'import_clause');
      for (const c of clause?.namedChildren ?? []) {
        if (!c) continue;
        if (c.type === 'identifier') this.bindImport(c.text, 'tf');
        else if (c.type === 'namespace_import') {
          const id = c.namedChildren.find((n) => n?.type === 'identifier');
          if (id) this.bindImport(id.text, 'tf');
        } else if (c.type === 'named_imports') {
          for (const spec of c.namedChildren) {
            if (spec?.type !== 'import_specifier') continue;
            const name = spec.childForFieldName('name');
            const alias = spec.childForFieldName('alias') ?? name;
            const imported = name ? (name.type === 'string' ? stringValue(name) : name.text) : undefined;
            if (alias && imported) this.bindImport(alias.text, `tf.${imported}`);
          }
        }
      }
    }
  }

  private bindImport(local: string, path: string): void {
    this.locals.set(local, path);
    this.module.declare(local, { t: 'path', path });
  }

  /** `import('@tensorflow/tfjs')` and `require(...)` of a TF.js package: the `tf` namespace. */
  protected moduleValue(specifier: string): Value {
    return TFJS_MODULE.test(specifier) ? { t: 'path', path: 'tf' } : UNKNOWN;
  }

  /** A script that uses the global `tf` of a <script> tag. */
  protected globalValue(name: string): Value | undefined {
    return name === 'tf' ? { t: 'path', path: 'tf' } : undefined;
  }

  /** `model.add(layer)`, `layer.apply(x)`, `model.predict(x)`, `model.compile(...)`. */
  protected frameworkMethod(obj: Value, objNode: Node | null, method: string, args: JsArgs, env: Env, model: ModelBuilder): Value | undefined {
    const first = () => (args.items[0] ? this.eval(args.items[0], env, model) : UNKNOWN);
    if (method === 'add' && (obj.t === 'seq' || obj.t === 'unknown')) {
      const v = first();
      if (obj.t === 'seq') {
        obj.st = this.applyItem(v, obj.st);
        return UNKNOWN;
      }
      // `model.add(...)` on a parameter or unknown receiver: a model of this scope from here on.
      if ((v.t === 'op' || v.t === 'seq') && objNode && unwrap(objNode).type === 'identifier') {
        const seq: Value = { t: 'seq', model, st: { model, normSeen: false } };
        seq.st = this.applyItem(v, seq.st);
        env.assign(unwrap(objNode).text, seq);
        return UNKNOWN;
      }
      return undefined;
    }
    if (obj.t === 'op' && method === 'apply') {
      const input = first();
      return { t: 'tensor', st: this.applyOp(obj.op, this.inputState(input, model)) };
    }
    if (obj.t === 'seq') {
      if (method === 'apply' || method === 'predict' || method === 'call' || method === 'execute') {
        this.consume(first());
        return this.freshTensor(model);
      }
      // compile, fit, summary, save...: arguments may hold callbacks.
      this.evalArgs(args, env, model);
      return UNKNOWN;
    }
    return undefined;
  }

  /** A call of a TF.js path: `tf.sequential`, `tf.model`, `tf.input`, `tf.layers.*`, `tf.initializers.*`, `Array(n)`. */
  protected callPath(path: string, node: Node, args: JsArgs, env: Env, model: ModelBuilder): Value | undefined {
    if (!path.startsWith('tf.')) return undefined;
    const rest = path.slice(3);
    const name = rest.slice(rest.lastIndexOf('.') + 1);
    if (rest === 'sequential') return this.sequential(node, args, env, model);
    if (rest === 'model') return this.functionalModel(node, args, env, model);
    if (rest === 'input') {
      const cfg = this.readConfig(args.items[0], env, model);
      const st: TensorState = {
        model: this.newModel(env.scopeName(), spanOf(node)),
        normSeen: false,
        shape: this.shapeFrom(cfg, 'shape') ?? this.shapeFrom(cfg, 'batchShape', true),
      };
      return { t: 'tensor', st };
    }
    if (rest === `layers.${name}` || (rest === name && tfjsLayerClass(name) && (!CORE_OP_NAMES.has(name) || this.looksLikeConfig(args, env, model)))) {
      const { cls, className } = tfjsLayerClass(name) ?? unknownTfjsLayer(name);
      const op: LayerOp = { cls, name, className, call: node, config: this.readConfig(args.items[0], env, model), applied: false };
      return { t: 'op', op };
    }
    if (isKnownInitializer('tfjs', name) && (rest === `initializers.${name}` || (rest === name && !CORE_OP_NAMES.has(name)))) {
      return { t: 'init', call: node, env, name };
    }
    return undefined;
  }

  /** A bare `conv2d(...)`: the layer factory when called with one config object, else the tfjs-core op. */
  private looksLikeConfig(args: JsArgs, env: Env, model: ModelBuilder): boolean {
    if (args.items.length === 0) return true;
    if (args.items.length !== 1) return false;
    const a = unwrap(args.items[0]);
    return a.type === 'object' || this.eval(a, env, model).t === 'obj';
  }

  private readConfig(arg: Node | undefined, env: Env, model: ModelBuilder): Config {
    const empty: Config = { props: new Map(), env, open: false, shared: false, text: '' };
    if (!arg) return empty;
    const node = unwrap(arg);
    if (node.type === 'object') {
      const lit = objectLiteral(node);
      return { props: lit.props, env, literal: node, open: lit.open, shared: false, text: node.text };
    }
    const v = this.eval(node, env, model);
    if (v.t === 'obj') {
      const lit: ObjectLiteral = objectLiteral(v.node);
      return { props: lit.props, env: v.env, open: lit.open, shared: true, text: node.text };
    }
    return { ...empty, open: true, shared: true, text: node.text };
  }

  private sequential(node: Node, args: JsArgs, env: Env, outer: ModelBuilder): Value {
    const model = this.newModel(env.scopeName(), spanOf(node));
    model.name = assignedName(node);
    let st: TensorState = { model, normSeen: false };
    const cfg = this.readConfig(args.items[0], env, outer);
    const layers = cfg.props.get('layers');
    if (layers) {
      const list = unwrap(layers.value);
      if (list.type === 'array') {
        for (const item of list.namedChildren) {
          if (!item || item.type === 'comment') continue;
          st = this.applyItem(this.eval(item, cfg.env, model), st);
        }
      } else {
        st = this.applyItem(this.eval(list, cfg.env, model), st);
      }
    }
    return { t: 'seq', model, st };
  }

  private functionalModel(node: Node, args: JsArgs, env: Env, model: ModelBuilder): Value {
    const cfg = this.readConfig(args.items[0], env, model);
    const get = (key: string): Value => {
      const p = cfg.props.get(key);
      return p ? this.eval(p.value, cfg.env, model) : UNKNOWN;
    };
    const inputs = get('inputs');
    const outputs = get('outputs');
    this.consume(outputs);
    const target = assignedName(node);
    if (target) {
      for (const owner of [...this.tensorModels(outputs), ...this.tensorModels(inputs)]) owner.name ??= target;
    }
    return UNKNOWN;
  }

  // ---- tensors and layers ----

  protected applyOp(op: LayerOp, st: TensorState): TensorState {
    op.applied = true;
    switch (op.cls.role) {
      case 'activation': {
        const info = this.activationOfLayer(op);
        return signal.activateOrClose(st, info && { info, span: spanOf(op.call) });
      }
      case 'norm':
        return signal.normalize(st);
      case 'passthrough':
        return { ...st, shape: st.shape ?? this.inputShapeOf(op) };
      case 'input':
        return { ...st, shape: this.inputShapeOf(op) };
      case 'merge': {
        signal.close(st);
        // The inputs were combined when read (inputState); the factory says how.
        const flow = st.flow?.kind === 'merge' ? { ...st.flow, op: mergeOp(op.className) } : st.flow;
        return { model: st.model, normSeen: st.normSeen, shape: st.shape, flow };
      }
      case 'reshape':
        return { ...st, shape: this.reshape(op, st.shape ?? this.inputShapeOf(op)) };
      case 'unjudged':
        return signal.opaque(st, this.unjudgedShape(op, st.shape ?? this.inputShapeOf(op)));
      case 'weighted':
        return this.applyWeighted(op, st);
    }
  }

  private activationOfLayer(op: LayerOp): ActivationInfo | undefined {
    if (op.className === 'Activation') {
      const a = op.config.props.get('activation');
      return a ? this.activationValue(a.value, op.config.env)?.info : undefined;
    }
    return activationLayer(op.className, op.cls, this.reader(op), LEAKY_DEFAULT_ALPHA.tfjs);
  }

  /**
   * An `activation` option: a TF.js activation identifier, or null/undefined (linear). A name the
   * catalogue does not know leaves the layer unjudged (rules.md v2), never linear; a value that
   * cannot be read (a variable bound elsewhere) is undefined.
   */
  private activationValue(node: Node, env: Env): LayerActivation | undefined {
    const c = this.constOf(node, env);
    const span = spanOf(unwrap(node));
    if (c === null) return { info: LINEAR, span };
    if (typeof c !== 'string') return undefined;
    return { info: namedActivation(c, LEAKY_DEFAULT_ALPHA.tfjs), span };
  }

  /** Reads a layer config by Keras argument name: `kernel_size` is written `kernelSize` in TF.js. */
  private reader(op: LayerOp): ArgReader {
    return (key) => {
      const p = op.config.props.get(key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()));
      return p ? this.constOf(p.value, op.config.env) : undefined;
    };
  }

  private shapeFrom(cfg: Config, key: string, batch = false): Dim[] | undefined {
    const p = cfg.props.get(key);
    const s = p ? toShape(this.constOf(p.value, cfg.env)) : undefined;
    return batch ? s?.slice(1) : s;
  }

  /** `inputShape`, `batchInputShape` or `inputDim` of a layer config (TF.js reads them on a model's first layer). */
  private inputShapeOf(op: LayerOp): Dim[] | undefined {
    return declaredInputShape(op.cls, this.reader(op));
  }

  private reshape(op: LayerOp, shape: Dim[] | undefined): Dim[] | undefined {
    return reshapedShape(op.className, op.cls, this.reader(op), shape);
  }

  private unjudgedShape(op: LayerOp, shape: Dim[] | undefined): Dim[] | undefined {
    return unjudgedShape(op.className, this.reader(op), shape);
  }

  /** A layer object applied more than once (a shared layer) is one IR layer: one node of the graph. */
  private readonly made = new Map<LayerOp, { layer: Layer; outShape?: Dim[]; ownActivation: boolean }>();

  private applyWeighted(op: LayerOp, st: TensorState): TensorState {
    const inShape = st.shape ?? this.inputShapeOf(op);
    const made = this.made.get(op) ?? this.makeLayer(op, inShape, st.normSeen);
    this.made.set(op, made);
    return { ...signal.enterLayer(made.layer, st, this.counter, made.ownActivation), shape: made.outShape };
  }

  private makeLayer(op: LayerOp, inShape: Dim[] | undefined, normalizedBefore: boolean): { layer: Layer; outShape?: Dim[]; ownActivation: boolean } {
    const { cls, config, call } = op;
    const rank = cls.rank;
    const { fanIn, fanOut, receptiveField, outShape } = weightedGeometry(cls, this.reader(op), inShape);
    const shown = (key: string) => {
      const p = config.props.get(key);
      return p?.node.type === 'shorthand_property_identifier' ? key : p ? `${key}: ${p.value.text}` : undefined;
    };
    const parts = (rank === undefined ? [shown('units')] : [shown('filters'), shown('kernelSize')]).filter((p) => p !== undefined);
    let label = parts.length ? `${op.name}({${parts.join(', ')}})` : `${op.name}(${config.text})`;
    label = label.replace(/\s+/g, ' ');

    const actProp = config.props.get('activation');
    const own = actProp ? this.activationValue(actProp.value, config.env) : undefined;
    const ownActivation = !!own && own.info.name !== 'linear';
    const init = this.kernelInit(op);
    const biasVariance = op.config.props.has('biasInitializer')
      ? randomBiasVariance(this.kernelInit(op, 'biasInitializer').init.spec, this.reader(op)('use_bias'))
      : undefined;
    const style = this.style;
    const literal = config.literal && !config.open ? config.literal : undefined;
    let siblings = this.byCall.get(call.id);
    if (!siblings) this.byCall.set(call.id, (siblings = { layers: [] }));
    const layer: Layer = {
      kind: layerKind(rank, cls.transpose),
      label: layerLabel(label),
      span: spanOf(call),
      fanIn,
      fanOut,
      receptiveField,
      init: init.init,
      ...(biasVariance ? { biasVariance } : {}),
      activation: own && ownActivation ? own : { info: LINEAR },
      normalized: false,
      normalizedBefore,
      rewrite(to: InitTarget): Fix | undefined {
        // One call that builds layers under different activations (a helper called twice): no
        // single initializer suits them all.
        if (!literal) return undefined;
        // A gain is one layer's own: not for a call that builds several.
        if (typeof to !== 'string')
          return siblings.layers.length > 1 ? undefined : init.written ? rewriteExplicit(style, init.written, to) : insertProperty(style, literal, to);
        // Read once the analysis is over, when every sibling's activation is known.
        siblings.recs ??= new Set(siblings.layers.map((l) => recommendationFor(l.activation.info, 'tfjs')));
        if (siblings.recs.size > 1 || !siblings.recs.has(to)) return undefined;
        if (init.written) return rewriteExplicit(style, init.written, to);
        return insertProperty(style, literal, to);
      },
    };
    siblings.layers.push(layer);
    return { layer, outShape, ownActivation };
  }

  /** The `kernelInitializer` option: absent (glorotNormal), a string, an initializer object, a variable bound to one. */
  private kernelInit(op: LayerOp, key = 'kernelInitializer'): { init: KernelInit; written?: Node } {
    const dflt = (): KernelInit => ({ spec: defaultInitializer('tfjs'), explicit: false, shared: false });
    const p = op.config.props.get(key);
    if (!p) return { init: dflt() };
    const env = op.config.env;
    const node = p.value.type === 'shorthand_property_identifier' ? p.value : unwrap(p.value);
    const span = spanOf(node);
    const shared = op.config.shared;
    const c = this.constOf(node, env);
    // TF.js reads `args.kernelInitializer || default`: null, undefined and '' mean the default.
    if (c === null || c === '' || c === false || c === 0) return { init: dflt(), written: node };
    let spec: InitSpec | undefined;
    if (typeof c === 'string') spec = resolveInitializer('tfjs', c) ?? unknownInitializer('tfjs', c);
    else {
      const v = this.eval(node, env, this.scratch());
      if (v.t === 'init') spec = this.initFromCall(v.name, v.call, v.env);
      else if (v.t === 'obj') spec = this.initFromSerialized(v.node, v.env);
      else if (v.t === 'const' && typeof v.v === 'string') spec = resolveInitializer('tfjs', v.v);
      else if (node.type === 'call_expression' || node.type === 'new_expression') {
        // `initializers.zeros()` and friends under a name tfjs-core also uses.
        const fn = node.childForFieldName(node.type === 'new_expression' ? 'constructor' : 'function');
        const path = fn ? this.eval(fn, env, this.scratch()) : UNKNOWN;
        const name = path.t === 'path' ? path.path.slice(path.path.lastIndexOf('.') + 1) : '';
        if (path.t === 'path' && path.path.startsWith('tf.') && isKnownInitializer('tfjs', name)) spec = this.initFromCall(name, node, env);
      }
    }
    return {
      init: { spec: spec ?? unknownInitializer('tfjs', node.text.slice(0, 60)), explicit: true, span, shared },
      written: node,
    };
  }

  /** `tf.initializers.randomNormal({stddev: 0.01, seed: 1})`: its numbers read from the config object. */
  private initFromCall(name: string, call: Node, env: Env): InitSpec | undefined {
    const arg = callArgs(call).items[0];
    if (!arg) return resolveInitializer('tfjs', name);
    const node = unwrap(arg);
    let obj: Node | undefined;
    let objEnv = env;
    if (node.type === 'object') obj = node;
    else {
      const v = this.eval(node, env, this.scratch());
      if (v.t === 'obj') {
        obj = v.node;
        objEnv = v.env;
      } else if (!(v.t === 'const' && v.v === null)) return unknownInitializer('tfjs', name);
    }
    if (!obj) return resolveInitializer('tfjs', name);
    const values = this.readInitArgs(obj, objEnv);
    return values ? resolveInitializer('tfjs', name, values) : unknownInitializer('tfjs', name);
  }

  /** `{className: 'HeNormal', config: {...}}`: a serialized initializer, as `getInitializer` accepts. */
  private initFromSerialized(node: Node, env: Env): InitSpec | undefined {
    const lit = objectLiteral(node);
    const cls = lit.props.get('className');
    const name = cls ? this.constOf(cls.value, env) : undefined;
    if (typeof name !== 'string' || !isKnownInitializer('tfjs', name)) return undefined;
    const cfg = lit.props.get('config');
    const cfgNode = cfg ? unwrap(cfg.value) : undefined;
    if (!cfgNode) return resolveInitializer('tfjs', name);
    if (cfgNode.type !== 'object') return unknownInitializer('tfjs', name);
    const values = this.readInitArgs(cfgNode, env);
    return values ? resolveInitializer('tfjs', name, values) : unknownInitializer('tfjs', name);
  }

  /** The numbers of an initializer config; undefined when one that matters cannot be read (`{stddev: cfg.std}`). */
  private readInitArgs(obj: Node, env: Env): InitArgs | undefined {
    const lit = objectLiteral(obj);
    if (lit.open) return undefined;
    const values: InitArgs = {};
    for (const [key, p] of lit.props) {
      if (key === 'seed' || key === 'dtype') continue;
      const v = this.constOf(p.value, env);
      if (v === undefined || Array.isArray(v)) return undefined;
      values[key] = v;
    }
    return values;
  }
}
