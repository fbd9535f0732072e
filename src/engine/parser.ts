/**
 * Loads the tree-sitter runtime and grammars once, parses into a `SyntaxTree` (the JavaScript
 * copy the front ends read), and keeps the last parse of each file so a small edit re-parses
 * only what it must and copies only what changed: a Python edit parses the statements around it
 * alone (parsePython); JavaScript and TypeScript use tree-sitter's incremental parse (tree.edit
 * and a parse with the old tree).
 */
import { Language, Parser, type Tree } from 'web-tree-sitter';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SyntaxTree, lastStartingBefore, useRuntime, type Edit, type Reuse, type RuntimeExports, type Splice, type SyntaxNode } from './syntaxTree';

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
  /** tree-sitter's tree, for an incremental parse (JavaScript and TypeScript; Python only while the text does not parse, parsePython). */
  tree?: Tree;
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

/** A line with code on it: neither blank nor a comment, so no comment run holds it or runs through it. */
function codeLine(text: string, lineStart: number): boolean {
  for (let i = lineStart; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 13 || c === 12) continue;
    return c !== 10 && c !== 35;
  }
  return false;
}

/**
 * parserInput of `text`, from the previous text's, where the edit cannot have changed a comment
 * run: every line it touches, before and after, has code on it (a run is bounded by such lines
 * and never holds one). The previous input with the edit applied then; else undefined. A
 * keystroke in a 4,000-line file with a license header spent 0.3 ms splitting it into lines.
 */
export function inputAfterEdit(previous: Pick<LastParse, 'text' | 'input'>, text: string, edit = changedRange(previous.text, text)): string | undefined {
  const touched = (t: string, end: number) => {
    for (let line = t.lastIndexOf('\n', edit.start - 1) + 1; line <= end;) {
      if (!codeLine(t, line)) return false;
      const next = t.indexOf('\n', line);
      if (next < 0) break;
      line = next + 1;
    }
    return true;
  };
  if (!touched(previous.text, edit.oldEnd) || !touched(text, edit.newEnd)) return undefined;
  return previous.input === previous.text
    ? text
    : previous.input.slice(0, edit.start) + text.slice(edit.start, edit.newEnd) + previous.input.slice(edit.oldEnd);
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

  /** Parse `text`; with `cacheKey`, start from the previous parse of the same key (only what the edit reached is parsed and copied again). */
  parse(grammar: GrammarName, text: string, cacheKey?: string): SyntaxTree {
    const parser = this.parsers.get(grammar);
    if (!parser) throw new Error(`grammar ${grammar} is not loaded`);
    if (cacheKey === undefined) {
      const tree = parseOrThrow(parser, parserInput(grammar, text));
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
    if (grammar === 'python') {
      // The text's edit, found once: the parser input is carried across it where it can be, and
      // is then the input's edit too.
      const last = previous?.grammar === 'python' ? previous : undefined;
      const edit = last && changedRange(last.text, text);
      const carried = last && edit && inputAfterEdit(last, text, edit);
      const input = carried ?? parserInput(grammar, text);
      let parsed: { syntax: SyntaxTree; tree?: Tree };
      try {
        parsed = parsePython(parser, last && edit && { ...last, edit, carried: carried !== undefined }, text, input);
      } finally {
        // Told of the edit or not, it has served: the next edit starts from this parse.
        previous?.tree?.delete();
      }
      this.remember(cacheKey, { grammar, text, input, ...parsed });
      return parsed.syntax;
    }
    // parserInput leaves JavaScript and TypeScript as they are: the input's edit is the text's.
    const input = parserInput(grammar, text);
    let syntax: SyntaxTree;
    let tree: Tree | undefined;
    try {
      if (previous?.tree && previous.grammar === grammar) {
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
          syntax = new SyntaxTree(text, tree, { tree: previous.syntax, edit, changed }, true);
        }
      } else {
        tree = parseOrThrow(parser, input);
        syntax = new SyntaxTree(text, tree, undefined, true);
      }
    } catch (err) {
      // The previous tree was told of the edit: it cannot serve another parse. Start over next time.
      tree?.delete();
      previous?.tree?.delete();
      throw err;
    }
    previous?.tree?.delete();
    this.remember(cacheKey, { grammar, text, input, tree, syntax });
    return syntax;
  }

  private remember(cacheKey: string, parse: LastParse): void {
    this.lastParses.set(cacheKey, parse);
    if (this.lastParses.size > MAX_KEPT_TREES) {
      const [oldestKey, oldest] = this.lastParses.entries().next().value as [string, LastParse];
      oldest.tree?.delete();
      this.lastParses.delete(oldestKey);
    }
  }

  forget(cacheKey: string): void {
    this.lastParses.get(cacheKey)?.tree?.delete();
    this.lastParses.delete(cacheKey);
  }
}

