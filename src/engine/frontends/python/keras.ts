/**
 * The Keras / tf.keras front end. A small abstract interpreter over the tree-sitter tree:
 * it walks each function, class and the module body in order, tracks what every variable
 * holds (a tensor and its shape, a layer instance, a Sequential model, an initializer, an
 * integer), and records each weighted layer with its fan_in/fan_out, kernel initializer and
 * the activation that follows it. Calls to functions and methods of the same file are
 * followed with their arguments bound, so helper blocks see real shapes.
 */
import type { Node, Tree } from 'web-tree-sitter';
import type { Fix, FrontEndResult, KernelInit, Layer, LayerActivation, Model, Recommendation, Span } from '../../ir';
import { activationInfo, lookupActivation, LEAKY_DEFAULT_ALPHA, LINEAR, type ActivationInfo } from '../../activations';
import {
  defaultInitializer, initializerParams, isKnownInitializer, resolveInitializer, unknownInitializer, type ArgValue, type InitArgs,
} from '../../initializers';
import { collectImports, lastSegment, normalizeQualified, type ImportTable } from './names';
import { ACTIVATION_FUNCTION_PREFIXES, kerasLayerClass, MERGE_FUNCTIONS, type LayerClass } from './kerasLayers';
import { insertKeyword, quoteStyle, rewriteExplicit, type PythonStyle } from './kerasFix';
import { argument, callArgs, spanOf, stringValue, syntaxErrors, type CallArgs } from './syntax';

type Dim = number | null;
type Const = ArgValue | Const[];

interface ModelBuilder {
  name?: string;
  /** Name to fall back on: the enclosing function or class. */
  scopeName: string;
  span: Span;
  layers: Layer[];
}

interface Pending {
  layer: Layer;
  normed: boolean;
}

interface TensorState {
  shape?: Dim[];
  open?: Pending;
  /** A normalization was applied since the last weighted layer. */
  normSeen: boolean;
  model: ModelBuilder;
}

interface LayerOp {
  cls: LayerClass;
  className: string;
  call: Node;
  args: CallArgs;
  env: Env;
  applied: boolean;
}

interface SelfObject {
  attrs: Map<string, Value>;
  cls?: Node;
  model: ModelBuilder;
}

type Value =
  | { t: 'tensor'; st: TensorState }
  | { t: 'op'; op: LayerOp }
  | { t: 'seq'; model: ModelBuilder; st: TensorState; node: Node }
  | { t: 'const'; v: Const }
  | { t: 'init'; node: Node; env: Env }
  | { t: 'func'; node: Node }
  | { t: 'class'; node: Node }
  | { t: 'path'; path: string }
  | { t: 'self'; obj: SelfObject }
  | { t: 'list'; items: Value[] }
  | { t: 'unknown' };

const UNKNOWN: Value = { t: 'unknown' };

class Env {
  private vars = new Map<string, Value>();
  constructor(readonly parent?: Env) {}
  get(name: string): Value | undefined {
    return this.vars.get(name) ?? this.parent?.get(name);
  }
  set(name: string, v: Value): void {
    this.vars.set(name, v);
  }
}

/** Limits that keep pathological input linear: nesting, loop unrolling, inlining, layer count. */
const MAX_DEPTH = 200;
const MAX_UNROLL = 64;
const MAX_INLINE_DEPTH = 6;
const MAX_LAYERS = 20000;

export class KerasFrontEnd {
  private readonly text: string;
  private readonly imports: ImportTable;
  private readonly style: PythonStyle;
  private readonly module = new Env();
  private readonly models: ModelBuilder[] = [];
  private layerCount = 0;
  private depth = 0;
  private inlineDepth = 0;
  /** Functions and classes evaluated through a call, so not again on their own. */
  private readonly calledDefs = new Set<number>();

  constructor(private readonly tree: Tree, text: string) {
    const root = tree.rootNode;
    this.text = text;
    this.imports = collectImports(root);
    this.style = { text: this.text, quote: quoteStyle(root), aliases: this.imports.aliases };
    for (const [alias, path] of this.imports.aliases) this.module.set(alias, { t: 'path', path });
  }

  /** True when the module imports Keras in any spelling. */
  static usesKeras(imports: ImportTable): boolean {
    for (const p of imports.aliases.values()) if (p === 'keras' || p.startsWith('keras.') || p === 'tensorflow') return true;
    return imports.wildcards.some((w) => w.startsWith('keras'));
  }

  run(): FrontEndResult {
    const root = this.tree.rootNode;
    // Syntax errors matter only in files that define models: other Python files are not ours to judge.
    if (!KerasFrontEnd.usesKeras(this.imports)) return { models: [], errors: [] };
    const errors = syntaxErrors(root);
    this.bindDefinitions(root, this.module);
    this.findCalledDefs(root);
    const top = this.newModel('model', spanOf(root));
    this.execBlock(root, this.module, top, undefined);
    this.evaluateUncalledDefs(root);
    const models: Model[] = [];
    const names = new Map<string, number>();
    for (const b of this.models) {
      if (b.layers.length === 0) continue;
      let name = b.name ?? b.scopeName;
      const n = (names.get(name) ?? 0) + 1;
      names.set(name, n);
      if (n > 1) name = `${name}#${n}`;
      models.push({ name, framework: 'keras', span: b.span, layers: b.layers });
    }
    return { models, errors };
  }

