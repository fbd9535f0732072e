/**
 * The JavaScript and TypeScript half of the evaluator (eval/evaluator.ts holds what is the same
 * for every language): an abstract interpreter over tree-sitter-javascript / -typescript / -tsx
 * trees. It binds declarations and destructuring patterns, hoists functions, unrolls `for`,
 * `for...of`, `forEach`/`map` and `Array.from` loops, follows calls of the file's own functions
 * and methods (`this` and its fields), and reads constants. What a framework's names mean (a
 * TF.js factory, a model's `add`) is its subclass's: js/tfjs.ts.
 */
import type { SyntaxNode as Node } from '../../syntaxTree';
import type { Span } from '../../ir';
import type { ModelBuilder, TensorState } from '../signal';
import type { KerasLayerClass } from '../keras/layers';
import { callArgs, numberValue, objectLiteral, stringValue, unwrap, type JsArgs, type Prop } from './tfjsSyntax';
import { MAX_UNROLL } from '../eval/budget';
import {
  Evaluator,
  Scope,
  type Const,
  type ConstValue,
  type ListValue,
  type OpValue,
  type PathValue,
  type Ret,
  type TensorValue,
  type UnknownValue,
} from '../eval/evaluator';

/** A layer's config: the object literal written in the call, or one bound to a variable. */
export interface Config {
  props: Map<string, Prop>;
  env: Env;
  /** The object literal of the call itself: the only place a fix may edit. */
  literal?: Node;
  /** Spread or computed keys: other properties may be present. */
  open: boolean;
  /** The config is an object written elsewhere (a variable), possibly serving several layers. */
  shared: boolean;
  /** Source of the argument, for labels. */
  text: string;
}

export interface LayerOp {
  cls: KerasLayerClass;
  /** The factory's TF.js name, e.g. `dense`. */
  name: string;
  /** The Keras class it builds, e.g. `Dense`. */
  className: string;
  call: Node;
  config: Config;
  applied: boolean;
}

export interface SelfObject {
  attrs: Map<string, Value>;
  cls?: Node;
}

/** The values of the evaluator core (eval/evaluator.ts), and JavaScript's own. */
export type Value =
  | TensorValue
  | OpValue<LayerOp>
  | ConstValue
  | PathValue
  | ListValue<Value>
  | UnknownValue
  | { t: 'seq'; model: ModelBuilder; st: TensorState }
  | { t: 'init'; call: Node; env: Env; name: string }
  | { t: 'func'; node: Node; env: Env; self?: SelfObject }
  | { t: 'obj'; node: Node; env: Env }
  | { t: 'self'; obj: SelfObject };

export const UNKNOWN: Value = { t: 'unknown' };

/** A JavaScript scope: `let`/`const` declare in it, `var` in its function's (Scope.declare). */
export class Env extends Scope<Value> {}

export const FUNCTION_TYPES = [
  'function_declaration',
  'generator_function_declaration',
  'function_expression',
  'function',
  'generator_function',
  'arrow_function',
  'method_definition',
];
const FUNCTION_TYPE_SET = new Set(FUNCTION_TYPES);

export abstract class JsInterpreter extends Evaluator<Value, LayerOp> {
  /** A call of a qualified name (`tf.layers.dense`); undefined: not the framework's, an unknown call. */
  protected abstract callPath(path: string, node: Node, args: JsArgs, env: Env, model: ModelBuilder): Value | undefined;
  /** A method of a framework value (`model.add(...)`); undefined: not handled. */
  protected abstract frameworkMethod(obj: Value, objNode: Node | null, method: string, args: JsArgs, env: Env, model: ModelBuilder): Value | undefined;
  /** What `import(specifier)` or `require(specifier)` gives. */
  protected abstract moduleValue(specifier: string): Value;
  /** A name no scope binds (a global of a `<script>` tag); undefined: none. */
  protected abstract globalValue(name: string): Value | undefined;
  protected readonly module = new Env(undefined, undefined, true);
  protected readonly unknown = UNKNOWN;
  protected readonly identifier = /[A-Za-z_$][\w$]*/;
  /** The environment each function value was created in. */
  protected readonly captured = new Map<number, Env>();
  /** The `this` of each class, shared by its methods. */
  protected readonly selves = new Map<number, SelfObject>();

  protected definitions(root: Node): Node[] {
    return root.descendantsOfType(FUNCTION_TYPES).filter((d): d is Node => !!d && !!d.childForFieldName('body'));
  }

  protected definitionName(def: Node): string | undefined {
    return functionName(def);
  }

  /** A named declaration (`function name(`) matches itself once. */
  protected selfCalls(def: Node): number {
    return def.childForFieldName('name') ? 1 : 0;
  }

  /** Function declarations are bound before the block runs, as JavaScript hoists them. */
  protected hoist(block: Node, env: Env): void {
    for (const child of block.namedChildren) {
      if (!child) continue;
      const stmt = child.type === 'export_statement' ? child.childForFieldName('declaration') : child;
      if (stmt?.type === 'function_declaration' || stmt?.type === 'generator_function_declaration') {
        const name = stmt.childForFieldName('name')?.text;
        if (name) env.declare(name, this.funcValue(stmt, env));
      }
    }
  }

  protected funcValue(node: Node, env: Env, self?: SelfObject): Value {
    if (!this.captured.has(node.id)) this.captured.set(node.id, env);
    return { t: 'func', node, env, self };
  }

