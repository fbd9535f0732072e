/**
 * Jupyter notebooks: the code cells joined in order are one Python program (imports in cell 1
 * serve the model in cell 5). Cells are joined with a single newline, so a line of the joined
 * program is a line of one cell. Fixes edit cell sources and write back only the `source`
 * values that changed, in the layout the file already uses; outputs and metadata stay
 * byte-for-byte.
 */
import { parseTree, findNodeAtLocation, type Node as JsonNode } from 'jsonc-parser';
import type { TextEdit } from './ir';
import { LineIndex } from './text';

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
  /** The JSON strings the source is made of (one, or the array's items): their offsets in the file and decoded lengths. */
  parts: Array<{ offset: number; length: number }>;
}

export interface NotebookDoc {
  cells: NotebookCell[];
  /** The code cells joined: what fixes edit. */
  code: string;
  /** `code` with IPython's magics and shell escapes blanked (maskMagics): what is parsed. */
  program: string;
}

/** Code cells of an .ipynb text; a clear error when it is not a notebook. */
export function readNotebook(text: string): NotebookDoc | { error: string } {
  const errors: Array<{ offset: number }> = [];
  let root: JsonNode | undefined;
  try {
    root = parseTree(text, errors as never, { allowTrailingComma: false, disallowComments: true });
  } catch (e) {
    // Pathological nesting exhausts the parser's stack: this file's error, not the run's.
    return { error: `not a valid notebook: ${e instanceof RangeError ? 'nested too deeply' : (e as Error).message}` };
  }
  if (!root || errors.length > 0) {
    const at = errors[0] ? ` at offset ${errors[0].offset}` : '';
    return { error: `not a valid notebook: the JSON does not parse${at}` };
  }
  const cellsNode = findNodeAtLocation(root, ['cells']);
  if (!cellsNode || cellsNode.type !== 'array') return { error: 'not a valid notebook: no "cells" array' };
  const cells: NotebookCell[] = [];
  (cellsNode.children ?? []).forEach((cellNode, index) => {
    const type = findNodeAtLocation(cellNode, ['cell_type']);
    const source = findNodeAtLocation(cellNode, ['source']);
    if (type?.value !== 'code' || !source) return;
    const text = sourceText(source);
    if (text === undefined) return;
    const parts = (source.type === 'array' ? (source.children ?? []) : [source]).map((p) => ({ offset: p.offset, length: (p.value as string).length }));
    cells.push({ index, source: text, codeStart: 0, sourceOffset: source.offset, sourceLength: source.length, asArray: source.type === 'array', parts });
  });
  const joined = joinCells(cells.map((c) => c.source));
  cells.forEach((c, i) => {
    c.codeStart = joined.starts[i];
  });
  return { cells, code: joined.code, program: joined.program };
}

/**
 * Code cells as one Python program, the one join of the engine, the CLI and the editor: cells
 * in order, one newline between them (so a line of the program is a line of one cell).
 * `program` is `code` with magics blanked (maskMagics), what is parsed; `starts`: each cell's
 * offset in both.
 */
export function joinCells(sources: readonly string[]): { code: string; program: string; starts: number[] } {
  const starts: number[] = [];
  let at = 0;
  for (const s of sources) {
    starts.push(at);
    at += s.length + 1;
  }
  return { code: sources.join('\n'), program: sources.map(maskMagics).join('\n'), starts };
}

/**
 * Where an offset of the joined program stands in the notebook file itself: inside the JSON
 * string that holds that character (escapes such as `\n`, `\"` and `\u00e9` counted as written).
 * What the command line reports, so `mlp.ipynb:14:9` is line 14 of the file, as editors and
 * code scanning read it.
 */
export function fileOffset(doc: NotebookDoc, fileText: string, offset: number): number {
  const cell = cellAt(doc, offset);
  if (!cell) return 0;
  let within = Math.max(0, offset - cell.codeStart);
  for (const [i, part] of cell.parts.entries()) {
    // A position at a part's end belongs to the next part (the next line), except for the last.
    if (within >= part.length && i < cell.parts.length - 1) {
      within -= part.length;
      continue;
    }
    let raw = part.offset + 1; // after the opening quote
    for (let k = 0; k < within && raw < fileText.length; k++) {
      if (fileText[raw] !== '\\') raw += 1;
      else raw += fileText[raw + 1] === 'u' ? 6 : 2;
    }
    return raw;
  }
  return cell.sourceOffset;
}

/** Cell magics whose body is still Python (IPython runs it, timing or capturing it). */
const PYTHON_CELL_MAGICS = /^%%(?:time|timeit|capture|prun|memit|debug)\b/;

/**
 * A cell as Python sees it once IPython has transformed it: line magics (`%matplotlib inline`),
 * shell escapes (`!pip install torch`), assignments from either (`files = !ls`), help queries
 * (`nn.Linear?`) and non-Python cell magics (`%%bash`, `%%writefile`) are blanked, code unit for
 * code unit, so offsets, rows and columns stay those of the cell. Not syntax errors, not code.
 */
export function maskMagics(cell: string): string {
  if (!/[%!?]/.test(cell)) return cell;
  const blank = (line: string) => line.replace(/[^\r]/g, ' ');
  const lines = cell.split('\n');
  const first = lines.findIndex((l) => l.trim() !== '');
  if (first >= 0 && lines[first].trimStart().startsWith('%%')) {
    if (!PYTHON_CELL_MAGICS.test(lines[first].trimStart())) return lines.map(blank).join('\n');
    lines[first] = blank(lines[first]);
  }
  return lines.map((line) => (/^\s*(?:[%!]|\?\??\w)|^\s*[\w.,\s]+=\s*[%!]|^[^#'"]*\w\?\??\s*$/.test(line) ? blank(line) : line)).join('\n');
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
  // The file's own line ending (a notebook saved on Windows: CRLF) and item separator (`,` or `, `).
  const eol = /\r\n/.test(original) || (!original.includes('\n') && /\r\n/.test(fileText.slice(0, 4096))) ? '\r\n' : '\n';
  const itemIndent = /\[[ \t]*\r?\n([ \t]*)"/.exec(original)?.[1];
  if (itemIndent === undefined) {
    const sep = /"\s*(,[ \t]*)"/.exec(original)?.[1] ?? ', ';
    return `[${lines.map((l) => stringify(l)).join(sep)}]`;
  }
  const closeIndent = /\n([ \t]*)\]$/.exec(original)?.[1] ?? '';
  return `[${eol}${lines.map((l) => itemIndent + stringify(l)).join(`,${eol}`)}${eol}${closeIndent}]`;
}

/** JSON with every non-ASCII UTF-16 unit escaped, as Python's json.dumps(ensure_ascii=True) writes it. */
function asciiJson(value: string): string {
  return JSON.stringify(value).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Where an offset of the linted code stands in the file as it is on disk, as a 0-based line and
 * column: a notebook's code (`doc`) is mapped into its .ipynb text; any other file's code is its
 * text. The CLI, the language server's workspace scan and the extension all place findings so.
 */
export function filePositions(fileText: string, doc: NotebookDoc | undefined): (offset: number) => { line: number; column: number } {
  const lines = new LineIndex(fileText);
  return (offset) => lines.position(doc ? fileOffset(doc, fileText, offset) : Math.min(offset, fileText.length));
}
