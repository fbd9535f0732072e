/**
 * The Keras / tf.keras front end: what Keras names mean to the Python interpreter. Layers
 * are judged where they are applied (their fan_in comes from the tensor they receive); a
 * `Sequential` carries its own running tensor; `activation=` arguments, activation layers and
 * `tf.nn` functions close the layer they follow.
 */
import type { SyntaxNode as Node } from '../../syntaxTree';
import type { Fix, KernelInit, Layer, LayerActivation, Recommendation } from '../../ir';
import { LEAKY_DEFAULT_ALPHA, LINEAR, unknownActivation, type ActivationInfo } from '../../activations';
import {
  defaultInitializer, initializerParams, isKnownInitializer, randomBiasVariance, resolveInitializer, unknownInitializer, type InitArgs,
} from '../../initializers';
import { lastSegment, type ImportTable } from './names';
import {
  activationLayer, declaredInputShape, kerasLayerClass, mergeOp, MERGE_FUNCTIONS, reshapedShape, unjudgedShape,
  weightedGeometry,
} from '../keras/layers';
import { insertKeyword, quoteStyle, rewriteExplicit, type PythonStyle } from './kerasFix';
import { argument, callArgs, spanOf, type CallArgs } from './syntax';
import {
  assignedName, PythonInterpreter, UNKNOWN,
  type Dim, type Env, type LayerClass, type LayerOp, type ModelBuilder, type TensorState, type Value,
} from './interpreter';
import * as signal from '../signal';
import type { SyntaxTree as Tree } from '../../syntaxTree';
import { layerKind, pythonCallLabel } from '../describeLayer';

/** Qualified prefixes whose members are activation functions applied to a tensor. */
const ACTIVATION_FUNCTION_PREFIXES = ['keras.activations', 'keras.ops', 'keras.ops.nn', 'keras.backend', 'tensorflow.nn', 'tensorflow.math', 'tensorflow'];

export class KerasFrontEnd extends PythonInterpreter {
  protected readonly framework = 'keras' as const;
  protected readonly forwardMethods = ['call', '__call__'] as const;
  private readonly style: PythonStyle;

  constructor(tree: Tree, text: string, imports?: ImportTable) {
    super(tree, text, imports);
    // The quote style is read only when a fix is built.
    let quote: "'" | '"' | undefined;
    this.style = { text, get quote() { return (quote ??= quoteStyle(text)); }, aliases: this.imports.aliases };
  }

  /** True when the module imports Keras in any spelling. */
  protected applies(): boolean {
    for (const p of this.imports.aliases.values()) if (p === 'keras' || p.startsWith('keras.') || p === 'tensorflow') return true;
    return this.imports.wildcards.some((w) => w.startsWith('keras'));
  }

  protected override fromWildcard(module: string, name: string): boolean {
    return module.startsWith('keras') && (!!kerasLayerClass(name) || isKnownInitializer('keras', name) || module === 'keras');
  }

  protected override callMethod(obj: Value, method: string, _node: Node, args: CallArgs, env: Env, model: ModelBuilder): Value | undefined {
    if (obj.t === 'seq' && method === 'add') {
      const a = args.positional[0] ? this.eval(args.positional[0], env, model) : UNKNOWN;
      obj.st = this.applyValue(a, obj.st, env);
      return UNKNOWN;
    }
    return undefined;
  }

  protected isModelClass(cls: Node): boolean {
    const supers = cls.childForFieldName('superclasses');
    if (!supers) return false;
    return supers.namedChildren.some((s) => {
      if (!s) return false;
      const q = this.qualify(s, this.module);
      return !!q && (q.startsWith('keras.') || q === 'keras');
    });
  }

