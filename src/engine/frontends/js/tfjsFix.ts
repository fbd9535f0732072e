/**
 * Quick fixes for TF.js code: rewrite the kernel initializer in the user's own style. A string
 * stays a string (its own quotes, its own camelCase or ClassName spelling); an initializer object
 * stays an object under the same prefix (keeping its `seed`); a layer on the framework default
 * gets a `kernelInitializer` property, placed as its config object is laid out.
 */
import type { SyntaxNode as Node } from '../../syntaxTree';
import type { Fix, InitTarget, Recommendation, ScaledOrthogonal, TextEdit } from '../../ir';
import { objectLiteral, quoteOf, unwrap } from './tfjsSyntax';
import { appendEntry } from '../appendEntry';

/** TF.js identifiers of the three initializers a fix writes (tfjs-layers/src/initializers.ts). */
export const TFJS_NAME: Record<Recommendation, string> = {
  he_normal: 'heNormal',
  he_uniform: 'heUniform',
  glorot_uniform: 'glorotUniform',
  lecun_normal: 'leCunNormal',
};
const CLASS_NAME: Record<Recommendation, string> = {
  he_normal: 'HeNormal',
  he_uniform: 'HeUniform',
  glorot_uniform: 'GlorotUniform',
  lecun_normal: 'LeCunNormal',
};

export interface JsStyle {
  text: string;
  /** The quote most string literals of the file use (read lazily: only a fix needs it). */
  quote(): "'" | '"';
  /** Local name -> TF.js path (`tf`, `tf.initializers`, `tf.heNormal`), from the imports. */
  locals: Map<string, string>;
}

/** Count the openings of plain string literals: the file's quote style. Ties go to single quotes. */
export function quoteStyle(root: Node): "'" | '"' {
  let single = 0;
  let double = 0;
  for (const s of root.descendantsOfType('string')) {
    const q = s ? quoteOf(s) : undefined;
    if (q === "'") single++;
    else if (q === '"') double++;
  }
  return double > single ? '"' : "'";
}

function title(to: InitTarget): string {
  return typeof to === 'string' ? `Use ${TFJS_NAME[to]}` : `Use orthogonal({gain: ${to.gain}})`;
}

/**
 * `tf.initializers.orthogonal({gain: g})` through the file's own name for it (the factory
 * imported bare, `tf.initializers`, `tf`), keeping a seed; undefined where it has none.
 */
function orthogonalCall(style: JsStyle, to: ScaledOrthogonal, seed?: string): string | undefined {
  const arg = `{gain: ${to.gain}${seed ? `, ${seed}` : ''}}`;
  const own = localFor(style, 'tf.orthogonal') ?? localFor(style, 'tf.initializers.orthogonal');
  const ns = localFor(style, 'tf.initializers');
  const tf = localFor(style, 'tf');
  return own ? `${own}(${arg})` : ns ? `${ns}.orthogonal(${arg})` : tf ? `${tf}.initializers.orthogonal(${arg})` : undefined;
}

function spelled(to: Recommendation, like: string): string {
  return /^[A-Z]/.test(like) ? CLASS_NAME[to] : TFJS_NAME[to];
}

function literal(style: JsStyle, value: string, like?: Node): string {
  const q = (like && quoteOf(like)) ?? style.quote();
  return `${q}${value}${q}`;
}

function localFor(style: JsStyle, path: string): string | undefined {
  for (const [local, p] of style.locals) if (p === path) return local;
  return undefined;
}

/** The `seed: 3` property of an initializer call's config, as written; undefined without one. */
function seedProperty(call: Node): string | undefined {
  const list = call.childForFieldName('arguments');
  const first = list?.namedChildren.find((c) => c && c.type !== 'comment');
  const obj = first ? unwrap(first) : undefined;
  if (obj?.type !== 'object') return undefined;
  return objectLiteral(obj).props.get('seed')?.node.text;
}

/** `{seed: 3}` kept from an initializer's config; `{}` without one (the factories require an argument). */
function seedArgument(call: Node): string {
  const seed = seedProperty(call);
  return seed ? `{${seed}}` : '{}';
}

