/**
 * Which definitions an interpreter evaluates on their own, and in what order (shared by the
 * Python and TF.js interpreters): the functions and classes nothing reached from the module
 * body, entry points first (`build_model()` that nothing in the file calls, which then reaches
 * its helpers with real arguments), then whatever is left. Call sites are found by name in the
 * text, once per file: a cheap over-approximation that only decides the order.
 */

/** How often each name stands before `(` in the text (`name(`, `obj.name(`). */
export function callCounts(text: string, identifier: RegExp): Map<string, number> {
  const counts = new Map<string, number>();
  const pattern = new RegExp(`(${identifier.source})\\s*\\(`, 'g');
  for (const m of text.matchAll(pattern)) counts.set(m[1], (counts.get(m[1]) ?? 0) + 1);
  return counts;
}

/**
 * `defs` with those nobody calls first. `selfCalls(d)`: how many of its name's call sites are
 * its own definition (`def name(`, `class Name(`), which the count includes.
 */
export function entryPointsFirst<D>(
  defs: readonly D[],
  counts: { get(name: string): number | undefined },
  nameOf: (d: D) => string | undefined,
  selfCalls: (d: D) => number,
): D[] {
  const called = (d: D) => {
    const name = nameOf(d);
    return !!name && (counts.get(name) ?? 0) > selfCalls(d);
  };
  return [...defs.filter((d) => !called(d)), ...defs];
}
