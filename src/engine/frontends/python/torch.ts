/**
 * The PyTorch front end: what `torch.nn` names mean to the Python interpreter. A layer knows
 * its fans when it is constructed (`nn.Linear(784, 256)`), so its IR layer is made there; the
 * `forward` method gives the order and the activations; `nn.init.*_` calls and
 * `weight.data.normal_()` set kernels, directly or through `self.apply(fn)`, `self.modules()`
 * and loops, with `isinstance` guards honoured.
 */
import type { SyntaxNode as Node, SyntaxTree as Tree } from '../../syntaxTree';
import type { Fix, InitTarget, Layer } from '../../ir';
import { activationInfo, lookupActivation, LEAKY_DEFAULT_ALPHA, LINEAR, unknownActivation, type ActivationInfo } from '../../activations';
import {
  calculateGain,
  defaultInitializer,
  initializerParams,
  kernelVariance,
  resolveInitializer,
  unknownInitializer,
  type InitSpec,
} from '../../initializers';
import { lastSegment, type ImportTable } from './names';
import { quoteStyle } from './kerasFix';
import { insertInitAfter, rewriteInitCall, type TorchStyle } from './torchFix';
import { recommendationFor } from '../../variance';
import { TORCH_ACTIVATION_FUNCTIONS, TORCH_NORM_FUNCTIONS, TORCH_SCALE_KEEPING, TORCH_SCALE_KEEPING_METHODS, torchLayerClass } from './torchLayers';
import { argument, callArgs, parameterName, spanOf, statementsAt, stringValue, type CallArgs } from './syntax';
import {
  assignedName,
  Env,
  MAX_LIST_ITEMS,
  PythonInterpreter,
  UNKNOWN,
  type LayerOp,
  type ModelBuilder,
  type SelfObject,
  type TensorState,
  type Value,
} from './interpreter';
import * as signal from '../signal';
import { sizeArg, tupleArg } from '../layerClass';
import { layerKind, layerLabel, pythonCallLabel } from '../describeLayer';

/** Arguments that do not change the variance of an initializer. */
const NEUTRAL_ARGS = new Set(['seed', 'generator', 'dtype', 'tensor']);

/** The effects noted for a layer wrapped in `spectral_norm` or `weight_norm` (`TorchFrontEnd.wrapped`). */
const SPECTRAL_NORM = 'spectral_norm';
const WEIGHT_NORM = 'weight_norm';
/** What such a layer's kernel is drawn with, as far as its scale goes: not known from its initializer. */
const SPECTRAL_INIT = unknownInitializer('pytorch', 'spectral_norm (the kernel divided by its largest singular value)');

/** Lightning's `LightningModule`, an `nn.Module` (pytorch_lightning, lightning.pytorch, lightning). */
const LIGHTNING_MODULE = /^(?:pytorch_lightning|lightning(?:\.pytorch)?)(?:\.core(?:\.module|\.lightning)?)?\.LightningModule$/;

/** Tensor methods that initialize in place, and the catalogue name each maps to. */
const TENSOR_INIT_METHODS: Record<string, string> = { normal_: 'normal_', uniform_: 'uniform_', zero_: 'zero_', fill_: 'fill_' };

/** A model class's initialization of every submodule in its `__init__` (`componentOwner`). */
interface WideInit {
  cls: Node;
  statements: Node[];
  params: Set<string>;
  token: string;
}

interface InitSite {
  call: Node;
  weight: Node;
}

