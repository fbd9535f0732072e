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

/**
 * The findings whose fixes can be applied together (fix selection, once for the CLI, the editor
 * and the language server): from the end of the file, a fix is taken when all of its edits end
 * before the previous taken fix begins; an overlapping one waits for the next round.
 */
export function selectFixes<F extends { start: number; fix?: { edits: ReadonlyArray<{ start: number; end: number }> } }>(findings: readonly F[]): F[] {
  const taken: F[] = [];
  let limit = Infinity;
  for (const f of findings.filter((x) => x.fix && x.fix.edits.length > 0).sort((a, b) => b.start - a.start)) {
    const edits = f.fix!.edits;
    if (Math.max(...edits.map((e) => e.end)) > limit) continue;
    taken.push(f);
    limit = Math.min(...edits.map((e) => e.start));
  }
  return taken;
}