/**
 * A Python file's parse, from its previous one where there is one, and tree-sitter's tree where
 * the text does not parse (the start of the next edit's incremental parse).
 *
 * An edit of a file that parsed re-parses only the statements around it (cleanRegion) and splices
 * their copy into the previous one. Where the region does not parse (a statement being typed),
 * the text is parsed afresh, so the editor reports the syntax errors the CLI does, and the
 * previous copy's statements and definitions outside the edit are taken over where the fresh
 * tree's have their shape (`Reuse.verify`): the evaluations kept for them are used again.
 *
 * An edit of a file that did not parse cannot be spliced into its copy (error recovery can shape
 * a statement next to an error otherwise than a clean parse does, `a = b, c` read as a pattern
 * list, with the same type and extent). Where the region parses now (the statement typed to its
 * end), tree-sitter's incremental parse from the last tree is exact and costs less than a fresh
 * one; where it does not, the text is parsed afresh, as above.
 */
function parsePython(
  parser: Parser,
  previous: (LastParse & { edit: Edit; carried: boolean }) | undefined,
  text: string,
  input: string,
): { syntax: SyntaxTree; tree?: Tree } {
  if (!previous) return parseFresh(parser, text, input);
  // `edit` is the text's; tree-sitter needs the input's. They are one where the input was carried
  // over or nothing is blanked. Where they differ (a comment run blanked for the parser,
  // parserInput, changed inside or grew to a run), a node outside the edit may read other text
  // than before: nothing is taken over from the previous copy.
  const { edit } = previous;
  if (!previous.carried && (input !== text || previous.input !== previous.text)) {
    const own = changedRange(previous.input, input);
    if (own.start !== edit.start || own.oldEnd !== edit.oldEnd || own.newEnd !== edit.newEnd) return parseFresh(parser, text, input);
  }
  const region = cleanRegion(parser, previous, input, edit);
  if (region && !previous.syntax.rootNode.hasError) {
    try {
      const syntax = new SyntaxTree(text, region.tree, { tree: previous.syntax, edit, changed: [] }, true, region.splice);
      syntax.stats.parsed = region.parsed;
      return { syntax };
    } finally {
      region.tree.delete();
    }
  }
  region?.tree.delete();
  // Where the previous text's errors all lie in the region, the edit may have mended them: parsed
  // incrementally. An error elsewhere would remain, and the text be parsed afresh anyway.
  if (region && previous.tree && errorsWithin(region.splice)) {
    applyEdit(previous.tree, previous.input, input, edit);
    const tree = parseOrThrow(parser, input, previous.tree);
    if (!tree.rootNode.hasError) {
      try {
        const syntax = new SyntaxTree(text, tree, { tree: previous.syntax, edit, changed: previous.tree.getChangedRanges(tree) }, true);
        syntax.stats.parsed = input.length;
        return { syntax };
      } finally {
        tree.delete();
      }
    }
    tree.delete();
  }
  return parseFresh(parser, text, input, { tree: previous.syntax, edit, changed: [], verify: true });
}

/** Whether every error of the previous copy lies in the splice's region (none in the nodes around it). */
function errorsWithin({ path, first, last }: Splice): boolean {
  const container = path[path.length - 1];
  for (let i = 0; i < path.length - 1; i++) {
    if (path[i].isError) return false;
    for (const c of path[i].children) if (c !== path[i + 1] && c.hasError) return false;
  }
  return !container.isError && container.children.every((c, i) => (i >= first && i <= last) || !c.hasError);
}

