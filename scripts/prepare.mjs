// `npm install` runs this in a clone of initlint (and npm, when it installs initlint from git:
// pre-commit's `language: node` hooks do, with `npm install -g git+...`): builds dist/.
//
// Installed globally from git, npm prepares the clone with the global flag inherited, so the dev
// dependencies the build needs land in the global prefix, not in the clone (the same with npm 10
// and 11). Where they are missing, they are installed into the clone first, then the build runs.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
try {
  require.resolve('esbuild');
} catch {
  console.log('initlint: installing the build tools into this clone (an install from git)');
  run('npm', ['install', '--global=false', '--no-save', '--include=dev', '--ignore-scripts', '--no-audit', '--no-fund']);
}
run(process.execPath, [join(root, 'scripts', 'build.mjs')]);