  protected evaluateStandalone(def: Node): void {
    let self: SelfObject | undefined;
    const cls = def.type === 'method_definition' ? enclosingClass(def) : undefined;
    if (cls) {
      self = this.selfOf(cls);
      // The constructor sets up `this` for the other methods.
      const ctor = methodOf(cls, 'constructor');
      if (ctor && ctor.id !== def.id && !this.invoked.has(ctor.id)) this.evaluateStandalone(ctor);
    }
    this.invoked.add(def.id);
    const env0 = this.captured.get(def.id) ?? this.module;
    const name = functionName(def) ?? env0.scopeName();
    const nameNode = def.childForFieldName('name');
    const model = this.newModel(name, nameNode ? spanOf(nameNode) : { start: def.startIndex, end: def.startIndex });
    const env = new Env(env0, name, true);
    if (self) env.declare('this', { t: 'self', obj: self });
    this.bindParams(def, env, [], model);
    this.runBody(def, env, model);
    this.applyLeftovers(env.values(), model);
  }

  protected selfOf(cls: Node): SelfObject {
    let s = this.selves.get(cls.id);
    if (!s) {
      s = { attrs: new Map(), cls };
      this.selves.set(cls.id, s);
    }
    return s;
  }

  // ---- functions ----

  protected invoke(fn: Extract<Value, { t: 'func' }>, args: Value[], model: ModelBuilder, self?: SelfObject): Value {
    return this.inlined(fn.node, () => {
      const name = functionName(fn.node) ?? fn.env.scopeName();
      const env = new Env(fn.env, name, true);
      const me = self ?? fn.self;
      if (me) env.declare('this', { t: 'self', obj: me });
      this.bindParams(fn.node, env, args, model);
      return this.runBody(fn.node, env, model);
    });
  }

  protected runBody(def: Node, env: Env, model: ModelBuilder): Value {
    const body = def.childForFieldName('body');
    if (!body) return UNKNOWN;
    if (body.type === 'statement_block') {
      const ret: { v?: Value } = {};
      this.hoist(body, env);
      this.execBlock(body, env, model, ret);
      return ret.v ?? UNKNOWN;
    }
    // An arrow function's expression body is its value.
    return this.eval(body, env, model);
  }

  protected bindParams(def: Node, env: Env, args: Value[], model: ModelBuilder): void {
    const single = def.childForFieldName('parameter');
    if (single) {
      this.bindPattern(single, args[0] ?? UNKNOWN, env, model, true);
      return;
    }
    const params = def.childForFieldName('parameters');
    let i = 0;
    for (const p of params?.namedChildren ?? []) {
      if (!p || p.type === 'comment') continue;
      let pattern: Node | null = p;
      let dflt: Node | null = null;
      if (p.type === 'required_parameter' || p.type === 'optional_parameter') {
        pattern = p.childForFieldName('pattern');
        dflt = p.childForFieldName('value');
      } else if (p.type === 'assignment_pattern') {
        pattern = p.childForFieldName('left');
        dflt = p.childForFieldName('right');
      }
      let v = args[i++];
      if (v === undefined || (v.t === 'const' && v.v === null && dflt)) v = dflt ? this.eval(dflt, env, model) : UNKNOWN;
      if (pattern) this.bindPattern(pattern, v, env, model, true);
    }
  }

  /** Bind a declaration or assignment target: a name, `this.x`, or an object/array pattern. */
  protected bindPattern(pattern: Node, v: Value, env: Env, model: ModelBuilder, declare: boolean, hoisted = false): void {
    const bind = (name: string, value: Value) => (declare ? env.declare(name, value, hoisted) : env.assign(name, value));
    switch (pattern.type) {
      case 'identifier':
      case 'shorthand_property_identifier_pattern':
        bind(pattern.text, v);
        return;
      case 'member_expression': {
        const obj = pattern.childForFieldName('object');
        const prop = pattern.childForFieldName('property')?.text;
        const base = obj ? this.eval(obj, env, model) : UNKNOWN;
        if (base.t === 'self' && prop) base.obj.attrs.set(prop, v);
        return;
      }
      case 'object_pattern':
        for (const c of pattern.namedChildren) {
          if (!c) continue;
          if (c.type === 'shorthand_property_identifier_pattern') bind(c.text, this.member(v, c.text, model));
          else if (c.type === 'pair_pattern') {
            const key = c.childForFieldName('key');
            const value = c.childForFieldName('value');
            const k = key ? (key.type === 'string' ? stringValue(key) : key.text) : undefined;
            if (value) this.bindPattern(value, k !== undefined ? this.member(v, k, model) : UNKNOWN, env, model, declare, hoisted);
          } else if (c.type === 'object_assignment_pattern') {
            const left = c.childForFieldName('left');
            const right = c.childForFieldName('right');
            if (!left) continue;
            let item = this.member(v, left.text, model);
            if (item.t === 'unknown' && right) item = this.eval(right, env, model);
            this.bindPattern(left, item, env, model, declare, hoisted);
          } else if (c.type === 'rest_pattern') {
            const id = c.namedChildren.find((n) => n?.type === 'identifier');
            if (id) bind(id.text, UNKNOWN);
          }
        }
        return;
      case 'array_pattern': {
        let i = 0;
        for (const c of pattern.namedChildren) {
          if (!c || c.type === 'comment') continue;
          const item = this.element(v, i++);
          this.bindPattern(c, item, env, model, declare, hoisted);
        }
        return;
      }
      case 'assignment_pattern': {
        const left = pattern.childForFieldName('left');
        const right = pattern.childForFieldName('right');
        const item = v.t === 'unknown' && right ? this.eval(right, env, model) : v;
        if (left) this.bindPattern(left, item, env, model, declare, hoisted);
        return;
      }
      case 'rest_pattern': {
        const id = pattern.namedChildren.find((n) => n?.type === 'identifier');
        if (id) bind(id.text, UNKNOWN);
        return;
      }
      case 'parenthesized_expression': {
        const inner = pattern.namedChildren.find((c) => c && c.type !== 'comment');
        if (inner) this.bindPattern(inner, v, env, model, declare, hoisted);
        return;
      }
      default:
        return;
    }
  }

