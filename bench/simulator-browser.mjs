/**
 * The browser half of bench/simulator.mjs: the Simulate Initialization core in headless Debian
 * Chromium (WebGL2 through ANGLE on SwiftShader, as in test/browser), and the time from page
 * load to the panel's first chart.
 *
 *  - timeInChromium(): bundles webview/sim/simulate.ts with @tensorflow/tfjs and the wasm
 *    backend into a throwaway iife under .test-run/bench/ (esbuild, from stdin: nothing is added
 *    to the webview bundle), serves it and the backend's .wasm files on 127.0.0.1 from a minimal
 *    node:http server, and on a fresh page per backend runs simulate() after untimed warm-ups
 *    (the first run of a WebGL program compiles its shader). simulate()'s own `ms` is stopped
 *    after the last `await data()`, so GPU work is inside the time.
 *  - firstChartMs(): the real panel page (renderPage + dist/webview.js + the harness stand-in for
 *    VS Code + the tutorial model, test/browser/server.mjs), a fresh browser context per load;
 *    reads the `initlint:first-chart` performance mark, whose startTime counts from navigation
 *    start.
 */
import { existsSync, mkdirSync, readFileSync, statSync, readdirSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { chromium } from 'playwright-core';
import * as esbuild from 'esbuild';

const require = createRequire(import.meta.url);

/** As test/browser/simulator.test.mjs launches Chromium. */
export const BROWSER_ARGS = [
  '--no-sandbox',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
];

export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

export function launch() {
  return chromium.launch({ executablePath: CHROMIUM, args: BROWSER_ARGS, headless: true });
}

// ---- the simulation core in a page ----------------------------------------------------------

/** The page-side entry, bundled from stdin (resolved from the repository root). */
const ENTRY = `
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { simulate } from './webview/sim/simulate.ts';

// The webview's settings (webview/sim/tfBackend.ts): shaders keyed by op, not shape; one wasm thread.
tf.env().set('WEBGL_USE_SHAPES_UNIFORMS', true);
tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
setWasmPaths(new URL('/wasm/', location.href).href);

function renderer() {
  try {
    const gl = document.createElement('canvas').getContext('webgl2');
    const ext = gl && gl.getExtension('WEBGL_debug_renderer_info');
    return gl ? String(gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER)) : 'no WebGL2';
  } catch (e) { return 'no WebGL2 (' + e + ')'; }
}

function shaders() {
  try { const c = tf.backend().binaryCache; return c ? Object.keys(c).length : undefined; } catch { return undefined; }
}

window.__bench = {
  async use(name) {
    const ok = await tf.setBackend(name);
    await tf.ready();
    const info = { ok: ok && tf.getBackend() === name, backend: tf.getBackend(), tfjs: tf.version.tfjs };
    if (name === 'wasm') info.simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    if (name === 'webgl') info.renderer = renderer();
    return info;
  },
  async run(config, options) {
    const before = shaders();
    const t0 = performance.now();
    const r = await simulate(tf, config, options || {});
    const wall = performance.now() - t0;
    const after = shaders();
    return { ms: r.ms, wall, backend: r.backend, reduced: r.reduced, tensors: tf.memory().numTensors,
      compiled: before === undefined || after === undefined ? undefined : after - before };
  },
};
`;

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.wasm': 'application/wasm' };

/** Build the bundle (about 3 MB) into .test-run/bench/; return its folder. */
export async function buildBundle(root) {
  const out = join(root, '.test-run', 'bench');
  mkdirSync(out, { recursive: true });
  await esbuild.build({
    stdin: { contents: ENTRY, resolveDir: root, sourcefile: 'bench-entry.ts', loader: 'ts' },
    outfile: join(out, 'sim-bench.js'),
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    logLevel: 'warning',
  });
  return out;
}

/** A minimal static server: / (an empty page loading the bundle), /sim-bench.js, /wasm/*.wasm. */
async function serve(bundleDir) {
  const wasmDir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    let file;
    let body;
    if (path === '/') body = '<!DOCTYPE html><meta charset="utf-8"><title>simulator bench</title><script src="/sim-bench.js"></script>';
    else if (path === '/sim-bench.js') file = join(bundleDir, 'sim-bench.js');
    else if (/^\/wasm\/[\w.-]+\.wasm$/.test(path)) file = join(wasmDir, path.slice('/wasm/'.length));
    try {
      if (file) body = readFileSync(file);
      if (body === undefined) throw new Error('not found');
      res.writeHead(200, { 'content-type': TYPES[file ? extname(file) : '.html'] ?? 'application/octet-stream', 'cache-control': 'no-store' });
      res.end(body);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { origin: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((resolve) => server.close(resolve)) };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Resolve with `promise`, or with undefined after `ms`. */
const within = (promise, ms) => {
  let timer;
  return Promise.race([promise.finally(() => clearTimeout(timer)), new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
};

/**
 * Time simulate() in Chromium.
 * `plan`: per backend, [{ size, config, runs, warmups: [config...] }] in order (warm-ups untimed).
 * `limitMs`: a cap per timed run; past it the browser is closed and the row says so.
 * Returns { rows: [{ backend, size, ms, runs, wall, note }], info: { backend: {...} }, skipped: [] }.
 */
export async function timeInChromium({ root, backends, limitMs = 150_000, log = () => {} }) {
  const result = { rows: [], info: {}, skipped: [], chromium: undefined };
  const t0 = Date.now();
  const dir = await buildBundle(root);
  log(`bundle built (${((Date.now() - t0) / 1000).toFixed(1)} s, ${(statSync(join(dir, 'sim-bench.js')).size / 1e6).toFixed(1)} MB)`);
  const server = await serve(dir);
  let browser = await launch();
  result.chromium = browser.version();
  try {
    for (const { name, steps } of backends) {
      if (!browser.isConnected()) browser = await launch();
      const page = await (await browser.newContext()).newPage();
      const errors = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(`${server.origin}/`);
      await page.waitForFunction(() => !!window.__bench);
      const info = await page.evaluate((n) => window.__bench.use(n), name);
      result.info[name] = info;
      if (!info.ok) {
        result.skipped.push(`${name} in Chromium: fell back to ${info.backend}`);
        await page.context().close();
        continue;
      }
      log(`${name} in Chromium: ${info.renderer ?? (info.simd ? 'SIMD' : 'no SIMD')}`);
      for (const step of steps) {
        for (const w of step.warmups ?? []) {
          const tw = Date.now();
          await page.evaluate(([c, o]) => window.__bench.run(c, o), [w, step.options ?? {}]);
          log(`  ${name} warm-up ${w.layers.length} x ${w.layers[0].units}, batch ${w.batch}: ${Date.now() - tw} ms`);
        }
        const runs = [];
        let note;
        for (let i = 0; i < step.runs; i++) {
          const config = { ...step.config, seed: i + 1 };
          const r = await within(page.evaluate(([c, o]) => window.__bench.run(c, o), [config, step.options ?? {}]), limitMs);
          if (!r) {
            note = `stopped after ${Math.round(limitMs / 1000)} s without a result`;
            await browser.close().catch(() => {});
            break;
          }
          runs.push(r);
          log(`  ${name} ${step.size} run ${i + 1}: ${r.ms.toFixed(0)} ms${r.compiled ? ` (${r.compiled} shaders compiled during it)` : ''}`);
        }
        if (runs.length) {
          const compiled = runs.reduce((s, r) => s + (r.compiled ?? 0), 0);
          result.rows.push({
            backend: name, size: step.size, ms: median(runs.map((r) => r.ms)), runs: runs.map((r) => r.ms),
            compiled: runs[0].compiled === undefined ? undefined : compiled,
            note: [note, compiled ? `${compiled} shader(s) compiled inside the timed run(s)` : undefined, runs[0].reduced].filter(Boolean).join('; ') || undefined,
          });
        } else {
          result.rows.push({ backend: name, size: step.size, ms: undefined, runs: [], note, lowerBound: limitMs });
        }
        if (!browser.isConnected()) break;
      }
      if (errors.length) result.skipped.push(`${name} in Chromium: page errors: ${errors.join(' | ')}`);
      if (browser.isConnected()) await page.context().close();
    }
  } finally {
    await browser.close().catch(() => {});
    await server.close();
  }
  return result;
}

// ---- page load to first chart ---------------------------------------------------------------

/** dist/webview.js is missing or older than a source it is built from. */
export function webviewBundleStale(root) {
  const bundle = join(root, 'dist', 'webview.js');
  if (!existsSync(bundle)) return true;
  const built = statSync(bundle).mtimeMs;
  const newer = (dir) =>
    readdirSync(dir, { withFileTypes: true }).some((e) => {
      const p = join(dir, e.name);
      return e.isDirectory() ? newer(p) : /\.(ts|css)$/.test(e.name) && statSync(p).mtimeMs > built;
    });
  return newer(join(root, 'webview')) || statSync(join(root, 'src', 'protocol.ts')).mtimeMs > built;
}

/**
 * Navigation start → `initlint:first-chart`, over `loads` fresh browser contexts (one page
 * load each) of the panel page with the tutorial model. Returns { ms (median), runs, backends,
 * scriptMs (navigation → `initlint:script`, the bundle starting to run), scriptMedianMs, runMs
 * (the `initlint:run` detail: the first full update, current and compared runs) }.
 */
export async function firstChartMs({ root, loads = 3, timeoutMs = 60_000, log = () => {} }) {
  const { startServer } = await import('../test/browser/server.mjs');
  const { tutorialModel } = await import('../test/browser/fixture.mjs');
  const server = await startServer(root, tutorialModel());
  const browser = await launch();
  const out = { runs: [], scriptMs: [], backends: [], runMs: [], predictionMs: [], symmetryMs: [], errors: [] };
  try {
    for (let i = 0; i < loads; i++) {
      const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
      const page = await context.newPage();
      page.on('pageerror', (e) => out.errors.push(String(e)));
      await page.goto(`${server.origin}/`);
      await page.waitForFunction(() => performance.getEntriesByName('initlint:first-chart').length > 0, null, { timeout: timeoutMs });
      const ms = await page.evaluate(() => performance.getEntriesByName('initlint:first-chart')[0].startTime);
      await page.waitForFunction(() => performance.getEntriesByName('initlint:run').length > 0, null, { timeout: timeoutMs });
      const run = await page.evaluate(() => performance.getEntriesByName('initlint:run')[0].detail);
      const script = await page.evaluate(() => performance.getEntriesByName('initlint:script')[0]?.startTime);
      // The analytic prediction is drawn before the first measurement (app.ts, drawPrediction).
      out.predictionMs.push(await page.evaluate(() => performance.getEntriesByName('initlint:first-prediction')[0]?.startTime));
      out.runs.push(ms);
      // The Symmetry button: click → its table drawn, on the page's clock (a run holds the thread).
      out.symmetryMs.push(
        await page.evaluate(async () => {
          const t0 = performance.now();
          document.getElementById('symmetry').click();
          while (!document.querySelector('#symmetry-result table')) await new Promise((resolve) => setTimeout(resolve, 5));
          return performance.now() - t0;
        }),
      );
      out.scriptMs.push(script);
      out.backends.push(run?.backend ?? (await page.textContent('#backend'))?.trim());
      out.runMs.push(run?.ms);
      log(`  load ${i + 1}: first chart at ${ms.toFixed(0)} ms (${out.backends.at(-1)}; the bundle started at ${script?.toFixed(0)} ms, the prediction was drawn at ${out.predictionMs.at(-1)?.toFixed(0)} ms); Symmetry ${out.symmetryMs.at(-1)?.toFixed(0)} ms`);
      await context.close();
    }
  } finally {
    await browser.close().catch(() => {});
    await server.close();
  }
  return {
    ms: median(out.runs),
    scriptMedianMs: out.scriptMs.every((x) => typeof x === 'number') ? median(out.scriptMs) : undefined,
    predictionMedianMs: out.predictionMs.every((x) => typeof x === 'number') ? median(out.predictionMs) : undefined,
    symmetryMedianMs: out.symmetryMs.length ? median(out.symmetryMs) : undefined,
    ...out,
  };
}