/** A fresh parse, copied and kept for the next edit; tree-sitter's tree too where the text does not parse. */
function parseFresh(parser: Parser, text: string, input: string, reuse?: Reuse): { syntax: SyntaxTree; tree?: Tree } {
  const tree = parseOrThrow(parser, input);
  let kept = false;
  try {
    const syntax = new SyntaxTree(text, tree, reuse, true);
    syntax.stats.parsed = input.length;
    kept = tree.rootNode.hasError;
    return kept ? { syntax, tree } : { syntax };
  } finally {
    if (!kept) tree.delete();
  }
}

/**
 * The statements a Python edit re-parses, parsed alone, where they parse: the few statements of
 * the innermost block that holds the edit (a method of a class, a statement of a long `forward`),
 * parsed as the body of an `if 1:` line with their indentation kept, or the few entries of the
 * innermost dict, list or set literal, parsed between its brackets; failing that, those of each
 * enclosing block or literal in turn, and last the top-level statements around the edit.
 *
 * Why not tree-sitter's own incremental parse: on real files it re-parsed far more than the edit.
 * tree-sitter-python keeps a block's statements in a balanced repetition whose inner nodes
 * tree-sitter will not reuse (fragile), and a statement's first token was lexed in another
 * state than the one after a re-parsed sibling, so after an edit every later statement of the
 * block, and of every enclosing one, is shifted again token by token to the end of the file
 * (its debug log). An edit on a blank line or in a line's indentation, the keystrokes after
 * Enter, measured 20-27 ms in timm's 5,000-line vision_transformer.py, where a fresh parse takes
 * 32 ms; the method around it alone parses in well under a millisecond.
 *
 * Undefined where no region parses (a statement being typed) or none can stand alone (a line in
 * brackets indented below the block, statements dedented out of the wrapper, a literal of another
 * type, a block's last statement ending elsewhere). The caller deletes the tree.
 */
function cleanRegion(parser: Parser, previous: LastParse, input: string, edit: Edit): { tree: Tree; splice: Splice; parsed: number } | undefined {
  const delta = edit.newEnd - edit.oldEnd;
  const path = pathTo(previous.syntax.rootNode, edit);
  // The innermost block or literal first, then each enclosing one, then the module.
  for (let depth = path.length - 1; depth >= 0; depth--) {
    const container = path[depth];
    const wrapper = depth === 0 ? undefined : container.type === 'block' ? 'block' : LITERALS[container.type] ? 'literal' : undefined;
    if (depth > 0 && !wrapper) continue;
    const region = wrapper === 'literal' ? entryRegion(container, edit) : statementRegion(container, previous.input, edit, wrapper === 'block');
    if (!region) continue;
    const body = input.slice(region.start, region.end + delta);
    // A line inside brackets indented less than the block the parser is in can end that block in
    // tree-sitter-python (its scanner dedents where an identifier is expected: `nn.` then a line
    // at column 0); alone, the region would not know those enclosing blocks.
    if (wrapper && dedentsBelow(body, indentOf(previous.input, path, depth))) continue;
    // A block's last line ending in a backslash joins the line after the block, which the region lacks.
    if (wrapper === 'block' && region.last === container.children.length - 1 && /\\[ \t\f\r]*$/.test(body)) continue;
    const [open, close] = wrapper === 'literal' ? LITERALS[container.type] : wrapper === 'block' ? [WRAPPER, ''] : ['', ''];
    const tree = parseOrThrow(parser, `${open}${body}${close}`);
    // A block's region that holds its last statement must end where the block did (moved by the
    // edit): the block's end, and its ancestors', are taken to move by the edit.
    const endsAsBefore = () =>
      region.last < container.children.length - 1 || tree.rootNode.firstChild!.lastChild!.endIndex + region.start - open.length === container.endIndex + delta;
    if (
      !tree.rootNode.hasError &&
      (wrapper === 'block' ? wrapsOneBlock(tree) && endsAsBefore() : wrapper === 'literal' ? isLiteral(tree, container.type) : true)
    ) {
      const splice: Splice = { path: path.slice(0, depth + 1), first: region.first, last: region.last, base: region.start - open.length, wrapped: wrapper };
      return { tree, splice, parsed: body.length };
    }
    tree.delete();
  }
  return undefined;
}

