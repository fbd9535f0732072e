// Driving initlint in a real VS Code workbench (code-server + headless Chromium), the pieces that
// the end-to-end journey (test/e2e/journey.mjs) and the workbench benchmark
// (bench/simulator-workbench.mjs) share: installing the packaged extension into a private
// extensions folder, launching Chromium, opening a folder in the workbench, waiting for what a
// person would see, running a command from the palette, finding the simulator's webview.
//
// Waiting is always `until(...)`: a bounded poll that fails with the name of what it waited for
// and what it saw last, never a fixed sleep. A keystroke the workbench is known to swallow now
// and then is pressed again by `pressUntil`, and the retry is logged (through the caller's `log`).
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { chromium } from 'playwright-core';
import { installPaths, REPO_ROOT } from './code-server.mjs';
import { CHROMIUM, CHROMIUM_ARGS, CHROMIUM_ENV } from './chromium.mjs';

/** User settings for a quiet, predictable workbench, over code-server.mjs's defaults (no auto save, no start page, ...). */
export const WORKBENCH_SETTINGS = {
  'workbench.tips.enabled': false,
  'editor.minimap.enabled': false, // a cleaner picture; nothing here depends on it
  'git.enabled': false,
  'extensions.autoCheckUpdates': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden', // the (empty) chat side bar
};

/** The set-up (install, start, launch, open) could not be done: not a failure of what is tested. */
export class SetupError extends Error {}

/** What a step waited for did not show, in words. */
export class StepError extends Error {}

// ---------------------------------------------------------------------------------------------
// Waiting

/** A probe's "not yet", with what it saw instead (shown if the wait times out). */
class Pending {
  constructor(seen) {
    this.seen = seen;
  }
}
export const pending = (seen) => new Pending(seen);

/**
 * Poll `probe` until it returns a truthy value other than pending(...) (which is returned), at
 * most `timeout` ms. `what` names the UI state waited for; it becomes the error message (a
 * StepError), with what the probe saw last.
 */
export async function until(what, probe, { timeout = 15_000, interval = 100 } = {}) {
  const deadline = Date.now() + timeout;
  let seen;
  for (;;) {
    try {
      const value = await probe();
      if (value && !(value instanceof Pending)) return value;
      seen = value instanceof Pending ? value.seen : undefined;
    } catch (error) {
      seen = `error: ${error.message.split('\n')[0]}`;
    }
    if (Date.now() > deadline) {
      throw new StepError(`timed out after ${timeout / 1000} s waiting for ${what}${seen === undefined ? '' : ` (last seen: ${short(seen)})`}`);
    }
    await new Promise((done) => setTimeout(done, interval));
  }
}

/**
 * Press `keys` and wait for `probe`; when the workbench swallowed the keystroke (a known case:
 * Ctrl+. before the code-action request settles), log it and press again, up to `attempts` times.
 */
