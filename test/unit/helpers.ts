/** Shared by the unit tests: one linter (grammar loading is the slow part), fixture reading, expectations. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Parser, Language } from 'web-tree-sitter';
import { createLinter, type Linter, type LinterOptions } from '../../src/engine/linter';

export const FIXTURES = path.join(__dirname, '..', 'fixtures');
export const ROOT = path.join(__dirname, '..', '..');

const linters = new Map<string, Promise<Linter>>();
export function getLinter(options: LinterOptions = {}): Promise<Linter> {
  const key = JSON.stringify(options);
  let l = linters.get(key);
  if (!l) {
    l = createLinter(options);
    linters.set(key, l);
  }
  return l;
}

export function readFixture(rel: string): string {
  return fs.readFileSync(path.join(FIXTURES, rel), 'utf8');
}

/**
 * Every model source of the fixtures and examples (Python, notebooks, JavaScript, TypeScript,
 * Keras JSON; not package.json or tsconfig.json), absolute paths, sorted.
 */
export function allSources(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(?:py|ipynb|js|ts|json)$/.test(e.name) && !/^(?:package|tsconfig)\.json$/.test(e.name)) out.push(p);
    }
  };
  walk(FIXTURES);
  walk(path.join(ROOT, 'examples'));
  return out.sort();
}

export function fixtureFiles(dir: string): string[] {
  return fs
    .readdirSync(path.join(FIXTURES, dir))
    .filter((f) => f.endsWith('.py'))
    .sort()
    .map((f) => `${dir}/${f}`);
}

/** `# expect: IL001` (or `(expect: IL001)`) on a line: a finding with that code must start on it. */
export function expectations(text: string): string[] {
  const out: string[] = [];
  text.split('\n').forEach((line, i) => {
    for (const m of line.matchAll(/expect: (IL\d{3})/g)) out.push(`${i + 1} ${m[1]}`);
  });
  return out.sort();
}

let pythonParser: Promise<Parser> | undefined;
/** A separate tree-sitter parser, so checks of fixed code do not share the linter's cache. */
export function python(): Promise<Parser> {
  pythonParser ??= (async () => {
    await Parser.init();
    const lang = await Language.load(require.resolve('tree-sitter-python/tree-sitter-python.wasm'));
    const p = new Parser();
    p.setLanguage(lang);
    return p;
  })();
  return pythonParser;
}

/**
 * A PyTorch module as the tests write one: `import torch`, `from torch import nn` (and `extra`
 * imports), `class <name>(nn.Module)` whose `__init__` (after `super().__init__()`) and `forward(self, x)`
 * hold the given lines.
 */
export function torchModule(o: { init: string[]; forward: string[]; name?: string; imports?: string[] }): string {
  return [
    'import torch',
    'from torch import nn',
    ...(o.imports ?? []),
    `class ${o.name ?? 'Net'}(nn.Module):`,
    '    def __init__(self):',
    '        super().__init__()',
    ...o.init.map((l) => `        ${l}`),
    '    def forward(self, x):',
    ...o.forward.map((l) => `        ${l}`),
  ].join('\n');
}
