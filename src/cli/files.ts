/** Reading sources safely (size, binary, encoding) and writing fixes atomically. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Analysis, FindingEdit } from '../engine/linter';
import { editCells, writeCells } from '../engine/notebook';
import { applyEdits, selectFixes } from '../engine/edits';
import { formatSize } from '../engine/text';
import { savedModelOf } from '../engine/frontends/json/savedModels';

/**
 * How a source file is encoded: UTF-8 (the default), UTF-16 with its byte-order mark, or what a
 * PEP 263 coding line declares (Latin-1 round-trips exactly; other encodings are read, not fixed).
 */
export type Encoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'latin-1' | { readOnly: string };

export type Source =
  { kind: 'text'; text: string; bom: boolean; bytes: Buffer; mtimeMs: number; encoding: Encoding } | { kind: 'skip' } | { kind: 'error'; message: string };

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Reads a regular file of at most `maxBytes` (or its first `maxBytes` with `head`), whatever
 * stands at the path: opened without blocking (a FIFO would wait for a writer forever), checked
 * on the open descriptor (no swap between check and read), and read only as far as its size
 * (`/dev/zero` has no end). A FIFO, device or directory is refused with what it is.
 */
export function readRegular(abs: string, maxBytes: number, head = false): { bytes: Buffer; mtimeMs: number } | { error: string } {
  let fd: number;
  try {
    fd = fs.openSync(abs, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { error: code === 'EISDIR' ? 'a directory, not a file: not read' : `cannot read: ${code ?? (e as Error).message}` };
  }
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) {
      const what = stat.isDirectory() ? 'a directory' : stat.isFIFO() ? 'a FIFO (named pipe)' : stat.isSocket() ? 'a socket' : 'a device';
      return { error: `${what}, not a regular file: not read` };
    }
    if (stat.size > maxBytes && !head) return { error: `${formatSize(stat.size)} is above maxFileSize (${formatSize(maxBytes)}): not linted` };
    const bytes = Buffer.alloc(Math.min(stat.size, maxBytes));
    let read = 0;
    while (read < bytes.length) {
      const n = fs.readSync(fd, bytes, read, bytes.length - read, read);
      if (n === 0) break;
      read += n;
    }
    return { bytes: bytes.subarray(0, read), mtimeMs: stat.mtimeMs };
  } catch (e) {
    return { error: `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` };
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * A saved Keras model (`.keras`, `.h5`): its config, and the name it is linted under
 * (`model.keras/config.json`); undefined for any other file, or a saved model without a config.
 * The CLI, the language server's workspace scan and the extension read saved models this way.
 */
export function readSavedModel(abs: string, maxFileSize: number): { text: string; fileName: string; part: string } | { error: string } | undefined {
  const saved = savedModelOf(abs);
  if (!saved) return undefined;
  // An .h5 model with its weights can be far larger than its config: Keras writes the root's
  // attributes (model_config among them) before the weights, so the file's head holds them.
  const got = readRegular(abs, maxFileSize * 64, saved.part === 'model_config');
  if ('error' in got) return got;
  const read = saved.read(got.bytes);
  if ('error' in read) return read;
  if (read.text === undefined) return undefined;
  return { text: read.text, fileName: saved.part.endsWith('.json') ? `${abs}/${saved.part}` : `${abs}/${saved.part}.json`, part: saved.part };
}

export function readSource(abs: string, maxFileSize: number): Source {
  const read = readRegular(abs, maxFileSize);
  if ('error' in read) return { kind: 'error', message: read.error };
  const { bytes, mtimeMs } = read;
  // UTF-16 (Windows editors' "Unicode"): its byte-order mark says which; its NULs are not binary.
  const utf16 = bytes[0] === 0xff && bytes[1] === 0xfe ? 'utf-16le' : bytes[0] === 0xfe && bytes[1] === 0xff ? 'utf-16be' : undefined;
  if (utf16) {
    try {
      const text = new TextDecoder(utf16, { fatal: true, ignoreBOM: true }).decode(bytes.subarray(2));
      return { kind: 'text', text, bom: true, bytes, mtimeMs, encoding: utf16 };
    } catch {
      return { kind: 'error', message: `starts with a ${utf16.toUpperCase()} byte-order mark but is not valid ${utf16.toUpperCase()}: not linted` };
    }
  }
  if (bytes.subarray(0, 8192).includes(0)) return { kind: 'error', message: 'binary file: not linted' };
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    return pep263(bytes, mtimeMs);
  }
  const bom = text.charCodeAt(0) === 0xfeff;
  return { kind: 'text', text: bom ? text.slice(1) : text, bom, bytes, mtimeMs, encoding: 'utf-8' };
}

