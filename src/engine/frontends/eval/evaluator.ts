/**
 * The language-neutral core of the interpreters of model code (rules.md v2, "One evaluator"):
 * the Python interpreter (python/interpreter.ts, with the Keras, PyTorch and Flax front ends on
 * it) and the TF.js one (js/tfjs.ts) each keep only their grammar, what their statements and
 * expressions mean; this file holds what is the same in both:
 *
 * - the values every interpreter tracks (a tensor and its signal state, a layer instance, a
 *   constant, a module path, a list) and the scopes that bind them;
 * - the run loop: the module body, then the definitions nothing reached, entry points first
 *   (entryPoints.ts), then the file's models (signal.finishModels);
 * - the limits that keep a run linear on any input (budget.ts): statement and call steps,
 *   nesting depth, inlining depth, loop unrolling;
 * - tensors: a fresh input, merges of several tensors, a tensor used up by something unknown,
 *   and layers built but never applied, still judged with what is known.
 *
 * The core works on any value type with a `t` tag; the guards below narrow it to the variants
 * it knows. Each language's Value union lists these variants plus its own.
 */
import type { SyntaxNode as Node, SyntaxTree as Tree } from '../../syntaxTree';
import type { Framework, FrontEndResult, Layer, MergeOp, Span } from '../../ir';
import type { ArgValue } from '../../initializers';
import type { Role } from '../layerClass';
import * as signal from '../signal';
import type { ModelBuilder, TensorState } from '../signal';
import { Budget, MAX_DEPTH, MAX_INLINE_DEPTH, MAX_UNROLL } from './budget';
import { callCounts, entryPointsFirst } from './entryPoints';

/** A constant: a number, string, boolean, null, or a (nested) list of them. */
export type Const = ArgValue | Const[];

export interface TensorValue {
  t: 'tensor';
  st: TensorState;
}
export interface ConstValue {
  t: 'const';
  v: Const;
}
/** A qualified name (`tf.layers.dense`, `torch.nn`): what a call of it means is the framework's. */
export interface PathValue {
  t: 'path';
  path: string;
}
export interface ListValue<V> {
  t: 'list';
  items: V[];
}
export interface OpValue<Op> {
  t: 'op';
  op: Op;
}
export interface UnknownValue {
  t: 'unknown';
}

/** What the core needs of a layer instance. */
export interface CoreOp {
  cls: { role: Role };
  /** Applied to a tensor somewhere: not a leftover. */
  applied: boolean;
}

type Tagged = { t: string };

export const isTensor = <V extends Tagged>(v: V): v is V & TensorValue => v.t === 'tensor';
export const isList = <V extends Tagged>(v: V): v is V & ListValue<V> => v.t === 'list';
export const isOp = <V extends Tagged, Op>(v: V): v is V & OpValue<Op> => v.t === 'op';

/**
 * A lexical scope. `declare` binds in this scope (with `hoisted`, in the enclosing function's, as
 * JavaScript's `var` does); `assign` updates the scope that declares the name, else this one;
 * `set` is Python's binding, always in this scope.
 */
export class Scope<V> {
  private readonly vars = new Map<string, V>();
  constructor(
    readonly parent?: Scope<V>,
    private readonly name?: string,
    readonly isFunction = false,
  ) {}

  get(name: string): V | undefined {
    for (let s: Scope<V> | undefined = this; s; s = s.parent) {
      const v = s.vars.get(name);
      if (v) return v;
    }
    return undefined;
  }

  has(name: string): boolean {
    for (let s: Scope<V> | undefined = this; s; s = s.parent) if (s.vars.has(name)) return true;
    return false;
  }

  set(name: string, v: V): void {
    this.vars.set(name, v);
  }

  declare(name: string, v: V, hoisted = false): void {
    let s: Scope<V> = this;
    if (hoisted) while (!s.isFunction && s.parent) s = s.parent;
    s.vars.set(name, v);
  }

  assign(name: string, v: V): void {
    for (let s: Scope<V> | undefined = this; s; s = s.parent) {
      if (s.vars.has(name)) {
        s.vars.set(name, v);
        return;
      }
    }
    this.vars.set(name, v);
  }

  /** The innermost named scope's name (a function's), else `model`. */
  scopeName(): string {
    for (let s: Scope<V> | undefined = this; s; s = s.parent) if (s.name) return s.name;
    return 'model';
  }

  /** This scope's own values (not its parents'). */
  values(): IterableIterator<V> {
    return this.vars.values();
  }
}

/** Where a `return` puts its value, for the function body that runs it. */
export type Ret<V> = { v?: V } | undefined;

