/**
 * Jupyter notebooks: the code cells joined in order are one Python program (imports in cell 1
 * serve the model in cell 5). Cells are joined with a single newline, so a line of the joined
 * program is a line of one cell. Fixes edit cell sources and write back only the `source`
 * values that changed, in the layout the file already uses; outputs and metadata stay
 * byte-for-byte.
 */
import { parseTree, findNodeAtLocation, type Node as JsonNode } from 'jsonc-parser';
import type { TextEdit } from './ir';

export interface NotebookCell {
  /** Index in the notebook's `cells` array (markdown cells count). */
  index: number;
  source: string;
  /** Offset of the cell's first character in the joined program. */
  codeStart: number;
  /** Where the `source` value sits in the file, and how it is written. */
  sourceOffset: number;
  sourceLength: number;
  asArray: boolean;
}

export interface NotebookDoc {
  cells: NotebookCell[];
  code: string;
}

/** Code cells of an .ipynb text; a clear error when it is not a notebook. */
export function readNotebook(text: string): NotebookDoc | { error: string } {
  const errors: Array<{ offset: number }> = [];
  const root = parseTree(text, errors as never, { allowTrailingComma: false, disallowComments: true });
  if (!root || errors.length > 0) {
    const at = errors[0] ? ` at offset ${errors[0].offset}` : '';
    return { error: `not a valid notebook: the JSON does not parse${at}` };
  }
  const cellsNode = findNodeAtLocation(root, ['cells']);
  if (!cellsNode || cellsNode.type !== 'array') return { error: 'not a valid notebook: no "cells" array' };
  const cells: NotebookCell[] = [];
  let code = '';
  (cellsNode.children ?? []).forEach((cellNode, index) => {
    const type = findNodeAtLocation(cellNode, ['cell_type']);
    const source = findNodeAtLocation(cellNode, ['source']);
    if (type?.value !== 'code' || !source) return;
    const text = sourceText(source);
    if (text === undefined) return;
    if (cells.length > 0) code += '\n';
    cells.push({ index, source: text, codeStart: code.length, sourceOffset: source.offset, sourceLength: source.length, asArray: source.type === 'array' });
    code += text;
  });
  return { cells, code };
}

function sourceText(node: JsonNode): string | undefined {
  if (node.type === 'string') return node.value as string;
  if (node.type === 'array') {
    const parts = (node.children ?? []).map((c) => (c.type === 'string' ? (c.value as string) : undefined));
    return parts.every((p) => p !== undefined) ? parts.join('') : undefined;
  }
  return undefined;
}

/** The cell holding an offset of the joined program (a cell's end belongs to it). */
export function cellAt(doc: NotebookDoc, offset: number): NotebookCell | undefined {
  let found: NotebookCell | undefined;
  for (const c of doc.cells) {
    if (c.codeStart <= offset) found = c;
    else break;
  }
  return found;
}

/**
 * Apply edits given in joined-program offsets to the cells' sources. An edit that would
 * cross a cell boundary is dropped (no fix produces one).
 */
export function editCells(doc: NotebookDoc, edits: ReadonlyArray<Pick<TextEdit, 'start' | 'end' | 'newText'>>): Map<number, string> {
  const byCell = new Map<NotebookCell, Array<Pick<TextEdit, 'start' | 'end' | 'newText'>>>();
  for (const e of edits) {
    const cell = cellAt(doc, e.start);
    if (!cell || e.end > cell.codeStart + cell.source.length) continue;
    const list = byCell.get(cell) ?? [];
    list.push({ start: e.start - cell.codeStart, end: e.end - cell.codeStart, newText: e.newText });
    byCell.set(cell, list);
  }
  const out = new Map<number, string>();
  for (const [cell, list] of byCell) {
    let src = cell.source;
    let limit = Infinity;
    for (const e of list.sort((a, b) => b.start - a.start)) {
      if (e.end > limit) continue;
      src = src.slice(0, e.start) + e.newText + src.slice(e.end);
      limit = e.start;
    }
    if (src !== cell.source) out.set(cell.index, src);
  }
  return out;
}

/** A notebook with some cells' sources replaced; every other byte stays as it was. */
export function writeCells(fileText: string, doc: NotebookDoc, sources: Map<number, string>): string {
  const cells = doc.cells.filter((c) => sources.has(c.index)).sort((a, b) => b.sourceOffset - a.sourceOffset);
  let out = fileText;
  for (const cell of cells) {
    const value = serializeSource(fileText, cell, sources.get(cell.index)!);
    out = out.slice(0, cell.sourceOffset) + value + out.slice(cell.sourceOffset + cell.sourceLength);
  }
  return out;
}

/** nbformat writes a source as a list of lines, each keeping its newline, one per indented line. */
function serializeSource(fileText: string, cell: NotebookCell, source: string): string {
  const original = fileText.slice(cell.sourceOffset, cell.sourceOffset + cell.sourceLength);
  // A notebook written with ASCII escapes (`\u00e9`, `\ud83d\ude00`) keeps them.
  const stringify = /\\u[0-9a-fA-F]{4}/.test(original) ? asciiJson : JSON.stringify;
  if (!cell.asArray) return stringify(source);
  const lines = source.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  if (lines.length === 0) return '[]';
  const itemIndent = /\[\s*?\n([ \t]*)"/.exec(original)?.[1];
  if (itemIndent === undefined) return `[${lines.map((l) => stringify(l)).join(', ')}]`;
  const closeIndent = /\n([ \t]*)\]$/.exec(original)?.[1] ?? '';
  return `[\n${lines.map((l) => itemIndent + stringify(l)).join(',\n')}\n${closeIndent}]`;
}

/** JSON with every non-ASCII UTF-16 unit escaped, as Python's json.dumps(ensure_ascii=True) writes it. */
function asciiJson(value: string): string {
  return JSON.stringify(value).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
