/** Small readers over tree-sitter-python nodes, shared by the Python front ends. */
import type { SyntaxNode as Node, SyntaxTree as Tree } from '../../syntaxTree';
import type { Span } from '../../ir';

export interface CallArgs {
  positional: Node[];
  keywords: Map<string, Node>;
  /** `*args` or `**kwargs` present: the argument list cannot be read in full. */
  splat: boolean;
  list?: Node;
}

/**
 * Each front end reads the same calls several times, and a statement the edit did not touch
 * keeps its nodes from one lint to the next: what was read is kept with the node.
 */
const argsCache = new WeakMap<Node, CallArgs>();

export function callArgs(call: Node): CallArgs {
  let out = argsCache.get(call);
  if (!out) {
    out = readCallArgs(call);
    argsCache.set(call, out);
  }
  return out;
}

function readCallArgs(call: Node): CallArgs {
  const list = call.childForFieldName('arguments');
  const out: CallArgs = { positional: [], keywords: new Map(), splat: false, list: list ?? undefined };
  if (!list || list.type !== 'argument_list') return out;
  for (const child of list.namedChildren) {
    if (child.type === 'keyword_argument') {
      const name = child.childForFieldName('name');
      const value = child.childForFieldName('value');
      if (name && value) out.keywords.set(name.text, value);
    } else if (child.type === 'list_splat' || child.type === 'dictionary_splat') {
      out.splat = true;
    } else if (child.type !== 'comment') {
      out.positional.push(child);
    }
  }
  return out;
}

/** The argument named `name`, given as keyword or at position `index`. */
export function argument(args: CallArgs, name: string, index?: number): Node | undefined {
  return args.keywords.get(name) ?? (index !== undefined ? args.positional[index] : undefined);
}

/** Value of a plain string literal (no f-string interpolation), else undefined. */
export function stringValue(node: Node): string | undefined {
  if (node.type !== 'string') return undefined;
  let out = '';
  for (const child of node.namedChildren) {
    if (!child) continue;
    if (child.type === 'string_content') out += child.text;
    else if (child.type === 'interpolation') return undefined;
    else if (child.type === 'escape_sequence') out += child.text;
  }
  return out;
}

export function spanOf(node: Node): Span {
  return { start: node.startIndex, end: node.endIndex };
}

/** The first syntax errors of a tree, as `line N: ...` texts (1-based lines). */
export function syntaxErrors(root: Node, max = 5): string[] {
  const out: string[] = [];
  // Depth-first in document order, entering only subtrees that hold an error; an explicit stack,
  // since broken code can nest as deep as the parser allows.
  const stack: Node[] = root.hasError ? [root] : [];
  while (stack.length && out.length < max) {
    const node = stack.pop()!;
    if (node.isError || node.isMissing) {
      const where = `line ${node.startPosition.row + 1}, column ${node.startPosition.column + 1}`;
      out.push(node.isMissing ? `syntax error at ${where}: missing ${node.type}` : `syntax error at ${where}`);
      continue;
    }
    for (let i = node.children.length - 1; i >= 0; i--) if (node.children[i].hasError) stack.push(node.children[i]);
  }
  return out;
}

/**
 * The statements of the given types that start a line, found from the text (a regular
 * expression for their first keyword) and then confirmed in the tree: far cheaper than walking
 * every node of a large file, and exact, since a match inside a string or comment finds no
 * statement that starts there.
 */
export function statementsAt(root: Node, text: string, keyword: RegExp, types: readonly string[]): Node[] {
  let byPattern = statementCache.get(root.tree);
  if (!byPattern) statementCache.set(root.tree, (byPattern = new Map()));
  const key = `${keyword.source}|${types.join(',')}`;
  const cached = byPattern.get(key);
  if (cached) return cached;
  const out: Node[] = [];
  const pattern = new RegExp(`^[ \\t]*(${keyword.source})`, 'gm');
  for (const m of text.matchAll(pattern)) {
    const at = m.index + m[0].length - m[1].length;
    for (let n: Node | null = root.descendantForIndex(at); n; n = n.parent) {
      if (n.startIndex !== at) break;
      if (types.includes(n.type)) {
        out.push(n);
        break;
      }
    }
  }
  byPattern.set(key, out);
  return out;
}
const statementCache = new WeakMap<Tree, Map<string, Node[]>>();
