#!/usr/bin/env node
// End-to-end journey: initlint as a person meets it, in a real VS Code (code-server) driven by
// headless Chromium with the keyboard and the mouse.
//
//   node test/e2e/journey.mjs [--screenshots DIR] [--viewport 1400x900] [--port N] [--verbose]
//   npm run test:e2e
//
// It installs code-server when missing (test/harness/install-code-server.mjs), packages the
// extension (`npm run package`), installs the .vsix into a private extensions folder, copies
// examples/ to a scratch workspace, starts code-server on it and walks the steps in STEPS below.
// Every step waits for what a person would see (bounded waits with the step's name, no fixed
// sleeps); a keystroke the workbench swallows is retried once or twice, and the retry is logged.
// What bench/simulator-workbench.mjs needs too (installing the .vsix, launching Chromium, waiting,
// Quick Open, the command palette, finding the simulator's webview) is in test/harness/workbench.mjs.
//
// The run folder is .test-run/e2e-<timestamp>/: screenshots of the main screens go there (or to
// --screenshots DIR; scripts/screenshots.mjs uses docs/images), and on failure a screenshot of the
// moment, code-server's log, the browser console and VS Code's logs. Scratch files (user data,
// extensions, workspace, Chromium profile) live in a temp folder removed at the end. code-server
// and Chromium are always stopped. Exit 0 when every step passed, 1 when one failed, 2 when the
// set-up could not be done. The last line on stdout is `N passed, N failed` (steps).
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT, startCodeServer } from '../harness/code-server.mjs';
import { CHROMIUM } from '../harness/chromium.mjs';
import {
  installExtension,
  launchChromium,
  openFolder,
  pending,
  pressUntil as pressUntilLogged,
  quickOpen,
  runCommand as runCommandLogged,
  runQuiet,
  saveFailureArtifacts,
  SetupError,
  short,
  shown,
  simulatorFrame,
  StepError,
  until,
  WORKBENCH_SETTINGS,
} from '../harness/workbench.mjs';

const FILE = 'keras/mlp.py';
const MODEL = 'build_mlp';
const FIX_TITLE = 'Use HeNormal';
const FIXED_TEXT = 'kernel_initializer="he_normal"';

const USAGE = 'usage: node test/e2e/journey.mjs [--screenshots DIR] [--viewport WxH] [--port N] [--verbose]';

// ---------------------------------------------------------------------------------------------
// Output

const t0 = Date.now();
const clock = () => `${((Date.now() - t0) / 1000).toFixed(1).padStart(5)}s`;
const say = (message) => console.log(`[e2e ${clock()}] ${message}`);

/** Everything the browser said (console, page errors, crashed frames), saved on failure. */
const consoleLines = [];
const recordConsole = (source, text) => consoleLines.push(`${clock()} [${source}] ${text}`);

// The shared helpers (test/harness/workbench.mjs), logging their retries here.
const pressUntil = (page, keys, what, probe, options = {}) => pressUntilLogged(page, keys, what, probe, { log: say, ...options });
const runCommand = (page, label) => runCommandLogged(page, label, { log: say });

// ---------------------------------------------------------------------------------------------
// Reading the workbench

// The text editor of mlp.py, wherever its group is (the simulator opens beside it).
const EDITOR = `.part.editor .monaco-editor[data-uri$="/${FILE}"]`;

/** mlp.py's text as the editor shows it, line by line in screen order (Monaco does not keep DOM order). */
function editorLines(page) {
  return page.evaluate((selector) => {
    const editor = document.querySelector(selector);
    if (!editor) return null;
    return [...editor.querySelectorAll('.view-lines .view-line')]
      .map((line) => ({ top: parseFloat(line.style.top) || 0, text: line.textContent.replace(/\u00a0/g, ' ') }))
      .sort((a, b) => a.top - b.top)
      .map((line) => line.text);
  }, EDITOR);
}

/** The CodeLens line over build_mlp, e.g. "Simulate Initialization | initlint: 3 layers · 1 problem". */
const codeLens = (page) => page.locator(`${EDITOR} .codelens-decoration`).allTextContents().then((texts) => texts.join(' / '));

const squiggles = (page) => page.locator(`${EDITOR} .squiggly-warning`).count();

