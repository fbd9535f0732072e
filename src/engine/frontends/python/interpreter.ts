/**
 * A small abstract interpreter over tree-sitter-python trees, shared by the Python front ends
 * (Keras, PyTorch). It walks each function, class and the module body in order, tracks what
 * every variable holds (a tensor and its shape, a layer instance, a container, an initializer,
 * a constant), follows calls to functions and methods of the same file with their arguments
 * bound, and leaves what a framework's names mean to its subclass: which calls build layers,
 * what a layer does to a tensor, how kernels are initialized.
 */
import type { SyntaxNode as Node, SyntaxTree as Tree } from '../../syntaxTree';
import type { Layer, LayerActivation, MergeOp, Span } from '../../ir';
import { activationInfo, lookupActivation, unknownActivation, type ActivationInfo } from '../../activations';
import type { InitArgs } from '../../initializers';
import { collectImports, lastSegment, normalizeQualified, type ImportTable } from './names';
import { argument, callArgs, parameterName, spanOf, statementsAt, stringValue, syntaxErrors as pythonSyntaxErrors, type CallArgs } from './syntax';

import type { Dim } from '../../shapes';
import { sizeArg, type LayerClass, type Role } from '../layerClass';
import { keras1Reader } from '../keras/layers';
import { MAX_CONTAINER_DEPTH, MAX_UNROLL } from '../eval/budget';
import { entryPointsFirst } from '../eval/entryPoints';
import { IMPURE } from '../eval/definitionCache';
import {
  Evaluator,
  MAX_DATA_CONTAINERS,
  MAX_TOKEN_ITEMS,
  Scope,
  type Const,
  type ConstValue,
  type ListValue,
  type OpValue,
  type PathValue,
  type Ret,
  type TensorValue,
  type UnknownValue,
  type Visits,
} from '../eval/evaluator';
export { MAX_UNROLL };
import * as signal from '../signal';
import type { ModelBuilder, Pending, TensorState } from '../signal';
export type { Const, Dim, ModelBuilder, Pending, TensorState };

export type { LayerClass, Role };

/** A layer instance: the constructor call, read lazily. */
export interface LayerOp {
  cls: LayerClass;
  className: string;
  call: Node;
  args: CallArgs;
  env: Env;
  applied: boolean;
  /** Frameworks whose layers know their fans at construction (PyTorch) build the IR layer here. */
  layer?: Layer;
  /** Its size attributes as constructed (`out_channels`, `kernel_size`, ...), where known. */
  sizes?: Map<string, number | number[]>;
}

export interface SelfObject {
  attrs: Map<string, Value>;
  /** An instance of a class that is not a model class (evaluatePlainClass). */
  plain?: boolean;
  cls?: Node;
  model: ModelBuilder;
  /** Its forward ran on a tensor somewhere in the file. */
  applied?: boolean;
  /** Keras's `build` ran for it (`buildMethods`). */
  built?: boolean;
}

/** The values of the evaluator core (eval/evaluator.ts), and Python's own. */
export type Value =
  | TensorValue
  | OpValue<LayerOp>
  | ConstValue
  | PathValue
  | ListValue<Value>
  | UnknownValue
  | { t: 'seq'; model: ModelBuilder; st: TensorState; node: Node }
  /** A container applied in order (nn.Sequential); `name` is what it was assigned to. */
  | { t: 'chain'; items: Value[]; name?: string; span: Span; applied: boolean; approx?: boolean }
  | { t: 'param'; op: LayerOp }
  | { t: 'init'; node: Node; env: Env }
  /** `key`: a module-level definition's (moduleDefinition): what a kept evaluation that only named it compares. */
  | { t: 'func'; node: Node; key?: string }
  | { t: 'class'; node: Node; key?: string }
  | { t: 'self'; obj: SelfObject }
  /**
   * A dict literal with constant string keys (`weights = {'h1': tf.Variable(...)}`); `modules`: an
   * nn.ModuleDict; `partial`: entries were left out (a key not a constant string, `**other`), so
   * its items are not all known.
   */
  | { t: 'dict'; items: Map<string, Value>; modules?: boolean; partial?: boolean };

export const UNKNOWN: Value = { t: 'unknown' };

/** A module-level definition's `key` (PythonInterpreter.moduleDefinition): its name, and which of the file's definitions of that name it is. */
export function keyParts(key: string): { name: string; index: number } {
  const at = key.lastIndexOf('#');
  return { name: key.slice(0, at), index: Number(key.slice(at + 1)) };
}

/** Python's `==` between constants (True == 1, 1 == 1.0); undefined between sequences (a tuple never equals a list, and constants do not say which is which). */
function constEquals(a: Const, b: Const): boolean | undefined {
  if (Array.isArray(a) || Array.isArray(b)) return undefined;
  const num = (x: Const) => (typeof x === 'boolean' ? Number(x) : x);
  return num(a) === num(b);
}

/** One comparison operator between two constants, as Python answers it; undefined where constants do not tell. */
function compareConsts(op: string, a: Const, b: Const): boolean | undefined {
  // `x is not None`, `mask == None`: left unknown. None is most often an optional argument's
  // default (`forward(self, x, skip=None)`), and the branch for a value given is the one that
  // builds: both branches run, as for any condition not known.
  if (a === null || b === null) return undefined;
  switch (op) {
    case '==':
      return constEquals(a, b);
    case '!=':
    case '<>': {
      const eq = constEquals(a, b);
      return eq === undefined ? undefined : !eq;
    }
    case '<':
    case '<=':
    case '>':
    case '>=': {
      // Numbers (and booleans) only: strings compare by code point in Python, by UTF-16 unit here.
      const x = typeof a === 'boolean' ? Number(a) : a;
      const y = typeof b === 'boolean' ? Number(b) : b;
      if (typeof x !== 'number' || typeof y !== 'number') return undefined;
      return op === '<' ? x < y : op === '<=' ? x <= y : op === '>' ? x > y : x >= y;
    }
    case 'in':
    case 'not in': {
      let found: boolean | undefined;
      if (typeof b === 'string') found = typeof a === 'string' ? b.includes(a) : undefined;
      else if (Array.isArray(b)) {
        found = false;
        for (const item of b) {
          const eq = constEquals(a, item);
          if (eq === undefined) found = undefined;
          if (eq) {
            found = true;
            break;
          }
        }
      }
      return found === undefined ? undefined : op === 'in' ? found : !found;
    }
    case 'is':
    case 'is not': {
      // Identity is known for True and False only (None: above).
      if (typeof a !== 'boolean' && typeof b !== 'boolean') return undefined;
      return op === 'is' ? a === b : a !== b;
    }
    default:
      return undefined;
  }
}

/** The items of a sequence value: a list, or a constant list or tuple (`[]` is the constant `[]`). */
function sequenceItems(v: Value): Value[] | undefined {
  if (v.t === 'list') return v.items;
  if (v.t === 'const' && Array.isArray(v.v)) return v.v.map((c): Value => ({ t: 'const', v: c }));
  return undefined;
}

/**
 * Items a list grows to at most. A list grows by copying (a list is never changed once made: the
 * definition cache's tokens rely on it), so appending n items costs n²/2 copies: 5 nested loops
 * appending a layer each ran for minutes. No model appends this many layers to one list.
 */
export const MAX_LIST_ITEMS = 4096;

/** `a + b` of two sequences: a new list of at most MAX_LIST_ITEMS items. */
function concatenated(l: Value, r: Value): Value | undefined {
  const a = sequenceItems(l);
  const b = sequenceItems(r);
  if (!a || !b) return undefined;
  const items = [...a, ...b].slice(0, MAX_LIST_ITEMS);
  return isApprox(l) || isApprox(r) ? { t: 'list', items, approx: true } : { t: 'list', items };
}

/** Methods that change a dict's entries in place. */
/** What a `for` or a comprehension goes over: its items, and whether they are its items one by one. */
interface Iteration {
  readonly items: Value[];
  /** False for one item standing for an iterable of unknown length (the body runs once for all). */
  readonly known: boolean;
}

/** One pass, for an item standing for an iterable of unknown length. */
const oneUnknownPass = (): Iteration => ({ items: [UNKNOWN], known: false });

const DICT_CHANGES = new Set(['update', 'setdefault', 'pop', 'popitem', 'clear']);

/** A list or container whose items stand for a number of items not known (`ListValue.approx`). */
function isApprox(v: Value): boolean {
  return (v.t === 'list' || v.t === 'chain') && !!v.approx;
}

/**
 * `[Block(...)] * n` (or `n * [...]`): the same items n times, as Python repeats the references:
 * one layer object listed n times is one layer applied n times, its weights shared.
 */
function repeated(l: Value, r: Value): Value | undefined {
  const [seq, n] = sequenceItems(l) ? [sequenceItems(l), r] : [sequenceItems(r), l];
  const times = n.t === 'const' && typeof n.v === 'number' && Number.isInteger(n.v) ? Math.max(0, n.v) : undefined;
  if (!seq || times === undefined) return undefined;
  if (seq.length === 0) return { t: 'list', items: [] };
  const items: Value[] = [];
  for (let i = 0; i < times && items.length < MAX_LIST_ITEMS; i++) items.push(...seq);
  return { t: 'list', items: items.slice(0, MAX_LIST_ITEMS) };
}

/** A class with no base but `object`, `ABC` or `NamedTuple`: what its methods build is all in the file. */
function isPlainClass(cls: Node): boolean {
  const supers = cls.childForFieldName('superclasses');
  return !supers || supers.namedChildren.every((s) => !s || /^(?:object|ABC|abc\.ABC|NamedTuple|typing\.NamedTuple)$/.test(s.text));
}

/** Parameter names that hold a model's configuration. */
const CONFIG_PARAM = /^(?:config|cfg|conf|configs|model_config|model_cfg|hparams|hps|hp)$/;

/** How many classes of the file a class's bases are followed through, each once (a model class, a method). */
const MAX_BASES = 8;

/** A Python scope: assignments bind in it (`set`). */
export class Env extends Scope<Value> {}

export abstract class PythonInterpreter extends Evaluator<Value, LayerOp> {
  protected readonly imports: ImportTable;
  protected readonly module = new Env();
  protected readonly unknown = UNKNOWN;
  protected readonly identifier = /\b[A-Za-z_]\w*/;
  protected override readonly keepsDefinitions = true;

