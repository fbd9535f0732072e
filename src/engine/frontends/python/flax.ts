/**
 * The Flax front end (linen and nnx). Layers default to lecun_normal; activations are the
 * functions applied in `__call__` (`nn.relu(x)`); `kernel_init=` takes a jax.nn initializer.
 * linen infers fan_in at run time, so it is usually unknown here and only the family rules
 * apply; nnx layers name their input size (`nnx.Linear(784, 256, rngs=rngs)`).
 */
import type { SyntaxNode as Node } from '../../syntaxTree';
import type { Fix, InitTarget, Layer, Recommendation } from '../../ir';
import { activationInfo, LEAKY_DEFAULT_ALPHA, LINEAR, unknownActivation } from '../../activations';
import { defaultInitializer, initializerParams, randomBiasVariance, resolveInitializer, unknownInitializer, type InitSpec } from '../../initializers';
import { lastSegment } from './names';
import { insertArgument } from './kerasFix';
import { callArgs, spanOf, type CallArgs } from './syntax';
import { PythonInterpreter, UNKNOWN, type Env, type LayerClass, type LayerOp, type ModelBuilder, type TensorState, type Value } from './interpreter';
import * as signal from '../signal';
import { layerKind, pythonCallLabel } from '../describeLayer';

const TABLE = new Map<string, LayerClass>([
  ['Dense', { role: 'weighted', params: ['features'] }],
  ['Linear', { role: 'weighted', params: ['in_features', 'out_features'] }],
  ['Conv', { role: 'weighted', rank: 0, params: ['features', 'kernel_size'] }],
  ['ConvTranspose', { role: 'weighted', rank: 0, transpose: true, params: ['features', 'kernel_size'] }],
  ['BatchNorm', { role: 'norm', params: [] }],
  ['LayerNorm', { role: 'norm', params: [] }],
  ['GroupNorm', { role: 'norm', params: [] }],
  ['RMSNorm', { role: 'norm', params: [] }],
  ['Dropout', { role: 'passthrough', params: [] }],
  ['PReLU', { role: 'activation', activation: 'prelu', params: ['param_dtype', 'negative_slope_init'] }],
  ['Embed', { role: 'unjudged', params: [] }],
  ['DenseGeneral', { role: 'unjudged', params: [] }],
  ['MultiHeadDotProductAttention', { role: 'unjudged', params: [] }],
  ['MultiHeadAttention', { role: 'unjudged', params: [] }],
  ['LSTMCell', { role: 'unjudged', params: [] }],
  ['GRUCell', { role: 'unjudged', params: [] }],
]);
/** nnx spells its layers with input sizes first. */
const NNX_PARAMS: Record<string, string[]> = {
  Linear: ['in_features', 'out_features'],
  Conv: ['in_features', 'out_features', 'kernel_size'],
  ConvTranspose: ['in_features', 'out_features', 'kernel_size'],
};

/**
 * Activation functions of jax.nn and flax (and jnp's periodic ones, SIREN-style) that the
 * catalogue does not know: a layer they follow is left unjudged (rules.md v2), never linear.
 * Other names of these modules (pooling, one_hot, logsumexp, standardize) are not activations.
 */
const ACTIVATIONS_BEYOND_CATALOGUE = new Set(['glu', 'log_sigmoid', 'sparse_plus', 'sparse_sigmoid', 'squareplus', 'sin', 'cos']);

const REC_NAME: Record<Recommendation, string> = {
  he_normal: 'he_normal',
  he_uniform: 'he_uniform',
  glorot_uniform: 'glorot_uniform',
  lecun_normal: 'lecun_normal',
};

function isFlaxModule(path: string): boolean {
  return path.startsWith('flax.linen') || path.startsWith('flax.nnx');
}

function isInitializerPath(path: string): boolean {
  return /^(flax\.(linen|nnx)|jax\.nn)\.initializers\./.test(path);
}

/** Initializer arguments that leave the distribution as it is. */
const FLAX_NEUTRAL_ARGS = new Set(['dtype', 'in_axis', 'out_axis', 'batch_axis']);

export class FlaxFrontEnd extends PythonInterpreter {
  protected readonly framework = 'flax' as const;
  protected readonly forwardMethods = ['__call__'] as const;

  protected applies(): boolean {
    for (const p of this.imports.aliases.values()) if (p === 'flax' || isFlaxModule(p)) return true;
    return false;
  }

  protected isFrameworkModelClass(cls: Node): boolean {
    return !!cls.childForFieldName('superclasses')?.namedChildren.some((s) => {
      const q = s ? this.qualify(s, this.module) : undefined;
      return !!q && isFlaxModule(q) && lastSegment(q) === 'Module';
    });
  }

  protected callPath(path: string, node: Node, args: CallArgs, env: Env, model: ModelBuilder): Value | undefined {
    const name = lastSegment(path);
    if (isInitializerPath(path)) return { t: 'init', node, env };
    const isActivationModule = isFlaxModule(path) || path.startsWith('jax.nn') || path.startsWith('jax.numpy');
    if (isActivationModule && !TABLE.has(name)) {
      const info =
        this.activationFromName(name, args, env, LEAKY_DEFAULT_ALPHA.flax) ?? (ACTIVATIONS_BEYOND_CATALOGUE.has(name) ? unknownActivation(name) : undefined);
      if (info) return this.activationCall(info, node, args.positional[0] ? this.eval(args.positional[0], env, model) : UNKNOWN);
      return undefined;
    }
    const base = TABLE.get(name);
    if (!base || !isFlaxModule(path)) return undefined;
    const nnx = path.startsWith('flax.nnx');
    const cls: LayerClass = nnx && NNX_PARAMS[name] ? { ...base, params: NNX_PARAMS[name] } : base;
    const op: LayerOp = { cls, className: name, call: node, args, env, applied: false };
    if (cls.role === 'weighted') op.layer = this.makeLayer(op, nnx);
    return { t: 'op', op };
  }

