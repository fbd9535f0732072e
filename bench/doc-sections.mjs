/**
 * A page with two writers: one writes the page, the other one section of it, between markers.
 * Each keeps what the other wrote: the page writer carries the marked section over into the page
 * it writes, the section writer replaces only what lies between the markers.
 *
 * - docs/benchmarks-simulator.md: bench/simulator.mjs writes the page,
 *   bench/simulator-workbench.mjs the workbench section;
 * - docs/benchmarks.md: bench/run.mjs writes the page, bench/corpus.mjs the real-code summary
 *   (the corpus needs pip, so it runs apart).
 */

export const WORKBENCH_SECTION = {
  start: '<!-- bench/simulator-workbench.mjs: start (this section is written by `node bench/simulator-workbench.mjs --write-docs`) -->',
  end: '<!-- bench/simulator-workbench.mjs: end -->',
};

export const CORPUS_SECTION = {
  start: '<!-- bench/corpus.mjs: start (this section is written by `node bench/corpus.mjs --write-docs`) -->',
  end: '<!-- bench/corpus.mjs: end -->',
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
