/**
 * Entry of the integration suite, with the contract of @vscode/test-electron's
 * --extensionTestsPath: `run()` returns a Promise that settles when mocha is done. The same
 * file runs inside code-server here and inside desktop VS Code where it can be downloaded.
 * Which suite runs depends on the workspace it was opened on.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import Mocha from 'mocha';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'tdd', timeout: 60_000, color: false, reporter: 'spec' });
  // One build, two workspaces: examples/ as a folder, and the multi-root fixture from its .code-workspace file.
  const suite = vscode.workspace.workspaceFile ? 'multiRoot.test.js' : 'extension.test.js';
  mocha.addFile(path.join(__dirname, suite));
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} tests failed.`)) : resolve()));
  });
}
