/**
 * initlint in a multi-root workspace (test/fixtures/multiroot): each folder lints with its own
 * settings. team-a raises IL001 to an error in its .vscode/settings.json and excludes legacy/;
 * team-b turns IL001 off in its pyproject.toml and excludes nothing. Both hold the same files.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { InitlintApi } from '../../src/extension/extension';

const folder = (name: string) => vscode.workspace.workspaceFolders!.find((f) => f.name === name)!;
const file = (name: string, rel: string) => vscode.Uri.joinPath(folder(name).uri, rel);

async function until<T>(what: string, probe: () => T | undefined | false): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() - t0 > 20_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The initlint diagnostics of a file as `line code severity`, sorted. */
function findings(uri: vscode.Uri): string[] {
  return vscode.languages
    .getDiagnostics(uri)
    .filter((d) => d.source === 'initlint')
    .map((d) => `${d.range.start.line + 1} ${typeof d.code === 'object' ? d.code.value : d.code} ${vscode.DiagnosticSeverity[d.severity]}`)
    .sort();
}

suite('initlint in a multi-root workspace', () => {
  let api: InitlintApi;

  suiteSetup(async () => {
    assert.equal(vscode.workspace.workspaceFolders?.length, 2, 'the fixture opens as two folders');
    const ext = vscode.extensions.getExtension<InitlintApi>('initlint.initlint');
    assert.ok(ext, 'the extension is installed');
    api = await ext.activate();
    await api.ready;
  });

  test('each folder lints with its own settings and its own pyproject.toml', async () => {
    const a = await until(
      'team-a/model.py linted by the workspace scan',
      () => findings(file('team-a', 'model.py')).length === 2 && findings(file('team-a', 'model.py')),
    );
    assert.deepEqual(a, ['7 IL001 Error', '8 IL002 Warning']);
    const b = await until('team-b/model.py linted', () => findings(file('team-b', 'model.py')).length > 0 && findings(file('team-b', 'model.py')));
    assert.deepEqual(b, ['8 IL002 Warning']);
  });

  test('initlint.exclude applies in its own folder only', async () => {
    // The scan is finished once `ready` resolved: a file it skipped has no result.
    assert.deepEqual(
      await until('team-b/legacy/old.py linted', () => findings(file('team-b', 'legacy/old.py')).length > 0 && findings(file('team-b', 'legacy/old.py'))),
      ['8 IL002 Warning'],
    );
    assert.equal(api.service.resultFor(file('team-a', 'legacy/old.py')), undefined);
    assert.deepEqual(findings(file('team-a', 'legacy/old.py')), []);
  });

  test('an open document follows its folder, and a folder setting changes that folder only', async () => {
    const doc = await vscode.workspace.openTextDocument(file('team-b', 'model.py'));
    await vscode.window.showTextDocument(doc);
    const config = vscode.workspace.getConfiguration('initlint', folder('team-b').uri);
    await config.update('rules', { IL002: 'off' }, vscode.ConfigurationTarget.WorkspaceFolder);
    try {
      await until('team-b/model.py clean', () => findings(doc.uri).length === 0);
      await until('team-a/model.py still judged by its own settings', () => findings(file('team-a', 'model.py')).length === 2);
      assert.deepEqual(findings(file('team-a', 'model.py')), ['7 IL001 Error', '8 IL002 Warning']);
    } finally {
      await config.update('rules', undefined, vscode.ConfigurationTarget.WorkspaceFolder);
    }
    await until('team-b/model.py judged again', () => findings(doc.uri).length === 1);
  });
});
