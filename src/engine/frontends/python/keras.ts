/**
 * The Keras / tf.keras front end: what Keras names mean to the Python interpreter. Layers
 * are judged where they are applied (their fan_in comes from the tensor they receive); a
 * `Sequential` carries its own running tensor; `activation=` arguments, activation layers and
 * `tf.nn` functions close the layer they follow.
 */
import type { SyntaxNode as Node } from '../../syntaxTree';
import type { Fix, InitTarget, KernelInit, Layer, LayerActivation } from '../../ir';
import { LEAKY_DEFAULT_ALPHA, LINEAR, unknownActivation, type ActivationInfo } from '../../activations';
import {
  defaultInitializer,
  initializerParams,
  isKnownInitializer,
  randomBiasVariance,
  resolveInitializer,
  unknownInitializer,
  type InitSpec,
} from '../../initializers';
import { lastSegment, type ImportTable } from './names';
import {
  activationLayer,
  declaredInputShape,
  kerasLayerClass,
  mergeOp,
  MERGE_FUNCTIONS,
  reshapedShape,
  unjudgedShape,
  keras1Class,
  tf1LayerFunction,
  weightedGeometry,
} from '../keras/layers';
import { toShape } from '../../shapes';
import { insertArgument, insertKeyword, quoteStyle, rewriteExplicit, rewriteTfCore, tfKerasInitializer, type PythonStyle } from './kerasFix';
import { argument, callArgs, spanOf, type CallArgs } from './syntax';
import {
  assignedName,
  keyParts,
  PythonInterpreter,
  UNKNOWN,
  type Dim,
  type Env,
  type LayerClass,
  type LayerOp,
  type ModelBuilder,
  type TensorState,
  type Value,
} from './interpreter';
import * as signal from '../signal';
import type { SyntaxTree as Tree } from '../../syntaxTree';
import { layerKind, pythonCallLabel } from '../describeLayer';

/** Qualified prefixes whose members are activation functions applied to a tensor. */
const ACTIVATION_FUNCTION_PREFIXES = ['keras.activations', 'keras.ops', 'keras.ops.nn', 'keras.backend', 'tensorflow.nn', 'tensorflow.math', 'tensorflow'];