export async function pressUntil(page, keys, what, probe, { attempts = 3, timeout = 5_000, beforeRetry, log = () => {} } = {}) {
  for (let attempt = 1; ; attempt++) {
    for (const key of [keys].flat()) await page.keyboard.press(key);
    try {
      return await until(what, probe, { timeout });
    } catch (error) {
      if (attempt >= attempts) throw error;
      log(`  ${[keys].flat().join(' ')} did not show ${what}; retrying (${attempt}/${attempts - 1})`);
      await beforeRetry?.();
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Text

/** A path as short as it reads well: relative below the current folder, else absolute. */
export const shown = (path) => {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') ? rel : path;
};

/** A value in at most 300 characters, for error messages. */
export const short = (value) => {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
};

// ---------------------------------------------------------------------------------------------
// Set-up: the extension, the browser, the workbench

/** Run a command of the set-up; its output is shown only when it fails (or with `verbose`). */
export function runQuiet(what, command, args, { verbose, timeout = 300_000, env, log = () => {} } = {}) {
  const started = Date.now();
  const result = spawnSync(command, args, { cwd: REPO_ROOT, encoding: 'utf8', timeout, env, stdio: verbose ? 'inherit' : 'pipe' });
  if (result.status !== 0) {
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trimEnd().split('\n').slice(-40).join('\n');
    const why = result.error ? result.error.message : result.signal ? `signal ${result.signal}` : `exit ${result.status}`;
    throw new SetupError(`${what} failed (${why})${output ? `\n${output}` : ''}`);
  }
  log(`${what} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

/** The environment without the variables that would make code-server act as a CLI of another instance. */
export const cleanEnv = () =>
  Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(VSCODE_|CODE_SERVER_|NODE_OPTIONS$|ELECTRON_RUN_AS_NODE$)/.test(name)));

/**
 * `npm run package`, then code-server's own installer puts the .vsix into `<scratch>/extensions`,
 * a private extensions folder to pass to startCodeServer. code-server must be installed already
 * (test/harness/install-code-server.mjs).
 */
export function installExtension(scratch, { verbose = false, log = () => {} } = {}) {
  runQuiet('packaged the extension: npm run package', 'npm', ['run', '--silent', 'package'], { verbose, log });
  // A copy of our own: another run may package again while this one installs.
  const vsix = join(scratch, 'initlint.vsix');
  cpSync(join(REPO_ROOT, 'initlint.vsix'), vsix);
  const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'));
  const paths = installPaths();
  const home = join(scratch, 'home');
  const extensionsDir = join(scratch, 'extensions');
  mkdirSync(home, { recursive: true });
  runQuiet(
    'installed the .vsix with code-server --install-extension',
    paths.nodeBin,
    [paths.codeServerEntry, '--config', join(scratch, 'install.yaml'), '--user-data-dir', join(scratch, 'user-data'),
      '--extensions-dir', extensionsDir, '--install-extension', vsix],
    {
      verbose,
      log,
      timeout: 60_000,
      env: { ...cleanEnv(), HOME: home, XDG_CONFIG_HOME: join(home, '.config'), XDG_DATA_HOME: join(home, '.local', 'share') },
    },
  );
  const id = `${manifest.publisher}.${manifest.name}-${manifest.version}`.toLowerCase();
  const installed = readdirSync(extensionsDir).find((name) => name.toLowerCase() === id);
  if (!installed) throw new SetupError(`the .vsix did not install: no ${id} in ${extensionsDir}`);
  return { extensionsDir, extensionDir: join(extensionsDir, installed) };
}

/**
 * Headless Chromium with a profile, HOME and caches inside `scratch`, SwiftShader WebGL (see
 * chromium.mjs). `onConsole(source, text, type)` gets everything the page says: console messages
 * (marked "@webview" when they come from a webview; `type` is the console's: log, error, ...),
 * page errors and crashes (`type` 'pageerror', 'crash').
 */
export async function launchChromium(scratch, viewport, { onConsole = () => {} } = {}) {
  const home = join(scratch, 'chromium-home');
  mkdirSync(home, { recursive: true });
  const context = await chromium.launchPersistentContext(join(scratch, 'chromium-profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    env: { ...CHROMIUM_ENV, HOME: home, XDG_CONFIG_HOME: join(home, '.config'), XDG_CACHE_HOME: join(home, '.cache') },
    viewport,
    timeout: 60_000,
    // The caller stops the browser in its own clean-up, after saving what it needs.
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('console', (message) => {
    const from = /\/webview\/browser\/pre\//.test(message.location()?.url ?? '') ? ' @webview' : '';
    onConsole(`console ${message.type()}${from}`, message.text(), message.type());
  });
  page.on('pageerror', (error) => onConsole('page error', error.stack || error.message, 'pageerror'));
  page.on('crash', () => onConsole('page', 'CRASHED', 'crash'));
  return { context, page };
}

/** Open `folder` in the workbench of `server` and wait for its explorer (SetupError if it does not show). */
export async function openFolder(page, server, folder) {
  await page.goto(`${server.url}/?${new URLSearchParams({ folder })}`, { waitUntil: 'domcontentloaded', timeout: 60_000 });
  await until('the workbench with its explorer', () => page.locator('.explorer-folders-view .monaco-list-row').first().isVisible(), { timeout: 60_000 }).catch((error) => {
    throw new SetupError(`the workbench did not open: ${error.message}`);
  });
}

// ---------------------------------------------------------------------------------------------
// Driving the workbench

/**
 * Open `file` (a path relative to the folder, '/'-separated) with Quick Open (Ctrl+P), and wait
 * for its tab to be the active one. The first result has to be that file: its label names the
 * file and, for a file below the root, its folder.
 */
export async function quickOpen(page, file, { log } = {}) {
  const name = file.split('/').pop();
  const folder = file.split('/').slice(-2, -1)[0];
  const input = page.locator('.quick-input-widget input.input');
  await pressUntil(page, 'Control+P', 'Quick Open', () => input.isVisible(), { log });
  await input.fill(file);
  const first = page.locator('.quick-input-widget .quick-input-list .monaco-list-row').first();
  await until(`${file} as the first Quick Open result`, async () => {
    const label = (await first.getAttribute('aria-label').catch(() => null)) ?? '';
    return (label.includes(name) && (!folder || label.includes(folder)) && label) || pending(label);
  });
  await page.keyboard.press('Enter');
  await until(`the ${name} tab to be active`, async () =>
    (await page.locator('.part.editor .tab.active').allTextContents()).some((text) => text.includes(name)),
  );
}

/**
 * Open the command palette (F1) and run the command whose label is `label`. Returns `issuedAt`,
 * Date.now() taken right before Enter was pressed on it: when the command was issued.
 */
export async function runCommand(page, label, { log } = {}) {
  const input = page.locator('.quick-input-widget input.input');
  await pressUntil(page, 'F1', 'the command palette', () => input.isVisible(), { timeout: 5_000, log });
  await input.fill(`>${label}`);
  const rows = page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
  const index = await until(`"${label}" in the command palette`, async () => {
    const labels = await rows.evaluateAll((nodes) =>
      nodes
        .map((n) => ({ top: parseFloat(n.style.top) || 0, text: (n.querySelector('.label-name')?.textContent ?? n.textContent).replace(/\u00a0/g, ' ').trim() }))
        .sort((a, b) => a.top - b.top)
        .map((row) => row.text),
    );
    const i = labels.indexOf(label);
    return i >= 0 ? { i } : pending(labels);
  });
  // The best match is focused first; move to ours if another came first.
  for (let k = 0; k < index.i; k++) await page.keyboard.press('ArrowDown');
  const issuedAt = Date.now();
  await page.keyboard.press('Enter');
  await until('the command palette to close', async () => !(await input.isVisible()), { timeout: 5_000 });
  return { issuedAt };
}

/**
 * The simulator webview: the inner frame whose document holds the app (webview/page.ts), or
 * null. A webview is an iframe (VS Code's host page) inside an iframe; only the inner one has #app.
 */
export async function simulatorFrame(page) {
  for (const frame of page.frames()) {
    if (frame === page.mainFrame() || frame.isDetached()) continue;
    const found = await frame
      .evaluate(() => !!document.querySelector('main#app #backend') && !!document.querySelector('#chart-activation'))
      .catch(() => false);
    if (found) return frame;
  }
  return null;
}

/**
 * A failed run's evidence in `dir`: a screenshot of the page, the browser console, code-server's
 * log, VS Code's own logs (from the scratch profile), and `note` as `noteFile`. The directory, or
 * undefined (and why, through `log`) where it could not be written.
 */
export async function saveFailureArtifacts({ dir, page, server, scratch, consoleLines, note, noteFile = 'failure.txt', log = () => {} }) {
  try {
    mkdirSync(dir, { recursive: true });
    if (page && !page.isClosed()) await page.screenshot({ path: join(dir, 'failure.png'), timeout: 10_000 }).catch((error) => log(`screenshot failed: ${error.message}`));
    writeFileSync(join(dir, 'browser-console.log'), consoleLines.join('\n') + '\n');
    if (server) writeFileSync(join(dir, 'code-server.log'), server.logs.join('\n') + '\n');
    const vscodeLogs = join(scratch, 'user-data', 'logs');
    if (existsSync(vscodeLogs)) cpSync(vscodeLogs, join(dir, 'vscode-logs'), { recursive: true });
    writeFileSync(join(dir, noteFile), `${note}\n`);
    return dir;
  } catch (error) {
    log(`could not save the failure artifacts to ${dir}: ${error.message}`);
    return undefined;
  }
}