  // ---- definitions and scopes ----

  private bindDefinitions(block: Node, env: Env): void {
    for (const stmt of block.namedChildren) if (stmt) this.bindDefinition(stmt, env);
  }

  private bindDefinition(stmt: Node, env: Env): void {
    const def = stmt.type === 'decorated_definition' ? stmt.childForFieldName('definition') : stmt;
    const name = def?.childForFieldName('name')?.text;
    if (!def || !name) return;
    if (def.type === 'function_definition') env.set(name, { t: 'func', node: def });
    else if (def.type === 'class_definition') env.set(name, { t: 'class', node: def });
  }

  private findCalledDefs(root: Node): void {
    const defs = new Map<string, number>();
    for (const d of root.descendantsOfType(['function_definition', 'class_definition'])) {
      const name = d?.childForFieldName('name')?.text;
      if (d && name) defs.set(name, d.id);
    }
    for (const call of root.descendantsOfType('call')) {
      const fn = call?.childForFieldName('function');
      if (!fn) continue;
      const name = fn.type === 'identifier' ? fn.text
        : fn.type === 'attribute' && fn.childForFieldName('object')?.text === 'self' ? fn.childForFieldName('attribute')?.text : undefined;
      const id = name ? defs.get(name) : undefined;
      if (id !== undefined) this.calledDefs.add(id);
    }
  }

  private evaluateUncalledDefs(root: Node): void {
    for (const def of root.descendantsOfType(['function_definition', 'class_definition'])) {
      if (!def || this.calledDefs.has(def.id)) continue;
      // Methods are evaluated with their class.
      if (def.type === 'function_definition' && enclosingClass(def)) continue;
      if (def.type === 'class_definition') this.evaluateClassStandalone(def);
      else this.evaluateFunctionStandalone(def);
    }
  }

  private newModel(scopeName: string, span: Span): ModelBuilder {
    const m: ModelBuilder = { scopeName, span, layers: [] };
    this.models.push(m);
    return m;
  }

  private evaluateFunctionStandalone(def: Node): void {
    const name = def.childForFieldName('name')?.text ?? 'model';
    const model = this.newModel(name, spanOf(def.childForFieldName('name') ?? def));
    const env = new Env(this.module);
    this.bindParams(def, env, [], new Map(), model);
    const body = def.childForFieldName('body');
    if (body) this.execBlock(body, env, model, undefined);
  }

  private evaluateClassStandalone(cls: Node): void {
    if (!this.isKerasClass(cls)) return;
    const name = cls.childForFieldName('name')?.text ?? 'model';
    const model = this.newModel(name, spanOf(cls.childForFieldName('name') ?? cls));
    const obj: SelfObject = { attrs: new Map(), cls, model };
    this.construct(obj, [], new Map());
    const call = this.method(cls, 'call') ?? this.method(cls, '__call__');
    if (call) this.invoke(call, obj, [this.freshTensor(model)], new Map(), model);
    this.applyLeftovers(obj.attrs.values(), model);
  }

  private isKerasClass(cls: Node): boolean {
    const supers = cls.childForFieldName('superclasses');
    if (!supers) return false;
    return supers.namedChildren.some((s) => {
      if (!s) return false;
      const q = this.qualify(s, this.module);
      return !!q && (q.startsWith('keras.') || q === 'keras');
    });
  }

  private method(cls: Node, name: string): Node | undefined {
    const body = cls.childForFieldName('body');
    for (const stmt of body?.namedChildren ?? []) {
      const def = stmt?.type === 'decorated_definition' ? stmt.childForFieldName('definition') : stmt;
      if (def?.type === 'function_definition' && def.childForFieldName('name')?.text === name) return def;
    }
    return undefined;
  }

  private construct(obj: SelfObject, pos: Value[], kw: Map<string, Value>): void {
    const init = obj.cls ? this.method(obj.cls, '__init__') : undefined;
    if (init) this.invoke(init, obj, pos, kw, obj.model);
  }

  /** Layers made in __init__ but never applied in call: still judged, with what is known. */
  private applyLeftovers(values: Iterable<Value>, model: ModelBuilder): void {
    for (const v of values) {
      if (v.t === 'op' && !v.op.applied && v.op.cls.role === 'weighted') this.applyOp(v.op, this.freshTensor(model).st);
      else if (v.t === 'list') this.applyLeftovers(v.items, model);
    }
  }

