/**
 * `initlint [lint] [options] PATH...` — the engine on the command line (shared/spec/cli.md).
 * Exit status: 0 no warning or error finding, 1 at least one, 2 usage error or missing path.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { createTwoFilesPatch } from 'diff';
import { RULES } from '../engine/rules';
import * as os from 'node:os';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { createLinter, type Analysis, type Finding, type Linter } from '../engine/linter';
import { parseSettings, type Settings } from '../engine/settings';
import { findConfig, readConfigFile } from './config';
import { collectFiles, LINTED_EXTENSIONS } from './walk';
import { toSarif } from './sarif';
import { savedModelOf } from '../engine/frontends/json/savedModels';
import { fixText, readSavedModel, readSource, writeAtomic, type Source } from './files';
import { filePositions } from '../engine/notebook';
import { escapeControl, formatSize, LineIndex } from '../engine/text';
import { startServer } from '../server/server';
import { DEFAULT_CACHE_DIR, LintCache } from './cache';

declare const INITLINT_VERSION: string;
const VERSION = typeof INITLINT_VERSION === 'string' ? INITLINT_VERSION : '0.0.0-dev';

const USAGE = `Usage: initlint [lint] [options] PATH...
       initlint server [--stdio]    the language server, on stdin/stdout (docs/editors.md)

Finds weight-initialization mistakes in Keras, PyTorch, Flax and TF.js model code,
Keras JSON configs, .keras archives and Jupyter notebooks.

Options:
  --format text|json|sarif|github
                             output format (default: text; github: workflow annotations);
                             --output-format is the same option, as Ruff spells it
  --fix                      apply every available quick fix in place
  --diff                     show the fixes as a unified diff, write nothing (exit 1 if any)
  --statistics               print a count of findings per rule instead of the findings
  --exit-zero                exit 0 even when warnings or errors are found
  --select IL001,IL003       run only these rules
  --ignore IL007             do not run these rules
  --config FILE              settings file (pyproject.toml or initlint.json)
  --watch                    lint again whenever a linted file or the settings change
  --cache                    keep each file's results between runs and lint only the files
                             that changed since (in .initlint_cache, or --cache-dir DIR)
  --cache-dir DIR            where --cache keeps them (implies --cache)
  -                          as PATH: read the source from standard input (with --fix, the
                             fixed text goes to stdout)
  --stdin-filename PATH      the name standard input is linted as (its language, its settings)
  -h, --help                 show this help
  --version                  show the version

Exit status: 0 no warning or error finding (or --exit-zero), 1 at least one (--diff: a fix to
show), 2 usage error.`;

class UsageError extends Error {}

interface Output {
  findings: Finding[];
  errors: Array<{ file: string; message: string }>;
  files: number;
  fixed: number;
  /** --diff: the unified diff of each file's fixes, in file order. */
  diffs: string[];
}

/** What to do with fixes: nothing, write them (--fix), or show them (--diff). */
type FixMode = 'none' | 'write' | 'diff';