export abstract class Evaluator<V extends Tagged, Op extends CoreOp> {
  protected readonly models: ModelBuilder[] = [];
  /** Layers recorded in this file, against signal.MAX_LAYERS. */
  protected readonly counter = { layers: 0 };
  /** Statements and calls this file may still run (budget.ts). */
  protected readonly budget = new Budget();
  /** Definitions already evaluated (through a call, or on their own): not evaluated again on their own. */
  protected readonly invoked = new Set<number>();
  private depth = 0;
  private inlineDepth = 0;
  private scratchModel?: ModelBuilder;
  private callCountsOf?: Map<string, number>;

  constructor(
    protected readonly tree: Tree,
    protected readonly text: string,
  ) {}

  protected abstract readonly framework: Framework;
  protected abstract readonly unknown: V;
  /** The module's scope: imports and top-level definitions. */
  protected abstract readonly module: Scope<V>;
  /** An identifier of the language, for counting call sites by name. */
  protected abstract readonly identifier: RegExp;

  /** Whether the file uses this framework at all; no: no models and no syntax errors reported. */
  protected abstract applies(): boolean;
  protected abstract syntaxErrors(root: Node): string[];
  /** Binds the module's imports and hoisted definitions before its body runs. */
  protected abstract prepare(root: Node): void;
  /** One statement of the language (the core has checked depth and budget). */
  protected abstract execStatement(stmt: Node, env: Scope<V>, model: ModelBuilder, ret: Ret<V>): void;
  /** One expression of the language (the core has checked depth). */
  protected abstract evalExpression(node: Node, env: Scope<V>, model: ModelBuilder): V;
  /** The functions and classes that may be evaluated on their own, in source order. */
  protected abstract definitions(root: Node): Node[];
  protected abstract definitionName(def: Node): string | undefined;
  /** How many of its name's call sites a definition's own header is (`def name(`: 1). */
  protected abstract selfCalls(def: Node): number;
  /** Evaluates a definition nothing reached, as a model of its own. */
  protected abstract evaluateStandalone(def: Node): void;
  /** A layer instance applied to a tensor. */
  protected abstract applyOp(op: Op, st: TensorState): TensorState;

  /** Called once the whole file has been evaluated, before the models are read. */
  protected finish(): void {}

  run(): FrontEndResult {
    const root = this.tree.rootNode;
    // Syntax errors matter only in files that define models: other files are not ours to judge.
    if (!this.applies()) return { models: [], errors: [] };
    const errors = this.syntaxErrors(root);
    this.prepare(root);
    const top = this.newModel('model', { start: root.startIndex, end: root.endIndex });
    this.execBlock(root, this.module, top, undefined);
    this.applyLeftovers(this.module.values(), top);
    this.evaluateUncalled(root);
    this.finish();
    const stopped = this.budget.message(this.counter.layers);
    if (stopped) errors.push(stopped);
    return { models: signal.finishModels(this.models, this.framework), errors };
  }

  /**
   * Definitions not reached from the module body run on their own: first those nothing in the
   * file calls by name (entry points like `build_model`, which reach their helpers with real
   * arguments), then whatever is left.
   */
  private evaluateUncalled(root: Node): void {
    const defs = this.definitions(root);
    if (defs.length === 0) return;
    for (const def of entryPointsFirst(
      defs,
      this.callCounts,
      (d) => this.definitionName(d),
      (d) => this.selfCalls(d),
    )) {
      if (this.invoked.has(def.id) || this.budget.exhausted) continue;
      this.invoked.add(def.id);
      this.evaluateStandalone(def);
    }
  }

  /** Names before `(` in the file, counted once (entryPoints.ts). */
  protected get callCounts(): Map<string, number> {
    return (this.callCountsOf ??= callCounts(this.text, this.identifier));
  }

  // ---- limits (budget.ts) ----

  /** Spends one step; false once the budget or the cap on layers per file is spent. */
  protected spend(): boolean {
    return this.budget.step() && this.counter.layers < signal.MAX_LAYERS;
  }

  protected execBlock(block: Node, env: Scope<V>, model: ModelBuilder, ret: Ret<V>): void {
    for (const stmt of block.namedChildren) if (stmt) this.exec(stmt, env, model, ret);
  }

  protected exec(stmt: Node, env: Scope<V>, model: ModelBuilder, ret: Ret<V>): void {
    if (this.depth >= MAX_DEPTH || !this.spend()) return;
    this.depth++;
    try {
      this.execStatement(stmt, env, model, ret);
    } finally {
      this.depth--;
    }
  }

  protected eval(node: Node, env: Scope<V>, model: ModelBuilder): V {
    if (this.depth >= MAX_DEPTH) return this.unknown;
    this.depth++;
    try {
      return this.evalExpression(node, env, model);
    } finally {
      this.depth--;
    }
  }

  /** `f` one level deeper, or `fallback` past MAX_DEPTH (readers of constants nest too). */
  protected nested<T>(fallback: T, f: () => T): T {
    if (this.depth >= MAX_DEPTH) return fallback;
    this.depth++;
    try {
      return f();
    } finally {
      this.depth--;
    }
  }

