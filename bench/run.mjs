/**
 * `npm run bench` (or `node bench/run.mjs` after a build): how long initlint takes on realistic
 * generated inputs, next to reference points on the same text: ruff's WebAssembly build
 * (another linter running in the same Node process) and CPython's own `ast.parse` (the floor
 * for "read this Python file").
 *
 *   - a ~2,000-line Keras file and a ~2,000-line PyTorch file: full lint, re-lint after a
 *     one-character edit (the editor case), tree-sitter's parse alone, ruff-wasm, ast.parse;
 *   - a 200-cell Jupyter notebook: full lint of the .ipynb, ruff-wasm and ast.parse of its
 *     joined code cells;
 *   - a workspace scan: the CLI (`node dist/cli.js --format json DIR`) over a temporary project
 *     of 2,000 small model files and some that are not, end to end in a child process, with
 *     its peak memory when GNU time is installed.
 *
 *   node bench/run.mjs [--json] [--write-docs] [--runs N] [--warmup N] [--warmup-ms MS] [--lines N]
 *                      [--cells N] [--scan-files N] [--scan-runs N]
 *
 * --json        print the results as JSON instead of tables
 * --write-docs  (re)write docs/benchmarks.md with these numbers
 * --runs        timed runs per in-process measurement (default 30)
 * --warmup      least number of untimed warm-up runs per measurement (default 10)
 * --warmup-ms   least warm-up time per measurement (default 3000); see measure()
 * --lines       size of the generated Keras and PyTorch files (default 2000)
 * --cells       cells of the generated notebook (default 200)
 * --scan-files  model files of the generated workspace (default 2000; 0 skips the scan)
 * --scan-runs   CLI runs over the workspace (default 3; 0 skips the scan)
 *
 * The benchmark measures; it never fails because of a timing. It exits non-zero only when it
 * cannot run at all (no build, or a generated input that does not parse).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CORPUS_SECTION, sectionOf } from './doc-sections.mjs';
import { generateKerasFile, generateNotebook, generateTorchFile, generateWorkspace, notebookCode, oneDigitEditPair } from './generate.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

/** initlint's full lint should take at most this fraction of ruff-wasm's time on the same file. */
const TARGET_RATIO_VS_RUFF = 0.25;
/** A re-lint after a one-character edit (the editor, linting as you type) should take at most this long. */
const TARGET_RELINT_MS = 10;
/** A CLI scan of the generated 2,000-model-file workspace should take at most this long on 2 cores. */
const TARGET_SCAN_MS = 5000;
const TARGET_SCAN_CORES = 2;
const SEED = 42;

const { values: opts } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    'write-docs': { type: 'boolean', default: false },
    runs: { type: 'string', default: '30' },
    warmup: { type: 'string', default: '10' },
    'warmup-ms': { type: 'string', default: '3000' },
    lines: { type: 'string', default: '2000' },
    cells: { type: 'string', default: '200' },
    'scan-files': { type: 'string', default: '2000' },
    'scan-runs': { type: 'string', default: '3' },
  },
});
const RUNS = positiveInt(opts.runs, '--runs');
const WARMUP = positiveInt(opts.warmup, '--warmup', true);
const WARMUP_MS = positiveInt(opts['warmup-ms'], '--warmup-ms', true);
/** Warm-up gives up waiting for steady timings after this long and says so in the results. */
const MAX_WARMUP_MS = Math.max(20_000, WARMUP_MS);
const WARMUP_ROUND = 10;
const LINES = positiveInt(opts.lines, '--lines');
const CELLS = positiveInt(opts.cells, '--cells');
const SCAN_FILES = positiveInt(opts['scan-files'], '--scan-files', true);
const SCAN_RUNS = positiveInt(opts['scan-runs'], '--scan-runs', true);
/** Files of the workspace that are not models: helper modules and experiment configs. */
const SCAN_PLAIN_PY = Math.round(SCAN_FILES / 10);
const SCAN_JSON = Math.round(SCAN_FILES / 20);

function positiveInt(s, flag, zeroOk = false) {
  const n = Number(s);
  if (!Number.isInteger(n) || n < (zeroOk ? 0 : 1)) {
    console.error(`bench: ${flag} must be a ${zeroOk ? 'non-negative' : 'positive'} integer, not ${JSON.stringify(s)}`);
    process.exit(2);
  }
  return n;
}

