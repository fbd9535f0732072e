/**
 * Entry of the integration suite, with the contract of @vscode/test-electron's
 * --extensionTestsPath: `run()` returns a Promise that settles when mocha is done. The same
 * file runs inside code-server here and inside desktop VS Code where it can be downloaded.
 */
import * as path from 'node:path';
import Mocha from 'mocha';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'tdd', timeout: 60_000, color: false, reporter: 'spec' });
  mocha.addFile(path.join(__dirname, 'extension.test.js'));
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} tests failed.`)) : resolve()));
  });
}