  protected callPath(path: string, node: Node, args: CallArgs, env: Env, model: ModelBuilder): Value | undefined {
    const name = lastSegment(path);
    if (path.startsWith('keras.')) {
      if (name === 'Sequential') return this.sequential(node, args, env, model);
      if (name === 'Model' || name === 'Functional') {
        const { pos, kw } = this.evalArgs(args, env, model);
        [...pos, ...kw.values()].forEach((v) => this.consume(v));
        const owner = this.tensorModel(kw.get('outputs') ?? pos[1]);
        const target = assignedName(node);
        if (owner && target && !owner.name && owner.scopeName === 'model') owner.name = target;
        return UNKNOWN;
      }
      if (isKerasInitializerPath(path)) return { t: 'init', node, env };
      const cls = kerasLayerClass(name);
      if (cls) {
        if (cls.role === 'input' && name === 'Input') {
          const st: TensorState = { model: model, normSeen: false, shape: this.inputShapeOf(cls, callArgs(node), env) };
          return { t: 'tensor', st };
        }
        // Arguments may hold nested calls (an activation layer instance).
        const op: LayerOp = { cls, className: name, call: node, args, env, applied: false };
        return { t: 'op', op };
      }
      if (MERGE_FUNCTIONS.has(name) && path.startsWith('keras.layers')) {
        const first = args.positional[0] ? this.eval(args.positional[0], env, model) : UNKNOWN;
        return this.merge(first.t === 'list' ? first.items : [first], model, mergeOp(name));
      }
    }
    if (ACTIVATION_FUNCTION_PREFIXES.some((p) => path === `${p}.${name}`)) {
      const leaky = path.startsWith('tensorflow') ? LEAKY_DEFAULT_ALPHA.tf_nn : LEAKY_DEFAULT_ALPHA.keras;
      // keras.activations holds only activations; tf.nn, tf.math and keras.ops hold other functions too.
      const info = path === `keras.activations.${name}` && !['get', 'serialize', 'deserialize'].includes(name)
        ? this.activationFromWrittenName(name, args, env, leaky)
        : this.activationFromName(name, args, env, leaky);
      if (info) return this.activationCall(info, node, args.positional[0] ? this.eval(args.positional[0], env, model) : UNKNOWN);
    }
    return undefined;
  }


  // ---- Sequential and the functional API ----

  private sequential(node: Node, args: CallArgs, env: Env, outer: ModelBuilder): Value {
    const target = assignedName(node);
    const model = this.newModel(outer.scopeName, spanOf(node));
    if (target && outer.scopeName === 'model') model.name = target;
    else if (target && this.models.some((m) => m !== model && m.scopeName === outer.scopeName && m.layers.length > 0)) model.name = target;
    let st: TensorState = { model, normSeen: false };
    const layersArg = argument(args, 'layers', 0);
    if (layersArg) {
      const items = layersArg.type === 'list' || layersArg.type === 'tuple'
        ? layersArg.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment')
        : [];
      if (items.length) {
        for (const item of items) st = this.applyValue(this.eval(item, env, model), st, env);
      } else {
        const v = this.eval(layersArg, env, model);
        for (const item of v.t === 'list' ? v.items : [v]) st = this.applyValue(item, st, env);
      }
    }
    return { t: 'seq', model, st, node };
  }

  /** Apply a Sequential item (a layer instance, an Input tensor, a nested list) to the running state. */
  private applyValue(v: Value, st: TensorState, env: Env): TensorState {
    if (v.t === 'op') return this.applyOp(v.op, st);
    if (v.t === 'tensor') return { ...st, shape: v.st.shape };
    if (v.t === 'list') return v.items.reduce((s, item) => this.applyValue(item, s, env), st);
    if (v.t === 'seq') {
      for (const l of v.model.layers) st.model.layers.push(l);
      v.model.layers = [];
      return { model: st.model, normSeen: false };
    }
    return signal.opaque(st);
  }

  protected applyOp(op: LayerOp, st: TensorState): TensorState {
    op.applied = true;
    const { cls, args, env } = op;
    switch (cls.role) {
      case 'activation':
        return this.activationLayer(this.activationOfLayer(op), op, st);
      case 'norm':
        return signal.normalize(st);
      case 'passthrough':
        return { ...st, shape: st.shape ?? this.inputShapeOf(cls, args, env) };
      case 'input':
        return { ...st, shape: this.inputShapeOf(cls, args, env) };
      case 'merge': {
        signal.close(st);
        // The inputs were combined when read (inputState); the layer's class says how.
        const flow = st.flow?.kind === 'merge' ? { ...st.flow, op: mergeOp(op.className) } : st.flow;
        return { model: st.model, normSeen: st.normSeen, shape: st.shape, flow };
      }
      case 'reshape':
        return { ...st, shape: this.reshape(op, st.shape ?? this.inputShapeOf(cls, args, env)) };
      case 'unjudged':
        return signal.opaque(st, this.unjudgedShape(op, st.shape ?? this.inputShapeOf(cls, args, env)));
      case 'weighted':
        return this.applyWeighted(op, st);
    }
  }

