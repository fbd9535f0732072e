/**
 * `npm run bench` (or `node bench/run.mjs` after a build): how long initlint takes on a
 * realistic ~2,000-line Keras file, next to two reference points on the same text:
 * ruff's WebAssembly build (another linter running in the same Node process) and CPython's own
 * `ast.parse` (the floor for "read this Python file").
 *
 *   node bench/run.mjs [--json] [--write-docs] [--runs N] [--warmup N] [--warmup-ms MS] [--lines N]
 *
 * --json        print the results as JSON instead of a table
 * --write-docs  (re)write docs/benchmarks.md with these numbers
 * --runs        timed runs per measurement (default 30)
 * --warmup      least number of untimed warm-up runs per measurement (default 10)
 * --warmup-ms   least warm-up time per measurement (default 3000); see measure()
 * --lines       size of the generated file (default 2000)
 *
 * The benchmark measures; it never fails because of a timing. It exits non-zero only when it
 * cannot run at all (no build, or a generated input that does not parse).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generateKerasFile, oneDigitEditPair } from './generate.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

/** initlint's full lint should take at most this fraction of ruff-wasm's time on the same file. */
const TARGET_RATIO_VS_RUFF = 0.25;
const SEED = 42;

const { values: opts } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    'write-docs': { type: 'boolean', default: false },
    runs: { type: 'string', default: '30' },
    warmup: { type: 'string', default: '10' },
    'warmup-ms': { type: 'string', default: '3000' },
    lines: { type: 'string', default: '2000' },
  },
});
const RUNS = positiveInt(opts.runs, '--runs');
const WARMUP = positiveInt(opts.warmup, '--warmup', true);
const WARMUP_MS = positiveInt(opts['warmup-ms'], '--warmup-ms', true);
/** Warm-up gives up waiting for steady timings after this long and says so in the results. */
const MAX_WARMUP_MS = Math.max(20_000, WARMUP_MS);
const WARMUP_ROUND = 10;
const LINES = positiveInt(opts.lines, '--lines');

function positiveInt(s, flag, zeroOk = false) {
  const n = Number(s);
  if (!Number.isInteger(n) || n < (zeroOk ? 0 : 1)) {
    console.error(`bench: ${flag} must be a ${zeroOk ? 'non-negative' : 'positive'} integer, not ${JSON.stringify(s)}`);
    process.exit(2);
  }
  return n;
}

// ---- statistics ----

/** Nearest-rank percentile: with 30 samples, p90 is the 27th smallest, a value actually observed. */
function percentile(sorted, p) {
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
}

function summarize(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    median: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    min: sorted[0],
    max: sorted[sorted.length - 1],
    runs: sorted.length,
  };
}

/**
 * Warm `fn` up, then time it RUNS times. `fn(i)` gets a call counter that keeps counting from
 * the warm-up into the timed runs; `after(i)` runs outside the timed region.
 *
 * Warm-up is by time as well as by count because of V8's WebAssembly tiering: both ruff and
 * tree-sitter start in the baseline compiler (Liftoff) and hot functions are recompiled by
 * TurboFan in the background. On a 2-core machine ruff-wasm's check of the 2,000-line file
 * took ~20 ms for its first ~100 calls (about 2 s) and then dropped to ~5 ms. A few warm-up
 * calls would compare a half-compiled ruff with a warm initlint. So warm-up runs in rounds of
 * WARMUP_ROUND calls until at least WARMUP calls and WARMUP_MS have passed *and* two
 * consecutive rounds agree within 10% (so a tier-up in progress is waited out), or until
 * MAX_WARMUP_MS, in which case `settled` is false.
 */
function measure(fn, { after } = {}) {
  let k = 0;
  const call = () => {
    const i = k++;
    const t0 = performance.now();
    fn(i);
    const dt = performance.now() - t0;
    after?.(i);
    return dt;
  };
  const start = performance.now();
  let settled = WARMUP === 0 && WARMUP_MS === 0;
  let previous;
  while (!settled) {
    const round = Array.from({ length: WARMUP_ROUND }, call).sort((a, b) => a - b);
    const m = percentile(round, 50);
    const elapsed = performance.now() - start;
    if (k >= WARMUP && elapsed >= WARMUP_MS && previous !== undefined && Math.abs(m - previous) <= 0.1 * previous) settled = true;
    else if (elapsed >= MAX_WARMUP_MS) break;
    previous = m;
  }
  const warmup = { runs: k, ms: performance.now() - start, settled };
  const samples = Array.from({ length: RUNS }, call);
  return { ...summarize(samples), warmup };
}

