// Browser test of the Simulate Initialization webview: the real bundle (dist/webview.js) in
// headless Debian Chromium, on the page renderPage makes, with a stand-in for VS Code's side
// (harness.js) that answers like the extension. Run: npm run test:browser
// (SKIP_BUILD=1 reuses dist/; CHROMIUM=/path picks another browser).
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { parseWebviewMessage } from '../../src/protocol.ts';
import { tutorialModel } from './fixture.mjs';
import { startServer } from './server.mjs';
import { CHROMIUM, CHROMIUM_ARGS, CHROMIUM_ENV, CHROMIUM_SOURCE } from '../harness/chromium.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const TIMEOUT = 90_000;

// ---- a minimal runner: named checks, each may fail on its own -------------------------------

let passed = 0;
let failed = 0;
async function check(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
    passed++;
    console.log(`ok   ${name} (${Date.now() - t0} ms)`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}\n     ${(e && e.stack) || e}`.replace(/\n(?!     )/g, '\n     '));
  }
}
function assert(condition, message) {
  if (!condition) throw new Error(message);
}

// ---- page helpers ---------------------------------------------------------------------------

/** Non-transparent pixels of a canvas. */
const inkOf = (page, selector) =>
  page.evaluate((sel) => {
    const c = document.querySelector(sel);
    if (!c || !c.width || !c.height) return 0;
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
    return n;
  }, selector);

/** A cheap fingerprint of a canvas's pixels (to see that it was redrawn differently). */
const pixelsOf = (page, selector) =>
  page.evaluate((sel) => {
    const c = document.querySelector(sel);
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let h = 0;
    for (let i = 0; i < d.length; i += 1) h = (Math.imul(h, 31) + d[i]) | 0;
    return h;
  }, selector);

/** The data grid's rows as objects keyed by column title. */
const gridRows = (page) =>
  page.evaluate(() => {
    const grid = document.getElementById('grid');
    const rows = [...grid.querySelectorAll('vscode-data-grid-row')].map((r) => [...r.querySelectorAll('vscode-data-grid-cell')].map((c) => c.textContent.trim()));
    const [header, ...body] = rows;
    return body.map((cells) => Object.fromEntries(header.map((h, i) => [h, cells[i]])));
  });

const harness = (page) => page.evaluate(() => JSON.parse(JSON.stringify({ posted: window.__harness.posted, states: window.__harness.states, violations: window.__harness.violations })));

/** Milliseconds from navigation to the first chart; then waits until the first runs are all done. */
async function firstChartMs(page) {
  await page.waitForFunction(() => performance.getEntriesByName('initlint:first-chart').length > 0, null, { timeout: TIMEOUT });
  const ms = await page.evaluate(() => performance.getEntriesByName('initlint:first-chart')[0].startTime);
  await idle(page);
  return ms;
}

/** No run in progress (the app marks itself aria-busy while it runs). */
const idle = (page) => page.waitForFunction(() => document.getElementById('app').getAttribute('aria-busy') === 'false', null, { timeout: TIMEOUT });

/** Wait until the grid's Var(act) of the first layer's current run differs from (or equals) `before`. */
const waitForFirstVarAct = (page, before, equal) =>
  page.waitForFunction(
    ([b, eq]) => {
      const rows = [...document.querySelectorAll('#grid vscode-data-grid-row')].map((r) => [...r.querySelectorAll('vscode-data-grid-cell')].map((c) => c.textContent.trim()));
      const header = rows[0] ?? [];
      const v = rows.find((cells) => cells[header.indexOf('Run')] === 'Current (the code)')?.[header.indexOf('Var(act)')];
      return v !== undefined && (eq ? v === b : v !== b);
    },
    [before, equal],
    { timeout: TIMEOUT },
  );

/** Choose an option of a toolkit dropdown the way a user does: open it, click the option. */
async function choose(page, dropdown, value) {
  await page.click(dropdown);
  await page.click(`${dropdown} vscode-option[value="${value}"]`);
  await page.waitForFunction(([sel, v]) => document.querySelector(sel).value === v, [dropdown, value]);
}

/** `backend`: the page as the extension renders it with initlint.simulator.backend set so. */
async function openPanel(context, origin, consoleLines, pageErrors, backend) {
  const page = await context.newPage();
  page.on('console', (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  await page.goto(`${origin}/${backend ? `?backend=${backend}` : ''}`);
  return page;
}

/**
 * What a reader would see as broken layout: the page wider than the window (the grid scrolls in
 * its own box), a grid cell whose text spills out of it, controls or a layer row's parts drawn
 * over each other.
 */
async function layoutProblems(page) {
  return page.evaluate(() => {
    const out = [];
    const doc = document.scrollingElement;
    if (doc.scrollWidth > window.innerWidth + 1) out.push(`page ${doc.scrollWidth} px wide in a ${window.innerWidth} px window`);
    for (const cell of document.querySelectorAll('#grid vscode-data-grid-cell')) {
      if (cell.scrollWidth > cell.clientWidth + 1) out.push(`cell "${cell.textContent.trim()}" ${cell.scrollWidth} px in ${cell.clientWidth} px`);
    }
    const overlap = (a, b) => {
      const r = a.getBoundingClientRect();
      const q = b.getBoundingClientRect();
      return r.width > 0 && q.width > 0 && r.left < q.right - 1 && q.left < r.right - 1 && r.top < q.bottom - 1 && q.top < r.bottom - 1;
    };
    for (const group of document.querySelectorAll('.controls, .actions, .layer-row')) {
      const kids = [...group.children].filter((k) => !k.hidden && getComputedStyle(k).display !== 'none');
      for (let i = 0; i < kids.length; i++) {
        for (let j = i + 1; j < kids.length; j++) {
          if (overlap(kids[i], kids[j])) out.push(`${group.className}: "${kids[i].textContent.trim().slice(0, 30)}" over "${kids[j].textContent.trim().slice(0, 30)}"`);
        }
      }
    }
    return out;
  });
}

// ---- the test -------------------------------------------------------------------------------

const started = Date.now();
if (!process.env.SKIP_BUILD) execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: 'inherit' });
const model = tutorialModel();
const server = await startServer(root, model);
const executablePath = CHROMIUM;
console.log(`browser: ${executablePath} (${CHROMIUM_SOURCE})`);
const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS, env: CHROMIUM_ENV, headless: true });
const consoleLines = [];
const pageErrors = [];
const timings = {};

try {
  // Most checks run on WebGL, the backend of a machine with a GPU (this one's is SwiftShader,
  // where 'auto' picks wasm: checked further down).
  const page = await openPanel(await browser.newContext({ viewport: { width: 1200, height: 900 } }), server.origin, consoleLines, pageErrors, 'webgl');

  await check('the first chart is drawn: the analytic prediction at once, then the measurement', async () => {
    timings.firstChartWebgl = await firstChartMs(page);
    const prediction = await page.evaluate(() => performance.getEntriesByName('initlint:first-prediction')[0]?.startTime);
    assert(prediction !== undefined && prediction < timings.firstChartWebgl, `prediction drawn at ${prediction} ms, measurement at ${timings.firstChartWebgl} ms`);
    timings.firstPrediction = prediction;
  });

  await check('set to webgl, the backend shown is webgl, without a fallback note, its tooltip says why', async () => {
    const backend = (await page.textContent('#backend')).trim();
    assert(backend === 'webgl', `backend shown: ${backend}`);
    const notes = await page.textContent('#notes');
    assert(!/not available|cannot start/.test(notes), `unexpected note: ${notes}`);
    const title = await page.getAttribute('#backend', 'title');
    assert(/initlint\.simulator\.backend: webgl/.test(title), `tooltip: ${title}`);
  });

  await check("the page has a CSP meta whose default-src is 'none', and nothing violated it", async () => {
    const csp = await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', 'content');
    assert(csp, 'no CSP meta');
    const directives = Object.fromEntries(csp.split(';').map((d) => d.trim().split(/\s+/)).filter((d) => d[0]).map(([k, ...v]) => [k, v]));
    assert(directives['default-src']?.join(' ') === "'none'", `default-src is ${directives['default-src']}`);
    // default-src does not cover these two: no <base> redirecting relative URLs, no form posting anywhere.
    assert(directives['base-uri']?.join(' ') === "'none'" && directives['form-action']?.join(' ') === "'none'", `base-uri ${directives['base-uri']}, form-action ${directives['form-action']}`);
    assert(!csp.includes("'unsafe-eval'") && !directives['script-src'].includes("'unsafe-inline'"), `script-src too wide: ${csp}`);
    const { violations } = await harness(page);
    const consoleCsp = consoleLines.filter((l) => /Content Security Policy|Refused to/i.test(l));
    assert(violations.length === 0 && consoleCsp.length === 0, `CSP violations: ${JSON.stringify(violations)} ${consoleCsp.join(' | ')}`);
  });

  await check('the charts drew (non-transparent pixels in every canvas)', async () => {
    const canvases = await page.$$eval('canvas', (cs) => cs.length);
    assert(canvases === 2 + model.layers.length, `expected ${2 + model.layers.length} canvases, found ${canvases}`);
    for (const sel of ['#chart-activation', '#chart-gradient', '#histograms figure:first-child canvas', '#histograms figure:last-child canvas']) {
      const ink = await inkOf(page, sel);
      assert(ink > 500, `${sel}: only ${ink} non-transparent pixels`);
    }
  });

  await check('the grid has every number for current and compared (recommended by default)', async () => {
    const rows = await gridRows(page);
    assert(rows.length === 2 * model.layers.length, `grid rows: ${rows.length}`);
    const current = rows.filter((r) => r.Run === 'Current (the code)');
    const compared = rows.filter((r) => r.Run === 'Recommended for each activation');
    assert(current.length === 5 && compared.length === 5, `runs: ${rows.map((r) => r.Run)}`);
    for (const key of ['fan_in', 'fan_out', 'Initializer', 'Var(w)', 'Activation', 'Var(pre)', 'Var(act)', 'Saturated', 'Dead', 'Var(grad)', 'Distinct units']) {
      assert(rows.every((r) => r[key] && r[key] !== '—'), `column ${key}: ${rows.map((r) => r[key])}`);
    }
    // The tutorial's finding: N(0, 0.01²) collapses the variance by orders of magnitude per layer.
    const v = current.map((r) => Number(r['Var(act)']));
    assert(v[0] > 50 * v[4] && v[4] < 1e-6, `current Var(act) should collapse: ${v}`);
    assert(current[0]['Var(w)'] === '1.00e-4', `Var(w) ${current[0]['Var(w)']}`);
  });

  await check('state is saved via setState (compare, seed, summary)', async () => {
    const { states } = await harness(page);
    assert(states.length > 0, 'setState never called');
    const last = states.at(-1);
    assert(last.compare === 'recommended' && last.seed === 1 && last.summary?.layers?.length === 5, `state: ${JSON.stringify(last).slice(0, 300)}`);
  });

  await check('switching the compared initializer re-runs and changes the numbers in the grid', async () => {
    const before = (await gridRows(page)).filter((r) => r.Run !== 'Current (the code)');
    await choose(page, '#compare', 'he_normal');
    await page.waitForFunction(() => [...document.querySelectorAll('#grid vscode-data-grid-cell')].some((c) => c.textContent.trim() === 'He normal'), null, { timeout: TIMEOUT });
    const after = (await gridRows(page)).filter((r) => r.Run === 'He normal');
    assert(after.length === 5, `he_normal rows: ${after.length}`);
    assert(after[0]['Var(w)'] === String(2 / 100), `He normal Var(w) for fan_in 100: ${after[0]['Var(w)']}`);
    const changed = after.filter((r, i) => r['Var(act)'] !== before[i]['Var(act)']).length;
    assert(changed === 5, `Var(act) changed in ${changed} of 5 layers: ${before.map((r) => r['Var(act)'])} → ${after.map((r) => r['Var(act)'])}`);
    const { states } = await harness(page);
    assert(states.at(-1).compare === 'he_normal', 'the new choice was not saved');
  });

  await check("LSUV as the compared initializer: every layer at Var(pre) = 1 on the batch, each gain in the table; Apply writes each layer's gain", async () => {
    await choose(page, '#compare', 'lsuv');
    await page.waitForFunction(() => [...document.querySelectorAll('#grid vscode-data-grid-cell')].some((c) => /^LSUV: orthogonal × /.test(c.textContent.trim())), null, { timeout: TIMEOUT });
    await idle(page);
    const rows = (await gridRows(page)).filter((r) => r.Run === 'LSUV (orthogonal, rescaled on the inputs)');
    assert(rows.length === 5, `LSUV rows: ${rows.length}`);
    for (const r of rows) {
      assert(/^LSUV: orthogonal × \d/.test(r.Initializer), `initializer: ${r.Initializer}`);
      // Within LSUV's tolerance of 1 (the grid prints 3 significant digits).
      assert(Math.abs(Number(r['Var(pre)']) - 1) <= 0.011, `${r.Layer}: Var(pre) ${r['Var(pre)']}`);
    }
    // Apply to all: one message, each layer's gain as the framework writes it, Var(w) = gain² / max(fan_in, units);
    // the layer whose initializer a shared call sets is left out, and its row says why.
    const applyAll = await page.getAttribute('#apply-all', 'title');
    assert(/LSUV's gain \(4 layers\)/.test(applyAll), `Apply tooltip: ${applyAll}`);
    await page.waitForFunction(() => !document.getElementById('apply-all').hasAttribute('disabled'));
    const before = (await harness(page)).posted.length;
    await page.click('#apply-all');
    await page.waitForFunction(() => /Applied/.test(document.getElementById('apply-result').textContent), null, { timeout: 10_000 });
    const posted = (await harness(page)).posted.slice(before).filter((m) => m.type === 'apply');
    assert(posted.length === 1, `apply messages: ${JSON.stringify(posted)}`);
    const { message, problem } = parseWebviewMessage(posted[0]);
    assert(message, `the extension would reject it: ${problem}`);
    const [group] = message.groups;
    assert(message.groups.length === 1 && group.choice === 'lsuv' && JSON.stringify(group.layers) === '[0,1,2,3]', `apply: ${JSON.stringify(message)}`);
    group.layers.forEach((i, k) => {
      const fans = i === 0 ? 100 : 50;
      const expected = Math.sqrt(Number(rows[i]['Var(w)']) * fans);
      // The table prints 3 significant digits of Var(w): the gain agrees to about 0.1%.
      assert(Math.abs(group.gains[k] / expected - 1) < 3e-3, `layer ${i + 1}: gain ${group.gains[k]}, from the table ${expected}`);
    });
    const last = await page.$eval('.layer-row[data-layer="4"]', (row) => ({ hidden: row.querySelector('.apply-layer').hidden, note: row.querySelector('.apply-note').textContent }));
    assert(last.hidden && /no safe edit/.test(last.note), `row 5: ${JSON.stringify(last)}`);
    const button = await page.$eval('.layer-row[data-layer="0"] .apply-layer', (b) => [b.textContent, b.title]);
    assert(button[0] === "Apply LSUV's gain" && /orthogonal kernel with the gain LSUV measured/.test(button[1]), `row 1's button: ${button}`);
  });

  await check('greedy layerwise pretraining as the compared initializer: each kernel learned on the inputs, its Var(w) in the table; no Apply', async () => {
    await choose(page, '#compare', 'pretrained');
    await page.waitForFunction(() => [...document.querySelectorAll('#grid vscode-data-grid-cell')].some((c) => /^Pretrained: autoencoder, 100 steps/.test(c.textContent.trim())), null, { timeout: TIMEOUT });
    await idle(page);
    const rows = (await gridRows(page)).filter((r) => r.Run === 'Greedy layerwise pretraining (autoencoders)');
    assert(rows.length === 5 && rows.every((r) => r.Initializer === 'Pretrained: autoencoder, 100 steps (from Glorot uniform)' && Number(r['Var(w)']) > 0), JSON.stringify(rows.map((r) => [r.Initializer, r['Var(w)']])));
    const applyAll = await page.getAttribute('#apply-all', 'title');
    assert(/learned from these inputs, not drawn from a distribution/.test(applyAll), `Apply tooltip: ${applyAll}`);
    await choose(page, '#compare', 'he_normal');
    await idle(page);
  });

  await check('a changed model from the extension is re-run (debounced)', async () => {
    // The grid draws its rows a frame after the run: wait for them.
    await page.waitForFunction(() => [...document.querySelectorAll('#grid vscode-data-grid-cell')].some((c) => c.textContent.trim() === 'Current (the code)'), null, { timeout: TIMEOUT });
    const before = (await gridRows(page)).find((r) => r.Run === 'Current (the code)')['Var(act)'];
    const runsBefore = await page.evaluate(() => window.__harness.states.length);
    await page.evaluate(() => {
      const m = JSON.parse(JSON.stringify(window.__harness.fixture));
      m.layers.forEach((l) => (l.kernel = { label: 'RandomNormal(stddev=0.1)', distribution: 'normal', variance: 0.01 }));
      window.__harness.sendModel(m);
      window.__harness.sendModel(m); // a burst: one run
    });
    await waitForFirstVarAct(page, before, false);
    await idle(page);
    const runs = (await page.evaluate(() => window.__harness.states.length)) - runsBefore;
    assert(runs === 1, `a burst of two models ran ${runs} times`);
    await page.evaluate(() => window.__harness.sendModel(window.__harness.fixture));
    await waitForFirstVarAct(page, before, true);
    await idle(page);
  });

  await check('conv layers are said to be simulated per patch; an unknown fan_in is an editable input width', async () => {
    await page.evaluate(() => {
      const m = JSON.parse(JSON.stringify(window.__harness.fixture));
      // Conv2D(16, 3x3) on an input whose channels are unknown: fan_in unknown, 9 x 16 = 144 fan_out.
      Object.assign(m.layers[0], { label: 'Conv2D(16, 3x3)', kind: 'conv', fanIn: undefined, fanOut: 144, units: 16, receptiveField: 9 });
      m.layers[1].fanIn = 16;
      m.defaultInputWidth = 27;
      window.__harness.sendModel(m);
    });
    await page.waitForFunction(() => /simulated per patch/.test(document.getElementById('notes').textContent), null, { timeout: TIMEOUT });
    // The row and the subtitle say what the width of a convolution's input is: a patch.
    const detail = await page.$eval('.layer-row[data-layer="0"] .layer-name .hint', (e) => e.textContent);
    assert(/27 \(assumed\) → 16 per patch \(fan_in = receptive field 9 × 3 input channels\)/.test(detail), `row: ${detail}`);
    assert(/per-patch input 27 \(receptive field × channels\) \(assumed\)/.test(await page.textContent('#subtitle')), 'the subtitle names the per-patch input');
    await page.waitForSelector('#input-width-control:not([hidden])');
    const width = await page.$eval('#input-width', (f) => f.value);
    assert(width === '27', `input width field shows ${width}`);
    assert(/assumed 27/.test(await page.textContent('#input-width-note')), 'the assumed width is not stated');
    await idle(page);
    await page.fill('#input-width input', '64');
    await page.press('#input-width input', 'Enter');
    await page
      .waitForFunction(() => {
        const rows = [...document.querySelectorAll('#grid vscode-data-grid-row')].map((r) => [...r.querySelectorAll('vscode-data-grid-cell')].map((c) => c.textContent.trim()));
        return rows[1]?.[0] === 'Conv2D(16, 3x3)' && rows[1]?.[2] === '64';
      }, null, { timeout: 20_000 })
      .catch(async (e) => {
        const seen = await page.evaluate(() => ({
          field: document.getElementById('input-width').value,
          row: [...document.querySelectorAll('#grid vscode-data-grid-row')][1]?.textContent,
          state: window.__harness.states.at(-1)?.inputWidth,
          busy: document.getElementById('app').getAttribute('aria-busy'),
        }));
        throw new Error(`${e.message}; saw ${JSON.stringify(seen)}`);
      });
    await idle(page);
    await page.evaluate(() => window.__harness.sendModel(window.__harness.fixture));
    await page.waitForSelector('#input-width-control[hidden]', { state: 'attached' });
    await page.waitForFunction(() => !/simulated per patch/.test(document.getElementById('notes').textContent));
    await idle(page);
  });

  await check('the symmetry demo shows 1 distinct unit for the constant kernel', async () => {
    await page.click('#symmetry');
    await page.waitForSelector('#symmetry-result table', { timeout: TIMEOUT });
    const cells = await page.$$eval('#symmetry-result tbody tr', (rows) => rows.map((r) => [...r.querySelectorAll('td[data-run]')].map((td) => td.textContent.trim())));
    assert(cells.length === 5, `symmetry rows: ${cells.length}`);
    for (const [constant, random] of cells) {
      assert(constant === '1 → 1', `constant kernel: ${constant}`);
      assert(random === '50 → 50', `random kernel: ${random}`);
    }
    // No constant in the code: the demo's own Constant(0.5).
    const heads = await page.$$eval('#symmetry-result thead th', (ths) => ths.map((th) => th.textContent));
    assert(/^constant: Constant/.test(heads[2]) && !/the code's/.test(heads[2]), `columns: ${heads.join(' | ')}`);
  });

  await check("the symmetry demo starts from the code's own constant when it has one", async () => {
    const withConstant = JSON.parse(JSON.stringify(tutorialModel()));
    Object.assign(withConstant.layers[1], { kernel: { label: 'Constant(value=0.2)', distribution: 'constant', constant: 0.2, variance: 0 } });
    await page.evaluate((m) => window.__harness.sendModel(m), withConstant);
    await idle(page);
    await page.click('#symmetry');
    await page.waitForFunction(() => /the code's/.test(document.querySelector('#symmetry-result thead')?.textContent ?? ''), null, { timeout: TIMEOUT });
    const heads = await page.$$eval('#symmetry-result thead th', (ths) => ths.map((th) => th.textContent));
    assert(heads[2] === "constant: Constant(value=0.2) (the code's)", `columns: ${heads.join(' | ')}`);
    await page.evaluate(() => window.__harness.sendModel(window.__harness.fixture));
    await idle(page);
  });

  await check("apply posts a well-formed 'apply' message and shows the reply", async () => {
    await page.waitForFunction(() => !document.getElementById('apply-all').hasAttribute('disabled'));
    // This check's own messages: what was posted before it (LSUV's apply) is not counted.
    const postedBefore = (await harness(page)).posted.length;
    const ownApplies = async () => (await harness(page)).posted.slice(postedBefore).filter((m) => m.type === 'apply');
    await page.click('#apply-all');
    await page.waitForFunction((n) => window.__harness.posted.slice(n).some((m) => m.type === 'apply'), postedBefore, { timeout: 10_000 });
    await page.waitForFunction(() => /Applied/.test(document.getElementById('apply-result').textContent), null, { timeout: 10_000 });
    const applies = await ownApplies();
    assert(applies.length === 1, `apply messages: ${JSON.stringify(applies)}`);
    const { message, problem } = parseWebviewMessage(applies[0]);
    assert(message, `the extension would reject it: ${problem}`);
    // One message for every layer (one edit, one undo); the layer without a safe edit is left out.
    assert(JSON.stringify(message.groups) === JSON.stringify([{ layers: [0, 1, 2, 3], choice: 'he_normal' }]), `apply: ${JSON.stringify(message)}`);
    // That layer's row has no button, and says why.
    const last = await page.$eval('.layer-row[data-layer="4"]', (row) => ({
      hidden: row.querySelector('.apply-layer').hidden,
      note: row.querySelector('.apply-note').textContent,
    }));
    assert(last.hidden && /no safe edit: its initializer is set by a call that also initializes other layers/.test(last.note), `row 5: ${JSON.stringify(last)}`);
    // Per layer: the second layer's own button.
    await page.waitForFunction(() => !document.querySelector('.layer-row[data-layer="1"] .apply-layer').hasAttribute('disabled'), null, { timeout: 10_000 });
    await page.click('.layer-row[data-layer="1"] .apply-layer');
    await page.waitForFunction((n) => window.__harness.posted.slice(n).filter((m) => m.type === 'apply').length === 2, postedBefore);
    const second = (await ownApplies())[1];
    assert(parseWebviewMessage(second).message && JSON.stringify(second.groups) === JSON.stringify([{ layers: [1], choice: 'he_normal' }]), `per-layer apply: ${JSON.stringify(second)}`);
    assert(second.requestId !== applies[0].requestId, 'request ids must differ');
  });

  await check('apply is off for a choice the source cannot take', async () => {
    await choose(page, '#compare', 'small_normal');
    await page.waitForFunction(() => document.getElementById('apply-all').hasAttribute('disabled'));
    const disabled = await page.$$eval('.apply-layer', (bs) => bs.every((b) => b.hasAttribute('disabled')));
    assert(disabled, 'per-layer Apply buttons should be off for small_normal');
    await choose(page, '#compare', 'he_normal');
  });

  await check("another model: the previous one's message and numbers go at once; a notice from the extension shows", async () => {
    await page.waitForFunction(() => document.getElementById('apply-result').textContent.length > 0);
    await page.waitForFunction(() => document.getElementById('app').getAttribute('aria-busy') === 'false', null, { timeout: 30_000 });
    const other = { ...tutorialModel(), name: 'other_mlp', file: 'examples/other.py' };
    await page.evaluate((m) => window.__harness.sendModel(m, { notice: 'The file does not parse: showing the model as it was before the edit.' }), other);
    // Cleared when the model arrives, not when its run ends.
    await page.waitForFunction(() => document.getElementById('apply-result').textContent === '', null, { timeout: 2_000 });
    await page.waitForFunction(() => !document.getElementById('app').classList.contains('switching') || document.querySelector('.note.warning'), null, { timeout: 30_000 });
    const notice = await page.$$eval('.note.warning', (ps) => ps.map((p) => p.textContent));
    assert(notice.includes('The file does not parse: showing the model as it was before the edit.'), `notes: ${JSON.stringify(notice)}`);
    await page.waitForFunction(() => !document.getElementById('app').classList.contains('switching'), null, { timeout: 30_000 });
    // Back to the fixture, without a notice: the notice goes.
    await page.evaluate(() => window.__harness.sendModel(window.__harness.fixture));
    await page.waitForFunction(() => ![...document.querySelectorAll('.note')].some((p) => /does not parse/.test(p.textContent)), null, { timeout: 10_000 });
    await page.waitForFunction(() => document.getElementById('app').getAttribute('aria-busy') === 'false', null, { timeout: 30_000 });
  });

  await check('a zero on the log axis: drawn as a triangle on the axis, with a note, not dropped', async () => {
    const zero = JSON.parse(JSON.stringify(tutorialModel()));
    // A zero kernel and no bias under tanh: the layer's output is exactly 0.
    Object.assign(zero.layers[4], { kernel: { label: 'Zeros', distribution: 'constant', constant: 0, variance: 0 }, findings: [] });
    await page.evaluate((m) => window.__harness.sendModel(m), zero);
    await page
      .waitForFunction(() => /activations of exactly 0 at layer 5 \(a constant or dead layer\)/.test(document.getElementById('notes').textContent), null, { timeout: TIMEOUT })
      .catch(async (e) => {
        const seen = await page.evaluate(() => ({ notes: document.getElementById('notes').textContent, zeros: document.getElementById('chart-activation').dataset.zeros, busy: document.getElementById('app').getAttribute('aria-busy') }));
        throw new Error(`${e.message}; saw ${JSON.stringify(seen)}`);
      });
    const drawn = await page.$eval('#chart-activation', (c) => c.dataset.zeros);
    assert(drawn === '5', `zeros on the activation chart: ${drawn}`);
    await page.evaluate(() => window.__harness.sendModel(window.__harness.fixture));
    await page.waitForFunction(() => !/exactly 0/.test(document.getElementById('notes').textContent), null, { timeout: TIMEOUT });
    await idle(page);
  });

  await check('every log axis has two or more labels, also where the values stay within a decade', async () => {
    // He normal under ReLU holds E[a²] at about 1 through the stack: one decade or less on both axes.
    const flat = JSON.parse(JSON.stringify(tutorialModel()));
    flat.name = 'flat_relu';
    for (const layer of flat.layers) {
      Object.assign(layer, { kernel: { label: 'HeNormal', distribution: 'normal', variance: 2 / layer.fanIn }, activation: { name: 'relu', family: 'relu' }, predictedGain: 1, findings: [] });
    }
    await page.evaluate((m) => window.__harness.sendModel(m), flat);
    await page.waitForFunction(() => document.getElementById('app').getAttribute('aria-busy') === 'false' && !document.getElementById('app').classList.contains('switching'), null, { timeout: TIMEOUT });
    for (const id of ['chart-activation', 'chart-gradient']) {
      const ticks = await page.$eval(`#${id}`, (c) => c.dataset.ticks ?? '');
      assert(ticks.split(' ').filter(Boolean).length >= 2, `${id}: y labels "${ticks}"`);
    }
    // And on the fixture, which spans many decades: powers of ten only.
    await page.evaluate(() => window.__harness.sendModel(window.__harness.fixture));
    await page.waitForFunction(() => document.getElementById('app').getAttribute('aria-busy') === 'false' && !document.getElementById('app').classList.contains('switching'), null, { timeout: TIMEOUT });
    const wide = await page.$eval('#chart-activation', (c) => c.dataset.ticks ?? '');
    assert(/^(10[⁰¹²³⁴⁵⁶⁷⁸⁹⁻]*|1|10)( (10[⁰¹²³⁴⁵⁶⁷⁸⁹⁻]*|1|10))+$/.test(wide), `powers of ten: "${wide}"`);
    await idle(page);
  });

  await check('export posts a PNG and a CSV the extension accepts; the PNG is titled with the model and its file', async () => {
    // What the export draws as text on its canvas.
    await page.evaluate(() => {
      window.__drawnText = [];
      const fillText = CanvasRenderingContext2D.prototype.fillText;
      CanvasRenderingContext2D.prototype.fillText = function (text, ...rest) {
        window.__drawnText.push(String(text));
        return fillText.call(this, text, ...rest);
      };
    });
    await page.click('#export-csv');
    await page.click('#export-png');
    await page.waitForFunction(() => window.__harness.posted.filter((m) => m.type === 'export').length === 2, null, { timeout: 10_000 });
    const exports = (await harness(page)).posted.filter((m) => m.type === 'export');
    for (const e of exports) assert(parseWebviewMessage(e).message, `rejected export: ${parseWebviewMessage(e).problem}`);
    const csv = exports.find((e) => e.format === 'csv');
    const png = exports.find((e) => e.format === 'png');
    assert(csv.data.startsWith('layer,run,fan_in') && csv.data.trim().split('\r\n').length === 11, `csv: ${csv.data.slice(0, 200)}`);
    assert(Buffer.from(png.data, 'base64').subarray(1, 4).toString() === 'PNG' && png.data.length > 10_000, 'png is not a PNG');
    const drawn = await page.evaluate(() => window.__drawnText);
    assert(drawn.includes('Simulate Initialization: tutorial_mlp (examples/tutorial.py)'), `texts drawn on the PNG: ${JSON.stringify(drawn.slice(0, 8))}`);
  });

  await check("the user's own inputs: a CSV read in the panel, its statistics shown, the run on it; a file of another width or not a table is refused with why", async () => {
    const summary = async () => (await harness(page)).states.at(-1)?.summary;
    await idle(page);
    const before = (await summary()).layers[0].current;
    // 300 samples of the model's 100 features in [0, 1], as pixels: E[x²] = 1/3 (N(0, 1): 1).
    let h = 7;
    const rows = Array.from({ length: 300 }, () =>
      Array.from({ length: 100 }, () => {
        h = (Math.imul(h, 1103515245) + 12345) >>> 0;
        return (h / 2 ** 32).toFixed(4);
      }).join(','),
    );
    const statesBefore = await page.evaluate(() => window.__harness.states.length);
    await page.setInputFiles('#input-file', { name: 'pixels.csv', mimeType: 'text/csv', buffer: Buffer.from(`${rows.join('\n')}\n`) });
    await page.waitForFunction(() => /^pixels\.csv: 300 samples × 100 features · mean 0\.\d+ · std 0\.\d+ · range \[/.test(document.getElementById('input-stats').textContent), null, { timeout: TIMEOUT });
    const option = await page.$eval('#input', (d) => d.value);
    assert(option === 'data', `input dropdown: ${option}`);
    await page.waitForFunction((n) => window.__harness.states.length > n, statesBefore, { timeout: TIMEOUT });
    await idle(page);
    const after = (await summary()).layers[0].current;
    // Layer 1's E[z²] = 100 · 10⁻⁴ · E[x²]: a third of what N(0, 1) gives (tanh is linear there).
    assert(after / before > 0.2 && after / before < 0.5, `layer 1 activation variance ${before} → ${after}`);
    await page.setInputFiles('#input-file', { name: 'narrow.csv', mimeType: 'text/csv', buffer: Buffer.from('1,2,3\n4,5,6\n') });
    await page.waitForFunction(() => /Not used: the model's first layer reads 100 features a sample/.test(document.getElementById('input-stats').textContent), null, { timeout: TIMEOUT });
    await page.setInputFiles('#input-file', { name: 'broken.npy', mimeType: 'application/octet-stream', buffer: Buffer.from('not numpy') });
    await page.waitForFunction(() => document.getElementById('input-stats').textContent === 'Not used: broken.npy: not a NumPy .npy file (no \\x93NUMPY header)', null, { timeout: TIMEOUT });
    // Back to N(0, 1): the statistics line goes, the numbers come back.
    await choose(page, '#input', 'normal');
    await page.waitForFunction(() => document.getElementById('input-stats').hidden, null, { timeout: TIMEOUT });
    await idle(page);
    const back = (await summary()).layers[0].current;
    assert(Math.abs(back / before - 1) < 1e-6, `back on N(0, 1): ${before} → ${back}`);
  });

  await check('images for a convolution: patches of its receptive field are cut from a 4-D .npy, said so; images of other channels are refused with why', async () => {
    // A version 1.0 .npy of float32, as numpy.save writes one.
    const npy = (shape, values) => {
      let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${shape.join(', ')}), }`;
      header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
      const out = Buffer.alloc(10 + header.length + values.length * 4);
      Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(out);
      out.writeUInt16LE(header.length, 8);
      out.write(header, 10, 'latin1');
      Buffer.from(new Float32Array(values).buffer).copy(out, 10 + header.length);
      return out;
    };
    let h = 11;
    const pixels = (n) =>
      Array.from({ length: n }, () => {
        h = (Math.imul(h, 1103515245) + 12345) >>> 0;
        return h / 2 ** 32;
      });
    const conv = {
      ...tutorialModel(),
      name: 'small_cnn',
      layers: tutorialModel().layers.slice(0, 2).map((l, i) => ({
        ...l,
        label: i === 0 ? 'Conv2D(16, 3x3)' : 'Dense(50)',
        kind: i === 0 ? 'conv' : 'dense',
        fanIn: i === 0 ? 27 : 16,
        fanOut: i === 0 ? 144 : 50,
        units: i === 0 ? 16 : 50,
        receptiveField: i === 0 ? 9 : 1,
      })),
    };
    const statesBefore = await page.evaluate(() => window.__harness.states.length);
    await page.evaluate((m) => window.__harness.sendModel(m), conv);
    await page.setInputFiles('#input-file', { name: 'images.npy', mimeType: 'application/octet-stream', buffer: npy([20, 8, 8, 3], pixels(20 * 8 * 8 * 3)) });
    await page.waitForFunction(
      () => /^images\.npy: 720 patches of 3 × 3 × 3 = 27 features, cut from 20 samples of 8 × 8 × 3 · mean 0\.\d+ /.test(document.getElementById('input-stats').textContent),
      null,
      { timeout: TIMEOUT },
    );
    assert(!(await page.$eval('#input-stats', (e) => e.classList.contains('error'))), 'the patches are used');
    await page.waitForFunction((n) => window.__harness.states.length > n, statesBefore, { timeout: TIMEOUT });
    await idle(page);
    // Pixels in [0, 1]: E[x²] = 1/3, so the first layer's E[z²] is about a third of N(0, 1)'s.
    const onImages = (await harness(page)).states.at(-1).summary.layers[0].current;
    await choose(page, '#input', 'normal');
    await idle(page);
    const onNormal = (await harness(page)).states.at(-1).summary.layers[0].current;
    assert(onImages / onNormal > 0.2 && onImages / onNormal < 0.5, `layer 1 on the images ${onImages}, on N(0, 1) ${onNormal}`);
    // Channels first (as PyTorch saves them) for a Keras model: 8 channels where it reads 3.
    await page.setInputFiles('#input-file', { name: 'nchw.npy', mimeType: 'application/octet-stream', buffer: npy([4, 3, 8, 8], pixels(4 * 3 * 8 * 8)) });
    await page.waitForFunction(
      () => /Not used: the first layer is a convolution and samples of 3 × 8 × 8 have 8 channels \(channels last\), a patch 9 × 8 = 72 features; the first layer reads 3/.test(document.getElementById('input-stats').textContent),
      null,
      { timeout: TIMEOUT },
    );
    await choose(page, '#input', 'normal');
    await page.evaluate(() => window.__harness.sendModel(window.__harness.fixture));
    await idle(page);
  });

  await check('a theme change redraws the charts with the new colours', async () => {
    const before = await pixelsOf(page, '#chart-activation');
    await page.evaluate(() => document.body.classList.replace('vscode-dark', 'vscode-light'));
    await page.waitForFunction((b) => {
      const c = document.querySelector('#chart-activation');
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let h = 0;
      for (let i = 0; i < d.length; i += 1) h = (Math.imul(h, 31) + d[i]) | 0;
      return h !== b;
    }, before, { timeout: 10_000 });
    await page.evaluate(() => document.body.classList.replace('vscode-light', 'vscode-dark'));
  });

  await check('no tensors are kept between runs', async () => {
    const counts = await page.evaluate(() => performance.getEntriesByName('initlint:run').map((m) => m.detail.tensors));
    assert(counts.length >= 5 && counts.every((n) => n === counts[0]), `live tensors after each run: ${counts}`);
  });

  // Tests never write into the repository: the picture goes to .test-run/ (scripts/screenshots.mjs refreshes docs/images).
  await check('a screenshot is saved to .test-run/browser/simulator.png', async () => {
    mkdirSync(join(root, '.test-run', 'browser'), { recursive: true });
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(root, '.test-run', 'browser', 'simulator.png'), fullPage: true });
  });

  await check('a reload restores the saved settings', async () => {
    await page.reload();
    await firstChartMs(page);
    const compare = await page.$eval('#compare', (d) => d.value);
    assert(compare === 'he_normal', `compare after reload: ${compare}`);
    await page.waitForFunction(() => [...document.querySelectorAll('#grid vscode-data-grid-cell')].some((c) => c.textContent.trim() === 'He normal'), null, { timeout: TIMEOUT });
  });

  await check('the layout holds at 1200 px and at 400 px: no text spills over its box, no control over another', async () => {
    const wide = await layoutProblems(page);
    assert(wide.length === 0, `at 1200 px: ${wide.slice(0, 5).join('; ')}`);
    const narrow = await openPanel(await browser.newContext({ viewport: { width: 400, height: 900 } }), server.origin, consoleLines, pageErrors);
    await firstChartMs(narrow);
    await idle(narrow);
    const problems = await layoutProblems(narrow);
    await narrow.screenshot({ path: join(root, '.test-run', 'browser', 'simulator-400.png'), fullPage: true });
    assert(problems.length === 0, `at 400 px: ${problems.slice(0, 5).join('; ')}`);
    await narrow.context().close();
  });

  await check('no errors in the page', async () => {
    const errors = consoleLines.filter((l) => l.startsWith('error:'));
    assert(pageErrors.length === 0 && errors.length === 0, `${pageErrors.join('\n')}\n${errors.join('\n')}`);
  });
  await page.close();
} finally {
  await browser.close();
}

// 'auto', the default: WebGL on a GPU; WebAssembly on a software WebGL such as this machine's
// SwiftShader, where wasm is the faster one (docs/benchmarks-simulator.md), without a warning.
const auto = await chromium.launch({ executablePath, args: CHROMIUM_ARGS, env: CHROMIUM_ENV, headless: true });
try {
  const lines = [];
  const errors = [];
  const page = await openPanel(await auto.newContext({ viewport: { width: 1200, height: 900 } }), server.origin, lines, errors);
  await check("on 'auto' with a software WebGL (SwiftShader) the panel runs on wasm, says why in the badge's tooltip, and warns of nothing", async () => {
    timings.firstChartAuto = await firstChartMs(page);
    const backend = (await page.textContent('#backend')).trim();
    assert(backend === 'wasm', `backend shown: ${backend}`);
    const title = await page.getAttribute('#backend', 'title');
    assert(/software renderer \(.*SwiftShader.*\)/.test(title), `tooltip: ${title}`);
    const notes = await page.textContent('#notes');
    assert(!/not available|cannot start|WebAssembly/.test(notes), `unexpected note: ${notes}`);
    assert(await inkOf(page, '#chart-activation') > 500, 'no chart');
    assert(errors.length === 0, errors.join('\n'));
  });
  await check('a 50 x 1024 model is charted from a small first pass at once, then from the full run', async () => {
    const big = {
      ...tutorialModel(),
      name: 'wide_relu_50x1024',
      defaultInputWidth: 1024,
      layers: Array.from({ length: 50 }, (_, i) => ({
        label: `Dense(1024) #${i + 1}`,
        kind: 'dense',
        fanIn: 1024,
        fanOut: 1024,
        units: 1024,
        receptiveField: 1,
        kernel: { label: 'HeNormal', distribution: 'normal', variance: 2 / 1024 },
        activation: { name: 'relu', family: 'relu' },
        normalized: false,
        predictedGain: 1,
        recommended: 'he_normal',
        findings: [],
      })),
    };
    const marks = () => page.evaluate(() => performance.getEntriesByName('initlint:full-chart').length);
    const fullBefore = await marks();
    await page.evaluate(() => {
      window.__timings = [];
      // The page's own record of what the timing line said, and when.
      new MutationObserver(() => window.__timings.push({ at: performance.now(), text: document.getElementById('timing').textContent })).observe(document.getElementById('timing'), {
        childList: true,
        characterData: true,
        subtree: true,
      });
    });
    const sent = await page.evaluate((m) => {
      window.__harness.sendModel(m);
      return performance.now();
    }, big);
    // While the full run computes (seconds on wasm), the page answers: a run that long computes
    // in the simulation's worker. Five tasks, one after another, each done before the run's chart.
    await page.waitForFunction(() => /^first pass/.test(document.getElementById('timing').textContent), null, { timeout: 60_000 });
    for (let i = 0; i < 5; i++) {
      const drawn = await page.evaluate(() => new Promise((resolve) => setTimeout(() => resolve(performance.getEntriesByName('initlint:full-chart').length), 20)));
      assert(drawn === fullBefore, `task ${i + 1} of the page ran only after the full run: the run held the page's thread`);
    }
    await page.waitForFunction((n) => performance.getEntriesByName('initlint:full-chart').length > n, fullBefore, { timeout: 120_000 });
    await idle(page);
    const ranInWorker = await page.evaluate(() => performance.getEntriesByName('initlint:run').at(-1)?.detail.worker);
    assert(ranInWorker === true, `the full run went to the worker: ${ranInWorker}`);
    const log = await page.evaluate(() => window.__timings);
    const seen = log.map((t) => t.text);
    const predicted = seen.findIndex((t) => t === 'predicted; measuring…');
    const firstPass = seen.findIndex((t) => /^first pass/.test(t));
    assert(predicted >= 0 && predicted < firstPass, `the prediction first, then the first pass: ${JSON.stringify(seen)}`);
    const last = seen.at(-1);
    assert(/ms · batch 64$/.test(last), `the full run's timing last: ${last}`);
    const rows = await page.$$eval('#grid vscode-data-grid-row', (rs) => rs.length);
    assert(rows > 50, `grid rows: ${rows}`);
    const firstPassMs = Math.round(log[firstPass].at - sent);
    const fullMs = Math.round(log.at(-1).at - sent);
    console.log(`  50 x 1024 on wasm: model sent → first pass drawn ${firstPassMs} ms, → full run drawn ${fullMs} ms`);
  });
  const gpu = await auto.newContext({ viewport: { width: 1200, height: 900 } });
  // The same page where WebGL names a hardware GPU (the renderer string is all 'auto' reads).
  await gpu.addInitScript(() => {
    for (const proto of [WebGLRenderingContext.prototype, WebGL2RenderingContext.prototype]) {
      const getParameter = proto.getParameter;
      proto.getParameter = function (name) {
        return name === 0x9246 || name === this.RENDERER ? 'ANGLE (NVIDIA, NVIDIA GeForce RTX 3060 Direct3D11 vs_5_0 ps_5_0, D3D11)' : getParameter.call(this, name);
      };
    }
  });
  const onGpu = await openPanel(gpu, server.origin, lines, errors);
  await check("the page tells the extension the renderer it found; told it, a later page creates no WebGL context to learn it", async () => {
    const posted = (await harness(page)).posted.filter((m) => m.type === 'renderer');
    assert(posted.length === 1 && /SwiftShader/.test(posted[0].renderer), `renderer messages: ${JSON.stringify(posted)}`);
    const told = await auto.newContext({ viewport: { width: 1200, height: 900 } });
    await told.addInitScript(() => {
      window.__webglContexts = 0;
      const getContext = HTMLCanvasElement.prototype.getContext;
      HTMLCanvasElement.prototype.getContext = function (type, ...rest) {
        if (/webgl/i.test(type)) window.__webglContexts++;
        return getContext.call(this, type, ...rest);
      };
    });
    const later = await told.newPage();
    await later.goto(`${server.origin}/?renderer=${encodeURIComponent(posted[0].renderer)}`);
    await firstChartMs(later);
    assert((await later.textContent('#backend')).trim() === 'wasm', 'backend');
    assert((await later.evaluate(() => window.__webglContexts)) === 0, 'a WebGL context was created');
    assert((await harness(later)).posted.every((m) => m.type !== 'renderer'), 'told the renderer, the page should not report it again');
    await told.close();
  });
  await check("on 'auto' with a hardware GPU the panel runs on webgl", async () => {
    await firstChartMs(onGpu);
    const backend = (await onGpu.textContent('#backend')).trim();
    assert(backend === 'webgl', `backend shown: ${backend}`);
    const title = await onGpu.getAttribute('#backend', 'title');
    assert(/WebGL on ANGLE \(NVIDIA/.test(title), `tooltip: ${title}`);
  });
} finally {
  await auto.close();
}