  /** Methods that give a model class's forward order (`call`, `forward`). */
  protected abstract readonly forwardMethods: readonly string[];
  /** Whether a class defined in the file is a model or layer of this framework. */
  /** Whether a class derives directly from the framework's model base (`nn.Module`, `keras.Model`, Flax's `nn.Module`). */
  protected abstract isFrameworkModelClass(cls: Node): boolean;

  /**
   * A model class: on the framework's model base, directly or through classes of this file
   * (`class MLP(ImageClassificationBase)` on `class ImageClassificationBase(nn.Module)`, the
   * tutorials' way of sharing a training step). Not kept between calls: each reads the module's
   * names, which a kept evaluation records.
   */
  protected isModelClass(cls: Node, seen = new Set<number>()): boolean {
    if (this.isFrameworkModelClass(cls)) return true;
    // Each class once (a base listed twice along a lattice, or bases in a cycle, as broken code has).
    seen.add(cls.id);
    if (seen.size > MAX_BASES) return false;
    return this.localBases(cls).some((b) => !seen.has(b.id) && this.isModelClass(b, seen));
  }

  /** A class's bases that are classes of this file, in the order written. */
  protected localBases(cls: Node): Node[] {
    const out: Node[] = [];
    for (const s of cls.childForFieldName('superclasses')?.namedChildren ?? []) {
      if (s?.type !== 'identifier') continue;
      const v = this.module.get(s.text);
      if (v?.t === 'class' && v.node.id !== cls.id) out.push(v.node);
    }
    return out;
  }
  /** A call of a qualified (imported) name; undefined: not this framework's, treated as unknown. */
  protected abstract callPath(path: string, node: Node, args: CallArgs, env: Env, model: ModelBuilder): Value | undefined;

  /** A method call on a tracked value (`model.add`, `w.normal_()`, `self.apply(fn)`); undefined: not handled. */
  protected callMethod(_obj: Value, _method: string, _node: Node, _args: CallArgs, _env: Env, _model: ModelBuilder): Value | undefined {
    return undefined;
  }

  /** An attribute of a tracked value other than `self.x` and module paths (`layer.weight`). */
  protected attribute(_base: Value, _attr: string): Value | undefined {
    return undefined;
  }

  /** `imports`: the file's import table, when the caller already read it for another front end. */
  constructor(tree: Tree, text: string, imports?: ImportTable) {
    super(tree, text);
    this.imports = imports ?? collectImports(tree.rootNode, text);
    for (const [alias, path] of this.imports.aliases) this.module.set(alias, { t: 'path', path });
  }

  // ---- the evaluator core's hooks (eval/evaluator.ts) ----

  protected syntaxErrors(root: Node): string[] {
    return pythonSyntaxErrors(root);
  }

  protected prepare(root: Node): void {
    this.bindDefinitions(root, this.module);
  }

  /** Module-level functions and classes (methods run through their class). */
  protected definitions(root: Node): Node[] {
    return statementsAt(root, this.text, /(?:async[ \t]+)?def\b|class\b/, ['function_definition', 'class_definition']).filter(
      (d) => !(d.type === 'function_definition' && enclosingClass(d)),
    );
  }

  protected definitionName(def: Node): string | undefined {
    return def.childForFieldName('name')?.text;
  }

  /** `def name(` and `class Name(` match themselves once. */
  protected selfCalls(def: Node): number {
    return def.type === 'function_definition' || def.childForFieldName('superclasses') ? 1 : 0;
  }

  protected override definitionRank(def: Node): 0 | 1 | 2 {
    if (def.type !== 'class_definition') return 0;
    const name = def.childForFieldName('name')?.text;
    return name && this.classesGivenAsValues().has(name) ? 2 : 1;
  }

  /**
   * The file's classes that its own definitions may build through a value: a class named as a
   * parameter's default (`def __init__(self, block=BasicBlock)`) or as an argument to a function
   * or class of the file (`Backbone(block=ConvBlock)`, `make_stage([Block, Block])`), directly or
   * in a list or tuple. Not one passed to a function initlint cannot read
   * (`build_model_with_cfg(Backbone, ...)`): nothing here builds that. One pass over the text.
   */
  private classesGivenAsValues(): Set<string> {
    if (this.givenAsValues) return this.givenAsValues;
    const out = (this.givenAsValues = new Set<string>());
    const defs = this.definitions(this.tree.rootNode);
    const own = new Set(defs.map((d) => d.childForFieldName('name')?.text));
    // Only the order of classes nothing calls by name depends on it, among themselves: with one
    // or none, there is nothing to order (timm's VisionTransformer, named 172 times, is scanned
    // at no lint).
    const uncalled = this.classNames().filter((n) => (this.callCounts.get(n) ?? 0) <= 1);
    if (uncalled.length < 2) return out;
    for (const { name, node } of this.classValueUses(uncalled)) {
      let p = node.parent;
      if ((p?.type === 'default_parameter' || p?.type === 'typed_default_parameter') && p.childForFieldName('value')?.id === node.id) {
        out.add(name);
        continue;
      }
      if (p?.type === 'keyword_argument' && p.childForFieldName('value')?.id === node.id) p = p.parent;
      const fn = p?.type === 'argument_list' ? p.parent?.childForFieldName('function') : undefined;
      if (fn?.type === 'identifier' && own.has(fn.text)) out.add(name);
    }
    return out;
  }
  private givenAsValues?: Set<string>;

  /** The names of the file's module-level classes. */
  protected classNames(): string[] {
    return this.definitions(this.tree.rootNode)
      .filter((d) => d.type === 'class_definition')
      .map((d) => d.childForFieldName('name')?.text)
      .filter((n): n is string => !!n);
  }

  /**
   * Each place one of the named classes stands in the code (not in a string or a comment), found
   * in one pass over the text: the name's identifier, or the outermost list or tuple it stands
   * in (`[SepConv, Attention]`). The callers read what holds it: a keyword, a default, a call.
   */
  protected classValueUses(names: readonly string[]): Array<{ name: string; node: Node }> {
    const out: Array<{ name: string; node: Node }> = [];
    if (names.length === 0) return out;
    const root = this.tree.rootNode;
    for (const m of this.text.matchAll(new RegExp(`\\b(?:${names.join('|')})\\b`, 'g'))) {
      let n = root.descendantForIndex(m.index);
      if (n?.type !== 'identifier' || n.startIndex !== m.index || n.endIndex !== m.index + m[0].length) continue;
      while (n.parent && (n.parent.type === 'list' || n.parent.type === 'tuple')) n = n.parent;
      out.push({ name: m[0], node: n });
    }
    return out;
  }

  protected evaluateStandalone(def: Node): void {
    if (def.type === 'class_definition') this.evaluateClassStandalone(def);
    else this.evaluateFunctionStandalone(def);
  }

  /**
   * A module-level function or class is its key, which of the file's definitions it is; what it
   * is, read through its `node`, is noted apart (`d`, moduleDefinition). Any other function or
   * class is its node, by id: the same node object is the same text (the incremental copy keeps
   * it only then). A dict, like a list, is never changed once made.
   */
  protected override valueToken(v: Value | undefined, depth = 0, budget: Visits = { left: MAX_TOKEN_ITEMS }): string | typeof IMPURE | undefined {
    if (v?.t === 'func' || v?.t === 'class') return v.key ? `${v.t} ${v.key}` : `${v.t} ${v.node.id}`;
    if (v?.t === 'dict')
      return this.tokens(`dict${v.partial ? ' partial' : ''}${v.modules ? ' modules' : ''}`, v.items.values(), depth, budget, v.items.keys());
    return super.valueToken(v, depth, budget);
  }

  /** `NAME = expression` (annotated or not): the statements whose evaluation a re-lint may keep (`keptStatement`). */
  protected override keptStatementTarget(stmt: Node): string | undefined {
    if (stmt.type !== 'expression_statement' || stmt.namedChildren.length !== 1) return undefined;
    const assignment = stmt.namedChildren[0];
    const left = assignment?.type === 'assignment' ? assignment.childForFieldName('left') : undefined;
    return left?.type === 'identifier' && assignment?.childForFieldName('right') ? left.text : undefined;
  }

  protected override isContainer(v: Value): boolean {
    return v.t === 'dict' || v.t === 'chain' || super.isContainer(v);
  }

  protected override isData(v: Value, depth = 0, budget: Visits = { left: MAX_DATA_CONTAINERS }): boolean {
    if (v.t !== 'dict') return super.isData(v, depth, budget);
    if (v.modules || depth >= MAX_CONTAINER_DEPTH || --budget.left < 0) return false;
    for (const item of v.items.values()) if (!this.isData(item, depth + 1, budget)) return false;
    return true;
  }

  /** `d`: the node of a module-level definition by its key; `mc`: whether it is a model class; `w`: what an unbound name is through `from M import *`; `cfg`: the file's config class. */
  protected override probe(kind: string, arg: string): unknown {
    if (kind === 'd') return this.definitionOfKey(arg)?.id;
    if (kind === 'mc') {
      const def = this.definitionOfKey(arg);
      return !!def && this.isModelClass(def);
    }
    if (kind === 'w') return this.wildcardPath(arg);
    if (kind === 'cfg') return this.configClass();
    return super.probe(kind, arg);
  }

  protected activationCall(info: ActivationInfo, node: Node, input: Value): Value {
    if (input.t !== 'tensor') return UNKNOWN;
    return { t: 'tensor', st: signal.activate(input.st, { info, span: spanOf(node) }) };
  }

