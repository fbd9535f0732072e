/**
 * The Simulate Initialization panel's HTML: a pure function of its URIs and nonce, used by the
 * extension host (SimulatorPanel) and by the browser test alike.
 *
 * The Content-Security-Policy allows only what the app needs: its own script by nonce,
 * WebAssembly compilation for the TF.js wasm backend ('wasm-unsafe-eval', never 'unsafe-eval'),
 * fetching the worker's script and the backend's .wasm files from the extension's dist/
 * (connect-src), the simulation's worker from a blob of that script (worker-src), its stylesheet,
 * and one inline <style> by nonce: the toolkit's feature probe, which reads the nonce from the
 * `csp-nonce` meta. The toolkit's components style themselves through constructable
 * stylesheets, which style-src does not govern.
 */
import type { BackendPreference } from '../src/protocol';

export interface PageOptions {
  /** `webview.cspSource`: the origin the panel's resources are served from. */
  cspSource: string;
  /** A fresh random value per render (base64 or hex). */
  nonce: string;
  /** dist/webview.js as a webview URI. */
  scriptUri: string;
  /** media/simulator.css as a webview URI. */
  styleUri: string;
  /** The TF.js backend to start (initlint.simulator.backend); 'auto' when absent. */
  backend?: BackendPreference;
  /** The WebGL renderer an earlier panel found ('': none), so that 'auto' need not create a context to learn it; absent: unknown. */
  renderer?: string;
  title: string;
}

/** Escape text for an HTML text node or a double-quoted attribute (single quotes stay, so the CSP reads as written). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string);
}

/** The policy, one directive a line in the source for readability. */
export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    `default-src 'none'`,
    `img-src ${cspSource} data:`,
    // The toolkit (FAST) probes :focus-visible support with a <style> it tags with the nonce
    // from the csp-nonce meta below.
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `font-src ${cspSource}`,
    `script-src 'nonce-${nonce}' 'wasm-unsafe-eval'`,
    `connect-src ${cspSource}`,
    // The simulation's worker, started from its script read into a blob (engine.ts).
    `worker-src blob:`,
    // No <base> to redirect relative URLs, no form to post anywhere.
    `base-uri 'none'`,
    `form-action 'none'`,
  ].join('; ');
}

export function renderPage(o: PageOptions): string {
  const attr = escapeHtml;
  const nonce = attr(o.nonce);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attr(contentSecurityPolicy(o.cspSource, o.nonce))}">
<meta property="csp-nonce" content="${nonce}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${attr(o.styleUri)}">
<title>${escapeHtml(o.title)}</title>
</head>
<body>
<main id="app" aria-busy="true" data-backend="${attr(o.backend ?? 'auto')}"${o.renderer === undefined ? '' : ` data-renderer="${attr(o.renderer)}"`}>
  <header class="title-bar">
    <div>
      <h1 id="title">${escapeHtml(o.title)}</h1>
      <p id="subtitle" class="subtitle">Waiting for the model…</p>
    </div>
    <div class="run-status" role="status" aria-live="polite">
      <vscode-progress-ring id="progress" hidden></vscode-progress-ring>
      <span id="backend" class="badge" title="TF.js backend in use">starting…</span>
      <span id="timing" class="timing"></span>
    </div>
  </header>

  <div id="notes" class="notes" aria-live="polite"></div>

  <section class="controls" aria-label="Simulation settings">
    <div class="control">
      <label for="compare">Compare with</label>
      <vscode-dropdown id="compare" aria-label="Compare with" position="below"></vscode-dropdown>
    </div>
    <div class="control">
      <label for="batch">Batch size</label>
      <vscode-text-field id="batch" aria-label="Batch size" size="6" inputmode="numeric"></vscode-text-field>
    </div>
    <div class="control">
      <label for="seed">Seed</label>
      <vscode-text-field id="seed" aria-label="Seed" size="6" inputmode="numeric"></vscode-text-field>
    </div>
    <div class="control">
      <label for="input">Input distribution</label>
      <div class="control-row">
      <vscode-dropdown id="input" aria-label="Input distribution" position="below"></vscode-dropdown>
      <vscode-button id="load-inputs" appearance="secondary" title="Use your own samples as the input: a .npy array or a .csv table, one row per sample, one column per input feature. The file is read here, in the panel.">Load inputs…</vscode-button>
      </div>
      <input type="file" id="input-file" accept=".npy,.csv,.txt" hidden>
    </div>
    <div class="control" id="input-width-control" hidden>
      <label for="input-width">Input width</label>
      <vscode-text-field id="input-width" aria-label="Input width" size="6" inputmode="numeric"></vscode-text-field>
      <span id="input-width-note" class="hint"></span>
    </div>
    <div class="control control-check">
      <vscode-checkbox id="show-prediction" checked>Show prediction</vscode-checkbox>
    </div>
    <div class="actions">
      <vscode-button id="run">Run</vscode-button>
      <vscode-button id="symmetry" appearance="secondary" title="Constant vs random kernels: how many units stay distinct after training steps">Symmetry</vscode-button>
      <vscode-button id="apply-all" appearance="secondary">Apply to all layers</vscode-button>
    </div>
  </section>
  <p id="input-stats" class="hint input-stats" role="status" aria-live="polite" hidden></p>
  <p id="apply-result" class="apply-result" role="status" aria-live="polite"></p>

  <section class="charts" aria-label="Per-layer variances">
    <figure class="chart">
      <figcaption>Activation variance per layer <span class="hint">(E[a²], log scale; dashed: analytic prediction)</span></figcaption>
      <div class="canvas-box"><canvas id="chart-activation" role="img" aria-label="Activation variance per layer, current and compared"></canvas></div>
    </figure>
    <figure class="chart">
      <figcaption>Weight-gradient variance per layer <span class="hint">(log scale; loss = mean(output²))</span></figcaption>
      <div class="canvas-box"><canvas id="chart-gradient" role="img" aria-label="Gradient variance per layer, current and compared"></canvas></div>
    </figure>
  </section>

  <section aria-labelledby="histograms-heading">
    <h2 id="histograms-heading">Activations per layer</h2>
    <p class="legend hint"><span><span class="swatch current"></span><span id="key-current">Current (the code)</span></span><span id="key-compared-item"><span class="swatch compared"></span><span id="key-compared"></span></span><span>each run scaled to its peak</span></p>
    <div id="histograms" class="small-multiples"></div>
  </section>

  <section aria-labelledby="layers-heading">
    <h2 id="layers-heading">Layers</h2>
    <p class="hint">Choose another initializer for one layer to compare it there only; “Apply to code” writes the choice into the source.</p>
    <div id="layers" class="layer-list"></div>
  </section>

  <section id="symmetry-section" aria-labelledby="symmetry-heading" hidden>
    <h2 id="symmetry-heading">Symmetry: distinct units before → after training steps</h2>
    <div id="symmetry-result"></div>
  </section>

  <section aria-labelledby="numbers-heading">
    <div class="section-head">
      <h2 id="numbers-heading">Numbers</h2>
      <div class="actions">
        <vscode-button id="export-png" appearance="secondary">Export charts (PNG)</vscode-button>
        <vscode-button id="export-csv" appearance="secondary">Export numbers (CSV)</vscode-button>
      </div>
    </div>
    <div class="grid-scroll"><vscode-data-grid id="grid" aria-label="Per-layer statistics" generate-header="sticky"></vscode-data-grid></div>
  </section>
</main>
<script nonce="${nonce}" src="${attr(o.scriptUri)}"></script>
</body>
</html>
`;
}