export async function main(argv: string[], out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        format: { type: 'string' },
        'output-format': { type: 'string' },
        fix: { type: 'boolean', default: false },
        diff: { type: 'boolean', default: false },
        statistics: { type: 'boolean', default: false },
        'exit-zero': { type: 'boolean', default: false },
        select: { type: 'string' },
        ignore: { type: 'string' },
        config: { type: 'string' },
        'stdin-filename': { type: 'string' },
        watch: { type: 'boolean', default: false },
        cache: { type: 'boolean', default: false },
        'cache-dir': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
        version: { type: 'boolean', default: false },
      },
    });
  } catch (e) {
    err.write(`initlint: ${(e as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  const { values } = parsed;
  if (values.help) {
    out.write(`${USAGE}\n`);
    return 0;
  }
  if (values.version) {
    out.write(`${VERSION}\n`);
    return 0;
  }
  try {
    const positionals = parsed.positionals[0] === 'lint' ? parsed.positionals.slice(1) : parsed.positionals;
    const format = values.format ?? values['output-format'] ?? 'text';
    if (format !== 'text' && format !== 'json' && format !== 'sarif' && format !== 'github') {
      throw new UsageError(`--format must be text, json, sarif or github, not ${JSON.stringify(format)}`);
    }
    if (values.fix && values.diff) throw new UsageError('--fix and --diff cannot be used together');
    const mode: FixMode = values.fix ? 'write' : values.diff ? 'diff' : 'none';
    if (positionals.length === 0) throw new UsageError('no PATH given');
    if (positionals.includes('-')) {
      if (positionals.length > 1) throw new UsageError('- (standard input) cannot be combined with other PATHs');
      if (values.watch) throw new UsageError('--watch cannot read standard input');
      return await lintStdin(values['stdin-filename'], mode, format, values, out, err);
    }
    if (values['stdin-filename'] !== undefined) throw new UsageError('--stdin-filename needs - as the PATH');
    for (const p of positionals) if (!fs.existsSync(p)) throw new UsageError(`${p}: no such file or directory`);
    const cacheDir = values.cache || values['cache-dir'] !== undefined ? path.resolve(values['cache-dir'] ?? DEFAULT_CACHE_DIR) : undefined;
    const once = () => lintPaths(positionals, mode, format, values, cacheDir, out, err);
    const code = await once();
    if (!values.watch) return code;
    return await watch(positionals, once, cacheDir, err);
  } catch (e) {
    if (e instanceof UsageError) {
      err.write(`initlint: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

type Format = 'text' | 'json' | 'sarif' | 'github';
type Values = { config?: string; select?: string; ignore?: string; fix?: boolean; statistics?: boolean; 'exit-zero'?: boolean };

/**
 * One run over the PATHs: walk, lint (on worker threads for many files), print; the exit
 * status. With a cache, a file whose bytes are those of a kept report is not linted: its report
 * is used again (with --fix or --diff only where it has no fix to apply).
 */
async function lintPaths(
  positionals: string[],
  mode: FixMode,
  format: Format,
  values: Values,
  cacheDir: string | undefined,
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
): Promise<number> {
  const { settings, base } = loadSettings(values.config, positionals[0], values.select, values.ignore, err);
  const { files, errors: unread } = collectFiles(positionals, { exclude: settings.exclude, base });
  const cache = cacheDir ? LintCache.open(cacheDir, { version: VERSION, build: buildId(), settings, base, cwd: process.cwd() }) : undefined;
  if (cache?.problem) err.write(`initlint: ${cache.problem}\n`);
  const reports: Output[] = new Array(files.length);
  // A saved model is read up to 64 x maxFileSize (its config is at the head); past that, no hash.
  const hashLimit = 64 * settings.maxFileSize;
  const hashes: Array<string | undefined> = files.map((abs) => cache?.hashOf(abs, hashLimit));
  const todo: number[] = [];
  files.forEach((abs, i) => {
    const kept = hashes[i] !== undefined ? cache!.get(abs, hashes[i]) : undefined;
    if (kept && (mode === 'none' || !kept.findings.some((f) => f.fix))) reports[i] = { ...kept, files: 1, fixed: 0, diffs: [] };
    else todo.push(i);
  });
  const paths = todo.map((i) => files[i]);
  const workers = workerCount(paths.length);
  let linted: Output[] = [];
  if (workers > 1) linted = await runParallel(settings, paths, mode, workers, base);
  else if (paths.length > 0) linted = runEach(await createLinter(settings), paths, mode, base);
  todo.forEach((i, k) => {
    reports[i] = linted[k];
    // Only a plain run's report: after --fix the file on disk is another text, and --diff reports a
    // diff. And only if the file still has the bytes hashed before its lint: one changed meanwhile
    // would have its new report kept under its old bytes.
    if (cache && mode === 'none' && hashes[i] !== undefined && cache.hashOf(files[i], hashLimit) === hashes[i]) cache.set(files[i], hashes[i], linted[k]);
  });
  const problem = cache?.save();
  if (problem) err.write(`initlint: ${problem}\n`);
  const result = merge(reports);
  result.errors.unshift(...unread.map((u) => ({ file: relative(u.dir), message: u.message })));
  return report(result, mode, format, values, out, err);
}

/** The running bundle, as a cache key: its size and time change with every build. */
function buildId(): string {
  try {
    const s = fs.statSync(__filename);
    return `${s.size}:${s.mtimeMs}`;
  } catch {
    return 'unknown';
  }
}

function report(result: Output, mode: FixMode, format: Format, values: Values, out: NodeJS.WritableStream, err: NodeJS.WritableStream): number {
  if (mode === 'diff') {
    for (const d of result.diffs) out.write(d);
    err.write(`${result.diffs.length} file${result.diffs.length === 1 ? '' : 's'} would be changed by --fix.\n`);
    return result.diffs.length > 0 && !values['exit-zero'] ? 1 : 0;
  }
  if (values.statistics) statistics(out, result);
  else write(out, format, result);
  if (format === 'text') summarize(err, result, !!values.fix);
  return result.findings.some((f) => f.severity !== 'info') && !values['exit-zero'] ? 1 : 0;
}

/**
 * `initlint - [--stdin-filename PATH]`: the text on standard input, linted as PATH (its
 * language by its extension, its settings from its folder; default `stdin.py` in the working
 * directory), as editors' format-on-save hooks and Ruff's `-` do. `--fix` prints the fixed text
 * on stdout (nothing is written), the summary on stderr; `--diff` prints the diff.
 */
async function lintStdin(
  stdinName: string | undefined,
  mode: FixMode,
  format: Format,
  values: Values,
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
): Promise<number> {
  const name = stdinName ?? 'stdin.py';
  const abs = path.resolve(name);
  const dir = fs.existsSync(path.dirname(abs)) ? path.dirname(abs) : process.cwd();
  const { settings, base } = loadSettings(values.config, dir, values.select, values.ignore, err);
  const linter = await createLinter(settings);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of process.stdin) {
    total += (chunk as Buffer).length;
    if (total > settings.maxFileSize) throw new UsageError(`standard input is above maxFileSize (${formatSize(settings.maxFileSize)})`);
    chunks.push(chunk as Buffer);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(Buffer.concat(chunks));
  } catch {
    throw new UsageError('standard input is not valid UTF-8');
  }
  const file = stdinName === undefined ? '-' : relative(abs);
  const analyze = (t: string) => linter.analyze(t, file === '-' ? name : file, { relativePath: path.relative(base, abs).split(path.sep).join('/') });
  const analysis = analyze(text);
  const output: Output = { findings: [], errors: [], files: 1, fixed: 0, diffs: [] };
  if (mode === 'write') {
    const fixed = fixText(text, analysis, analyze);
    out.write(fixed.text);
    const after = analyze(fixed.text);
    err.write(`${fixed.applied} fixed, ${after.findings.length} problem${after.findings.length === 1 ? '' : 's'} left.\n`);
    return after.findings.some((f) => f.severity !== 'info') && !values['exit-zero'] ? 1 : 0;
  }
  collect(output, file, mode, analysis, text, analyze);
  return report(output, mode, format, values, out, err);
}

/**
 * `--watch`: after the first run, lint the PATHs again after each change to a file initlint
 * reads or to its settings (changes closer than 200 ms apart make one run), until interrupted.
 */
function watch(positionals: string[], once: () => Promise<number>, cacheDir: string | undefined, err: NodeJS.WritableStream): Promise<number> {
  err.write('Watching for file changes (Ctrl+C to stop).\n');
  let timer: NodeJS.Timeout | undefined;
  let running = Promise.resolve();
  const relint = () => {
    running = running
      .then(async () => {
        err.write(`\n[${new Date().toTimeString().slice(0, 8)}] A file changed: linting again.\n`);
        await once();
        err.write('Watching for file changes (Ctrl+C to stop).\n');
      })
      .catch((e: Error) => void err.write(`initlint: ${e.message}\n`));
  };
  const relevant = (name: string | null) =>
    !name || LINTED_EXTENSIONS.has(path.extname(name).toLowerCase()) || /(?:^|[\\/])(?:pyproject\.toml|initlint\.json|\.gitignore)$/.test(name);
  // The cache's own writes (JSON files) are not a change to lint again for.
  const inCache = (p: string, name: string | null) => {
    if (!cacheDir || !name) return false;
    const rel = path.relative(cacheDir, path.resolve(p, name));
    return !rel.startsWith('..') && !path.isAbsolute(rel);
  };
  for (const p of positionals) {
    const isDir = fs.statSync(p).isDirectory();
    fs.watch(p, { recursive: isDir }, (_event, name) => {
      if (!relevant(name ? String(name) : null) || inCache(isDir ? p : path.dirname(p), name ? String(name) : null)) return;
      clearTimeout(timer);
      timer = setTimeout(relint, 200);
    });
  }
  return new Promise<number>(() => {});
}

/**
 * The settings, and the folder `exclude` globs are relative to. Without `--config`, the nearest
 * config is looked for from the first PATH upwards (so `initlint src` from anywhere reads the
 * project's pyproject.toml), and its globs are relative to the file that holds them, as in
 * the editor, where they are relative to the workspace folder.
 */
function loadSettings(
  configFile: string | undefined,
  firstPath: string,
  select: string | undefined,
  ignore: string | undefined,
  err: NodeJS.WritableStream,
): { settings: Settings; base: string } {
  let loaded;
  try {
    if (configFile && !fs.existsSync(configFile)) throw new UsageError(`${configFile}: no such file`);
    const start = fs.statSync(firstPath).isDirectory() ? firstPath : path.dirname(path.resolve(firstPath));
    loaded = configFile ? readConfigFile(configFile) : findConfig(start);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`cannot read settings: ${(e as Error).message}`);
  }
  if (configFile && loaded.raw === undefined) err.write(`initlint: ${configFile} has no [tool.initlint] table: running with the default settings\n`);
  const fromFile = parseSettings(loaded.raw);
  for (const p of fromFile.problems) err.write(`initlint: ${loaded.file}: ${p} (ignored)\n`);
  const flags: Record<string, unknown> = {};
  if (select !== undefined) flags.select = select;
  if (ignore !== undefined) flags.ignore = ignore;
  const merged = parseSettings(flags, fromFile.settings);
  if (merged.problems.length) throw new UsageError(merged.problems.join('; '));
  return { settings: merged.settings, base: loaded.file ? path.dirname(path.resolve(loaded.file)) : process.cwd() };
}

