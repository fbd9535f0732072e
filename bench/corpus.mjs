/**
 * The real-code benchmark (part of `npm run bench`): initlint on the model sources of published
 * packages, next to `ruff check` on the same files, in one run on this machine.
 *
 *   - the corpora: timm's `timm/models`, Keras' `keras/src/applications` and transformers'
 *     `models/*\/modeling_*.py`, from the pinned wheels below, fetched with
 *     `pip download --no-deps` into `.cache/corpus/` (git-ignored) and unpacked there once;
 *     ruff from its wheel the same way. Without pip or network, this part says so and is skipped;
 *   - the CLI (`node dist/cli.js --format json FILES`) against `ruff check --no-cache --isolated`
 *     on the same files: wall time, CPU time (user + system, through GNU time when installed,
 *     which also gives peak memory), median of the runs;
 *   - the same, over files unchanged since the last run: initlint with `--cache`, ruff with its
 *     own cache (each filled by one run first, in a fresh folder);
 *   - tree-sitter's parse alone (web-tree-sitter and the engine's grammar file, one thread, best
 *     of 2) over each corpus: what the CLI cannot go below however little the rest costs, set
 *     against ruff's whole run;
 *   - in process (dist/engine.js, warmed up): each file's full lint time per line (median, p90,
 *     worst file), and the re-lint after a one-character edit in the middle of each of the 20
 *     largest files (p50 and p90 over files of each file's median), and after one in the middle
 *     of each of those files' largest class.
 *
 *   node bench/corpus.mjs [--json] [--write-docs] [--runs N]
 *
 * It measures and never fails because of a timing; the targets (issue "Speed on real model
 * code") are printed as ratios against ruff measured in the same run.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { CORPUS_SECTION, withSection } from './doc-sections.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const cache = join(root, '.cache', 'corpus');

/** Pinned: the numbers are comparable from run to run only on the same sources. */
const WHEELS = { timm: '1.0.29', keras: '3.15.1', transformers: '5.18.0', ruff: '0.16.9' };
const TARGETS = { timmKeras: 1, transformers: 2, relintP90Ms: 10 };

const { values: opts } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    'write-docs': { type: 'boolean', default: false },
    runs: { type: 'string', default: '3' },
  },
});
const RUNS = Math.max(1, Number(opts.runs));

function log(msg) {
  if (!opts.json) console.log(msg);
}

/** Fetches and unpacks the pinned wheels; undefined (with the reason) when pip cannot. */
function fetchCorpus() {
  mkdirSync(cache, { recursive: true });
  for (const [pkg, version] of Object.entries(WHEELS)) {
    const dir = join(cache, pkg);
    if (existsSync(join(dir, '.unpacked'))) continue;
    const got = spawnSync('python3', ['-m', 'pip', 'download', '--no-deps', '--quiet', '-d', cache, `${pkg}==${version}`], { encoding: 'utf8' });
    if (got.status !== 0) return { error: `pip download ${pkg}==${version} failed: ${(got.stderr || got.error?.message || '').trim().split('\n').at(-1)}` };
    const wheel = readdirSync(cache).find((f) => f.startsWith(`${pkg}-${version}-`) && f.endsWith('.whl'));
    if (!wheel) return { error: `no ${pkg} wheel after pip download` };
    const unzip = spawnSync('python3', ['-m', 'zipfile', '-e', join(cache, wheel), dir], { encoding: 'utf8' });
    if (unzip.status !== 0) return { error: `cannot unpack ${wheel}: ${unzip.stderr}` };
    writeFileSync(join(dir, '.unpacked'), '');
  }
  return {};
}

function walk(dir, keep) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p, keep));
    else if (keep(p)) out.push(p);
  }
  return out.sort();
}

function corpora() {
  return {
    'timm + Keras': [
      ...walk(join(cache, 'timm', 'timm', 'models'), (p) => p.endsWith('.py')),
      ...walk(join(cache, 'keras', 'keras', 'src', 'applications'), (p) => p.endsWith('.py')),
    ],
    transformers: walk(join(cache, 'transformers', 'transformers', 'models'), (p) => /\/modeling_[^/]*\.py$/.test(p)),
  };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)];
};
const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};

const GNU_TIME = ['/usr/bin/time', '/bin/time'].find((p) => existsSync(p));

