/**
 * Loads the tree-sitter runtime and grammars once, parses into a `SyntaxTree` (the JavaScript
 * copy the front ends read), and keeps the last tree of each file so a small edit re-parses
 * incrementally (tree.edit + parse with the old tree) and copies only what changed.
 */
import { Language, Parser, type Tree } from 'web-tree-sitter';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SyntaxTree, useRuntime, type Edit, type Reuse, type RuntimeExports } from './syntaxTree';

export type GrammarName = 'python' | 'javascript' | 'typescript' | 'tsx';

const GRAMMAR_FILES: Record<GrammarName, { pkg: string; file: string }> = {
  python: { pkg: 'tree-sitter-python', file: 'tree-sitter-python.wasm' },
  javascript: { pkg: 'tree-sitter-javascript', file: 'tree-sitter-javascript.wasm' },
  typescript: { pkg: 'tree-sitter-typescript', file: 'tree-sitter-typescript.wasm' },
  tsx: { pkg: 'tree-sitter-typescript', file: 'tree-sitter-tsx.wasm' },
};

/**
 * Where the .wasm files are: beside the bundle (dist/, what ships in the .vsix), else in
 * node_modules (tests run from source).
 */
function locate(file: string, pkg: string, wasmDir?: string): string {
  const candidates = [wasmDir, __dirname, path.join(__dirname, '..', '..', 'dist')].filter((d): d is string => !!d);
  for (const dir of candidates) {
    const p = path.join(dir, file);
    if (fs.existsSync(p)) return p;
  }
  return require.resolve(`${pkg}/${file}`);
}

/** The last parse of a file: tree-sitter's tree (for the next incremental parse) and its copy. */
interface LastParse {
  grammar: GrammarName;
  text: string;
  /** What tree-sitter was given (parserInput): the next incremental edit is computed on it. */
  input: string;
  tree: Tree;
  syntax: SyntaxTree;
}

/** Comment-only lines in a row from which parserInput blanks them. */
export const COMMENT_RUN = 8;

/**
 * The text tree-sitter parses. tree-sitter-python 0.25's external scanner looks ahead over every
 * comment line that follows a newline (to find the next line's indentation), so a run of n
 * comment-only lines costs O(n^2): measured 23 s for 10,000 `#` lines after a model, 32 s inside a
 * function body, 6 s per re-lint at 5,000 (blank lines cost nothing). Runs of COMMENT_RUN or more
 * comment-only lines are handed to it as spaces, code unit for code unit, so every offset, row
 * and column stays the same and nodes still read the real text. Shorter runs keep their comment
 * nodes (fixes place a new argument after a trailing comment). Suppression comments are read
 * from the text, not the tree.
 */