function fail(message) {
  console.error(`bench: ${message}`);
  process.exit(2);
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

// ---- the inputs ----

const countLines = (s) => s.split('\n').length - (s.endsWith('\n') ? 1 : 0);

const kerasText = generateKerasFile({ lines: LINES, seed: SEED });
const torchText = generateTorchFile({ lines: LINES, seed: SEED });
const notebookText = generateNotebook({ cells: CELLS, seed: SEED });
const notebookPython = notebookCode(notebookText);
const notebookJson = JSON.parse(notebookText);

const INPUTS = {
  keras: {
    title: 'Keras file',
    generator: `generateKerasFile({ lines: ${LINES}, seed: ${SEED} })`,
    text: kerasText,
    python: kerasText,
    ext: 'py',
    edit: oneDigitEditPair(kerasText, 'Dense'),
    editCall: 'Dense',
  },
  torch: {
    title: 'PyTorch file',
    generator: `generateTorchFile({ lines: ${LINES}, seed: ${SEED} })`,
    text: torchText,
    python: torchText,
    ext: 'py',
    edit: oneDigitEditPair(torchText, 'nn.Linear'),
    editCall: 'nn.Linear',
  },
  notebook: {
    title: 'Jupyter notebook',
    generator: `generateNotebook({ cells: ${CELLS}, seed: ${SEED} })`,
    text: notebookText,
    // What ruff and ast.parse get: the code cells joined by "\n", the program the engine lints.
    python: notebookPython,
    ext: 'ipynb',
  },
};

// ---- initlint ----

const enginePath = join(root, 'dist', 'engine.js');
const cliPath = join(root, 'dist', 'cli.js');
if (!existsSync(enginePath)) fail('dist/engine.js is missing; run `node scripts/build.mjs` first (or `npm run bench`).');
const { createLinter, readNotebook } = require(enginePath);
/** 1-minute load averages at the start and the end: a busy machine makes every number suspect. */
const loadAtStart = os.loadavg()[0];

/**
 * CPU time (ms) the whole machine spent busy, this process spent, and its waited-for children
 * (python, the CLI) spent. The difference over the run is what other processes took from us.
 * Children's time comes from /proc/self/stat (Linux; elsewhere it is left out, and the share of
 * other processes is not computed).
 */
function cpuSnapshot() {
  let busy = 0;
  for (const c of os.cpus()) busy += c.times.user + c.times.nice + c.times.sys + c.times.irq;
  const own = process.cpuUsage();
  let children = null;
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 16 and 17 (cutime, cstime) in clock ticks; os.cpus() assumes 100 ticks/s too.
    children = (Number(rest[13]) + Number(rest[14])) * 10;
  } catch {
    // not Linux
  }
  return { at: performance.now(), busy, own: (own.user + own.system) / 1000, children };
}
const cpuAtStart = cpuSnapshot();

let t0 = performance.now();
const linter = await createLinter();
const initlintSetupMs = performance.now() - t0;

/** One untimed lint: findings by code, and a hard stop when the generated input has syntax errors. */
function checkInput(key, input) {
  const fileName = `bench-check-${key}.${input.ext}`;
  const t = performance.now();
  const analysis = linter.analyze(input.text, fileName);
  const ms = performance.now() - t;
  linter.forget(fileName);
  if (analysis.errors.length) fail(`the generated ${input.title} does not lint cleanly:\n  ${analysis.errors.join('\n  ')}`);
  if (analysis.notebook && analysis.notebook.code !== input.python) fail('the notebook code the engine joined differs from notebookCode() of bench/generate.mjs');
  const byCode = {};
  for (const f of [...analysis.findings].sort((a, b) => a.code.localeCompare(b.code))) byCode[f.code] = (byCode[f.code] ?? 0) + 1;
  return { ms, findings: analysis.findings.length, byCode, models: analysis.models.length };
}

// A fresh file name each time means no previous tree to reuse: every lint parses from scratch.
// The name is forgotten right after (outside the timed region), so the engine's per-file tree
// cache stays empty and no iteration pays for evicting an older entry.
function measureFull(key, input) {
  const name = (i) => `bench-${key}-${i}.${input.ext}`;
  return measure((i) => linter.lint(input.text, name(i)), { after: (i) => linter.forget(name(i)) });
}

// One file name, linted once untimed, then the same one-digit edit typed back and forth: every
// timed lint is "the file changed by one character since the last lint", the editor case.
function measureIncremental(key, input) {
  const file = `bench-${key}-incremental.${input.ext}`;
  linter.lint(input.text, file);
  const r = measure((i) => linter.lint(i % 2 === 0 ? input.edit.after : input.edit.before, file));
  linter.forget(file);
  return r;
}

// The first lint in the process, timed once: what a one-shot CLI run pays (cold JIT, Liftoff wasm).
const checks = {};
checks.keras = checkInput('keras', INPUTS.keras);
const initlintFirstMs = checks.keras.ms;
checks.torch = checkInput('torch', INPUTS.torch);
checks.notebook = checkInput('notebook', INPUTS.notebook);

const results = { keras: {}, torch: {}, notebook: {} };
results.keras.initlintFull = measureFull('keras', INPUTS.keras);
results.keras.initlintIncremental = measureIncremental('keras', INPUTS.keras);

// ---- ruff-wasm ----

const ruffPkg = require('@astral-sh/ruff-wasm-nodejs');
t0 = performance.now();
// The default settings are ruff's playground defaults (several hundred rules), the closest thing
// to "ruff as people run it"; UTF-16 positions match what a Node/VS Code host would ask for.
const ruff = new ruffPkg.Workspace(ruffPkg.Workspace.defaultSettings(), ruffPkg.PositionEncoding.Utf16);
const ruffSetupMs = performance.now() - t0;
t0 = performance.now();
const ruffFirst = ruff.check(INPUTS.keras.python);
const ruffFirstMs = performance.now() - t0;

const ruffInfo = {};
for (const [key, input] of Object.entries(INPUTS)) {
  const diagnostics = key === 'keras' ? ruffFirst : ruff.check(input.python);
  // ruff 0.17 reports a syntax error with the code "invalid-syntax"; older builds with none.
  const syntaxErrors = diagnostics.filter((d) => d.code === null || d.code === 'invalid-syntax' || /syntax/i.test(d.message));
  if (syntaxErrors.length) fail(`ruff finds syntax errors in the generated ${input.title}:\n  ${syntaxErrors.slice(0, 5).map((d) => `${d.start_location?.row}:${d.start_location?.column} ${d.message}`).join('\n  ')}`);
  ruffInfo[key] = { diagnostics: diagnostics.length, syntaxErrors: syntaxErrors.length };
}
results.keras.ruffWasm = measure(() => ruff.check(INPUTS.keras.python));

// ---- tree-sitter's parse alone ----