/** Wall, CPU and peak memory of one child run (CPU and memory through GNU time when installed). */
function timed(cmd, args) {
  const t0 = performance.now();
  const r = GNU_TIME
    ? spawnSync(GNU_TIME, ['-f', '%U %S %M', cmd, ...args], { encoding: 'utf8', maxBuffer: 1 << 30 })
    : spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 30 });
  const wall = performance.now() - t0;
  const last = GNU_TIME ? r.stderr.trim().split('\n').at(-1).split(' ').map(Number) : [];
  return { wall, cpu: last.length === 3 ? (last[0] + last[1]) * 1000 : undefined, rssMb: last.length === 3 ? last[2] / 1024 : undefined, status: r.status, stdout: r.stdout };
}

function cliVsRuff(name, files, ruff) {
  // Both get the same file list (written once, passed as arguments in chunks the OS accepts).
  const cli = [];
  const rf = [];
  let findings;
  for (let i = 0; i < RUNS; i++) {
    const a = timed(process.execPath, [join(root, 'dist', 'cli.js'), '--format', 'json', ...files]);
    findings = JSON.parse(a.stdout).findings.length;
    cli.push(a);
    rf.push(timed(ruff, ['check', '--no-cache', '--isolated', '--exit-zero', '--quiet', ...files]));
  }
  // Unchanged files, each tool's cache filled by one run first.
  const caches = mkdtempSync(join(os.tmpdir(), 'initlint-bench-cache-'));
  const warmCli = () => timed(process.execPath, [join(root, 'dist', 'cli.js'), '--cache-dir', join(caches, 'initlint'), '--format', 'json', ...files]);
  const warmRuff = () => timed(ruff, ['check', '--isolated', '--cache-dir', join(caches, 'ruff'), '--exit-zero', '--quiet', ...files]);
  const cliWarm = [];
  const rfWarm = [];
  try {
    warmCli();
    warmRuff();
    for (let i = 0; i < RUNS; i++) {
      const a = warmCli();
      if (JSON.parse(a.stdout).findings.length !== findings) throw new Error('the cached run reported other findings');
      cliWarm.push(a);
      rfWarm.push(warmRuff());
    }
  } finally {
    rmSync(caches, { recursive: true, force: true });
  }
  const pick = (runs, k) => (runs.every((r) => r[k] !== undefined) ? median(runs.map((r) => r[k])) : undefined);
  const summary = (runs) => ({ wallMs: pick(runs, 'wall'), cpuMs: pick(runs, 'cpu'), rssMb: pick(runs, 'rssMb') });
  return {
    name, files: files.length, lines: files.reduce((n, f) => n + readFileSync(f, 'utf8').split('\n').length, 0), findings,
    initlint: summary(cli),
    ruff: summary(rf),
    initlintWarm: summary(cliWarm),
    ruffWarm: summary(rfWarm),
  };
}

/**
 * tree-sitter's parse alone over the files, on one thread (best of 2): the floor under the CLI's
 * time. Its CPU time spread over every core is the least wall time the CLI could take if reading,
 * copying, evaluating and judging cost nothing.
 */
async function parseAlone(files) {
  const { Parser, Language } = require('web-tree-sitter');
  await Parser.init();
  const parser = new Parser();
  parser.setLanguage(await Language.load(readFileSync(join(root, 'dist', 'tree-sitter-python.wasm'))));
  const texts = files.map((f) => readFileSync(f, 'utf8'));
  let best = Infinity;
  for (let round = 0; round < 2; round++) {
    const t0 = performance.now();
    for (const t of texts) parser.parse(t).delete();
    best = Math.min(best, performance.now() - t0);
  }
  parser.delete();
  return best;
}

/** The statement typed on a new line: Enter (with the indentation an editor adds), then each character. */
const TYPED = 'y = 1';

/**
 * Typing a statement on a new line after a simple statement near the middle of a file (one whose
 * next line is not more indented, and which does not continue on the next line): the keystrokes'
 * re-lint times, each the median of 5 rounds, and whether the text then parses (`y =` does not).
 */
