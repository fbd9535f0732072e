#!/usr/bin/env node
// Runs an extension's integration tests (the --extensionTestsPath contract of @vscode/test-electron:
// a module exporting run() that returns a Promise, mocha inside) in a real VS Code: code-server's
// extension host, with the workbench opened by headless Chromium.
//
//   node test/harness/run-integration.mjs --extension <dir> --tests <dir of compiled index.js>
//        --workspace <folder or .code-workspace file> [--timeout-ms 120000] [--screenshot-dir .test-run] [--port N] [--verbose]
//
// Exit code: 0 all tests passed, 1 tests failed (or the extension failed to activate), 2 harness
// error (code-server or Chromium did not start, the workbench never ran the tests, bad arguments).
// mocha's report is printed as it comes (start-up chatter and failed network look-ups filtered out),
// and the last line on stdout is always `N passed, N failed`. On failure a one-line reason goes to
// stderr, and a screenshot with the logs is saved under --screenshot-dir.
// Needs `node test/harness/install-code-server.mjs` once, and Chromium at /usr/bin/chromium
// (Debian package `chromium`; override with INITLINT_CHROMIUM). Never `playwright install`.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { format, parseArgs } from 'node:util';
import { REPO_ROOT, startCodeServer } from './code-server.mjs';
import { CHROMIUM, CHROMIUM_SOURCE } from './chromium.mjs';
import { launchChromium as launchWorkbenchChromium } from './workbench.mjs';

const EXIT_PASS = 0;
const EXIT_FAIL = 1;
const EXIT_HARNESS = 2;