// The engine's parser without the engine: web-tree-sitter and the same grammar file, its own
// instance in this process. It shows how much of a lint is the parse, and so what a faster
// front end or rule set could gain at most.
let treeSitter;
try {
  const { Parser, Language } = require('web-tree-sitter');
  await Parser.init();
  const language = await Language.load(readFileSync(join(root, 'dist', 'tree-sitter-python.wasm')));
  const parser = new Parser();
  parser.setLanguage(language);
  treeSitter = { parser };
} catch (e) {
  treeSitter = { skipped: `web-tree-sitter could not be loaded: ${e.message}` };
}

function measureParse(text) {
  let tree;
  return measure(() => { tree = treeSitter.parser.parse(text); }, { after: () => tree.delete() });
}

/** Row and column (UTF-16 units, as the engine passes them) of an offset. */
function pointAt(text, index) {
  const lineStart = text.lastIndexOf('\n', index - 1) + 1;
  return { row: countLines(text.slice(0, lineStart)), column: index - lineStart };
}

// The incremental re-parse the engine does for the editor case: tree.edit() for the one
// changed character, then parse(newText, oldTree). Edit and parse are timed, as in the engine.
function measureReparse(input) {
  const { before, after, offset } = input.edit;
  const point = pointAt(before, offset);
  const next = { row: point.row, column: point.column + 1 };
  const edit = { startIndex: offset, oldEndIndex: offset + 1, newEndIndex: offset + 1, startPosition: point, oldEndPosition: next, newEndPosition: next };
  let tree = treeSitter.parser.parse(before);
  let fresh;
  const r = measure((i) => {
    tree.edit(edit);
    fresh = treeSitter.parser.parse(i % 2 === 0 ? after : before, tree);
  }, { after: () => { tree.delete(); tree = fresh; } });
  tree.delete();
  return r;
}

if (!treeSitter.skipped) {
  results.keras.treeSitterParse = measureParse(INPUTS.keras.python);
  results.keras.treeSitterReparse = measureReparse(INPUTS.keras);
}

// ---- PyTorch and the notebook ----

results.torch.initlintFull = measureFull('torch', INPUTS.torch);
results.torch.initlintIncremental = measureIncremental('torch', INPUTS.torch);
results.torch.ruffWasm = measure(() => ruff.check(INPUTS.torch.python));
if (!treeSitter.skipped) {
  results.torch.treeSitterParse = measureParse(INPUTS.torch.python);
  results.torch.treeSitterReparse = measureReparse(INPUTS.torch);
}
results.notebook.initlintFull = measureFull('notebook', INPUTS.notebook);
// The notebook-only part of that lint: parsing the .ipynb JSON and joining the code cells.
if (typeof readNotebook === 'function') results.notebook.readNotebook = measure(() => readNotebook(INPUTS.notebook.text));
results.notebook.ruffWasm = measure(() => ruff.check(INPUTS.notebook.python));
ruff.free();

// ---- CPython ast.parse ----

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

function timeAstParse(text) {
  for (const exe of ['python3', 'python']) {
    const r = spawnSync(exe, ['-c', PY_TIMER, String(WARMUP), String(WARMUP_MS), String(RUNS)], { input: text, encoding: 'utf8', maxBuffer: 1 << 24 });
    if (r.error?.code === 'ENOENT') continue;
    if (r.status !== 0) return { skipped: `${exe} failed: ${(r.stderr || r.error?.message || '').trim().split('\n').pop()}` };
    const out = JSON.parse(r.stdout);
    return { version: out.version, ...summarize(out.samples), warmup: out.warmup };
  }
  return { skipped: 'no python3 on PATH' };
}
const astParse = {};
for (const [key, input] of Object.entries(INPUTS)) {
  astParse[key] = timeAstParse(input.python);
  // A generated input CPython cannot parse is a generator bug, not a measurement.
  if (/SyntaxError|IndentationError/.test(astParse[key].skipped ?? '')) fail(`CPython cannot parse the generated ${input.title}: ${astParse[key].skipped}`);
  if (!astParse[key].skipped) results[key].astParse = astParse[key];
}
const pythonVersion = Object.values(astParse).find((a) => a.version)?.version ?? null;

// ---- the workspace scan ----

/** GNU time (`/usr/bin/time`, Debian package `time`) reports a child's peak RSS with -f %M. */
function findGnuTime() {
  for (const exe of ['/usr/bin/time', '/usr/local/bin/time']) {
    if (!existsSync(exe)) continue;
    const r = spawnSync(exe, ['--version'], { encoding: 'utf8' });
    if (/GNU/.test(`${r.stdout}${r.stderr}`)) return exe;
  }
  return undefined;
}

/**
 * Writes the generated project to a temporary folder and runs the CLI over it SCAN_RUNS times,
 * each a fresh `node dist/cli.js --format json .` in the folder, timed from spawn to exit. The
 * folder is removed afterwards, whatever happens.
 */