/** A file that is not UTF-8: read in the encoding its PEP 263 coding line declares, if Node can decode it. */
function pep263(bytes: Buffer, mtimeMs: number): Source {
  // The coding line is the first or second line, in ASCII (PEP 263).
  const head = bytes
    .subarray(0, 400)
    .toString('latin1')
    .split(/\r?\n|\r/, 2);
  const label = head
    .map((l) => /^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)/.exec(l)?.[1])
    .find((x) => x)
    ?.toLowerCase();
  if (!label) return { kind: 'error', message: 'not valid UTF-8, and no PEP 263 coding line says what it is: not linted' };
  if (/^(?:latin[-_]?1|iso[-_]?8859[-_]?1|l1|8859|cp819|iso_8859_1)$/.test(label)) {
    // Python's Latin-1 is ISO-8859-1 exactly (the WHATWG "latin1" label is Windows-1252): Buffer's 'latin1'.
    return { kind: 'text', text: bytes.toString('latin1'), bom: false, bytes, mtimeMs, encoding: 'latin-1' };
  }
  try {
    const text = new TextDecoder(label.replace(/_/g, '-'), { fatal: true }).decode(bytes);
    return { kind: 'text', text, bom: false, bytes, mtimeMs, encoding: { readOnly: label } };
  } catch (e) {
    const unknown = e instanceof RangeError;
    return {
      kind: 'error',
      message: unknown
        ? `written in ${label} (its coding line), which initlint cannot decode: not linted`
        : `not valid ${label}, as its coding line declares: not linted`,
    };
  }
}

/** The bytes of a fixed text in the source's own encoding; undefined where initlint cannot write that encoding. */
function encode(text: string, source: Extract<Source, { kind: 'text' }>): Buffer | undefined {
  const e = source.encoding;
  if (e === 'utf-8') return Buffer.from((source.bom ? '\ufeff' : '') + text, 'utf8');
  if (e === 'utf-16le') return Buffer.from(`\ufeff${text}`, 'utf16le');
  if (e === 'utf-16be') return Buffer.from(`\ufeff${text}`, 'utf16le').swap16();
  if (e === 'latin-1') return /^[\u0000-\u00ff]*$/.test(text) ? Buffer.from(text, 'latin1') : undefined;
  return undefined;
}

/**
 * Apply every fix of an analysis, then re-analyze and repeat while fixes remain (at most a few
 * rounds: each round removes findings, and a fix never re-creates one).
 */
export function fixText(text: string, first: Analysis, analyze: (t: string) => Analysis): { text: string; applied: number } {
  // A notebook's findings are in its joined code: edits go to the cells they are in.
  const apply = (t: string, a: Analysis, edits: FindingEdit[]) => (a.notebook ? writeCells(t, a.notebook, editCells(a.notebook, edits)) : applyEdits(t, edits));
  let current = text;
  let analysis = first;
  let applied = 0;
  for (let round = 0; round < 5; round++) {
    // Non-overlapping fixes only: an overlapping one waits for the next round.
    const chosen = selectFixes(analysis.findings);
    const edits = chosen.flatMap((f) => f.fix!.edits);
    const taken = chosen.length;
    if (taken === 0) break;
    const next = apply(current, analysis, edits);
    if (next === current) break;
    current = next;
    applied += taken;
    analysis = analyze(current);
  }
  return { text: current, applied };
}

