/**
 * Quick fixes for Keras code: rewrite the kernel initializer in the user's own style.
 * A string stays a string (same quotes, same CamelCase or snake_case spelling); an initializer
 * object stays an object under the same module prefix (keeping its `seed=`); a bare imported
 * class name becomes a string name, which needs no new import; a layer on the framework default
 * gets a `kernel_initializer=` keyword, placed as the argument list is laid out.
 */
import type { SyntaxNode as Node } from '../../syntaxTree';
import type { Fix, InitTarget, Recommendation, ScaledOrthogonal } from '../../ir';
import { callArgs } from './syntax';
import { appendEntry } from '../appendEntry';

const CLASS_NAME: Record<Recommendation, string> = {
  he_normal: 'HeNormal',
  he_uniform: 'HeUniform',
  glorot_uniform: 'GlorotUniform',
  lecun_normal: 'LecunNormal',
};

export interface PythonStyle {
  text: string;
  /** The quote most string literals of the file use. */
  quote: "'" | '"';
  /** Local name -> qualified name, to know which initializer classes are imported bare. */
  aliases: Map<string, string>;
}

export function quoteStyle(text: string): "'" | '"' {
  // String openings: a quote after `=`, `(`, `[`, `,`, `:` or a blank. Docstrings count too,
  // which is right: they are part of the file's style. Read from the text, not the tree: cheap.
  let single = 0;
  let double = 0;
  for (const m of text.slice(0, 200_000).matchAll(/[=([,:\s][rRbBuUfF]?(['"])/g)) {
    if (m[1] === "'") single++;
    else double++;
  }
  return double > single ? '"' : "'";
}

function titleFor(to: InitTarget): string {
  return typeof to === 'string' ? `Use ${CLASS_NAME[to]}` : `Use Orthogonal(gain=${to.gain})`;
}

/** The file's own name for one of these qualified names (`import ... as k`), if it has one. */
function localName(style: PythonStyle, ...qualified: string[]): string | undefined {
  return [...style.aliases].find(([, q]) => qualified.includes(q))?.[0];
}

/**
 * `Orthogonal(gain=g)` through a name the file already has for it: the class imported bare,
 * the initializers module, Keras, or TensorFlow (`tf.keras.initializers.Orthogonal`, which
 * TF1 and TF2 both have). Undefined where the file has none (a string name cannot carry a gain).
 */
function orthogonalObject(style: PythonStyle, to: ScaledOrthogonal, seed?: string): string | undefined {
  const args = `gain=${to.gain}${seed ? `, seed=${seed}` : ''}`;
  const bare = localName(style, 'keras.initializers.Orthogonal', 'keras.initializers.orthogonal', 'keras.initializers.OrthogonalInitializer');
  if (bare) return `${bare}(${args})`;
  const prefix = initializersPrefix(style);
  return prefix ? `${prefix}.Orthogonal(${args})` : undefined;
}

/** The file's own way to Keras's initializers module: imported itself, through Keras, or through TensorFlow. */
function initializersPrefix(style: PythonStyle): string | undefined {
  return (
    localName(style, 'keras.initializers') ??
    ((k) => k && `${k}.initializers`)(localName(style, 'keras')) ??
    ((tf) => tf && `${tf}.keras.initializers`)(localName(style, 'tensorflow', 'tensorflow.compat.v1'))
  );
}

function stringLiteral(style: PythonStyle, value: string, like?: Node): string {
  if (like && like.type === 'string') {
    const start = like.childForFieldName('start') ?? like.child(0);
    const q = start?.text.replace(/^[rRbBuU]+/, '') ?? style.quote;
    if (q === "'" || q === '"') return `${q}${value}${q}`;
  }
  return `${style.quote}${value}${style.quote}`;
}

function spelled(to: Recommendation, like: string): string {
  return /^[A-Z]/.test(like) ? CLASS_NAME[to] : to;
}

/**
 * Replace an explicit initializer expression. `written` is the node written for this layer:
 * a string, a call, or a variable name.
 */
export function rewriteExplicit(style: PythonStyle, written: Node, to: InitTarget): Fix | undefined {
  let newText: string | undefined;
  const seed = written.type === 'call' ? callArgs(written).keywords.get('seed')?.text : undefined;
  if (typeof to !== 'string') {
    // Through the file's own import of Keras, not the prefix written here: that may be the
    // user's module (`myinits.scaled(0.1)`) or TF1's `tf.initializers`, which has no `Orthogonal`.
    newText = orthogonalObject(style, to, seed);
  } else if (written.type === 'string') {
    const old = written.text.replace(/^[rRbBuU]*['"]+|['"]+$/g, '');
    newText = stringLiteral(style, spelled(to, old), written);
  } else if (written.type === 'call') {
    const fn = written.childForFieldName('function');
    const seedText = seed ? `seed=${seed}` : '';
    if (fn?.type === 'attribute') {
      const obj = fn.childForFieldName('object');
      const attr = fn.childForFieldName('attribute');
      if (!obj || !attr) return undefined;
      newText = `${obj.text}.${spelled(to, attr.text)}(${seedText})`;
    } else if (fn?.type === 'identifier') {
      const wanted = `keras.initializers.${spelled(to, fn.text)}`;
      const local = localName(style, wanted);
      // With a seed, an object through the file's initializers module, Keras or TensorFlow (a
      // string name cannot carry it); the string name where the file has none of them.
      const prefix = seed ? initializersPrefix(style) : undefined;
      newText = local ? `${local}(${seedText})` : prefix ? `${prefix}.${CLASS_NAME[to]}(${seedText})` : stringLiteral(style, to);
    } else return undefined;
  } else if (written.type === 'identifier' || written.type === 'attribute' || written.type === 'none') {
    newText = stringLiteral(style, to);
  } else return undefined;
  if (newText === undefined || newText === written.text) return undefined;
  return { title: titleFor(to), edits: [{ start: written.startIndex, end: written.endIndex, newText }] };
}

/**
 * Replace a TensorFlow core initializer written for this layer (`tf.random_normal_initializer(
 * stddev=0.01)`, `tf.contrib.layers.xavier_initializer()`): TF's core has no spelling of every
 * recommendation, so the fix writes the Keras initializer under the file's TensorFlow alias,
 * `tf.keras.initializers.he_normal()`, which TF1 (`tf.layers`, `tf.get_variable`) and TF2
 * accept alike. Undefined where TensorFlow is not imported under a name of its own.
 */
export function rewriteTfCore(style: PythonStyle, written: Node, to: InitTarget): Fix | undefined {
  if (written.type !== 'call' && written.type !== 'attribute') return undefined;
  const seed = written.type === 'call' ? callArgs(written).keywords.get('seed') : undefined;
  const newText = tfKerasInitializer(style, to, seed?.text);
  return newText ? { title: titleFor(to), edits: [{ start: written.startIndex, end: written.endIndex, newText }] } : undefined;
}

/** `tf.keras.initializers.he_normal()` under the file's own TensorFlow alias; undefined without one. */
export function tfKerasInitializer(style: PythonStyle, to: InitTarget, seed?: string): string | undefined {
  if (typeof to !== 'string') return orthogonalObject(style, to, seed);
  const tf = localName(style, 'tensorflow', 'tensorflow.compat.v1');
  return tf ? `${tf}.keras.initializers.${to}(${seed ? `seed=${seed}` : ''})` : undefined;
}

/** Insert `kernel_initializer=...` (Keras 1: `init=...`) into a layer constructor that has none. */
export function insertKeyword(style: PythonStyle, call: Node, to: InitTarget, keyword = 'kernel_initializer'): Fix | undefined {
  const value = typeof to === 'string' ? stringLiteral(style, to) : orthogonalObject(style, to);
  return value === undefined ? undefined : insertArgument(style, call, `${keyword}=${value}`, titleFor(to));
}

/** Insert a keyword argument (`name=value`, already written) as the call's last argument. */
export function insertArgument(style: Pick<PythonStyle, 'text'>, call: Node, value: string, title: string): Fix | undefined {
  const args = callArgs(call);
  const list = args.list;
  if (!list || list.type !== 'argument_list' || args.splat) return undefined;
  const named = list.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
  const close = list.lastChild;
  if (!close || close.type !== ')') return undefined;
  const text = style.text;
  if (named.length === 0) {
    return { title, edits: [{ start: close.startIndex, end: close.startIndex, newText: value }] };
  }
  const last = named[named.length - 1];
  // What stands between the last argument and `)`: a trailing comma, comments.
  const after = list.children.slice(list.children.indexOf(last) + 1, -1);
  return { title, edits: appendEntry(text, list, last, after, value) };
}
