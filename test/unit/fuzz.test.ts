/**
 * The seeded mutation fuzzer (test/fuzz/fuzzer.ts) over every front end's fixtures, a few
 * thousand cases: no exception, no Infinity or NaN printed, incremental lint = fresh lint.
 * `npm run fuzz` runs many more, with a time bound per file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getLinter } from './helpers';
import { describeFailure, fuzz } from '../fuzz/fuzzer';

test('2,400 mutated fixtures of every front end: no throw, no non-finite number, incremental = fresh', async () => {
  const report = fuzz(await getLinter(), { cases: 2400, seed: 20261206 });
  assert.equal(report.cases, 2400);
  for (const folder of ['keras', 'pytorch', 'flax', 'tfjs', 'kerasjson', 'notebooks']) assert.ok(report.perFolder[folder] > 0, `${folder} fuzzed`);
  assert.deepEqual(report.failures.map(describeFailure), []);
});