  /** Runs a call of the file's own function inlined, within the inlining depth and the budget. */
  protected inlined(def: Node, body: () => V): V {
    if (this.inlineDepth >= MAX_INLINE_DEPTH || !this.spend()) return this.unknown;
    this.invoked.add(def.id);
    this.inlineDepth++;
    try {
      return body();
    } finally {
      this.inlineDepth--;
    }
  }

  /** The iterations of a loop that are followed. */
  protected unrolled<T>(items: readonly T[]): T[] {
    return items.slice(0, MAX_UNROLL);
  }

  /** What iterating a value gives: a list's items, a constant list's elements; unknown: one unknown item (the body runs once). */
  protected iterateValue(v: V): V[] {
    if (isList(v)) return this.unrolled(v.items);
    if (v.t === 'const' && Array.isArray((v as unknown as ConstValue).v)) {
      return this.unrolled((v as unknown as ConstValue).v as Const[]).map((c) => this.constant(c));
    }
    return [this.unknown];
  }

  protected constant(c: Const): V {
    return { t: 'const', v: c } as ConstValue as unknown as V;
  }

  // ---- models and tensors ----

  protected newModel(scopeName: string, span: Span): ModelBuilder {
    const m: ModelBuilder = { scopeName, span, layers: [] };
    this.models.push(m);
    return m;
  }

  /** A model for values evaluated only to be read (never holds layers that reach the output). */
  protected scratch(): ModelBuilder {
    this.scratchModel ??= { scopeName: '', span: { start: 0, end: 0 }, layers: [] };
    return this.scratchModel;
  }

  /** A model's input, or a tensor nothing in the file says more of. */
  protected freshTensor(model: ModelBuilder): V & TensorValue {
    return { t: 'tensor', st: { model, normSeen: false } } as V & TensorValue;
  }

  /** A weighted layer receives a tensor (see signal.enterLayer). */
  protected enterLayer(layer: Layer, st: TensorState, ownActivation = false): TensorState {
    return signal.enterLayer(layer, st, this.counter, ownActivation);
  }

  /** The state a layer reads: a tensor's, several tensors merged, else a fresh input. */
  protected inputState(v: V, model: ModelBuilder): TensorState {
    if (isTensor(v)) return v.st;
    if (isList(v)) {
      const m = this.merge(v.items, model);
      if (isTensor(m)) return m.st;
    }
    return this.freshTensor(model).st;
  }

  /** Tensors combined (rules.md v2, "Data-flow graph"): each input's open layer ends here. */
  protected merge(values: readonly V[], model: ModelBuilder, op: MergeOp = 'other'): V {
    const tensors = values.filter(isTensor);
    if (tensors.length === 0) return this.unknown;
    // One tensor plus something that is no tensor: `tf.matmul(x, W) + b`, `x + self.bias`. The
    // bias is part of the layer (z = Wx + b): the layer stays open for the activation around it.
    if (tensors.length === 1 && op === 'add') return tensors[0] as V & TensorValue;
    tensors.forEach((t) => signal.close(t.st));
    let shape = tensors[0].st.shape;
    if (op === 'concat' && shape) {
      const lasts = tensors.map((t) => t.st.shape?.[t.st.shape.length - 1]);
      shape = lasts.every((d) => typeof d === 'number') ? [...shape.slice(0, -1), lasts.reduce((a, b) => (a as number) + (b as number), 0)] : undefined;
    }
    const flow = signal.mergeFlows(
      tensors.map((t) => t.st),
      op,
    );
    return { t: 'tensor', st: { model: tensors[0].st.model ?? model, shape, normSeen: tensors.some((t) => t.st.normSeen), flow } } as V & TensorValue;
  }

  /** Tensors passed to something unknown: their open layers end there. */
  protected consume(v: V, depth = 0): void {
    if (isTensor(v)) signal.close(v.st);
    else if (isList(v) && depth < 4) v.items.forEach((i) => this.consume(i, depth + 1));
  }

  /** The models of the tensors a value holds. */
  protected tensorModels(v: V, depth = 0): ModelBuilder[] {
    if (isTensor(v)) return [v.st.model];
    if (isList(v) && depth < 4) return v.items.flatMap((i) => this.tensorModels(i, depth + 1));
    return [];
  }

  /** Layers and containers built but never applied to a tensor: still judged, with what is known. */
  protected applyLeftovers(values: Iterable<V>, model: ModelBuilder, depth = 0): void {
    if (depth > 8) return;
    for (const v of values) {
      if (isOp<V, Op>(v)) {
        if (!v.op.applied && v.op.cls.role === 'weighted') this.applyOp(v.op, this.freshTensor(model).st);
      } else if (isList(v)) this.applyLeftovers(v.items, model, depth + 1);
      else this.leftover(v, model);
    }
  }

  /** A language's own leftovers (a module instance nothing called, a container). */
  protected leftover(_v: V, _model: ModelBuilder): void {}
}
