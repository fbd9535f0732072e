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
 *   and layers built but never applied, still judged with what is known;
 * - what a re-lint keeps of the previous lint's standalone evaluations (definitionCache.ts).
 *
 * The core works on any value type with a `t` tag; the guards below narrow it to the variants
 * it knows. Each language's Value union lists these variants plus its own.
 */
import type { Edit, SyntaxNode as Node, SyntaxTree as Tree } from '../../syntaxTree';
import type { Framework, FrontEndResult, Layer, MergeOp, Span } from '../../ir';
import type { ArgValue } from '../../initializers';
import type { Role } from '../layerClass';
import * as signal from '../signal';
import type { ModelBuilder, TensorState } from '../signal';
import { Budget, MAX_CONTAINER_DEPTH, MAX_DEPTH, MAX_INLINE_DEPTH, MAX_STEPS, MAX_UNROLL } from './budget';
import { entryPointsFirst, keptCallCounts } from './entryPoints';
import {
  bindRewrite,
  cacheStats,
  constKey,
  IMPURE,
  instantiate,
  moveEntry,
  NotedSet,
  Recording,
  type DefinitionCache,
  type Entry,
  type Rebind,
} from './definitionCache';

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
  /** Built over an iterable of unknown length: its items stand for a number of items not known. */
  approx?: boolean;
}
export interface OpValue<Op> {
  t: 'op';
  op: Op;
}
export interface UnknownValue {
  t: 'unknown';
}
/** A Sequential model (Keras, TF.js) being built: its own layers, and the state its last layer leaves. */
export interface SeqValue {
  t: 'seq';
  model: ModelBuilder;
  st: TensorState;
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
export const isSeq = <V extends Tagged>(v: V): v is V & SeqValue => v.t === 'seq';

/** What a walk over a value may still visit: shared shapes (the same list twice at every level) would be 2^depth visits. */
export type Visits = { left: number };

/** Containers `isData` visits in one value before it gives up (the table it is for has about 1,200). */
export const MAX_DATA_CONTAINERS = 100_000;

/** Items a value's token may list (`tokens`): a list holding the same list at every level lists 2^depth. */
export const MAX_TOKEN_ITEMS = 10_000;

/**
 * A lexical scope. `declare` binds in this scope (with `hoisted`, in the enclosing function's, as
 * JavaScript's `var` does); `assign` updates the scope that declares the name, else this one;
 * `set` is Python's binding, always in this scope.
 */
export class Scope<V> {
  private readonly vars = new Map<string, V>();
  /** Told of each lookup that reaches this scope, and of each binding made in it (the module's, while a definition or statement is recorded). */
  observer?: { read(name: string, v: V | undefined): void; write(name: string): void };
  constructor(
    readonly parent?: Scope<V>,
    private readonly name?: string,
    readonly isFunction = false,
  ) {}

  get(name: string): V | undefined {
    for (let s: Scope<V> | undefined = this; s; s = s.parent) {
      const v = s.vars.get(name);
      s.observer?.read(name, v);
      if (v) return v;
    }
    return undefined;
  }

  has(name: string): boolean {
    for (let s: Scope<V> | undefined = this; s; s = s.parent) {
      s.observer?.read(name, s.vars.get(name));
      if (s.vars.has(name)) return true;
    }
    return false;
  }

  set(name: string, v: V): void {
    this.observer?.write(name);
    this.vars.set(name, v);
  }

  declare(name: string, v: V, hoisted = false): void {
    let s: Scope<V> = this;
    if (hoisted) while (!s.isFunction && s.parent) s = s.parent;
    s.observer?.write(name);
    s.vars.set(name, v);
  }

