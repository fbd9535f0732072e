// `npm run test:integration`: the integration suites inside a real VS Code (code-server), on
// fresh copies of examples/ and of the multi-root fixture, so the suites' edits never touch the
// repository.
import { cpSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const workspace = join(root, '.test-run', 'workspace');
rmSync(workspace, { recursive: true, force: true });
cpSync(join(root, 'examples'), workspace, { recursive: true });
const multiRoot = join(root, '.test-run', 'multiroot');
rmSync(multiRoot, { recursive: true, force: true });
cpSync(join(root, 'test', 'fixtures', 'multiroot'), multiRoot, { recursive: true });

const step = (args) => {
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
step([join(root, 'test/harness/install-code-server.mjs')]);
step([
  join(root, 'test/harness/run-integration.mjs'),
  '--extension', root,
  '--tests', join(root, 'dist-test', 'integration'),
  '--workspace', workspace,
  '--screenshot-dir', join(root, '.test-run'),
]);
step([
  join(root, 'test/harness/run-integration.mjs'),
  '--extension', root,
  '--tests', join(root, 'dist-test', 'integration'),
  '--workspace', join(multiRoot, 'multiroot.code-workspace'),
  '--screenshot-dir', join(root, '.test-run'),
]);