function typeLine(linter, text, key) {
  const lines = text.split('\n');
  let line = lines.length >> 1;
  const simple = (i) => {
    const m = /^( +)[A-Za-z_][\w.]* = .*[\w)\]]$/.exec(lines[i]);
    const next = lines.slice(i + 1).find((l) => l.trim());
    return m && next !== undefined && next.search(/\S/) <= m[1].length ? m[1] : undefined;
  };
  while (line < lines.length - 1 && !simple(line)) line++;
  const indent = simple(line);
  if (!indent) return [];
  const at = lines.slice(0, line + 1).join('\n').length;
  const steps = [`\n${indent}`, ...[...TYPED].map((_, i) => `\n${indent}${TYPED.slice(0, i + 1)}`)].map((t) => text.slice(0, at) + t + text.slice(at));
  const times = steps.map(() => []);
  const parses = steps.map((t) => linter.analyze(t, `fresh/${key}`, { cacheKey: false }).errors.length === 0);
  for (let round = 0; round < 5; round++) {
    linter.lint(text, key);
    steps.forEach((t, i) => {
      const t0 = performance.now();
      linter.lint(t, key);
      times[i].push(performance.now() - t0);
    });
  }
  linter.forget(key);
  return steps.map((_, i) => ({ ms: median(times[i]), parses: parses[i] }));
}

/** The median of 10 re-lints, the text with and without a space at the end of line `at`, alternately. */
function relintAfterSpace(linter, text, at, key) {
  const lines = text.split('\n');
  const edited = [...lines.slice(0, at), `${lines[at]} `, ...lines.slice(at + 1)].join('\n');
  linter.lint(text, key);
  const times = [];
  for (let i = 0; i < 10; i++) {
    const t0 = performance.now();
    linter.lint(i % 2 ? text : edited, key);
    times.push(performance.now() - t0);
  }
  linter.forget(key);
  return median(times);
}

/**
 * A line in the middle of the file's longest top-level class (one no backslash continues), or
 * undefined where it has none: an edit there invalidates the class and whatever builds it, the
 * case a model author types in (a middle line of the file is often a table of configurations).
 */
function middleOfLargestClass(lines) {
  let best;
  for (let i = 0; i < lines.length; i++) {
    if (!/^class\s/.test(lines[i])) continue;
    let end = i + 1;
    while (end < lines.length && (!/^\S/.test(lines[end]) || lines[end].startsWith('#') || /^[)\]}]/.test(lines[end]))) end++;
    if (!best || end - i > best.end - best.start) best = { start: i, end };
  }
  if (!best || best.end - best.start < 3) return undefined;
  let at = (best.start + best.end) >> 1;
  while (at < best.end - 1 && (lines[at].endsWith('\\') || !lines[at].trim())) at++;
  return at;
}

async function inProcess(files) {
  const { createLinter } = require(join(root, 'dist', 'engine.js'));
  const linter = await createLinter({ wasmDir: join(root, 'dist') });
  // Warm-up: the parsers' first runs.
  for (const f of files.slice(0, 20)) linter.lint(readFileSync(f, 'utf8'), `warm/${f}`, { cacheKey: false });
  const perLine = [];
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    const t0 = performance.now();
    linter.lint(text, f, { cacheKey: false });
    perLine.push({ file: f, usPerLine: ((performance.now() - t0) * 1000) / text.split('\n').length });
  }
  const largest = [...files].sort((a, b) => statSync(b).size - statSync(a).size).slice(0, 20);
  const relint = [];
  const classEdits = [];
  const typing = [];
  for (const f of largest) {
    const text = readFileSync(f, 'utf8');
    const lines = text.split('\n');
    // A space at the end of the middle line (not after a line continuation): changes nothing Python reads.
    let mid = lines.length >> 1;
    while (mid < lines.length - 1 && lines[mid].endsWith('\\')) mid++;
    relint.push({ file: f, lines: lines.length, medianMs: relintAfterSpace(linter, text, mid, `edit/${f}`) });
    const inClass = middleOfLargestClass(lines);
    if (inClass !== undefined) classEdits.push({ file: f, lines: lines.length, medianMs: relintAfterSpace(linter, text, inClass, `class/${f}`) });
    typing.push(...typeLine(linter, text, `type/${f}`));
  }
  const us = perLine.map((p) => p.usPerLine);
  const worst = perLine.reduce((a, b) => (b.usPerLine > a.usPerLine ? b : a));
  return {
    lintUsPerLine: { median: median(us), p90: quantile(us, 0.9), worst: worst.usPerLine, worstFile: relative(cache, worst.file) },
    relint: { p50: median(relint.map((r) => r.medianMs)), p90: quantile(relint.map((r) => r.medianMs), 0.9), worst: relint.reduce((a, b) => (b.medianMs > a.medianMs ? b : a)) },
    classEdit: {
      files: classEdits.length,
      p50: median(classEdits.map((r) => r.medianMs)),
      p90: quantile(classEdits.map((r) => r.medianMs), 0.9),
      worst: classEdits.reduce((a, b) => (b.medianMs > a.medianMs ? b : a)),
    },
    typing: {
      p50: median(typing.map((k) => k.ms)),
      p90: quantile(typing.map((k) => k.ms), 0.9),
      parsing: { p50: median(typing.filter((k) => k.parses).map((k) => k.ms)), p90: quantile(typing.filter((k) => k.parses).map((k) => k.ms), 0.9) },
      broken: { count: typing.filter((k) => !k.parses).length, p50: median(typing.filter((k) => !k.parses).map((k) => k.ms)) },
      keystrokes: typing.length,
    },
  };
}