  /** `isinstance(m, nn.Linear)` and friends: true, false, or undefined when it cannot be told. */
  protected truth(node: Node, env: Env, model: ModelBuilder): boolean | undefined {
    if (node.type === 'not_operator') {
      const arg = node.childForFieldName('argument');
      const v = arg ? this.truth(arg, env, model) : undefined;
      return v === undefined ? undefined : !v;
    }
    if (node.type === 'boolean_operator') {
      const l = node.childForFieldName('left');
      const r = node.childForFieldName('right');
      const a = l ? this.truth(l, env, model) : undefined;
      const b = r ? this.truth(r, env, model) : undefined;
      const op = node.childForFieldName('operator')?.text;
      if (op === 'and') return a === false || b === false ? false : a && b ? true : undefined;
      return a === true || b === true ? true : a === false && b === false ? false : undefined;
    }
    if (node.type === 'call' && node.childForFieldName('function')?.text === 'isinstance') {
      const args = callArgs(node);
      const [objNode, typeNode] = args.positional;
      if (!objNode || !typeNode) return undefined;
      const obj = this.eval(objNode, env, model);
      const types = typeNode.type === 'tuple' ? typeNode.namedChildren : [typeNode];
      const names = types.map((t) => this.qualify(t, env)).map((q) => (q ? lastSegment(q) : undefined));
      if (names.some((n) => n === undefined)) return undefined;
      if (obj.t === 'op') return names.includes(obj.op.className);
      if (obj.t === 'self' || obj.t === 'chain' || obj.t === 'list' || obj.t === 'tensor') return false;
      return undefined;
    }
    const c = this.constOf(node, env);
    if (c === undefined) return undefined;
    return !!c && !(Array.isArray(c) && c.length === 0);
  }

  protected recordInvoked(def: Node): void {
    this.invoked.add(def.id);
  }

  /** A framework's meaning of an operator between values (`x @ W`); undefined: a merge of the tensors. */
  protected binaryOperator(_operator: string | undefined, _left: Value, _right: Value, _model: ModelBuilder): Value | undefined {
    return undefined;
  }

  /** An activation layer (`ReLU()`, `nn.Tanh()`) applied to a tensor: it closes the open layer. */
  protected activationLayer(info: ActivationInfo | undefined, op: LayerOp, st: TensorState): TensorState {
    return signal.activateOrClose(st, info && { info, span: spanOf(op.call) });
  }

  protected bindDefinitions(block: Node, env: Env): void {
    for (const stmt of block.namedChildren) if (stmt) this.bindDefinition(stmt, env);
  }

  protected bindDefinition(stmt: Node, env: Env): void {
    const def = stmt.type === 'decorated_definition' ? stmt.childForFieldName('definition') : stmt;
    const name = def?.childForFieldName('name')?.text;
    if (!def || !name) return;
    const t = def.type === 'function_definition' ? 'func' : def.type === 'class_definition' ? 'class' : undefined;
    if (t) env.set(name, env === this.module ? this.moduleDefinition(t, name, def) : { t, node: def });
  }

  /**
   * A module-level function or class as a value. A kept evaluation (eval/definitionCache.ts) that
   * named it compares its `key`, the name and which of the file's definitions of that name it is;
   * one that read what it is (called it, built it, looked at its methods or bases: anything that
   * reads `node`) compares the node too (`d`), new whenever its text changes. So timm's hundred
   * `vit_*` factories, which only pass `VisionTransformer` to a builder initlint cannot read, are
   * not evaluated again after every keystroke in the class.
   *
   * Keep it so: never copy such a value (`{...v}` would read `node` once and hand on a plain
   * one) nor keep its `node` from one recording to another; read what is only its name from `key`.
   */
  private moduleDefinition(t: 'func' | 'class', name: string, def: Node): Value {
    let same = this.moduleDefinitions.get(name);
    if (!same) this.moduleDefinitions.set(name, (same = []));
    if (!same.includes(def)) same.push(def);
    const key = `${name}#${same.indexOf(def)}`; // read back by keyParts
    const value = { t, key } as { t: 'func' | 'class'; node: Node; key: string };
    Object.defineProperty(value, 'node', {
      enumerable: true,
      get: () => {
        this.recording?.read('d', key, def.id);
        return def;
      },
    });
    return value;
  }
  private readonly moduleDefinitions = new Map<string, Node[]>();

  protected evaluateFunctionStandalone(def: Node): void {
    const name = def.childForFieldName('name')?.text ?? 'model';
    const model = this.newModel(name, spanOf(def.childForFieldName('name') ?? def));
    const env = new Env(this.module);
    this.bindParams(def, env, [], new Map(), model);
    const body = def.childForFieldName('body');
    // What it returns is read too: `def resnet18(): return ResNet(BasicBlock, [2, 2, 2, 2])`.
    const ret: { v?: Value } = {};
    if (body) this.execBlock(body, env, model, ret);
    this.applyLeftovers(ret.v ? [...env.values(), ret.v] : env.values(), model);
  }

  protected evaluateClassStandalone(cls: Node): void {
    if (!this.isModelClass(cls)) {
      if (isPlainClass(cls)) this.evaluatePlainClass(cls, [], new Map());
      return;
    }
    const name = cls.childForFieldName('name')?.text ?? 'model';
    const model = this.newModel(name, spanOf(cls.childForFieldName('name') ?? cls));
    const obj: SelfObject = { attrs: new Map(), cls, model };
    this.construct(obj, [], new Map());
    this.componentInit(obj, model);
    const forward = this.forwardOf(cls);
    if (forward) this.recordOutputs(model, this.invoke(forward, obj, [this.freshTensor(model)], new Map(), model));
    this.applyLeftovers(obj.attrs.values(), model);
  }

  /** What a model returns (a tensor, or tensors in a tuple, list or dict): its outputs (`ModelBuilder.outputs`). */
  protected recordOutputs(model: ModelBuilder, v: Value, depth = 0, seen?: Set<Value>): void {
    if (v.t === 'tensor') {
      // A layer's raw output returned (`return h, self.norm(h)`): it leaves unnormalized.
      signal.close(v.st);
      if (v.st.flow) (model.outputs ??= []).push(v.st.flow);
      return;
    }
    if (depth >= 4 || (v.t !== 'list' && v.t !== 'dict') || seen?.has(v)) return;
    const visited = (seen ?? new Set<Value>()).add(v);
    for (const item of v.t === 'list' ? v.items : v.items.values()) this.recordOutputs(model, item, depth + 1, visited);
  }

  /**
   * A model class read on its own that a model of the file builds where initlint cannot follow:
   * that model's initialization of every submodule, where the front end reads one (torch.ts).
   */
  protected componentInit(_obj: SelfObject, _model: ModelBuilder): void {}

  /**
   * A class that is not a model class (an RL agent, a TF1 model object, a trainer) may build
   * models in any method (`_build_model(self)`, `build(self)`): build one instance (its
   * `__init__` with the given arguments, or the parameters' defaults), then run each method
   * `__init__` did not reach, entry points first (methods nothing in the file calls by name),
   * as the class's model. Once per class: later calls of its methods are not run again.
   */
  protected evaluatePlainClass(cls: Node, pos: Value[], kw: Map<string, Value>): SelfObject {
    const name = cls.childForFieldName('name')?.text ?? 'model';
    const model = this.newModel(name, spanOf(cls.childForFieldName('name') ?? cls));
    const obj: SelfObject = { attrs: new Map(), cls, model, plain: true };
    // Every instance is built (a config object: `GPTConfig(n_embd=256)`); its methods run once per
    // class. Callers pass plain classes only (isPlainClass): what an imported base does is unknown.
    this.construct(obj, pos, kw);
    if (this.built.seen(cls.id)) return obj;
    this.built.add(cls.id);
    const methods = (cls.childForFieldName('body')?.namedChildren ?? [])
      .map((stmt) => (stmt?.type === 'decorated_definition' ? stmt.childForFieldName('definition') : stmt))
      .filter((d): d is Node => d?.type === 'function_definition' && !/^__\w+__$/.test(d.childForFieldName('name')?.text ?? ''));
    // A method nothing calls (`self.build(`, `agent.train(`: its name before `(` beyond its own `def`) is an entry point.
    for (const m of entryPointsFirst(
      methods,
      this.calls,
      (d) => d.childForFieldName('name')?.text,
      () => 1,
    )) {
      if (this.invoked.seen(m.id)) continue;
      this.invoke(m, obj, [], new Map(), model);
    }
    this.applyLeftovers(obj.attrs.values(), model);
    return obj;
  }

