/**
 * Collects the files to lint: folders are walked for the extensions the spec lists, honouring
 * .gitignore files (each applies below its own folder) and the `exclude` globs; dependency
 * folders, VCS folders and virtual environments are never entered.
 */
import * as fs from 'node:fs';
import { readRegular } from './files';
import * as path from 'node:path';
import ignore, { type Ignore } from 'ignore';
import picomatch from 'picomatch';

export const LINTED_EXTENSIONS = new Set(['.py', '.ipynb', '.js', '.mjs', '.cjs', '.ts', '.json', '.keras', '.h5', '.hdf5']);
const NEVER_ENTER = new Set([
  'node_modules',
  '.git',
  '.hg',
  '.svn',
  '__pycache__',
  '.venv',
  'venv',
  '.tox',
  '.nox',
  '.mypy_cache',
  '.pytest_cache',
  '.ruff_cache',
  '.initlint_cache',
  'site-packages',
  '.ipynb_checkpoints',
]);

interface Rules {
  dir: string;
  ig: Ignore;
}

export interface WalkOptions {
  exclude: string[];
  /** Paths in `exclude` are relative to this folder. */
  base: string;
}

function isVirtualEnv(dir: string): boolean {
  return fs.existsSync(path.join(dir, 'pyvenv.cfg'));
}

/** Larger than any real .gitignore. */
const MAX_IGNORE_FILE = 4 * 1048576;

function gitignoreOf(dir: string): Rules | undefined {
  const file = path.join(dir, '.gitignore');
  if (!fs.existsSync(file)) return undefined;
  // A .gitignore that is a directory, a FIFO or huge ignores nothing (git reads it the same way).
  const read = readRegular(file, MAX_IGNORE_FILE);
  return 'error' in read ? undefined : { dir, ig: ignore().add(read.bytes.toString('utf8')) };
}

function ignoredBy(rules: Rules[], abs: string, isDir: boolean): boolean {
  for (const r of rules) {
    const rel = path.relative(r.dir, abs).split(path.sep).join('/');
    if (!rel || rel.startsWith('..')) continue;
    if (r.ig.ignores(isDir ? `${rel}/` : rel)) return true;
  }
  return false;
}

export interface Collected {
  files: string[];
  /** Folders that could not be read (permissions, a path too long): reported, never skipped silently. */
  errors: Array<{ dir: string; message: string }>;
}

/** Expand PATHs to files, in a stable order. Paths named explicitly are linted even if ignored. */
export function collectFiles(
  paths: string[],
  opts: WalkOptions,
  readdir: (dir: string) => fs.Dirent[] = (dir) => fs.readdirSync(dir, { withFileTypes: true }),
): Collected {
  const excluded = opts.exclude.length ? picomatch(opts.exclude, { dot: true }) : undefined;
  const isExcluded = (abs: string) => {
    if (!excluded) return false;
    const rel = path.relative(opts.base, abs).split(path.sep).join('/');
    return excluded(rel) || excluded(path.basename(abs));
  };
  const out: string[] = [];
  const errors: Collected['errors'] = [];
  const seen = new Set<string>();
  const walk = (dir: string, rules: Rules[]) => {
    const own = gitignoreOf(dir);
    const active = own ? [...rules, own] : rules;
    let entries: fs.Dirent[];
    try {
      entries = readdir(dir);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const why =
        code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'ENAMETOOLONG' ? 'its path is too long' : (code ?? (e as Error).message);
      errors.push({ dir, message: `folder not read (${why}): its files are not linted` });
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const abs = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (NEVER_ENTER.has(e.name) || isVirtualEnv(abs) || ignoredBy(active, abs, true) || isExcluded(abs)) continue;
        walk(abs, active);
      } else if (LINTED_EXTENSIONS.has(path.extname(e.name).toLowerCase()) && (e.isFile() || (e.isSymbolicLink() && isFile(abs)))) {
        // A link to a file is linted under its own name, once (linked directories are not
        // entered: they can loop). A link counts by its target, so a link and its target lint once.
        const real = e.isSymbolicLink() ? realPath(abs) : abs;
        if (ignoredBy(active, abs, false) || isExcluded(abs) || seen.has(real)) continue;
        seen.add(real);
        out.push(abs);
      }
    }
  };
  for (const p of paths) {
    const abs = path.resolve(p);
    const stat = fs.statSync(abs);
    if (stat.isDirectory()) walk(abs, parentGitignores(abs));
    else if (!seen.has(abs)) {
      seen.add(abs);
      out.push(abs);
    }
  }
  return { files: out, errors };
}

/** .gitignore files above a folder named on the command line, up to the repository root. */
function parentGitignores(dir: string): Rules[] {
  const rules: Rules[] = [];
  for (let d = path.dirname(dir); ; d = path.dirname(d)) {
    const r = gitignoreOf(d);
    if (r) rules.unshift(r);
    if (fs.existsSync(path.join(d, '.git')) || path.dirname(d) === d) break;
  }
  return rules;
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false; // a dangling link
  }
}

function realPath(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return p;
  }
}
