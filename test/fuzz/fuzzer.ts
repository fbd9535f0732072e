/**
 * A seeded mutation fuzzer over the fixtures of every front end (Keras, PyTorch, Flax, TF.js,
 * Keras JSON, notebooks). Each case takes a fixture, applies one to three mutations (delete,
 * duplicate or move a span, insert a token that front ends react to: a bracket, a quote, a layer
 * call, an impossible size, a deep loop, a comment run) and lints the result twice: fresh, and
 * incrementally from the fixture's parse, as the editor does after an edit. It checks what a user
 * would notice:
 *   - the engine never throws (it reports the input's problems in `errors`);
 *   - no message, label or fix title prints Infinity or NaN;
 *   - the incremental lint finds exactly what the fresh one does (same codes, ranges,
 *     messages, errors);
 * and records the slowest case (bounded time per file is a check of `npm run fuzz`, which
 * runs many more cases; the unit suite never asserts wall-clock time).
 *
 * `npm test` runs a few thousand cases (test/unit/fuzz.test.ts); `npm run fuzz` runs more
 * (FUZZ_CASES, FUZZ_SEED).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Analysis, Linter } from '../../src/engine/linter';
// @ts-expect-error: a JavaScript module without types (as in syntaxTree.test.ts)
import { seededRandom } from '../../bench/generate.mjs';

const rng: (seed: number) => () => number = seededRandom;

const FIXTURES = path.join(__dirname, '..', 'fixtures');

export interface Seed {
  /** The fixture, relative to test/fixtures. */
  name: string;
  text: string;
}

export interface Failure {
  seed: string;
  caseIndex: number;
  problem: string;
  /** The mutated input, to reproduce. */
  text: string;
}

export interface FuzzReport {
  cases: number;
  failures: Failure[];
  slowest: { seed: string; caseIndex: number; ms: number };
  /** Cases per front end (by fixture folder). */
  perFolder: Record<string, number>;
}

/** Every fixture of every front end. */
export function seeds(): Seed[] {
  const out: Seed[] = [];
  for (const folder of ['keras', 'pytorch', 'flax', 'tfjs', 'kerasjson', 'notebooks']) {
    for (const file of fs.readdirSync(path.join(FIXTURES, folder)).sort()) {
      if (!/\.(py|js|ts|json|ipynb)$/.test(file)) continue;
      out.push({ name: `${folder}/${file}`, text: fs.readFileSync(path.join(FIXTURES, folder, file), 'utf8') });
    }
  }
  return out;
}

/** Tokens the front ends react to, by language. */
const TOKENS: Record<'python' | 'js' | 'json', string[]> = {
  python: [
    '(',
    ')',
    '[',
    ']',
    '{',
    '}',
    ':',
    ',',
    '"',
    "'",
    '"""',
    '\n',
    '\n    ',
    '#',
    '\\',
    '=',
    '.',
    '*',
    '**',
    'Dense(',
    'layers.Dense(64, activation="relu")',
    'nn.Linear(128, 128)',
    'nn.ReLU()',
    'Conv2D(32, 3)',
    'kernel_initializer="zeros"',
    'kernel_initializer=tf.keras.initializers.RandomNormal(stddev=1e308)',
    'init="uniform"',
    'output_dim=',
    '-5',
    '0',
    '1e308',
    '1e-320',
    'float("inf")',
    'float("nan")',
    '10**400',
    'input_shape=(0,)',
    'for i in range(64):\n    ',
    'for _ in range(10**9):\n        ',
    'while True:\n    ',
    'def f(self, x):\n    return f(self, x)\n',
    'class M(nn.Module):\n    ',
    'self.',
    'lambda x: x',
    'None',
    'tf.Variable(tf.random_normal([784, 10]))',
    'tf.matmul(x, W)',
    'torch.cat([x, x], 1)',
    '%matplotlib inline\n',
    '!pip install x\n',
    '# comment\n# comment\n# comment\n# comment\n# comment\n# comment\n# comment\n# comment\n# comment\n',
  ],
  js: [
    '(',
    ')',
    '[',
    ']',
    '{',
    '}',
    ':',
    ',',
    '"',
    "'",
    '`',
    '\n',
    ';',
    '/*',
    '*/',
    '//',
    '=>',
    '...',
    '.',
    'tf.layers.dense({units: 64, activation: "relu"})',
    'tf.layers.dense({units: -5})',
    'units: Infinity',
    'kernelInitializer: "zeros"',
    'inputShape: [0]',
    'tf.sequential({layers: []})',
    'model.add(',
    'for (let i = 0; i < 1e9; i++) {',
    'while (true) {',
    'function f() { return f(); }',
    'Array.from({length: 1e9}, () => ',
    'tf.initializers.randomNormal({stddev: 1e308})',
    'NaN',
    '1e-320',
    'async () => {',
    'class M { constructor() {',
  ],
  json: [
    '{',
    '}',
    '[',
    ']',
    ':',
    ',',
    '"',
    'null',
    'true',
    '1e308',
    '-5',
    '0',
    'NaN',
    '"Dense"',
    '"units": -5,',
    '"kernel_initializer": {"class_name": "RandomNormal", "config": {"stddev": 1e308}},',
    '"activation": "relu",',
    '{"class_name": "Dense", "config": {"units": 64, "activation": "relu"}},',
    '"\\u0000"',
    '\\',
  ],
};