// What the workbench logs that says nothing about the tests: start-up chatter, and marketplace,
// authentication and network look-ups that fail on a machine without internet (harmless). A
// message whose first line matches is kept in the transcript but not printed (unless --verbose).
const NOISE = [
  // start-up and shut-down chatter
  /^Resolv(ing|ed) connection token|^Creating a socket|^\[reconnection-grace-time\]|^\[Service Worker\]/,
  /^Updating additional builtin extensions cache|^\[AgentHost|^\[AccountPolicyGate\]|^Canceled(: Canceled)*$/,
  // no internet, no accounts
  /marketplace|gallery|open-vsx|vsassets|update\.code\.visualstudio|vscode-unpkg|vscode-cdn/i,
  /getaddrinfo|ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|fetch failed|Failed to fetch|net::ERR_/,
  /\b(github|microsoft)[- ]?auth|authentication provider/i,
];
const isNoise = (message) => NOISE.some((pattern) => pattern.test(message.trimStart().split('\n')[0]));

const USAGE = `usage: node test/harness/run-integration.mjs --extension <dir> --tests <dir> --workspace <folder or .code-workspace file>
       [--timeout-ms N] [--screenshot-dir D] [--port N] [--verbose]`;

class HarnessError extends Error {}

const t0 = Date.now();
const seconds = () => ((Date.now() - t0) / 1000).toFixed(1);
const status = (message) => console.log(`[run-integration ${seconds()}s] ${message}`);

function parseOptions() {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        extension: { type: 'string' },
        tests: { type: 'string' },
        workspace: { type: 'string' },
        'timeout-ms': { type: 'string', default: '120000' },
        'screenshot-dir': { type: 'string', default: join(REPO_ROOT, '.test-run') },
        port: { type: 'string' },
        verbose: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (error) {
    throw new HarnessError(`${error.message}\n${USAGE}`);
  }
  if (values.help) {
    console.log(USAGE);
    process.exit(EXIT_PASS);
  }
  for (const name of ['extension', 'tests', 'workspace']) {
    if (!values[name]) throw new HarnessError(`--${name} is required\n${USAGE}`);
  }
  const options = {
    extension: resolve(values.extension),
    tests: resolve(values.tests),
    workspace: resolve(values.workspace),
    timeoutMs: Number(values['timeout-ms']),
    screenshotDir: resolve(values['screenshot-dir']),
    port: values.port === undefined ? undefined : Number(values.port),
    verbose: values.verbose,
  };
  if (!(options.timeoutMs > 0)) throw new HarnessError(`--timeout-ms must be a positive number of milliseconds`);
  const manifestFile = join(options.extension, 'package.json');
  if (!existsSync(manifestFile)) throw new HarnessError(`--extension ${options.extension}: no package.json there`);
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
  options.extensionId = `${manifest.publisher}.${manifest.name}`;
  const testsEntry = isDirectory(options.tests) ? join(options.tests, 'index.js') : options.tests;
  if (!existsSync(testsEntry)) {
    throw new HarnessError(`--tests ${options.tests}: no ${basename(testsEntry)} (the compiled tests' index.js exporting run())`);
  }
  const workspaceFile = options.workspace.endsWith('.code-workspace');
  if (workspaceFile ? !existsSync(options.workspace) : !isDirectory(options.workspace)) {
    throw new HarnessError(`--workspace ${options.workspace} is not a folder or a .code-workspace file`);
  }
  if (!existsSync(CHROMIUM)) {
    throw new HarnessError(`no Chromium at ${CHROMIUM}: ${CHROMIUM_SOURCE} (Debian: apt-get install -y chromium; or set INITLINT_CHROMIUM)`);
  }
  return options;
}

function isDirectory(path) {
  return existsSync(path) && statSync(path).isDirectory();
}

/** Everything seen during the run, in order; saved with the screenshot when the run fails. */
class Transcript {
  constructor() {
    this.lines = [];
  }
  add(source, text) {
    for (const line of String(text).split('\n')) this.lines.push(`${seconds().padStart(6)}s [${source}] ${line}`);
  }
}

/** Reads mocha's spec report as it arrives from the extension host. */
class MochaReport {
  constructor() {
    this.passing = null; // from the summary: "N passing"
    this.failing = null; // "N failing"
    this.ticks = 0; // tests seen passing so far ("✔ title")
    this.crosses = 0; // ... and failing ("1) title"), before the summary
    this.lines = []; // everything codeAutomationLog received
  }
  add(line) {
    this.lines.push(line);
    let match;
    if ((match = /^\s*(\d+) passing\b/.exec(line))) this.passing = Number(match[1]);
    else if ((match = /^\s*(\d+) failing\b/.exec(line))) this.failing = Number(match[1]);
    else if (this.passing === null && /^\s*[✔✓] /.test(line)) this.ticks++;
    else if (this.passing === null && /^\s*\d+\) /.test(line)) this.crosses++;
  }
  get started() {
    return this.passing !== null || this.ticks + this.crosses > 0;
  }
  get finished() {
    return this.passing !== null;
  }
  get passed() {
    return this.passing ?? this.ticks;
  }
  get failed() {
    return this.failing ?? (this.finished ? 0 : this.crosses);
  }
  /** "suite test: first line of the error" for the first failure in mocha's report. */
  firstFailure() {
    const start = this.lines.findIndex((line) => /^\s*\d+ failing\b/.test(line));
    if (start < 0) return null;
    const block = this.lines.slice(start + 1).map((line) => line.trim());
    const first = block.findIndex((line) => /^1\) /.test(line));
    if (first < 0) return null;
    // "1) suite", "nested suite", ..., "test title:", then the error
    const title = [block[first].replace(/^1\) /, '')];
    let i = first;
    while (i + 1 < block.length && !block[i].endsWith(':')) title.push(block[++i]);
    const error = block.slice(i + 1).find((line) => line !== '' && !/^at /.test(line)) ?? '';
    return `${title.join(' › ').replace(/:$/, '')}: ${error}`;
  }
}