// ---- the input ----

const text = generateKerasFile({ lines: LINES, seed: SEED });
const edit = oneDigitEditPair(text);
const lineCount = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);

// ---- (a) and (b): initlint ----

const enginePath = join(root, 'dist', 'engine.js');
if (!existsSync(enginePath)) {
  console.error('bench: dist/engine.js is missing; run `node scripts/build.mjs` first (or `npm run bench`).');
  process.exit(2);
}
const { createLinter } = require(enginePath);

let t0 = performance.now();
const linter = await createLinter();
const initlintSetupMs = performance.now() - t0;

// The first lint in the process, timed once: what a one-shot CLI run pays (cold JIT, Liftoff wasm).
t0 = performance.now();
const check = linter.analyze(text, 'bench-check.py');
const initlintFirstMs = performance.now() - t0;
linter.forget('bench-check.py');
if (check.errors.length) {
  console.error(`bench: the generated file does not lint cleanly:\n  ${check.errors.join('\n  ')}`);
  process.exit(2);
}
const findingsByCode = {};
for (const f of [...check.findings].sort((a, b) => a.code.localeCompare(b.code))) {
  findingsByCode[f.code] = (findingsByCode[f.code] ?? 0) + 1;
}

// A fresh file name each time means no previous tree to reuse: every lint parses from scratch.
// The name is forgotten right after (outside the timed region), so the engine's per-file tree
// cache stays empty and no iteration pays for evicting an older entry.
const full = measure((i) => linter.lint(text, `bench-${i}.py`), {
  after: (i) => linter.forget(`bench-${i}.py`),
});

// One file name, linted once untimed, then the same one-digit edit typed back and forth: every
// timed lint is "the file changed by one character since the last lint", the editor case.
const INCREMENTAL_FILE = 'bench-incremental.py';
linter.lint(text, INCREMENTAL_FILE);
const incremental = measure((i) => linter.lint(i % 2 === 0 ? edit.after : edit.before, INCREMENTAL_FILE));
linter.forget(INCREMENTAL_FILE);

// ---- (c): ruff-wasm ----

const ruffPkg = require('@astral-sh/ruff-wasm-nodejs');
t0 = performance.now();
// The default settings are ruff's playground defaults (several hundred rules), the closest thing
// to "ruff as people run it"; UTF-16 positions match what a Node/VS Code host would ask for.
const ruff = new ruffPkg.Workspace(ruffPkg.Workspace.defaultSettings(), ruffPkg.PositionEncoding.Utf16);
const ruffSetupMs = performance.now() - t0;
t0 = performance.now();
const ruffDiagnostics = ruff.check(text);
const ruffFirstMs = performance.now() - t0;
const ruffSyntaxErrors = ruffDiagnostics.filter((d) => d.code === null || /syntax/i.test(d.message)).length;
const ruffResult = measure(() => ruff.check(text));
ruff.free();

// ---- (d): CPython ast.parse ----

// Timed inside Python with perf_counter, so interpreter start-up and piping the text in are not
// counted. CPython 3.11 has no JIT to wait for (its specializing interpreter adapts within a few
// calls), so warm-up is only the same least count and time as the JS side, with no settling test.
const PY_TIMER = `
import ast, json, sys, time
warmup, warmup_ms, runs = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
src = sys.stdin.read()
start = time.perf_counter()
n = 0
while n < warmup or (time.perf_counter() - start) * 1000.0 < warmup_ms:
    ast.parse(src)
    n += 1
warm = {"runs": n, "ms": (time.perf_counter() - start) * 1000.0, "settled": True}
samples = []
for _ in range(runs):
    t0 = time.perf_counter()
    ast.parse(src)
    samples.append((time.perf_counter() - t0) * 1000.0)
print(json.dumps({"version": sys.version.split()[0], "warmup": warm, "samples": samples}))
`;

function timeAstParse() {
  for (const exe of ['python3', 'python']) {
    const r = spawnSync(exe, ['-c', PY_TIMER, String(WARMUP), String(WARMUP_MS), String(RUNS)], { input: text, encoding: 'utf8', maxBuffer: 1 << 24 });
    if (r.error?.code === 'ENOENT') continue;
    if (r.status !== 0) return { skipped: `${exe} failed: ${(r.stderr || r.error?.message || '').trim().split('\n').pop()}` };
    const out = JSON.parse(r.stdout);
    return { version: out.version, ...summarize(out.samples), warmup: out.warmup };
  }
  return { skipped: 'no python3 on PATH' };
}
const astParse = timeAstParse();