function relative(abs: string): string {
  const rel = path.relative(process.cwd(), abs) || path.basename(abs);
  return rel.split(path.sep).join('/');
}

/** Files per worker below which starting one (its own wasm parsers, about 0.15 s) does not pay. */
const FILES_PER_WORKER = 24;

/** Worker threads for a run: one per core, none for a few files. INITLINT_WORKERS overrides (1: in-process). */
function workerCount(files: number): number {
  // Workers run the built bundle; from the TypeScript sources (tests calling main()) the run stays in-process.
  if (!__filename.endsWith('.js')) return 1;
  const asked = Number(process.env.INITLINT_WORKERS);
  const cores = Number.isInteger(asked) && asked >= 1 ? asked : (os.availableParallelism?.() ?? os.cpus().length);
  return Math.max(1, Math.min(cores, Math.floor(files / FILES_PER_WORKER), 16));
}

interface WorkerJob {
  index: number;
  abs: string;
  mode: FixMode;
}
interface WorkerResult {
  index: number;
  output: Output;
}

/**
 * Lints the files on worker threads (each file is independent: its own reading, analysis and
 * fix), handing out the next file as each worker finishes one; each file's output, in file
 * order, so the run's output is the same as in one thread.
 */
async function runParallel(settings: Settings, files: string[], mode: FixMode, count: number, base: string): Promise<Output[]> {
  const results: Output[] = new Array(files.length);
  let next = 0;
  const pool = Array.from({ length: count }, () => new Worker(__filename, { workerData: { initlintWorker: true, settings, base } }));
  try {
    await Promise.all(
      pool.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            const give = () => {
              if (next >= files.length) {
                resolve();
                return;
              }
              const index = next++;
              worker.postMessage({ index, abs: files[index], mode } satisfies WorkerJob);
            };
            worker.on('message', (m: WorkerResult) => {
              results[m.index] = m.output;
              give();
            });
            worker.on('error', reject);
            worker.on('exit', (code) => {
              if (next < files.length || code !== 0) reject(new Error(`a lint worker stopped (exit ${code})`));
            });
            give();
          }),
      ),
    );
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
  return results;
}

