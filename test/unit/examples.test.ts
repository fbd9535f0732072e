/**
 * examples/README.md promises what initlint says on each example: the engine must say exactly
 * those rules (as a set per file), and nothing on the files it calls right.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT, getLinter } from './helpers';

test('every example gets the rules examples/README.md names for it, and no other', async () => {
  const linter = await getLinter();
  const readme = fs.readFileSync(path.join(ROOT, 'examples', 'README.md'), 'utf8');
  const rows = [...readme.matchAll(/^\| `([^`]+\.(?:py|js|json|ipynb))` \| (.*) \|$/gm)];
  assert.ok(rows.length >= 8, `${rows.length} rows`);
  for (const [, file, said] of rows) {
    const text = fs.readFileSync(path.join(ROOT, 'examples', file), 'utf8');
    const got = [...new Set(linter.lint(text, file).map((f) => f.code))].sort();
    const promised = [...new Set(said.match(/IL\d{3}/g) ?? [])].sort();
    assert.deepEqual(got, promised, `${file}: README says ${said}`);
  }
});