/** Signs of TF1's graph API: a file with these runs TF1 semantics (bare `tf.*_initializer` defaults). */
const TF1_STYLE = /\btf\.(?:placeholder|Session|get_variable|layers\.\w+\(|contrib\.|variable_scope)|disable_v2_behavior/;

/** The class name of a raw weight's op (tf.Variable, tf.get_variable): applied by matmul and conv, not called. */
const RAW_WEIGHT = 'tf.Variable';
/** TF ops that make a raw weight's initial value (the catalogue's `tf.*` rows of random_ops.py and array_ops.py). */
const RAW_INIT_OPS = new Set([
  'tf.random_normal',
  'tf.random.normal',
  'tf.truncated_normal',
  'tf.random.truncated_normal',
  'tf.random_uniform',
  'tf.random.uniform',
  'tf.zeros',
  'tf.ones',
  'tf.constant',
]);

/** Initializer arguments that leave the distribution as it is. */
const KERAS_NEUTRAL_ARGS = new Set(['seed', 'dtype']);
/** The same for TF1's raw ops (`tf.random_normal(shape, stddev=...)`), whose shape is read apart. */
const RAW_OP_NEUTRAL_ARGS = new Set(['seed', 'dtype', 'shape', 'name']);

export class KerasFrontEnd extends PythonInterpreter {
  protected readonly framework = 'keras' as const;
  protected readonly forwardMethods = ['call', '__call__'] as const;
  protected override readonly buildMethods = ['build'] as const;
  private readonly style: PythonStyle;

  constructor(tree: Tree, text: string, imports?: ImportTable) {
    super(tree, text, imports);
    // The quote style is read only when a fix is built.
    let quote: "'" | '"' | undefined;
    this.style = {
      text,
      get quote() {
        return (quote ??= quoteStyle(text));
      },
      aliases: this.imports.aliases,
    };
  }

  /** True when the module imports Keras in any spelling. */
  protected applies(): boolean {
    for (const p of this.imports.aliases.values())
      if (p === 'keras' || p.startsWith('keras.') || p === 'tensorflow' || p.startsWith('tensorflow.')) return true;
    return this.imports.wildcards.some((w) => w.startsWith('keras'));
  }

  protected override fromWildcard(module: string, name: string): boolean {
    return module.startsWith('keras') && (!!kerasLayerClass(name) || isKnownInitializer('keras', name) || module === 'keras');
  }

  protected override callMethod(obj: Value, method: string, _node: Node, args: CallArgs, env: Env, model: ModelBuilder): Value | undefined {
    if (obj.t === 'seq' && method === 'add') {
      const a = args.positional[0] ? this.eval(args.positional[0], env, model) : UNKNOWN;
      obj.st = this.applyItem(a, obj.st);
      return UNKNOWN;
    }
    return undefined;
  }

  protected isFrameworkModelClass(cls: Node): boolean {
    const supers = cls.childForFieldName('superclasses');
    if (!supers) return false;
    return supers.namedChildren.some((s) => {
      if (!s) return false;
      const q = this.qualify(s, this.module);
      return !!q && (q.startsWith('keras.') || q === 'keras');
    });
  }

  protected callPath(written: string, node: Node, args: CallArgs, env: Env, model: ModelBuilder): Value | undefined {
    // `tf.compat.v1.layers.dense` is `tf.layers.dense`; initializers keep the spelling (their defaults differ).
    const path = written.startsWith('tensorflow.compat.v1.') ? `tensorflow.${written.slice('tensorflow.compat.v1.'.length)}` : written;
    const name = lastSegment(path);
    if (path.startsWith('tensorflow.')) {
      const v = this.tf1Call(path, node, args, env, model);
      if (v) return v;
    }
    if (path.startsWith('keras.')) {
      if (name === 'Sequential') return this.sequential(node, args, env, model);
      if (name === 'Model' || name === 'Functional') {
        const { pos, kw } = this.evalArgs(args, env, model);
        [...pos, ...kw.values()].forEach((v) => this.consume(v));
        const outputs = kw.get('outputs') ?? pos[1];
        const owner = this.tensorModel(outputs);
        const target = assignedName(node);
        if (owner && target && !owner.name && owner.scopeName === 'model') owner.name = target;
        // What the functional model returns (a normalization there exempts the layers before it).
        if (owner && outputs) this.recordOutputs(owner, outputs);
        return UNKNOWN;
      }
      if (this.initializerName(path)) return { t: 'init', node, env };
      const cls = kerasLayerClass(name);
      if (cls) {
        if (cls.role === 'input' && name === 'Input') {
          const st: TensorState = { model: model, normSeen: false, shape: this.inputShapeOf(cls, callArgs(node), env) };
          return { t: 'tensor', st };
        }
        // Arguments may hold nested calls (an activation layer instance).
        const k1 = keras1Class(name, cls, args.keywords.keys(), args.positional.length);
        const op: LayerOp = { cls: k1 ?? cls, className: name, call: node, args, env, applied: false };
        return { t: 'op', op };
      }
      if (MERGE_FUNCTIONS.has(name) && path.startsWith('keras.layers')) {
        const first = args.positional[0] ? this.eval(args.positional[0], env, model) : UNKNOWN;
        return this.merge(first.t === 'list' ? first.items : [first], model, mergeOp(name));
      }
    }
    if (written.startsWith('tensorflow.') && this.initializerName(written)) return { t: 'init', node, env };
    if (ACTIVATION_FUNCTION_PREFIXES.some((p) => path === `${p}.${name}`)) {
      const leaky = path.startsWith('tensorflow') ? LEAKY_DEFAULT_ALPHA.tf_nn : LEAKY_DEFAULT_ALPHA.keras;
      // keras.activations holds only activations; tf.nn, tf.math and keras.ops hold other functions too.
      const info =
        path === `keras.activations.${name}` && !['get', 'serialize', 'deserialize'].includes(name)
          ? this.activationFromWrittenName(name, args, env, leaky)
          : this.activationFromName(name, args, env, leaky);
      if (info) return this.activationCall(info, node, args.positional[0] ? this.eval(args.positional[0], env, model) : UNKNOWN);
    }
    return undefined;
  }

  // ---- TF1 graph code ----

  /**
   * TF1's functional layers (`tf.layers.dense(x, 256, activation=tf.nn.relu)`: built and applied
   * at once), placeholders, and raw weights (`tf.Variable(tf.random_normal([784, 256]))`,
   * `tf.get_variable("w", [784, 256], initializer=...)`) multiplied in by `tf.matmul`, `@` or
   * `tf.nn.conv2d`: each raw weight is a layer whose fans come from its shape (rules.md v2,
   * "Coverage added in v2"). `path` is normalized (no `compat.v1.`).
   */
  private tf1Call(path: string, node: Node, args: CallArgs, env: Env, model: ModelBuilder): Value | undefined {
    const rest = path.slice('tensorflow.'.length);
    if (rest.startsWith('layers.')) {
      const found = tf1LayerFunction(rest.slice('layers.'.length));
      if (!found) return undefined;
      const inputNode = argument(args, 'inputs', 0);
      const input = inputNode ? this.eval(inputNode, env, model) : UNKNOWN;
      for (const [k, v] of args.keywords) if (k !== 'inputs') this.eval(v, env, model);
      const op: LayerOp = { cls: found.cls, className: found.className, call: node, args, env, applied: false };
      return { t: 'tensor', st: this.applyOp(op, this.inputState(input, model)) };
    }
    switch (rest) {
      case 'placeholder': {
        const shape = toShape(this.constOf(argument(args, 'shape', 1) ?? node, env));
        return { t: 'tensor', st: { model, normSeen: false, shape: shape && shape.length > 1 ? shape.slice(1) : shape } };
      }
      case 'Variable':
        return this.rawWeight(node, argument(args, 'initial_value', 0), undefined, env);
      case 'get_variable':
        return this.rawWeight(node, argument(args, 'initializer', 3), argument(args, 'shape', 1) ?? null, env);
      case 'matmul':
      case 'linalg.matmul': {
        if (args.keywords.has('transpose_a') || args.keywords.has('transpose_b')) return undefined;
        const [a, b] = [argument(args, 'a', 0), argument(args, 'b', 1)].map((n) => (n ? this.eval(n, env, model) : UNKNOWN));
        return this.multiplyRaw(a, b, model, 2);
      }
      case 'nn.conv1d':
      case 'nn.conv2d':
      case 'nn.conv3d': {
        const rank = Number(rest.charAt(rest.length - 2)) + 2;
        const x = argument(args, 'input', 0) ?? args.keywords.get('value');
        const w = argument(args, 'filters', 1) ?? args.keywords.get('filter');
        return this.multiplyRaw(x ? this.eval(x, env, model) : UNKNOWN, w ? this.eval(w, env, model) : UNKNOWN, model, rank);
      }
      default:
        return undefined;
    }
  }

  protected override binaryOperator(operator: string | undefined, left: Value, right: Value, model: ModelBuilder): Value | undefined {
    return operator === '@' ? this.multiplyRaw(left, right, model, 2) : undefined;
  }

  /** `x` times a raw weight of the given rank: the weight's layer receives `x`. Undefined when `w` is no raw weight. */
  private multiplyRaw(x: Value, w: Value, model: ModelBuilder, rank: number): Value | undefined {
    if (w.t !== 'op' || !w.op.layer || w.op.className !== RAW_WEIGHT || w.op.cls.rank !== rank) return undefined;
    w.op.applied = true;
    const layer = w.op.layer;
    const st = this.enterLayer(layer, this.inputState(x, model));
    return { t: 'tensor', st: { ...st, shape: rank === 2 && layer.fanOut !== undefined ? [layer.fanOut] : undefined } };
  }

  /**
   * A raw weight: `tf.Variable(<initial value>)` (`tf.random_normal(shape, stddev=...)`, scaled by a
   * constant, or an initializer called on a shape) or `tf.get_variable(name, shape, initializer=)`
   * (default glorot_uniform). `shapeNode` is undefined for tf.Variable (the shape is the initial
   * value's), null for a get_variable without one. Rank < 2 (a bias) is no layer.
   */
  private rawWeight(call: Node, initNode: Node | undefined, shapeNode: Node | null | undefined, env: Env): Value | undefined {
    let spec: InitSpec | undefined;
    let shape: Dim[] | undefined;
    let explicit = true;
    const written: Node | undefined = initNode;
    let shapeText: string | undefined;
    if (shapeNode !== undefined) {
      // get_variable: the initializer is an initializer object (or absent: glorot_uniform).
      shape = shapeNode ? toShape(this.constOf(shapeNode, env)) : undefined;
      shapeText = shapeNode?.text;
      if (initNode) spec = this.kernelInit(initNode, env).init.spec;
      else {
        spec = defaultInitializer('keras');
        explicit = false;
      }
    } else if (initNode) {
      const read = this.initialValue(initNode, env);
      if (!read) return undefined;
      ({ spec, shape, shapeText } = read);
    } else return undefined;
    if (!shape || shape.length < 2 || !shape.every((d): d is number => typeof d === 'number' && Number.isInteger(d) && d >= 0)) return undefined;
    const dims = shape as number[];
    const rf = dims.slice(0, -2).reduce((a, b) => a * b, 1);
    // Named as the code names it: get_variable's own name, the variable or the dict key it is stored under.
    const given = shapeNode !== undefined ? this.constOf(argument(callArgs(call), 'name', 0) ?? call, env) : undefined;
    const key = call.parent?.type === 'pair' ? this.constOf(call.parent.childForFieldName('key') ?? call, env) : undefined;
    const name = typeof given === 'string' ? given : (assignedName(call) ?? (typeof key === 'string' ? key : undefined));
    const fn = call.childForFieldName('function')?.text ?? 'tf.Variable';
    const label = `${name ?? fn}[${dims.join(', ')}]`;
    const layer: Layer = {
      kind: layerKind(dims.length === 2 ? undefined : dims.length - 2, false),
      label,
      span: spanOf(call),
      fanIn: rf * dims[dims.length - 2],
      fanOut: rf * dims[dims.length - 1],
      receptiveField: rf,
      init: {
        spec: spec ?? unknownInitializer('keras', initNode?.text ?? 'initializer'),
        explicit,
        span: written ? spanOf(written) : undefined,
        shared: false,
      },
      activation: { info: LINEAR },
      normalized: false,
      normalizedBefore: false,
      rewrite: () => undefined,
    };
    this.track(layer, (_layer, front) => (to: InitTarget): Fix | undefined => {
      const style = front.style;
      const initializer = tfKerasInitializer(style, to);
      if (!initializer) return undefined;
      const title = typeof to === 'string' ? `Use ${to}` : `Use Orthogonal(gain=${to.gain})`;
      // tf.Variable: an initializer called on the shape; get_variable: the initializer itself.
      const newText = shapeNode === undefined ? `${initializer}(${shapeText})` : initializer;
      if (written) return newText === written.text ? undefined : { title, edits: [{ start: written.startIndex, end: written.endIndex, newText }] };
      return insertArgument(style, call, `initializer=${initializer}`, title);
    });
    const op: LayerOp = {
      cls: { role: 'weighted', rank: dims.length, params: [] },
      className: RAW_WEIGHT,
      call,
      args: callArgs(call),
      env,
      applied: false,
      layer,
    };
    return { t: 'op', op };
  }

  /**
   * The initial value of a tf.Variable: a TF random op (`tf.random_normal([784, 256], stddev=0.01)`,
   * `tf.zeros([...])`, `tf.constant(0.1, shape=[...])`), the same times or divided by a constant,
   * or an initializer called on a shape (`tf.keras.initializers.he_normal()([784, 256])`).
   */
  private initialValue(node: Node, env: Env): { spec?: InitSpec; shape?: Dim[]; shapeText?: string } | undefined {
    if (node.type === 'binary_operator') {
      const op = node.childForFieldName('operator')?.text;
      const l = node.childForFieldName('left');
      const r = node.childForFieldName('right');
      if (!l || !r || (op !== '*' && op !== '/')) return undefined;
      const [value, factorNode] = l.type === 'call' ? [l, r] : op === '*' ? [r, l] : [undefined, undefined];
      const factor = factorNode ? this.constOf(factorNode, env) : undefined;
      const inner = value ? this.initialValue(value, env) : undefined;
      if (!inner?.spec || typeof factor !== 'number' || factor === 0) return inner && { shape: inner.shape, shapeText: inner.shapeText };
      const k = op === '*' ? factor * factor : 1 / (factor * factor);
      const s = inner.spec;
      const spec: InitSpec =
        s.fixedVariance !== undefined
          ? { ...s, fixedVariance: s.fixedVariance * k, describe: node.text.replace(/\s+/g, ' ').slice(0, 80) }
          : s.constant !== undefined
            ? { ...s, constant: s.constant * (op === '*' ? factor : 1 / factor) }
            : unknownInitializer('keras', node.text.slice(0, 60));
      return { ...inner, spec };
    }
    if (node.type !== 'call') return undefined;
    const fn = node.childForFieldName('function');
    const args = callArgs(node);
    if (fn?.type === 'call') {
      // An initializer object called on the shape.
      const v = this.eval(fn, env, this.scratch());
      const shapeNode = args.positional[0] ?? args.keywords.get('shape');
      const spec = v.t === 'init' ? this.initFromCall(v.node, v.env) : undefined;
      return { spec, shape: shapeNode ? toShape(this.constOf(shapeNode, env)) : undefined, shapeText: shapeNode?.text };
    }
    const q = fn ? this.qualify(fn, env) : undefined;
    if (!q?.startsWith('tensorflow.')) return undefined;
    const opName = `tf.${q.slice('tensorflow.'.length).replace(/^compat\.v1\./, '')}`;
    if (!RAW_INIT_OPS.has(opName)) return undefined;
    const constant = opName === 'tf.constant';
    const shapeNode = constant ? args.keywords.get('shape') : argument(args, 'shape', 0);
    const values = this.initializerArgs(initializerParams('keras', opName), constant ? args.positional : args.positional.slice(1), args.keywords, env, {
      ignored: RAW_OP_NEUTRAL_ARGS,
      value: (n) => {
        const c = this.constOf(n, env);
        return typeof c === 'number' ? c : undefined;
      },
    });
    const spec = values ? resolveInitializer('keras', opName, values) : unknownInitializer('keras', opName);
    return { spec, shape: shapeNode ? toShape(this.constOf(shapeNode, env)) : undefined, shapeText: shapeNode?.text };
  }

  // ---- Sequential and the functional API ----

  private sequential(node: Node, args: CallArgs, env: Env, outer: ModelBuilder): Value {
    const target = assignedName(node);
    const model = this.newModel(outer.scopeName, spanOf(node));
    if (target && outer.scopeName === 'model') model.name = target;
    else if (target && this.otherModelWithLayers(outer.scopeName, model)) model.name = target;
    let st: TensorState = { model, normSeen: false };
    const layersArg = argument(args, 'layers', 0);
    if (layersArg) {
      const items =
        layersArg.type === 'list' || layersArg.type === 'tuple' ? layersArg.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment') : [];
      if (items.length) {
        for (const item of items) st = this.applyItem(this.eval(item, env, model), st);
      } else {
        const v = this.eval(layersArg, env, model);
        for (const item of v.t === 'list' ? v.items : [v]) st = this.applyItem(item, st);
      }
    }
    return { t: 'seq', model, st, node };
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
      // A function of this file: its body is not read, so its name says nothing certain. Its key
      // holds the name (a kept evaluation then does not depend on the body: interpreter.ts, moduleDefinition).
      const name = v.key ? keyParts(v.key).name : v.node.childForFieldName('name')?.text;
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

  private makeLayer(
    op: LayerOp,
    inShape: Dim[] | undefined,
    normalizedBefore: boolean,
  ): { layer: Layer; outShape?: Dim[]; ownActivation: boolean } | undefined {
    const { cls, args, env, call } = op;
    const { fanIn, fanOut, receptiveField, outShape } = weightedGeometry(cls, this.argReader(cls, args, env), inShape);
    // `Dense(64)`, `Dense(units=64)`, `Conv2D(filters=32, kernel_size=3)`: sizes as written.
    // TF1's `tf.layers.dense(x, 256)`: the input tensor is no size.
    const sizes = cls.params[0] === 'inputs' ? args.positional.slice(1) : args.positional;
    const label = pythonCallLabel(
      op.className,
      sizes.map((p) => p.text),
      [...args.keywords].filter(([k]) => k !== 'inputs').map(([k, n]) => [k, n.text]),
    );

    const actNode = argument(args, 'activation', cls.params.indexOf('activation') >= 0 ? cls.params.indexOf('activation') : undefined);
    const own = actNode ? this.activationValue(actNode, env) : undefined;
    const ownActivation = !!own && own.info.name !== 'linear';
    // Keras 1 writes `init=`; a fix rewrites or adds `init=` there (Keras 2 rejects both keywords).
    const keras1 = cls.dialect === 'keras1';
    const initKey = keras1 ? 'init' : 'kernel_initializer';
    const initNode = argument(args, initKey, cls.params.indexOf(initKey) >= 0 ? cls.params.indexOf(initKey) : undefined);
    const init = this.kernelInit(initNode, env);
    // Var(b): Keras's default bias is zeros; a random bias_initializer counts in q (rules.md v2).
    const biasNode = args.keywords.get('bias_initializer');
    const biasVariance = randomBiasVariance(biasNode && this.kernelInit(biasNode, env).init.spec, this.argReader(cls, args, env)('use_bias'));
    const understood = args.positional.length <= cls.params.length && !args.splat;
    const layer: Layer = {
      kind: layerKind(cls.rank, cls.transpose),
      label,
      span: spanOf(call),
      fanIn,
      fanOut,
      receptiveField,
      init: init.init,
      biasVariance,
      activation: own && ownActivation ? own : { info: LINEAR },
      normalized: false,
      normalizedBefore,
      rewrite: () => undefined,
    };
    this.track(layer, (_layer, front) => (to: InitTarget): Fix | undefined => {
      if (!understood) return undefined;
      // Keras 1 has no lecun_normal (added in Keras 2.0.6), and takes names as strings: no gain.
      if (keras1 && (to === 'lecun_normal' || typeof to !== 'string')) return undefined;
      if (init.written) {
        const tfCore = init.init.spec.name.startsWith('tf.') && init.written.type !== 'identifier';
        return tfCore ? rewriteTfCore(front.style, init.written, to) : rewriteExplicit(front.style, init.written, to);
      }
      return insertKeyword(front.style, call, to, initKey);
    });
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
      else if (v.t === 'path') {
        // An initializer class or function passed uncalled: `kernel_initializer=tf.zeros_initializer`.
        const name = this.initializerName(v.path);
        if (name) spec = resolveInitializer('keras', name);
      }
    }
    return {
      init: { spec: spec ?? unknownInitializer('keras', node.text), explicit: true, span: spanOf(node), shared: false },
      written: node,
    };
  }

  /** The file is written against TF1's API (placeholders, sessions, get_variable, tf.layers): bare `tf.*_initializer`s have TF1's defaults. */
  private get tf1(): boolean {
    const tf1 = this.isTf1Style();
    this.recording?.read('tf1', '', tf1);
    return tf1;
  }

  protected override probe(kind: string, arg: string): unknown {
    return kind === 'tf1' ? this.isTf1Style() : super.probe(kind, arg);
  }

  private isTf1Style(): boolean {
    return (this.tf1Style ??= TF1_STYLE.test(this.text));
  }
  private tf1Style?: boolean;

  /**
   * The catalogue name of an initializer path: `keras.initializers.HeNormal` → `HeNormal`;
   * `tensorflow.random_normal_initializer` → `tf.random_normal_initializer` (TF2's defaults) or,
   * in a TF1-style file or spelled `tf.compat.v1.`, `tf.compat.v1.random_normal_initializer`;
   * `tensorflow.contrib.layers.xavier_initializer` as written. Undefined for anything else.
   */
  private initializerName(path: string): string | undefined {
    if (path.startsWith('keras.initializers.')) {
      const name = lastSegment(path);
      return isKnownInitializer('keras', name) ? name : undefined;
    }
    if (!path.startsWith('tensorflow.')) return undefined;
    const rest = path.slice('tensorflow.'.length);
    const v1 = rest.startsWith('compat.v1.') ? rest.slice('compat.v1.'.length) : undefined;
    const candidates =
      v1 !== undefined ? [`tf.compat.v1.${v1}`, `tf.${v1}`] : this.tf1 ? [`tf.compat.v1.${rest}`, `tf.${rest}`] : [`tf.${rest}`, `tf.compat.v1.${rest}`];
    return candidates.find((n) => isKnownInitializer('keras', n));
  }

  private initFromCall(call: Node, env: Env) {
    const fn = call.childForFieldName('function');
    const q = fn ? this.qualify(fn, env) : undefined;
    if (!q) return undefined;
    const name = this.initializerName(q);
    if (!name) return undefined;
    const args = callArgs(call);
    const values = this.initializerArgs(initializerParams('keras', name), args.positional, args.keywords, env, { ignored: KERAS_NEUTRAL_ARGS });
    // `RandomNormal(stddev=cfg.std)`: the variance is unknown, not the default's.
    if (!values) return unknownInitializer('keras', name);
    return resolveInitializer('keras', name, values);
  }
}
