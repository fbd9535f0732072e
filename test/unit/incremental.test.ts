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

/**
 * The keystrokes of a new line in the middle of a file: Enter (with the indentation an editor
 * adds), then a layer, character by character, then its deletion. A Python edit re-parses only
 * the statements around it (parser.ts, reparsePython): every step must still read what a fresh
 * lint reads, the steps that do not parse included.
 */
for (const [fixture, after, line] of [
  ['pytorch/gpt_init.py', 'self.c_fc = nn.Linear(n_embd, 4 * n_embd)', 'self.c_extra = nn.Linear(n_embd, n_embd)  # a new layer'],
  ['pytorch/passed_blocks.py', 'from torch import nn', 'HIDDEN = [64, 64]'],
  ['keras/sequential.py', 'layers.Dense(64, activation="relu"', ', kernel_initializer="zeros"'],
] as const) {
  test(`typing a line into ${fixture}: every keystroke's incremental lint equals a fresh one`, async () => {
    const linter = await getLinter();
    const full = readFixture(fixture);
    const at = full.indexOf(after) + after.length;
    assert.ok(at >= after.length, `${after} is in ${fixture}`);
    const lineStart = full.lastIndexOf('\n', at - 1) + 1;
    const indent = /^[ \t]*/.exec(full.slice(lineStart))![0];
    // A statement goes on a new line at the same indentation; an argument goes on the same line.
    const typed = after.endsWith('"') ? line : `\n${indent}${line}`;
    const steps = [full];
    for (let k = after.endsWith('"') ? 1 : indent.length + 1; k <= typed.length; k++) steps.push(full.slice(0, at) + typed.slice(0, k) + full.slice(at));
    for (let k = typed.length - 1; k >= 0; k -= 3) steps.push(full.slice(0, at) + typed.slice(0, k) + full.slice(at));
    const key = `typing-line:${fixture}`;
    const mismatches: string[] = [];
    let withErrors = 0;
    const seen = (a: ReturnType<typeof linter.analyze>) => JSON.stringify([a.errors, a.findings.map((f) => [f.code, f.start, f.end, f.message])]);
    for (const text of steps) {
      const incremental = linter.analyze(text, fixture, { cacheKey: key });
      const fresh = linter.analyze(text, fixture, { cacheKey: false });
      if (fresh.errors.length) withErrors++;
      if (seen(incremental) !== seen(fresh))
        mismatches.push(`${JSON.stringify(text.slice(at, at + 40))}: incremental ${seen(incremental).slice(0, 200)} | fresh ${seen(fresh).slice(0, 200)}`);
    }
    linter.forget(key);
    assert.ok(withErrors > 2, 'the typing passes through texts that do not parse');
    assert.deepEqual(mismatches, []);
  });
}