function languageOf(name: string): 'python' | 'js' | 'json' {
  if (/\.(js|ts)$/.test(name)) return 'js';
  if (name.endsWith('.json')) return 'json';
  return 'python';
}

/** One to three mutations of `text`, chosen by `rand`. Notebooks are mutated inside their JSON text. */
export function mutate(text: string, language: 'python' | 'js' | 'json', rand: () => number): string {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
  const at = () => Math.floor(rand() * (text.length + 1));
  const span = () => {
    const a = at();
    return [a, Math.min(text.length, a + 1 + Math.floor(rand() * rand() * 200))] as const;
  };
  const rounds = 1 + Math.floor(rand() * 3);
  for (let r = 0; r < rounds; r++) {
    switch (Math.floor(rand() * 6)) {
      case 0: {
        // delete a span
        const [a, b] = span();
        text = text.slice(0, a) + text.slice(b);
        break;
      }
      case 1: {
        // duplicate a span in place
        const [a, b] = span();
        text = text.slice(0, b) + text.slice(a, b) + text.slice(b);
        break;
      }
      case 2: {
        // move a span elsewhere
        const [a, b] = span();
        const piece = text.slice(a, b);
        const rest = text.slice(0, a) + text.slice(b);
        const to = Math.floor(rand() * (rest.length + 1));
        text = rest.slice(0, to) + piece + rest.slice(to);
        break;
      }
      case 3: {
        // swap two lines
        const lines = text.split('\n');
        const i = Math.floor(rand() * lines.length);
        const j = Math.floor(rand() * lines.length);
        [lines[i], lines[j]] = [lines[j], lines[i]];
        text = lines.join('\n');
        break;
      }
      default: {
        // insert a token
        const a = at();
        text = text.slice(0, a) + pick(TOKENS[language]) + text.slice(a);
      }
    }
  }
  return text;
}

const NON_FINITE = /\b(?:Infinity|NaN)\b|InfinityeNaN/;

/** What a user sees of an analysis, for comparing two lints of one text. */
function visible(a: Analysis): string {
  return JSON.stringify({
    findings: a.findings.map((f) => [
      f.code,
      f.start,
      f.end,
      f.severity,
      f.message,
      f.layer,
      f.fix?.title,
      f.fix?.edits.map((e) => [e.start, e.end, e.newText]),
    ]),
    errors: a.errors,
    skipped: a.skipped,
  });
}

/** Every string a user reads in an analysis. */
function texts(a: Analysis): string[] {
  return [
    ...a.findings.flatMap((f) => [f.message, f.layer, f.model, f.fix?.title ?? '', ...f.related.map((r) => r.message)]),
    ...a.models.flatMap((m) => [m.name, ...m.layers.map((l) => l.label)]),
    ...a.errors,
  ];
}

export function fuzz(linter: Linter, options: { cases: number; seed: number }): FuzzReport {
  const all = seeds();
  const rand = rng(options.seed);
  const report: FuzzReport = { cases: 0, failures: [], slowest: { seed: '', caseIndex: -1, ms: 0 }, perFolder: {} };
  for (let i = 0; i < options.cases; i++) {
    const seed = all[i % all.length];
    const language = languageOf(seed.name);
    const text = mutate(seed.text, language, rand);
    const fileName = `/fuzz/${seed.name}`;
    const fail = (problem: string) => report.failures.push({ seed: seed.name, caseIndex: i, problem, text });
    report.cases++;
    report.perFolder[seed.name.split('/')[0]] = (report.perFolder[seed.name.split('/')[0]] ?? 0) + 1;
    try {
      const t0 = performance.now();
      const fresh = linter.analyze(text, fileName, { cacheKey: false });
      const ms = performance.now() - t0;
      if (ms > report.slowest.ms) report.slowest = { seed: seed.name, caseIndex: i, ms };
      // A label may quote the user's own `units: Infinity`; the engine must never print one of its own.
      const bad = /Infinity|NaN/.test(text) ? undefined : texts(fresh).find((s) => NON_FINITE.test(s));
      if (bad) fail(`prints a non-finite number: ${bad.slice(0, 200)}`);
      // The editor's path: the fixture first, then the mutated text as an edit of it.
      const key = `fuzz:${i}`;
      linter.analyze(seed.text, fileName, { cacheKey: key });
      const incremental = linter.analyze(text, fileName, { cacheKey: key });
      linter.forget(key);
      if (visible(incremental) !== visible(fresh))
        fail(`incremental lint differs from a fresh one:\n  fresh ${visible(fresh).slice(0, 400)}\n  incr. ${visible(incremental).slice(0, 400)}`);
    } catch (err) {
      fail(`throws: ${(err as Error).stack ?? err}`);
    }
  }
  return report;
}

/** A failure, short enough to read and complete enough to reproduce. */
export function describeFailure(f: Failure): string {
  return `${f.seed} case ${f.caseIndex}: ${f.problem}\n--- input (${f.text.length} chars) ---\n${f.text.length > 3000 ? `${f.text.slice(0, 3000)}\n[...]` : f.text}`;
}