  private activationOfLayer(op: LayerOp): ActivationInfo | undefined {
    const { cls, args, env } = op;
    if (op.className === 'Activation') {
      const a = argument(args, 'activation', 0);
      return a ? this.activationValue(a, env)?.info : undefined;
    }
    return activationLayer(op.className, cls, this.argReader(cls, args, env), LEAKY_DEFAULT_ALPHA.keras);
  }

  /**
   * An `activation=` value: a string, None, a function path, a function of this file, or a layer
   * instance. Whatever stands there is the layer's activation, so a name the catalogue does not
   * know (`"my_act"`, `tf.nn.crelu`, `def my_act(x)`) leaves the layer unjudged (rules.md v2),
   * never linear; a value that cannot be read (a parameter, a lambda) is undefined.
   */
  private activationValue(node: Node, env: Env): LayerActivation | undefined {
    const c = this.constOf(node, env);
    if (c === null) return { info: LINEAR, span: spanOf(node) };
    if (typeof c === 'string') {
      // The string names the function keras.activations.leaky_relu, whose slope is 0.2 (the
      // LeakyReLU layer's default, 0.3, applies to the layer only).
      return { info: this.activationFromWrittenName(c, undefined, env, LEAKY_DEFAULT_ALPHA.tf_nn), span: spanOf(node) };
    }
    const v = this.eval(node, env, this.scratch());
    if (v.t === 'path') {
      const leaky = v.path.startsWith('tensorflow') ? LEAKY_DEFAULT_ALPHA.tf_nn : LEAKY_DEFAULT_ALPHA.keras;
      return { info: this.activationFromWrittenName(lastSegment(v.path), undefined, env, leaky), span: spanOf(node) };
    }
    if (v.t === 'func') {
      // A function of this file: its body is not read, so its name says nothing certain.
      const name = v.node.childForFieldName('name')?.text;
      return name ? { info: unknownActivation(name), span: spanOf(node) } : undefined;
    }
    if (v.t === 'op' && v.op.cls.role === 'activation') {
      const info = this.activationOfLayer(v.op);
      return info ? { info, span: spanOf(node) } : undefined;
    }
    return undefined;
  }

  private inputShapeOf(cls: LayerClass, args: CallArgs, env: Env): Dim[] | undefined {
    return declaredInputShape(cls, this.argReader(cls, args, env));
  }

  private reshape(op: LayerOp, shape: Dim[] | undefined): Dim[] | undefined {
    return reshapedShape(op.className, op.cls, this.argReader(op.cls, op.args, op.env), shape);
  }

  private unjudgedShape(op: LayerOp, shape: Dim[] | undefined): Dim[] | undefined {
    return unjudgedShape(op.className, this.argReader(op.cls, op.args, op.env), shape);
  }

  /** A layer object applied more than once (a shared layer) is one IR layer: one node of the graph. */
  private readonly made = new Map<LayerOp, { layer: Layer; outShape?: Dim[]; ownActivation: boolean } | undefined>();

  private applyWeighted(op: LayerOp, st: TensorState): TensorState {
    const inShape = st.shape ?? this.inputShapeOf(op.cls, op.args, op.env);
    const made = this.made.has(op) ? this.made.get(op) : this.makeLayer(op, inShape, st.normSeen);
    this.made.set(op, made);
    if (!made) {
      return signal.opaque(st);
    }
    return { ...this.enterLayer(made.layer, st, made.ownActivation), shape: made.outShape };
  }

