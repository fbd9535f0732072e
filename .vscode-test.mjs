// For machines that can download VS Code: `npx vscode-test` runs the same integration suite
// in desktop VS Code (Electron). Here, without network, `npm run test:integration` runs it in
// code-server instead (test/harness/).
import { defineConfig } from '@vscode/test-cli';

export default defineConfig({
  files: 'dist-test/integration/extension.test.js',
  workspaceFolder: '.test-run/workspace',
  mocha: { ui: 'tdd', timeout: 60_000 },
});