  /** `v.name`: a path member, an object literal's property, an attribute of `this`. */
  protected member(v: Value, name: string, model: ModelBuilder): Value {
    switch (v.t) {
      case 'path':
        return { t: 'path', path: `${v.path}.${name}` };
      case 'obj': {
        const p = objectLiteral(v.node).props.get(name);
        if (!p) return UNKNOWN;
        if (p.node.type === 'method_definition') return this.funcValue(p.node, v.env);
        return this.eval(p.value, v.env, model);
      }
      case 'self':
        return v.obj.attrs.get(name) ?? UNKNOWN;
      case 'list':
        return name === 'length' ? { t: 'const', v: v.items.length } : UNKNOWN;
      case 'const':
        if (name === 'length' && (Array.isArray(v.v) || typeof v.v === 'string')) return { t: 'const', v: v.v.length };
        return UNKNOWN;
      default:
        return UNKNOWN;
    }
  }

  protected element(v: Value, i: number): Value {
    if (v.t === 'list') return v.items[i] ?? UNKNOWN;
    if (v.t === 'const' && Array.isArray(v.v)) return i < v.v.length ? { t: 'const', v: v.v[i] } : UNKNOWN;
    return UNKNOWN;
  }

  // ---- statements ----

  protected execStatement(stmt: Node, env: Env, model: ModelBuilder, ret: Ret<Value>): void {
    switch (stmt.type) {
      case 'expression_statement':
        for (const e of stmt.namedChildren) if (e && e.type !== 'comment') this.eval(e, env, model);
        return;
      case 'lexical_declaration':
      case 'variable_declaration': {
        const hoisted = stmt.type === 'variable_declaration';
        for (const d of stmt.namedChildren) {
          if (d?.type !== 'variable_declarator') continue;
          const name = d.childForFieldName('name');
          const value = d.childForFieldName('value');
          const v = value ? this.eval(value, env, model) : UNKNOWN;
          if (name) this.bindPattern(name, v, env, model, true, hoisted);
        }
        return;
      }
      case 'return_statement': {
        const e = stmt.namedChildren.find((c) => c && c.type !== 'comment');
        const v = e ? this.eval(e, env, model) : UNKNOWN;
        if (ret && ret.v === undefined) ret.v = v;
        return;
      }
      case 'if_statement': {
        // A branch whose condition is known false is skipped; otherwise both run, in order.
        const cond = stmt.childForFieldName('condition');
        const truth = cond ? this.truth(cond, env) : undefined;
        const body = stmt.childForFieldName('consequence');
        if (body && truth !== false) this.exec(body, env, model, ret);
        const alt = stmt.childForFieldName('alternative');
        if (alt && truth !== true) for (const c of alt.namedChildren) if (c && c.type !== 'comment') this.exec(c, env, model, ret);
        return;
      }
      case 'for_statement':
        this.execFor(stmt, env, model, ret);
        return;
      case 'for_in_statement':
        this.execForIn(stmt, env, model, ret);
        return;
      case 'while_statement':
      case 'do_statement':
      case 'labeled_statement':
      case 'with_statement': {
        const body = stmt.childForFieldName('body');
        if (body) this.exec(body, env, model, ret);
        return;
      }
      case 'try_statement': {
        const body = stmt.childForFieldName('body');
        if (body) this.exec(body, env, model, ret);
        const fin = stmt.childForFieldName('finalizer')?.childForFieldName('body');
        if (fin) this.exec(fin, env, model, ret);
        return;
      }
      case 'statement_block': {
        const inner = new Env(env);
        this.hoist(stmt, inner);
        this.execBlock(stmt, inner, model, ret);
        return;
      }
      case 'switch_statement': {
        const body = stmt.childForFieldName('body');
        for (const c of body?.namedChildren ?? []) {
          if (!c) continue;
          const value = c.childForFieldName('value');
          for (const s of c.namedChildren) if (s && s.id !== value?.id && s.type !== 'comment') this.exec(s, env, model, ret);
        }
        return;
      }
      case 'export_statement': {
        const decl = stmt.childForFieldName('declaration');
        const value = stmt.childForFieldName('value');
        if (decl) this.exec(decl, env, model, ret);
        if (value) this.eval(value, env, model);
        return;
      }
      case 'function_declaration':
      case 'generator_function_declaration':
        // Hoisted already; bound here too when the block was not hoisted (an ERROR node).
        if (!env.has(stmt.childForFieldName('name')?.text ?? '')) {
          const name = stmt.childForFieldName('name')?.text;
          if (name) env.declare(name, this.funcValue(stmt, env));
        }
        return;
      case 'class_declaration':
      case 'abstract_class_declaration': {
        const name = stmt.childForFieldName('name')?.text;
        if (name) env.declare(name, UNKNOWN);
        for (const m of stmt.childForFieldName('body')?.namedChildren ?? []) {
          if (m?.type === 'method_definition') this.captured.set(m.id, env);
        }
        return;
      }
      case 'ERROR':
        // Lint what parses: statements the parser kept inside an error node still count.
        for (const c of stmt.namedChildren) {
          if (!c || c.type === 'comment') continue;
          if (isStatement(c.type)) this.exec(c, env, model, ret);
          else this.eval(c, env, model);
        }
        return;
      case 'import_statement':
      case 'empty_statement':
      case 'comment':
      case 'debugger_statement':
      case 'break_statement':
      case 'continue_statement':
      case 'type_alias_declaration':
      case 'interface_declaration':
      case 'enum_declaration':
      case 'ambient_declaration':
      case 'module':
      case 'internal_module':
        return;
      case 'throw_statement':
        for (const e of stmt.namedChildren) if (e && e.type !== 'comment') this.eval(e, env, model);
        return;
      default:
        if (!isStatement(stmt.type)) this.eval(stmt, env, model);
        return;
    }
  }

