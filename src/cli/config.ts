/**
 * Settings for the CLI: `--config FILE`, else `[tool.initlint]` in the nearest pyproject.toml,
 * else the nearest initlint.json, looked for from the working directory upwards.
 */
import * as fs from 'node:fs';
import { readRegular } from './files';
import * as path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { applyEdits as applyJsonEdits, modify as modifyJson } from 'jsonc-parser';

export interface LoadedConfig {
  /** The raw settings table, or undefined when no file was found. */
  raw?: unknown;
  file?: string;
}

/** A config's text without its byte order mark (Windows editors write one; JSON.parse rejects it). */
const withoutBom = (text: string): string => text.replace(/^\uFEFF/, '');

export function readConfigFile(file: string): LoadedConfig {
  const read = readRegular(file, 4 * 1048576);
  if ('error' in read) throw new Error(`${file}: ${read.error}`);
  const text = withoutBom(read.bytes.toString('utf8'));
  if (file.endsWith('.toml')) {
    let doc: Record<string, unknown>;
    try {
      doc = parseToml(text) as Record<string, unknown>;
    } catch (err) {
      throw new Error(`${file}: ${(err as Error).message.split('\n')[0]}`, { cause: err });
    }
    const tool = doc.tool as Record<string, unknown> | undefined;
    return { raw: tool?.initlint, file };
  }
  try {
    return { raw: JSON.parse(text), file };
  } catch (err) {
    throw new Error(`${file}: ${(err as Error).message}`, { cause: err });
  }
}

/** Find the nearest config from `start` upwards; a pyproject.toml without [tool.initlint] does not count. */
export function findConfig(start: string): LoadedConfig {
  for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
    const pyproject = path.join(dir, 'pyproject.toml');
    if (fs.existsSync(pyproject)) {
      const loaded = readConfigFile(pyproject);
      if (loaded.raw !== undefined) return loaded;
    }
    const json = path.join(dir, 'initlint.json');
    if (fs.existsSync(json)) return readConfigFile(json);
    if (path.dirname(dir) === dir) return {};
  }
}

/**
 * The text of a config with `code` added to the `per-file-ignores` entry of `glob` (the editor's
 * "Disable IL00x for this file" for files that cannot hold a comment: JSON configs, `.keras`,
 * `.h5`). The file's comments are kept: initlint.json through jsonc-parser's edits (which
 * re-indent the object they insert into); pyproject.toml by inserting one line (into an existing `per-file-ignores` table or
 * inline table, else a new `[tool.initlint.per-file-ignores]` table at the end). The result is
 * parsed again and returned only if it holds the entry and everything the file held before;
 * otherwise undefined (the caller then uses the editor's settings).
 */
export function addPerFileIgnore(text: string, kind: 'toml' | 'json', glob: string, code: string): string | undefined {
  const before = settingsTable(text, kind);
  if (before === null) return undefined;
  const existing = perFileIgnoresOf(before)?.[glob] ?? [];
  if (existing.includes(code)) return text;
  const codes = [...existing, code];
  let out: string;
  if (kind === 'json') {
    const eol = text.includes('\r\n') ? '\r\n' : '\n';
    const key = before && typeof before === 'object' && 'per_file_ignores' in before ? 'per_file_ignores' : 'per-file-ignores';
    const source = text.trim() ? text : '{}';
    out = applyJsonEdits(source, modifyJson(source, [key, glob], codes, { formattingOptions: { insertSpaces: true, tabSize: 2, eol } }));
  } else {
    out = addTomlEntry(text, glob, codes) ?? '';
    if (!out) return undefined;
  }
  const after = settingsTable(out, kind);
  const got = after ? perFileIgnoresOf(after)?.[glob] : undefined;
  if (!got || code !== got[got.length - 1] || !after || !sameExceptIgnores(before, after)) return undefined;
  return out;
}

function settingsTable(text: string, kind: 'toml' | 'json'): Record<string, unknown> | undefined | null {
  try {
    const body = withoutBom(text);
    if (kind === 'json') return body.trim() ? (JSON.parse(body) as Record<string, unknown>) : {};
    const tool = (parseToml(body) as { tool?: Record<string, unknown> }).tool;
    return tool?.initlint as Record<string, unknown> | undefined;
  } catch {
    return null;
  }
}

function perFileIgnoresOf(table: Record<string, unknown> | undefined): Record<string, string[]> | undefined {
  const v = table?.['per-file-ignores'] ?? table?.per_file_ignores ?? table?.perFileIgnores;
  return v && typeof v === 'object' ? (v as Record<string, string[]>) : undefined;
}

