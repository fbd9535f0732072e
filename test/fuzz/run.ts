/**
 * `npm run fuzz`: the mutation fuzzer with many more cases than `npm test` runs, and a bound on
 * each file's lint time (about 1 s: rules.md's promise that no input under maxFileSize takes
 * longer). FUZZ_CASES (default 50,000) and FUZZ_SEED (default: the time) choose the run; a
 * failure prints its seed and case so that it can be replayed.
 */
import { createLinter } from '../../src/engine/linter';
import { describeFailure, fuzz } from './fuzzer';

const SLOW_MS = 1000;

(async () => {
  const cases = Number(process.env.FUZZ_CASES ?? 50_000);
  const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
  const t0 = performance.now();
  const report = fuzz(await createLinter(), { cases, seed });
  const seconds = ((performance.now() - t0) / 1000).toFixed(1);
  console.log(
    `fuzz: ${report.cases} cases (seed ${seed}) in ${seconds} s; slowest ${report.slowest.ms.toFixed(0)} ms (${report.slowest.seed} case ${report.slowest.caseIndex})`,
  );
  for (const f of report.failures) console.log(`\n${describeFailure(f)}`);
  const slow = report.slowest.ms > SLOW_MS;
  if (slow) console.log(`\nslowest case over ${SLOW_MS} ms: replay with FUZZ_SEED=${seed} FUZZ_CASES=${report.slowest.caseIndex + 1}`);
  process.exitCode = report.failures.length > 0 || slow ? 1 : 0;
})();