  /** `for (init; cond; incr)`: unrolled while the condition is known, up to MAX_UNROLL times; once when it is not. */
  protected execFor(stmt: Node, env: Env, model: ModelBuilder, ret: { v?: Value } | undefined): void {
    const loopEnv = new Env(env);
    const init = stmt.childForFieldName('initializer');
    if (init) {
      if (init.type === 'lexical_declaration' || init.type === 'variable_declaration') this.exec(init, loopEnv, model, ret);
      else if (init.type !== 'empty_statement') this.eval(init.type === 'expression_statement' ? (init.namedChildren[0] ?? init) : init, loopEnv, model);
    }
    let cond = stmt.childrenForFieldName('condition').find((c) => c && c.isNamed && c.type !== 'empty_statement') ?? undefined;
    if (cond?.type === 'expression_statement') cond = cond.namedChildren[0] ?? undefined;
    const incr = stmt.childForFieldName('increment');
    const body = stmt.childForFieldName('body');
    if (!body) return;
    for (let i = 0; i < MAX_UNROLL; i++) {
      const truth = cond ? this.truth(cond, loopEnv) : undefined;
      if (truth === false) break;
      const iterEnv = new Env(loopEnv);
      this.exec(body, iterEnv, model, ret);
      if (truth === undefined || !this.spend()) break;
      if (incr) this.eval(incr, loopEnv, model);
    }
  }

  protected execForIn(stmt: Node, env: Env, model: ModelBuilder, ret: { v?: Value } | undefined): void {
    const left = stmt.childForFieldName('left');
    const right = stmt.childForFieldName('right');
    const body = stmt.childForFieldName('body');
    if (!body) return;
    const of = stmt.childForFieldName('operator')?.text === 'of';
    const declared = !!stmt.childForFieldName('kind');
    const items = of && right ? this.iterateValue(this.eval(right, env, model)) : [UNKNOWN];
    for (const item of items) {
      const iterEnv = new Env(env);
      if (left) this.bindPattern(left, item, declared ? iterEnv : env, model, declared);
      this.exec(body, iterEnv, model, ret);
      if (!this.spend()) break;
    }
  }

  protected truth(node: Node, env: Env): boolean | undefined {
    const c = this.constOf(node, env);
    if (c === undefined) return undefined;
    if (Array.isArray(c)) return true;
    return !!c;
  }

  // ---- expressions ----