/** The files' outputs as one, in their order. */
function merge(outputs: Output[]): Output {
  const output: Output = { findings: [], errors: [], files: 0, fixed: 0, diffs: [] };
  for (const r of outputs) {
    output.findings.push(...r.findings);
    output.errors.push(...r.errors);
    output.diffs.push(...r.diffs);
    output.files += r.files;
    output.fixed += r.fixed;
  }
  return output;
}

/** Each file's output, in this thread. */
function runEach(linter: Linter, files: string[], mode: FixMode, base: string): Output[] {
  return files.map((abs) => run(linter, [abs], mode, base));
}

/** A worker thread: lints the files it is given, one message each, and answers with plain data. */
async function serveAsWorker(settings: Settings, base: string): Promise<void> {
  const linter = await createLinter(settings);
  parentPort!.on('message', (job: WorkerJob) => {
    const output = run(linter, [job.abs], job.mode, base);
    // Fixes are built lazily (getters): read them here, so what crosses the thread is data.
    output.findings = output.findings.map((f) => ({ ...f, fix: f.fix }));
    parentPort!.postMessage({ index: job.index, output } satisfies WorkerResult);
  });
}

/** `base`: the folder the settings' globs are relative to (per-file-ignores). */
function run(linter: Linter, files: string[], mode: FixMode, base: string): Output {
  const output: Output = { findings: [], errors: [], files: files.length, fixed: 0, diffs: [] };
  for (const abs of files) {
    const file = relative(abs);
    try {
      lintOne(linter, abs, file, mode, output, path.relative(base, abs).split(path.sep).join('/'));
    } catch (err) {
      // Every file is its own failure domain: a bug of ours costs this file, never the run.
      output.errors.push({ file, message: `initlint could not lint this file: ${(err as Error).message}` });
    }
  }
  return output;
}