/**
 * Replace an explicit initializer: `written` is the property value written for this layer (a
 * string, an initializer call, a variable, `null`), or a shorthand `kernelInitializer` property.
 */
export function rewriteExplicit(style: JsStyle, written: Node, to: InitTarget): Fix | undefined {
  if (typeof to !== 'string') return rewriteOrthogonal(style, written, to);
  let newText: string;
  const name = TFJS_NAME[to];
  if (written.type === 'shorthand_property_identifier') {
    newText = `${written.text}: ${literal(style, name)}`;
  } else if (written.type === 'string' || written.type === 'template_string') {
    const old = written.text.slice(1, -1);
    newText = literal(style, spelled(to, old), written);
  } else if (written.type === 'call_expression') {
    const fnNode = written.childForFieldName('function');
    const fn = fnNode ? unwrap(fnNode) : undefined;
    const arg = seedArgument(written);
    if (fn?.type === 'member_expression' && !fn.text.includes('?.')) {
      const obj = fn.childForFieldName('object');
      const prop = fn.childForFieldName('property');
      if (!obj || !prop) return undefined;
      newText = `${obj.text}.${spelled(to, prop.text)}(${arg})`;
    } else if (fn?.type === 'identifier') {
      // A bare imported factory: the recommended one under its own import, else through the namespace.
      const own = localFor(style, `tf.${name}`) ?? localFor(style, `tf.initializers.${name}`);
      const ns = localFor(style, 'tf.initializers');
      const tf = localFor(style, 'tf');
      newText = own ? `${own}(${arg})` : ns ? `${ns}.${name}(${arg})` : tf ? `${tf}.initializers.${name}(${arg})` : literal(style, name);
    } else {
      newText = literal(style, name);
    }
  } else {
    // A variable bound to an initializer, `null`/`undefined`, a `{className}` object, `new ...`.
    newText = literal(style, name);
  }
  if (newText === written.text) return undefined;
  return { title: title(to), edits: [{ start: written.startIndex, end: written.endIndex, newText }] };
}

/**
 * An explicit initializer replaced by `orthogonal({gain})` through the file's own names for TF.js
 * (not the prefix written there, which may be the user's module), keeping a seed.
 */
function rewriteOrthogonal(style: JsStyle, written: Node, to: ScaledOrthogonal): Fix | undefined {
  const call = orthogonalCall(style, to, written.type === 'call_expression' ? seedProperty(written) : undefined);
  if (call === undefined) return undefined;
  const newText = written.type === 'shorthand_property_identifier' ? `${written.text}: ${call}` : call;
  return newText === written.text ? undefined : { title: title(to), edits: [{ start: written.startIndex, end: written.endIndex, newText }] };
}

/**
 * Insert `kernelInitializer: 'heNormal'` into a config object literal that has none: at the end
 * of a one-line object; on a new line with the properties' indentation in an object laid out one
 * property per line, keeping (or not) its trailing comma and any comment that ends the last line.
 */
export function insertProperty(style: JsStyle, obj: Node, to: InitTarget, key = 'kernelInitializer'): Fix | undefined {
  if (obj.type !== 'object' || obj.hasError) return undefined;
  const kids = obj.children;
  const open = kids[0];
  const close = kids[kids.length - 1];
  if (!open || open.type !== '{' || !close || close.type !== '}' || close.isMissing) return undefined;
  const text = style.text;
  const value = typeof to === 'string' ? literal(style, TFJS_NAME[to]) : orthogonalCall(style, to);
  if (value === undefined) return undefined;
  const prop = `${key}: ${value}`;
  const props = kids.filter((c) => c.isNamed && c.type !== 'comment');
  if (props.some((p) => p.type === 'spread_element')) return undefined;
  const fix = (edits: TextEdit[]): Fix => ({ title: title(to), edits });
  if (props.length === 0) return fix([{ start: open.endIndex, end: open.endIndex, newText: prop }]);
  const last = props[props.length - 1];
  const after = kids.slice(kids.indexOf(last) + 1, -1);
  return fix(appendEntry(text, obj, last, after, prop));
}