/**
 * Writes a fixed file (docs/cli.md, "What --fix promises"):
 *  - through a symlink to its real target (once); the link stays a link;
 *  - refused, with a message, for a read-only file, a file with several hard links (a rename
 *    would split them) and a file owned by another user (a rename would change its owner);
 *  - via a temporary file in the target's directory with an unpredictable name, created
 *    exclusively (never through a link planted there), with the target's mode;
 *  - only if the file is still what was read, checked again after the temporary file is
 *    written, just before the rename (identity, size, mtime and bytes); else nothing changes.
 */
export function writeAtomic(abs: string, source: Extract<Source, { kind: 'text' }>, text: string): { ok: true } | { ok: false; message: string } {
  let target: string;
  let before: fs.Stats;
  try {
    target = fs.realpathSync(abs);
    before = fs.statSync(target);
  } catch (e) {
    return { ok: false, message: `not fixed: cannot re-read (${(e as Error).message})` };
  }
  if (!before.isFile()) return { ok: false, message: 'not fixed: not a regular file' };
  // Read-only by its mode (root could write it anyway) or to this user.
  let writable = (before.mode & 0o222) !== 0;
  try {
    fs.accessSync(target, fs.constants.W_OK);
  } catch {
    writable = false;
  }
  if (!writable) return { ok: false, message: 'not fixed: the file is read-only' };
  if (before.nlink > 1) return { ok: false, message: `not fixed: the file has ${before.nlink} hard links, which a rewrite would split` };
  const uid = process.getuid?.();
  if (uid !== undefined && uid !== 0 && before.uid !== uid) return { ok: false, message: 'not fixed: the file belongs to another user' };
  const unchanged = (): boolean => {
    try {
      const now = fs.statSync(target);
      return now.ino === before.ino && now.size === source.bytes.length && now.mtimeMs === source.mtimeMs && fs.readFileSync(target).equals(source.bytes);
    } catch {
      return false;
    }
  };
  if (!unchanged()) return { ok: false, message: 'not fixed: the file changed on disk while initlint read it' };
  const encoded = encode(text, source);
  if (!encoded)
    return {
      ok: false,
      message: `not fixed: the file is written in ${typeof source.encoding === 'string' ? source.encoding : source.encoding.readOnly}, which initlint reads but does not write (UTF-8, UTF-16 and Latin-1 only)`,
    };
  const tmp = path.join(path.dirname(target), `.${path.basename(target)}.initlint-${randomBytes(8).toString('hex')}.tmp`);
  let fd: number | undefined;
  let created = false;
  try {
    // 'wx': O_CREAT | O_EXCL, which fails on anything already there, a planted symlink included.
    fd = fs.openSync(tmp, 'wx', before.mode & 0o7777);
    created = true;
    fs.writeFileSync(fd, encoded);
    if (uid === 0) fs.fchownSync(fd, before.uid, before.gid);
    fs.fchmodSync(fd, before.mode & 0o7777);
    fs.closeSync(fd);
    fd = undefined;
    if (!unchanged()) {
      fs.rmSync(tmp, { force: true });
      return { ok: false, message: 'not fixed: the file changed on disk while initlint fixed it' };
    }
    fs.renameSync(tmp, target);
    return { ok: true };
  } catch (e) {
    if (fd !== undefined)
      try {
        fs.closeSync(fd);
      } catch {
        /* already closed */
      }
    if (created)
      try {
        fs.rmSync(tmp, { force: true });
      } catch {
        /* nothing left to clean */
      }
    return { ok: false, message: `not fixed: ${(e as Error).message}` };
  }
}