async function main() {
  let options;
  try {
    options = parseOptions();
  } catch (error) {
    return finish({ code: EXIT_HARNESS, reason: error.message }, new MochaReport());
  }

  const runDir = mkdtempSync(join(tmpdir(), 'initlint-it-'));
  const transcript = new Transcript();
  const report = new MochaReport();
  const interrupted = new Promise((_, reject) => {
    for (const signal of ['SIGINT', 'SIGTERM']) {
      process.once(signal, () => reject(new HarnessError(`interrupted by ${signal}`)));
    }
  });
  interrupted.catch(() => {});
  let server;
  let context;
  let page;
  let outcome;
  status(`run dir ${runDir}`);
  try {
    // Start-up is bounded (healthz, launch timeouts) and not raced with `interrupted`, so that a
    // Ctrl+C there cannot lose the handle of a code-server that is still starting.
    server = await startCodeServer({ runDir, port: options.port }).catch((error) => {
      throw new HarnessError(`could not start code-server: ${error.message}`);
    });
    status(`code-server up at ${server.url} (pid ${server.pid})`);
    ({ context, page } = await launchChromium(runDir, transcript).catch((error) => {
      transcript.add('harness', error.message); // Playwright's launch log, saved with the artifacts
      const summary = error.message.replace(/\u001b\[\d+m/g, '').split('\n')[0];
      throw new HarnessError(`could not launch Chromium (${CHROMIUM}): ${summary}`);
    }));
    outcome = await runTests({ options, server, page, transcript, report, interrupted });
  } catch (error) {
    outcome = { code: EXIT_HARNESS, reason: error instanceof HarnessError ? error.message : error.stack || String(error) };
  }

  if (outcome.code !== EXIT_PASS && server) {
    outcome.artifacts = await saveArtifacts({ options, runDir, page, server, transcript });
  }
  // Always: the browser, then code-server with all its children, then the scratch folder.
  await context?.close().catch((error) => status(`closing Chromium: ${error.message}`));
  await server?.stop().catch((error) => status(`stopping code-server: ${error.message}`));
  rmSync(runDir, { recursive: true, force: true });
  status('Chromium and code-server stopped');
  finish(outcome, report);
}

/**
 * Chromium as the e2e journey launches it (its profile and HOME in the run folder: nothing is
 * written to the user's home). The page's log/info messages repeat what codeAutomationLog
 * receives; its errors and warnings are kept (the workbench reports an extension's failed
 * activation there).
 */
function launchChromium(runDir, transcript) {
  return launchWorkbenchChromium(runDir, { width: 1400, height: 900 }, {
    onConsole: (source, text, type) => {
      if (!['log', 'info', 'debug'].includes(type)) transcript.add(source, text);
    },
  });
}

async function runTests({ options, server, page, transcript, report, interrupted }) {
  let extHostExit;
  const exited = new Promise((resolveExit) => (extHostExit = resolveExit));
  const crashed = new Promise((_, reject) => page.on('crash', () => reject(new HarnessError('the Chromium page crashed'))));
  crashed.catch(() => {});
  const serverDied = server.exited.then((exit) => {
    throw new HarnessError(`code-server exited during the run (code ${exit.code}, signal ${exit.signal})`);
  });
  serverDied.catch(() => {});

  // The workbench (enable-smoke-test-driver) forwards its log, with the extension host's console
  // (mocha's report), through this ...
  await page.exposeFunction('codeAutomationLog', (type, args) => {
    const text = format(...(Array.isArray(args) ? args : [args])).replace(/\n$/, '');
    transcript.add(`log ${type}`, text);
    for (const line of text.split('\n')) report.add(line);
    if (options.verbose || !isNoise(text)) console.log(text);
  });
  // ... and calls this once the extension host exits after run() settled: 0 resolved, 1 rejected.
  await page.exposeFunction('codeAutomationExit', (code) => {
    transcript.add('harness', `codeAutomationExit(${code})`);
    extHostExit(code);
  });

  const remote = (path) => `vscode-remote://${new URL(server.url).host}${path.split('/').map(encodeURIComponent).join('/')}`;
  const payload = [
    ['extensionDevelopmentPath', remote(options.extension)],
    ['extensionTestsPath', remote(options.tests)],
    ['skipWelcome', 'true'],
  ];
  // A multi-root workspace opens from its .code-workspace file, a folder as itself.
  const opened = options.workspace.endsWith('.code-workspace') ? { workspace: options.workspace } : { folder: options.workspace };
  const query = new URLSearchParams({ ...opened, payload: JSON.stringify(payload) });
  status(`opening the workbench: ${options.extensionId}, tests ${options.tests}`);
  await Promise.race([page.goto(`${server.url}/?${query}`, { waitUntil: 'domcontentloaded', timeout: 60_000 }), interrupted]);

  let timer;
  const timedOut = new Promise((resolveTimeout) => (timer = setTimeout(() => resolveTimeout('timeout'), options.timeoutMs)));
  const code = await Promise.race([exited, timedOut, crashed, serverDied, interrupted]).finally(() => clearTimeout(timer));
  if (code === 'timeout') {
    const limit = `timed out after ${options.timeoutMs / 1000} s`;
    if (!report.started) return { code: EXIT_HARNESS, reason: `${limit}: the tests never started (no codeAutomationExit)` };
    // The test that was running counts as failed, so the summary line agrees with the exit code.
    if (!report.finished) report.crosses++;
    return { code: EXIT_FAIL, reason: `${limit}: the tests did not finish (raise --timeout-ms if they are just slow)` };
  }
  status(`extension host exited with code ${code}`);
  return judge(code, report, activationFailure(transcript, options.extensionId));
}

/**
 * The extension under test's activation error, as the workbench logged it:
 * "Activating extension 'publisher.name' failed: <message>."
 */
function activationFailure(transcript, extensionId) {
  const needle = `activating extension '${extensionId.toLowerCase()}' failed`;
  const line = transcript.lines.find((text) => text.toLowerCase().includes(needle));
  if (!line) return null;
  const message = line.slice(line.toLowerCase().indexOf(needle) + needle.length).replace(/^:\s*/, '').replace(/\.$/, '');
  return `extension ${extensionId} failed to activate: ${message}`;
}

function judge(code, report, activationError) {
  const failures = report.failed > 0 ? `${report.failed} test(s) failed; first: ${report.firstFailure() ?? 'see above'}` : null;
  if (activationError) {
    // Whatever the tests say, an extension that cannot activate is a failure; say that first.
    return { code: EXIT_FAIL, reason: `${activationError}${failures ? ` (${failures})` : code === 0 ? ' (the tests passed without noticing)' : ''}` };
  }
  if (failures) return { code: EXIT_FAIL, reason: failures };
  if (code !== 0) {
    const lastError = [...report.lines].reverse().find((line) => /error/i.test(line));
    return { code: EXIT_FAIL, reason: `the test run failed (extension host exit ${code})${lastError ? `: ${lastError.trim()}` : ''}` };
  }
  if (report.passed === 0) return { code: EXIT_FAIL, reason: 'no tests ran (mocha reported 0 passing)' };
  return { code: EXIT_PASS };
}

async function saveArtifacts({ options, runDir, page, server, transcript }) {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const dir = join(options.screenshotDir, `${basename(options.tests)}-${stamp}`);
  try {
    mkdirSync(dir, { recursive: true });
    if (page && !page.isClosed()) {
      await page.screenshot({ path: join(dir, 'screenshot.png'), timeout: 10_000 }).catch((error) => {
        transcript.add('harness', `screenshot failed: ${error.message}`);
      });
    }
    writeFileSync(join(dir, 'transcript.log'), transcript.lines.join('\n') + '\n');
    if (server) writeFileSync(join(dir, 'code-server.log'), server.logs.join('\n') + '\n');
    const vscodeLogs = join(runDir, 'user-data', 'logs');
    if (existsSync(vscodeLogs)) cpSync(vscodeLogs, join(dir, 'vscode-logs'), { recursive: true });
    return dir;
  } catch (error) {
    status(`could not save the screenshot and logs to ${dir}: ${error.message}`);
    return null;
  }
}

function finish(outcome, report) {
  if (outcome.code !== EXIT_PASS) {
    if (outcome.artifacts) console.error(`[run-integration] screenshot and logs: ${outcome.artifacts}`);
    const kind = outcome.code === EXIT_HARNESS ? 'HARNESS ERROR' : 'FAILED';
    console.error(`[run-integration] ${kind}: ${outcome.reason.split('\n').join('\n  ')}`);
  }
  // For CI: the summary, alone on the last line.
  console.log(`${report.passed} passed, ${report.failed} failed`);
  process.exit(outcome.code);
}

main().catch((error) => {
  console.error(`[run-integration] HARNESS ERROR: ${error.stack || error}`);
  console.log('0 passed, 0 failed');
  process.exit(EXIT_HARNESS);
});
