/** Small readers over tree-sitter-python nodes, shared by the Python front ends. */
import type { Node } from 'web-tree-sitter';
import type { Span } from '../../ir';

export interface CallArgs {
  positional: Node[];
  keywords: Map<string, Node>;
  /** `*args` or `**kwargs` present: the argument list cannot be read in full. */
  splat: boolean;
  list?: Node;
}

export function callArgs(call: Node): CallArgs {
  const list = call.childForFieldName('arguments');
  const out: CallArgs = { positional: [], keywords: new Map(), splat: false, list: list ?? undefined };
  if (!list || list.type !== 'argument_list') return out;
  for (const child of list.namedChildren) {
    if (!child) continue;
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
  if (!root.hasError) return out;
  const visit = (node: Node) => {
    if (out.length >= max) return;
    if (node.isError || node.isMissing) {
      const where = `line ${node.startPosition.row + 1}, column ${node.startPosition.column + 1}`;
      out.push(node.isMissing ? `syntax error at ${where}: missing ${node.type}` : `syntax error at ${where}`);
      return;
    }
    if (!node.hasError) return;
    for (const child of node.children) if (child) visit(child);
  };
  // Iterative descent only where errors are: a healthy subtree is never entered.
  visit(root);
  return out;
}
