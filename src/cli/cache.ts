/**
 * `--cache`: what the lint of each file said, kept from one run to the next (as Ruff's cache and
 * ESLint's `--cache`), so that a run reads and hashes the files that did not change and lints
 * none of them: a pre-commit hook or an editor's save hook running over a whole project lints
 * only what was edited.
 *
 * One JSON file per configuration (`<dir>/<key>.json`): the key hashes initlint's version and
 * build, the settings, the folder they are relative to and the working directory the file names
 * are written relative to, so a change to any of them reads another file. In it, each file by
 * its absolute path: the SHA-256 of its bytes and what the run reported for it (findings with
 * their fixes as data, errors). A file whose bytes hash the same is reported as kept.
 *
 * A cache that cannot be read (another version's format, a broken file) is started afresh; one
 * that cannot be written is reported and the run's results stand. The folder gets a `.gitignore`
 * of `*`, as Ruff's does, so it never reaches a commit.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Finding, FindingEdit } from '../engine/linter';
import type { Settings } from '../engine/settings';

export const DEFAULT_CACHE_DIR = '.initlint_cache';
/** The stored format; a file of another is read as empty. */
const FORMAT = 1;

/** One file's part of a run's report, as kept. */
export interface FileReport {
  findings: Finding[];
  errors: Array<{ file: string; message: string }>;
}

interface Entry {
  hash: string;
  report: FileReport;
}

interface Stored {
  format: number;
  files: Record<string, Entry>;
}

/** What makes a kept report valid beside the file's own bytes. */
export interface CacheContext {
  version: string;
  /** The running bundle's size and time: a rebuild of the same version is another build. */
  build: string;
  settings: Settings;
  /** The folder the settings' globs are relative to. */
  base: string;
  /** The working directory: reported file names are relative to it. */
  cwd: string;
}

/**
 * Whether a kept report has what the printers read (a cache file edited or damaged by hand gave
 * `Cannot read properties of null` and exit 2): an entry that has not is linted again.
 */
function isReport(r: unknown): r is FileReport {
  const report = r as Partial<FileReport> | null | undefined;
  if (!report || !Array.isArray(report.findings) || !Array.isArray(report.errors)) return false;
  const isNumber = (x: unknown) => typeof x === 'number' && Number.isFinite(x);
  const isString = (x: unknown) => typeof x === 'string';
  const at = (p: unknown) => {
    const o = p as Record<string, unknown> | null;
    return !!o && typeof o === 'object' && ['line', 'column', 'endLine', 'endColumn', 'start', 'end'].every((k) => isNumber(o[k]));
  };
  const finding = (f: unknown) => {
    const o = f as Record<string, unknown> | null;
    if (!at(o) || !['file', 'code', 'severity', 'message', 'model', 'layer'].every((k) => isString(o![k]))) return false;
    const cell = o!.cellPosition as Record<string, unknown> | undefined;
    if (cell !== undefined && !(cell && isNumber(cell.line) && isNumber(cell.column))) return false;
    const fix = o!.fix as { title?: unknown; edits?: unknown } | undefined;
    if (fix !== undefined && !(fix && isString(fix.title) && Array.isArray(fix.edits) && fix.edits.every((e) => at(e) && isString((e as FindingEdit).newText))))
      return false;
    return Array.isArray(o!.related) && o!.related.every((x) => at(x) && isString((x as Record<string, unknown>).message));
  };
  const error = (e: unknown) => !!e && isString((e as Record<string, unknown>).file) && isString((e as Record<string, unknown>).message);
  return report.findings.every(finding) && report.errors.every(error);
}

export function sha256(bytes: Uint8Array | string): string {
  return crypto.createHash('sha256').update(bytes).digest('hex');
}

export class LintCache {
  private changed = false;

  private constructor(
    private readonly dir: string,
    private readonly file: string,
    private readonly entries: Map<string, Entry>,
    /** Why the kept reports could not be read, if they could not. */
    readonly problem: string | undefined,
  ) {}

  static open(dir: string, context: CacheContext): LintCache {
    const key = sha256(JSON.stringify(context)).slice(0, 16);
    const file = path.join(dir, `${key}.json`);
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      return new LintCache(dir, file, new Map(), undefined);
    }
    try {
      const stored = JSON.parse(text) as Stored;
      if (stored?.format !== FORMAT || typeof stored.files !== 'object' || stored.files === null) throw new Error(`not format ${FORMAT}`);
      const entries = new Map<string, Entry>();
      for (const [abs, e] of Object.entries(stored.files)) {
        if (typeof e?.hash === 'string' && isReport(e.report)) entries.set(abs, e);
      }
      return new LintCache(dir, file, entries, undefined);
    } catch (e) {
      return new LintCache(dir, file, new Map(), `the cache ${file} could not be read (${(e as Error).message}): starting afresh`);
    }
  }

  /**
   * The hash a file's bytes are kept under; undefined where it cannot be read (the lint reports
   * why) or is larger than `maxBytes` (a weights file: not read whole for a hash).
   */
  hashOf(abs: string, maxBytes: number): string | undefined {
    try {
      const stat = fs.statSync(abs);
      if (!stat.isFile() || stat.size > maxBytes) return undefined;
      return sha256(fs.readFileSync(abs));
    } catch {
      return undefined;
    }
  }

  /** What the last run reported for this file, if its bytes are the same. */
  get(abs: string, hash: string): FileReport | undefined {
    const e = this.entries.get(abs);
    return e && e.hash === hash ? e.report : undefined;
  }

  set(abs: string, hash: string, report: FileReport): void {
    // Spread reads each finding's fix (built when first read): kept as data.
    this.entries.set(abs, { hash, report: { findings: report.findings.map((f) => ({ ...f })), errors: report.errors } });
    this.changed = true;
  }

  /** Writes the kept reports (files gone from disk are dropped); why not, where it could not. */
  save(): string | undefined {
    if (!this.changed) return undefined;
    const files: Record<string, Entry> = {};
    for (const [abs, e] of this.entries) if (fs.existsSync(abs)) files[abs] = e;
    const temp = `${this.file}.${process.pid}.tmp`;
    try {
      fs.mkdirSync(this.dir, { recursive: true });
      const ignore = path.join(this.dir, '.gitignore');
      if (!fs.existsSync(ignore)) fs.writeFileSync(ignore, '# Created by initlint: the --cache folder is never committed.\n*\n');
      // Written beside, then renamed over: a run stopped halfway leaves the last cache whole.
      fs.writeFileSync(temp, JSON.stringify({ format: FORMAT, files } satisfies Stored));
      fs.renameSync(temp, this.file);
      this.changed = false;
      return undefined;
    } catch (e) {
      try {
        fs.rmSync(temp, { force: true });
      } catch {
        // Nothing was written there either.
      }
      return `the cache could not be written to ${this.dir} (${(e as Error).message})`;
    }
  }
}
