/**
 * Which definitions an interpreter evaluates on their own, and in what order (shared by the
 * Python and TF.js interpreters): the functions and classes nothing reached from the module
 * body, entry points first (`build_model()` that nothing in the file calls, which then reaches
 * its helpers with real arguments), then whatever is left. Call sites are found by name in the
 * text, once per file: a cheap over-approximation that only decides the order.
 */
import type { Edit, SyntaxTree as Tree } from '../../syntaxTree';

/** How often each name stands before `(` in the text (`name(`, `obj.name(`). */
export function callCounts(text: string, identifier: RegExp): Map<string, number> {
  return count(new Map(), text, identifier, 1);
}

function count(counts: Map<string, number>, text: string, identifier: RegExp, by: 1 | -1): Map<string, number> {
  const pattern = new RegExp(`(${identifier.source})\\s*\\(`, 'g');
  for (const m of text.matchAll(pattern)) {
    const n = (counts.get(m[1]) ?? 0) + by;
    if (n) counts.set(m[1], n);
    else counts.delete(m[1]);
  }
  return counts;
}

/** The call counts of a kept tree's text, and that text (the next edit is in its offsets). */
interface Counted {
  text: string;
  counts: Map<string, number>;
}

/**
 * `callCounts` of a tree's text; for a tree kept for the next edit, updated from the previous
 * tree's counts rather than counted again (the regular expression over a 5,000-line file took
 * 1 ms of each re-lint). A call site is a name, blanks and `(`: it holds nothing but word
 * characters (with `$`) and blanks before its `(`, so no call site crosses a character that is
 * neither. The call sites that changed lie between the last such character before the edit and
 * the first after it: those of the old text there are taken off, those of the new text added.
 */
export function keptCallCounts(tree: Tree, identifier: RegExp): Map<string, number> {
  return tree.carry<Counted>(`calls ${identifier.source}`, (previous) => ({
    text: tree.text,
    counts: previous && tree.edit ? recount(previous.counts, previous.text, tree.text, tree.edit, identifier) : callCounts(tree.text, identifier),
  })).counts;
}

/** @internal `counts` (of `old`, changed in place) made the call counts of `text`, which `edit` made from `old`. */
export function recount(counts: Map<string, number>, old: string, text: string, edit: Edit, identifier: RegExp): Map<string, number> {
  let from = edit.start;
  while (from > 0 && inCallSite(old.charCodeAt(from - 1))) from--;
  let after = 0;
  while (edit.oldEnd + after < old.length && inCallSite(old.charCodeAt(edit.oldEnd + after))) after++;
  // The character that ends the run (a `(` closes a call site) is part of the window.
  const tail = edit.oldEnd + after < old.length ? after + 1 : after;
  count(counts, old.slice(from, edit.oldEnd + tail), identifier, -1);
  return count(counts, text.slice(from, edit.newEnd + tail), identifier, 1);
}

/** A word character, `$`, or a blank (any non-ASCII character, to be safe): what a call site is made of before its `(`. */
function inCallSite(c: number): boolean {
  return (
    c >= 128 ||
    (c >= 48 && c <= 57) ||
    (c >= 65 && c <= 90) ||
    (c >= 97 && c <= 122) ||
    c === 95 ||
    c === 36 ||
    c === 32 ||
    c === 9 ||
    c === 10 ||
    c === 13 ||
    c === 11 ||
    c === 12
  );
}

/**
 * `defs` with those nobody calls first. `selfCalls(d)`: how many of its name's call sites are
 * its own definition (`def name(`, `class Name(`), which the count includes.
 *
 * `rank(d)`: 0 for a helper, 1 for a definition that is a model of its own when nothing builds
 * it (a Python class), 2 for such a model whose name the file also uses as a value. Uncalled
 * definitions run by rank: a model nothing calls by name may still be built through a value
 * (`ResNet(BasicBlock, ...)` in an uncalled `resnet18()`, `block=BasicBlock` as a default), so
 * it runs after the helpers and models that may build it. Called models go before the called
 * helpers, which they may call (a helper run first would be read on its own, and then again
 * inside its caller).
 */
export function entryPointsFirst<D>(
  defs: readonly D[],
  counts: { get(name: string): number | undefined },
  nameOf: (d: D) => string | undefined,
  selfCalls: (d: D) => number,
  rank: (d: D) => 0 | 1 | 2 = () => 0,
): D[] {
  const called = (d: D) => {
    const name = nameOf(d);
    return !!name && (counts.get(name) ?? 0) > selfCalls(d);
  };
  const ranked = defs.map((d) => ({ d, rank: rank(d), called: called(d) }));
  const uncalled = ranked.filter((r) => !r.called);
  return [...[0, 1, 2].flatMap((k) => uncalled.filter((r) => r.rank === k).map((r) => r.d)), ...ranked.filter((r) => r.rank > 0).map((r) => r.d), ...defs];
}
