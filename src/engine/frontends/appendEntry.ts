/**
 * Appending an entry (a keyword argument, an object property) to a comma-separated list in
 * the layout the list already has, for the Python and TF.js quick fixes.
 */
import type { TextEdit } from '../ir';
import type { SyntaxNode } from '../syntaxTree';
import { beforeLineBreak, eolOf, lineIndent, startsLine } from '../text';

/**
 * The edits that put `entry` after `last`, the list's last entry. `after` holds the nodes
 * between `last` and the closing bracket: a trailing comma, comments. On one line the entry
 * follows with `, `; one entry per line, it gets its own line at `last`'s indentation, after a
 * comment that ends `last`'s line (the comment stays with the entry it was written for), and a
 * trailing comma, which signals that layout, is kept.
 */
export function appendEntry(text: string, list: SyntaxNode, last: SyntaxNode, after: SyntaxNode[], entry: string): TextEdit[] {
  const comma = after.find((c) => c.type === ',');
  const multiline = startsLine(text, last.startIndex) && last.startPosition.row > list.startPosition.row;
  if (!multiline) {
    return comma
      ? [{ start: comma.endIndex, end: comma.endIndex, newText: ` ${entry},` }]
      : [{ start: last.endIndex, end: last.endIndex, newText: `, ${entry}` }];
  }
  const indent = lineIndent(text, last.startIndex);
  const eol = eolOf(text);
  const anchor = comma ?? last;
  const trailing = after.filter((c) => c.type === 'comment' && c.startPosition.row === anchor.endPosition.row && c.startIndex >= anchor.endIndex).at(-1);
  const lineEnd = beforeLineBreak(text, trailing?.endIndex ?? anchor.endIndex);
  if (comma) return [{ start: lineEnd, end: lineEnd, newText: `${eol}${indent}${entry},` }];
  if (trailing) {
    return [
      { start: last.endIndex, end: last.endIndex, newText: ',' },
      { start: lineEnd, end: lineEnd, newText: `${eol}${indent}${entry}` },
    ];
  }
  return [{ start: last.endIndex, end: last.endIndex, newText: `,${eol}${indent}${entry}` }];
}