/** The line a block's statements are parsed under, alone: their indentation makes them its body. */
const WRAPPER = 'if 1:\n';

/** Literals whose entries are re-parsed alone between their brackets (a 1,200-entry `default_cfgs` dict). */
const LITERALS: Record<string, [string, string]> = { dictionary: ['{', '}'], list: ['[', ']'], set: ['{', '}'] };

/** Whether a literal's entries parsed between its brackets are one literal of its type (`{x}` is a set, not a dict). */
function isLiteral(tree: Tree, type: string): boolean {
  const root = tree.rootNode;
  const statement = root.childCount === 1 ? root.firstChild : null;
  return statement?.type === 'expression_statement' && statement.childCount === 1 && statement.firstChild?.type === type;
}

/**
 * The entries of a literal an edit must re-parse: from the last one starting before the edit to
 * the first one starting after it (with the commas and comments between); undefined where the
 * edit reaches the last entry's end (the closing bracket is not the region's).
 */
function entryRegion(container: SyntaxNode, edit: Edit): { first: number; last: number; start: number; end: number } | undefined {
  const kids = container.children;
  // A comment is no entry (nor is a backslash at a line's end: the copy makes it a token, tablesOf).
  const entry = (i: number) => kids[i].isNamed && kids[i].type !== 'comment';
  let first = lastStartingBefore(kids, edit.start);
  while (first >= 0 && !entry(first)) first--;
  if (first < 0) return undefined;
  let last = lastStartingBefore(kids, edit.oldEnd + 1) + 1;
  while (last < kids.length && !entry(last)) last++;
  if (last >= kids.length) {
    last = first;
    for (let i = kids.length - 1; i > first; i--)
      if (entry(i)) {
        last = i;
        break;
      }
    if (edit.oldEnd >= kids[last].endIndex) return undefined;
  }
  return { first, last, start: kids[first].startIndex, end: kids[last].endIndex };
}

/** Whether a wrapped parse is the wrapper's `if` alone, every statement in its block (none dedented out of it). */
function wrapsOneBlock(tree: Tree): boolean {
  const root = tree.rootNode;
  if (root.childCount !== 1) return false;
  const statement = root.firstChild;
  return statement?.type === 'if_statement' && statement.lastChild?.type === 'block' && statement.childCount === 4;
}

/**
 * The previous copy's nodes that hold the edit, from the root down: each starts before it and
 * ends at or after it (code typed at the end of a method's last line is in the method's block;
 * cleanRegion checks the block then ends where the edit moved its end).
 */
function pathTo(root: SyntaxNode, edit: Edit): SyntaxNode[] {
  const path = [root];
  for (let node = root; ;) {
    const at = lastStartingBefore(node.children, edit.start);
    const next = at >= 0 ? node.children[at] : undefined;
    if (!next || edit.oldEnd > next.endIndex) return path;
    path.push(next);
    node = next;
  }
}

/** The indentation the scanner counts for a line (a tab to 8, as tree-sitter-python's scanner does). */
function indentWidth(text: string, lineStart: number): number {
  let width = 0;
  for (let i = lineStart; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 32) width++;
    else if (c === 9) width += 8;
    else if (c === 12 || c === 13) width = 0;
    else break;
  }
  return width;
}

/**
 * The indentation of the innermost block around the region of `path[depth]`: a block's own, or
 * for a literal the block its statement is in (0 at module level).
 */
function indentOf(text: string, path: SyntaxNode[], depth: number): number {
  for (let i = depth; i > 0; i--) if (path[i].type === 'block') return indentWidth(text, text.lastIndexOf('\n', path[i].startIndex - 1) + 1);
  return 0;
}

/** Whether a line of `body` after its first, not blank and not a comment, is indented less than `floor`. */
function dedentsBelow(body: string, floor: number): boolean {
  if (floor === 0) return false;
  for (let i = body.indexOf('\n'); i >= 0; i = body.indexOf('\n', i + 1)) {
    let j = i + 1;
    while (j < body.length && (body.charCodeAt(j) === 32 || body.charCodeAt(j) === 9 || body.charCodeAt(j) === 12)) j++;
    const c = body.charCodeAt(j);
    if (j >= body.length || c === 10 || c === 13 || c === 35) continue;
    if (indentWidth(body, i + 1) < floor) return true;
  }
  return false;
}

