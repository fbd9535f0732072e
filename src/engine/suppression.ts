/**
 * Suppression comments (rules.md, "Suppression"): `# initlint: disable=IL001,IL004` at the end
 * of a flagged line or alone on the line above it; `initlint: disable-file` anywhere.
 * Comment markers are `#` (Python) and `//` (JS/TS).
 */
import type { RuleCode } from './rules';

const DIRECTIVE = /(?:#|\/\/)\s*initlint:\s*(disable-file|disable)(?:\s*=\s*([A-Za-z0-9,\s]+))?/;

export interface Suppressions {
  file: boolean;
  /** 0-based line -> codes silenced there ('*' for all). */
  lines: Map<number, Set<string>>;
}

/**
 * `isComment(offset)`: whether a comment starts at that offset of the text, where a syntax tree
 * can tell (a directive inside a string literal silences nothing); without it, every match counts.
 */
export function readSuppressions(text: string, isComment?: (offset: number) => boolean): Suppressions {
  const out: Suppressions = { file: false, lines: new Map() };
  if (!text.includes('initlint:')) return out;
  const lines = text.split('\n');
  let lineStart = 0;
  lines.forEach((line, row) => {
    const start = lineStart;
    lineStart += line.length + 1;
    if (!line.includes('initlint:')) return;
    const m = DIRECTIVE.exec(line);
    if (!m || (isComment && !isComment(start + m.index))) return;
    if (m[1] === 'disable-file') {
      out.file = true;
      return;
    }
    const codes = m[2] ? m[2].split(/[\s,]+/).filter(Boolean).map((c) => c.toUpperCase()) : ['*'];
    const ownLine = line.slice(0, m.index).trim() === '';
    // A comment alone on its line speaks for the next line; at the end of code, for its own.
    const target = ownLine ? row + 1 : row;
    const set = out.lines.get(target) ?? new Set<string>();
    codes.forEach((c) => set.add(c));
    out.lines.set(target, set);
  });
  return out;
}

export function isSuppressed(s: Suppressions, code: RuleCode, startLine: number, endLine: number): boolean {
  if (s.file) return true;
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