  protected evalExpression(wrapped: Node, env: Env, model: ModelBuilder): Value {
    const node = unwrap(wrapped);
    switch (node.type) {
      case 'identifier':
      case 'shorthand_property_identifier': {
        const v = env.get(node.text);
        if (v) return v;
        const global = this.globalValue(node.text);
        if (global) return global;
        if (node.text === 'undefined') return { t: 'const', v: null };
        if (node.text === 'require') return { t: 'path', path: '#require' };
        return UNKNOWN;
      }
      case 'this':
        return env.get('this') ?? UNKNOWN;
      case 'number':
      case 'string':
      case 'template_string':
      case 'true':
      case 'false':
      case 'null':
      case 'unary_expression': {
        const c = this.constOf(node, env);
        return c === undefined ? UNKNOWN : { t: 'const', v: c };
      }
      case 'binary_expression': {
        const op = node.childForFieldName('operator')?.text;
        const l = node.childForFieldName('left');
        const r = node.childForFieldName('right');
        if (op === '||' || op === '??') {
          const a = l ? this.eval(l, env, model) : UNKNOWN;
          if (a.t !== 'unknown' && !(a.t === 'const' && (a.v === null || (op === '||' && !a.v)))) return a;
          return r ? this.eval(r, env, model) : UNKNOWN;
        }
        if (op === '&&') {
          const a = l ? this.eval(l, env, model) : UNKNOWN;
          if (a.t === 'const' && !a.v) return a;
          return r ? this.eval(r, env, model) : UNKNOWN;
        }
        const c = this.constOf(node, env);
        if (c !== undefined) return { t: 'const', v: c };
        if (l) this.consume(this.eval(l, env, model));
        if (r) this.consume(this.eval(r, env, model));
        return UNKNOWN;
      }
      case 'array': {
        const items: Value[] = [];
        for (const c of node.namedChildren) {
          if (!c || c.type === 'comment') continue;
          if (c.type === 'spread_element') {
            const inner = c.namedChildren.find((n) => n && n.type !== 'comment');
            const v = inner ? this.eval(inner, env, model) : UNKNOWN;
            if (v.t === 'list' || (v.t === 'const' && Array.isArray(v.v))) items.push(...this.iterateValue(v));
            else items.push(UNKNOWN);
          } else items.push(this.eval(c, env, model));
          if (items.length > 10_000) break;
        }
        if (items.length > 0 && items.every((i) => i.t === 'const')) return { t: 'const', v: items.map((i) => (i as { v: Const }).v) };
        return { t: 'list', items };
      }
      case 'object':
        return { t: 'obj', node, env };
      case 'member_expression': {
        const obj = node.childForFieldName('object');
        const prop = node.childForFieldName('property')?.text;
        if (!obj || !prop) return UNKNOWN;
        const c = obj.type === 'identifier' && obj.text === 'Math' && !env.has('Math') ? this.constOf(node, env) : undefined;
        if (c !== undefined) return { t: 'const', v: c };
        return this.member(this.eval(obj, env, model), prop, model);
      }
      case 'subscript_expression': {
        const obj = node.childForFieldName('object');
        const index = node.childForFieldName('index');
        const base = obj ? this.eval(obj, env, model) : UNKNOWN;
        const i = index ? this.constOf(index, env) : undefined;
        if (typeof i === 'number' && Number.isInteger(i)) return this.element(base, i < 0 ? -1 : i);
        if (typeof i === 'string') return this.member(base, i, model);
        return UNKNOWN;
      }
      case 'call_expression':
      case 'new_expression':
        return this.evalCall(node, env, model);
      case 'assignment_expression': {
        const left = node.childForFieldName('left');
        const right = node.childForFieldName('right');
        if (!left || !right) return UNKNOWN;
        const v = this.eval(right, env, model);
        this.bindPattern(unwrap(left), v, env, model, false);
        return v;
      }
      case 'augmented_assignment_expression': {
        const left = node.childForFieldName('left');
        const right = node.childForFieldName('right');
        const op = node.childForFieldName('operator')?.text ?? '';
        if (!left || !right) return UNKNOWN;
        if (op === '||=' || op === '??=' || op === '&&=') {
          const cur = this.eval(left, env, model);
          const keep = op === '&&=' ? cur.t === 'const' && !cur.v : cur.t !== 'unknown' && !(cur.t === 'const' && (cur.v === null || (op === '||=' && !cur.v)));
          if (keep) return cur;
          const v = this.eval(right, env, model);
          this.bindPattern(unwrap(left), v, env, model, false);
          return v;
        }
        const a = this.constOf(left, env);
        const b = this.constOf(right, env);
        const c =
          typeof a === 'number' && typeof b === 'number'
            ? arith(op.slice(0, -1), a, b)
            : op === '+=' && (typeof a === 'string' || typeof a === 'number') && (typeof b === 'string' || typeof b === 'number')
              ? `${a}${b}`
              : undefined;
        if (c === undefined) this.eval(right, env, model);
        const v: Value = c === undefined ? UNKNOWN : { t: 'const', v: c };
        this.bindPattern(unwrap(left), v, env, model, false);
        return v;
      }
      case 'update_expression': {
        const arg = node.childForFieldName('argument');
        const op = node.childForFieldName('operator')?.text;
        const target = arg ? unwrap(arg) : undefined;
        if (!target) return UNKNOWN;
        const a = this.constOf(target, env);
        const v: Value = typeof a === 'number' ? { t: 'const', v: op === '--' ? a - 1 : a + 1 } : UNKNOWN;
        this.bindPattern(target, v, env, model, false);
        return v;
      }
      case 'arrow_function':
      case 'function_expression':
      case 'function':
      case 'generator_function':
        return this.funcValue(
          node,
          env,
          env.get('this')?.t === 'self' && node.type === 'arrow_function' ? (env.get('this') as { obj: SelfObject }).obj : undefined,
        );
      case 'ternary_expression': {
        const cond = node.childForFieldName('condition');
        const truth = cond ? this.truth(cond, env) : undefined;
        const pick = node.childForFieldName(truth === false ? 'alternative' : 'consequence');
        return pick ? this.eval(pick, env, model) : UNKNOWN;
      }
      case 'sequence_expression': {
        let last: Value = UNKNOWN;
        for (const c of node.namedChildren) if (c && c.type !== 'comment') last = this.eval(c, env, model);
        return last;
      }
      case 'spread_element': {
        const inner = node.namedChildren.find((c) => c && c.type !== 'comment');
        return inner ? this.eval(inner, env, model) : UNKNOWN;
      }
      default:
        // Still look inside for calls and functions (e.g. `export default {build: () => ...}`).
        for (const c of node.namedChildren) {
          if (c && (c.type === 'call_expression' || c.type === 'new_expression' || FUNCTION_TYPE_SET.has(c.type))) this.eval(c, env, model);
        }
        return UNKNOWN;
    }
  }