const fmt = (ms) => (ms === undefined ? 'n/a' : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);

async function main() {
  if (!existsSync(join(root, 'dist', 'cli.js'))) {
    console.error('corpus benchmark: run `npm run build` first');
    process.exit(1);
  }
  const fetched = fetchCorpus();
  if (fetched.error) {
    log(`\n## Real model code\n\nSkipped: ${fetched.error}. (The corpus comes from PyPI with \`pip download --no-deps\`; without pip or network this part cannot run.)`);
    if (opts.json) console.log(JSON.stringify({ skipped: fetched.error }));
    return;
  }
  const ruff = walk(join(cache, 'ruff'), (p) => /\/scripts\/ruff$/.test(p))[0];
  spawnSync('chmod', ['+x', ruff]);
  const sets = corpora();
  const results = [];
  for (const [name, files] of Object.entries(sets)) results.push({ ...cliVsRuff(name, files, ruff), parseAloneMs: await parseAlone(files) });
  const cores = os.cpus().length;
  const all = Object.values(sets).flat();
  const inproc = await inProcess(all);
  const machine = `${os.cpus()[0]?.model.trim()}, ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GB, Node ${process.version}`;
  const report = { date: new Date().toISOString(), machine, wheels: WHEELS, results, inProcess: inproc };
  if (opts.json) {
    console.log(JSON.stringify(report, null, 1));
    return;
  }
  const rows = results.map((r) => {
    const ratio = r.initlint.wallMs / r.ruff.wallMs;
    const limit = r.name === 'transformers' ? TARGETS.transformers : TARGETS.timmKeras;
    return `| ${r.name} | ${r.files} files, ${r.lines.toLocaleString('en-US')} lines | ${fmt(r.initlint.wallMs)} | ${fmt(r.initlint.cpuMs)} | ${r.initlint.rssMb?.toFixed(0) ?? 'n/a'} MB | ${fmt(r.ruff.wallMs)} | ${fmt(r.ruff.cpuMs)} | ${ratio.toFixed(1)}x | <= ${limit}x | ${ratio <= limit ? 'met' : '**NOT met**'} |`;
  });
  const head = `- Date: ${report.date}; ${machine}
- Wheels (pip download --no-deps): ${Object.entries(WHEELS).map(([k, v]) => `${k} ${v}`).join(', ')}
- Median of ${RUNS} runs; CPU time and memory through GNU time${GNU_TIME ? '' : ' (not installed: n/a)'}

| corpus | size | initlint wall | initlint CPU | initlint peak memory | ruff wall | ruff CPU | wall ratio | target | |
| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |
${rows.join('\n')}`;
  const floor = `What stands in the way of the targets: tree-sitter's parse alone (the same grammar, one thread, best
of 2), before initlint copies, evaluates or judges anything. Spread perfectly over the ${cores} cores it
is the least wall time the CLI could take:

| corpus | parse alone, CPU | ruff's whole run, CPU | parse alone over ${cores} cores, wall | as a ratio of ruff's wall | target |
| --- | ---: | ---: | ---: | ---: | ---: |
${results.map((r) => `| ${r.name} | ${fmt(r.parseAloneMs)} | ${fmt(r.ruff.cpuMs)} | ${fmt(r.parseAloneMs / cores)} | ${(r.parseAloneMs / cores / r.ruff.wallMs).toFixed(1)}x | <= ${r.name === 'transformers' ? TARGETS.transformers : TARGETS.timmKeras}x |`).join('\n')}`;
  const page = `## Real model code

${head}

Again over the same files, unchanged since the previous run: initlint with \`--cache\`, ruff with
its own cache (each filled by one run first):

| corpus | initlint --cache wall | initlint CPU | ruff (cache) wall | ruff CPU | wall ratio |
| --- | ---: | ---: | ---: | ---: | ---: |
${results.map((r) => `| ${r.name} | ${fmt(r.initlintWarm.wallMs)} | ${fmt(r.initlintWarm.cpuMs)} | ${fmt(r.ruffWarm.wallMs)} | ${fmt(r.ruffWarm.cpuMs)} | ${(r.initlintWarm.wallMs / r.ruffWarm.wallMs).toFixed(1)}x |`).join('\n')}

${floor}

In process (warmed up), over all ${all.length} files:

| measurement | value | target |
| --- | ---: | --- |
| full lint per line, median | ${inproc.lintUsPerLine.median.toFixed(1)} µs | |
| full lint per line, p90 | ${inproc.lintUsPerLine.p90.toFixed(1)} µs | |
| full lint per line, worst file (${inproc.lintUsPerLine.worstFile}) | ${inproc.lintUsPerLine.worst.toFixed(1)} µs | |
| re-lint after a 1-char edit, 20 largest files, p50 | ${inproc.relint.p50.toFixed(1)} ms | |
| re-lint after a 1-char edit, 20 largest files, p90 | ${inproc.relint.p90.toFixed(1)} ms | <= ${TARGETS.relintP90Ms} ms: ${inproc.relint.p90 <= TARGETS.relintP90Ms ? 'met' : '**NOT met**'} |
| re-lint, worst file (${relative(cache, inproc.relint.worst.file)}, ${inproc.relint.worst.lines} lines) | ${inproc.relint.worst.medianMs.toFixed(1)} ms | |
| re-lint after a 1-char edit in the middle of the file's largest class (${inproc.classEdit.files} of the 20 files have one), p50 / p90 | ${inproc.classEdit.p50.toFixed(1)} / ${inproc.classEdit.p90.toFixed(1)} ms | <= ${TARGETS.relintP90Ms} ms: ${inproc.classEdit.p90 <= TARGETS.relintP90Ms ? 'met' : '**NOT met**'} |
| the same, worst file (${relative(cache, inproc.classEdit.worst.file)}) | ${inproc.classEdit.worst.medianMs.toFixed(1)} ms | |
| typing \`${TYPED}\` on a new line, 20 largest files: re-lint per keystroke, p50 | ${inproc.typing.p50.toFixed(1)} ms | |
| typing, keystrokes after which the file parses (${inproc.typing.keystrokes - inproc.typing.broken.count} of ${inproc.typing.keystrokes}), p50 / p90 | ${inproc.typing.parsing.p50.toFixed(1)} / ${inproc.typing.parsing.p90.toFixed(1)} ms | p90 <= ${TARGETS.relintP90Ms} ms: ${inproc.typing.parsing.p90 <= TARGETS.relintP90Ms ? 'met' : '**NOT met**'} |
| typing, keystrokes that leave a syntax error (\`y =\`, \`y = \`: the file is parsed afresh), p50 | ${inproc.typing.broken.p50.toFixed(1)} ms | |
`;
  console.log(`\n${page}`);
  if (opts['write-docs']) {
    const file = join(root, 'docs', 'benchmarks-corpus.md');
    writeFileSync(file, `# Benchmarks on real model code\n\nGenerated by \`node bench/corpus.mjs --write-docs\` (part of \`npm run bench\`); rerun it to refresh.\n\n${page}\n${HISTORY}`);
    console.log(`wrote ${relative(root, file)}`);
    const summaryFile = join(root, 'docs', 'benchmarks.md');
    const summary = `## Real model code\n\nThe CLI on the model sources of published packages, against ruff on the same files (details, the\nin-process and re-lint figures and what each step bought: [benchmarks-corpus.md](benchmarks-corpus.md)).\n\n${head}\n\n${floor}`;
    writeFileSync(summaryFile, withSection(existsSync(summaryFile) ? readFileSync(summaryFile, 'utf8') : '# Benchmarks\n', `${CORPUS_SECTION.start}\n${summary}\n${CORPUS_SECTION.end}`, CORPUS_SECTION));
    console.log(`wrote ${relative(root, summaryFile)} (its real-code summary)`);
  }
}