function lintOne(linter: Linter, abs: string, file: string, mode: FixMode, output: Output, relativePath: string): void {
  // Nothing kept for a next lint: a run lints most files once (--watch makes a new linter per
  // run; only --fix and --diff lint a fixed file again, from scratch). Kept, every file's syntax
  // tree and evaluations stayed alive to the end of the run: timm + Keras peaked at 455 MB
  // instead of 280 MB, and the collector's work made the run 12% slower.
  const analyze = (text: string) => linter.analyze(text, file, { relativePath, cacheKey: false });
  if (savedModelOf(abs)) {
    lintSavedModel(linter, abs, file, output);
    return;
  }
  const source = readSource(abs, linter.settings.maxFileSize);
  if (source.kind === 'error') {
    output.errors.push({ file, message: source.message });
    return;
  }
  if (source.kind === 'skip') return;
  let analysis = analyze(source.text);
  let text = source.text;
  if (mode === 'write') ({ analysis, text } = fixFile(analyze, abs, file, source, analysis, output));
  collect(output, file, mode, analysis, text, analyze);
}

/** One file's analysis into the run's output (a file on disk or standard input): the diff of its fixes (--diff), its errors and findings. */
function collect(output: Output, file: string, mode: FixMode, analysis: Analysis, text: string, analyze: (t: string) => Analysis): void {
  if (mode === 'diff' && analysis.findings.some((f) => f.fix)) {
    const fixed = fixText(text, analysis, analyze).text;
    if (fixed !== text) output.diffs.push(createTwoFilesPatch(`a/${file}`, `b/${file}`, text, fixed, '', '', { context: 3 }));
  }
  if (analysis.skipped?.includes('maxFileSize')) output.errors.push({ file, message: analysis.skipped });
  for (const e of analysis.errors) output.errors.push({ file, message: e });
  output.findings.push(...inFileCoordinates(analysis, text).map((f) => ({ ...f, file })));
}

/**
 * A saved model (a `.keras` archive, an `.h5` file): its config is judged; findings are reported
 * on the file, without fixes. An HDF5 file without a model config (weights alone, data) is skipped.
 */