/** The layers transformers' `PreTrainedModel._init_weights` draws again (`definesTransformersModel`), by label. */
const HF_INITIALIZED = /^(?:Linear|Conv[123]d|ConvTranspose[12]d)\(/;
/** What they are drawn with: N(0, std²), std from a config initlint does not read. */
const HF_INIT = unknownInitializer('pytorch', "transformers' _init_weights, normal_(std=config.initializer_range)");

export class TorchFrontEnd extends PythonInterpreter {
  protected readonly framework = 'pytorch' as const;
  protected readonly forwardMethods = ['forward'] as const;
  private readonly style: TorchStyle;
  /** Each init call and the layers it initialized: one serving several is shared. */
  private readonly sitesByCall = new Map<number, Set<Layer>>();
  private readonly siteOf = new Map<Layer, InitSite>();
  /** `layer.bias` values (the same `param` shape as `layer.weight`): an init call on one sets Var(b), not the kernel. */
  private readonly biasParams = new WeakSet<Value>();

  constructor(tree: Tree, text: string, imports?: ImportTable) {
    super(tree, text, imports);
    // The quote style is read only when a fix is built.
    let quote: "'" | '"' | undefined;
    let lastImportEnd: number | undefined;
    const root = tree.rootNode;
    this.style = {
      text,
      aliases: this.imports.aliases,
      get quote() {
        return (quote ??= quoteStyle(text));
      },
      get lastImportEnd() {
        return (lastImportEnd ??= Math.max(
          0,
          ...statementsAt(root, text, /import\b|from\b/, ['import_statement', 'import_from_statement'])
            .filter((n) => n.parent?.type === 'module')
            .map((n) => n.endIndex),
        ));
      },
    };
  }

  protected applies(): boolean {
    for (const p of this.imports.aliases.values()) if (p === 'torch' || p.startsWith('torch.') || LIGHTNING_MODULE.test(p)) return true;
    return this.imports.wildcards.some((w) => w.startsWith('torch'));
  }

  protected isFrameworkModelClass(cls: Node): boolean {
    const supers = cls.childForFieldName('superclasses');
    return !!supers?.namedChildren.some((s) => {
      const q = s ? this.qualify(s, this.module) : undefined;
      return !!q && ((q.startsWith('torch.nn') && (lastSegment(q) === 'Module' || lastSegment(q) === 'Sequential')) || LIGHTNING_MODULE.test(q));
    });
  }

  protected override fromWildcard(module: string, name: string): boolean {
    return module.startsWith('torch.nn') && !!torchLayerClass(name);
  }

  /** Layers wrapped in `spectral_norm` or `weight_norm` (in this lint, kept ones included through their effects). */
  private readonly wrapped = new Map<Layer, typeof SPECTRAL_NORM | typeof WEIGHT_NORM>();

  protected override finish(): void {
    for (const m of this.models) {
      for (const l of m.layers) {
        const wrap = this.wrapped.get(l);
        if (!wrap) continue;
        // spectral_norm: the kernel is divided by its largest singular value at every call, so
        // its initializer's variance is not the one that reaches the layer's output: not judged.
        // weight_norm: the weight it was wrapped with, PyTorch's default, whatever draws it later.
        // No edit either way: an init call written after the wrap would draw nothing.
        l.init =
          wrap === SPECTRAL_NORM
            ? { spec: SPECTRAL_INIT, explicit: true, shared: false }
            : { spec: defaultInitializer('pytorch'), explicit: false, shared: false };
        l.rewrite = () => undefined;
      }
    }
    for (const layers of this.sitesByCall.values()) {
      if (layers.size > 1) {
        for (const l of layers) {
          l.init.shared = true;
          l.init.sharedBy = layers.size;
        }
      }
    }
    if (this.definesTransformersModel()) {
      for (const m of this.models) {
        for (const l of m.layers) {
          if (!HF_INITIALIZED.test(l.label)) continue;
          // Not the framework's default: drawn by code the file runs (`explicit`), written elsewhere (no span).
          l.init = { spec: HF_INIT, explicit: true, shared: false };
          l.biasVariance = undefined;
          // An initializer written into the module would be drawn over by post_init: no edit is offered.
          l.rewrite = () => undefined;
        }
      }
    }
  }

  /**
   * Whether the file defines a transformers model: a class on transformers' `PreTrainedModel` or
   * another `PreTrained...` base (imported from `transformers`, or inside the library from a
   * `modeling_*` module), built with `post_init()`. `post_init` runs `_init_weights` on every submodule after the modules'
   * own code, and transformers' own (modeling_utils.py, `PreTrainedModel._init_weights`) draws
   * each Linear, Conv1d/2d/3d and ConvTranspose1d/2d weight from N(0, std²) with std the
   * config's `initializer_range` (or `init_std`), and zeroes its bias. The config is another
   * file's: these layers' initializer is not known here, and they are not judged. Read as
   * PyTorch's default, 96 of the 130 findings on transformers' own model files blamed an init
   * that never runs.
   */
  private definesTransformersModel(): boolean {
    if (!this.text.includes('PreTrained') || !this.text.includes('post_init(')) return false;
    const root = this.tree.rootNode;
    const bases = new Set<string>();
    for (const [alias, path] of this.imports.aliases) if (path === 'transformers') bases.add(`${alias}.PreTrainedModel`);
    for (const stmt of statementsAt(root, this.text, /from\b/, ['import_from_statement'])) {
      // `from transformers import PreTrainedModel`; in the library, `from ...modeling_utils import
      // PreTrainedAudioTokenizerBase`, `from .modeling_esm import EsmPreTrainedModel`.
      const moduleNode = stmt.childForFieldName('module_name');
      if (!/^transformers(?:\.|$)|(?:^|\.)modeling_\w+$/.test(moduleNode?.text.replace(/\s+/g, '') ?? '')) continue;
      for (const child of stmt.namedChildren) {
        if (!child || child.id === moduleNode?.id) continue;
        const name = child.type === 'aliased_import' ? child.childForFieldName('name')?.text : child.type === 'dotted_name' ? child.text : undefined;
        // A model base (`PreTrainedModel`, `EsmPreTrainedModel`, `PreTrainedAudioTokenizerBase`), not a tokenizer.
        if (!name || !/PreTrained(?:\w*Model|AudioTokenizerBase)$/.test(name)) continue;
        const local = child.type === 'aliased_import' ? child.childForFieldName('alias')?.text : name;
        if (local) bases.add(local);
      }
    }
    if (bases.size === 0) return false;
    return root.namedChildren.some((c) => {
      const cls = c?.type === 'decorated_definition' ? c.childForFieldName('definition') : c;
      if (cls?.type !== 'class_definition') return false;
      return !!cls.childForFieldName('superclasses')?.namedChildren.some((s) => !!s && bases.has(s.text.replace(/\s+/g, '')));
    });
  }

  // ---- components of models built elsewhere ----

  /**
   * A model class nothing in the file builds, which the file passes as a value for a parameter
   * of a model class (`block=SEResNetBlock`, `token_mixers=[SepConv, Attention]`), is a
   * component of a model built where initlint cannot follow (timm's `build_model_with_cfg(SENet,
   * **kwargs)`). In that model it is drawn again by the model's initialization of every
   * submodule, the statements of its `__init__` that `modelWideInit` finds: they run over the
   * component too, as they would inside the model. Read with its own initializers instead, a
   * block whose model draws every convolution with He init was blamed for PyTorch's default.
   */
  protected override componentInit(obj: SelfObject, model: ModelBuilder): void {
    const name = obj.cls?.childForFieldName('name')?.text;
    if (!name) return;
    const owner = this.componentOwner(name);
    this.recording?.read('owner', name, owner?.token ?? '');
    if (!owner || owner.cls.id === obj.cls?.id) return;
    for (const stmt of owner.statements) {
      const env = new Env(this.module);
      if (stmt.type === 'for_statement') {
        // `for m in self.modules():` over the component's modules.
        env.set('self', { t: 'self', obj });
        this.execFor(stmt, env, model, undefined);
      } else {
        // `self.apply(self._init_weights)`: the owner's method (on an instance with no attributes
        // known), applied to every module of the component.
        env.set('self', { t: 'self', obj: { attrs: new Map(), cls: owner.cls, model: this.scratch() } });
        this.applyFunction({ t: 'self', obj }, callArgs(stmt).positional[0], env, model);
      }
    }
  }

  protected override probe(kind: string, arg: string): unknown {
    if (kind === 'owner') return this.componentOwner(arg)?.token ?? '';
    return super.probe(kind, arg);
  }

  /**
   * The one model class of the file that takes the class named `name` as a parameter and draws
   * every submodule again in its `__init__`: the parameter is a keyword the file passes it under
   * (`block=SEResNetBlock`, `dict(token_mixers=[SepConv, Attention])`, `{'block': ...}`).
   * Undefined where no model class, or more than one, does. `token` stands for the owner's and
   * its statements' nodes (kept evaluations compare it).
   */
  private componentOwner(name: string): WideInit | undefined {
    let owners = this.componentOwners;
    if (!owners) {
      owners = this.componentOwners = new Map();
      this.wideInits = this.modelWideInits();
    }
    if (!owners.has(name)) {
      const keywords = this.wideInits.length ? (this.keywordsPassing().get(name) ?? new Set<string>()) : new Set<string>();
      const found = this.wideInits.filter((w) => [...keywords].some((k) => w.params.has(k)));
      // A subclass that inherits its base's `__init__` draws with the same statements: one owner.
      const distinct = new Set(found.map((w) => w.statements.map((n) => n.id).join(' ')));
      owners.set(name, distinct.size === 1 ? found[0] : undefined);
    }
    return owners.get(name);
  }
  private componentOwners?: Map<string, WideInit | undefined>;
  private wideInits: WideInit[] = [];

  /**
   * The model classes whose `__init__` draws every submodule again, and those statements:
   * `self.apply(fn)` and `for m in self.modules():` (or `named_modules()`), written directly in
   * its body.
   */
  private modelWideInits(): WideInit[] {
    if (!this.text.includes('self.apply(') && !this.text.includes('self.modules()') && !this.text.includes('self.named_modules()')) return [];
    const out: WideInit[] = [];
    for (const cls of this.definitions(this.tree.rootNode)) {
      if (cls.type !== 'class_definition' || !this.isModelClass(cls)) continue;
      const init = this.method(cls, '__init__');
      const statements: Node[] = [];
      for (const stmt of init?.childForFieldName('body')?.namedChildren ?? []) {
        if (stmt?.type === 'for_statement' && /^self\.(?:named_)?modules\(\)$/.test(stmt.childForFieldName('right')?.text ?? '')) statements.push(stmt);
        const call = stmt?.type === 'expression_statement' ? stmt.namedChildren[0] : undefined;
        if (call?.type === 'call' && call.childForFieldName('function')?.text === 'self.apply') statements.push(call);
      }
      if (!init || statements.length === 0) continue;
      const params = new Set<string>();
      for (const p of init.childForFieldName('parameters')?.namedChildren ?? []) {
        const name = p && parameterName(p);
        if (name) params.add(name);
      }
      out.push({ cls, statements, params, token: `${cls.id} ${statements.map((n) => n.id).join(' ')}` });
    }
    return out;
  }

  /**
   * For each class of the file, the keywords under which the file passes it as a value:
   * `block=Name`, `mixers=[Name, ...]`, `{'block': Name}`. One pass over the text per lint.
   */
  private keywordsPassing(): Map<string, Set<string>> {
    if (this.passedUnder) return this.passedUnder;
    const out = (this.passedUnder = new Map<string, Set<string>>());
    for (const { name, node } of this.classValueUses(this.classNames())) {
      const holder = node.parent;
      let key: string | undefined;
      if (holder?.type === 'keyword_argument' && holder.childForFieldName('value')?.id === node.id) key = holder.childForFieldName('name')?.text;
      else if (holder?.type === 'pair' && holder.childForFieldName('value')?.id === node.id) {
        const k = holder.childForFieldName('key');
        key = k ? stringValue(k) : undefined;
      }
      if (!key) continue;
      let set = out.get(name);
      if (!set) out.set(name, (set = new Set()));
      set.add(key);
    }
    return out;
  }
  private passedUnder?: Map<string, Set<string>>;

  // ---- calls of torch names ----

  protected override constantCall(path: string): boolean {
    return /^torch\.nn\.init\.(?:_calculate_fan_in_and_fan_out|_calculate_correct_fan|calculate_gain)$/.test(path);
  }

  protected callPath(path: string, node: Node, args: CallArgs, env: Env, model: ModelBuilder): Value | undefined {
    if (!path.startsWith('torch')) return undefined;
    const name = lastSegment(path);
    if (path === 'torch.nn.Sequential') return this.sequential(node, args, env, model);
    if (path === 'torch.nn.ModuleDict') {
      // nn.ModuleDict({'fc1': nn.Linear(...)}), nn.ModuleDict([('fc1', ...)]) or of an
      // OrderedDict of pairs: a dict of modules, known entry by entry where every key is a
      // constant string; nn.ModuleDict() is empty, and grows by `d[key] = m`.
      let arg = args.positional[0] ?? args.keywords.get('modules');
      if (arg?.type === 'call' && /(^|\.)OrderedDict$/.test(arg.childForFieldName('function')?.text ?? '')) arg = callArgs(arg).positional[0];
      if (!arg) return { t: 'dict', items: new Map(), modules: true };
      const first = this.eval(arg, env, model);
      const items = new Map<string, Value>();
      let partial = true;
      if (first.t === 'dict') {
        for (const [k, v] of first.items) items.set(k, v);
        partial = !!first.partial;
      } else if (first.t === 'list' && !first.approx) {
        partial = false;
        for (const p of first.items) {
          const key = p.t === 'list' ? p.items[0] : undefined;
          if (p.t === 'list' && key?.t === 'const' && typeof key.v === 'string' && p.items[1]) items.set(key.v, p.items[1]);
          else partial = true;
        }
      }
      return partial ? { t: 'dict', items, modules: true, partial } : { t: 'dict', items, modules: true };
    }
    if (path === 'torch.nn.ModuleList') {
      const first = args.positional[0] ? this.eval(args.positional[0], env, model) : undefined;
      return first?.t === 'list' ? first : { t: 'list', items: [] };
    }
    if (path === 'torch.nn.init._calculate_fan_in_and_fan_out' || path === 'torch.nn.init._calculate_correct_fan') {
      // `fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)` (a reset_parameters written
      // after PyTorch's own): the layer's fans, as PyTorch computes them.
      const w = args.positional[0] ? this.eval(args.positional[0], env, model) : UNKNOWN;
      const layer = w.t === 'param' ? w.op.layer : undefined;
      if (!layer || layer.fanIn === undefined || layer.fanOut === undefined) return UNKNOWN;
      if (name === '_calculate_fan_in_and_fan_out') return { t: 'const', v: [layer.fanIn, layer.fanOut] };
      const modeNode = args.positional[1] ?? args.keywords.get('mode');
      const mode = modeNode ? this.constOf(modeNode, env) : undefined;
      return mode === 'fan_in' ? { t: 'const', v: layer.fanIn } : mode === 'fan_out' ? { t: 'const', v: layer.fanOut } : UNKNOWN;
    }
    if (path.startsWith('torch.nn.init.')) return this.initCall(name, node, args, env, model);
    if ((path.startsWith('torch.nn.functional.') || path === `torch.${name}`) && TORCH_ACTIVATION_FUNCTIONS.has(name)) {
      const info = this.activationFromWrittenName(name.replace(/_$/, ''), args, env, LEAKY_DEFAULT_ALPHA.pytorch);
      return this.activationCall(info, node, args.positional[0] ? this.eval(args.positional[0], env, model) : UNKNOWN);
    }
    if (path.startsWith('torch.nn.functional.') && TORCH_NORM_FUNCTIONS.has(name)) {
      const input = args.positional[0] ? this.eval(args.positional[0], env, model) : UNKNOWN;
      return input.t === 'tensor' ? { t: 'tensor', st: signal.normalize(input.st) } : UNKNOWN;
    }
    if (path === 'torch.nn.functional.dropout') return args.positional[0] ? this.eval(args.positional[0], env, model) : UNKNOWN;
    if ((path.startsWith('torch.nn.functional.') || path === `torch.${name}`) && TORCH_SCALE_KEEPING.has(name)) {
      // Pooling, flattening, reshaping keep E[x^2] (rules.md v2): the tensor's flow goes on.
      const input = args.positional[0] ? this.eval(args.positional[0], env, model) : UNKNOWN;
      return input.t === 'tensor' ? { t: 'tensor', st: { ...input.st, shape: undefined } } : UNKNOWN;
    }
    if (/^torch\.nn\.utils\.(?:parametrizations\.)?(?:spectral_norm|weight_norm)$/.test(path)) {
      // `spectral_norm(nn.Conv2d(...))`, `weight_norm(nn.Linear(...))`: the layer, reparametrized;
      // `finish` gives it what it is judged with.
      const inner = args.positional[0] ? this.eval(args.positional[0], env, model) : UNKNOWN;
      // weight_norm fixes g = ||v|| from the weight as it is now: an init call on `m.weight` later
      // draws a weight that the next forward recomputes from g and v (hifi-gan's init_weights after
      // weight_norm draws nothing). Kept for a layer wrapped as constructed, with PyTorch's default.
      const mark = name === 'spectral_norm' ? SPECTRAL_NORM : inner.t === 'op' && inner.op.layer && !inner.op.layer.init.explicit ? WEIGHT_NORM : undefined;
      if (mark && inner.t === 'op' && inner.op.layer) {
        this.effect(inner.op.layer, mark);
        this.noteEffect(inner.op.layer, mark);
      }
      return inner;
    }
    const cls = path.startsWith('torch.nn.') ? torchLayerClass(name) : undefined;
    if (!cls) return undefined;
    const op: LayerOp = { cls, className: name, call: node, args, env, applied: false };
    if (cls.role === 'weighted') op.layer = this.makeLayer(op);
    return { t: 'op', op };
  }

  private sequential(node: Node, args: CallArgs, env: Env, model: ModelBuilder): Value {
    const items: Value[] = [];
    const first = args.positional[0];
    if (first?.type === 'call' && /(^|\.)OrderedDict$/.test(first.childForFieldName('function')?.text ?? '')) {
      // nn.Sequential(OrderedDict([('fc1', nn.Linear(...)), ('act', nn.ReLU())]))
      const pairs = callArgs(first).positional[0];
      const v = pairs ? this.eval(pairs, env, model) : UNKNOWN;
      if (v.t === 'list') for (const p of v.items) if (p.t === 'list' && p.items[1]) items.push(p.items[1]);
    } else {
      for (const child of args.list?.namedChildren ?? []) {
        if (!child || child.type === 'comment' || child.type === 'keyword_argument') continue;
        if (child.type === 'list_splat') {
          // nn.Sequential(*layers)
          const inner = child.namedChildren[0];
          const v = inner ? this.eval(inner, env, model) : UNKNOWN;
          if (v.t === 'list') items.push(...v.items);
        } else items.push(this.eval(child, env, model));
      }
    }
    return { t: 'chain', items, name: assignedName(node), span: spanOf(node), applied: false };
  }

  // ---- initialization ----

  /** `nn.init.kaiming_normal_(self.fc.weight, ...)`: the kernel of the layer it targets. */
  private initCall(name: string, node: Node, args: CallArgs, env: Env, model: ModelBuilder): Value {
    const weightNode = args.keywords.get('tensor') ?? args.positional[0];
    const target = weightNode ? this.eval(weightNode, env, model) : UNKNOWN;
    if (target.t !== 'param' || !weightNode) return UNKNOWN;
    const params = initializerParams('pytorch', name);
    const spec = this.readInit(name, args.positional.slice(1), params, args.keywords, env);
    if (this.biasParams.has(target)) this.setBias(target.op, spec);
    else this.setInit(target.op, spec, { call: node, weight: weightNode });
    return UNKNOWN;
  }

  private readInit(name: string, positional: Node[], params: string[], keywords: Map<string, Node>, env: Env): InitSpec {
    const values = this.initializerArgs(params, positional, keywords, env, {
      ignored: NEUTRAL_ARGS,
      // `w.uniform_(-0.1, to=0.1)`: Tensor.uniform_ names its bounds `from` and `to`, nn.init.uniform_ `a` and `b`.
      rename: { from: 'a', to: 'b' },
      value: (n) => this.constOf(n, env) ?? this.gainCall(n, env),
    });
    // An argument we cannot evaluate (`std=config.init_std`) leaves the variance unknown.
    if (!values) return unknownInitializer('pytorch', name);
    return resolveInitializer('pytorch', name, values) ?? unknownInitializer('pytorch', name);
  }

  /** `nn.init.calculate_gain('tanh')` (and `leaky_relu`, 0.2) as an argument: its value, as torch computes it. */
  private gainCall(n: Node, env: Env): number | undefined {
    if (n.type !== 'call') return undefined;
    const fn = n.childForFieldName('function');
    if (!fn || lastSegment(fn.text) !== 'calculate_gain') return undefined;
    const a = callArgs(n);
    const nl = a.keywords.get('nonlinearity') ?? a.positional[0];
    const param = a.keywords.get('param') ?? a.positional[1];
    const name = nl ? this.constOf(nl, env) : undefined;
    const p = param ? this.constOf(param, env) : undefined;
    return typeof name === 'string' ? calculateGain(name, typeof p === 'number' ? p : undefined) : undefined;
  }

  private setInit(op: LayerOp, spec: InitSpec, site: InitSite): void {
    const layer = op.layer;
    if (!layer) return;
    layer.init = { spec, explicit: true, span: spanOf(site.call), shared: false };
    this.effect(layer, site);
    this.noteEffect(layer, site);
  }

  /** The init call that sets a layer's kernel (several layers served by one call are `shared`, in `finish`); a spectral norm around the layer. */
  protected override effect(layer: Layer, data: unknown): void {
    if (data === SPECTRAL_NORM || data === WEIGHT_NORM) {
      this.wrapped.set(layer, data);
      return;
    }
    const site = data as InitSite;
    this.siteOf.set(layer, site);
    const set = this.sitesByCall.get(site.call.id) ?? new Set<Layer>();
    set.add(layer);
    this.sitesByCall.set(site.call.id, set);
  }

  /**
   * A function initlint cannot see, called as a statement on a layer's weight: timm's own
   * `trunc_normal_(m.weight, std=.02)` (timm.layers, not torch.nn.init), a project's
   * `init_fn(m.weight)`. Like PyTorch's `nn.init.*_`, it draws the weight in place, so the layer's
   * initializer is not known: not PyTorch's default, which a judgement would blame. The layer is
   * not judged (rules.md: an unknown initializer leaves a layer unjudged).
   */
  protected override unknownCall(node: Node, args: CallArgs, pos: Value[]): void {
    const target = pos[0];
    const weightNode = args.positional[0];
    if (target?.t !== 'param' || !weightNode || this.biasParams.has(target) || node.parent?.type !== 'expression_statement') return;
    // An init function by its name: PyTorch's in-place convention (`trunc_normal_`, `init_fn_`) or
    // one that says init (`init_weights`, `lecun_init`). `logger.info(m.weight)` draws nothing.
    const fn = lastSegment(node.childForFieldName('function')?.text ?? '');
    if (!/_$|init/i.test(fn)) return;
    this.setInit(target.op, unknownInitializer('pytorch', fn), { call: node, weight: weightNode });
  }

  /** An init call on `layer.bias`: Var(b) as the call draws it (zeros_, constant_: 0). */
  private setBias(op: LayerOp, spec: InitSpec): void {
    const layer = op.layer;
    if (!layer) return;
    const v =
      spec.distribution === 'constant' ? 0 : layer.fanIn === undefined ? undefined : kernelVariance(spec, layer.fanIn, layer.fanOut, layer.receptiveField);
    layer.biasVariance = v;
  }

  protected override attribute(base: Value, attr: string): Value | undefined {
    if (base.t === 'op' && attr === 'weight' && base.op.layer) return { t: 'param', op: base.op };
    if (base.t === 'op' && attr === 'bias' && base.op.layer) {
      const v: Value = { t: 'param', op: base.op };
      this.biasParams.add(v);
      return v;
    }
    if (base.t === 'param' && attr === 'data') return base;
    if (base.t === 'op' && base.op.layer) return this.layerAttribute(base.op, attr);
    return undefined;
  }

  /**
   * A layer's size attributes, as PyTorch keeps them from its arguments (`sizeAttributes`, read
   * when the layer was made): the classic init loop reads them (`n = m.kernel_size[0] *
   * m.kernel_size[1] * m.out_channels; m.weight.data.normal_(0, math.sqrt(2. / n))`, He's fan_out).
   */
  private layerAttribute(op: LayerOp, attr: string): Value | undefined {
    const v = op.sizes?.get(attr);
    return v === undefined ? undefined : { t: 'const', v };
  }

  /**
   * `in_features`, `out_features`; `in_channels`, `out_channels`, `groups`, and `kernel_size`,
   * `stride`, `padding`, `dilation` as tuples: read once, when the layer is made (a loop variable
   * moves on), for its fans (`makeLayer`) and for init code that reads them. An argument given but
   * not known is unknown, not its default; `padding='same'` is unknown.
   */
  private sizeAttributes(op: LayerOp): Map<string, number | number[]> {
    const out = new Map<string, number | number[]>();
    const { rank, params } = op.cls;
    const read = this.argReader(op.cls, op.args, op.env);
    const given = (name: string) => argument(op.args, name, params.indexOf(name) >= 0 ? params.indexOf(name) : undefined) !== undefined;
    const put = (name: string, v: number | number[] | undefined) => {
      if (v !== undefined) out.set(name, v);
    };
    if (rank === undefined) {
      if (op.className !== 'LazyLinear') put('in_features', sizeArg(read, 'in_features'));
      put('out_features', sizeArg(read, 'out_features'));
      return out;
    }
    // Its default where not given; where given, read (undefined if not known).
    const each = (name: string, dflt: number, min: number) => (given(name) ? tupleArg(read, name, rank, undefined, min) : Array<number>(rank).fill(dflt));
    put('in_channels', sizeArg(read, 'in_channels'));
    put('out_channels', sizeArg(read, 'out_channels'));
    put('groups', given('groups') ? sizeArg(read, 'groups') : 1);
    put('kernel_size', tupleArg(read, 'kernel_size', rank));
    put('stride', each('stride', 1, 1));
    put('padding', each('padding', 0, 0));
    put('dilation', each('dilation', 1, 1));
    return out;
  }

  protected override callMethod(obj: Value, method: string, node: Node, args: CallArgs, env: Env, model: ModelBuilder): Value | undefined {
    if (obj.t === 'param' && TENSOR_INIT_METHODS[method]) {
      const name = TENSOR_INIT_METHODS[method];
      const spec = this.readInit(name, args.positional, initializerParams('pytorch', name), args.keywords, env);
      const weight = node.childForFieldName('function')?.childForFieldName('object');
      if (this.biasParams.has(obj)) this.setBias(obj.op, spec);
      else if (weight) this.setInit(obj.op, spec, { call: node, weight });
      return UNKNOWN;
    }
    if (obj.t === 'tensor' && TORCH_SCALE_KEEPING_METHODS.has(method)) {
      // x.view(...), x.flatten(1), x.permute(...): the same values, another shape.
      signal.close(obj.st);
      return { t: 'tensor', st: { ...obj.st, open: undefined, shape: undefined } };
    }
    if (obj.t === 'tensor' && TORCH_ACTIVATION_FUNCTIONS.has(method)) {
      const info = this.activationFromWrittenName(method.replace(/_$/, ''), args, env, LEAKY_DEFAULT_ALPHA.pytorch);
      return this.activationCall(info, node, obj);
    }
    if ((method === 'add_module' || method === 'register_module') && (obj.t === 'self' || obj.t === 'chain')) {
      // `self.add_module('fc1', nn.Linear(...))`, `body.add_module(f'block{i}', Block())` on an
      // nn.Sequential: the module joins the instance, or the end of the container. A container
      // grows as a list does: bound again, never changed in place.
      const nameNode = args.positional[0] ?? args.keywords.get('name');
      const moduleNode = args.positional[1] ?? args.keywords.get('module');
      const value = moduleNode ? this.eval(moduleNode, env, model) : UNKNOWN;
      const target = node.childForFieldName('function')?.childForFieldName('object');
      if (obj.t === 'self' && nameNode) this.setAttribute(obj.obj, nameNode, value, env);
      else if (obj.t === 'chain' && target && obj.items.length < MAX_LIST_ITEMS) {
        this.budget.charge(Math.ceil(obj.items.length / 64));
        this.assign(target, { ...obj, items: [...obj.items, value] }, env);
      }
      return UNKNOWN;
    }
    if (obj.t === 'self' && method === 'save_hyperparameters') {
      // Lightning's `self.save_hyperparameters()`: `self.hparams.hidden_dim` is the argument
      // `__init__` was given (all of them, also where only some are named). Given an object
      // (`save_hyperparameters(cfg)`), the hyperparameters are that object's.
      const given = args.positional.find((a) => stringValue(a) === undefined);
      if (given) {
        const v = this.eval(given, env, model);
        obj.obj.attrs.set('hparams', v.t === 'self' ? v : UNKNOWN);
        return UNKNOWN;
      }
      const attrs = new Map<string, Value>();
      for (const [name, v] of env.entries()) if (name !== 'self') attrs.set(name, v);
      obj.obj.attrs.set('hparams', { t: 'self', obj: { attrs, model: this.scratch(), plain: true } });
      return UNKNOWN;
    }
    const isModule = obj.t === 'self' || obj.t === 'chain' || obj.t === 'op' || obj.t === 'list';
    if (isModule && method === 'apply') {
      this.applyFunction(obj, args.positional[0], env, model);
      return obj;
    }
    if (isModule && (method === 'modules' || method === 'children')) {
      const all = this.submodules(obj);
      return { t: 'list', items: method === 'modules' ? all : all.filter((m) => m !== obj) };
    }
    if (isModule && method === 'named_modules') {
      return { t: 'list', items: this.submodules(obj).map((m): Value => ({ t: 'list', items: [UNKNOWN, m] })) };
    }
    return undefined;
  }

  /** The module and everything below it, as `Module.modules()` yields them. */
  private submodules(v: Value, out: Value[] = [], seen = new Set<unknown>()): Value[] {
    const key = v.t === 'op' ? v.op : v.t === 'self' ? v.obj : v;
    if (seen.has(key)) return out;
    seen.add(key);
    if (v.t === 'op' || v.t === 'self' || v.t === 'chain') out.push(v);
    const children =
      v.t === 'self' ? [...v.obj.attrs.values()] : v.t === 'chain' || v.t === 'list' ? v.items : v.t === 'dict' && v.modules ? [...v.items.values()] : [];
    for (const c of children) this.submodules(c, out, seen);
    return out;
  }

  /** `module.apply(fn)`: fn runs on every submodule. */
  private applyFunction(target: Value, fnNode: Node | undefined, env: Env, model: ModelBuilder): void {
    if (!fnNode) return;
    // `model.apply(partial(self._init_weights, head_bias=0.))` (timm): the function, with the
    // keyword arguments bound.
    let bound = new Map<string, Value>();
    if (fnNode.type === 'call' && /^(?:functools\.)?partial$/.test(fnNode.childForFieldName('function')?.text ?? '')) {
      const partialArgs = callArgs(fnNode);
      bound = this.evalArgs({ ...partialArgs, positional: [] }, env, model).kw;
      fnNode = partialArgs.positional[0];
      if (!fnNode || partialArgs.positional.length > 1) return;
    }
    let def: Node | undefined;
    let self: SelfObject | undefined;
    if (fnNode.type === 'attribute' && fnNode.childForFieldName('object')?.text === 'self') {
      const s = env.get('self');
      const name = fnNode.childForFieldName('attribute')?.text;
      if (s?.t === 'self' && s.obj.cls && name) {
        def = this.method(s.obj.cls, name);
        self = s.obj;
      }
    } else {
      const f = this.eval(fnNode, env, model);
      if (f.t === 'func') def = f.node;
    }
    if (!def) return;
    this.recordInvoked(def);
    for (const m of this.submodules(target)) this.invoke(def, self, [m], bound, model);
  }

  // ---- layers ----

  private makeLayer(op: LayerOp): Layer {
    const { cls, args } = op;
    let fanIn: number | undefined;
    let fanOut: number | undefined;
    let receptiveField = 1;
    const sizes = (op.sizes = this.sizeAttributes(op));
    const num = (key: string) => sizes.get(key) as number | undefined;
    if (cls.rank === undefined) {
      fanIn = num('in_features');
      fanOut = num('out_features');
    } else {
      const inCh = num('in_channels');
      const outCh = num('out_channels');
      const groups = num('groups');
      const kernel = sizes.get('kernel_size') as number[] | undefined;
      if (kernel) {
        receptiveField = kernel.reduce((a, b) => a * b, 1);
        // torch.nn.init._calculate_fan_in_and_fan_out: weight (out, in/groups, k...) for Conv,
        // (in, out/groups, k...) for ConvTranspose; fan_in = size(1) x rf, fan_out = size(0) x rf.
        const [size0, size1] = cls.transpose
          ? [inCh, outCh !== undefined && groups ? outCh / groups : undefined]
          : [outCh, inCh !== undefined && groups ? inCh / groups : undefined];
        fanIn = size1 !== undefined ? size1 * receptiveField : undefined;
        fanOut = size0 !== undefined ? size0 * receptiveField : undefined;
      }
    }
    // PyTorch's default bias is U(-1/sqrt(fan_in), 1/sqrt(fan_in)) (reset_parameters of Linear and
    // _ConvNd): Var(b) = 1/(3 fan_in), unless `bias=False`.
    const biasIndex = cls.params.indexOf('bias');
    const biasNode = argument(args, 'bias', biasIndex >= 0 ? biasIndex : undefined);
    const biasOn = biasNode ? this.constOf(biasNode, op.env) !== false : true;
    const biasVariance = biasOn && fanIn !== undefined && fanIn > 0 ? 1 / (3 * fanIn) : undefined;
    const label = pythonCallLabel(
      op.className,
      args.positional.map((p) => p.text),
      [...args.keywords].map(([k, n]) => [k, n.text]),
    );
    const layer: Layer = {
      kind: layerKind(cls.rank, cls.transpose),
      label: layerLabel(label),
      span: spanOf(op.call),
      fanIn,
      fanOut,
      receptiveField,
      init: { spec: defaultInitializer('pytorch'), explicit: false, shared: false },
      biasVariance,
      activation: { info: LINEAR },
      normalized: false,
      normalizedBefore: false,
      rewrite: () => undefined,
    };
    const call = op.call;
    return this.track(layer, (layer, front) => (to: InitTarget): Fix | undefined => {
      const site = front.siteOf.get(layer);
      if (layer.init.shared) {
        // A gain is one layer's own: a call shared with other layers cannot carry it.
        if (typeof to !== 'string') return undefined;
        // One call initializes several layers: it is rewritten only when every one of them
        // wants the same initializer; otherwise no per-layer edit exists.
        const served = site ? front.sitesByCall.get(site.call.id) : undefined;
        if (!site || !served || ![...served].every((l) => recommendationFor(l.activation.info, 'pytorch') === to)) return undefined;
        const fix = rewriteInitCall(front.style, site.call, site.weight, to);
        return fix && { ...fix, title: `${fix.title} in the shared call (all ${served.size} layers it initializes)` };
      }
      if (site) return rewriteInitCall(front.style, site.call, site.weight, to);
      return insertInitAfter(front.style, call, to);
    });
  }

  protected applyOp(op: LayerOp, st: TensorState): TensorState {
    op.applied = true;
    switch (op.cls.role) {
      case 'weighted':
        return this.enterLayer(op.layer!, st);
      case 'activation':
        return this.activationLayer(this.activationOfModule(op), op, st);
      case 'norm':
        return signal.normalize(st);
      case 'passthrough':
        return st;
      default:
        return signal.opaque(st);
    }
  }

  private activationOfModule(op: LayerOp): ActivationInfo | undefined {
    if (op.className === 'LeakyReLU') {
      const v = this.intOrFloat(op, 'negative_slope');
      return activationInfo('leaky_relu', v ?? LEAKY_DEFAULT_ALPHA.pytorch);
    }
    if (op.className === 'PReLU') {
      // nn.PReLU(num_parameters=1, init=0.25): judged with the slope it starts from.
      return activationInfo('prelu', this.intOrFloat(op, 'init') ?? 0.25);
    }
    return op.cls.activation ? (lookupActivation(op.cls.activation) ?? unknownActivation(op.cls.activation)) : undefined;
  }

  private intOrFloat(op: LayerOp, name: string): number | undefined {
    const i = op.cls.params.indexOf(name);
    const n = op.args.keywords.get(name) ?? (i >= 0 ? op.args.positional[i] : undefined);
    const v = n ? this.constOf(n, op.env) : undefined;
    return typeof v === 'number' ? v : undefined;
  }
}
