/**
 * Small readers over tree-sitter-javascript / -typescript / -tsx nodes for the TF.js front end:
 * TypeScript wrappers peeled off, argument lists and object literals read, string values.
 * Nothing here recurses over the tree: nesting depth is the user's.
 */
import type { SyntaxNode as Node } from '../../syntaxTree';

/** Expressions that only wrap another: parentheses, TypeScript casts, `await`. */
const WRAPPERS = new Set(['parenthesized_expression', 'as_expression', 'satisfies_expression', 'non_null_expression', 'type_assertion', 'await_expression']);

/** The expression under parentheses, `as T`, `satisfies T`, `x!`, `<T>x` and `await`. */
export function unwrap(node: Node): Node {
  let n = node;
  for (;;) {
    if (n.type === 'member_expression') {
      // tree-sitter-typescript reads `f(x as tf.layers.Layer)` as `(x as tf).layers.Layer`: a member
      // chain on a bare (unparenthesized) cast is only ever that misparse of a qualified type.
      let o = n.childForFieldName('object');
      while (o?.type === 'member_expression') o = o.childForFieldName('object');
      if (o && (o.type === 'as_expression' || o.type === 'satisfies_expression')) {
        n = o;
        continue;
      }
      return n;
    }
    if (!WRAPPERS.has(n.type)) return n;
    let inner: Node | null | undefined;
    if (n.type === 'type_assertion') inner = n.namedChildren.find((c) => c && c.type !== 'type_arguments');
    else inner = n.namedChildren.find((c) => c && c.type !== 'comment');
    // `(a, b)`: a sequence; its last expression is the value.
    if (inner?.type === 'sequence_expression') inner = inner.namedChildren.filter((c) => c && c.type !== 'comment').at(-1);
    if (!inner) return n;
    n = inner;
  }
}

export interface JsArgs {
  items: Node[];
  /** `...args` present: the argument list cannot be read in full. */
  spread: boolean;
}

/** Arguments of a call or `new` expression, comments left out. */
export function callArgs(call: Node): JsArgs {
  const list = call.childForFieldName('arguments');
  const out: JsArgs = { items: [], spread: false };
  if (!list || list.type !== 'arguments') return out;
  for (const c of list.namedChildren) {
    if (!c || c.type === 'comment') continue;
    if (c.type === 'spread_element') out.spread = true;
    out.items.push(c);
  }
  return out;
}

export interface Prop {
  /** The whole property (`pair`, or a shorthand identifier). */
  node: Node;
  /** The value: the pair's value, or the shorthand identifier itself. */
  value: Node;
}

export interface ObjectLiteral {
  node: Node;
  props: Map<string, Prop>;
  /** `...spread` or a computed key: other keys may be present. */
  open: boolean;
}

/** The properties of an object literal, by key (later keys win, as in JavaScript). */
export function objectLiteral(node: Node): ObjectLiteral {
  const out: ObjectLiteral = { node, props: new Map(), open: false };
  for (const c of node.namedChildren) {
    if (!c || c.type === 'comment') continue;
    if (c.type === 'pair') {
      const key = c.childForFieldName('key');
      const value = c.childForFieldName('value');
      const name = key ? propertyKey(key) : undefined;
      if (name === undefined) out.open = true;
      else if (value) out.props.set(name, { node: c, value });
    } else if (c.type === 'shorthand_property_identifier') {
      out.props.set(c.text, { node: c, value: c });
    } else if (c.type === 'method_definition') {
      const key = c.childForFieldName('name');
      const name = key ? propertyKey(key) : undefined;
      if (name !== undefined) out.props.set(name, { node: c, value: c });
    } else {
      // spread_element, ERROR...
      out.open = true;
    }
  }
  return out;
}

function propertyKey(key: Node): string | undefined {
  switch (key.type) {
    case 'property_identifier':
    case 'identifier':
    case 'private_property_identifier':
      return key.text;
    case 'string':
      return stringValue(key);
    case 'number':
      return String(numberValue(key));
    default:
      return undefined;
  }
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', v: '\v', 0: '\0' };

/** Value of a string literal or a template string without substitutions. */
export function stringValue(node: Node): string | undefined {
  if (node.type !== 'string' && node.type !== 'template_string') return undefined;
  let out = '';
  for (const c of node.namedChildren) {
    if (!c) continue;
    if (c.type === 'string_fragment') out += c.text;
    else if (c.type === 'escape_sequence') {
      const ch = c.text.slice(1);
      out += ESCAPES[ch] ?? (ch.length === 1 ? ch : c.text);
    } else if (c.type === 'template_substitution') return undefined;
  }
  return out;
}

export function numberValue(node: Node): number | undefined {
  if (node.type !== 'number') return undefined;
  const t = node.text.replace(/_/g, '');
  if (/n$/.test(t)) return undefined; // BigInt
  const n = /^0[0-7]+$/.test(t) ? parseInt(t, 8) : Number(t);
  return Number.isFinite(n) ? n : undefined;
}

/** The quote a string literal opens with, when it is a plain string. */
export function quoteOf(node: Node): "'" | '"' | undefined {
  if (node.type !== 'string') return undefined;
  const q = node.text[0];
  return q === "'" || q === '"' ? q : undefined;
}