  assign(name: string, v: V): void {
    for (let s: Scope<V> | undefined = this; s; s = s.parent) {
      if (s.vars.has(name)) {
        s.observer?.write(name);
        s.vars.set(name, v);
        return;
      }
    }
    this.observer?.write(name);
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

  /** This scope's own names and values (not its parents'). */
  entries(): IterableIterator<[string, V]> {
    return this.vars.entries();
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
  protected readonly invoked = new NotedSet('i');
  /** Classes whose methods have run (a plain class's, once per class: python/interpreter.ts). */
  protected readonly built = new NotedSet('b');
  /** Whether this language's definitions are kept from one lint to the next (definitionCache.ts): its front ends report every outside read. */
  protected readonly keepsDefinitions: boolean = false;
  /** The previous lint's kept evaluations (in its text's offsets, `edit` maps them), and this lint's. */
  private cache?: { previous?: DefinitionCache; edit?: Edit; next: DefinitionCache };
  /** The standalone evaluation being recorded, if one is. */
  protected recording?: Recording;
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
  /**
   * A definition's place in the order (`entryPointsFirst`): 0 for a helper, 1 for a definition
   * that is a model of its own when nothing builds it (a Python class), 2 for one the file also
   * uses as a value (`block=BasicBlock`). An uncalled model may yet be built through a value, so
   * the model that builds it reads it first, with its real arguments and its own initialization.
   */
  protected definitionRank(_def: Node): 0 | 1 | 2 {
    return 0;
  }
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
    this.openCache();
    const errors = this.syntaxErrors(root);
    this.prepare(root);
    const top = this.newModel('model', { start: root.startIndex, end: root.endIndex });
    this.execModule(root, top);
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
      (d) => this.definitionRank(d),
    )) {
      if (this.invoked.has(def.id) || this.budget.exhausted) continue;
      this.invoked.add(def.id);
      this.standalone(def);
    }
  }

  // ---- kept evaluations (definitionCache.ts) ----

  /**
   * The module body, statement by statement. With kept evaluations, a statement that binds one
   * name to data (constants, paths, lists and dicts of them) is evaluated once and replayed while
   * its node and everything it read are unchanged, as a definition is (`standalone`): timm's
   * `default_cfgs`, a 1,200-entry table built by calling `_cfg` for each entry, was evaluated
   * again after every keystroke anywhere in the file.
   */
  private execModule(root: Node, top: ModelBuilder): void {
    for (const stmt of root.namedChildren) {
      if (!stmt) continue;
      const name = this.cache ? this.keptStatementTarget(stmt) : undefined;
      if (name === undefined) this.exec(stmt, this.module, top, undefined);
      else this.keptStatement(stmt, name, top);
    }
  }

  /**
   * The name a module-level statement binds where that is all it does in the language's syntax
   * (`NAME = expression`): its evaluation may be kept. Undefined for any other statement.
   */
  protected keptStatementTarget(_stmt: Node): string | undefined {
    return undefined;
  }

  /**
   * A statement binding `name`, replayed where it was kept; else evaluated, and kept where it made
   * no layer or note, bound no other module name, left data in `name` (`isData`) and read no list
   * or dict of the module: comparing one costs about what evaluating the statement again does
   * (`_quick_gelu_cfgs = [n for n, c in default_cfgs.items() ...]` would compare all 1,200
   * entries). Its reads are noted as a definition's are.
   */
  private keptStatement(stmt: Node, name: string, top: ModelBuilder): void {
    const cache = this.cache!;
    const entry = cache.previous?.get(stmt);
    const replayed = entry?.binds && this.replay(entry, cache.edit);
    if (replayed) {
      cacheStats.replayed++;
      this.module.set(name, replayed.binds!.value as V);
      cache.next.set(stmt, replayed);
      return;
    }
    // The statement the edit is in is being typed in: evaluated plainly, kept from the next edit
    // elsewhere on. Kept at each keystroke, timm's 1,200-entry table outlived its lint every time,
    // and the collector's work made a keystroke in it about 1 ms slower.
    const edit = cache.edit;
    if (edit && stmt.startIndex <= edit.newEnd && edit.start <= stmt.endIndex) {
      this.exec(stmt, this.module, top, undefined);
      return;
    }
    const rec = new Recording(this.models.length, this.budget.spent, this.counter.layers);
    this.observe(rec, name);
    try {
      this.exec(stmt, this.module, top, undefined);
    } finally {
      this.observe(undefined);
    }
    if (this.budget.exhausted || this.counter.layers >= signal.MAX_LAYERS) return;
    // Functions it called had models of their own (`_cfg` for each entry): kept only where they stayed empty (finishModels drops those).
    if (rec.layers.length > 0 || rec.effects.length > 0 || this.models.slice(rec.modelsBefore).some((m) => m.layers.length > 0)) return;
    const value = rec.poisoned ? undefined : this.module.get(name);
    const kept = value && this.isData(value) && rec.finish([], this.budget.spent, this.counter.layers);
    if (kept) cache.next.set(stmt, { ...kept, binds: { name, value } });
  }