  private makeLayer(op: LayerOp, nnx: boolean): Layer {
    const { cls, args, env, call } = op;
    const units = this.intArg(op, nnx ? 'out_features' : 'features');
    const inputs = nnx ? this.intArg(op, 'in_features') : undefined;
    const kernelNode = args.keywords.get('kernel_size') ?? args.positional[cls.params.indexOf('kernel_size')];
    const k = kernelNode ? this.constOf(kernelNode, env) : undefined;
    const kernel = typeof k === 'number' ? [k] : Array.isArray(k) && k.every((x) => typeof x === 'number') ? (k as number[]) : undefined;
    const rf = cls.rank === undefined ? 1 : kernel?.reduce((a, b) => a * b, 1);
    const fans = (a?: number) => (a !== undefined && rf !== undefined ? a * rf : undefined);
    // jax variance_scaling reads fans from the kernel shape (k..., in, out); transposed convs alike.
    const fanIn = fans(inputs);
    const fanOut = fans(units);
    const initNode = args.keywords.get('kernel_init');
    const spec = initNode ? this.readInit(initNode, env) : defaultInitializer('flax');
    // bias_init (default zeros): a fixed-scale random bias counts in q.
    const biasNode = args.keywords.get('bias_init');
    const useBias = args.keywords.get('use_bias');
    const biasVariance =
      biasNode && (useBias ? this.constOf(useBias, env) !== false : true) ? randomBiasVariance(this.readInit(biasNode, env), true) : undefined;
    const calleeObject = call.childForFieldName('function')?.childForFieldName('object')?.text;
    const label = pythonCallLabel(
      op.className,
      args.positional.map((p) => p.text),
      [...args.keywords].map(([k, n]) => [k, n.text]),
    );
    const layer: Layer = {
      kind: layerKind(cls.rank, cls.transpose),
      label,
      span: spanOf(call),
      fanIn,
      fanOut,
      receptiveField: rf ?? 1,
      init: initNode ? { spec, explicit: true, span: spanOf(initNode), shared: false } : { spec, explicit: false, shared: false },
      ...(biasVariance ? { biasVariance } : {}),
      activation: { info: LINEAR },
      normalized: false,
      normalizedBefore: false,
      rewrite: () => undefined,
    };
    return this.track(layer, (_layer, front) => (to: InitTarget): Fix | undefined => {
      // jax.nn.initializers.orthogonal takes its gain as `scale`.
      const factory = typeof to === 'string' ? `${REC_NAME[to]}()` : `orthogonal(scale=${to.gain})`;
      const title = typeof to === 'string' ? `Use ${REC_NAME[to]}` : `Use orthogonal(scale=${to.gain})`;
      if (initNode) {
        // Keep the module path the user wrote: `nn.initializers.`, `jax.nn.initializers.`.
        const fn = initNode.type === 'call' ? initNode.childForFieldName('function') : initNode;
        const written = fn?.type === 'attribute' ? fn.childForFieldName('object')?.text : undefined;
        // An orthogonal kernel through Flax's own initializers: a prefix that is not one (the user's module) is not kept.
        const prefix = typeof to === 'string' || written?.endsWith('initializers') ? written : calleeObject && `${calleeObject}.initializers`;
        if (!prefix) return undefined;
        const newText = `${prefix}.${factory}`;
        return newText === initNode.text ? undefined : { title, edits: [{ start: initNode.startIndex, end: initNode.endIndex, newText }] };
      }
      if (!calleeObject) return undefined;
      return insertArgument({ text: front.text }, call, `kernel_init=${calleeObject}.initializers.${factory}`, title);
    });
  }

  /** `nn.initializers.he_normal()`, `jax.nn.initializers.normal(stddev=0.02)`, `nn.initializers.zeros`. */
  private readInit(node: Node, env: Env): InitSpec {
    const v = this.eval(node, env, this.scratch());
    const call = v.t === 'init' ? v.node : undefined;
    const fn = call ? call.childForFieldName('function') : node;
    const q = fn ? this.qualify(fn, env) : undefined;
    if (!q || !isInitializerPath(q)) return unknownInitializer('flax', node.text);
    const name = lastSegment(q);
    const args = call && callArgs(call);
    const values = args ? this.initializerArgs(initializerParams('flax', name), args.positional, args.keywords, env, { ignored: FLAX_NEUTRAL_ARGS }) : {};
    if (!values) return unknownInitializer('flax', name);
    return resolveInitializer('flax', name, values) ?? unknownInitializer('flax', name);
  }

  protected applyOp(op: LayerOp, st: TensorState): TensorState {
    op.applied = true;
    switch (op.cls.role) {
      case 'weighted':
        return this.enterLayer(op.layer!, st);
      case 'norm':
        return signal.normalize(st);
      case 'activation': {
        // nn.PReLU(negative_slope_init=0.01): the slope it starts from.
        const slope = op.args.keywords.get('negative_slope_init') ?? op.args.positional[1];
        const v = slope ? this.constOf(slope, op.env) : undefined;
        return this.activationLayer(activationInfo('prelu', typeof v === 'number' ? v : LEAKY_DEFAULT_ALPHA.flax), op, st);
      }
      case 'passthrough':
        return st;
      default:
        return signal.opaque(st);
    }
  }
}