function lintSavedModel(linter: Linter, abs: string, file: string, output: Output): void {
  const saved = readSavedModel(abs, linter.settings.maxFileSize);
  if (!saved) return;
  if ('error' in saved) {
    output.errors.push({ file, message: saved.error });
    return;
  }
  const analysis = linter.analyze(saved.text, saved.fileName.replace(abs, file));
  if (analysis.skipped) output.errors.push({ file, message: analysis.skipped });
  for (const e of analysis.errors) output.errors.push({ file, message: `${saved.part}: ${e}` });
  for (const f of analysis.findings) output.findings.push({ ...f, file, fix: undefined });
}

/** Applies the fixes and writes the file; the analysis of the text now on disk, and that text. */
function fixFile(
  analyze: (text: string) => Analysis,
  abs: string,
  file: string,
  source: Extract<Source, { kind: 'text' }>,
  analysis: Analysis,
  output: Output,
): { analysis: Analysis; text: string } {
  const unchanged = { analysis, text: source.text };
  if (!analysis.findings.some((f) => f.fix)) return unchanged;
  const { text, applied } = fixText(source.text, analysis, analyze);
  if (applied === 0) return unchanged;
  const written = writeAtomic(abs, source, text);
  if (!written.ok) {
    output.errors.push({ file, message: written.message });
    return unchanged;
  }
  output.fixed += applied;
  return { analysis: analyze(text), text };
}

/**
 * A notebook's findings are positioned in its joined code cells; the command line reports them
 * where they stand in the file (fileOffset), fix edits too. `cell` still names the cell.
 */
function inFileCoordinates(analysis: Analysis, fileText: string): Finding[] {
  const doc = analysis.notebook;
  if (!doc) return analysis.findings;
  const at = filePositions(fileText, doc);
  const program = new LineIndex(doc.code);
  const inCell = (f: Finding): Finding['cellPosition'] => {
    const cell = doc.cells.find((c) => c.index === f.cell);
    return cell ? { line: f.line - program.position(cell.codeStart).line, column: f.column } : undefined;
  };
  const place = <T extends { start: number; end: number }>(r: T): T & { line: number; column: number; endLine: number; endColumn: number } => {
    const a = at(r.start);
    const b = at(r.end);
    return { ...r, line: a.line + 1, column: a.column + 1, endLine: b.line + 1, endColumn: b.column + 1 };
  };
  return analysis.findings.map((f) => ({
    ...place(f),
    cellPosition: inCell(f),
    related: f.related.map(place),
    // An edit is applied to the cells (offsets of the joined code); its lines and columns say where it lands in the file.
    ...(f.fix ? { fix: { ...f.fix, edits: f.fix.edits.map(place) } } : {}),
  }));
}

function stripOffsets(f: Finding) {
  const { start: _s, end: _e, related: _r, fix, ...rest } = f;
  void _s;
  void _e;
  void _r;
  return fix ? { ...rest, fix: { title: fix.title, edits: fix.edits.map(({ start: _a, end: _b, ...e }) => (void _a, void _b, e)) } } : rest;
}

/** A GitHub Actions workflow command's property or message, escaped as the runner reads them. */
function ghEscape(s: string, property = false): string {
  const t = s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  return property ? t.replace(/:/g, '%3A').replace(/,/g, '%2C') : t;
}