// ---- report ----

const ratio = (a, b) => (b && b.median > 0 ? a.median / b.median : null);
const measured = [full, incremental, ruffResult, ...(astParse.skipped ? [] : [astParse])];
const notes = [];
if (astParse.skipped) notes.push(`ast.parse not measured: ${astParse.skipped}`);
if (measured.some((m) => !m.warmup.settled)) {
  notes.push(`some timings had not settled after ${MAX_WARMUP_MS / 1000} s of warm-up (see warm-up column): treat them with care`);
}

const results = {
  date: new Date().toISOString(),
  command: 'npm run bench',
  machine: {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    ruff: ruffPkg.Workspace.version(),
    python: astParse.version ?? null,
  },
  input: {
    generator: `generateKerasFile({ lines: ${LINES}, seed: ${SEED} })`,
    lines: lineCount,
    chars: text.length,
    initlintFindings: check.findings.length,
    initlintFindingsByCode: findingsByCode,
    initlintModels: check.models.length,
    ruffDiagnostics: ruffDiagnostics.length,
    ruffSyntaxErrors,
    editOffset: edit.offset,
  },
  settings: { runs: RUNS, minWarmupRuns: WARMUP, minWarmupMs: WARMUP_MS, maxWarmupMs: MAX_WARMUP_MS },
  setupMs: { initlintCreateLinter: initlintSetupMs, ruffWorkspace: ruffSetupMs },
  firstCallMs: { initlint: initlintFirstMs, ruffWasm: ruffFirstMs },
  results: {
    initlintFull: full,
    initlintIncremental: incremental,
    ruffWasm: ruffResult,
    astParse: astParse.skipped ? null : astParse,
  },
  ratios: {
    initlintFullVsRuff: ratio(full, ruffResult),
    initlintFullVsAstParse: astParse.skipped ? null : ratio(full, astParse),
    initlintIncrementalVsRuff: ratio(incremental, ruffResult),
    initlintFirstCallVsRuffFirstCall: initlintFirstMs / ruffFirstMs,
  },
  target: {
    description: `initlint full lint <= ${TARGET_RATIO_VS_RUFF}x ruff-wasm (warm medians)`,
    ratio: TARGET_RATIO_VS_RUFF,
    met: ratio(full, ruffResult) <= TARGET_RATIO_VS_RUFF,
  },
  notes,
};

const ms = (v) => (v === undefined || v === null ? '-' : v.toFixed(2));
const times = (r) => (r === undefined || r === null ? '-' : `${r.toFixed(2)}x`);
const warmText = (w) => (w ? `${w.runs} runs / ${(w.ms / 1000).toFixed(1)} s${w.settled ? '' : ' (not settled)'}` : '-');

function table() {
  const rows = [
    ['initlint: full lint (fresh file name)', full],
    ['initlint: re-lint after a 1-char edit', incremental],
    [`ruff-wasm ${results.machine.ruff}: check`, ruffResult],
    [astParse.skipped ? 'CPython ast.parse (skipped)' : `CPython ${astParse.version}: ast.parse`, astParse.skipped ? undefined : astParse],
  ];
  return [
    '| measurement | median (ms) | p90 (ms) | min (ms) | warm-up before timing |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...rows.map(([name, s]) => `| ${name} | ${ms(s?.median)} | ${ms(s?.p90)} | ${ms(s?.min)} | ${warmText(s?.warmup)} |`),
  ].join('\n');
}

function ratioLines() {
  const r = results.ratios;
  return [
    `- initlint full / ruff-wasm: **${times(r.initlintFullVsRuff)}** (target <= ${TARGET_RATIO_VS_RUFF}x: ${results.target.met ? 'met' : 'NOT met'})`,
    `- initlint full / CPython ast.parse: **${times(r.initlintFullVsAstParse)}**`,
    `- initlint re-lint after an edit / ruff-wasm: ${times(r.initlintIncrementalVsRuff)}`,
    `- cold, first call in the process (one sample each): initlint ${ms(initlintFirstMs)} ms, ruff-wasm ${ms(ruffFirstMs)} ms (${times(r.initlintFirstCallVsRuffFirstCall)})`,
  ].join('\n');
}