  /** Numbers, strings, booleans, null and arrays of them, with constants by name and simple arithmetic. */
  protected constOf(node: Node, env: Env): Const | undefined {
    return this.nested(undefined, () => this.constOfInner(unwrap(node), env));
  }

  protected constOfInner(node: Node, env: Env): Const | undefined {
    switch (node.type) {
      case 'number':
        return numberValue(node);
      case 'string':
      case 'template_string':
        return stringValue(node);
      case 'true':
        return true;
      case 'false':
        return false;
      case 'null':
        return null;
      case 'identifier':
      case 'shorthand_property_identifier': {
        const v = env.get(node.text);
        if (!v) return node.text === 'undefined' ? null : node.text === 'Infinity' ? Infinity : undefined;
        if (v.t === 'const') return v.v;
        if (v.t === 'list' && v.items.length <= 64 && v.items.every((i) => i.t === 'const')) return v.items.map((i) => (i as { v: Const }).v);
        return undefined;
      }
      case 'unary_expression': {
        const arg = node.childForFieldName('argument');
        const op = node.childForFieldName('operator')?.text;
        const v = arg ? this.constOf(arg, env) : undefined;
        if (op === '!') return v === undefined ? undefined : !(Array.isArray(v) || !!v);
        if (typeof v !== 'number') return undefined;
        return op === '-' ? -v : op === '+' ? v : undefined;
      }
      case 'binary_expression': {
        const l = node.childForFieldName('left');
        const r = node.childForFieldName('right');
        const op = node.childForFieldName('operator')?.text ?? '';
        const a = l ? this.constOf(l, env) : undefined;
        if (op === '||' || op === '??' || op === '&&') {
          if (a === undefined) return undefined;
          const truthy = Array.isArray(a) || !!a;
          if (op === '||' && truthy) return a;
          if (op === '??' && a !== null) return a;
          if (op === '&&' && !truthy) return a;
          return r ? this.constOf(r, env) : undefined;
        }
        const b = r ? this.constOf(r, env) : undefined;
        if (a === undefined || b === undefined || Array.isArray(a) || Array.isArray(b)) return undefined;
        switch (op) {
          case '===':
          case '==':
            return a === b;
          case '!==':
          case '!=':
            return a !== b;
          case '<':
            return typeof a === 'number' && typeof b === 'number' ? a < b : undefined;
          case '<=':
            return typeof a === 'number' && typeof b === 'number' ? a <= b : undefined;
          case '>':
            return typeof a === 'number' && typeof b === 'number' ? a > b : undefined;
          case '>=':
            return typeof a === 'number' && typeof b === 'number' ? a >= b : undefined;
          case '+':
            if (typeof a === 'string' || typeof b === 'string') return `${a}${b}`;
            return typeof a === 'number' && typeof b === 'number' ? a + b : undefined;
          default:
            return typeof a === 'number' && typeof b === 'number' ? arith(op, a, b) : undefined;
        }
      }
      case 'array': {
        const out: Const[] = [];
        for (const c of node.namedChildren) {
          if (!c || c.type === 'comment') continue;
          const v = this.constOf(c, env);
          if (v === undefined || out.length > 10_000) return undefined;
          out.push(v);
        }
        return out;
      }
      case 'ternary_expression': {
        const cond = node.childForFieldName('condition');
        const truth = cond ? this.truth(cond, env) : undefined;
        if (truth === undefined) return undefined;
        const pick = node.childForFieldName(truth ? 'consequence' : 'alternative');
        return pick ? this.constOf(pick, env) : undefined;
      }
      case 'member_expression': {
        const obj = node.childForFieldName('object');
        const prop = node.childForFieldName('property')?.text;
        if (!obj || !prop) return undefined;
        if (obj.type === 'identifier' && obj.text === 'Math' && !env.has('Math')) {
          const m = (Math as unknown as Record<string, unknown>)[prop];
          return typeof m === 'number' ? m : undefined;
        }
        const base = this.eval(obj, env, this.scratch());
        if (base.t === 'obj') {
          const p = objectLiteral(base.node).props.get(prop);
          return p && p.node.type !== 'method_definition' ? this.constOf(p.value, base.env) : undefined;
        }
        if (prop === 'length') {
          if (base.t === 'const' && (Array.isArray(base.v) || typeof base.v === 'string')) return base.v.length;
          if (base.t === 'list') return base.items.length;
        }
        return base.t === 'const' ? undefined : undefined;
      }
      case 'subscript_expression': {
        const obj = node.childForFieldName('object');
        const index = node.childForFieldName('index');
        const a = obj ? this.constOf(obj, env) : undefined;
        const i = index ? this.constOf(index, env) : undefined;
        if (Array.isArray(a) && typeof i === 'number') return a[i];
        return undefined;
      }
      case 'call_expression': {
        // Math.sqrt(2), Number('3'), parseInt(x) appear in sizes and initializer arguments.
        const fnNode = node.childForFieldName('function');
        const fn = fnNode ? unwrap(fnNode).text : '';
        const args = callArgs(node).items.map((a) => this.constOf(a, env));
        if (args.some((a) => typeof a !== 'number' && typeof a !== 'string')) return undefined;
        const nums = args.map((a) => Number(a));
        if (nums.some((n) => Number.isNaN(n))) return undefined;
        const m = /^Math\.(\w+)$/.exec(fn);
        if (m && !env.has('Math')) {
          const f = (Math as unknown as Record<string, unknown>)[m[1]];
          if (typeof f !== 'function') return undefined;
          const r = (f as (...xs: number[]) => unknown)(...nums);
          return typeof r === 'number' && Number.isFinite(r) ? r : undefined;
        }
        if ((fn === 'Number' || fn === 'parseFloat') && nums.length >= 1) return nums[0];
        if (fn === 'parseInt' && nums.length >= 1) return Math.trunc(nums[0]);
        return undefined;
      }
      default:
        return undefined;
    }
  }