  private makeLayer(op: LayerOp, inShape: Dim[] | undefined, normalizedBefore: boolean):
    { layer: Layer; outShape?: Dim[]; ownActivation: boolean } | undefined {
    const { cls, args, env, call } = op;
    const { fanIn, fanOut, receptiveField, outShape } = weightedGeometry(cls, this.argReader(cls, args, env), inShape);
    // `Dense(64)`, `Dense(units=64)`, `Conv2D(filters=32, kernel_size=3)`: sizes as written.
    const label = pythonCallLabel(op.className, args.positional.map((p) => p.text), [...args.keywords].map(([k, n]) => [k, n.text]));

    const actNode = argument(args, 'activation', cls.params.indexOf('activation') >= 0 ? cls.params.indexOf('activation') : undefined);
    const own = actNode ? this.activationValue(actNode, env) : undefined;
    const ownActivation = !!own && own.info.name !== 'linear';
    const initNode = argument(args, 'kernel_initializer', cls.params.indexOf('kernel_initializer') >= 0 ? cls.params.indexOf('kernel_initializer') : undefined);
    const init = this.kernelInit(initNode, env);
    // Var(b): Keras's default bias is zeros; a random bias_initializer counts in q (rules.md v2).
    const biasNode = args.keywords.get('bias_initializer');
    const biasVariance = randomBiasVariance(biasNode && this.kernelInit(biasNode, env).init.spec, this.argReader(cls, args, env)('use_bias'));
    const style = this.style;
    const understood = args.positional.length <= cls.params.length && !args.splat;
    const layer: Layer = {
      kind: layerKind(cls.rank, cls.transpose),
      label,
      span: spanOf(call),
      fanIn, fanOut, receptiveField,
      init: init.init,
      biasVariance,
      activation: own && ownActivation ? own : { info: LINEAR },
      normalized: false,
      normalizedBefore,
      rewrite(to: Recommendation): Fix | undefined {
        if (!understood) return undefined;
        if (init.written) return rewriteExplicit(style, init.written, to);
        return insertKeyword(style, call, to);
      },
    };
    return { layer, outShape, ownActivation };
  }

  private kernelInit(node: Node | undefined, env: Env): { init: KernelInit; written?: Node } {
    if (!node) return { init: { spec: defaultInitializer('keras'), explicit: false, shared: false } };
    const c = this.constOf(node, env);
    // `kernel_initializer=None` means the default; the fix replaces the None.
    if (c === null) return { init: { spec: defaultInitializer('keras'), explicit: false, shared: false }, written: node };
    let spec = typeof c === 'string' ? resolveInitializer('keras', c) : undefined;
    if (!spec) {
      const v = this.eval(node, env, this.scratch());
      if (v.t === 'init') spec = this.initFromCall(v.node, v.env);
      else if (v.t === 'path' && isKerasInitializerPath(v.path)) spec = resolveInitializer('keras', lastSegment(v.path));
    }
    return {
      init: { spec: spec ?? unknownInitializer('keras', node.text), explicit: true, span: spanOf(node), shared: false },
      written: node,
    };
  }

  private initFromCall(call: Node, env: Env) {
    const fn = call.childForFieldName('function');
    const q = fn ? this.qualify(fn, env) : undefined;
    if (!q) return undefined;
    const name = lastSegment(q);
    const args = callArgs(call);
    const params = initializerParams('keras', name);
    const values: InitArgs = {};
    let unreadable = false;
    const read = (key: string | undefined, n: Node) => {
      if (!key || key === 'seed' || key === 'dtype') return;
      const v = this.constOf(n, env);
      if (v === undefined || Array.isArray(v)) unreadable = true;
      else values[key] = v;
    };
    args.positional.forEach((p, i) => read(params[i], p));
    for (const [k, n] of args.keywords) read(k, n);
    // `RandomNormal(stddev=cfg.std)`: the variance is unknown, not the default's.
    if (unreadable) return unknownInitializer('keras', name);
    return resolveInitializer('keras', name, values);
  }
}

function isKerasInitializerPath(path: string): boolean {
  return path.startsWith('keras.initializers.') && isKnownInitializer('keras', lastSegment(path));
}