/**
 * How many spaces and tabs precede `offset` on its line (a tab counts 1: this compares a block's
 * statements with each other, not with the scanner's widths, indentWidth), or -1 if anything else does.
 */
function indentAt(text: string, offset: number): number {
  let i = offset;
  while (i > 0 && (text.charCodeAt(i - 1) === 32 || text.charCodeAt(i - 1) === 9)) i--;
  return i === 0 || text.charCodeAt(i - 1) === 10 ? offset - i : -1;
}

/**
 * The statements of `container` (the module, or a block) an edit must re-parse: from the last
 * one that starts strictly before the edit (so an edit at a statement's start takes in the one
 * before: indenting it joins it to that one) to the first one after the edit, with anything on
 * its last line (a trailing comment). Each end is a statement at the block's indentation, not a
 * comment and not continued from the line before, where the parser's state is the same whatever
 * came before: the block's, with no bracket open. Undefined where that cannot be had: a block's
 * edit reaches beyond its last statement's line, or the block's first statement does not start
 * a line (`if x: y`). (What follows a block could join its last statement, after a trailing
 * backslash: cleanRegion rejects that, and a last statement that ends elsewhere than the block did.)
 *
 * `start` is where the region's first line starts (a block's statements keep their indentation);
 * `end` is in the old text.
 */
export function statementRegion(
  container: SyntaxNode,
  oldText: string,
  edit: Edit,
  block: boolean,
): { first: number; last: number; start: number; end: number } | undefined {
  const kids = container.children;
  if (kids.length === 0 || (!block && container.type !== 'module')) return undefined;
  const indent = block ? indentAt(oldText, kids[0].startIndex) : 0;
  if (indent < 0) return undefined;
  // A statement the parser is between blocks at: at the block's indentation, not a comment (a
  // comment closes no block: an indented line after one joins the block above it), and not on
  // a line a backslash continues.
  const continued = (i: number) => {
    let j = oldText.lastIndexOf('\n', kids[i].startIndex - 1) - 1;
    if (oldText.charCodeAt(j) === 13) j--;
    return j >= 0 && oldText.charCodeAt(j) === 92;
  };
  const boundary = (i: number) => kids[i].type !== 'comment' && indentAt(oldText, kids[i].startIndex) === indent && !continued(i);
  // The last statement starting before the edit, then back to one that starts a line.
  let first = lastStartingBefore(kids, edit.start);
  while (first > 0 && !boundary(first)) first--;
  if (first < 0) {
    if (block) return undefined;
    first = 0;
  }
  // The first statement starting after the edit's old end, then on to the last before the next line-starting one.
  let last = lastStartingBefore(kids, edit.oldEnd + 1) + 1;
  while (last < kids.length - 1 && !boundary(last + 1)) last++;
  if (last >= kids.length) last = kids.length - 1;
  const start = block ? kids[first].startIndex - indent : first === 0 ? 0 : kids[first].startIndex;
  // To the end of the last line: an edit that makes its rest a comment takes in the spaces (or
  // the \r of a CRLF file) after it.
  let end = !block && last === kids.length - 1 ? oldText.length : kids[last].endIndex;
  let e = end;
  while (e < oldText.length && (oldText.charCodeAt(e) === 32 || oldText.charCodeAt(e) === 9 || oldText.charCodeAt(e) === 12 || oldText.charCodeAt(e) === 13))
    e++;
  if (e === oldText.length || oldText.charCodeAt(e) === 10) end = e;
  // A block's edit may reach its last statement's end (code typed at the end of a method), not beyond that line.
  if (block && edit.oldEnd > end) return undefined;
  return { first, last, start, end };
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
function applyEdit(tree: Tree, before: string, after: string, edit = changedRange(before, after)): Edit {
  const { start, oldEnd: endOld, newEnd: endNew } = edit;
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
