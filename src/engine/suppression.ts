/**
 * Suppression comments (rules.md, "Suppression"): `# initlint: disable=IL001,IL004` at the end
 * of a flagged line or alone on the line above it; `initlint: disable-file` (optionally
 * `=IL001,...`) anywhere; and, as Ruff users write them, `# noqa: IL001` (or a bare `# noqa`)
 * at the end of the flagged line. Comment markers are `#` (Python) and `//` (JS/TS).
 */
import type { RuleCode } from './rules';

const DIRECTIVE = /(?:#|\/\/)\s*initlint:\s*(disable-file|disable)(?:\s*=\s*([A-Za-z0-9,\s]+))?/;
/** Ruff's and flake8's form: `# noqa` (every code) or `# noqa: IL001, E501` (the IL codes among them). */
const NOQA = /(?:#|\/\/)\s*noqa\b(?::\s*([A-Za-z]+[0-9]+(?:[,\s]+[A-Za-z]+[0-9]+)*))?/i;

export interface Suppressions {
  /** Codes silenced in the whole file ('*' for all). */
  file: Set<string>;
  /** 0-based line -> codes silenced there ('*' for all). */
  lines: Map<number, Set<string>>;
}

const codesOf = (list: string | undefined): string[] =>
  list
    ? list
        .split(/[\s,]+/)
        .filter(Boolean)
        .map((c) => c.toUpperCase())
    : ['*'];

/**
 * `isComment(offset)`: whether a comment starts at that offset of the text, where a syntax tree
 * can tell (a directive inside a string literal silences nothing); without it, every match counts.
 */
export function readSuppressions(text: string, isComment?: (offset: number) => boolean): Suppressions {
  const out: Suppressions = { file: new Set(), lines: new Map() };
  const hasDirective = text.includes('initlint:');
  const hasNoqa = /noqa/i.test(text);
  if (!hasDirective && !hasNoqa) return out;
  const add = (row: number, codes: string[]) => {
    const set = out.lines.get(row) ?? new Set<string>();
    codes.forEach((c) => set.add(c));
    out.lines.set(row, set);
  };
  const lines = text.split('\n');
  let lineStart = 0;
  lines.forEach((line, row) => {
    const start = lineStart;
    lineStart += line.length + 1;
    const m = hasDirective && line.includes('initlint:') ? DIRECTIVE.exec(line) : null;
    if (m && (!isComment || isComment(start + m.index))) {
      if (m[1] === 'disable-file') {
        codesOf(m[2]).forEach((c) => out.file.add(c));
        return;
      }
      const ownLine = line.slice(0, m.index).trim() === '';
      // A comment alone on its line speaks for the next line; at the end of code, for its own.
      add(ownLine ? row + 1 : row, codesOf(m[2]));
      return;
    }
    const q = hasNoqa ? NOQA.exec(line) : null;
    if (q && (!isComment || isComment(start + q.index))) {
      // noqa speaks for its own line only, as in Ruff; codes of other tools are not ours.
      const codes = codesOf(q[1]).filter((c) => c === '*' || /^IL\d{3}$/.test(c));
      if (codes.length) add(row, codes);
    }
  });
  return out;
}

export function isSuppressed(s: Suppressions, code: RuleCode, startLine: number, endLine: number): boolean {
  if (s.file.has('*') || s.file.has(code)) return true;
  for (const line of new Set([startLine, endLine])) {
    const set = s.lines.get(line);
    if (set && (set.has('*') || set.has(code))) return true;
  }
  return false;
}

/** The comment a "Disable IL00x for this line" action appends to a line. */
export function suppressionComment(code: RuleCode, language: 'python' | 'javascript'): string {
  return `${language === 'python' ? '#' : '//'} initlint: disable=${code}`;
}

/**
 * What "Disable IL00x for this line" inserts at the end of a line: the code added to a directive
 * already there (`# initlint: disable=IL001,IL003`), else a new comment.
 */
export function lineSuppressionText(lineText: string, code: RuleCode, language: 'python' | 'javascript'): string {
  return /(#|\/\/)\s*initlint:\s*disable=([A-Z0-9,\s]+)$/.test(lineText) ? `,${code}` : `  ${suppressionComment(code, language)}`;
}

/** The line a "Disable IL00x for this file" action writes at the top of the file. */
export function fileSuppressionComment(code: RuleCode, language: 'python' | 'javascript'): string {
  return `${language === 'python' ? '#' : '//'} initlint: disable-file=${code}`;
}

/**
 * Where the file-wide directive goes: after a shebang, a PEP 263 coding line or a `'use strict'`
 * prologue, else at the top. 0-based line.
 */
export function fileSuppressionLine(text: string): number {
  const lines = text.split('\n', 3);
  let row = 0;
  if (lines[0]?.startsWith('#!')) row = 1;
  if (/^[ \t\f]*#.*?coding[:=]/.test(lines[row] ?? '')) row++;
  return row;
}