// Without WebGL: the wasm backend (its .wasm fetched from dist/ under the CSP) and a plain note.
const noGl = await chromium.launch({ executablePath, args: CHROMIUM_ARGS, env: CHROMIUM_ENV, headless: true });
try {
  const lines = [];
  const errors = [];
  const context = await noGl.newContext({ viewport: { width: 1200, height: 900 } });
  // A machine without WebGL: every WebGL context request fails, as it does there. (The page's
  // own: these models' runs are short, none goes to the simulation's worker, which would start
  // on the page's backend anyway.)
  await context.addInitScript(() => {
    for (const proto of [HTMLCanvasElement.prototype, OffscreenCanvas.prototype]) {
      const getContext = proto.getContext;
      proto.getContext = function (type, ...rest) {
        return /webgl/i.test(type) ? null : getContext.call(this, type, ...rest);
      };
    }
  });
  const page = await openPanel(context, server.origin, lines, errors);
  await check('without WebGL the panel runs on wasm and says so', async () => {
    timings.firstChartWasm = await firstChartMs(page);
    const backend = (await page.textContent('#backend')).trim();
    assert(backend === 'wasm', `backend shown: ${backend}`);
    const notes = await page.textContent('#notes');
    assert(/WebGL is not available/.test(notes), `no fallback note: ${notes}`);
    assert(await inkOf(page, '#chart-activation') > 500, 'no chart on wasm');
    const csp = lines.filter((l) => /Content Security Policy|Refused to/i.test(l));
    const { violations } = await harness(page);
    assert(csp.length === 0 && violations.length === 0, `CSP: ${csp.join(' | ')} ${JSON.stringify(violations)}`);
  });
  const forced = await openPanel(context, server.origin, lines, errors, 'webgl');
  await check('set to webgl where WebGL cannot start, the panel runs on wasm and says the setting could not be followed', async () => {
    await firstChartMs(forced);
    const backend = (await forced.textContent('#backend')).trim();
    assert(backend === 'wasm', `backend shown: ${backend}`);
    const notes = await forced.textContent('#notes');
    assert(/The settings ask for webgl, which cannot start here \(webgl did not start\), so the simulation runs on WebAssembly/.test(notes), `note: ${notes}`);
  });
} finally {
  await noGl.close();
  await server.close();
}

console.log(`time to the first predicted chart: ${Math.round(timings.firstPrediction ?? NaN)} ms; to the first measured chart: webgl ${Math.round(timings.firstChartWebgl ?? NaN)} ms, auto (wasm on SwiftShader) ${Math.round(timings.firstChartAuto ?? NaN)} ms, wasm without WebGL ${Math.round(timings.firstChartWasm ?? NaN)} ms (from navigation start); whole test ${((Date.now() - started) / 1000).toFixed(1)} s`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
