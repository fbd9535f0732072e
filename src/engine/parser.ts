/**
 * Loads the tree-sitter runtime and grammars once, and keeps the last tree of each file so a
 * small edit re-parses incrementally (tree.edit + parse with the old tree).
 */
import { Language, Parser, type Tree } from 'web-tree-sitter';
import * as fs from 'node:fs';
import * as path from 'node:path';

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

export class Parsers {
  private readonly parsers = new Map<GrammarName, Parser>();
  private readonly lastTrees = new Map<string, { text: string; tree: Tree }>();

  private constructor() {}

  static async load(wasmDir?: string, grammars: GrammarName[] = ['python', 'javascript', 'typescript', 'tsx']): Promise<Parsers> {
    await Parser.init({ locateFile: (name: string) => locate(name, 'web-tree-sitter', wasmDir) });
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

  /** Parse `text`; with `cacheKey`, reuse the previous tree of the same key for an incremental parse. */
  parse(grammar: GrammarName, text: string, cacheKey?: string): Tree {
    const parser = this.parsers.get(grammar);
    if (!parser) throw new Error(`grammar ${grammar} is not loaded`);
    const previous = cacheKey ? this.lastTrees.get(cacheKey) : undefined;
    let old: Tree | undefined;
    if (previous && previous.text !== text) {
      old = previous.tree;
      applyEdit(old, previous.text, text);
    } else if (previous) {
      return previous.tree;
    }
    const tree = parser.parse(text, old) ?? parser.parse(text);
    if (!tree) throw new Error('tree-sitter returned no tree');
    if (cacheKey) {
      previous?.tree.delete();
      this.lastTrees.set(cacheKey, { text, tree });
      // Keep the cache small: it serves the files being edited, not the whole workspace.
      if (this.lastTrees.size > 64) {
        const [firstKey, first] = this.lastTrees.entries().next().value as [string, { tree: Tree }];
        first.tree.delete();
        this.lastTrees.delete(firstKey);
      }
    }
    return tree;
  }

  forget(cacheKey: string): void {
    this.lastTrees.get(cacheKey)?.tree.delete();
    this.lastTrees.delete(cacheKey);
  }
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

/** Describe the change from `before` to `after` as one edit: common prefix and suffix kept. */
function applyEdit(tree: Tree, before: string, after: string): void {
  let start = 0;
  const max = Math.min(before.length, after.length);
  while (start < max && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  let endOld = before.length;
  let endNew = after.length;
  while (endOld > start && endNew > start && before.charCodeAt(endOld - 1) === after.charCodeAt(endNew - 1)) {
    endOld--;
    endNew--;
  }
  tree.edit({
    startIndex: start, oldEndIndex: endOld, newEndIndex: endNew,
    startPosition: pointAt(before, start), oldEndPosition: pointAt(before, endOld), newEndPosition: pointAt(after, endNew),
  });
}