  /** Whether a value holds others that code can change in place (a list; languages add theirs). */
  protected isContainer(v: V): boolean {
    return isList(v);
  }

  /**
   * Whether a value is data alone: a constant, a path, something unknown, lists of them
   * (languages add their own containers); not a layer, a tensor, an instance or a function. Data
   * is shared between lints as it is: a list or dict is never changed once made (a list grows by
   * being bound again, grown). `budget.left`: containers it may still visit (a list holding the
   * same list twice at every level is 2^depth visits; a Set of those seen cost more than the
   * check on timm's 1,200-entry table).
   */
  protected isData(v: V, depth = 0, budget: Visits = { left: MAX_DATA_CONTAINERS }): boolean {
    if (v.t === 'unknown' || v.t === 'path' || v.t === 'const') return true;
    if (!isList(v) || depth >= MAX_CONTAINER_DEPTH || --budget.left < 0) return false;
    for (const item of v.items) if (!this.isData(item, depth + 1, budget)) return false;
    return true;
  }

  /** Takes over what the previous lint of the file kept: a tree kept for the next edit only (parser.ts), in languages that note their reads. */
  private openCache(): void {
    const kept = this.tree.kept;
    if (!kept || !this.keepsDefinitions) return;
    // Linted again unchanged: this tree's own entries, in its offsets; else the previous tree's, moved by the edit.
    const own = kept.get(this.framework) as DefinitionCache | undefined;
    const inherited = this.tree.inherited?.get(this.framework) as DefinitionCache | undefined;
    this.tree.inherited?.delete(this.framework);
    this.cache = { previous: own ?? inherited, edit: own ? undefined : this.tree.edit, next: new Map() };
    kept.set(this.framework, this.cache.next);
  }

  /** A definition on its own: what the previous lint kept of it, where everything it read is unchanged; else evaluated, and kept. */
  private standalone(def: Node): void {
    const cache = this.cache;
    if (!cache) return this.evaluateStandalone(def);
    const entry = cache.previous?.get(def);
    const replayed = entry && this.replay(entry, cache.edit);
    if (replayed) {
      cacheStats.replayed++;
      cache.next.set(def, replayed);
      return;
    }
    const rec = new Recording(this.models.length, this.budget.spent, this.counter.layers);
    this.observe(rec);
    try {
      this.evaluateStandalone(def);
    } finally {
      this.observe(undefined);
    }
    // An evaluation that ran into a limit depends on what ran before it: not kept.
    if (this.budget.exhausted || this.counter.layers >= signal.MAX_LAYERS) return;
    const kept = rec.finish(this.models.slice(rec.modelsBefore), this.budget.spent, this.counter.layers);
    if (kept) cache.next.set(def, kept);
  }

  /** Notes reads into `rec` (none when undefined); a binding of a module name other than `binding` spoils it. */
  private observe(rec: Recording | undefined, binding?: string): void {
    this.recording = rec;
    this.invoked.recording = rec;
    this.built.recording = rec;
    this.module.observer = rec && {
      read: (name, v) => {
        if (binding !== undefined && v && this.isContainer(v)) rec.poisoned = true;
        else if (!rec.has('m', name)) rec.read('m', name, this.valueToken(v));
      },
      write: (name) => {
        if (name !== binding) rec.poisoned = true;
      },
    };
  }

  /** Uses a kept evaluation if what it read reads the same now and it fits in the limits; undefined (and nothing changed) otherwise. */
  private replay(entry: Entry, edit: Edit | undefined): Entry | undefined {
    if (this.budget.spent + entry.steps > MAX_STEPS || this.counter.layers + entry.layerCount >= signal.MAX_LAYERS) return undefined;
    for (const [kind, arg, seen] of entry.reads) if (!Object.is(this.probe(kind, arg), seen)) return undefined;
    const moved = moveEntry(entry, edit);
    if (!moved) return undefined;
    const { models, effects } = instantiate(moved, this);
    this.budget.charge(moved.steps);
    this.counter.layers += moved.layerCount;
    for (const id of moved.invoked) this.invoked.add(id);
    for (const id of moved.built) this.built.add(id);
    this.models.push(...models);
    for (const [layer, data] of effects) this.effect(layer, data);
    return moved;
  }