  // ---- calls ----

  protected evalArgs(args: JsArgs, env: Env, model: ModelBuilder): Value[] {
    return args.items.map((a) => this.eval(a, env, model));
  }

  protected evalCall(node: Node, env: Env, model: ModelBuilder): Value {
    const fnField = node.childForFieldName(node.type === 'new_expression' ? 'constructor' : 'function');
    if (!fnField) return UNKNOWN;
    const fnNode = unwrap(fnField);
    const args = callArgs(node);
    if (fnNode.type === 'import') {
      // `await import('@tensorflow/tfjs')`.
      const s = args.items[0] ? this.constOf(args.items[0], env) : undefined;
      return typeof s === 'string' ? this.moduleValue(s) : UNKNOWN;
    }
    const builtin = this.arrayBuiltin(fnNode, args, env, model);
    if (builtin) return builtin;
    let callee: Value;
    if (fnNode.type === 'member_expression') {
      const objNode = fnNode.childForFieldName('object');
      const method = fnNode.childForFieldName('property')?.text ?? '';
      // The receiver is evaluated once: it may itself build layers.
      const obj = objNode ? this.eval(objNode, env, model) : UNKNOWN;
      const handled = this.callMethod(obj, objNode, method, args, env, model);
      if (handled) return handled;
      callee = this.member(obj, method, model);
    } else {
      callee = this.eval(fnNode, env, model);
    }
    switch (callee.t) {
      case 'path': {
        if (callee.path === '#require') {
          const s = args.items[0] ? this.constOf(args.items[0], env) : undefined;
          return typeof s === 'string' ? this.moduleValue(s) : UNKNOWN;
        }
        const v = this.callPath(callee.path, node, args, env, model);
        if (v) return v;
        break;
      }
      case 'func':
        return this.invoke(callee, this.evalArgs(args, env, model), model);
      default:
        break;
    }
    // Unknown callee: its tensor arguments are consumed by an operation we cannot see.
    this.evalArgs(args, env, model).forEach((v) => this.consume(v));
    return UNKNOWN;
  }

  /** `Array(n)`, `new Array(n)` and `Array.from({length: n}, fn)`: the idioms that repeat a block n times. */
  protected arrayBuiltin(fnNode: Node, args: JsArgs, env: Env, model: ModelBuilder): Value | undefined {
    if (env.has('Array')) return undefined;
    if (fnNode.type === 'identifier' && fnNode.text === 'Array') {
      const n = args.items.length === 1 ? this.constOf(args.items[0], env) : undefined;
      return typeof n === 'number' && Number.isInteger(n) && n >= 0 ? { t: 'list', items: Array(Math.min(n, MAX_UNROLL)).fill(UNKNOWN) } : undefined;
    }
    if (fnNode.type === 'member_expression' && fnNode.text === 'Array.from') {
      const src = args.items[0] ? this.eval(args.items[0], env, model) : UNKNOWN;
      let items: Value[];
      if (src.t === 'obj') {
        const n = this.member(src, 'length', model);
        if (n.t !== 'const' || typeof n.v !== 'number' || !Number.isInteger(n.v) || n.v < 0) return undefined;
        items = Array(Math.min(n.v, MAX_UNROLL)).fill({ t: 'const', v: null });
      } else if (src.t === 'list' || (src.t === 'const' && Array.isArray(src.v))) items = this.iterateValue(src);
      else return undefined;
      const fn = args.items[1] ? this.eval(args.items[1], env, model) : undefined;
      if (fn?.t === 'func') items = items.map((item, i) => this.invoke(fn, [item, { t: 'const', v: i }], model));
      return { t: 'list', items };
    }
    return undefined;
  }