  private bindParams(def: Node, env: Env, pos: Value[], kw: Map<string, Value>, model: ModelBuilder, skipSelf = false): void {
    const params = def.childForFieldName('parameters');
    let i = 0;
    let first = true;
    for (const p of params?.namedChildren ?? []) {
      if (!p) continue;
      let name: string | undefined;
      let dflt: Node | null = null;
      if (p.type === 'identifier') name = p.text;
      else if (p.type === 'default_parameter' || p.type === 'typed_default_parameter') {
        name = p.childForFieldName('name')?.text;
        dflt = p.childForFieldName('value');
      } else if (p.type === 'typed_parameter') name = p.namedChildren.find((c) => c?.type === 'identifier')?.text;
      if (!name) continue;
      if (first && skipSelf) {
        first = false;
        continue;
      }
      first = false;
      let v = kw.get(name) ?? pos[i];
      i++;
      if (v === undefined) v = dflt ? this.eval(dflt, this.module, model) : UNKNOWN;
      env.set(name, v);
    }
  }

  /** Call a function or method of this file with arguments bound; returns its return value. */
  private invoke(def: Node, self: SelfObject | undefined, pos: Value[], kw: Map<string, Value>, model: ModelBuilder): Value {
    if (this.inlineDepth >= MAX_INLINE_DEPTH) return UNKNOWN;
    this.inlineDepth++;
    try {
      const env = new Env(this.module);
      if (self) env.set('self', { t: 'self', obj: self });
      this.bindParams(def, env, pos, kw, model, !!self);
      const ret: { v?: Value } = {};
      const body = def.childForFieldName('body');
      if (body) this.execBlock(body, env, model, ret);
      return ret.v ?? UNKNOWN;
    } finally {
      this.inlineDepth--;
    }
  }

  // ---- statements ----

  private execBlock(block: Node, env: Env, model: ModelBuilder, ret: { v?: Value } | undefined): void {
    for (const stmt of block.namedChildren) if (stmt) this.exec(stmt, env, model, ret);
  }

  private exec(stmt: Node, env: Env, model: ModelBuilder, ret: { v?: Value } | undefined): void {
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
        const body = stmt.childForFieldName('consequence');
        if (body) this.execBlock(body, env, model, ret);
        for (const alt of stmt.childrenForFieldName('alternative')) {
          const b = alt?.childForFieldName('consequence') ?? alt?.childForFieldName('body');
          if (b) this.execBlock(b, env, model, ret);
        }
        return;
      }
      case 'for_statement':
        this.execFor(stmt, env, model, ret);
        return;
      case 'while_statement': case 'with_statement': case 'try_statement': {
        const body = stmt.childForFieldName('body');
        if (body) this.execBlock(body, env, model, ret);
        return;
      }
      case 'function_definition': case 'class_definition': case 'decorated_definition':
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

  private execFor(stmt: Node, env: Env, model: ModelBuilder, ret: { v?: Value } | undefined): void {
    const left = stmt.childForFieldName('left');
    const right = stmt.childForFieldName('right');
    const body = stmt.childForFieldName('body');
    if (!body) return;
    const items = right ? this.iterate(right, env, model) : [UNKNOWN];
    for (const item of items) {
      if (left) this.assign(left, item, env);
      this.execBlock(body, env, model, ret);
    }
  }