  /**
   * What a read of the given kind gives now (`Recording.read` noted what it gave then): `m`, a
   * module name's value (`valueToken`); `i` and `b`, whether a definition ran or a class was
   * built; `n`, how often the file calls a name; `s`, whether a model of that name with layers
   * came before. Front ends add their own kinds.
   */
  protected probe(kind: string, arg: string): unknown {
    switch (kind) {
      case 'm':
        return this.valueToken(this.module.get(arg));
      case 'i':
        return this.invoked.has(Number(arg));
      case 'b':
        return this.built.has(Number(arg));
      case 'n':
        return this.callCounts.get(arg);
      case 's':
        return this.models.some((m) => m.scopeName === arg && m.layers.length > 0);
      default:
        return IMPURE;
    }
  }

  /**
   * A module value as recorded: a string that tells it apart from every other value (a path, a
   * constant, a list of them), or IMPURE for one that may change (a layer, an instance).
   * Lists are never changed once made: only their items may be.
   */
  protected valueToken(v: V | undefined, depth = 0, budget: Visits = { left: MAX_TOKEN_ITEMS }): string | typeof IMPURE | undefined {
    if (!v) return undefined;
    switch (v.t) {
      case 'unknown':
        return 'unknown';
      case 'path':
        return `path ${(v as unknown as PathValue).path}`;
      case 'const':
        return `const ${constKey((v as unknown as ConstValue).v)}`;
      case 'list':
        return this.tokens((v as unknown as ListValue<V>).approx ? 'list approx' : 'list', (v as unknown as ListValue<V>).items, depth, budget);
      default:
        return IMPURE;
    }
  }

  /** The tokens of a container's items, IMPURE if one is; `budget`: the items the whole token may still list. */
  protected tokens(kind: string, items: Iterable<V>, depth: number, budget: Visits, keys?: Iterable<string>): string | typeof IMPURE {
    if (depth > MAX_CONTAINER_DEPTH) return IMPURE;
    const out: string[] = [];
    const names = keys?.[Symbol.iterator]();
    for (const item of items) {
      // A value too large to compare (the same list held twice at every level): not kept.
      if (--budget.left < 0) return IMPURE;
      const t = this.valueToken(item, depth + 1, budget);
      if (t === IMPURE) return IMPURE;
      out.push(names ? `${JSON.stringify(names.next().value)}: ${t}` : String(t));
    }
    return `${kind} [${out.join(', ')}]`;
  }

  /** A layer made by this front end, with how to build its `rewrite` for the lint that reports it (a kept layer is copied into later lints). */
  protected track(layer: Layer, rebind: Rebind<this>): Layer {
    bindRewrite(layer, this, rebind);
    this.recording?.layers.push(layer);
    return layer;
  }

  /** A front end's note on a layer that outlives the evaluation (an init call site): replayed with the layer's copy through `effect`. */
  protected noteEffect(layer: Layer, data: unknown): void {
    this.recording?.effects.push([layer, data]);
  }

  /** Replays a note of `noteEffect` on a kept layer's copy. */
  protected effect(_layer: Layer, _data: unknown): void {}

  /** The file's call counts, each name read noted (`n`). */
  protected readonly calls = {
    get: (name: string): number | undefined => {
      const n = this.callCounts.get(name);
      this.recording?.read('n', name, n);
      return n;
    },
  };

  /** Whether a model of this scope name other than `except` already holds layers (a Sequential's name, python/keras.ts). */
  protected otherModelWithLayers(scopeName: string, except: ModelBuilder): boolean {
    const rec = this.recording;
    const from = rec ? rec.modelsBefore : 0;
    // Models from before the recorded definition: a read from outside it.
    const before = rec ? this.models.slice(0, from).some((m) => m.scopeName === scopeName && m.layers.length > 0) : false;
    if (rec) rec.read('s', scopeName, before);
    return before || this.models.slice(from).some((m) => m !== except && m.scopeName === scopeName && m.layers.length > 0);
  }

