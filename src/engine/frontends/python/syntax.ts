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

/**
 * The name a function parameter binds: `x`, `x=1`, `x: int`, `x: int = 1`. Undefined for what
 * binds no single argument by name: `*args`, `**kwargs`, a bare `*` or `/`.
 */
export function parameterName(p: Node): string | undefined {
  switch (p.type) {
    case 'identifier':
      return p.text;
    case 'default_parameter':
    case 'typed_default_parameter':
      return p.childForFieldName('name')?.text;
    case 'typed_parameter':
      // Its name is its first child; `*args: int` holds a list_splat_pattern there instead.
      return p.namedChildren.find((c) => c?.type === 'identifier')?.text;
    default:
      return undefined;
  }
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
 *
 * A tree kept for the next edit keeps its matches too, and the next tree's are updated rather
 * than searched again (the two searches of a 5,000-line file took 1 ms of each re-lint): a
 * match lies on one line, so only the lines the edit touched are searched; a match elsewhere
 * keeps its statement where the incremental copy took that node over (the same node, moved),
 * and is looked up in the new tree otherwise.
 */
export function statementsAt(root: Node, text: string, keyword: RegExp, types: readonly string[]): Node[] {
  const tree = root.tree;
  return tree.carry<Found>(`statements ${keyword.source}|${types.join(',')}`, (previous) => {
    const pattern = new RegExp(`^[ \\t]*(${keyword.source})`, 'gm');
    const find = (at: number): Node | undefined => {
      for (let n: Node | null = root.descendantForIndex(at); n; n = n.parent) {
        if (n.startIndex !== at) break;
        if (types.includes(n.type)) return n;
      }
      return undefined;
    };
    const search = (from: number, to: number, out: Found) => {
      for (const m of text.slice(from, to).matchAll(pattern)) {
        const at = from + m.index + m[0].length - m[1].length;
        out.ats.push(at);
        out.found.push(find(at));
      }
    };
    const found: Found = { ats: [], found: [], nodes: [], text };
    if (previous && tree.edit) {
      const { start, oldEnd, newEnd } = tree.edit;
      const delta = newEnd - oldEnd;
      // The lines the edit touched: from the start of the first to the end of the last.
      const from = start === 0 ? 0 : text.lastIndexOf('\n', start - 1) + 1;
      const oldTo = lineEnd(previous.text, oldEnd);
      let i = 0;
      for (; i < previous.ats.length && previous.ats[i] < from; i++) keep(previous, i, 0, tree, find, found);
      search(from, lineEnd(text, newEnd), found);
      while (i < previous.ats.length && previous.ats[i] < oldTo) i++;
      for (; i < previous.ats.length; i++) keep(previous, i, delta, tree, find, found);
    } else search(0, text.length, found);
    found.nodes = found.found.filter((n): n is Node => n !== undefined);
    return found;
  }).nodes;
}

/** The matches of one search of a tree's text: where each is, and the statement there if any. */
interface Found {
  ats: number[];
  found: Array<Node | undefined>;
  nodes: Node[];
  /** The text searched: the next tree's update reads the edited lines' old extent in it. */
  text: string;
}

/** A match outside the edit, moved by `delta`: its statement, the same node where the new tree took it over. */
function keep(previous: Found, i: number, delta: number, tree: Tree, find: (at: number) => Node | undefined, out: Found): void {
  const at = previous.ats[i] + delta;
  const node = previous.found[i];
  out.ats.push(at);
  out.found.push(node && node.tree === tree ? node : find(at));
}

/** Where the line holding `offset` ends (its newline, or the end of the text). */
function lineEnd(text: string, offset: number): number {
  const i = text.indexOf('\n', offset);
  return i < 0 ? text.length : i;
}