/** The client rectangle of `needle` inside the editor line that contains it. */
function textRect(page, needle) {
  return page.evaluate(
    ({ selector, needle }) => {
      const editor = document.querySelector(selector);
      for (const line of editor?.querySelectorAll('.view-lines .view-line') ?? []) {
        const text = line.textContent.replace(/\u00a0/g, ' ');
        const at = text.indexOf(needle);
        if (at < 0) continue;
        // Walk the line's text nodes to the character offset, then measure that range.
        const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
        const range = document.createRange();
        let offset = 0;
        let started = false;
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          const length = node.textContent.length;
          if (!started && at < offset + length) {
            range.setStart(node, at - offset);
            started = true;
          }
          if (started && at + needle.length <= offset + length) {
            range.setEnd(node, at + needle.length - offset);
            const r = range.getBoundingClientRect();
            return { x: r.x, y: r.y, width: r.width, height: r.height };
          }
          offset += length;
        }
      }
      return null;
    },
    { selector: EDITOR, needle },
  );
}

const center = (r) => ({ x: r.x + r.width / 2, y: r.y + r.height / 2 });

async function visibleText(locator) {
  if ((await locator.count()) === 0) return '';
  const texts = await locator.evaluateAll((nodes) =>
    nodes.filter((n) => n.offsetParent !== null || n.getClientRects().length > 0).map((n) => n.innerText),
  );
  return texts.join('\n');
}

// ---------------------------------------------------------------------------------------------
// The journey

/**
 * The steps, in order. Each gets the shared context `ctx` ({ page, shoot, workspace, ... }) and
 * throws (a StepError, usually from `until`) when what it waits for does not show.
 */