export function parserInput(grammar: GrammarName, text: string): string {
  if (grammar !== 'python' || !text.includes('#')) return text;
  // Every keystroke passes here: most files have fewer comment lines than one run in all, and
  // are not split into lines at all.
  const commentLines = /^[ \t]*#/gm;
  let total = 0;
  while (total < COMMENT_RUN && commentLines.test(text)) total++;
  if (total < COMMENT_RUN) return text;
  const lines = text.split('\n');
  let changed = false;
  for (let i = 0; i < lines.length;) {
    if (!/^[ \t]*#/.test(lines[i])) {
      i++;
      continue;
    }
    let j = i;
    while (j < lines.length && /^[ \t]*(?:#|\r?$)/.test(lines[j])) j++;
    let comments = 0;
    for (let k = i; k < j; k++) if (lines[k].trimStart().startsWith('#')) comments++;
    if (comments >= COMMENT_RUN) {
      // A line that may close a string (a docstring line starting with `#`) keeps its text.
      for (let k = i; k < j; k++) if (!/"""|'''/.test(lines[k])) lines[k] = lines[k].replace(/[^\r]/g, ' ');
      changed = true;
    }
    i = j;
  }
  return changed ? lines.join('\n') : text;
}

/** Files whose last tree is kept: the ones being edited, not the whole workspace. */
const MAX_KEPT_TREES = 64;

export class Parsers {
  private readonly parsers = new Map<GrammarName, Parser>();
  private readonly lastParses = new Map<string, LastParse>();

  private constructor() {}

  static async load(wasmDir?: string, grammars: GrammarName[] = ['python', 'javascript', 'typescript', 'tsx']): Promise<Parsers> {
    const moduleOptions = { locateFile: (name: string) => locate(name, 'web-tree-sitter', wasmDir) };
    await Parser.init(moduleOptions);
    // Emscripten builds the runtime's module on the options object: its exports let the tree copy
    // skip the TreeCursor's marshalling (syntaxTree.ts, DirectCursor). Checked, not assumed.
    useRuntime(moduleOptions as Partial<RuntimeExports>);
    const out = new Parsers();
    for (const g of grammars) {
      const { pkg, file } = GRAMMAR_FILES[g];
      const lang = await Language.load(fs.readFileSync(locate(file, pkg, wasmDir)));
      const parser = new Parser();
      parser.setLanguage(lang);
      out.parsers.set(g, parser);
    }
    return out;
  }

  /** Parse `text`; with `cacheKey`, start from the previous tree of the same key (an incremental parse). */
  parse(grammar: GrammarName, text: string, cacheKey?: string): SyntaxTree {
    const parser = this.parsers.get(grammar);
    if (!parser) throw new Error(`grammar ${grammar} is not loaded`);
    const input = parserInput(grammar, text);
    if (cacheKey === undefined) {
      const tree = parseOrThrow(parser, input);
      try {
        return new SyntaxTree(text, tree);
      } finally {
        tree.delete();
      }
    }
    const previous = this.lastParses.get(cacheKey);
    // Re-inserted last, hit or not: the map's order is the order of use, oldest first.
    this.lastParses.delete(cacheKey);
    if (previous && previous.grammar === grammar && previous.text === text) {
      this.lastParses.set(cacheKey, previous);
      return previous.syntax;
    }
    let syntax: SyntaxTree;
    let tree: Tree | undefined;
    try {
      if (previous && previous.grammar === grammar) {
        const edit = applyEdit(previous.tree, previous.input, input);
        tree = parseOrThrow(parser, input, previous.tree);
        if (tree.rootNode.hasError) {
          // Error recovery from an old tree can differ from a fresh parse's (a TF.js file being
          // typed lost a "missing ;" that a fresh parse reports): a text with errors is parsed
          // afresh, so the editor reports what the CLI does. Only while the text has an error.
          tree.delete();
          tree = parseOrThrow(parser, input);
          syntax = new SyntaxTree(text, tree, undefined, true);
        } else {
          const changed = previous.tree.getChangedRanges(tree);
          const reuse: Reuse = { tree: previous.syntax, edit, changed };
          syntax = new SyntaxTree(text, tree, reuse, true);
          // The edit is the parser input's. Where that differs from the text's (a comment run blanked
          // for the parser, parserInput, changed inside or grew to a run), a node outside the edit may
          // read other text than before: the front ends then keep nothing from the previous lint.
          if (input !== text || previous.input !== previous.text) {
            const own = changedRange(previous.text, text);
            if (own.start !== edit.start || own.oldEnd !== edit.oldEnd || own.newEnd !== edit.newEnd) syntax.inherited = undefined;
          }
        }
      } else {
        tree = parseOrThrow(parser, input);
        syntax = new SyntaxTree(text, tree, undefined, true);
      }
    } catch (err) {
      // The previous tree was told of the edit: it cannot serve another parse. Start over next time.
      tree?.delete();
      previous?.tree.delete();
      throw err;
    }
    previous?.tree.delete();
    this.lastParses.set(cacheKey, { grammar, text, input, tree, syntax });
    if (this.lastParses.size > MAX_KEPT_TREES) {
      const [oldestKey, oldest] = this.lastParses.entries().next().value as [string, LastParse];
      oldest.tree.delete();
      this.lastParses.delete(oldestKey);
    }
    return syntax;
  }

  forget(cacheKey: string): void {
    this.lastParses.get(cacheKey)?.tree.delete();
    this.lastParses.delete(cacheKey);
  }
}

function parseOrThrow(parser: Parser, text: string, old?: Tree): Tree {
  const tree = parser.parse(text, old) ?? parser.parse(text);
  if (!tree) throw new Error('tree-sitter returned no tree');
  return tree;
}

function pointAt(text: string, index: number): { row: number; column: number } {
  let row = 0;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < index; i = text.indexOf('\n', i + 1)) {
    row++;
    lineStart = i + 1;
  }
  return { row, column: index - lineStart };
}

/** Describe the change from `before` to `after` as one edit, tell the tree, and return it in offsets. */
function applyEdit(tree: Tree, before: string, after: string): Edit {
  const { start, oldEnd: endOld, newEnd: endNew } = changedRange(before, after);
  tree.edit({
    startIndex: start,
    oldEndIndex: endOld,
    newEndIndex: endNew,
    startPosition: pointAt(before, start),
    oldEndPosition: pointAt(before, endOld),
    newEndPosition: pointAt(after, endNew),
  });
  return { start, oldEnd: endOld, newEnd: endNew };
}

/** Characters compared at once while looking for the edit. */
const BLOCK = 1024;

/**
 * The one range that changed from `before` to `after`: their common prefix and suffix kept.
 * Compared a block at a time first (a substring is a view, and comparing two is native): the
 * character loop alone took 0.7 ms of a re-lint of a 5,000-line file.
 */
function changedRange(before: string, after: string): Edit {
  let start = 0;
  const max = Math.min(before.length, after.length);
  while (start + BLOCK <= max && before.substring(start, start + BLOCK) === after.substring(start, start + BLOCK)) start += BLOCK;
  while (start < max && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  let endOld = before.length;
  let endNew = after.length;
  while (endOld - BLOCK >= start && endNew - BLOCK >= start && before.substring(endOld - BLOCK, endOld) === after.substring(endNew - BLOCK, endNew)) {
    endOld -= BLOCK;
    endNew -= BLOCK;
  }
  while (endOld > start && endNew > start && before.charCodeAt(endOld - 1) === after.charCodeAt(endNew - 1)) {
    endOld--;
    endNew--;
  }
  return { start, oldEnd: endOld, newEnd: endNew };
}