function inputLine() {
  const codes = Object.entries(findingsByCode).map(([c, n]) => `${c} ${n}`).join(', ');
  return `${lineCount} lines, ${text.length} characters, ${check.models.length} models; `
    + `initlint reports ${check.findings.length} findings (${codes}) and no syntax errors, ruff ${ruffDiagnostics.length} diagnostics`;
}

function docs() {
  const m = results.machine;
  return `# Benchmarks

Generated by \`bench/run.mjs --write-docs\`; rerun it to refresh these numbers. Command:

\`\`\`sh
npm run bench                   # builds, then prints the table
npm run bench -- --json         # the same results as JSON
npm run bench -- --write-docs   # rewrites this page
\`\`\`

- Date: ${results.date}
- Machine: ${m.cpu}, ${m.cores} cores, ${m.os}
- Node ${m.node}, ruff-wasm ${m.ruff}, CPython ${m.python ?? '(not measured)'}
- Input: ${inputLine()}
- ${RUNS} timed runs per measurement, after a warm-up of at least ${WARMUP} runs and ${WARMUP_MS / 1000} s

${table()}

${ratioLines()}
${notes.map((n) => `\nNote: ${n}\n`).join('')}
## How these numbers are measured

The input is one deterministic Keras module from \`bench/generate.mjs\` (a seeded generator:
Sequential and functional models, Conv2D stacks, BatchNormalization blocks, helper functions
and subclassed \`keras.Model\`s, with real initialization mistakes in about a third of the
blocks), so every run and machine measures the same text.

All JavaScript measurements run in one Node process and are timed with \`performance.now()\`;
the table gives the median, the 90th percentile (nearest rank) and the minimum. Before timing,
each measurement is warmed up until at least ${WARMUP} runs and ${WARMUP_MS / 1000} s have passed and two
consecutive rounds of ${WARMUP_ROUND} runs agree within 10%. The time floor matters: V8 first
runs WebAssembly through its baseline compiler and re-compiles hot functions with its
optimizing compiler in the background, and on a 2-core machine ruff-wasm needed about 2 s
(~100 checks of this file) before it reached its steady speed, about 4x faster than its
first checks. A short count-only warm-up would compare a half-compiled ruff with a warm
initlint. The cold line above shows the other end: the very first call in the process, what a
one-shot CLI run pays.

- **Full lint** is \`linter.lint(text, name)\` with a new file name each run, so nothing is
  reused: tree-sitter parse, the Keras front end, the rules and the findings with their fixes.
- **Re-lint after a 1-char edit** lints one file name repeatedly while one digit of a
  \`Dense(...)\` units argument near the middle of the file flips back and forth, so the
  engine's incremental re-parse is used (the front end and rules still run over the whole file).
- **ruff-wasm** is \`Workspace.check(text)\` of \`@astral-sh/ruff-wasm-nodejs\` with
  \`Workspace.defaultSettings()\` (the playground's rule selection, several hundred rules), in
  the same process, so both linters pay the same JS/WebAssembly boundary costs.
- **ast.parse** is CPython's \`ast.parse(text)\`, timed inside Python with
  \`time.perf_counter()\` so interpreter start-up is excluded, after the same warm-up floor.

One-off set-up is not in the table: \`createLinter()\` took ${ms(initlintSetupMs)} ms and ruff's
\`new Workspace()\` ${ms(ruffSetupMs)} ms. The numbers compare tools on one machine at one moment;
on a small shared machine the medians of repeated runs can differ by 10% or more, so compare
ratios from the same run rather than absolute times across machines.
`;
}

if (opts.json) {
  console.log(JSON.stringify(results, null, 2));
} else {
  const m = results.machine;
  console.log(`initlint benchmark: ${m.cpu}, ${m.cores} cores, Node ${m.node}`);
  console.log(`input: ${inputLine()}`);
  console.log(`${RUNS} timed runs each after >= ${WARMUP} warm-up runs and >= ${WARMUP_MS / 1000} s; `
    + `set-up (not in table): createLinter ${ms(initlintSetupMs)} ms, ruff Workspace ${ms(ruffSetupMs)} ms\n`);
  console.log(table());
  console.log(`\n${ratioLines().replace(/\*\*/g, '')}`);
  for (const n of notes) console.log(`note: ${n}`);
}

if (opts['write-docs']) {
  const file = join(root, 'docs', 'benchmarks.md');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, docs());
  // Keep --json output pure JSON on stdout.
  (opts.json ? console.error : console.log)(`wrote ${file}`);
}