/** What each step bought, measured with this benchmark on the same machine (kept by hand: the page above is regenerated). */
const HISTORY = `## What each step bought

Measured with this benchmark on the same 2-core machine, before and after each step.

| step | what changed | measured |
| --- | --- | --- |
| Language server (issue 16) | The VS Code extension lints nothing: \`initlint server\` lints in its own process, and the extension reads the analyses it sends (\`src/engine/wire.ts\`). | Lint time on the extension host's thread: 0 ms for every file. The ESLint rule in \`eslint.config.mjs\` keeps the linter out of \`src/extension\`. Reading an analysis there (JSON parse and \`fromWire\`) takes at most 1.1 ms, for the largest of the 20 largest corpus files (\`modeling_oneformer.py\`, 189 KB of analysis). |
| Nested reuse in the incremental copy | Definitions inside blocks and entries of literals are segments of their own. Outside the edit, the previous copy's nodes are taken over. Before, an edit copied its whole top-level statement again: a 700-line class, or timm's 3,000-line \`default_cfgs\` table. | Re-lint after a 1-char edit, 20 largest files: p50 15.3 → 9.8 ms, p90 29.9 → 16.7 ms. \`vision_transformer.py\`: 30.1 → 21.7 ms. Copying the tree fell from 11 ms to 2.4 ms of a re-lint there. |
| Direct cursor in the tree copy | The copy calls the tree-sitter runtime's cursor functions itself. The cursor's state stays in the runtime's transfer buffer, where web-tree-sitter's \`TreeCursor\` had copied it in and out on every call (\`src/engine/syntaxTree.ts\`, \`DirectCursor\`). | Parse and copy of \`vision_transformer.py\`: 79 → 51 ms. CLI: timm + Keras 2.84 → 2.40 s (9.1x → 8.2x ruff), transformers 7.66 → 6.65 s (14.9x → 13.5x). Full lint per line, median: 16.8 → 13.0 µs. |
| Smaller steps | Large blocks (a 300-line \`forward\`) have statements of their own too, short literals are copied whole (fewer segments to move), and a token's text is sliced once. | \`vision_transformer.py\` re-lint in a loop of 200 (\`node --cpu-prof\` run): median 18.4 → 15.8 ms. CLI, timm + Keras: 2.40 → 2.18 s. This benchmark's re-lint figures move by a few ms from run to run: each is the median of 10 runs, taken right after the full lint of the corpus. |
| Kept definitions (issue 12) | A re-lint evaluates again only the definitions the edit reached (\`src/engine/frontends/eval/definitionCache.ts\`). Each standalone evaluation of a definition is kept with everything it read from outside itself (module names and their values, the definitions already run, call counts, the config class, wildcard imports); a definition whose node the incremental copy kept, and whose reads read the same, is replayed: its layers copied with their spans moved by the edit. The call counts and the def/class and import searches are updated from the previous text's around the edit, and the edit is found a block at a time. | This benchmark on a quiet machine, before (the last run above this row's) and after: re-lint after a 1-char edit, 20 largest files, p50 7.3 → 3.3 ms, p90 16.8 → 10.6 ms (9.7 ms in the run that wrote this page: the 10 ms target is met at the edge, within the run-to-run spread), worst (\`vision_transformer.py\`) 19.1 → 17.3 ms. CPU time per re-lint (\`process.cpuUsage\`), before and after in one session under a load of 9 on 2 cores: p50 8.9 → 4.1 ms, p90 22.1 → 14.0 ms. |
| The CLI keeps nothing for a next lint | The command line lints each file once, so it asks the engine to keep no syntax tree or evaluation for an edit that never comes (\`cacheKey: false\`, \`src/cli/main.ts\`). Kept, every file's tree (in JavaScript and in tree-sitter's WebAssembly heap) lived to the end of the run. | This benchmark, before (the run of 2026-12-06 23:17) and after (two runs on a quiet machine): timm + Keras 2.36 → 2.18–2.24 s and 455 → 281–289 MB peak; transformers 6.82 → 5.63–5.88 s and 963 → 328–424 MB. Alone, in one session (median of 3, 2 workers): 2.41 → 2.13 s; the collector's share of a single-threaded run fell from 452 to 364 ms and tree-sitter's \`malloc\` from 128 to 36 ms. |
| \`--cache\` (2026-12-07) | The command line keeps what each file's lint reported, by the SHA-256 of its bytes, in one file per configuration (\`src/cli/cache.ts\`); a run reads and hashes every file and lints only those that changed. A run with nothing to lint starts no worker and loads no grammar. | Over unchanged files (the second table above), four runs: timm + Keras 132–192 ms, transformers 179–237 ms, where ruff with its own cache takes 281–419 and 493–585 ms (0.4–0.5x in every run). A cold run is what it was: the cache does not change the first table's targets. |
| Reading more of real code (2026-12-07, not a speed step) | Conditions on constants, layers appended to lists, \`partial\` in \`apply\`, unknown init calls, transformers' \`post_init\` (CHANGELOG): timm + Keras went from 931 to about 1,270 layers read. | Measured against the build before them, alternating in one session: the CLI on timm + Keras 2.08–2.26 s before, 2.10–2.47 s after; the in-process full lint 1.46–1.66 s both. Within the spread of this machine, whose runs of this benchmark on the same day gave re-lint p90 6.1, 9.8, 11.7 and 13.7 ms and CLI ratios 7.2x–8.6x. |
| Reading the idioms people write (2026-12-07, later; not a speed step) | Models that factory functions return, classes on the file's own bases, Lightning modules, \`add_module\`/\`setattr\`/\`ModuleDict\`, \`len()\`/slices/\`zip()\`, \`spectral_norm\`/\`weight_norm\`, model outputs (CHANGELOG): the corpus went from 12,155 to about 13,000 layers read, and from 35 findings to 33. | Against the build before them (2f10833), alternating in one session, on a machine slower than in the morning's runs: the CLI on timm + Keras 2.89–2.97 s before, 3.03–3.12 s after; transformers 6.9–8.3 s before, 8.1–8.4 s after; the in-process full lint of transformers 9.4–11.0 s before, 9.7–10.4 s after: within this machine's spread, with about 7% more layers read. The run that wrote this page: CLI 8.8x and 13.5x ruff, re-lint p90 11.4 ms (this machine's runs gave 6.1–13.7 ms in the morning). Re-lint of \`vision_transformer.py\` in a loop of 200, alternating the two bundles: median 5.9–6.2 ms before, 7.3–7.8 ms after; the profile puts about 0.4 ms of it in the scan for classes given as values (\`classesGivenAsValues\`: timm names \`VisionTransformer\` 172 times) and 0.2 ms in finding model-wide init statements, both once per lint. |
| Statements parsed alone (2026-12-07) | A Python edit re-parses only the statements around it: the few statements of the innermost block or literal that holds it, parsed alone (a block's under an \`if 1:\` line, a literal's entries between its brackets) and spliced into the previous copy (\`src/engine/parser.ts\`, \`parsePython\`; \`spliceTree\`). tree-sitter-python's own incremental parse shifted every later statement of the file again, token by token, after an edit on a blank line or in a line's indentation (its repetition nodes are fragile and a statement's first token is not reused: its debug log). A keystroke that leaves a syntax error still parses the file afresh, and takes over the definitions whose fresh parse has the same shape (\`sameShape\`), so their kept evaluations are used again. | The parse after a space typed on a blank line of \`vision_transformer.py\`: 20–27 ms → under 1 ms (1,226 characters parsed instead of the rest of the file). In one session on a quiet machine, alternating the build before (f2263e2) and after, twice: re-lint after a 1-char edit, 20 largest files, p50 3.0–3.1 → 2.4–2.6 ms, p90 10.5–11.1 → 9.6–9.9 ms; typing \`y = 1\` on a new line (new in this benchmark), keystrokes after which the file parses: p50 3.2–3.4 → 2.4–2.6 ms, p90 8.9–9.8 → 7.0–7.8 ms; keystrokes that leave a syntax error: p50 46 → 29–31 ms. The CLI is unchanged (transformers 6.48–6.64 s before, 6.34–6.64 s after). The run that wrote this page: re-lint p90 7.7 ms, typing p90 7.2 ms. |
| Readers keyed on what they read (2026-12-07) | A kept evaluation that named a module-level function or class compares which of the file's definitions it is; only one that read what it is (called or built it, looked at its methods or bases: anything reading the value's node) compares its node too (\`src/engine/frontends/python/interpreter.ts\`, \`moduleDefinition\`). timm's hundred or so \`vit_*\` factories only hand \`VisionTransformer\` to a builder initlint cannot read: they are no longer evaluated again after every keystroke in the class. Also: the parser's input (comment runs blanked) is carried across an edit that touches only code lines. | A keystroke in \`VisionTransformer.__init__\` (200 in a loop, alternating the builds, twice): 13.0–13.7 → 7.5–9.1 ms. The 20 largest files, in the same session: re-lint p50 2.9–3.3 ms both, p90 9.9–15.1 → 8.8–13.9 ms (a noisy pair of runs); typing, keystrokes that parse, p90 7.5–7.6 → 7.1–7.4 ms. |
| Data statements kept, and readers of a class's kind (2026-12-07, later) | A module-level statement that binds one name to data (timm's \`default_cfgs\`, 1,200 \`_cfg(...)\` calls) is kept across edits like a definition (\`src/engine/frontends/eval/evaluator.ts\`, \`keptStatement\`); a function that takes a model class of the file as a parameter type notes only that it is one (\`mc\`), where it read the class's node (timm's \`checkpoint_filter_fn(state_dict, model: VisionTransformer)\` ran again after every keystroke in the class). This benchmark now also edits the middle of each large file's largest class. | An edit in \`VisionTransformer\` (200 re-lints in a loop, alternating the builds, on a machine under load): 10.2–12.6 → 7.2–9.6 ms; the module body's share of its profile fell from about 2.2 to 0.4 ms per re-lint. The run that wrote this page: edits in the largest class p50 / p90 1.9 / 4.9 ms (worst \`eva.py\` 6.9 ms). The two transformers omni files' class edits land in a 60-line \`forward\` signature: a parameter list is no region of its own, so the method (10,310 characters) is parsed again, about two thirds of their re-lint. |

Where the remaining re-lint time goes (\`node --cpu-prof\`, 200–400 re-lints of \`vision_transformer.py\` each on a quiet machine, after "Statements parsed alone"):

| part | the benchmark's edit (in \`default_cfgs\`), 5.2 ms | a keystroke in \`VisionTransformer.__init__\`, 13.8 ms |
| --- | ---: | ---: |
| the module body, evaluated at every lint (timm's 1,200-line \`default_cfgs\` dict calls \`_cfg\` once per entry) | about 35% | about 15% |
| definitions the edit reached, and those that build them (an edit in a class invalidates every definition that read it: the key is the class node, new whenever one of its methods changes; timm's 100 or so \`vit_*\` factories pass \`VisionTransformer\` to its builder) | about 20% | about 58% |
| replaying the kept definitions (copying their layers) | about 13% | about 6% |
| ordering the definitions (the scan for classes given as values) | about 10% | about 4% |
| parsing the region, the parser's input (comment runs) and the copy | about 13% | about 8% |
| garbage collection | about 16% | about 15% |

Since then (row "Readers keyed on what they read"), the keystroke in \`VisionTransformer.__init__\`
no longer evaluates the factories again: 7.5–9.1 ms, most of it the class's own evaluation, the
module body and the replays. Next steps: keep module-level statements the same way (a statement
that binds only constants, paths and functions can be replayed by binding its values again); key
a class's readers on the methods they ran rather than on the whole class (a definition that builds
the class is evaluated again after an edit in any of its methods); carry the scan for classes
given as values across edits.

The worst file's figure moves with the machine's load: on 2026-12-06, \`vision_transformer.py\` was
15.8 ms in a run under load and 9.3 ms in one on a quiet machine; 200 re-lints of it in a loop,
alone, took 5.6 ms median and 8.2 ms p90 (of which about 35% the module body).

Where the CLI's time goes (2026-12-07, \`node --cpu-prof\` of one single-threaded run over timm + Keras,
after "The CLI keeps nothing for a next lint"; 2.26 s in all): tree-sitter's WebAssembly parse
731 ms, the JavaScript copy of its tree 381 ms, the evaluation 496 ms, garbage collection 364 ms,
the rules about 110 ms. Ruff's whole run over the same files is about 300 ms: the parse alone is
about 2.4x it. V8's WebAssembly flags (\`--no-liftoff\`, eager compilation, a larger tiering budget)
and larger semi-spaces (scavenge time follows the surviving tree, not the space) changed nothing
beyond the noise.
`;

await main();