  /** Names before `(` in the file, counted once (entryPoints.ts). */
  protected get callCounts(): Map<string, number> {
    return (this.callCountsOf ??= keptCallCounts(this.tree, this.identifier));
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

  /**
   * An item of a Sequential (its constructor's list, `add`) applied to the running state: a
   * layer, an input tensor (its shape), a nested list, another Sequential (its layers move into
   * this one, as Keras nests it). A Sequential added to itself (`m.add(m)`) or a list holding
   * itself reads as something unknown: moving a model's layers into itself never ended.
   */
  protected applyItem(v: V, st: TensorState, depth = 0): TensorState {
    if (isOp<V, Op>(v)) return this.applyOp(v.op, st);
    if (isTensor(v)) return { ...st, shape: v.st.shape };
    // Each list spends a step: the same list held twice at every level is 2^depth visits.
    if (isList(v) && depth < MAX_CONTAINER_DEPTH && this.spend()) return v.items.reduce((s, item) => this.applyItem(item, s, depth + 1), st);
    if (isSeq(v) && v.model !== st.model) {
      for (const l of v.model.layers) st.model.layers.push(l);
      v.model.layers = [];
      return { model: st.model, normSeen: false };
    }
    return signal.opaque(st);
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

  /**
   * Tensors passed to something unknown: their open layers end there. `escapes`: taken by an
   * operation initlint cannot see (an unknown function, or an unknown method on the tensor), a
   * way out of its layers that is not followed, noted as an opaque output of its model, so that a
   * normalization elsewhere does not exempt them (rules.md v2: every way out).
   */
  protected consume(v: V, escapes = false, depth = 0, seen?: Set<V>): void {
    if (isTensor(v)) {
      signal.close(v.st);
      if (escapes && v.st.flow) (v.st.model.outputs ??= []).push({ kind: 'opaque', from: v.st.flow });
    } else if (isList(v) && depth < 4 && !seen?.has(v)) {
      // The set only once a list is met: every argument of every unknown call passes here.
      const visited = (seen ?? new Set<V>()).add(v);
      v.items.forEach((i) => this.consume(i, escapes, depth + 1, visited));
    }
  }

  /** The models of the tensors a value holds. */
  protected tensorModels(v: V, depth = 0, seen?: Set<V>): ModelBuilder[] {
    if (isTensor(v)) return [v.st.model];
    if (!isList(v) || depth >= 4 || seen?.has(v)) return [];
    const visited = (seen ?? new Set<V>()).add(v);
    return v.items.flatMap((i) => this.tensorModels(i, depth + 1, visited));
  }

  /** Layers and containers built but never applied to a tensor: still judged, with what is known. */
  protected applyLeftovers(values: Iterable<V>, model: ModelBuilder, depth = 0, seen = new Set<V>()): void {
    // `seen` bounds the work; the depth only the stack (an nn.ModuleDict nested 40 deep still holds its layer).
    if (depth > MAX_DEPTH) return;
    const ops: Array<V & OpValue<Op>> = [];
    const lists: Array<V & ListValue<V>> = [];
    for (const v of values) {
      if (isOp<V, Op>(v)) ops.push(v);
      // Each container once: a list holding the same list at every level is 64^8 visits otherwise.
      else if (!seen.has(v)) {
        seen.add(v);
        if (isList(v)) lists.push(v);
        else this.leftover(v, model, depth, seen);
      }
    }
    // Bare layers and lists last: a Sequential or model built from them (`layers = [...]` then
    // `nn.Sequential(*layers)`) applies them in its order, activations included. Visited first,
    // the list's layers were judged one by one, as linear, and the Sequential's activations alone.
    for (const v of ops) if (!v.op.applied && v.op.cls.role === 'weighted') this.applyOp(v.op, this.freshTensor(model).st);
    for (const v of lists) this.applyLeftovers(v.items, model, depth + 1, seen);
  }

  /** A language's own leftovers (a module instance nothing called, a container), `depth` containers down, `seen` those visited. */
  protected leftover(_v: V, _model: ModelBuilder, _depth: number, _seen: Set<V>): void {}
}
