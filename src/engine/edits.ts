/** Applying a set of engine edits to a text: back to front, so offsets stay valid; overlapping edits are dropped. */
import type { TextEdit } from './ir';

export function applyEdits(text: string, edits: ReadonlyArray<Pick<TextEdit, 'start' | 'end' | 'newText'>>): string {
  const sorted = [...edits].sort((a, b) => b.start - a.start || b.end - a.end);
  let out = text;
  let limit = Infinity;
  for (const e of sorted) {
    if (e.end > limit || e.start < 0 || e.end > text.length || e.start > e.end) continue;
    out = out.slice(0, e.start) + e.newText + out.slice(e.end);
    limit = e.start;
  }
  return out;
}