function sameExceptIgnores(a: Record<string, unknown> | undefined, b: Record<string, unknown> | undefined): boolean {
  const strip = (t: Record<string, unknown> | undefined) =>
    JSON.stringify(
      Object.entries(t ?? {})
        .filter(([k]) => !/^per[-_]?file[-_]?ignores$/i.test(k))
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    );
  return strip(a) === strip(b);
}

const TOML_KEY = /^[A-Za-z0-9_-]+$/;

function tomlString(s: string): string {
  return JSON.stringify(s);
}

/** One line added to pyproject.toml for the entry; undefined where the file's shape is not one this handles. */
function addTomlEntry(text: string, glob: string, codes: string[]): string | undefined {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const key = TOML_KEY.test(glob) ? glob : tomlString(glob);
  const value = `[${codes.map(tomlString).join(', ')}]`;
  const lines = text.split(/\r?\n/);
  const header = (l: string) => /^\s*\[\s*tool\s*\.\s*initlint\s*\.\s*["']?per[-_]file[-_]ignores["']?\s*\]\s*(#.*)?$/.test(l);
  const keyLine = (l: string) => {
    const m = /^\s*("(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_-]+)\s*=/.exec(l);
    if (!m) return undefined;
    const k = m[1];
    return k.startsWith('"') ? (JSON.parse(k) as string) : k.startsWith("'") ? k.slice(1, -1) : k;
  };
  // A [tool.initlint.per-file-ignores] table: the glob's line replaced, or a line added at its end.
  const at = lines.findIndex(header);
  if (at >= 0) {
    let end = at + 1;
    while (end < lines.length && !/^\s*\[/.test(lines[end])) end++;
    const own = lines.slice(at + 1, end).findIndex((l) => keyLine(l) === glob);
    if (own >= 0) lines[at + 1 + own] = `${key} = ${value}`;
    else {
      let last = end;
      while (last > at + 1 && lines[last - 1].trim() === '') last--;
      lines.splice(last, 0, `${key} = ${value}`);
    }
    return lines.join(eol);
  }
  // `per-file-ignores = { ... }` on one line inside [tool.initlint]: the entry added first.
  const inline = lines.findIndex((l) => /^\s*["']?per[-_]file[-_]ignores["']?\s*=\s*\{/.test(l));
  if (inline >= 0) {
    if (!/\}\s*(#.*)?$/.test(lines[inline])) return undefined;
    if (perFileIgnoresInlineHas(lines[inline], glob)) return undefined;
    lines[inline] = lines[inline].replace(/\{\s*/, (m) => `${m}${key} = ${value}${/\{\s*\}/.test(lines[inline]) ? '' : ', '}`);
    return lines.join(eol);
  }
  // Otherwise a new table at the end (it also creates [tool.initlint] where there was none).
  const body = text.replace(/(\r?\n)*$/, '');
  return `${body}${body ? `${eol}${eol}` : ''}[tool.initlint.per-file-ignores]${eol}${key} = ${value}${eol}`;
}

function perFileIgnoresInlineHas(line: string, glob: string): boolean {
  return line.includes(tomlString(glob)) || line.includes(`'${glob}'`);
}

/**
 * Where "Disable IL00x for this file" writes its per-file-ignores entry for `file`, and the glob
 * that names the file there (relative to the config, glob characters escaped): the config the
 * settings are read from, found from `start` upwards but only inside `root` (never a parent
 * project's), else `root`'s pyproject.toml, else a new `root`/initlint.json. Shared by the
 * extension and the language server.
 */
export function perFileIgnoreTarget(root: string, start: string, file: string): { config: string; kind: 'toml' | 'json'; glob: string } | undefined {
  let config: string | undefined;
  try {
    config = findConfig(start).file;
  } catch {
    return undefined;
  }
  const inside = (p: string) => p === root || p.startsWith(root + path.sep);
  if (config && !inside(path.resolve(config))) config = undefined;
  config ??= fs.existsSync(path.join(root, 'pyproject.toml')) ? path.join(root, 'pyproject.toml') : path.join(root, 'initlint.json');
  return { config, kind: config.endsWith('.toml') ? 'toml' : 'json', glob: escapeGlob(path.relative(path.dirname(config), file).split(path.sep).join('/')) };
}

/** A path as a glob that matches only itself. */
export function escapeGlob(relativePath: string): string {
  return relativePath.replace(/[*?[\]{}()!+@\\]/g, '\\$&');
}
