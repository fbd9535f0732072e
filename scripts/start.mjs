// `npm start`: initlint in a real VS Code (code-server) on examples/, at http://127.0.0.1:8080
// (PORT to override). Builds and packages the extension, installs it into a private extensions
// folder under .test-run/start (nothing is written into your home), and stops cleanly on Ctrl+C.
// `npm start -- --desktop` opens desktop VS Code instead when `code` is on the PATH.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { installPaths, REPO_ROOT, startCodeServer } from '../test/harness/code-server.mjs';

const examples = join(REPO_ROOT, 'examples');
const run = (cmd, args, opts = {}) => {
  const r = spawnSync(cmd, args, { cwd: REPO_ROOT, stdio: 'inherit', ...opts });
  if (r.status !== 0) process.exit(r.status ?? 1);
};

if (process.argv.includes('--desktop')) {
  const found = spawnSync('code', ['--version'], { stdio: 'ignore' });
  if (found.status !== 0) {
    console.error('npm start -- --desktop needs the `code` command on the PATH.');
    process.exit(2);
  }
  run(process.execPath, ['scripts/build.mjs']);
  run('code', [`--extensionDevelopmentPath=${REPO_ROOT}`, examples]);
  process.exit(0);
}

run(process.execPath, ['test/harness/install-code-server.mjs']);
run('npm', ['run', '--silent', 'package']);

const runDir = join(REPO_ROOT, '.test-run', 'start');
rmSync(runDir, { recursive: true, force: true });
const extensionsDir = join(runDir, 'extensions');
const home = join(runDir, 'home');
mkdirSync(home, { recursive: true });
const paths = installPaths();
// code-server's own installer puts the .vsix where this server looks for extensions.
run(paths.nodeBin, [paths.codeServerEntry, '--config', join(runDir, 'install.yaml'), '--user-data-dir', join(runDir, 'user-data'),
  '--extensions-dir', extensionsDir, '--install-extension', join(REPO_ROOT, 'initlint.vsix')], {
  env: { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, '.config'), XDG_DATA_HOME: join(home, '.local', 'share') },
  stdio: ['ignore', 'ignore', 'inherit'],
});

const port = Number(process.env.PORT ?? 8080);
const server = await startCodeServer({ port, runDir, extensionsDir, extraArgs: [examples] });
console.log(`\ninitlint is running in VS Code on examples/: ${server.url}/?folder=${examples}\nPress Ctrl+C to stop.\n`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  console.log('\nstopping code-server…');
  await server.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
await server.exited;
if (!stopping) {
  console.error('code-server stopped unexpectedly; its log is in .test-run/start/code-server.log');
  process.exit(1);
}
