/**
 * "Disable IL00x for this file" for files that cannot hold a comment writes per-file-ignores into
 * the project's config: the file's layout and comments kept, the result parsed again.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse as parseToml } from 'smol-toml';
import { addPerFileIgnore } from '../../src/cli/config';

const pfi = (toml: string) => JSON.parse(JSON.stringify((parseToml(toml) as any).tool.initlint['per-file-ignores'])) as Record<string, string[]>;

test('pyproject.toml with [tool.initlint]: a per-file-ignores table added at the end, the rest untouched', () => {
  const before = '[project]\nname = "x"\n\n# initlint reads this section too.\n[tool.initlint]\nexclude = ["legacy/**"]\nrules = { IL007 = "info" }\n';
  const after = addPerFileIgnore(before, 'toml', 'configs/mlp_model.json', 'IL001')!;
  assert.equal(after, `${before}\n[tool.initlint.per-file-ignores]\n"configs/mlp_model.json" = ["IL001"]\n`);
  assert.deepEqual(pfi(after), { 'configs/mlp_model.json': ['IL001'] });
  // Again with another code: the same line, both codes.
  const again = addPerFileIgnore(after, 'toml', 'configs/mlp_model.json', 'IL003')!;
  assert.deepEqual(pfi(again), { 'configs/mlp_model.json': ['IL001', 'IL003'] });
  assert.equal(again.split('per-file-ignores').length, 2, 'one table');
  assert.equal(addPerFileIgnore(again, 'toml', 'configs/mlp_model.json', 'IL003'), again, 'already there: unchanged');
});

test('pyproject.toml: an existing table gets a line; an inline table gets the entry; no [tool.initlint] creates it', () => {
  const table = '[tool.initlint]\nexclude = []\n\n[tool.initlint.per-file-ignores]\n"tests/**" = ["IL003"]\n\n[tool.ruff]\nline-length = 100\n';
  const t = addPerFileIgnore(table, 'toml', 'm.keras', 'IL005')!;
  assert.deepEqual(pfi(t), { 'tests/**': ['IL003'], 'm.keras': ['IL005'] });
  assert.match(t, /"tests\/\*\*" = \["IL003"\]\n"m\.keras" = \["IL005"\]\n\n\[tool\.ruff\]/);
  const inline = '[tool.initlint]\nper-file-ignores = { "tests/**" = ["IL003"] }  # keep\n';
  const i = addPerFileIgnore(inline, 'toml', 'a.json', 'IL001')!;
  assert.deepEqual(pfi(i), { 'a.json': ['IL001'], 'tests/**': ['IL003'] });
  assert.match(i, /# keep\n$/);
  const none = '[project]\nname = "x"\n';
  assert.deepEqual(pfi(addPerFileIgnore(none, 'toml', 'a.json', 'IL001')!), { 'a.json': ['IL001'] });
  // A shape not handled safely (a multi-line inline table) is refused, never written broken.
  assert.equal(addPerFileIgnore('[tool.initlint]\nper-file-ignores = {\n}\n', 'toml', 'a.json', 'IL001'), undefined);
  assert.equal(addPerFileIgnore('not = [toml', 'toml', 'a.json', 'IL001'), undefined);
});

test('initlint.json: the entry added through JSON edits, formatting kept; an empty file becomes a config', () => {
  const json = '{\n  "rules": { "IL007": "off" }\n}\n';
  const out = addPerFileIgnore(json, 'json', 'configs/m.json', 'IL001')!;
  assert.deepEqual(JSON.parse(out), { rules: { IL007: 'off' }, 'per-file-ignores': { 'configs/m.json': ['IL001'] } });
  assert.match(out, /^\{\n {2}"rules": /, 'two-space indentation, as the file had');
  assert.deepEqual(JSON.parse(addPerFileIgnore('', 'json', 'a.h5', 'IL003')!), { 'per-file-ignores': { 'a.h5': ['IL003'] } });
  assert.equal(addPerFileIgnore('{ broken', 'json', 'a.h5', 'IL003'), undefined);
});