function write(out: NodeJS.WritableStream, format: 'text' | 'json' | 'sarif' | 'github', r: Output): void {
  if (format === 'github') {
    // Workflow annotations (`::warning file=...,line=...::message`): shown on the pull request's diff.
    const level = { error: 'error', warning: 'warning', info: 'notice' } as const;
    for (const f of r.findings) {
      const props = `file=${ghEscape(f.file, true)},line=${f.line},col=${f.column},endLine=${f.endLine},endColumn=${f.endColumn},title=${ghEscape(`initlint ${f.code}`, true)}`;
      out.write(`::${level[f.severity]} ${props}::${ghEscape(`${f.code} ${f.message}`)}\n`);
    }
    for (const e of r.errors) out.write(`::error file=${ghEscape(e.file, true)},title=initlint::${ghEscape(e.message)}\n`);
  } else if (format === 'json') {
    out.write(`${JSON.stringify({ version: 1, files: r.files, findings: r.findings.map(stripOffsets), errors: r.errors }, null, 2)}\n`);
  } else if (format === 'sarif') {
    out.write(`${JSON.stringify(toSarif(r.findings, r.errors, VERSION), null, 2)}\n`);
  } else {
    for (const f of r.findings) {
      // Notebooks as Ruff prints them: the cell (1-based, as Jupyter numbers them), then line and column in it.
      const at = f.cellPosition ? `cell ${f.cell! + 1}:${f.cellPosition.line}:${f.cellPosition.column}` : `${f.line}:${f.column}`;
      out.write(`${escapeControl(f.file)}:${at}: ${f.code} ${f.message}\n`);
    }
    for (const e of r.errors) out.write(`${escapeControl(e.file)}: error: ${escapeControl(e.message)}\n`);
  }
}

/** `--statistics`: findings per rule, most frequent first, as Ruff prints them. */
function statistics(out: NodeJS.WritableStream, r: Output): void {
  const counts = new Map<string, number>();
  for (const f of r.findings) counts.set(f.code, (counts.get(f.code) ?? 0) + 1);
  const names = new Map(RULES.map((rule) => [rule.code as string, rule.name]));
  const fixable = new Map<string, number>();
  for (const f of r.findings) if (f.fix) fixable.set(f.code, (fixable.get(f.code) ?? 0) + 1);
  const width = Math.max(1, ...[...counts.values()].map((n) => String(n).length));
  for (const [code, n] of [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))) {
    const fix = fixable.get(code) === n ? ' [*]' : '';
    out.write(`${String(n).padStart(width)}\t${code}\t${names.get(code) ?? ''}${fix}\n`);
  }
}

function summarize(err: NodeJS.WritableStream, r: Output, fix: boolean): void {
  const fixable = r.findings.filter((f) => f.fix).length;
  // "8 problems in 3 of 9 files": the files with problems, of those checked.
  const withProblems = new Set(r.findings.map((f) => f.file)).size;
  const where = withProblems === 0 || withProblems === r.files ? `${r.files} file${r.files === 1 ? '' : 's'}` : `${withProblems} of ${r.files} files`;
  const parts = [`${r.findings.length} problem${r.findings.length === 1 ? '' : 's'} in ${where}`];
  if (fix) parts.push(`${r.fixed} fixed`);
  else if (fixable) parts.push(`${fixable} fixable with --fix`);
  err.write(`${parts.join(', ')}.\n`);
}

if (!isMainThread && (workerData as { initlintWorker?: boolean } | undefined)?.initlintWorker) {
  const data = workerData as { settings: Settings; base: string };
  void serveAsWorker(data.settings, data.base);
} else if (require.main === module && process.argv[2] === 'server') {
  // `initlint server [--stdio]`: the language server (src/server), until the client says exit.
  startServer();
} else if (require.main === module) {
  // `initlint . | head` closes the pipe early: that is the reader's choice, not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  // A live handle for the whole run: see exitWhenWritten.
  setInterval(() => {}, 1 << 30);
  main(process.argv.slice(2)).then(exitWhenWritten, (e: Error) => {
    process.stderr.write(`initlint: internal error: ${e.stack ?? e.message}\n`);
    exitWhenWritten(2);
  });
}

/**
 * Exits explicitly once stdout and stderr have taken everything written. Whenever the event
 * loop runs dry (at the end, and while a WebAssembly compile of the parsers is pending, which
 * holds no handle) Node calls NodePlatform::DrainTasks, which can deadlock with a V8 background
 * compile task (nodejs/node#54918, open in Node 20 and 22): the process then sits at 0 % CPU in
 * a futex wait, and a CI job waits out its time limit. It hit this CLI twice in a row in our
 * own CI on a loaded 2-core machine. So the run holds a timer until it ends, and process.exit,
 * which does not drain background tasks, ends it.
 */
function exitWhenWritten(code: number): void {
  let pending = 2;
  const done = () => {
    if (--pending === 0) process.exit(code);
  };
  process.stdout.write('', done);
  process.stderr.write('', done);
}
