/** Settings as the log reports them, and globs that cannot match. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeSettings, globProblem, parseSettings } from '../../src/engine/settings';

test('describeSettings names only what differs from the defaults', () => {
  assert.equal(describeSettings(parseSettings(undefined).settings), 'the defaults');
  const { settings, problems } = parseSettings({
    rules: { IL001: 'error', IL007: 'off' },
    ignore: ['IL003'],
    exclude: ['legacy/**'],
    'per-file-ignores': { 'tests/**': ['IL001'] },
    maxFileSize: 1048576,
    normalizationAware: false,
  });
  assert.deepEqual(problems, []);
  assert.equal(
    describeSettings(settings),
    'rules IL001=error IL007=off; ignore IL003; exclude legacy/**; per-file-ignores 1 glob; maxFileSize 1.0 MB; normalizationAware false',
  );
});

test('globs that cannot match are named and dropped', () => {
  assert.equal(globProblem('legacy/**'), undefined);
  assert.equal(globProblem('tests/[ab]*.py'), undefined);
  assert.match(globProblem('../x/**')!, /outside the folder/);
  assert.match(globProblem('/abs/**')!, /absolute path/);
  assert.match(globProblem('{a,b')!, /not a valid glob/);
  const { settings, problems } = parseSettings({ exclude: ['ok/**', '../no/**'] });
  assert.deepEqual(settings.exclude, ['ok/**']);
  assert.deepEqual(problems, ['exclude: "../no/**" reaches outside the folder of the config, so it matches nothing']);
});

test('rule code lists: an empty entry is no code, an unknown one is named once, an empty list is named', () => {
  assert.deepEqual(parseSettings({ select: 'IL001, il003,' }), parseSettings({ select: ['IL001', 'IL003'] }));
  assert.deepEqual(parseSettings({ select: 'IL999,IL001,IL999' }).problems, ['select: unknown rule code "IL999"']);
  assert.deepEqual(parseSettings({ select: ',,,' }).problems, ['select: expected a list of rule codes']);
});