  /** A method of a tracked value: the framework's first, then `list.push`, `xs.forEach(fn)`, a method of `this`. Undefined: not handled. */
  protected callMethod(obj: Value, objNode: Node | null, method: string, args: JsArgs, env: Env, model: ModelBuilder): Value | undefined {
    const framework = this.frameworkMethod(obj, objNode, method, args, env, model);
    if (framework) return framework;
    const first = () => (args.items[0] ? this.eval(args.items[0], env, model) : UNKNOWN);
    if (obj.t === 'self' && obj.obj.cls && !obj.obj.attrs.has(method)) {
      const def = methodOf(obj.obj.cls, method);
      if (def) return this.invoke({ t: 'func', node: def, env: this.captured.get(def.id) ?? this.module }, this.evalArgs(args, env, model), model, obj.obj);
    }
    const isArray = obj.t === 'list' || (obj.t === 'const' && Array.isArray(obj.v));
    if (isArray) {
      if (method === 'push' || method === 'unshift') {
        const vs = this.evalArgs(args, env, model);
        if (obj.t === 'list') {
          if (method === 'push') obj.items.push(...vs);
          else obj.items.unshift(...vs);
        }
        return UNKNOWN;
      }
      if (method === 'forEach' || method === 'map') {
        const fn = first();
        const items = this.iterateValue(obj);
        if (fn.t !== 'func') return method === 'map' ? { t: 'list', items: items.map(() => UNKNOWN) } : UNKNOWN;
        const out = items.map((item, i) => this.invoke(fn, [item, { t: 'const', v: i }], model));
        return method === 'map' ? { t: 'list', items: out } : UNKNOWN;
      }
      if (method === 'fill') {
        const v = first();
        return { t: 'list', items: this.iterateValue(obj).map(() => v) };
      }
      if (method === 'keys') return { t: 'const', v: this.iterateValue(obj).map((_, i) => i) };
      if (method === 'concat') {
        const rest = this.evalArgs(args, env, model).flatMap((v) => (v.t === 'list' || (v.t === 'const' && Array.isArray(v.v)) ? this.iterateValue(v) : [v]));
        return { t: 'list', items: [...this.iterateValue(obj), ...rest].slice(0, 10_000) };
      }
      if (method === 'slice') return { t: 'list', items: this.iterateValue(obj) };
    }
    return undefined;
  }
}

// ---- helpers ----

export function spanOf(node: Node): Span {
  return { start: node.startIndex, end: node.endIndex };
}

function arith(op: string, a: number, b: number): number | undefined {
  switch (op) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      return b === 0 ? undefined : a / b;
    case '%':
      return b === 0 ? undefined : a % b;
    case '**':
      return a ** b;
    default:
      return undefined;
  }
}

const STATEMENT_TYPES = new Set([
  'expression_statement',
  'lexical_declaration',
  'variable_declaration',
  'return_statement',
  'if_statement',
  'for_statement',
  'for_in_statement',
  'while_statement',
  'do_statement',
  'try_statement',
  'statement_block',
  'switch_statement',
  'export_statement',
  'function_declaration',
  'generator_function_declaration',
  'class_declaration',
  'abstract_class_declaration',
  'import_statement',
  'empty_statement',
  'labeled_statement',
  'throw_statement',
  'break_statement',
  'continue_statement',
  'debugger_statement',
  'with_statement',
  'type_alias_declaration',
  'interface_declaration',
  'enum_declaration',
  'ambient_declaration',
  'ERROR',
]);

function isStatement(type: string): boolean {
  return STATEMENT_TYPES.has(type);
}

/** `const model = tf.sequential()` -> `model`; `this.net = tf.sequential()` -> `net`. */
export function assignedName(call: Node): string | undefined {
  let node: Node = call;
  let parent = node.parent;
  // Through `await`, casts and parentheses.
  while (
    parent &&
    (parent.type === 'await_expression' ||
      parent.type === 'as_expression' ||
      parent.type === 'satisfies_expression' ||
      parent.type === 'non_null_expression' ||
      parent.type === 'parenthesized_expression' ||
      parent.type === 'type_assertion')
  ) {
    node = parent;
    parent = node.parent;
  }
  if (!parent) return undefined;
  if (parent.type === 'variable_declarator' && parent.childForFieldName('value')?.id === node.id) {
    const name = parent.childForFieldName('name');
    return name?.type === 'identifier' ? name.text : undefined;
  }
  if (parent.type === 'assignment_expression' && parent.childForFieldName('right')?.id === node.id) {
    const left = parent.childForFieldName('left');
    if (left?.type === 'identifier') return left.text;
    if (left?.type === 'member_expression') return left.childForFieldName('property')?.text;
  }
  return undefined;
}

/** The name a function is known by: its own, or the variable, property or method it is bound to. */
export function functionName(def: Node): string | undefined {
  const own = def.childForFieldName('name');
  if (own && def.type !== 'function_expression') return own.text;
  const parent = def.parent;
  if (parent?.type === 'variable_declarator') {
    const name = parent.childForFieldName('name');
    if (name?.type === 'identifier') return name.text;
  }
  if (parent?.type === 'pair') return parent.childForFieldName('key')?.text;
  if (parent?.type === 'assignment_expression') {
    const left = parent.childForFieldName('left');
    if (left?.type === 'identifier') return left.text;
    if (left?.type === 'member_expression') return left.childForFieldName('property')?.text;
  }
  if (parent?.type === 'public_field_definition' || parent?.type === 'field_definition') {
    return (parent.childForFieldName('name') ?? parent.childForFieldName('property'))?.text;
  }
  return own?.text;
}

export function enclosingClass(method: Node): Node | undefined {
  const body = method.parent;
  const cls = body?.type === 'class_body' ? body.parent : undefined;
  return cls && (cls.type === 'class_declaration' || cls.type === 'class' || cls.type === 'abstract_class_declaration') ? cls : undefined;
}

export function methodOf(cls: Node, name: string): Node | undefined {
  for (const m of cls.childForFieldName('body')?.namedChildren ?? []) {
    if (m?.type === 'method_definition' && m.childForFieldName('name')?.text === name) return m;
  }
  return undefined;
}