  /**
   * A parameter nothing passes, with no default (a class evaluated on its own: `def __init__(self,
   * config)`): a config object as far as it is constant in the file (rules.md v2, "Sizes through
   * configs"). Annotated with a class of this file (`config: GPTConfig`), that class's default
   * instance; named like a config (`config`, `cfg`, `hparams`, ...), the default instance of the
   * file's one config class (a dataclass, a NamedTuple, or a class named `...Config`), if it has
   * exactly one. Otherwise unknown.
   */
  protected configDefault(param: Node, name: string): Value {
    const type = param.type === 'typed_parameter' || param.type === 'typed_default_parameter' ? param.childForFieldName('type') : null;
    let cls: Node | undefined;
    if (type) {
      const v = this.module.get(type.text.replace(/^["']|["']$/g, ''));
      if (v?.t === 'class' && !this.isModelClassValue(v)) cls = v.node;
    } else if (CONFIG_PARAM.test(name)) {
      cls = this.configClass();
    }
    if (!cls) return UNKNOWN;
    // One instance for the file, which any definition may change: an evaluation that reads it is not kept.
    this.recording?.read('config instance', '', IMPURE);
    let obj = this.defaultInstances.get(cls.id);
    if (!obj) {
      obj = { attrs: new Map(), cls, model: this.scratch(), plain: true };
      this.defaultInstances.set(cls.id, obj);
      this.construct(obj, [], new Map());
    }
    return { t: 'self', obj };
  }
  private readonly defaultInstances = new Map<number, SelfObject>();

  /**
   * Whether a class value is a model class. For a module-level class, what is noted is that
   * answer (`mc`), not its node: `checkpoint_filter_fn(state_dict, model: VisionTransformer)` asks
   * only that, and was evaluated again after every keystroke in the class (timm).
   */
  private isModelClassValue(v: { t: 'class'; node: Node; key?: string }): boolean {
    const def = v.key ? this.definitionOfKey(v.key) : v.node;
    const is = !!def && this.isModelClass(def);
    if (v.key) this.recording?.read('mc', v.key, is);
    return is;
  }

  /** The module-level definition a key names (moduleDefinition), read without noting it. */
  private definitionOfKey(key: string): Node | undefined {
    const { name, index } = keyParts(key);
    return this.moduleDefinitions.get(name)?.[index];
  }
  private configClassFound?: { cls?: Node };

  /** The file's one config class: decorated `@dataclass`, a NamedTuple, or named `...Config`/`...Cfg`; undefined for none or several. */
  private configClass(): Node | undefined {
    const cls = this.configClassOnce();
    this.recording?.read('cfg', '', cls);
    return cls;
  }

  private configClassOnce(): Node | undefined {
    if (!this.configClassFound) {
      const found: Node[] = [];
      for (const stmt of this.tree.rootNode.namedChildren) {
        const def = stmt?.type === 'decorated_definition' ? stmt.childForFieldName('definition') : stmt;
        if (def?.type !== 'class_definition' || this.isModelClass(def)) continue;
        const decorated = stmt?.type === 'decorated_definition' && /@(?:dataclasses\.)?dataclass\b/.test(stmt.text.slice(0, 200));
        const namedTuple = /\bNamedTuple\b/.test(def.childForFieldName('superclasses')?.text ?? '');
        if (decorated || namedTuple || /(?:Config|Cfg)$/.test(def.childForFieldName('name')?.text ?? '')) found.push(def);
      }
      this.configClassFound = { cls: found.length === 1 ? found[0] : undefined };
    }
    return this.configClassFound.cls;
  }

  protected forwardOf(cls: Node): Node | undefined {
    for (const name of this.forwardMethods) {
      const m = this.method(cls, name);
      if (m) return m;
    }
    return undefined;
  }

  /** A method of the class, or inherited from a class of this file (depth first, as Python's MRO for single bases). */
  protected method(cls: Node, name: string, seen = new Set<number>()): Node | undefined {
    const body = cls.childForFieldName('body');
    for (const stmt of body?.namedChildren ?? []) {
      const def = stmt?.type === 'decorated_definition' ? stmt.childForFieldName('definition') : stmt;
      if (def?.type === 'function_definition' && def.childForFieldName('name')?.text === name) return def;
    }
    if (!cls.childForFieldName('superclasses')) return undefined;
    seen.add(cls.id);
    if (seen.size > MAX_BASES) return undefined;
    for (const base of this.localBases(cls)) {
      if (seen.has(base.id)) continue;
      const m = this.method(base, name, seen);
      if (m) return m;
    }
    return undefined;
  }

  /**
   * `super().__init__(...)` or `super(Net, self).forward(x)` in a method of a class on a class of
   * this file: that base's method, run on the same instance (the base's `__init__` builds its
   * layers on it). Undefined where no base of this file has the method (`nn.Module.__init__`).
   */
  private superMethod(objNode: Node, method: string, env: Env): { def: Node; self: SelfObject } | undefined {
    if (objNode.type !== 'call' || objNode.childForFieldName('function')?.text !== 'super' || env.get('super')) return undefined;
    const self = env.get('self');
    if (self?.t !== 'self') return undefined;
    const named = callArgs(objNode).positional[0];
    let from: Node | undefined;
    if (named) {
      const v = this.module.get(named.text);
      from = v?.t === 'class' ? v.node : undefined;
    } else {
      let fn: Node | null = objNode.parent;
      while (fn && fn.type !== 'function_definition') fn = fn.parent;
      from = fn ? enclosingClass(fn) : undefined;
    }
    if (!from) return undefined;
    for (const base of this.localBases(from)) {
      const def = this.method(base, method);
      if (def) return { def, self: self.obj };
    }
    return undefined;
  }

  /**
   * Build an instance: class-level fields (dataclass style, as Flax modules declare them) with
   * constructor keywords over their defaults, then `__init__`, then Flax's `setup`.
   */
  protected construct(obj: SelfObject, pos: Value[], kw: Map<string, Value>): void {
    const cls = obj.cls;
    if (!cls) return;
    const fields: string[] = [];
    for (const stmt of cls.childForFieldName('body')?.namedChildren ?? []) {
      const assign = stmt?.type === 'expression_statement' ? stmt.namedChildren[0] : undefined;
      const left = assign?.type === 'assignment' ? assign.childForFieldName('left') : undefined;
      if (!assign || left?.type !== 'identifier') continue;
      fields.push(left.text);
      const right = assign.childForFieldName('right');
      obj.attrs.set(left.text, kw.get(left.text) ?? (right ? this.eval(right, this.module, obj.model) : UNKNOWN));
    }
    const init = this.method(cls, '__init__');
    if (init) this.invoke(init, obj, pos, kw, obj.model);
    else
      fields.forEach((f, i) => {
        if (pos[i] && !kw.has(f)) obj.attrs.set(f, pos[i]);
      });
    const setup = this.method(cls, 'setup');
    if (setup) this.invoke(setup, obj, [], new Map(), obj.model);
    // Keras builds a layer's weights in `build(input_shape)` before its first call: sublayers
    // made there are the instance's too (the input shape is not known here). Once per instance
    // (an explicit `model.build(...)` later does not run it again), and for the framework's
    // classes only (a plain class's `build(self, hidden=24)` runs as its own method).
    if (!obj.plain && !obj.built) {
      for (const name of this.buildMethods) {
        const build = this.method(cls, name);
        if (!build) continue;
        obj.built = true;
        this.invoke(build, obj, [UNKNOWN], new Map(), obj.model);
      }
    }
  }

  /** Methods the framework runs after `__init__`, with the input's shape, before the first call (Keras's `build`). */
  protected readonly buildMethods: readonly string[] = [];

  /** Model instances and containers built but never applied to a tensor (the core reads layers and lists). */
  protected override leftover(v: Value, model: ModelBuilder, depth: number, seen: Set<Value>): void {
    if (v.t === 'self' && !v.obj.applied && v.obj.cls) {
      // `model = Classifier()` never called on a tensor: its forward still tells the order.
      const name = v.obj.cls.childForFieldName('name');
      const target = this.newModel(name?.text ?? model.scopeName, spanOf(name ?? v.obj.cls));
      this.recordOutputs(target, { t: 'tensor', st: this.applyModule(v, this.freshTensor(target).st) });
      this.applyLeftovers(v.obj.attrs.values(), target, depth + 1, seen);
    } else if (v.t === 'chain' && !v.applied) {
      // Applied in slices (`self.features[:4](x)`): the items no slice reached, each on its own.
      const applied = (i: Value) => (i.t === 'op' && i.op.applied) || (i.t === 'self' && !!i.obj.applied) || (i.t === 'chain' && i.applied);
      if (v.items.some(applied)) {
        this.applyLeftovers(
          v.items.filter((i) => !applied(i)),
          model,
          depth + 1,
          seen,
        );
        return;
      }
      // A module-level `model = nn.Sequential(...)` is a model of its own, named after its variable.
      const target = v.name && model.scopeName === 'model' ? this.newModel(v.name, v.span) : model;
      // Its result is followed no further: the model's output.
      this.recordOutputs(target, { t: 'tensor', st: this.applyModule(v, this.freshTensor(target).st) });
    } else if (v.t === 'dict' && v.modules) {
      // An nn.ModuleDict's modules that forward did not reach.
      this.applyLeftovers(v.items.values(), model, depth + 1, seen);
    }
  }

  protected bindParams(def: Node, env: Env, pos: Value[], kw: Map<string, Value>, model: ModelBuilder, skipSelf = false): void {
    const params = def.childForFieldName('parameters');
    let i = 0;
    let first = true;
    for (const p of params?.namedChildren ?? []) {
      const name = p && parameterName(p);
      if (!name) continue;
      // `x=1`, `x: int = 1`: the default, where no argument is given.
      const dflt = p.childForFieldName('value');
      if (first && skipSelf) {
        first = false;
        continue;
      }
      first = false;
      let v = kw.get(name) ?? pos[i];
      i++;
      if (v === undefined) v = dflt ? this.eval(dflt, this.module, model) : this.configDefault(p, name);
      env.set(name, v);
    }
  }

  /** Call a function or method of this file with arguments bound; returns its return value. */
  protected invoke(def: Node, self: SelfObject | undefined, pos: Value[], kw: Map<string, Value>, model: ModelBuilder): Value {
    // A plain class's methods run once (evaluatePlainClass): a second run would build its layers twice.
    if (self?.plain && this.invoked.seen(def.id)) return UNKNOWN;
    return this.inlined(def, () => {
      const env = new Env(this.module);
      if (self) env.set('self', { t: 'self', obj: self });
      this.bindParams(def, env, pos, kw, model, !!self);
      const ret: { v?: Value } = {};
      const body = def.childForFieldName('body');
      if (body) this.execBlock(body, env, model, ret);
      return ret.v ?? UNKNOWN;
    });
  }

  // ---- statements ----

  protected execStatement(stmt: Node, env: Env, model: ModelBuilder, ret: Ret<Value>): void {
    switch (stmt.type) {
      case 'expression_statement':
        for (const e of stmt.namedChildren) if (e) this.eval(e, env, model);
        return;
      case 'return_statement': {
        const e = stmt.namedChildren[0];
        const v = e ? this.eval(e, env, model) : UNKNOWN;
        if (ret && ret.v === undefined) ret.v = v;
        return;
      }
      case 'if_statement': {
        // Branches whose condition is known false are skipped (`isinstance` guards in init
        // functions); the others all run, in order, since either may be the one taken.
        const cond = stmt.childForFieldName('condition');
        const truth = cond ? this.truth(cond, env, model) : undefined;
        const body = stmt.childForFieldName('consequence');
        if (body && truth !== false) this.execBlock(body, env, model, ret);
        if (truth === true) return;
        for (const alt of stmt.childrenForFieldName('alternative')) {
          if (!alt) continue;
          const altCond = alt.type === 'elif_clause' ? alt.childForFieldName('condition') : null;
          const altTruth = altCond ? this.truth(altCond, env, model) : undefined;
          const b = alt.childForFieldName('consequence') ?? alt.childForFieldName('body');
          if (b && altTruth !== false) this.execBlock(b, env, model, ret);
          if (altTruth === true) break;
        }
        return;
      }
      case 'for_statement':
        this.execFor(stmt, env, model, ret);
        return;
      case 'while_statement':
      case 'with_statement':
      case 'try_statement': {
        const body = stmt.childForFieldName('body');
        if (body) this.execBlock(body, env, model, ret);
        return;
      }
      case 'function_definition':
      case 'class_definition':
      case 'decorated_definition':
        if (env !== this.module) this.bindDefinition(stmt, env);
        return;
      case 'ERROR':
        // Lint what parses: statements the parser kept inside an error node still count.
        this.execBlock(stmt, env, model, ret);
        return;
      default:
        return;
    }
  }

  protected execFor(stmt: Node, env: Env, model: ModelBuilder, ret: { v?: Value } | undefined): void {
    const left = stmt.childForFieldName('left');
    const right = stmt.childForFieldName('right');
    const body = stmt.childForFieldName('body');
    if (!body) return;
    const { items, known } = right ? this.iterate(right, env, model) : oneUnknownPass();
    // In a pass that stands for an unknown number of passes, a list grown is of unknown length.
    const unknownCount = !known;
    if (unknownCount) this.unknownLoops++;
    try {
      for (const item of items) {
        if (left) this.assign(left, item, env);
        this.execBlock(body, env, model, ret);
      }
    } finally {
      if (unknownCount) this.unknownLoops--;
    }
  }

  /** Loops being run whose number of passes is not known (a list grown in them is `approx`). */
  private unknownLoops = 0;

  /**
   * What a `for` iterates over, unrolled up to MAX_UNROLL, and whether those are its items one by
   * one (a range, a list); an unknown iterable gives one item standing for all (`known` false).
   */
  protected iterate(node: Node, env: Env, model: ModelBuilder): Iteration {
    if (node.type === 'call') {
      const fn = node.childForFieldName('function');
      if (fn?.type === 'identifier' && fn.text === 'range' && !env.get('range')) {
        const args = callArgs(node);
        const nums = args.positional.map((a) => this.constOf(a, env));
        if (nums.every((n) => typeof n === 'number')) {
          const [a, b, s] = nums.length === 1 ? [0, nums[0] as number, 1] : [nums[0] as number, nums[1] as number, (nums[2] as number) ?? 1];
          const out: Value[] = [];
          for (let i = a; s > 0 ? i < b : i > b; i += s) {
            out.push({ t: 'const', v: i });
            if (out.length >= MAX_UNROLL) break;
          }
          return { items: out, known: true };
        }
      }
      if (fn?.type === 'identifier' && fn.text === 'enumerate' && !env.get('enumerate')) {
        const args = callArgs(node);
        const inner = args.positional[0];
        const startNode = args.positional[1] ?? args.keywords.get('start');
        const start = startNode ? this.constOf(startNode, env) : 0;
        if (inner && inner.type !== 'list_splat') {
          const { items, known } = this.iterate(inner, env, model);
          // Over an iterable of unknown length the body runs once, for an item that stands for
          // all: its index is not 0 but unknown, or `if i > 0:` would be decided for every item.
          const counted = known && typeof start === 'number';
          return { items: items.map((v, i) => ({ t: 'list', items: [counted ? { t: 'const', v: (start as number) + i } : UNKNOWN, v] })), known };
        }
        return oneUnknownPass();
      }
      if (fn?.type === 'attribute') {
        // `for name, layer in self.layers.items():` over an nn.ModuleDict, in its order.
        const method = fn.childForFieldName('attribute')?.text;
        const objNode = fn.childForFieldName('object');
        if (objNode && (method === 'items' || method === 'values' || method === 'keys')) {
          const d = this.eval(objNode, env, model);
          // Plain dicts stay one pass: timm's 1,200-entry default_cfgs is walked at module level
          // (`[n for n, c in default_cfgs.items() if ...]`) on every lint, for no layer.
          if (d.t === 'dict' && d.modules && !d.partial) {
            const items = this.unrolled(
              [...d.items].map(([k, v]): Value =>
                method === 'items' ? { t: 'list', items: [{ t: 'const', v: k }, v] } : method === 'values' ? v : { t: 'const', v: k },
              ),
            );
            return { items, known: true };
          }
          // Not a dict known entry by entry: one pass, for an item that stands for all (the
          // receiver, evaluated once, may have built layers).
          return oneUnknownPass();
        }
      }
      if (fn?.type === 'identifier' && fn.text === 'zip' && !env.get('zip')) {
        // `for embed, blocks in zip(self.patch_embeds, self.blocks):` item by item, as long as
        // the shortest list known item by item. An iterable of unknown length among them
        // (`zip(self.lateral_convs, hidden_states)`) gives its one item, standing for all, to
        // each pass: the layers run once each, as the lists of layers say. With no list known,
        // one pass, not known item by item.
        const call = callArgs(node);
        const args = call.positional;
        // `zip(*rows)`, `zip(a, *rest)`, `zip()`: how many columns, and which, is not known.
        if (args.length === 0 || call.list?.namedChildren.some((a) => a?.type === 'list_splat')) return oneUnknownPass();
        const columns = args.map((a) => this.iterate(a, env, model));
        const lengths = columns.filter((c) => c.known).map((c) => c.items.length);
        const n = lengths.length ? Math.min(...lengths) : 1;
        const items = Array.from({ length: n }, (_, i): Value => ({ t: 'list', items: columns.map((c) => (c.known ? c.items[i] : c.items[0]) ?? UNKNOWN) }));
        return { items, known: lengths.length > 0 };
      }
    }
    const v = this.eval(node, env, model);
    const known = ((v.t === 'chain' || v.t === 'list') && !v.approx) || (v.t === 'const' && Array.isArray(v.v));
    return { items: v.t === 'chain' ? this.unrolled(v.items) : this.iterateValue(v), known };
  }

  /** `items[start:stop:step]` as Python computes it, with constant bounds; undefined where a bound is not constant. */
  private slice<T>(node: Node, items: readonly T[], env: Env): T[] | undefined {
    // A slice's children: up to three optional expressions between `:` tokens.
    const parts: Array<Node | undefined> = [undefined];
    for (const c of node.children) {
      if (!c || c.type === 'comment') continue;
      if (c.type === ':') parts.push(undefined);
      else parts[parts.length - 1] = c;
    }
    const bound = (n: Node | undefined): number | null | undefined => {
      if (!n) return null;
      const v = this.constOf(n, env);
      return typeof v === 'number' && Number.isInteger(v) ? v : v === null ? null : undefined;
    };
    const [start, stop, step] = [bound(parts[0]), bound(parts[1]), bound(parts[2])];
    if (start === undefined || stop === undefined || step === undefined || step === 0) return undefined;
    const n = items.length;
    const by = step ?? 1;
    const clamp = (i: number, lo: number, hi: number) => Math.min(Math.max(i < 0 ? i + n : i, lo), hi);
    const from = start === null ? (by > 0 ? 0 : n - 1) : clamp(start, by > 0 ? 0 : -1, by > 0 ? n : n - 1);
    const to = stop === null ? (by > 0 ? n : -1) : clamp(stop, by > 0 ? 0 : -1, by > 0 ? n : n - 1);
    const out: T[] = [];
    for (let i = from; by > 0 ? i < to : i > to; i += by) out.push(items[i]);
    return out;
  }

  protected assign(target: Node, value: Value, env: Env): void {
    if (target.type === 'identifier') env.set(target.text, value);
    else if (target.type === 'attribute') {
      const obj = target.childForFieldName('object');
      const attr = target.childForFieldName('attribute')?.text;
      const self = obj && obj.type === 'identifier' ? env.get(obj.text) : undefined;
      if (self?.t === 'self' && attr) self.obj.attrs.set(attr, value);
    } else if (target.type === 'subscript') {
      // `self.heads[task] = nn.Linear(...)` into a dict (an nn.ModuleDict): the dict is bound
      // again with the entry, as a list grows; under a key not known, its entries are no longer
      // all known.
      const baseNode = target.childForFieldName('value');
      const index = target.childForFieldName('subscript');
      // A name or attribute (`self.heads`): evaluating it builds nothing.
      const base = baseNode && /^[A-Za-z_][\w.]*$/.test(baseNode.text) ? this.eval(baseNode, env, this.scratch()) : UNKNOWN;
      if (baseNode && index && base.t === 'dict') {
        const key = this.constOf(index, env);
        const items = new Map(base.items);
        if (typeof key === 'string') items.set(key, value);
        const partial = base.partial || typeof key !== 'string' || this.unknownLoops > 0;
        this.assign(baseNode, partial ? { ...base, items, partial } : { ...base, items }, env);
      }
    } else if (target.type === 'pattern_list' || target.type === 'tuple_pattern' || target.type === 'tuple' || target.type === 'list_pattern') {
      const parts = target.namedChildren;
      const items = sequenceItems(value) ?? [];
      parts.forEach((p, i) => this.assign(p, items[i] ?? UNKNOWN, env));
    }
  }

  // ---- expressions ----

  protected evalExpression(node: Node, env: Env, model: ModelBuilder): Value {
    switch (node.type) {
      case 'assignment': {
        const right = node.childForFieldName('right');
        const left = node.childForFieldName('left');
        if (!right || !left) return UNKNOWN;
        // `L = tf.keras.layers` binds a module alias like an import does: a path value.
        const v = this.eval(right, env, model);
        this.assign(left, v, env);
        return v;
      }
      case 'augmented_assignment': {
        const left = node.childForFieldName('left');
        const right = node.childForFieldName('right');
        const r = right ? this.eval(right, env, model) : UNKNOWN;
        const l = left ? this.eval(left, env, model) : UNKNOWN;
        const op = node.childForFieldName('operator')?.text;
        // `layers += [Block(...)]`: the list grows (timm's Swin builds its stages so).
        const grown = op === '+=' ? this.charged(concatenated(l, r)) : undefined;
        if (grown?.t === 'list' && this.unknownLoops > 0) grown.approx = true;
        if (left) this.assign(left, grown ?? this.merge([l, r], model, mergeOpOf(op)), env);
        return UNKNOWN;
      }
      case 'identifier': {
        const v = env.get(node.text);
        if (v) return v;
        // `from keras.layers import *`: an unbound name may come from the star import.
        const path = this.wildcardPath(node.text);
        this.recording?.read('w', node.text, path);
        return path ? { t: 'path', path } : UNKNOWN;
      }
      case 'attribute': {
        const obj = node.childForFieldName('object');
        const attr = node.childForFieldName('attribute')?.text;
        if (!obj || !attr) return UNKNOWN;
        const base = this.eval(obj, env, model);
        if (base.t === 'path') return { t: 'path', path: normalizeQualified(`${base.path}.${attr}`) };
        if (base.t === 'self') return base.obj.attrs.get(attr) ?? UNKNOWN;
        return this.attribute(base, attr) ?? UNKNOWN;
      }
      case 'integer':
      case 'float':
      case 'string':
      case 'true':
      case 'false':
      case 'none':
      case 'unary_operator':
      case 'binary_operator': {
        const c = this.constOf(node, env);
        if (c !== undefined) return { t: 'const', v: c };
        if (node.type === 'binary_operator') {
          const l = node.childForFieldName('left');
          const r = node.childForFieldName('right');
          const lv = l ? this.eval(l, env, model) : UNKNOWN;
          const rv = r ? this.eval(r, env, model) : UNKNOWN;
          const operator = node.childForFieldName('operator')?.text;
          return (
            this.binaryOperator(operator, lv, rv, model) ??
            this.charged(operator === '+' ? concatenated(lv, rv) : operator === '*' ? repeated(lv, rv) : undefined) ??
            this.merge([lv, rv], model, mergeOpOf(operator))
          );
        }
        return UNKNOWN;
      }
      case 'tuple':
      case 'list':
      case 'expression_list': {
        const c = this.constOf(node, env);
        if (c !== undefined) return { t: 'const', v: c };
        return { t: 'list', items: node.namedChildren.map((n) => this.eval(n, env, model)) };
      }
      case 'list_comprehension':
      case 'generator_expression':
        return this.comprehension(node, env, model);
      case 'parenthesized_expression': {
        const inner = node.namedChildren.find((c) => c && c.type !== 'comment');
        return inner ? this.eval(inner, env, model) : UNKNOWN;
      }
      case 'conditional_expression': {
        // `cin = 3 if i == 0 else dims[i - 1]`: the branch a condition known to hold or not
        // takes; the first, as before, where it is not known.
        const [yes, cond, no] = node.namedChildren.filter((c) => c && c.type !== 'comment');
        const truth = cond ? this.truth(cond, env, model) : undefined;
        const taken = truth === false ? no : yes;
        return taken ? this.eval(taken, env, model) : UNKNOWN;
      }
      case 'call':
        return this.evalCall(node, env, model);
      case 'subscript': {
        // `seq[2]`, `self.blocks[0]`: an item of a container, by constant index.
        const base = node.childForFieldName('value');
        const index = node.childForFieldName('subscript');
        const v = base ? this.eval(base, env, model) : UNKNOWN;
        if (index?.type === 'slice' && (v.t === 'list' || v.t === 'chain' || (v.t === 'const' && Array.isArray(v.v)))) {
          // `dims[:-1]`, `self.layers[1:]`, `channels[::-1]`: the items, as Python slices them
          // (a tensor's slice, `x[:, 1:]`, goes on below as the tensor).
          if (v.t === 'const') {
            const consts = Array.isArray(v.v) ? this.slice(index, v.v, env) : undefined;
            return consts ? { t: 'const', v: consts } : UNKNOWN;
          }
          const picked = this.slice(index, v.items, env);
          if (!picked) return UNKNOWN;
          if (v.t === 'chain') return { ...v, items: picked, applied: false, name: undefined };
          return v.approx ? { t: 'list', items: picked, approx: true } : { t: 'list', items: picked };
        }
        const i = index ? this.constOf(index, env) : undefined;
        if ((v.t === 'list' || v.t === 'chain') && typeof i === 'number' && Number.isInteger(i)) return v.items.at(i) ?? UNKNOWN;
        if (v.t === 'dict' && typeof i === 'string') return v.items.get(i) ?? UNKNOWN;
        if (v.t === 'const' && Array.isArray(v.v) && typeof i === 'number' && Number.isInteger(i)) {
          const item = v.v.at(i);
          return item === undefined ? UNKNOWN : { t: 'const', v: item };
        }
        return v.t === 'tensor' ? { t: 'tensor', st: { model: v.st.model, normSeen: v.st.normSeen, flow: v.st.flow } } : UNKNOWN;
      }
      case 'keyword_argument': {
        const v = node.childForFieldName('value');
        return v ? this.eval(v, env, model) : UNKNOWN;
      }
      case 'dictionary': {
        const items = new Map<string, Value>();
        let partial = false;
        for (const pair of node.namedChildren) {
          if (!pair || pair.type === 'comment') continue;
          if (pair.type !== 'pair') {
            partial = true;
            continue;
          }
          const k = pair.childForFieldName('key');
          const v = pair.childForFieldName('value');
          const key = k ? this.constOf(k, env) : undefined;
          const value = v ? this.eval(v, env, model) : UNKNOWN;
          if (typeof key === 'string') items.set(key, value);
          else partial = true;
        }
        return partial ? { t: 'dict', items, partial } : { t: 'dict', items };
      }
      default:
        // Still look inside for layer calls (e.g. `outputs = {"a": Dense(1)(x)}`).
        for (const c of node.namedChildren) if (c && c.type === 'call') this.eval(c, env, model);
        return UNKNOWN;
    }
  }

  protected comprehension(node: Node, env: Env, model: ModelBuilder): Value {
    const body = node.childForFieldName('body');
    const clause = node.namedChildren.find((c) => c?.type === 'for_in_clause');
    if (!body || !clause) return UNKNOWN;
    const left = clause.childForFieldName('left');
    const right = clause.childForFieldName('right');
    const inner = new Env(env);
    const { items, known } = right ? this.iterate(right, env, model) : oneUnknownPass();
    const out: Value[] = [];
    for (const item of items) {
      if (left) this.assign(left, item, inner);
      out.push(this.eval(body, inner, model));
    }
    return known ? { t: 'list', items: out } : { t: 'list', items: out, approx: true };
  }

  /**
   * An initializer call's arguments under the catalogue's names (initializers.ts): positional
   * ones by `params`, the framework's order. Undefined where one that matters is not a constant
   * here (`stddev=cfg.std`: the variance is then unknown, not the default's). `ignored` are those
   * that leave the distribution as it is (seed, dtype, ...); `rename` maps a keyword to the
   * catalogue's name; `value` reads an argument (the constant it is, by default).
   */
  protected initializerArgs(
    params: readonly string[],
    positional: readonly Node[],
    keywords: ReadonlyMap<string, Node>,
    env: Env,
    how: { ignored: ReadonlySet<string>; rename?: Readonly<Record<string, string>>; value?: (n: Node) => Const | undefined },
  ): InitArgs | undefined {
    const values: InitArgs = {};
    const read = (key: string | undefined, n: Node): boolean => {
      if (!key || how.ignored.has(key)) return true;
      const v = how.value ? how.value(n) : this.constOf(n, env);
      if (v === undefined || Array.isArray(v)) return false;
      values[key] = v;
      return true;
    };
    for (let i = 0; i < positional.length; i++) if (!read(params[i], positional[i])) return undefined;
    for (const [k, n] of keywords) if (!read(how.rename?.[k] ?? k, n)) return undefined;
    return values;
  }

  /** Integer/float/string/tuple constants, with names bound to constants and simple arithmetic. */
  protected constOf(node: Node, env: Env): Const | undefined {
    return this.nested(undefined, () => this.constOfInner(node, env));
  }

  protected constOfInner(node: Node, env: Env): Const | undefined {
    switch (node.type) {
      case 'integer': {
        const t = node.text.replace(/_/g, '');
        const n = /^0[xob]/i.test(t) ? Number(t) : parseInt(t, 10);
        return Number.isFinite(n) ? n : undefined;
      }
      case 'float': {
        const n = Number(node.text.replace(/_/g, ''));
        return Number.isFinite(n) ? n : undefined;
      }
      case 'string':
        return stringValue(node) ?? this.formattedString(node, env);
      case 'true':
        return true;
      case 'false':
        return false;
      case 'none':
        return null;
      case 'identifier': {
        const v = env.get(node.text);
        return v?.t === 'const' ? v.v : undefined;
      }
      case 'parenthesized_expression': {
        const inner = node.namedChildren.find((c) => c && c.type !== 'comment');
        return inner ? this.constOf(inner, env) : undefined;
      }
      case 'unary_operator': {
        const arg = node.childForFieldName('argument');
        const v = arg ? this.constOf(arg, env) : undefined;
        const op = node.childForFieldName('operator')?.text;
        if (typeof v !== 'number') return undefined;
        return op === '-' ? -v : op === '+' ? v : undefined;
      }
      case 'binary_operator': {
        const l = node.childForFieldName('left');
        const r = node.childForFieldName('right');
        const a = l ? this.constOf(l, env) : undefined;
        const b = r ? this.constOf(r, env) : undefined;
        if (typeof a !== 'number' || typeof b !== 'number') return undefined;
        switch (node.childForFieldName('operator')?.text) {
          case '+':
            return a + b;
          case '-':
            return a - b;
          case '*':
            return a * b;
          case '/':
            return b === 0 ? undefined : a / b;
          case '//':
            return b === 0 ? undefined : Math.floor(a / b);
          case '**':
            return a ** b;
          default:
            return undefined;
        }
      }
      case 'tuple':
      case 'list': {
        const out: Const[] = [];
        for (const c of node.namedChildren) {
          if (!c || c.type === 'comment') continue;
          const v = this.constOf(c, env);
          if (v === undefined) return undefined;
          out.push(v);
        }
        return out;
      }
      case 'attribute':
      case 'subscript': {
        // `self.features[0]`: a field holding a constant.
        const v = this.eval(node, env, this.scratch());
        return v.t === 'const' ? v.v : undefined;
      }
      case 'comparison_operator':
        return this.comparison(node, env);
      case 'conditional_expression': {
        // `3 if i == 0 else dims[i - 1]`: the branch a constant condition takes.
        const [yes, cond, no] = node.namedChildren.filter((c) => c && c.type !== 'comment');
        const c = cond ? this.constOf(cond, env) : undefined;
        if (c === undefined || !yes || !no) return undefined;
        return this.constOf(c && !(Array.isArray(c) && c.length === 0) ? yes : no, env);
      }
      case 'call': {
        // math.sqrt(5) and int(...) appear in initializer arguments.
        const fnNode = node.childForFieldName('function');
        const fn = fnNode?.text;
        const path = fnNode ? this.qualify(fnNode, env) : undefined;
        if (path && this.constantCall(path)) {
          const c = this.eval(node, env, this.scratch());
          return c.t === 'const' ? c.v : undefined;
        }
        const arg = callArgs(node).positional[0];
        const v = arg ? this.constOf(arg, env) : undefined;
        if (fn === 'len' && arg && !env.get('len')) {
          // `range(len(sizes) - 1)`: a constant sequence's length, or that of a list (of layers) a
          // name holds; not of a call's result, which may build layers of its own.
          if (Array.isArray(v) || typeof v === 'string') return v.length;
          if (!/^[A-Za-z_][\w.]*$/.test(arg.text)) return undefined;
          const seq = this.eval(arg, env, this.scratch());
          return isApprox(seq) ? undefined : sequenceItems(seq)?.length;
        }
        if (typeof v !== 'number') return undefined;
        if (fn === 'math.sqrt' || fn === 'np.sqrt' || fn === 'sqrt') return Math.sqrt(v);
        if (fn === 'int') return Math.trunc(v);
        if (fn === 'float') return v;
        return undefined;
      }
      default:
        return undefined;
    }
  }

  /**
   * An f-string whose fields are constant strings or integers (`f'fc{i}'`, `f'head_{task}'`), as
   * Python formats them; undefined with a format spec or a conversion (`{x:02d}`, `{x!r}`), or a
   * float (Python's repr is not JavaScript's).
   */
  private formattedString(node: Node, env: Env): string | undefined {
    if (!/^[rRbB]*[fF]/.test(node.text)) return undefined;
    let out = '';
    for (const child of node.namedChildren) {
      if (!child || child.type === 'string_start' || child.type === 'string_end') continue;
      if (child.type === 'string_content' || child.type === 'escape_sequence') out += child.text;
      else if (child.type === 'interpolation') {
        // `{x=}` prints `x=` before the value.
        if (child.children.some((c) => c?.type === '=')) return undefined;
        const fields = child.namedChildren.filter((c) => c && c.type !== 'comment');
        // A float prints as `1.0` in Python and `1` here: no float literal, no true division.
        if (fields.length !== 1 || !fields[0] || /\/|\d\.|\.\d/.test(fields[0].text)) return undefined;
        const v = this.constOf(fields[0], env);
        if (typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v))) out += String(v);
        else return undefined;
      } else return undefined;
    }
    return out;
  }

  /**
   * A comparison of constants, as Python computes it (`stem_type == 'patch'`, `'tiered' in
   * stem_type`, `0 < p <= 1`); undefined where an operand is not a constant, where constants
   * alone do not tell Python's answer (`is` between numbers, ordering between strings), and for
   * None (`compareConsts`). A branch under a comparison of a parameter's default was a branch of
   * unknown truth: both ran, and the one written last replaced what the other built (timm's
   * ConvNeXt lost its stem).
   */
  private comparison(node: Node, env: Env): boolean | undefined {
    const operands = node.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
    const operators = node.childrenForFieldName('operators').filter((c): c is Node => !!c);
    if (operators.length !== operands.length - 1) return undefined;
    let result: boolean | undefined = true;
    let left = this.constOf(operands[0], env);
    for (let i = 0; i < operators.length; i++) {
      const right = this.constOf(operands[i + 1], env);
      const pair = left === undefined || right === undefined ? undefined : compareConsts(operators[i].type, left, right);
      // A chain is true when every pair is: one false pair decides it.
      if (pair === false) return false;
      if (pair === undefined) result = undefined;
      left = right;
    }
    return result;
  }

  protected qualify(node: Node, env: Env): string | undefined {
    if (node.type === 'identifier') {
      const v = env.get(node.text);
      return v?.t === 'path' ? v.path : undefined;
    }
    if (node.type === 'attribute') {
      const obj = node.childForFieldName('object');
      const attr = node.childForFieldName('attribute')?.text;
      const base = obj ? this.qualify(obj, env) : undefined;
      return base && attr ? normalizeQualified(`${base}.${attr}`) : undefined;
    }
    return undefined;
  }

  protected evalArgs(args: CallArgs, env: Env, model: ModelBuilder): { pos: Value[]; kw: Map<string, Value> } {
    const pos = args.positional.map((a) => this.eval(a, env, model));
    const kw = new Map<string, Value>();
    for (const [k, v] of args.keywords) kw.set(k, this.eval(v, env, model));
    return { pos, kw };
  }

  protected evalCall(node: Node, env: Env, model: ModelBuilder): Value {
    const fnNode = node.childForFieldName('function');
    if (!fnNode) return UNKNOWN;
    const args = callArgs(node);
    if (fnNode.type === 'identifier' && fnNode.text === 'getattr' && !env.get('getattr')) {
      const got = this.getattr(args, env, model);
      if (got) return got;
    }
    if (fnNode.type === 'identifier' && (fnNode.text === 'zip' || fnNode.text === 'enumerate') && !env.get(fnNode.text)) {
      // `pairs = zip(ins, outs)` read later: the pairs, where every column is known item by item.
      const { items, known } = this.iterate(node, env, model);
      return known ? { t: 'list', items } : UNKNOWN;
    }
    if (fnNode.type === 'identifier' && fnNode.text === 'setattr' && !env.get('setattr')) {
      // `setattr(self, f'fc{i}', nn.Linear(...))`: an attribute of the instance, as `self.fc = ...` is.
      const [objNode, nameNode, valueNode] = args.positional;
      const obj = objNode ? this.eval(objNode, env, model) : UNKNOWN;
      const value = valueNode ? this.eval(valueNode, env, model) : UNKNOWN;
      if (obj.t === 'self' && nameNode) this.setAttribute(obj.obj, nameNode, value, env);
      return UNKNOWN;
    }
    let callee: Value;
    if (fnNode.type === 'attribute') {
      // The object is evaluated once: it may itself build layers.
      const objNode = fnNode.childForFieldName('object');
      const method = fnNode.childForFieldName('attribute')?.text ?? '';
      const inherited = objNode && this.superMethod(objNode, method, env);
      if (inherited) {
        const { pos, kw } = this.evalArgs(args, env, model);
        return this.invoke(inherited.def, inherited.self, pos, kw, model);
      }
      const obj = objNode ? this.eval(objNode, env, model) : UNKNOWN;
      const handled = this.callMethod(obj, method, node, args, env, model);
      if (handled) return handled;
      if (obj.t === 'dict' && objNode && DICT_CHANGES.has(method)) {
        // `heads.update(...)`, `heads.pop('aux')`: the entries are no longer all known.
        this.evalArgs(args, env, model);
        this.assign(objNode, { ...obj, items: new Map(obj.items), partial: true }, env);
        return UNKNOWN;
      }
      const grows = objNode && (method === 'append' || method === 'extend');
      const items = grows ? (obj.t === 'chain' ? obj.items : sequenceItems(obj)) : undefined;
      if (items && objNode) {
        // `layers.append(nn.Linear(...))` in a loop, `blocks.extend(...)`, an nn.Sequential's
        // `append`: the list is bound again, grown, not changed in place (a list is never changed
        // once made). Before, the items were lost, and with them every layer of a model built this way.
        const { pos } = this.evalArgs(args, env, model);
        if (items.length >= MAX_LIST_ITEMS) return UNKNOWN;
        const added = method === 'append' ? pos.slice(0, 1) : pos[0] ? (sequenceItems(pos[0]) ?? (pos[0].t === 'chain' ? pos[0].items : [])) : [];
        const grown = [...items, ...added].slice(0, MAX_LIST_ITEMS);
        const approx = this.unknownLoops > 0 || isApprox(obj) || (method === 'extend' && !!pos[0] && isApprox(pos[0]));
        const list: Value = obj.t === 'chain' ? { ...obj, items: grown, approx } : { t: 'list', items: grown, approx };
        this.assign(objNode, this.charged(list)!, env);
        return UNKNOWN;
      }
      if (obj.t === 'self' && !obj.obj.attrs.has(method) && obj.obj.cls) {
        if (this.buildMethods.includes(method) && !obj.obj.plain) {
          if (obj.obj.built) return UNKNOWN;
          obj.obj.built = true;
        }
        const def = this.method(obj.obj.cls, method);
        const { pos, kw } = this.evalArgs(args, env, model);
        if (def) return this.invoke(def, obj.obj, pos, kw, model);
        // A method the class inherits (`.to("cuda")`, `.eval()`, `.compile()`): the framework's
        // modules return themselves from most of these, and the model must not be lost.
        if (method !== 'forward' && method !== 'call' && method !== '__call__') return obj;
      }
      callee =
        obj.t === 'path'
          ? { t: 'path', path: normalizeQualified(`${obj.path}.${method}`) }
          : obj.t === 'self'
            ? (obj.obj.attrs.get(method) ?? UNKNOWN)
            : (this.attribute(obj, method) ?? UNKNOWN);
      // `h.mean(1)`, `h.softmax(-1)`: a method initlint does not model takes the tensor away.
      if (obj.t === 'tensor' && callee.t === 'unknown') this.consume(obj, true);
    } else {
      callee = this.eval(fnNode, env, model);
    }
    switch (callee.t) {
      case 'path': {
        const v = this.callPath(callee.path, node, args, env, model);
        if (v) return v;
        break;
      }
      case 'op':
      case 'seq':
      case 'chain': {
        const input = args.positional[0] ? this.eval(args.positional[0], env, model) : UNKNOWN;
        if (callee.t === 'seq') {
          this.consume(input);
          return { t: 'tensor', st: { model: callee.model, normSeen: false } };
        }
        return { t: 'tensor', st: this.applyModule(callee, this.inputState(input, model)) };
      }
      case 'func': {
        this.recordInvoked(callee.node);
        const { pos, kw } = this.evalArgs(args, env, model);
        // What the function builds from its own inputs is a model of its own (`a = build_a()`);
        // layers it applies to the caller's tensors still join the caller's model.
        const name = callee.node.childForFieldName('name');
        return this.invoke(callee.node, undefined, pos, kw, this.newModel(name?.text ?? model.scopeName, spanOf(name ?? callee.node)));
      }
      case 'class': {
        if (!this.isModelClass(callee.node)) {
          // A class derived from an imported base (transformers' GradientCheckpointingLayer): unknown,
          // as before; the model classes it builds are then read on their own.
          if (!isPlainClass(callee.node)) break;
          // `agent = DQNAgent(8, 4)`: the sizes it is built with, once per class.
          const { pos, kw } = this.evalArgs(args, env, model);
          return { t: 'self', obj: this.evaluatePlainClass(callee.node, pos, kw) };
        }
        this.recordInvoked(callee.node);
        const { pos, kw } = this.evalArgs(args, env, model);
        const obj: SelfObject = { attrs: new Map(), cls: callee.node, model };
        this.construct(obj, pos, kw);
        return { t: 'self', obj };
      }
      case 'self': {
        // An instance of a model class of this file, applied to a tensor.
        callee.obj.applied = true;
        const forward = callee.obj.cls ? this.forwardOf(callee.obj.cls) : undefined;
        const { pos, kw } = this.evalArgs(args, env, model);
        if (forward) return this.invoke(forward, callee.obj, pos, kw, model);
        pos.forEach((v) => this.consume(v));
        return UNKNOWN;
      }
      default:
        break;
    }
    const tensorOp = callee.t === 'path' ? TENSOR_MERGES.get(callee.path) : undefined;
    if (tensorOp) {
      // `torch.cat([a, b], dim=1)`, `tf.add_n([...])`: a list; `torch.add(a, b)`: two tensors.
      const { pos, kw } = this.evalArgs(args, env, model);
      kw.forEach((v) => this.consume(v));
      const listed = pos[0]?.t === 'list';
      const items = pos[0]?.t === 'list' ? pos[0].items : pos.slice(0, 2);
      pos.slice(listed ? 1 : 2).forEach((v) => this.consume(v));
      return this.merge(items, model, tensorOp);
    }
    // Unknown callee: its tensor arguments are consumed by an operation we cannot see.
    const { pos, kw } = this.evalArgs(args, env, model);
    this.unknownCall(node, args, pos);
    pos.forEach((v) => this.consume(v, true));
    kw.forEach((v) => this.consume(v, true));
    return UNKNOWN;
  }

  /**
   * A list just built by copying, its copy charged to the file's budget (one step per 64 items):
   * `y = L + L + ...` over a long list in a loop is then bounded like any other work.
   */
  private charged(v: Value | undefined): Value | undefined {
    if (v?.t === 'list' || v?.t === 'chain') this.budget.charge(Math.ceil(v.items.length / 64));
    return v;
  }

  /**
   * An attribute set under a name given as a value (`setattr(self, name, v)`, `add_module(name,
   * v)`): under that name where it is a constant, else under a key no `self.x` reads, one per
   * attribute set (`f'fc{i}'` in a loop keeps every layer).
   */
  protected setAttribute(obj: SelfObject, nameNode: Node, value: Value, env: Env): void {
    const name = this.constOf(nameNode, env);
    obj.attrs.set(typeof name === 'string' ? name : `${nameNode.text} #${obj.attrs.size}`, value);
  }

  /** A framework function whose call gives a constant and changes nothing (`calculate_gain`): read inside constants. */
  protected constantCall(_path: string): boolean {
    return false;
  }

  /** A front end's reading of a call of a function it cannot see, given the values of its positional arguments. */
  protected unknownCall(_node: Node, _args: CallArgs, _pos: Value[]): void {}

  /**
   * `getattr(nn, "gelu")`, `getattr(F, self.activation)`: an attribute named by a constant string
   * (an activation chosen by a config field) is the attribute itself. Undefined: not readable.
   */
  protected getattr(args: CallArgs, env: Env, model: ModelBuilder): Value | undefined {
    const [objNode, nameNode] = args.positional;
    if (!objNode || !nameNode || args.keywords.size || args.splat) return undefined;
    const name = this.constOf(nameNode, env);
    if (typeof name !== 'string' || !/^[A-Za-z_]\w*$/.test(name)) return undefined;
    const obj = this.eval(objNode, env, model);
    if (obj.t === 'path') return { t: 'path', path: normalizeQualified(`${obj.path}.${name}`) };
    if (obj.t === 'self') return obj.obj.attrs.get(name);
    return undefined;
  }

  /** Apply a module value (a layer, a container of layers, a model instance) to a tensor state. */
  protected applyModule(v: Value, st: TensorState, depth = 0): TensorState {
    switch (v.t) {
      case 'op':
        return this.applyOp(v.op, st);
      case 'chain':
        v.applied = true;
        // Each item spends a step, as a statement does: an nn.Sequential appended to itself in a
        // loop holds itself 2^n times over. Nested past MAX_CONTAINER_DEPTH: not followed.
        if (depth >= MAX_CONTAINER_DEPTH) return signal.opaque(st);
        return v.items.reduce((s, item) => (this.spend() ? this.applyModule(item, s, depth + 1) : signal.opaque(s)), st);
      case 'self': {
        v.obj.applied = true;
        const forward = v.obj.cls ? this.forwardOf(v.obj.cls) : undefined;
        const out = forward ? this.invoke(forward, v.obj, [{ t: 'tensor', st }], new Map(), st.model) : UNKNOWN;
        return out.t === 'tensor' ? out.st : { model: st.model, normSeen: false };
      }
      default:
        return signal.opaque(st);
    }
  }

  private wildcardPath(name: string): string | undefined {
    for (const w of this.imports.wildcards) if (this.fromWildcard(w, name)) return `${w}.${name}`;
    return undefined;
  }

  /** Whether `name`, unbound, may come from `from <module> import *`. */
  protected fromWildcard(_module: string, _name: string): boolean {
    return false;
  }

  protected activationFromName(name: string, args: CallArgs | undefined, env: Env, leakyDefault: number): ActivationInfo | undefined {
    let alpha: number | undefined;
    if (args) {
      const a = args.keywords.get('alpha') ?? args.keywords.get('negative_slope') ?? args.positional[1];
      const v = a ? this.constOf(a, env) : undefined;
      if (typeof v === 'number') alpha = v;
    }
    const info = lookupActivation(name, alpha);
    if (info?.name === 'leaky_relu' && alpha === undefined) return activationInfo('leaky_relu', leakyDefault);
    return info;
  }

  /**
   * An activation the user named where only an activation can stand (`activation="my_act"`,
   * `keras.activations.my_act`): a name the catalogue does not know leaves the layer unjudged
   * (rules.md v2), never linear. Names read where other functions may stand too (`tf.nn.*`,
   * `jax.nn.*`) go through activationFromName, undefined when unknown.
   */
  protected activationFromWrittenName(name: string, args: CallArgs | undefined, env: Env, leakyDefault: number): ActivationInfo {
    return this.activationFromName(name, args, env, leakyDefault) ?? unknownActivation(name);
  }

  /** The model of the first tensor a value holds. */
  protected tensorModel(v: Value | undefined): ModelBuilder | undefined {
    return v && this.tensorModels(v)[0];
  }

  /** Reads a layer's arguments by parameter name (keyword, or positional in the class's order) for the shared layer algebra. */
  protected argReader(cls: LayerClass, args: CallArgs, env: Env): (key: string) => unknown {
    const read = (key: string) => {
      const i = cls.params.indexOf(key);
      const n = argument(args, key, i >= 0 ? i : undefined);
      return n ? this.constOf(n, env) : undefined;
    };
    return cls.dialect === 'keras1' ? keras1Reader(read) : read;
  }

  /** A layer size (frontends/layerClass.ts sizeArg): `nn.Linear(-5, 10)` has no fans to judge. */
  protected intArg(op: LayerOp, name: string): number | undefined {
    return sizeArg(this.argReader(op.cls, op.args, op.env), name);
  }
}

/** How a Python operator combines two tensors: `+`/`-` sum their second moments, `*` multiplies them. */
/**
 * Tensor functions of the frameworks that combine tensors (rules.md v2, "Data-flow graph"): a
 * concatenation (U-Net skips, DenseNet), a sum (residuals written as functions), a product.
 */
const TENSOR_MERGES = new Map<string, MergeOp>([
  ...['torch.cat', 'torch.concat', 'torch.concatenate', 'tensorflow.concat', 'keras.ops.concatenate', 'jax.numpy.concatenate'].map((p): [string, MergeOp] => [
    p,
    'concat',
  ]),
  ...['torch.add', 'tensorflow.add', 'tensorflow.math.add', 'tensorflow.add_n', 'tensorflow.math.add_n', 'keras.ops.add', 'jax.numpy.add'].map(
    (p): [string, MergeOp] => [p, 'add'],
  ),
  ...['torch.mul', 'torch.multiply', 'tensorflow.multiply', 'tensorflow.math.multiply', 'keras.ops.multiply', 'jax.numpy.multiply'].map(
    (p): [string, MergeOp] => [p, 'multiply'],
  ),
]);

export function mergeOpOf(operator: string | undefined): MergeOp {
  switch (operator) {
    case '+':
    case '-':
    case '+=':
    case '-=':
      return 'add';
    case '*':
    case '*=':
      return 'multiply';
    default:
      return 'other';
  }
}

function enclosingClass(node: Node): Node | undefined {
  for (let p = node.parent; p; p = p.parent) {
    if (p.type === 'class_definition') return p;
    if (p.type === 'function_definition') return undefined;
  }
  return undefined;
}

/** `model = Sequential(...)` -> `model`; `self.net = nn.Sequential(...)` -> `net`. */
export function assignedName(call: Node): string | undefined {
  const parent = call.parent;
  if (parent?.type === 'assignment' && parent.childForFieldName('right')?.id === call.id) {
    const left = parent.childForFieldName('left');
    if (left?.type === 'identifier') return left.text;
    if (left?.type === 'attribute') return left.childForFieldName('attribute')?.text;
  }
  return undefined;
}

export { argument, callArgs, spanOf, lastSegment, normalizeQualified, activationInfo, lookupActivation };
export type { CallArgs, LayerActivation, ActivationInfo };