function timeScan() {
  if (SCAN_FILES === 0 || SCAN_RUNS === 0) return { skipped: 'disabled (--scan-files 0 or --scan-runs 0)' };
  if (!existsSync(cliPath)) fail('dist/cli.js is missing; run `node scripts/build.mjs` first (or `npm run bench`).');
  const files = generateWorkspace({ models: SCAN_FILES, plainPython: SCAN_PLAIN_PY, json: SCAN_JSON, seed: SEED });
  const modelFiles = files.filter((f) => f.path.startsWith('models/'));
  const modelLines = modelFiles.map((f) => countLines(f.text));
  const dir = mkdtempSync(join(os.tmpdir(), 'initlint-bench-'));
  const timeFile = `${dir}.time`;
  const gnuTime = findGnuTime();
  try {
    let t = performance.now();
    for (const f of files) {
      const abs = join(dir, ...f.path.split('/'));
      mkdirSync(dirname(abs), { recursive: true });
      writeFileSync(abs, f.text);
    }
    const writeMs = performance.now() - t;
    const cliArgs = [cliPath, '--format', 'json', '.'];
    const runs = [];
    let output;
    for (let r = 0; r < SCAN_RUNS; r++) {
      const [exe, args] = gnuTime ? [gnuTime, ['-f', '%M', '-o', timeFile, process.execPath, ...cliArgs]] : [process.execPath, cliArgs];
      t = performance.now();
      const child = spawnSync(exe, args, { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 28 });
      const wallMs = performance.now() - t;
      // 0: no finding, 1: findings (expected here); anything else means the CLI did not run.
      if (child.error || (child.status !== 0 && child.status !== 1)) {
        return { skipped: `the CLI failed (status ${child.status}): ${(child.stderr || child.error?.message || '').trim().split('\n').slice(-3).join(' / ')}` };
      }
      output = JSON.parse(child.stdout);
      if (output.errors.length) {
        fail(`the CLI reports errors in the generated workspace:\n  ${output.errors.slice(0, 5).map((e) => `${e.file}: ${e.message}`).join('\n  ')}`);
      }
      // GNU time writes "Command exited with non-zero status 1" first when the CLI found problems.
      const kb = gnuTime ? Number(readFileSync(timeFile, 'utf8').trim().split('\n').pop()) : NaN;
      runs.push({ wallMs, peakRssMb: Number.isFinite(kb) ? kb / 1024 : null });
    }
    const wall = summarize(runs.map((r) => r.wallMs));
    const rss = runs.map((r) => r.peakRssMb).filter((v) => v !== null);
    const byCode = {};
    for (const f of output.findings) byCode[f.code] = (byCode[f.code] ?? 0) + 1;
    return {
      generator: `generateWorkspace({ models: ${SCAN_FILES}, plainPython: ${SCAN_PLAIN_PY}, json: ${SCAN_JSON}, seed: ${SEED} })`,
      command: 'node dist/cli.js --format json .',
      files: files.length,
      modelFiles: modelFiles.length,
      plainPythonFiles: SCAN_PLAIN_PY,
      jsonFiles: SCAN_JSON,
      modelFileLines: { min: Math.min(...modelLines), max: Math.max(...modelLines), mean: modelLines.reduce((a, b) => a + b, 0) / modelLines.length },
      bytes: files.reduce((n, f) => n + Buffer.byteLength(f.text), 0),
      writeMs,
      filesLinted: output.files,
      findings: output.findings.length,
      findingsByCode: Object.fromEntries(Object.entries(byCode).sort()),
      filesWithFindings: new Set(output.findings.map((f) => f.file)).size,
      wallMs: wall,
      runs,
      peakRssMb: rss.length ? Math.max(...rss) : null,
      memory: gnuTime ? `${gnuTime} -f %M` : 'not measured: GNU time not found (Debian package `time`)',
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(timeFile, { force: true });
  }
}
const scan = timeScan();

// ---- report ----

const ratio = (a, b) => (a && b && b.median > 0 ? a.median / b.median : null);
const cores = os.cpus().length;
const loadAtEnd = os.loadavg()[0];
const cpuAtEnd = cpuSnapshot();
/** Share of the machine's CPU capacity that other processes used during the run. */
const otherCpuShare = cpuAtStart.children === null || cpuAtEnd.children === null ? null
  : Math.max(0, (cpuAtEnd.busy - cpuAtStart.busy) - (cpuAtEnd.own - cpuAtStart.own) - (cpuAtEnd.children - cpuAtStart.children))
    / ((cpuAtEnd.at - cpuAtStart.at) * cores);
const notes = [];
if (otherCpuShare !== null ? otherCpuShare > 0.1 : Math.max(loadAtStart, loadAtEnd) > cores) {
  const how = otherCpuShare !== null
    ? `other processes used ${(100 * otherCpuShare).toFixed(0)}% of the ${cores} cores' time during the run`
    : `1-minute load average ${loadAtStart.toFixed(1)} at the start, ${loadAtEnd.toFixed(1)} at the end, on ${cores} cores`;
  notes.push(`the machine was busy while measuring (${how}): these numbers are slower and noisier than on a quiet machine; rerun when it is idle`);
}
for (const [key, a] of Object.entries(astParse)) if (a.skipped) notes.push(`ast.parse of the ${INPUTS[key].title} not measured: ${a.skipped}`);
if (treeSitter.skipped) notes.push(`tree-sitter parse not measured: ${treeSitter.skipped}`);
if (scan.skipped) notes.push(`workspace scan not measured: ${scan.skipped}`);
else if (scan.peakRssMb === null) notes.push(`workspace scan memory ${scan.memory}`);
const allMeasured = Object.values(results).flatMap((r) => Object.values(r));
if (allMeasured.some((m) => !m.warmup.settled)) {
  notes.push(`some timings had not settled after ${MAX_WARMUP_MS / 1000} s of warm-up (see warm-up column): treat them with care`);
}

const ratios = {};
for (const key of Object.keys(INPUTS)) {
  const r = results[key];
  ratios[key] = {
    initlintFullVsRuff: ratio(r.initlintFull, r.ruffWasm),
    initlintFullVsAstParse: ratio(r.initlintFull, r.astParse),
    ...(r.initlintIncremental ? { initlintIncrementalVsRuff: ratio(r.initlintIncremental, r.ruffWasm) } : {}),
    ...(r.treeSitterParse ? { treeSitterParseVsRuff: ratio(r.treeSitterParse, r.ruffWasm), treeSitterParseShareOfFullLint: ratio(r.treeSitterParse, r.initlintFull) } : {}),
  };
}

const targets = [
  ...Object.keys(INPUTS).map((key) => ({
    id: `fullVsRuff.${key}`,
    name: `${INPUTS[key].title}: full lint / ruff-wasm`,
    description: `${INPUTS[key].title}: full lint <= ${TARGET_RATIO_VS_RUFF}x ruff-wasm (warm medians)`,
    measured: ratios[key].initlintFullVsRuff,
    unit: 'x',
    limit: TARGET_RATIO_VS_RUFF,
    met: ratios[key].initlintFullVsRuff !== null && ratios[key].initlintFullVsRuff <= TARGET_RATIO_VS_RUFF,
  })),
  ...['keras', 'torch'].map((key) => ({
    id: `relint.${key}`,
    name: `${INPUTS[key].title}: re-lint after a 1-char edit (median)`,
    description: `${INPUTS[key].title}: re-lint after a 1-char edit <= ${TARGET_RELINT_MS} ms (median)`,
    measured: results[key].initlintIncremental.median,
    unit: 'ms',
    limit: TARGET_RELINT_MS,
    met: results[key].initlintIncremental.median <= TARGET_RELINT_MS,
  })),
  {
    id: 'scan',
    name: `workspace scan, ${SCAN_FILES.toLocaleString('en-US')} model files (median wall time${cores === TARGET_SCAN_CORES ? '' : `, ${cores} cores`})`,
    description: `workspace scan of ${SCAN_FILES.toLocaleString('en-US')} model files <= ${TARGET_SCAN_MS / 1000} s on ${TARGET_SCAN_CORES} cores (median wall time)`,
    measured: scan.skipped ? null : scan.wallMs.median,
    unit: 'ms',
    limit: TARGET_SCAN_MS,
    met: scan.skipped ? null : scan.wallMs.median <= TARGET_SCAN_MS,
    cores,
  },
];

const report = {
  date: new Date().toISOString(),
  command: 'npm run bench',
  machine: {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores,
    memoryGb: os.totalmem() / 2 ** 30,
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    ruff: ruffPkg.Workspace.version(),
    python: pythonVersion,
    loadAverage: { start: loadAtStart, end: loadAtEnd },
    otherProcessesCpuShare: otherCpuShare,
  },
  inputs: Object.fromEntries(Object.entries(INPUTS).map(([key, input]) => [key, {
    generator: input.generator,
    lines: countLines(input.text),
    chars: input.text.length,
    ...(key === 'notebook' ? {
      cells: notebookJson.cells.length,
      codeCells: notebookJson.cells.filter((c) => c.cell_type === 'code').length,
      codeLines: countLines(input.python),
      codeChars: input.python.length,
    } : {}),
    initlintFindings: checks[key].findings,
    initlintFindingsByCode: checks[key].byCode,
    initlintModels: checks[key].models,
    ruffDiagnostics: ruffInfo[key].diagnostics,
    ruffSyntaxErrors: ruffInfo[key].syntaxErrors,
    ...(input.edit ? { editCall: input.editCall, editOffset: input.edit.offset } : {}),
  }])),
  settings: { runs: RUNS, minWarmupRuns: WARMUP, minWarmupMs: WARMUP_MS, maxWarmupMs: MAX_WARMUP_MS, scanRuns: SCAN_RUNS },
  setupMs: { initlintCreateLinter: initlintSetupMs, ruffWorkspace: ruffSetupMs },
  firstCallMs: { initlint: initlintFirstMs, ruffWasm: ruffFirstMs, input: 'keras' },
  results,
  ratios,
  scan,
  targets,
  notes,
};

const ms = (v) => (v === undefined || v === null ? '-' : v.toFixed(2));
const times = (r) => (r === undefined || r === null ? '-' : `${r.toFixed(2)}x`);
const warmText = (w) => (w ? `${w.runs} runs / ${(w.ms / 1000).toFixed(1)} s${w.settled ? '' : ' (not settled)'}` : '-');
const metText = (t) => (t.met === null ? 'not measured' : t.met ? 'met' : 'NOT met');
const measuredText = (t) => (t.measured === null ? '-' : t.unit === 'x' ? times(t.measured) : t.limit >= 1000 ? `${(t.measured / 1000).toFixed(2)} s` : `${ms(t.measured)} ms`);
const limitText = (t) => (t.unit === 'x' ? `<= ${t.limit}x` : t.limit >= 1000 ? `<= ${t.limit / 1000} s` : `<= ${t.limit} ms`);
const target = (id) => targets.find((t) => t.id === id);

function table(key) {
  const r = results[key];
  const a = astParse[key];
  const what = key === 'notebook' ? ' (joined code cells)' : '';
  const rows = [
    [`initlint: full lint (fresh file name${key === 'notebook' ? ', the .ipynb' : ''})`, r.initlintFull],
    ...(r.initlintIncremental ? [['initlint: re-lint after a 1-char edit', r.initlintIncremental]] : []),
    ...(r.readNotebook ? [['initlint: reading the .ipynb alone (JSON, joining cells)', r.readNotebook]] : []),
    ...(r.treeSitterParse ? [['tree-sitter alone: parse', r.treeSitterParse], ['tree-sitter alone: re-parse after the edit', r.treeSitterReparse]] : []),
    [`ruff-wasm ${report.machine.ruff}: check${what}`, r.ruffWasm],
    [a.skipped ? 'CPython ast.parse (skipped)' : `CPython ${a.version}: ast.parse${what}`, r.astParse],
  ];
  return [
    '| measurement | median (ms) | p90 (ms) | min (ms) | warm-up before timing |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...rows.map(([name, s]) => `| ${name} | ${ms(s?.median)} | ${ms(s?.p90)} | ${ms(s?.min)} | ${warmText(s?.warmup)} |`),
  ].join('\n');
}

function ratioLines(key) {
  const r = ratios[key];
  const lines = [
    `- initlint full / ruff-wasm: **${times(r.initlintFullVsRuff)}** (target <= ${TARGET_RATIO_VS_RUFF}x: ${metText(target(`fullVsRuff.${key}`))})`,
    `- initlint full / CPython ast.parse: **${times(r.initlintFullVsAstParse)}**`,
  ];
  if (results[key].initlintIncremental) {
    const t = target(`relint.${key}`);
    lines.push(`- re-lint after a 1-char edit: **${ms(t.measured)} ms** median (target <= ${TARGET_RELINT_MS} ms: ${metText(t)}); ${times(r.initlintIncrementalVsRuff)} ruff-wasm's full check`);
  }
  if (r.treeSitterParse) {
    lines.push(`- tree-sitter's parse alone / ruff-wasm's whole check: ${times(r.treeSitterParseVsRuff)}; the parse is ${(100 * r.treeSitterParseShareOfFullLint).toFixed(0)}% of initlint's full lint`);
  }
  if (results[key].readNotebook) {
    lines.push(`- reading the notebook (JSON parse, joining the code cells) is ${(100 * ratio(results[key].readNotebook, results[key].initlintFull)).toFixed(0)}% of its full lint; the rest is the lint of the joined code`);
  }
  if (key === 'keras') {
    lines.push(`- cold, first call in the process (one sample each): initlint ${ms(initlintFirstMs)} ms, ruff-wasm ${ms(ruffFirstMs)} ms (${times(initlintFirstMs / ruffFirstMs)})`);
  }
  return lines.join('\n');
}

function inputLine(key) {
  const i = report.inputs[key];
  const codes = Object.entries(i.initlintFindingsByCode).map(([c, n]) => `${c} ${n}`).join(', ');
  const size = key === 'notebook'
    ? `${i.cells} cells (${i.codeCells} code), ${i.chars} characters of JSON; joined code ${i.codeLines} lines, ${i.codeChars} characters`
    : `${i.lines} lines, ${i.chars} characters`;
  return `${size}, ${i.initlintModels} models; initlint reports ${i.initlintFindings} findings (${codes}) and no syntax errors, ruff ${i.ruffDiagnostics} diagnostics`;
}

function scanTable() {
  if (scan.skipped) return `Not measured: ${scan.skipped}.`;
  const rows = scan.runs.map((r, i) => `| ${i + 1} | ${(r.wallMs / 1000).toFixed(2)} | ${r.peakRssMb === null ? '-' : r.peakRssMb.toFixed(0)} |`);
  return [
    '| run | wall time (s) | peak RSS (MB) |',
    '| ---: | ---: | ---: |',
    ...rows,
  ].join('\n');
}

function scanLines() {
  if (scan.skipped) return '';
  const t = target('scan');
  const l = scan.modelFileLines;
  const codes = Object.entries(scan.findingsByCode).map(([c, n]) => `${c} ${n}`).join(', ');
  return [
    `- Input: ${scan.files} files, ${(scan.bytes / 2 ** 20).toFixed(1)} MB: ${scan.modelFiles} Keras and PyTorch model files of ${l.min} to ${l.max} lines (mean ${l.mean.toFixed(0)}), ${scan.plainPythonFiles} Python helper modules and ${scan.jsonFiles} JSON configs that are not models, a .gitignore`,
    `- The CLI linted ${scan.filesLinted} files and reported ${scan.findings} findings in ${scan.filesWithFindings} files (${codes}) and no errors`,
    `- Wall time: median **${(scan.wallMs.median / 1000).toFixed(2)} s**, max ${(scan.wallMs.max / 1000).toFixed(2)} s over ${scan.wallMs.runs} runs (${(scan.filesLinted / (scan.wallMs.median / 1000)).toFixed(0)} files/s); target <= ${TARGET_SCAN_MS / 1000} s on ${TARGET_SCAN_CORES} cores: ${metText(t)}${cores === TARGET_SCAN_CORES ? '' : ` (measured on ${cores} cores)`}`,
    `- Peak memory (RSS) of the CLI process: ${scan.peakRssMb === null ? scan.memory : `**${scan.peakRssMb.toFixed(0)} MB**`}`,
  ].join('\n');
}

function targetTable() {
  return [
    '| target | measured | limit | |',
    '| --- | ---: | ---: | --- |',
    ...targets.map((t) => `| ${t.name} | ${measuredText(t)} | ${limitText(t)} | ${t.met === null ? 'not measured' : t.met ? 'met' : '**NOT met**'} |`),
  ].join('\n');
}

/** What the numbers say about the full-lint target, in words, from the numbers. */
function verdict() {
  const lines = [];
  const missed = targets.filter((t) => t.id.startsWith('fullVsRuff.') && t.met === false);
  if (missed.length) {
    const k = results.keras;
    const parseVsRuff = ratios.keras.treeSitterParseVsRuff;
    lines.push(`The full-lint target (<= ${TARGET_RATIO_VS_RUFF}x ruff-wasm) is **not met** on ${missed.length === 3 ? 'any of the three inputs' : missed.map((t) => t.id.split('.')[1]).join(', ')}: `
      + `initlint takes ${times(ratios.keras.initlintFullVsRuff)} ruff's time on the Keras file (${ms(k.initlintFull.median)} ms against ${ms(k.ruffWasm.median)} ms), `
      + `${times(ratios.torch.initlintFullVsRuff)} on the PyTorch file and ${times(ratios.notebook.initlintFullVsRuff)} on the notebook.`
      + (k.treeSitterParse
        ? (parseVsRuff > 1
          ? ` It cannot be met with the current parser: tree-sitter's WebAssembly parse of the Keras file alone takes ${ms(k.treeSitterParse.median)} ms, ${times(parseVsRuff)} ruff's whole check (parse, several hundred rules, diagnostics), before initlint's front ends and rules run at all; the same holds for the PyTorch file (${ms(results.torch.treeSitterParse.median)} ms against ${ms(results.torch.ruffWasm.median)} ms). Even if the front ends and rules cost nothing, the parse would have to be ${(k.treeSitterParse.median / (TARGET_RATIO_VS_RUFF * k.ruffWasm.median)).toFixed(0)}x faster (${ms(TARGET_RATIO_VS_RUFF * k.ruffWasm.median)} ms for the Keras file) to meet it.`
          : ` tree-sitter's parse alone takes ${ms(k.treeSitterParse.median)} ms (${times(parseVsRuff)} ruff's check), so the rest is initlint's own front ends and rules.`)
        : ''));
  }
  const relint = targets.filter((t) => t.id.startsWith('relint.'));
  const relintMissed = relint.filter((t) => t.met === false);
  if (relintMissed.length) {
    const parts = relintMissed.map((t) => {
      const key = t.id.split('.')[1];
      const rp = results[key].treeSitterReparse;
      return `${ms(t.measured)} ms on the ${INPUTS[key].title}${rp ? ` (of which tree-sitter's incremental re-parse is about ${ms(rp.median)} ms)` : ''}`;
    });
    lines.push(`The re-lint target (<= ${TARGET_RELINT_MS} ms) is **not met**: ${parts.join(', ')}. The re-parse itself is incremental and cheap; nearly all of a re-lint is initlint's own work after it, as the front ends and the rules still run over the whole file on every keystroke.`);
  }
  const sc = target('scan');
  if (sc.met === false) {
    lines.push(`The workspace-scan target (<= ${TARGET_SCAN_MS / 1000} s) is **not met**: the median of ${scan.wallMs.runs} runs took ${(scan.wallMs.median / 1000).toFixed(2)} s for ${scan.filesLinted} files (${(scan.filesLinted / (scan.wallMs.median / 1000)).toFixed(0)} files/s).`);
  }
  return lines.join('\n\n');
}

/** The real-code summary bench/corpus.mjs wrote into the page (kept), or where to get it. */
function corpusSection() {
  const file = join(root, 'docs', 'benchmarks.md');
  const kept = existsSync(file) ? sectionOf(readFileSync(file, 'utf8'), CORPUS_SECTION) : undefined;
  return kept ?? `${CORPUS_SECTION.start}\n## Real model code\n\nNot measured yet: \`node bench/corpus.mjs --write-docs\` (part of \`npm run bench\`) writes this section.\n${CORPUS_SECTION.end}`;
}

function docs() {
  const m = report.machine;
  const section = (key) => `## ${INPUTS[key].title}

- Input: ${inputLine(key)}
- Generator: \`${INPUTS[key].generator}\`

${table(key)}

${ratioLines(key)}
`;
  return `# Benchmarks

Generated by \`bench/run.mjs --write-docs\`; rerun it to refresh these numbers. Command:

\`\`\`sh
npm run bench                   # builds, then prints the tables
npm run bench -- --json         # the same results as JSON
npm run bench -- --write-docs   # rewrites this page
\`\`\`

- Date: ${report.date}
- Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGb.toFixed(0)} GB, ${m.os}; ${m.otherProcessesCpuShare === null ? `1-minute load average ${m.loadAverage.start.toFixed(1)} at the start, ${m.loadAverage.end.toFixed(1)} at the end` : `other processes used ${(100 * m.otherProcessesCpuShare).toFixed(0)}% of its CPU time during the run`}
- Node ${m.node}, ruff-wasm ${m.ruff}, CPython ${m.python ?? '(not measured)'}
- ${RUNS} timed runs per in-process measurement, after a warm-up of at least ${WARMUP} runs and ${WARMUP_MS / 1000} s; ${SCAN_RUNS} runs of the workspace scan

## Targets

${targetTable()}

${verdict()}
${notes.map((n) => `\nNote: ${n}\n`).join('')}
${section('keras')}
${section('torch')}
${section('notebook')}
${corpusSection()}

## Workspace scan

${scanTable()}

${scanLines()}

## How these numbers are measured

The inputs come from \`bench/generate.mjs\`, a seeded generator, so every run and machine
measures the same text:

- **Keras file**: Sequential and functional models, Conv2D stacks, BatchNormalization blocks,
  helper functions and subclassed \`keras.Model\`s, with real initialization mistakes in about a
  third of the blocks.
- **PyTorch file**: \`nn.Module\` classes whose \`__init__\` builds \`nn.Linear\`, \`nn.Conv2d\`,
  \`nn.BatchNorm2d\`, \`nn.Sequential(...)\` and \`nn.ModuleList([... for _ in range(n)])\` and
  initializes them with \`nn.init.kaiming_normal_(..., nonlinearity='relu')\`,
  \`nn.init.xavier_uniform_\`, \`self.modules()\` loops and \`self.apply(self._init_weights)\` with
  \`isinstance\` guards and \`module.weight.data.normal_(mean=0.0, std=0.02)\`; \`forward\` applies
  \`F.relu(self.fc(x))\`, \`torch.tanh\` and \`self.act(...)\`. About a third of the layers carry a
  mistake.
- **Notebook**: nbformat 4.5 JSON as Jupyter writes it, ${report.inputs.notebook.cells} cells: imports and set-up in the first
  cells, then sections of markdown, a Keras builder or a PyTorch class, a cell that
  instantiates it, and sometimes a training cell, with printed outputs and PNG plots. initlint
  lints the \`.ipynb\` text (the JSON is read and the code cells joined, which is part of the
  time, and is also timed alone with the engine's \`readNotebook()\`); ruff and ast.parse get
  those joined code cells, the same Python program.

All JavaScript measurements run in one Node process and are timed with \`performance.now()\`;
the tables give the median, the 90th percentile (nearest rank) and the minimum. Before timing,
each measurement is warmed up until at least ${WARMUP} runs and ${WARMUP_MS / 1000} s have passed and two
consecutive rounds of ${WARMUP_ROUND} runs agree within 10%. The time floor matters: V8 first
runs WebAssembly through its baseline compiler and re-compiles hot functions with its
optimizing compiler in the background, and on a 2-core machine ruff-wasm needed about 2 s
(~100 checks of the Keras file) before it reached its steady speed, about 4x faster than its
first checks. A short count-only warm-up would compare a half-compiled ruff with a warm
initlint. The cold line of the Keras section shows the other end: the very first call in the
process, what a one-shot CLI run pays.

- **Full lint** is \`linter.lint(text, name)\` with a new file name each run, so nothing is
  reused: tree-sitter parse, the copy of the whole tree into JavaScript objects (every node
  read once through a tree-sitter cursor, which crosses into WebAssembly for each read), the
  front ends, the rules and the findings with their fixes.
- **Re-lint after a 1-char edit** lints one file name repeatedly while one digit of the first
  argument of a \`Dense(...)\` (Keras) or \`nn.Linear(...)\` (PyTorch) call near the middle of the
  file flips back and forth. This is the editor's lint-as-you-type case: tree-sitter re-parses
  incrementally, the engine's JavaScript copy of the tree (\`src/engine/syntaxTree.ts\`) copies
  only the top-level statement the edit is in and takes the others over from the previous
  lint, and the front ends and rules run over the whole file on that copy.
- **tree-sitter alone** is web-tree-sitter with the same \`tree-sitter-python.wasm\` the engine
  loads, in its own instance: \`parser.parse(text)\`, and for the re-parse \`tree.edit()\` plus
  \`parser.parse(newText, oldTree)\` for the same one-digit edit. It is the part of a lint no
  change to initlint's own code can remove.
- **ruff-wasm** is \`Workspace.check(text)\` of \`@astral-sh/ruff-wasm-nodejs\` with
  \`Workspace.defaultSettings()\` (the playground's rule selection, several hundred rules), in
  the same process, so both linters pay the same JS/WebAssembly boundary costs.
- **ast.parse** is CPython's \`ast.parse(text)\`, timed inside Python with
  \`time.perf_counter()\` so interpreter start-up is excluded, after the same warm-up floor.
- **Workspace scan** writes the generated project (\`${scan.generator ?? 'generateWorkspace()'}\`) to a
  temporary folder and runs \`node dist/cli.js --format json .\` in it, a fresh process each run,
  timed from spawn to exit: Node start-up, loading the grammars, walking the folder (honouring
  .gitignore), reading, linting every file and writing the JSON, all on one thread, as a CI job
  or the extension's start-up scan would. The files were just written, so they are in the OS
  page cache. Peak memory is the child's maximum RSS from GNU time (\`/usr/bin/time -f %M\`);
  without GNU time (Debian package \`time\`) only the wall time is reported. The folder is
  deleted afterwards.

One-off set-up is not in the tables: \`createLinter()\` took ${ms(initlintSetupMs)} ms and ruff's
\`new Workspace()\` ${ms(ruffSetupMs)} ms. The numbers compare tools on one machine at one moment;
on a small shared machine the medians of repeated runs can differ by 10% or more, so compare
ratios from the same run rather than absolute times across machines.
`;
}

if (opts.json) {
  console.log(JSON.stringify(report, null, 2));
} else {
  const m = report.machine;
  console.log(`initlint benchmark: ${m.cpu}, ${m.cores} cores, Node ${m.node}`);
  console.log(`${RUNS} timed runs each after >= ${WARMUP} warm-up runs and >= ${WARMUP_MS / 1000} s; `
    + `set-up (not in tables): createLinter ${ms(initlintSetupMs)} ms, ruff Workspace ${ms(ruffSetupMs)} ms`);
  for (const key of Object.keys(INPUTS)) {
    console.log(`\n== ${INPUTS[key].title}: ${inputLine(key)}\n`);
    console.log(table(key));
    console.log(`\n${ratioLines(key).replace(/\*\*/g, '')}`);
  }
  console.log('\n== workspace scan\n');
  console.log(scanTable());
  if (!scan.skipped) console.log(`\n${scanLines().replace(/\*\*/g, '')}`);
  console.log('\n== targets\n');
  for (const t of targets) console.log(`${metText(t).padEnd(12)} ${t.description}: ${measuredText(t)}`);
  for (const n of notes) console.log(`note: ${n}`);
}

if (opts['write-docs']) {
  const file = join(root, 'docs', 'benchmarks.md');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, docs());
  // Keep --json output pure JSON on stdout.
  (opts.json ? console.error : console.log)(`wrote ${file}`);
}
