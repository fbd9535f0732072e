/**
 * The editor lints each keystroke incrementally (from the previous parse); the CLI parses
 * afresh. Typed in, character by character, a file must get the same findings and the same
 * syntax errors either way at every step, including the steps where it does not parse.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getLinter, readFixture } from './helpers';

for (const [fixture, step] of [
  ['tfjs/sequential.js', 2],
  ['tfjs/functional.ts', 3],
  ['keras/sequential.py', 3],
] as const) {
  test(`typing ${fixture}: every step's incremental lint equals a fresh one`, async () => {
    const linter = await getLinter();
    const full = readFixture(fixture);
    const key = `typing:${fixture}`;
    const mismatches: string[] = [];
    let withErrors = 0;
    for (let i = full.indexOf('\n', full.indexOf('import')) + 1; i <= full.length; i += step) {
      const text = full.slice(0, i);
      const incremental = linter.analyze(text, fixture, { cacheKey: key });
      const fresh = linter.analyze(text, fixture, { cacheKey: false });
      if (fresh.errors.length) withErrors++;
      const seen = (a: typeof fresh) => JSON.stringify([a.errors, a.findings.map((f) => [f.code, f.start, f.end, f.message])]);
      if (seen(incremental) !== seen(fresh)) mismatches.push(`at ${i}: incremental ${seen(incremental).slice(0, 200)} | fresh ${seen(fresh).slice(0, 200)}`);
    }
    linter.forget(key);
    assert.ok(withErrors > 10, 'the typing passes through texts that do not parse');
    assert.deepEqual(mismatches, []);
  });
}