const STEPS = [
  {
    title: `open ${FILE} with Ctrl+P`,
    async run({ page }) {
      await quickOpen(page, FILE, { log: say });
      await until('the editor to show build_mlp', async () => (await editorLines(page))?.some((line) => line.includes('def build_mlp')));
    },
  },
  {
    title: 'the squiggles and the CodeLens show, and Problems (Ctrl+Shift+M) lists IL001',
    async run(ctx) {
      const { page } = ctx;
      // IL001 on both hidden layers (examples/README.md).
      ctx.squiggles = await until('two .squiggly-warning in the editor (IL001 on both hidden layers)', async () => {
        const n = await squiggles(page);
        return n === 2 ? n : false;
      }, { timeout: 30_000 });
      const lens = await until(`the CodeLens "Simulate Initialization | initlint: 3 layers · 2 problems" over ${MODEL}`, async () => {
        const text = await codeLens(page);
        return (/Simulate Initialization/.test(text) && /3 layers · 2 problems/.test(text) && text) || pending(text || 'no CodeLens');
      });
      say(`  CodeLens: ${lens}`);
      const rows = page.locator('.markers-panel .monaco-list-row');
      await pressUntil(page, 'Control+Shift+M', 'the Problems panel', () => page.locator('.markers-panel').isVisible());
      // The whole workspace is linted: narrow Problems to our file with its filter box. The
      // filter is sometimes not applied when typed while the panel still settles: type it again.
      const filter = page.locator('.part.panel input[aria-label="Filter Problems"]');
      const entryShown = async () => {
        const texts = await rows.evaluateAll((nodes) => nodes.map((n) => `${n.getAttribute('aria-label')}\n${n.textContent}`));
        const fileRow = texts.some((text) => /problems in file mlp\.py of folder keras/.test(text));
        const marker = texts.find((text) => /initlint\s*IL001\s*\[Ln 9, Col 9\]/.test(text));
        return fileRow && marker ? marker.split('\n').pop() : false;
      };
      let entry;
      for (let attempt = 1; ; attempt++) {
        await filter.fill('');
        await filter.fill(`**/${FILE}`);
        try {
          entry = await until(`the IL001 entry of ${FILE} line 9 in Problems (filtered to the file)`, entryShown, { timeout: attempt < 3 ? 6_000 : 15_000 });
          break;
        } catch (error) {
          if (attempt >= 3) throw error;
          say(`  the Problems filter did not take; typing it again (${attempt}/2)`);
        }
      }
      say(`  Problems: ${short(entry)}`);
    },
  },
  {
    title: 'hovering the first Dense layer shows Var(w) and its fans',
    async run({ page, shoot }) {
      // The hover provider's table (the diagnostic's own message above it mentions Var(w) too).
      const hover = page.locator('.monaco-hover:not(.hidden) table');
      const target = async () => center(await until('"Dense(256" in the editor', () => textRect(page, 'Dense(256')));
      const hoverShown = async () => {
        const text = await visibleText(hover);
        return /Var\(w\)/.test(text) && /784\s*→\s*256/.test(text) ? text : false;
      };
      for (let attempt = 1; ; attempt++) {
        const at = await target();
        await page.mouse.move(at.x - 30, at.y + 40); // come from elsewhere, as a hand would
        await page.mouse.move(at.x, at.y, { steps: 4 });
        try {
          await until('a hover whose table has Var(w) and fan_in → fan_out 784 → 256', hoverShown, { timeout: 8_000 });
          break;
        } catch (error) {
          if (attempt >= 2) throw error;
          say('  the hover did not show; moving the mouse away and back (retry 1/1)');
          await page.mouse.move(5, 5);
        }
      }
      await shoot('hover');
    },
  },
  {
    title: `Ctrl+. on the diagnostic offers "${FIX_TITLE}"; Enter fixes the line`,
    async run(ctx) {
      const { page, shoot } = ctx;
      const before = await editorLines(page);
      const at = center(await until('"Dense(256" in the editor', () => textRect(page, 'Dense(256')));
      await page.mouse.click(at.x, at.y); // the cursor inside the diagnostic's range (line 9)
      await page.mouse.move(5, 5);
      await page.keyboard.press('Escape'); // close the hover, should it still show
      // The light bulb says the code actions for the cursor are in; Ctrl+. before that is sometimes swallowed.
      await until('the light bulb on line 9', async () => {
        const bulb = await page.locator(`${EDITOR} .lightBulbWidget`).boundingBox().catch(() => null);
        const line = await textRect(page, 'Dense(256');
        return (bulb && line && bulb.height > 0 && Math.abs(bulb.y - line.y) < line.height) || pending(bulb ? `bulb at y ${bulb.y}, line 9 at y ${line?.y}` : 'no bulb');
      }, { timeout: 10_000 });
      const widget = page.locator('.action-widget');
      await pressUntil(page, 'Control+Period', `"${FIX_TITLE}" in the quick-fix menu`, async () => (await visibleText(widget)).includes(FIX_TITLE), {
        timeout: 5_000,
        beforeRetry: () => page.keyboard.press('Escape'),
      });
      await shoot('quick-fix');
      // Enter takes the focused item: the preferred fix comes first; walk to it if not.
      const focused = () => visibleText(page.locator('.action-widget .monaco-list-row.focused'));
      for (let k = 0; k < 10 && !(await focused()).includes(FIX_TITLE); k++) await page.keyboard.press('ArrowDown');
      if (!(await focused()).includes(FIX_TITLE)) throw new StepError(`"${FIX_TITLE}" could not be focused in the menu`);
      await page.keyboard.press('Enter');

      // The fix appends the keyword to the call: `...(input_dim,)),` → `...(input_dim,), kernel_initializer="he_normal"),`.
      const expected = before.map((line) => (line.includes('Dense(256') ? line.replace(/\),$/, `, ${FIXED_TEXT}),`) : line));
      await until(`the Dense(256) line to end with ${FIXED_TEXT} and no other line to change`, async () => {
        const now = await editorLines(page);
        return JSON.stringify(now) === JSON.stringify(expected) || pending(now?.find((line) => line.includes('Dense(256'))?.trim());
      });
      say(`  line 9 now: ${(await editorLines(page)).find((line) => line.includes('Dense(256')).trim()}`);
      await until(`the squiggle of the fixed layer to go (${ctx.squiggles} → ${ctx.squiggles - 1})`, async () => {
        const n = await squiggles(page);
        return n === ctx.squiggles - 1 || pending(`${n} squiggles`);
      });
      say(`  CodeLens over ${MODEL}: ${await codeLens(page)}`);
    },
  },
  {
    title: `the verdict lens over ${MODEL} opens the Initialization panel on it and its layers`,
    async run({ page, shoot }) {
      // The lens "initlint: 3 layers · …" runs initlint.revealModel: the panel opens on the
      // Initialization view with the model revealed, expanded, selected and focused. (Typing the
      // name into the tree, as this step did before, lost keystrokes whenever the tree refreshed
      // after step 4's re-lint; the lens is what a person clicks, and it has no such race.)
      const tree = page.locator('.part.panel .customview-tree');
      const rows = tree.locator('.monaco-list-row');
      const focusedText = () => visibleText(tree.locator('.monaco-list-row.focused'));
      const lens = page.locator(`${EDITOR} .codelens-decoration a`, { hasText: 'initlint:' }).first();
      for (let attempt = 1; ; attempt++) {
        await until('the verdict lens over the model', () => lens.isVisible());
        await lens.click();
        try {
          await until(`${MODEL} focused in the Initialization tree`, async () => (await focusedText()).includes(MODEL) || pending(`focused: ${await focusedText()}`), { timeout: 8_000 });
          break;
        } catch (error) {
          // A lens re-rendered by a re-lint between locating and clicking it takes no click.
          if (attempt >= 3) throw error;
          say(`  the lens did not reveal ${MODEL}; clicking it again (${attempt}/2)`);
          await page.keyboard.press('Control+1');
        }
      }
      // Down to its last layer, so that all of its layers scroll into view.
      for (const label of ['Dense(256)', 'Dense(128)', 'Dense(num_classes)']) {
        await page.keyboard.press('ArrowDown');
        await until(`${label} focused in the tree`, async () => (await focusedText()).startsWith(label) || pending(`focused: ${await focusedText()}`), { timeout: 5_000 });
      }
      const rowsBelow = await until(`${MODEL} of mlp.py with Dense(256), Dense(128) and Dense(num_classes) below it`, async () => {
        const all = await rows.evaluateAll((nodes) =>
          nodes
            .map((n) => ({
              top: parseFloat(n.style.top) || 0,
              level: Number(n.getAttribute('aria-level')),
              text: [...n.querySelectorAll('.label-name, .label-description')].map((e) => e.textContent.trim()).join('  '),
            }))
            .sort((a, b) => a.top - b.top),
        );
        const i = all.findIndex((row) => row.text.startsWith(MODEL));
        if (i < 0) return false;
        const file = all.slice(0, i).reverse().find((row) => row.level < all[i].level);
        if (file && !file.text.startsWith('mlp.py')) return pending(`${MODEL} under ${file.text}`);
        const below = [];
        for (const row of all.slice(i + 1)) {
          if (row.level <= all[i].level) break;
          below.push(row.text);
        }
        const ok = ['Dense(256)', 'Dense(128)', 'Dense(num_classes)'].every((label) => below.some((text) => text.startsWith(label)));
        return ok ? [all[i].text, ...below] : pending(`below ${MODEL}: ${below.join('; ')}`);
      });
      for (const row of rowsBelow) say(`  ${row}`);
      await shoot('initialization-panel');
    },
  },
  {
    title: 'F1 → "initlint: Simulate Initialization" opens the simulator',
    async run(ctx) {
      const { page } = ctx;
      // Close the panel (Ctrl+J) to give the simulator room, and go back to the editor (its cursor
      // is in build_mlp): the command simulates the model under the cursor.
      await pressUntil(page, 'Control+J', 'the panel closed', async () => !(await page.locator('.part.panel').isVisible()), { attempts: 2 });
      await page.keyboard.press('Control+1');
      await until('the mlp.py editor focused', () => page.locator(`${EDITOR}.focused`).count());
      await runCommand(page, 'initlint: Simulate Initialization');
      await until(`a "Simulate: ${MODEL}" editor tab`, async () =>
        (await page.locator('.part.editor .tab').allTextContents()).some((text) => text.includes(`Simulate: ${MODEL}`)),
      { timeout: 20_000 });
      ctx.frame = await until('the simulator webview (a frame with #app, #backend and the charts)', () => simulatorFrame(page), { timeout: 30_000 });
    },
  },
  {
    title: 'the simulator runs on wasm (this WebGL is SwiftShader), draws its charts, and follows the compared initializer',
    needsWebviewApp: true,
    async run(ctx) {
      const { frame, shoot } = ctx;
      const backend = await until('the backend badge (#backend) to name a backend', async () => {
        const text = (await frame.locator('#backend').textContent())?.trim();
        return text && text !== 'starting…' ? text : false;
      }, { timeout: 30_000 });
      // initlint.simulator.backend 'auto': WebAssembly where WebGL is a software renderer, as here.
      const why = await frame.locator('#backend').getAttribute('title');
      if (backend !== 'wasm' || !/software renderer/.test(why ?? '')) throw new StepError(`the simulator runs on "${backend}" (${why}), not wasm for a software WebGL`);
      say(`  backend: ${backend} (${why})`);
      const first = await until('a finished run: charts drawn (non-blank canvas) and numbers in the grid', async () => {
        const view = await readSimulator(frame);
        return (!view.busy && view.painted > 500 && view.colors > 3 && gridFilled(view) && view) || pending(`busy ${view.busy}, ${view.painted} painted pixels, ${view.rows.length} grid rows`);
      }, { timeout: 30_000 });
      say(`  ${first.timing}; compared with "${first.compare}"; chart ${first.painted} painted pixels; ${first.rows.length} grid rows`);

      // Compare with another initializer: a person opens the dropdown and picks LeCun normal.
      if (first.compare === 'lecun_normal') throw new StepError('the panel already compares with LeCun normal (a fresh profile starts on "recommended")');
      await frame.locator('#compare').click();
      const option = frame.locator('#compare vscode-option', { hasText: 'LeCun normal' });
      await until('the "Compare with" list open', () => option.isVisible(), { timeout: 5_000 });
      await option.click();
      const second = await until('the chart and the grid to change to LeCun normal', async () => {
        const view = await readSimulator(frame);
        const changed = !view.busy && view.compare === 'lecun_normal' && view.hash !== first.hash && JSON.stringify(view.rows) !== JSON.stringify(first.rows);
        return (changed && gridFilled(view) && view.rows.some((row) => row.run === 'LeCun normal') && view) || pending(`compare ${view.compare}, busy ${view.busy}`);
      }, { timeout: 30_000 });
      const firstLayer = (view) => view.rows.filter((row) => row.layer === 'Dense(256)').map((row) => `${row.run} Var(w) ${row.varW} Var(act) ${row.actVar}`).join(', ');
      say(`  Dense(256) before: ${firstLayer(first)}`);
      say(`  Dense(256) after:  ${firstLayer(second)}`);
      say(`  CodeLens over ${MODEL}: ${await codeLens(ctx.page)}`);
      await shoot('simulator');
    },
  },
  {
    title: '"Apply to all layers" in the simulator writes LeCun normal into the source',
    needsWebviewApp: true,
    async run({ page, frame }) {
      const before = await editorLines(page);
      const apply = frame.locator('#apply-all');
      await until('"Apply to all layers" enabled for LeCun normal', async () =>
        (!(await apply.evaluate((el) => el.disabled || el.hasAttribute('disabled'))) && /LeCun normal/.test((await apply.getAttribute('title')) ?? '')) ||
        pending(`title: ${await apply.getAttribute('title')}`),
      );
      await apply.click();
      // Each Dense call now ends with kernel_initializer="lecun_normal"; nothing else changes.
      const expected = before.map((line) => {
        if (!/layers\.Dense\(/.test(line)) return line;
        return /kernel_initializer=/.test(line)
          ? line.replace(/kernel_initializer="[^"]*"/, 'kernel_initializer="lecun_normal"')
          : line.replace(/\),$/, ', kernel_initializer="lecun_normal"),');
      });
      await until('the three Dense lines to read kernel_initializer="lecun_normal" (and nothing else to change)', async () => {
        const now = await editorLines(page);
        return JSON.stringify(now) === JSON.stringify(expected) || pending(now?.filter((line) => /layers\.Dense\(/.test(line)).map((line) => line.trim()));
      });
      for (const line of expected.filter((l) => /layers\.Dense\(/.test(l))) say(`  ${line.trim()}`);
      const result = await until('the simulator to report the edit', async () => (await frame.locator('#apply-result').textContent())?.trim());
      say(`  simulator: ${result}`);
      if (result !== 'Applied LeCun normal to 3 layers.') throw new StepError(`the simulator reported "${result}", not "Applied LeCun normal to 3 layers."`);
      // The panel follows its source: the re-sent model is simulated with the new kernels.
      await until('the simulator to re-run on the edited source (current run: LeCun normal)', async () => {
        const view = await readSimulator(frame);
        const current = view.rows.filter((row) => row.run === 'Current (the code)');
        return (!view.busy && current.length === 3 && current.every((row) => /lecun_normal/i.test(row.initializer))) || pending(current.map((row) => row.initializer));
      }, { timeout: 20_000 });
    },
  },
];

/** Every layer of build_mlp in the grid twice (current and compared), every cell filled in. */
const gridFilled = (view) => view.rows.length === 6 && view.rows.every((row) => row.layer && row.run && row.varW && row.actVar);

/** What the simulator shows: busy or not, the backend, the activation chart's pixels, the grid's rows. */
function readSimulator(frame) {
  return frame.evaluate(() => {
    const canvas = document.getElementById('chart-activation');
    const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let painted = 0;
    let hash = 2166136261;
    const colors = new Set();
    for (let i = 0; i < pixels.length; i += 4) {
      if (pixels[i + 3] > 0) {
        painted++;
        colors.add((pixels[i] << 16) | (pixels[i + 1] << 8) | pixels[i + 2]);
      }
      hash = Math.imul(hash ^ pixels[i] ^ (pixels[i + 1] << 8) ^ (pixels[i + 2] << 16) ^ (pixels[i + 3] << 24), 16777619);
    }
    // The data grid's rows: cells in column order; keys from the header row's titles.
    const grid = document.getElementById('grid');
    const table = [...grid.querySelectorAll('vscode-data-grid-row')].map((row) =>
      [...row.querySelectorAll('vscode-data-grid-cell')].map((cell) => cell.textContent.trim()),
    );
    const keys = { Layer: 'layer', Run: 'run', Initializer: 'initializer', 'Var(w)': 'varW', 'Var(act)': 'actVar' };
    const header = table[0] ?? [];
    const rows = table.slice(1).map((cells) => Object.fromEntries(header.map((title, i) => [keys[title] ?? title, cells[i]])));
    return {
      busy: document.getElementById('app').getAttribute('aria-busy') === 'true',
      backend: document.getElementById('backend').textContent.trim(),
      timing: document.getElementById('timing').textContent.trim(),
      compare: document.getElementById('compare').value,
      painted,
      colors: colors.size,
      hash: hash >>> 0,
      rows,
    };
  });
}

// ---------------------------------------------------------------------------------------------
// Set-up and tear-down

function parseOptions() {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        screenshots: { type: 'string' },
        viewport: { type: 'string', default: '1400x900' },
        port: { type: 'string' },
        verbose: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (error) {
    throw new SetupError(`${error.message}\n${USAGE}`);
  }
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const size = /^(\d+)x(\d+)$/.exec(values.viewport);
  if (!size) throw new SetupError(`--viewport ${values.viewport}: expected WIDTHxHEIGHT, e.g. 1400x900\n${USAGE}`);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const runDir = join(REPO_ROOT, '.test-run', `e2e-${stamp}`);
  return {
    runDir,
    screenshots: values.screenshots ? resolve(values.screenshots) : runDir,
    viewport: { width: Number(size[1]), height: Number(size[2]) },
    port: values.port === undefined ? undefined : Number(values.port),
    verbose: values.verbose,
  };
}

async function main() {
  let options;
  try {
    options = parseOptions();
  } catch (error) {
    console.error(`[e2e] ${error.message}`);
    console.log('0 passed, 0 failed');
    process.exit(2);
  }
  const results = []; // { title, ok, seconds, skipped? }
  let failure = null; // { step, message }
  let server;
  let context;
  let page;
  const scratch = mkdtempSync(join(tmpdir(), 'initlint-e2e-'));
  const interrupted = new Promise((_, reject) => {
    for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => reject(new SetupError(`interrupted by ${signal}`)));
  });
  interrupted.catch(() => {});

  const webviewApp = existsSync(join(REPO_ROOT, 'webview', 'main.ts'));
  const shots = [];
  const shoot = async (name) => {
    mkdirSync(options.screenshots, { recursive: true });
    const file = join(options.screenshots, `${name}.png`);
    await page.screenshot({ path: file, timeout: 10_000 });
    shots.push(file);
  };

  try {
    say(`run folder ${shown(options.runDir)}; scratch ${scratch}`);
    runQuiet('installed code-server (or found it installed)', process.execPath, [join('test', 'harness', 'install-code-server.mjs')], { verbose: options.verbose, timeout: 600_000, log: say });
    const { extensionsDir } = installExtension(scratch, { verbose: options.verbose, log: say });
    const workspace = join(scratch, 'examples');
    cpSync(join(REPO_ROOT, 'examples'), workspace, { recursive: true });
    server = await startCodeServer({ runDir: scratch, port: options.port, extensionsDir, settings: WORKBENCH_SETTINGS }).catch((error) => {
      throw new SetupError(`could not start code-server: ${error.message}`);
    });
    say(`code-server up at ${server.url} (pid ${server.pid})`);
    ({ context, page } = await launchChromium(scratch, options.viewport, { onConsole: recordConsole }).catch((error) => {
      throw new SetupError(`could not launch Chromium (${CHROMIUM}): ${error.message.split('\n')[0]}`);
    }));
    await openFolder(page, server, workspace);
    say(`workbench open (${options.viewport.width}×${options.viewport.height})`);

    const ctx = { page, shoot, workspace, options };
    for (const [i, step] of STEPS.entries()) {
      const name = `step ${i + 1}: ${step.title}`;
      if (step.needsWebviewApp && !webviewApp) {
        say(`${name}: SKIPPED, the simulator's webview app (webview/main.ts) does not exist yet`);
        results.push({ title: step.title, skipped: true });
        continue;
      }
      const started = Date.now();
      say(`${name} …`);
      try {
        await Promise.race([step.run(ctx), interrupted]);
      } catch (error) {
        const seconds = (Date.now() - started) / 1000;
        results.push({ title: step.title, ok: false, seconds });
        failure = { step: name, message: error instanceof StepError || error instanceof SetupError ? error.message : error.stack || String(error) };
        say(`✘ ${name} (${seconds.toFixed(1)} s)`);
        break;
      }
      const seconds = (Date.now() - started) / 1000;
      results.push({ title: step.title, ok: true, seconds });
      say(`✔ ${name} (${seconds.toFixed(1)} s)`);
    }
  } catch (error) {
    failure = { step: 'set-up', message: error instanceof SetupError ? error.message : error.stack || String(error), setup: true };
  }

  if (failure) {
    const dir = await saveFailureArtifacts({
      dir: options.runDir,
      page,
      server,
      scratch,
      consoleLines,
      note: `${failure.step}\n${failure.message}`,
      noteFile: 'failed-step.txt',
      log: (text) => recordConsole('harness', text),
    });
    if (dir) console.error(`[e2e] screenshot and logs: ${shown(dir)}`);
  }
  // Always: Chromium, then code-server with all its children, then the scratch folder.
  await context?.close().catch((error) => say(`closing Chromium: ${error.message}`));
  await server?.stop().catch((error) => say(`stopping code-server: ${error.message}`));
  rmSync(scratch, { recursive: true, force: true });
  say('Chromium and code-server stopped');

  for (const file of shots) say(`screenshot ${shown(file)}`);
  const passed = results.filter((r) => r.ok).length;
  const failed = results.filter((r) => r.ok === false).length;
  const skipped = results.filter((r) => r.skipped).length;
  if (failure) console.error(`[e2e] FAILED at ${failure.step}: ${failure.message.split('\n').join('\n  ')}`);
  if (skipped) console.log(`[e2e] ${skipped} step(s) skipped: the simulator's webview app (webview/main.ts) is not in the repository yet`);
  // The set-up counts as one failed step when it is what failed.
  console.log(`${passed} passed, ${failed + (failure?.setup ? 1 : 0)} failed`);
  process.exit(failure ? (failure.setup ? 2 : 1) : 0);
}

main().catch((error) => {
  console.error(`[e2e] HARNESS ERROR: ${error.stack || error}`);
  console.log('0 passed, 1 failed');
  process.exit(2);
});
