/**
 * docs/benchmarks-simulator.md has two writers: bench/simulator.mjs writes the page, and
 * bench/simulator-workbench.mjs writes one section of it, between the markers below. Each keeps
 * what the other wrote: the page writer carries the marked section over into the page it
 * writes, the section writer replaces only what lies between the markers.
 */

export const WORKBENCH_SECTION = {
  start: '<!-- bench/simulator-workbench.mjs: start (this section is written by `node bench/simulator-workbench.mjs --write-docs`) -->',
  end: '<!-- bench/simulator-workbench.mjs: end -->',
};

/** The marked section of `doc`, markers included, or undefined when it has none. */
export function sectionOf(doc, { start, end } = WORKBENCH_SECTION) {
  const i = doc.indexOf(start);
  const j = i < 0 ? -1 : doc.indexOf(end, i);
  return j < 0 ? undefined : doc.slice(i, j + end.length);
}

/** `doc` with its marked section replaced by `section` (markers included), or with it appended when it has none. */
export function withSection(doc, section, markers = WORKBENCH_SECTION) {
  const old = sectionOf(doc, markers);
  if (old) return doc.replace(old, () => section);
  return `${doc.trimEnd()}\n\n${section}\n`;
}