  /** What a `for` iterates over, unrolled up to MAX_UNROLL; an unknown iterable runs the body once. */
  private iterate(node: Node, env: Env, model: ModelBuilder): Value[] {
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
          return out.length ? out : [];
        }
      }
      if (fn?.type === 'identifier' && fn.text === 'enumerate') {
        const inner = callArgs(node).positional[0];
        if (inner) return this.iterate(inner, env, model).map((v, i) => ({ t: 'list', items: [{ t: 'const', v: i }, v] }));
      }
    }
    const v = this.eval(node, env, model);
    if (v.t === 'list') return v.items.slice(0, MAX_UNROLL);
    if (v.t === 'const' && Array.isArray(v.v)) return v.v.slice(0, MAX_UNROLL).map((c) => ({ t: 'const', v: c }));
    return [UNKNOWN];
  }

  private assign(target: Node, value: Value, env: Env): void {
    if (target.type === 'identifier') env.set(target.text, value);
    else if (target.type === 'attribute') {
      const obj = target.childForFieldName('object');
      const attr = target.childForFieldName('attribute')?.text;
      const self = obj && obj.type === 'identifier' ? env.get(obj.text) : undefined;
      if (self?.t === 'self' && attr) self.obj.attrs.set(attr, value);
    } else if (target.type === 'pattern_list' || target.type === 'tuple_pattern' || target.type === 'tuple' || target.type === 'list_pattern') {
      const parts = target.namedChildren.filter((c): c is Node => !!c);
      const items = value.t === 'list' ? value.items
        : value.t === 'const' && Array.isArray(value.v) ? value.v.map((c): Value => ({ t: 'const', v: c })) : [];
      parts.forEach((p, i) => this.assign(p, items[i] ?? UNKNOWN, env));
    }
  }

  // ---- expressions ----

  private eval(node: Node, env: Env, model: ModelBuilder): Value {
    if (this.depth >= MAX_DEPTH) return UNKNOWN;
    this.depth++;
    try {
      return this.evalInner(node, env, model);
    } finally {
      this.depth--;
    }
  }

  private evalInner(node: Node, env: Env, model: ModelBuilder): Value {
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
        if (left) this.assign(left, this.merge([l, r], model), env);
        return UNKNOWN;
      }
      case 'identifier': {
        const v = env.get(node.text);
        if (v) return v;
        for (const w of this.imports.wildcards) {
          const path = `${w}.${node.text}`;
          if (kerasLayerClass(node.text) || isKnownInitializer('keras', node.text) || lastSegment(w) === 'keras') return { t: 'path', path };
        }
        return UNKNOWN;
      }
      case 'attribute': {
        const obj = node.childForFieldName('object');
        const attr = node.childForFieldName('attribute')?.text;
        if (!obj || !attr) return UNKNOWN;
        const base = this.eval(obj, env, model);
        if (base.t === 'path') return { t: 'path', path: normalizeQualified(`${base.path}.${attr}`) };
        if (base.t === 'self') return base.obj.attrs.get(attr) ?? UNKNOWN;
        return UNKNOWN;
      }
      case 'integer': case 'float': case 'string': case 'true': case 'false': case 'none':
      case 'unary_operator': case 'binary_operator': {
        const c = this.constOf(node, env);
        if (c !== undefined) return { t: 'const', v: c };
        if (node.type === 'binary_operator') {
          const l = node.childForFieldName('left');
          const r = node.childForFieldName('right');
          return this.merge([l ? this.eval(l, env, model) : UNKNOWN, r ? this.eval(r, env, model) : UNKNOWN], model);
        }
        return UNKNOWN;
      }
      case 'tuple': case 'list': case 'expression_list': {
        const c = this.constOf(node, env);
        if (c !== undefined) return { t: 'const', v: c };
        return { t: 'list', items: node.namedChildren.filter((n): n is Node => !!n).map((n) => this.eval(n, env, model)) };
      }
      case 'list_comprehension': case 'generator_expression':
        return this.comprehension(node, env, model);
      case 'parenthesized_expression': {
        const inner = node.namedChildren.find((c) => c && c.type !== 'comment');
        return inner ? this.eval(inner, env, model) : UNKNOWN;
      }
      case 'conditional_expression': {
        const first = node.namedChildren[0];
        return first ? this.eval(first, env, model) : UNKNOWN;
      }
      case 'call':
        return this.evalCall(node, env, model);
      case 'keyword_argument': {
        const v = node.childForFieldName('value');
        return v ? this.eval(v, env, model) : UNKNOWN;
      }
      default:
        // Still look inside for layer calls (e.g. `outputs = {"a": Dense(1)(x)}`).
        for (const c of node.namedChildren) if (c && c.type === 'call') this.eval(c, env, model);
        return UNKNOWN;
    }
  }

  private comprehension(node: Node, env: Env, model: ModelBuilder): Value {
    const body = node.childForFieldName('body');
    const clause = node.namedChildren.find((c) => c?.type === 'for_in_clause');
    if (!body || !clause) return UNKNOWN;
    const left = clause.childForFieldName('left');
    const right = clause.childForFieldName('right');
    const inner = new Env(env);
    const items = right ? this.iterate(right, env, model) : [UNKNOWN];
    const out: Value[] = [];
    for (const item of items) {
      if (left) this.assign(left, item, inner);
      out.push(this.eval(body, inner, model));
    }
    return { t: 'list', items: out };
  }

  /** Integer/float/string/tuple constants, with names bound to constants and simple arithmetic. */
  private constOf(node: Node, env: Env): Const | undefined {
    if (this.depth >= MAX_DEPTH) return undefined;
    this.depth++;
    try {
      return this.constOfInner(node, env);
    } finally {
      this.depth--;
    }
  }

  private constOfInner(node: Node, env: Env): Const | undefined {
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
      case 'string': return stringValue(node);
      case 'true': return true;
      case 'false': return false;
      case 'none': return null;
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
          case '+': return a + b;
          case '-': return a - b;
          case '*': return a * b;
          case '/': return b === 0 ? undefined : a / b;
          case '//': return b === 0 ? undefined : Math.floor(a / b);
          case '**': return a ** b;
          default: return undefined;
        }
      }
      case 'tuple': case 'list': {
        const out: Const[] = [];
        for (const c of node.namedChildren) {
          if (!c || c.type === 'comment') continue;
          const v = this.constOf(c, env);
          if (v === undefined) return undefined;
          out.push(v);
        }
        return out;
      }
      case 'call': {
        // math.sqrt(5) and int(...) appear in initializer arguments.
        const fn = node.childForFieldName('function')?.text;
        const arg = callArgs(node).positional[0];
        const v = arg ? this.constOf(arg, env) : undefined;
        if (typeof v !== 'number') return undefined;
        if (fn === 'math.sqrt' || fn === 'np.sqrt' || fn === 'sqrt') return Math.sqrt(v);
        if (fn === 'int') return Math.trunc(v);
        if (fn === 'float') return v;
        return undefined;
      }
      default: return undefined;
    }
  }

  private qualify(node: Node, env: Env): string | undefined {
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

  private evalArgs(args: CallArgs, env: Env, model: ModelBuilder): { pos: Value[]; kw: Map<string, Value> } {
    const pos = args.positional.map((a) => this.eval(a, env, model));
    const kw = new Map<string, Value>();
    for (const [k, v] of args.keywords) kw.set(k, this.eval(v, env, model));
    return { pos, kw };
  }

  private evalCall(node: Node, env: Env, model: ModelBuilder): Value {
    const fnNode = node.childForFieldName('function');
    if (!fnNode) return UNKNOWN;
    const args = callArgs(node);
    let callee: Value;
    if (fnNode.type === 'attribute') {
      // The object is evaluated once: it may itself build layers.
      const objNode = fnNode.childForFieldName('object');
      const method = fnNode.childForFieldName('attribute')?.text ?? '';
      const obj = objNode ? this.eval(objNode, env, model) : UNKNOWN;
      if (obj.t === 'seq' && method === 'add') {
        const a = args.positional[0] ? this.eval(args.positional[0], env, model) : UNKNOWN;
        obj.st = this.applyValue(a, obj.st, env);
        return UNKNOWN;
      }
      if (obj.t === 'self' && !obj.obj.attrs.has(method) && obj.obj.cls) {
        const def = this.method(obj.obj.cls, method);
        if (def) {
          const { pos, kw } = this.evalArgs(args, env, model);
          return this.invoke(def, obj.obj, pos, kw, model);
        }
      }
      callee = obj.t === 'path' ? { t: 'path', path: normalizeQualified(`${obj.path}.${method}`) }
        : obj.t === 'self' ? obj.obj.attrs.get(method) ?? UNKNOWN : UNKNOWN;
    } else {
      callee = this.eval(fnNode, env, model);
    }
    switch (callee.t) {
      case 'path':
        return this.callQualified(callee.path, node, args, env, model);
      case 'op': case 'seq': {
        const input = args.positional[0] ? this.eval(args.positional[0], env, model) : UNKNOWN;
        if (callee.t === 'seq') {
          this.consume(input);
          return { t: 'tensor', st: { model: callee.model, normSeen: false } };
        }
        const st = this.inputState(input, model);
        return { t: 'tensor', st: this.applyOp(callee.op, st) };
      }
      case 'func': {
        const { pos, kw } = this.evalArgs(args, env, model);
        return this.invoke(callee.node, undefined, pos, kw, model);
      }
      case 'class': {
        if (!this.isKerasClass(callee.node)) break;
        const { pos, kw } = this.evalArgs(args, env, model);
        const obj: SelfObject = { attrs: new Map(), cls: callee.node, model };
        this.construct(obj, pos, kw);
        return { t: 'self', obj };
      }
      case 'self': {
        // An instance of a Keras subclass of this file, applied to a tensor.
        const call = callee.obj.cls ? this.method(callee.obj.cls, 'call') ?? this.method(callee.obj.cls, '__call__') : undefined;
        const { pos, kw } = this.evalArgs(args, env, model);
        if (call) return this.invoke(call, callee.obj, pos, kw, model);
        pos.forEach((v) => this.consume(v));
        return UNKNOWN;
      }
      default:
        break;
    }
    // Unknown callee: its tensor arguments are consumed by an operation we cannot see.
    const { pos, kw } = this.evalArgs(args, env, model);
    pos.forEach((v) => this.consume(v));
    kw.forEach((v) => this.consume(v));
    return UNKNOWN;
  }

  private callQualified(path: string, node: Node, args: CallArgs, env: Env, model: ModelBuilder): Value {
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
        return this.merge(first.t === 'list' ? first.items : [first], model, name === 'concatenate');
      }
    }
    if (ACTIVATION_FUNCTION_PREFIXES.some((p) => path === `${p}.${name}`)) {
      const info = this.activationFromName(name, args, env, path.startsWith('tensorflow') ? LEAKY_DEFAULT_ALPHA.tf_nn : LEAKY_DEFAULT_ALPHA.keras);
      if (info) {
        const input = args.positional[0] ? this.eval(args.positional[0], env, model) : UNKNOWN;
        if (input.t !== 'tensor') return UNKNOWN;
        this.activate(input.st, { info, span: spanOf(node) });
        return { t: 'tensor', st: { ...input.st, open: undefined } };
      }
    }
    const { pos, kw } = this.evalArgs(args, env, model);
    pos.forEach((v) => this.consume(v));
    kw.forEach((v) => this.consume(v));
    return UNKNOWN;
  }

  private activationFromName(name: string, args: CallArgs | undefined, env: Env, leakyDefault: number): ActivationInfo | undefined {
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

  // ---- Sequential and the functional API ----

  private tensorModel(v: Value | undefined): ModelBuilder | undefined {
    if (!v) return undefined;
    if (v.t === 'tensor') return v.st.model;
    if (v.t === 'list') for (const i of v.items) { const m = this.tensorModel(i); if (m) return m; }
    return undefined;
  }

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
    this.close(st);
    return { model: st.model, normSeen: false };
  }

  private inputState(v: Value, model: ModelBuilder): TensorState {
    if (v.t === 'tensor') return v.st;
    if (v.t === 'list') {
      const m = this.merge(v.items, model);
      if (m.t === 'tensor') return m.st;
    }
    return this.freshTensor(model).st;
  }

  private freshTensor(model: ModelBuilder): { t: 'tensor'; st: TensorState } {
    return { t: 'tensor', st: { model, normSeen: false } };
  }

  private merge(values: Value[], model: ModelBuilder, concat = false): Value {
    const tensors = values.filter((v): v is { t: 'tensor'; st: TensorState } => v.t === 'tensor');
    if (tensors.length === 0) return UNKNOWN;
    tensors.forEach((t) => this.close(t.st));
    let shape = tensors[0].st.shape;
    if (concat && shape) {
      const lasts = tensors.map((t) => t.st.shape?.[t.st.shape.length - 1]);
      shape = lasts.every((d) => typeof d === 'number') ? [...shape.slice(0, -1), lasts.reduce((a, b) => (a as number) + (b as number), 0)] : undefined;
    }
    return { t: 'tensor', st: { model: tensors[0].st.model ?? model, shape, normSeen: tensors.some((t) => t.st.normSeen) } };
  }

  private consume(v: Value): void {
    if (v.t === 'tensor') this.close(v.st);
    else if (v.t === 'list') v.items.forEach((i) => this.consume(i));
  }

  /** The open layer meets an operation that is not an activation: it stays linear. */
  private close(st: TensorState): void {
    st.open = undefined;
  }

  private activate(st: TensorState, act: LayerActivation): void {
    if (!st.open) return;
    st.open.layer.activation = act;
    st.open.layer.normalized = st.open.normed;
    st.open = undefined;
  }

  /** Apply a layer instance to a tensor state; weighted layers enter the model here. */
  private applyOp(op: LayerOp, st: TensorState): TensorState {
    op.applied = true;
    const { cls, args, env } = op;
    switch (cls.role) {
      case 'activation': {
        const info = this.activationOfLayer(op);
        if (info) this.activate(st, { info, span: spanOf(op.call) });
        else this.close(st);
        return { ...st, open: undefined };
      }
      case 'norm':
        if (st.open) {
          st.open.normed = true;
          st.open.layer.normalized = true;
        }
        return { ...st, normSeen: true };
      case 'passthrough':
        return { ...st, shape: st.shape ?? this.inputShapeOf(cls, args, env) };
      case 'input':
        return { ...st, shape: this.inputShapeOf(cls, args, env) };
      case 'merge':
        this.close(st);
        return { model: st.model, normSeen: st.normSeen, shape: st.shape };
      case 'reshape':
        return { ...st, shape: this.reshape(op, st.shape ?? this.inputShapeOf(cls, args, env)) };
      case 'unjudged':
        this.close(st);
        return { model: st.model, normSeen: false, shape: this.unjudgedShape(op, st.shape ?? this.inputShapeOf(cls, args, env)) };
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
    if (op.className === 'ReLU') {
      const slope = argument(args, 'negative_slope', 1);
      const v = slope ? this.constOf(slope, env) : undefined;
      return typeof v === 'number' && v > 0 ? activationInfo('leaky_relu', v) : activationInfo('relu');
    }
    if (op.className === 'LeakyReLU') {
      const a = args.keywords.get('negative_slope') ?? args.keywords.get('alpha') ?? args.positional[0];
      const v = a ? this.constOf(a, env) : undefined;
      return activationInfo('leaky_relu', typeof v === 'number' ? v : LEAKY_DEFAULT_ALPHA.keras);
    }
    return cls.activation ? lookupActivation(cls.activation) : undefined;
  }

  /** An `activation=` value: a string, None, a function path, or a layer instance. */
  private activationValue(node: Node, env: Env): LayerActivation | undefined {
    const c = this.constOf(node, env);
    if (c === null) return { info: LINEAR, span: spanOf(node) };
    if (typeof c === 'string') {
      const info = this.activationFromName(c, undefined, env, LEAKY_DEFAULT_ALPHA.keras);
      return info ? { info, span: spanOf(node) } : undefined;
    }
    const v = this.eval(node, env, this.scratch());
    if (v.t === 'path') {
      const info = this.activationFromName(lastSegment(v.path), undefined, env, v.path.startsWith('tensorflow') ? LEAKY_DEFAULT_ALPHA.tf_nn : LEAKY_DEFAULT_ALPHA.keras);
      return info ? { info, span: spanOf(node) } : undefined;
    }
    if (v.t === 'op' && v.op.cls.role === 'activation') {
      const info = this.activationOfLayer(v.op);
      return info ? { info, span: spanOf(node) } : undefined;
    }
    return undefined;
  }

  private scratchModel?: ModelBuilder;
  /** A model for values evaluated only to be read (never holds layers that reach the output). */
  private scratch(): ModelBuilder {
    this.scratchModel ??= { scopeName: '', span: { start: 0, end: 0 }, layers: [] };
    return this.scratchModel;
  }

  private inputShapeOf(cls: LayerClass, args: CallArgs, env: Env): Dim[] | undefined {
    const shapeNode = args.keywords.get('input_shape') ?? args.keywords.get('shape')
      ?? (cls.role === 'input' ? args.positional[0] : undefined);
    if (shapeNode) return toShape(this.constOf(shapeNode, env));
    const batch = args.keywords.get('batch_input_shape') ?? args.keywords.get('batch_shape');
    if (batch) return toShape(this.constOf(batch, env))?.slice(1);
    const dim = args.keywords.get('input_dim');
    const d = dim ? this.constOf(dim, env) : undefined;
    return typeof d === 'number' ? [d] : undefined;
  }

  private intArg(op: LayerOp, name: string): number | undefined {
    const i = op.cls.params.indexOf(name);
    const n = argument(op.args, name, i >= 0 ? i : undefined);
    const v = n ? this.constOf(n, op.env) : undefined;
    return typeof v === 'number' ? v : undefined;
  }

  private tupleArg(op: LayerOp, name: string, rank: number, dflt?: number): number[] | undefined {
    const i = op.cls.params.indexOf(name);
    const n = argument(op.args, name, i >= 0 ? i : undefined);
    const v = n ? this.constOf(n, op.env) : dflt;
    if (typeof v === 'number') return Array(rank).fill(v);
    if (Array.isArray(v) && v.length === rank && v.every((x) => typeof x === 'number')) return v as number[];
    return undefined;
  }

  private strArg(op: LayerOp, name: string): string | undefined {
    const i = op.cls.params.indexOf(name);
    const n = argument(op.args, name, i >= 0 ? i : undefined);
    const v = n ? this.constOf(n, op.env) : undefined;
    return typeof v === 'string' ? v : undefined;
  }

  private reshape(op: LayerOp, shape: Dim[] | undefined): Dim[] | undefined {
    const name = op.className;
    if (name === 'Flatten') {
      if (!shape) return undefined;
      return shape.every((d) => typeof d === 'number') ? [(shape as number[]).reduce((a, b) => a * b, 1)] : [null];
    }
    if (name === 'Reshape') {
      const t = toShape(this.constOf(argument(op.args, 'target_shape', 0) ?? op.call, op.env));
      if (!t) return undefined;
      const known = shape?.every((d) => typeof d === 'number') ? (shape as number[]).reduce((a, b) => a * b, 1) : undefined;
      const rest = t.filter((d) => d !== -1).reduce<number>((a, b) => a * (b ?? 1), 1);
      return t.map((d) => (d === -1 ? (known !== undefined && rest > 0 ? known / rest : null) : d));
    }
    if (!shape || op.cls.rank === undefined) return undefined;
    const rank = op.cls.rank;
    const channels = shape[shape.length - 1];
    if (name.startsWith('Global')) return [channels];
    if (name.includes('Pool')) {
      const pool = this.tupleArg(op, 'pool_size', rank, 2);
      const strides = this.tupleArg(op, 'strides', rank) ?? pool;
      const padding = this.strArg(op, 'padding') ?? 'valid';
      if (!pool || !strides) return [...Array(rank).fill(null), channels];
      return [...shape.slice(0, rank).map((d, i) => convOut(d, pool[i], strides[i], 1, padding)), channels];
    }
    return [...Array(rank).fill(null), channels];
  }

  private unjudgedShape(op: LayerOp, shape: Dim[] | undefined): Dim[] | undefined {
    const name = op.className;
    if (name === 'Embedding') {
      const out = this.intArg(op, 'output_dim');
      return out !== undefined ? [...(shape ?? [null]), out] : undefined;
    }
    const units = this.intArg(op, 'units');
    if (units !== undefined) {
      const seq = op.args.keywords.get('return_sequences');
      return seq && this.constOf(seq, op.env) === true ? [null, units] : [units];
    }
    if (name === 'MultiHeadAttention') return shape;
    return undefined;
  }

  private applyWeighted(op: LayerOp, st: TensorState): TensorState {
    this.close(st);
    const inShape = st.shape ?? this.inputShapeOf(op.cls, op.args, op.env);
    const layer = this.makeLayer(op, inShape, st.normSeen);
    if (!layer) return { model: st.model, normSeen: false };
    if (this.layerCount < MAX_LAYERS) {
      st.model.layers.push(layer.layer);
      this.layerCount++;
    }
    const pending: Pending | undefined = layer.ownActivation ? undefined : { layer: layer.layer, normed: false };
    return { model: st.model, normSeen: false, shape: layer.outShape, open: pending };
  }

  private makeLayer(op: LayerOp, inShape: Dim[] | undefined, normalizedBefore: boolean):
    { layer: Layer; outShape?: Dim[]; ownActivation: boolean } | undefined {
    const { cls, args, env, call } = op;
    const channelsFirst = this.strArg(op, 'data_format') === 'channels_first';
    const inDim = inShape ? (channelsFirst ? inShape[0] : inShape[inShape.length - 1]) : undefined;
    const inUnits = typeof inDim === 'number' ? inDim : undefined;
    let fanIn: number | undefined;
    let fanOut: number | undefined;
    let receptiveField = 1;
    let outShape: Dim[] | undefined;
    let label: string;
    const positional = args.positional.map((p) => p.text).join(', ');
    if (cls.rank === undefined) {
      const units = this.intArg(op, 'units');
      fanIn = inUnits;
      fanOut = units;
      outShape = units !== undefined ? [...(inShape ?? [null]).slice(0, -1), units] : undefined;
      label = `${op.className}(${positional || (units ?? '')})`;
    } else {
      const rank = cls.rank;
      const filters = this.intArg(op, 'filters');
      const kernel = this.tupleArg(op, 'kernel_size', rank);
      const rf = kernel?.reduce((a, b) => a * b, 1);
      if (rf !== undefined) {
        receptiveField = rf;
        // Keras kernels are (k..., in, filters); Conv*Transpose kernels are (k..., filters, in),
        // so Keras' compute_fans swaps their fans.
        const a = inUnits !== undefined ? rf * inUnits : undefined;
        const b = filters !== undefined ? rf * filters : undefined;
        [fanIn, fanOut] = cls.transpose ? [b, a] : [a, b];
      }
      const strides = this.tupleArg(op, 'strides', rank, 1);
      const dilation = this.tupleArg(op, 'dilation_rate', rank, 1);
      const padding = this.strArg(op, 'padding') ?? 'valid';
      if (inShape && inShape.length === rank + 1 && kernel && strides && filters !== undefined && !channelsFirst) {
        const spatial = inShape.slice(0, rank).map((d, i) => cls.transpose
          ? (d === null ? null : padding === 'same' ? d * strides[i] : d * strides[i] + Math.max(kernel[i] - strides[i], 0))
          : convOut(d, kernel[i], strides[i], dilation?.[i] ?? 1, padding));
        outShape = [...spatial, filters];
      } else if (filters !== undefined) {
        outShape = [...Array(rank).fill(null), filters];
      }
      label = `${op.className}(${positional})`;
    }

    const actNode = argument(args, 'activation', cls.params.indexOf('activation') >= 0 ? cls.params.indexOf('activation') : undefined);
    const own = actNode ? this.activationValue(actNode, env) : undefined;
    const ownActivation = !!own && own.info.family !== 'linear';
    const initNode = argument(args, 'kernel_initializer', cls.params.indexOf('kernel_initializer') >= 0 ? cls.params.indexOf('kernel_initializer') : undefined);
    const init = this.kernelInit(initNode, env);
    const style = this.style;
    const understood = args.positional.length <= cls.params.length && !args.splat;
    const layer: Layer = {
      kind: cls.rank === undefined ? 'dense' : cls.transpose ? 'conv_transpose' : 'conv',
      label: label.length > 60 ? `${label.slice(0, 57)}...` : label,
      span: spanOf(call),
      fanIn, fanOut, receptiveField,
      init: init.init,
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
    args.positional.forEach((p, i) => {
      const v = this.constOf(p, env);
      if (params[i] && v !== undefined && !Array.isArray(v)) values[params[i]] = v;
    });
    for (const [k, n] of args.keywords) {
      const v = this.constOf(n, env);
      if (v !== undefined && !Array.isArray(v)) values[k] = v;
    }
    return resolveInitializer('keras', name, values);
  }
}

function isKerasInitializerPath(path: string): boolean {
  return path.startsWith('keras.initializers.') && isKnownInitializer('keras', lastSegment(path));
}

function enclosingClass(node: Node): Node | undefined {
  for (let p = node.parent; p; p = p.parent) {
    if (p.type === 'class_definition') return p;
    if (p.type === 'function_definition') return undefined;
  }
  return undefined;
}

/** `model = Sequential(...)` -> `model`. */
function assignedName(call: Node): string | undefined {
  const parent = call.parent;
  if (parent?.type === 'assignment' && parent.childForFieldName('right')?.id === call.id) {
    const left = parent.childForFieldName('left');
    if (left?.type === 'identifier') return left.text;
    if (left?.type === 'attribute') return left.childForFieldName('attribute')?.text;
  }
  return undefined;
}

function toShape(c: Const | undefined): Dim[] | undefined {
  if (typeof c === 'number') return [c];
  if (!Array.isArray(c)) return undefined;
  const out: Dim[] = [];
  for (const d of c) {
    if (typeof d === 'number') out.push(d);
    else if (d === null) out.push(null);
    else return undefined;
  }
  return out;
}

function convOut(d: Dim, k: number, s: number, dilation: number, padding: string): Dim {
  if (d === null) return null;
  if (padding === 'same') return Math.ceil(d / s);
  const eff = dilation * (k - 1) + 1;
  return Math.max(0, Math.floor((d - eff) / s) + 1);
}
