/** Reading sources safely (size, binary, encoding) and writing fixes atomically. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Analysis, FindingEdit } from '../engine/linter';
import { editCells, writeCells } from '../engine/notebook';
import { applyEdits } from '../engine/edits';

export type Source =
  | { kind: 'text'; text: string; bom: boolean; bytes: Buffer; mtimeMs: number }
  | { kind: 'skip' }
  | { kind: 'error'; message: string };

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function readSource(abs: string, maxFileSize: number): Source {
  let bytes: Buffer;
  let mtimeMs: number;
  try {
    const stat = fs.statSync(abs);
    if (stat.size > maxFileSize) {
      return { kind: 'error', message: `${(stat.size / 1048576).toFixed(1)} MB is above maxFileSize (${(maxFileSize / 1048576).toFixed(1)} MB): not linted` };
    }
    mtimeMs = stat.mtimeMs;
    bytes = fs.readFileSync(abs);
  } catch (e) {
    return { kind: 'error', message: `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` };
  }
  if (bytes.subarray(0, 8192).includes(0)) return { kind: 'error', message: 'binary file: not linted' };
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    return { kind: 'error', message: 'not valid UTF-8: not linted' };
  }
  const bom = text.charCodeAt(0) === 0xfeff;
  return { kind: 'text', text: bom ? text.slice(1) : text, bom, bytes, mtimeMs };
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
    const edits: FindingEdit[] = [];
    let taken = 0;
    let lastStart = Infinity;
    // Non-overlapping edits only, from the end: an overlapping one waits for the next round.
    const fixes = analysis.findings.filter((f) => f.fix).sort((a, b) => b.start - a.start);
    for (const f of fixes) {
      const es = f.fix!.edits;
      const maxEnd = Math.max(...es.map((e) => e.end));
      if (maxEnd > lastStart) continue;
      edits.push(...es);
      lastStart = Math.min(...es.map((e) => e.start));
      taken++;
    }
    if (taken === 0) break;
    const next = apply(current, analysis, edits);
    if (next === current) break;
    current = next;
    applied += taken;
    analysis = analyze(current);
  }
  return { text: current, applied };
}

/** Write through a temporary file and rename; leave the file alone if it changed on disk since it was read. */
export function writeAtomic(abs: string, source: Extract<Source, { kind: 'text' }>, text: string): { ok: true } | { ok: false; message: string } {
  let now: Buffer;
  try {
    now = fs.readFileSync(abs);
  } catch (e) {
    return { ok: false, message: `not fixed: cannot re-read (${(e as Error).message})` };
  }
  if (!now.equals(source.bytes)) return { ok: false, message: 'not fixed: the file changed on disk while initlint read it' };
  const tmp = path.join(path.dirname(abs), `.${path.basename(abs)}.initlint-${process.pid}.tmp`);
  try {
    const mode = fs.statSync(abs).mode;
    fs.writeFileSync(tmp, (source.bom ? '\ufeff' : '') + text, { mode });
    fs.renameSync(tmp, abs);
    return { ok: true };
  } catch (e) {
    try { fs.rmSync(tmp, { force: true }); } catch { /* nothing left to clean */ }
    return { ok: false, message: `not fixed: ${(e as Error).message}` };
  }
}
