/**
 * The Simulate Initialization panel's controller: settings in, runs of the simulation core
 * out to the charts, the grid and the layer list; apply and export through the host.
 */
import { APPLICABLE_CHOICES, isBackendPreference, MAX_GAIN, type ApplyGroup, type InitChoice, type SimModel } from '../src/protocol';
import { autoBatch, planBackend, webglRenderer, WORK_BUDGET, workPerSample, type BackendPlan } from './backend';
import { TfEngine, WorkerEngine, type Engine } from './engine';
import { errorText } from './errorText';
import { Charts, type Series } from './charts';
import { buildConfig, choicesFor, configKey, fansOf, inputWidthOf, sameAsCurrent, type RunSettings } from './config';
import { chartsPng, fileName } from './exporting';
import type { Host, ModelMessage } from './host';
import { CHOICE_LABELS, CHOICE_OPTIONS, inputOptions, isInitChoice, PER_LAYER_RUN } from './labels';
import { applyLabel, applyTarget, LayerList } from './layers';
import { describeInput, imagePatches, InputError, MAX_INPUT_BYTES, readInputFile, type InputData } from './sim/inputs';
import { predictLayers } from './sim/predict';
import { LSUV_MAX_ITERATIONS, MIN_BATCH_WIDE, MIN_UNITS, PRETRAIN_STEPS } from './sim/simulate';
import type { SimConfig, SimResult } from './sim/types';
import { loadState, saveState, type PanelState } from './state';
import { renderSymmetry } from './symmetry';
import { COLUMNS, tableRows, toCsv, type RunData } from './table';
import { isChecked, onChange, onClick, setBusy, setChecked, setDisabled, setGridData, setOptions, setPlaceholder, setValue } from './toolkit';

/** Show the progress ring only for runs longer than this. */
const PROGRESS_AFTER_MS = 300;
/** Warm WebGL up only when the model has not come this soon after 'ready'. */
const WARM_UP_AFTER_MS = 150;
/**
 * The first pass drawn for a model whose full run is larger does this share of what its backend
 * does in about a second (WORK_BUDGET, forward multiply-adds), so a 50 x 1024 stack shows
 * measured numbers in a fraction of a second, then refines. Measured on wasm in Node (50 x 1024,
 * ReLU): 1/8 (2.5e7) took 210 ms, 1/20 (1e7, batch 12, about 20 units a layer) 120 ms, most of it
 * per-op and sampling cost; below 1/20 a 1024-wide fan_in no longer fits the budget.
 */
const FIRST_PASS_SHARE = 1 / 20;
/** A changed source is re-run after it has been quiet this long. */
const MODEL_DEBOUNCE_MS = 300;
const SYMMETRY_STEPS = 5;
/** An edit normally takes well under a second; after this, Apply gives up waiting for the reply. */
const APPLY_TIMEOUT_MS = 30_000;

function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`missing #${id}`);
  return el as T;
}

/** `key`'s value in `memo`, made on a miss; the memo starts over once it holds `limit` entries. */
function remember<T>(memo: Map<string, T>, key: string, limit: number, make: () => T): T {
  let value = memo.get(key);
  if (value === undefined) {
    value = make();
    if (memo.size >= limit) memo.clear();
    memo.set(key, value);
  }
  return value;
}

/**
 * Runs of more multiply-adds than this (batch x sum of fan_in x units) go to the simulation's
 * worker (engineFor): on the page they held its thread, on wasm for seconds. Shorter ones stay on
 * the page; the worker's start (0.3-0.4 s on this 2-core machine: TF.js evaluated again) would
 * make them later. Measured on wasm here, a run's speed depends on its shape: an MNIST MLP's run
 * at batch 512 (3.4e8) took about 0.16 s, the 50 x 1024 model's (capped at 2e9) about 4 s, so a
 * run at the threshold holds the page for 0.25-1 s; the cpu backend takes about 1.5 s for 1e8, so
 * 3e7 about 0.45 s. (WORK_BUDGET, which sizes the first chart, is the cautious figure: 2e8 a
 * second on wasm.) On WebGL the page mostly waits for the GPU (its reads are asynchronous); on a
 * software WebGL 1e9 can hold the page for seconds, but 'auto' runs wasm there. Every first pass
 * (FIRST_PASS_SHARE of WORK_BUDGET) is far below these, and runs on the page directly.
 */
const LONG_RUN_WORK: Readonly<Record<Engine['name'], number>> = { webgl: 1e9, wasm: 5e8, cpu: 3e7 };
/** A run's results are the same for the same backend and config (the runs are seeded). */
const runKey = (backend: Engine, config: SimConfig): string => `${backend.name}:${configKey(config)}`;

/** After the browser has painted what was drawn (a hidden webview paints nothing: at most 100 ms). */
const nextPaint = (): Promise<void> =>
  new Promise((resolve) => {
    const done = setTimeout(resolve, 100);
    requestAnimationFrame(() => setTimeout(() => (clearTimeout(done), resolve()), 0));
  });

/** A run's measured lines, as the prediction describes them (none before a measurement). */
function measuredSeries(name: string, result: SimResult | undefined): Pick<Series, 'name' | 'activation' | 'gradient'> {
  return {
    name,
    // The prediction is of E[a²]: for activations with a mean (ReLU) that is Var + mean².
    activation: result?.layers.map((s) => s.actVar + s.actMean * s.actMean) ?? [],
    // The per-sample gradient's second moment, which the prediction gives (the table and the
    // CSV also have the batch gradient's variance).
    gradient: result?.layers.map((s) => s.gradMoment) ?? [],
  };
}

export class App {
  private state: PanelState;
  private model?: SimModel;
  private backend: Promise<Engine>;
  /** The worker for long runs, once one was needed (undefined: it could not start; they stay on the page). */
  private longRuns?: Promise<WorkerEngine | undefined>;
  /** Whether a run of the current update went to the worker (the `initlint:run` mark says so). */
  private ranInWorker = false;
  /** The backends to try (the analytic preview sizes its batch for the first). */
  private backendPlan?: BackendPlan;
  private readonly charts: Charts;
  private readonly layers: LayerList;
  private readonly cache = new Map<string, SimResult>();
  private runs?: RunData[];
  private running = false;
  private again = false;
  private debounce?: ReturnType<typeof setTimeout>;
  private modelWaiters: Array<() => void> = [];
  private charted = false;
  /** The model now shown has no measured chart yet (first model, or switched to another). */
  private awaitingChart = false;
  private demoRunning = false;
  private tfQueue: Promise<unknown> = Promise.resolve();
  private backendNote?: string;

  private readonly ui = {
    app: byId('app'),
    subtitle: byId('subtitle'),
    backend: byId('backend'),
    timing: byId('timing'),
    progress: byId('progress'),
    notes: byId('notes'),
    compare: byId('compare'),
    batch: byId('batch'),
    seed: byId('seed'),
    input: byId('input'),
    loadInputs: byId('load-inputs'),
    inputFile: byId<HTMLInputElement>('input-file'),
    inputStats: byId('input-stats'),
    inputWidthControl: byId('input-width-control'),
    inputWidth: byId('input-width'),
    inputWidthNote: byId('input-width-note'),
    showPrediction: byId('show-prediction'),
    run: byId('run'),
    symmetry: byId('symmetry'),
    applyAll: byId('apply-all'),
    applyResult: byId('apply-result'),
    symmetrySection: byId('symmetry-section'),
    symmetryResult: byId('symmetry-result'),
    exportPng: byId('export-png'),
    exportCsv: byId('export-csv'),
    grid: byId('grid'),
  };

  constructor(
    private readonly host: Host,
    /** The folder URL of the extension's dist/: the worker's script and the .wasm files. */
    private readonly assets: string,
  ) {
    this.state = loadState(host.api);
    this.charts = new Charts(byId<HTMLCanvasElement>('chart-activation'), byId<HTMLCanvasElement>('chart-gradient'), byId('histograms'));
    this.layers = new LayerList(byId('layers'), {
      choose: (i, choice) => {
        if (choice) this.state.overrides[i] = choice;
        else delete this.state.overrides[i];
        this.settingsChanged();
      },
      apply: (i, choice) => void this.apply([{ layers: [i], choice }]),
    });
    this.restoreControls();
    this.bindControls();
    if (this.state.summary) {
      const s = this.state.summary;
      this.ui.subtitle.textContent = `Last results: ${s.model}, compared with ${CHOICE_LABELS[s.compare] ?? s.compare} on ${s.backend} (${Math.round(s.ms)} ms). Waiting for the model…`;
    }
    this.backend = this.startBackend(assets);
    this.backend.catch(() => undefined); // reported in the panel by startBackend
    host.onModel((m) => this.receiveModel(m));
    // VS Code switches vscode-light / vscode-dark / vscode-high-contrast on <body>.
    new MutationObserver(() => this.charts.retheme()).observe(document.body, { attributes: true, attributeFilter: ['class'] });
    host.post({ type: 'ready' });
    // While the model is on its way: the charts' costly creation, off the first chart's path.
    setTimeout(() => {
      if (!this.model) this.charts.prepare();
    }, 0);
  }

  // ---- backend --------------------------------------------------------------------------

  private async startBackend(assets: string): Promise<Engine> {
    try {
      // After 'ready' is posted: reading the WebGL renderer creates a context, 0.2-0.4 s on
      // SwiftShader, so the extension remembers what an earlier panel found (data-renderer).
      await new Promise((resolve) => setTimeout(resolve, 0));
      const asked = this.ui.app.dataset.backend;
      const preference = isBackendPreference(asked) ? asked : 'auto';
      const known = this.ui.app.dataset.renderer;
      const renderer = preference !== 'auto' ? undefined : known !== undefined ? known || undefined : webglRenderer();
      if (preference === 'auto' && known === undefined) this.host.post({ type: 'renderer', renderer: renderer ?? '' });
      this.backendPlan = planBackend(preference, renderer);
      const backend = await TfEngine.start(this.backendPlan, assets);
      performance.mark('initlint:backend');
      this.ui.backend.textContent = backend.name;
      this.ui.backend.title = `TF.js backend in use: ${backend.reason}`;
      this.ui.backend.dataset.backend = backend.name;
      this.backendNote = backend.note;
      if (backend.name === 'webgl') await this.warmUp(backend);
      this.renderNotes();
      return backend;
    } catch (e) {
      this.ui.backend.textContent = 'none';
      this.note(`The simulation cannot run here: ${errorText(e)}`, 'error');
      this.host.log('error', `simulator: ${errorText(e)}`);
      throw e;
    }
  }

  /**
   * Compile WebGL's shaders while the model is on its way (the first run would otherwise spend
   * about a second on it on a software GPU): a tiny stack per common activation, stopping as
   * soon as the model is here, since then the real run compiles what it needs anyway.
   */
  private async warmUp(backend: Engine): Promise<void> {
    const t0 = performance.now();
    const layer = (name: string, normalize: 'none' | 'batch' = 'none') => ({
      fanIn: 8,
      units: 8,
      kernel: { label: 'warm-up', distribution: 'normal' as const, variance: 0.1 },
      activation: { name },
      normalize,
    });
    let done = 0;
    // The extension usually answers 'ready' within milliseconds: then the real run is the warm-up.
    if (!this.model) await this.nextModel(WARM_UP_AFTER_MS);
    for (const name of ['tanh', 'relu', 'sigmoid', 'linear']) {
      if (this.model) break;
      const config: SimConfig = { layers: [layer(name), layer(name, 'batch')], inputWidth: 8, batch: 8, seed: 0, input: 'normal' };
      try {
        await backend.simulate(config);
        done++;
      } catch (e) {
        this.host.log('warn', `simulator: WebGL warm-up failed: ${errorText(e)}`);
        break;
      }
    }
    performance.mark('initlint:warm');
    this.ui.backend.title += ` (shaders warmed up for ${done} of 4 activations in ${Math.round(performance.now() - t0)} ms)`;
  }

  // ---- controls and state ---------------------------------------------------------------

  private restoreControls(): void {
    setOptions(this.ui.compare, CHOICE_OPTIONS, this.state.compare);
    setValue(this.ui.seed, String(this.state.seed));
    setValue(this.ui.batch, this.state.batch ? String(this.state.batch) : '');
    // A file lives in memory only: after a reload the input is N(0, 1) again.
    if (this.state.input === 'data') this.state.input = 'normal';
    setOptions(this.ui.input, inputOptions(), this.state.input);
    setChecked(this.ui.showPrediction, this.state.showPrediction);
  }

  private bindControls(): void {
    onChange(this.ui.compare, (value) => {
      if (!isInitChoice(value) || value === this.state.compare) return;
      this.state.compare = value;
      this.settingsChanged();
    });
    onChange(this.ui.input, (value) => {
      const input = value === 'uniform' ? 'uniform' : value === 'data' && this.inputData ? 'data' : 'normal';
      if (input === this.state.input) return;
      this.state.input = input;
      this.settingsChanged();
    });
    onClick(this.ui.loadInputs, () => this.ui.inputFile.click());
    this.ui.inputFile.addEventListener('change', () => {
      const file = this.ui.inputFile.files?.[0];
      this.ui.inputFile.value = ''; // the same file picked again is read again
      if (file) void this.loadInputs(file);
    });
    const integerField = (el: HTMLElement, min: number, set: (v: number | undefined) => void, get: () => number | undefined, allowEmpty: boolean) =>
      onChange(el, (text) => {
        const trimmed = text.trim();
        const v = Number(trimmed);
        if (trimmed === '' && allowEmpty) set(undefined);
        else if (trimmed !== '' && Number.isInteger(v) && v >= min && v <= 1_000_000) set(v);
        else {
          setValue(el, get() === undefined ? '' : String(get()));
          return;
        }
        this.settingsChanged();
      });
    integerField(
      this.ui.batch,
      2,
      (v) => (this.state.batch = v),
      () => this.state.batch,
      true,
    );
    integerField(
      this.ui.seed,
      0,
      (v) => (this.state.seed = v ?? 0),
      () => this.state.seed,
      false,
    );
    integerField(
      this.ui.inputWidth,
      1,
      (v) => (this.state.inputWidth = v),
      () => this.state.inputWidth,
      true,
    );
    this.ui.showPrediction.addEventListener('change', () => {
      this.state.showPrediction = isChecked(this.ui.showPrediction);
      this.save();
      if (this.runs) this.renderCharts(this.runs);
    });
    onClick(this.ui.run, () => {
      this.cache.clear();
      void this.run();
    });
    onClick(this.ui.symmetry, () => void this.symmetry());
    onClick(this.ui.applyAll, () => void this.applyAll());
    onClick(this.ui.exportPng, () => void this.exportPng());
    onClick(this.ui.exportCsv, () => void this.exportCsv());
  }

  private save(): void {
    saveState(this.host.api, this.state);
  }

  private settingsChanged(): void {
    this.showInputStats();
    this.save();
    this.refreshLayerControls();
    void this.run();
  }

  // ---- the user's inputs ----------------------------------------------------------------

  /** The file the user loaded (kept in memory only: a reload goes back to N(0, 1)). */
  private inputData?: InputData;

  private async loadInputs(file: File): Promise<void> {
    let data: InputData;
    try {
      if (file.size > MAX_INPUT_BYTES) throw new InputError(`${(file.size / 2 ** 20).toFixed(0)} MB is too large to read here; take a sample of the rows`);
      data = readInputFile(file.name, new Uint8Array(await file.arrayBuffer()));
    } catch (e) {
      this.showInputStats(e instanceof InputError ? `Not used: ${file.name}: ${e.message}` : `Not used: ${file.name} could not be read (${errorText(e)})`);
      return;
    }
    this.inputData = data;
    this.patches.clear();
    this.state.input = 'data';
    setOptions(this.ui.input, inputOptions(data.name), 'data');
    // The toolkit takes the value once the new options are slotted.
    queueMicrotask(() => setValue(this.ui.input, 'data'));
    this.settingsChanged();
  }

  /** The loaded file's statistics, or why it cannot be used with this model; `error` replaces them. */
  private showInputStats(error?: string): void {
    const el = this.ui.inputStats;
    const data = this.inputData;
    el.classList.toggle('error', Boolean(error));
    if (error) {
      el.textContent = error;
      el.hidden = false;
      return;
    }
    el.hidden = !(data && this.state.input === 'data');
    if (!data || el.hidden) return;
    const width = this.model ? inputWidthOf(this.model, this.state.inputWidth).width : data.cols;
    const used = this.model ? this.dataFor(this.model, width) : data;
    el.classList.toggle('error', !('values' in used));
    if ('values' in used) el.textContent = describeInput(used);
    else if (used.patchError) {
      // A first layer whose fan_in the code does not give: the input width is the panel's to set.
      const unknown = this.model && !inputWidthOf(this.model, this.state.inputWidth).known;
      const hint = unknown && used.fitsWidth ? ` Its fan_in is not in the code: set the input width to ${used.fitsWidth}.` : '';
      el.textContent = `${describeInput(data)}. Not used: the first layer is a convolution and ${used.patchError}; the runs use N(0, 1).${hint}`;
    } else
      el.textContent = `${describeInput(data)}. Not used: the model's first layer reads ${width} features a sample (input width ${width}); the runs use N(0, 1) until the widths match.`;
  }

  /** Patches cut from the loaded images for a convolution's first layer, by its fan_in, receptive field, layout and seed. */
  private readonly patches = new Map<string, InputData | InputError>();

  /**
   * The rows a run draws from: the file's samples where their width is the input width; for a
   * convolution first, patches of its receptive field cut from the file's images (the file's
   * samples are images: 2 or 3 dimensions each); else nothing, and why.
   */
  private dataFor(model: SimModel, width: number): InputData | { patchError?: string; fitsWidth?: number } {
    const data = this.inputData;
    if (!data) return {};
    if (data.cols === width && !data.sampleShape) return data;
    const first = model.layers[0];
    if (!first || first.kind === 'dense' || first.receptiveField <= 1) return data.cols === width ? data : {};
    const layout = model.framework === 'pytorch' ? 'channels_first' : 'channels_last';
    const key = `${width}|${first.receptiveField}|${layout}|${this.state.seed}`;
    let cut = this.patches.get(key);
    if (!cut) {
      try {
        cut = imagePatches(data, { fanIn: width, receptiveField: first.receptiveField }, layout, this.state.seed);
      } catch (e) {
        if (!(e instanceof InputError)) throw e;
        cut = e;
      }
      if (this.patches.size >= 8) this.patches.clear();
      this.patches.set(key, cut);
    }
    return cut instanceof InputError ? { patchError: cut.message, fitsWidth: cut.fitsWidth } : cut;
  }

  // ---- model ----------------------------------------------------------------------------

  private receiveModel(m: ModelMessage): void {
    const first = !this.model;
    if (first) performance.mark('initlint:model');
    const switched = !first && (this.model?.name !== m.model.name || this.model?.file !== m.model.file);
    this.model = m.model;
    this.modelNotice = typeof m.extra.notice === 'string' ? m.extra.notice : undefined;
    if (switched) {
      // Another model: the previous one's numbers and messages go at once; progress shows until the new run.
      this.runs = undefined;
      this.ui.applyResult.textContent = '';
      this.ui.app.classList.add('switching');
      setBusy(this.ui.progress, true);
    }
    if ('target' in m.extra) {
      this.state.target = m.extra.target;
      this.save();
    }
    // Overrides of layers the model no longer has are dropped.
    for (const k of Object.keys(this.state.overrides)) if (Number(k) >= m.model.layers.length) delete this.state.overrides[Number(k)];
    this.layers.block(undefined);
    // Symmetry results describe the previous model: hide them until the demo runs again.
    this.ui.symmetrySection.hidden = true;
    // A model not charted yet: its per-layer list (a dropdown and a button a layer: 0.16 s for 50
    // layers, measured in Chromium) waits for the first chart, which it would otherwise delay.
    if (first || switched) this.layerListDeferred = true;
    this.renderModel();
    if (first) performance.mark('initlint:model-rendered');
    this.modelWaiters.splice(0).forEach((resolve) => resolve());
    clearTimeout(this.debounce);
    this.debounce = undefined;
    if (first || switched) {
      // Nothing of this model on screen yet: its prediction at once, its run without the edit debounce.
      this.awaitingChart = true;
      this.drawPrediction(m.model);
      void this.run();
    } else {
      this.debounce = setTimeout(() => {
        this.debounce = undefined;
        void this.run();
      }, MODEL_DEBOUNCE_MS);
      this.showBusy();
    }
  }

  /** Set while a new model's per-layer list waits for its first chart (renderLayerList). */
  private layerListDeferred = false;

  /** The per-layer list of a model whose first chart is drawn (or whose run ended without one). */
  private renderLayerList(): void {
    const model = this.model;
    if (!this.layerListDeferred || !model) return;
    this.layerListDeferred = false;
    this.layers.render(model, fansOf(model, inputWidthOf(model, this.state.inputWidth).width), this.state.overrides);
    this.refreshLayerControls();
  }

  /** The run's settings on a backend (the batch sized to it unless the user set one). */
  private settings(model: SimModel, backend: Engine['name']): RunSettings {
    const { width } = inputWidthOf(model, this.state.inputWidth);
    const batch = this.state.batch ?? autoBatch(backend, workPerSample(fansOf(model, width)));
    return { inputWidth: width, batch, seed: this.state.seed, ...this.inputFor(model, width) };
  }

  /** The user's data where it fits the model's input (its samples, or patches of its images), else N(0, 1) (showInputStats says why). */
  private inputFor(model: SimModel, width: number): Pick<RunSettings, 'input' | 'data'> {
    if (this.state.input !== 'data') return { input: this.state.input };
    const data = this.dataFor(model, width);
    return 'values' in data ? { input: 'data', data } : { input: 'normal' };
  }

  private renderModel(): void {
    const model = this.model as SimModel;
    const { width, known } = inputWidthOf(model, this.state.inputWidth);
    const where = model.preset ? 'built-in preset' : model.file;
    // A first convolution reads patches: its input width is the per-patch fan_in, not the image's size.
    const input = model.layers[0] && model.layers[0].kind !== 'dense' ? `per-patch input ${width} (receptive field × channels)` : `input width ${width}`;
    this.ui.subtitle.textContent = `${model.name}${where ? ` · ${where}` : ''} · ${model.framework} · ${model.layers.length} weighted layer${model.layers.length === 1 ? '' : 's'} · ${input}${known ? '' : ' (assumed)'}`;
    this.ui.inputWidthControl.hidden = known;
    if (!known) {
      setValue(this.ui.inputWidth, String(width));
      this.ui.inputWidthNote.textContent = `The first layer's fan_in is unknown in the code: assumed ${model.defaultInputWidth} unless you set it.`;
    }
    if (this.layerListDeferred) this.layers.clear();
    else this.layers.render(model, fansOf(model, width), this.state.overrides);
    this.refreshLayerControls();
    this.showInputStats();
    this.renderNotes();
  }

  // ---- runs -----------------------------------------------------------------------------

  /** Predictions already computed (30-50 ms each), by the run they describe: the preview's is the first run's. */
  private readonly predictions = new Map<string, ReturnType<typeof predictLayers>>();

  private predict(config: SimConfig, shape: { units?: number[]; batch?: number }): ReturnType<typeof predictLayers> {
    const key = `${configKey(config)}|${JSON.stringify(shape.units ?? config.layers.map((l) => l.units))}|${shape.batch ?? config.batch}`;
    return remember(this.predictions, key, 16, () => predictLayers(config, shape));
  }

  /**
   * The analytic prediction alone, drawn the moment the first model arrives: the propagation
   * engine's numbers need no TF.js backend, while the first measurement waits for WebGL to start
   * and compile (seconds on a software GPU). The measured lines replace it when the run ends.
   */
  private drawPrediction(model: SimModel): void {
    if (!this.state.showPrediction || !this.awaitingChart) return;
    // Sized for the backend that will most likely run it: then the first run reuses this prediction.
    const config = buildConfig(
      model,
      model.layers.map(() => 'current' as const),
      this.settings(model, this.backendPlan?.order[0] ?? 'webgl'),
    );
    let predicted: ReturnType<typeof predictLayers>;
    try {
      predicted = this.predict(config, {});
    } catch {
      return; // a stack the prediction does not cover: the measurement comes alone
    }
    this.renderPreview(model, CHOICE_LABELS.current, undefined, predicted);
    this.ui.timing.textContent = 'predicted; measuring…';
    performance.mark('initlint:first-prediction');
  }

  /** Run now; a request during a run starts one more run after it (never two at once). */
  async run(): Promise<void> {
    if (!this.model) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    this.showBusy();
    const ring = setTimeout(() => setBusy(this.ui.progress, true), PROGRESS_AFTER_MS);
    try {
      const backend = await this.backend;
      const model = this.model;
      const settings = this.settings(model, backend.name);
      setPlaceholder(this.ui.batch, `auto (${settings.batch})`);
      const choices = choicesFor(model, this.state.compare, this.state.overrides);
      const t0 = performance.now();
      this.ranInWorker = false;
      const currentConfig = buildConfig(
        model,
        model.layers.map(() => 'current' as const),
        settings,
      );
      // A model not charted yet whose run takes long: a small pass first, drawn, then the full runs.
      // At least what the smallest simulation the core allows takes (MIN_BATCH_WIDE samples, MIN_UNITS a layer), with room.
      const smallest = MIN_BATCH_WIDE * currentConfig.layers.reduce((sum, l) => sum + l.fanIn * Math.min(l.units, MIN_UNITS), 0);
      const quick = Math.max(WORK_BUDGET[backend.name] * FIRST_PASS_SHARE, 1.25 * smallest);
      if (this.awaitingChart && settings.batch * workPerSample(currentConfig.layers) > quick && !this.cache.has(runKey(backend, currentConfig))) {
        const result = await this.exclusive(() => backend.simulate(currentConfig, { workBudget: quick }));
        if (model !== this.model) return;
        this.renderFirstPass(model, { name: CHOICE_LABELS.current, config: currentConfig, result, reused: false });
        // A full run on the page holds its thread (wasm computes synchronously): let the first pass show first.
        await nextPaint();
        this.renderLayerList();
      }
      // Runs are named as the dropdown names their choice (labels.ts): legend, table and CSV alike.
      const runs: RunData[] = [{ name: CHOICE_LABELS.current, config: currentConfig, ...(await this.simulate(backend, currentConfig)) }];
      // A model's first chart: the current run while the compared one runs.
      if (this.awaitingChart && model === this.model) {
        this.render(model, runs, backend, performance.now() - t0);
        await nextPaint();
        this.renderLayerList();
      }
      if (!sameAsCurrent(choices)) {
        const config = await this.resolveLearned(backend, buildConfig(model, choices, settings), choices);
        const name = Object.keys(this.state.overrides).length ? PER_LAYER_RUN : CHOICE_LABELS[this.state.compare];
        runs.push({ name, config, ...(await this.simulate(backend, config)) });
      }
      const ms = performance.now() - t0;
      if (model !== this.model) return; // a newer model came in while this ran; its run follows
      this.runs = runs;
      this.render(model, runs, backend, ms);
      performance.mark('initlint:full-chart');
      // For diagnostics (and the browser test): the simulation core releases every tensor it makes.
      // A worker that stopped meanwhile has none: its count is not the run's failure.
      const tensors = await this.exclusive(async () => (await backend.numTensors()) + ((await (await this.longRuns)?.numTensors().catch(() => 0)) ?? 0));
      performance.mark('initlint:run', { detail: { ms, backend: backend.name, tensors, worker: this.ranInWorker } });
    } catch (e) {
      this.note(`The simulation failed: ${errorText(e)}`, 'error');
      this.host.log('error', `simulator: run failed: ${errorText(e)}`);
    } finally {
      this.renderLayerList();
      clearTimeout(ring);
      setBusy(this.ui.progress, this.demoRunning);
      this.running = false;
      if (this.again) {
        this.again = false;
        void this.run();
      }
      this.showBusy();
    }
  }

  /** The page is busy while a run is scheduled or in progress (aria-busy on the app). */
  private showBusy(): void {
    this.ui.app.setAttribute('aria-busy', String(this.running || this.debounce !== undefined || this.demoRunning));
  }

  /** TF.js work one piece at a time: a run and the symmetry demo never interleave. */
  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const result = this.tfQueue.then(work);
    this.tfQueue = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  /**
   * The engine for a run of `passes` forward passes' work (steps of an optimisation, LSUV's
   * iterations): the page for a short one (LONG_RUN_WORK), the worker for a longer one,
   * on the same backend (the same numbers), so the page answers while it computes. The worker
   * starts the first time it is needed; where it cannot, long runs stay on the page, as they
   * were before there was a worker.
   */
  private async engineFor(page: Engine, config: SimConfig, passes = 1): Promise<Engine> {
    if (passes * config.batch * workPerSample(config.layers) <= LONG_RUN_WORK[page.name]) return page;
    this.longRuns ??= WorkerEngine.start({ order: [page.name], reason: page.reason, preference: page.name }, this.assets).catch((e: unknown) => {
      this.host.log('warn', `simulator: the simulation's worker could not start (${errorText(e)}); long runs stay on the page`);
      return undefined;
    });
    const worker = await this.longRuns;
    if (worker && !worker.failed) this.ranInWorker = true;
    if (worker?.failed) {
      // It stopped (a crash, out of memory): this run and the next on the page; a later long run starts a new one.
      this.host.log('warn', "simulator: the simulation's worker stopped; this run is on the page");
      this.longRuns = undefined;
      return page;
    }
    return worker ?? page;
  }

  /** The data-driven kernels (LSUV, pretraining) of the layers that chose them, memoized like runs. */
  private readonly learned = new Map<string, Promise<SimConfig>>();

  /** The config with LSUV's and pretraining's kernels for the layers that chose them, made on the run's inputs. */
  private async resolveLearned(backend: Engine, config: SimConfig, choices: InitChoice[]): Promise<SimConfig> {
    const lsuvLayers = choices.map((c) => c === 'lsuv');
    const pretrainLayers = choices.map((c) => c === 'pretrained');
    if (!lsuvLayers.some(Boolean) && !pretrainLayers.some(Boolean)) return config;
    const key = `${runKey(backend, config)}|${choices.join()}`;
    const resolved = remember(this.learned, key, 8, () =>
      this.exclusive(async () => {
        let c = config;
        if (lsuvLayers.some(Boolean)) c = (await (await this.engineFor(backend, c, LSUV_MAX_ITERATIONS)).lsuv(c, lsuvLayers)).config;
        if (pretrainLayers.some(Boolean)) c = (await (await this.engineFor(backend, c, PRETRAIN_STEPS)).pretrain(c, pretrainLayers)).config;
        return c;
      }),
    );
    // A failed attempt is not remembered: the next run tries again.
    return resolved.catch((e: unknown) => {
      this.learned.delete(key);
      throw e;
    });
  }

  /** Same config and backend, same numbers (the runs are seeded): reuse the last results. */
  private async simulate(backend: Engine, config: SimConfig): Promise<{ result: SimResult; reused: boolean }> {
    const key = runKey(backend, config);
    const hit = this.cache.get(key);
    if (hit) return { result: hit, reused: true };
    const result = await this.exclusive(async () => (await this.engineFor(backend, config)).simulate(config));
    if (this.cache.size >= 8) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(key, result);
    return { result, reused: false };
  }

  private render(model: SimModel, runs: RunData[], backend: Engine, ms: number): void {
    this.ui.app.classList.remove('switching');
    this.extraNotes = [];
    this.renderCharts(runs);
    const { activation: actZeros, gradient: gradZeros } = this.charts.zeros;
    const layersText = (l: number[]) => `layer${l.length === 1 ? '' : 's'} ${l.join(', ')}`;
    const parts = [
      ...(actZeros.length ? [`activations of exactly 0 at ${layersText(actZeros)} (a constant or dead layer)`] : []),
      ...(gradZeros.length ? [`a gradient of exactly 0 at ${layersText(gradZeros)} (nothing flows back through a zero layer)`] : []),
    ];
    if (parts.length)
      this.extraNotes.push({ text: `Measured ${parts.join('; ')}: drawn as triangles on the axis, since a log scale has no 0.`, level: 'info' });
    setGridData(this.ui.grid, COLUMNS, tableRows(model, runs));
    const batch = runs[0].config.batch;
    const simulated = runs.reduce((sum, r) => sum + r.result.ms, 0);
    this.ui.timing.textContent = `${Math.round(simulated)} ms · batch ${batch}`;
    this.ui.timing.title = `Simulation time per run: ${runs.map((r) => `${r.name} ${Math.round(r.result.ms)} ms${r.reused ? ' (reused: same settings and seed)' : ''}`).join(', ')}; this update took ${Math.round(ms)} ms`;
    this.renderNotes();
    this.awaitingChart = false;
    this.markFirstChart();
    this.state.summary = {
      model: model.name,
      backend: backend.name,
      ms,
      compare: this.state.compare,
      layers: model.layers.map((l, i) => ({
        label: l.label,
        current: runs[0].result.layers[i]?.actVar,
        compared: (runs[1] ?? runs[0]).result.layers[i]?.actVar,
      })),
    };
    this.save();
  }

  /**
   * A first pass's measurement on the charts, and only there: its dashed line is the model's own
   * prediction (the preview's, already computed: 0.14 s for 50 layers), the grid and the
   * histograms wait for the full run (filling them took 0.3 s of a 50-layer model's first chart).
   */
  private renderFirstPass(model: SimModel, run: RunData): void {
    this.ui.app.classList.remove('switching');
    this.renderPreview(model, run.name, run.result, this.state.showPrediction ? this.predict(run.config, {}) : undefined);
    this.ui.timing.textContent = `first pass (batch ${run.result.batch}, smaller layers); full run…`;
    this.ui.timing.title = `A first, smaller run (${run.result.reduced ?? ''}), drawn while the full run is computed`;
    this.markFirstChart();
  }

  /** The variance charts only, for one run: measured where `result` is given, and the prediction. */
  private renderPreview(model: SimModel, name: string, result: SimResult | undefined, predicted: ReturnType<typeof predictLayers> | undefined): void {
    this.charts.render({
      preview: true,
      layers: model.layers.map((l, i) => `${i + 1}. ${l.label}`),
      current: { ...measuredSeries(name, result), prediction: predicted?.map((l) => l.mu), gradientPrediction: predicted?.map((l) => l.grad), histograms: [] },
    });
  }

  private markFirstChart(): void {
    if (this.charted) return;
    this.charted = true;
    performance.mark('initlint:first-chart');
  }

  private renderCharts(runs: RunData[]): void {
    const model = this.model as SimModel;
    // The histograms' key names the runs as the legends and the table do.
    byId('key-current').textContent = runs[0]?.name ?? '';
    byId('key-compared').textContent = runs[1]?.name ?? '';
    byId('key-compared-item').hidden = !runs[1];
    const series = (run: RunData): Series => {
      // The prediction for the run as it ran (units and batch: fewer on a capped backend).
      const p = this.state.showPrediction ? this.predict(run.config, { units: run.result.units, batch: run.result.batch }) : undefined;
      return {
        ...measuredSeries(run.name, run.result),
        prediction: p?.map((l) => l.mu),
        gradientPrediction: p?.map((l) => l.grad),
        histograms: run.result.layers.map((s) => s.histogram),
      };
    };
    this.charts.render({ layers: model.layers.map((l, i) => `${i + 1}. ${l.label}`), current: series(runs[0]), compared: runs[1] && series(runs[1]) });
  }

  // ---- notes ----------------------------------------------------------------------------

  private extraNotes: Array<{ text: string; level: 'info' | 'warning' | 'error' }> = [];
  /** What the extension said about the model it sent (a file that does not parse). */
  private modelNotice?: string;

  private note(text: string, level: 'info' | 'warning' | 'error' = 'info'): void {
    this.extraNotes.push({ text, level });
    this.renderNotes();
  }

  /** Everything the user should know about how the numbers were made, each once. */
  private renderNotes(): void {
    const notes: Array<{ text: string; level: string }> = [];
    if (this.modelNotice) notes.push({ text: this.modelNotice, level: 'warning' });
    if (this.backendNote) notes.push({ text: this.backendNote, level: 'warning' });
    const model = this.model;
    if (model?.layers.some((l) => l.kind !== 'dense')) {
      notes.push({
        text: 'Conv layers are simulated per patch: each output unit as a dense fan_in → filters layer (fan_in = kernel height × width × input channels) on i.i.d. inputs, which has the same per-unit variance statistics as the full convolution.',
        level: 'info',
      });
    }
    if (model?.layers.some((l, i) => i > 0 && l.fanIn === undefined)) {
      notes.push({ text: 'Some layers have no fan_in in the code: they take the width of the layer before.', level: 'info' });
    }
    for (const run of this.runs ?? []) {
      if (run.result.reduced) notes.push({ text: `${run.name}: ${run.result.reduced}`, level: 'warning' });
    }
    notes.push(...this.extraNotes);
    const seen = new Set<string>();
    const unique = notes.filter((n) => !seen.has(n.text) && Boolean(seen.add(n.text)));
    this.ui.notes.replaceChildren(
      ...unique.map((n) => {
        const p = document.createElement('p');
        p.className = `note ${n.level}`;
        p.textContent = n.text;
        return p;
      }),
    );
  }

  // ---- apply ----------------------------------------------------------------------------

  private refreshLayerControls(): void {
    const model = this.model;
    if (!model) {
      setDisabled(this.ui.applyAll, true);
      return;
    }
    this.layers.update(model, this.state.compare, this.state.overrides);
    const plan = this.applyAllPlan(model);
    setDisabled(this.ui.applyAll, !plan.groups);
    this.ui.applyAll.title =
      plan.reason ??
      `Write ${plan.groups?.map((g) => `${applyLabel(g.choice)} (${g.layers.length} layer${g.layers.length === 1 ? '' : 's'})`).join(', ')} into the source`;
  }

  /** All layers at once: their choices grouped by initializer, or why not. */
  private applyAllPlan(model: SimModel): { groups?: Array<{ layers: number[]; choice: InitChoice }>; reason?: string } {
    if (this.applying) return { reason: 'An edit is being applied.' };
    const byChoice = new Map<InitChoice, number[]>();
    for (const [i, layer] of model.layers.entries()) {
      const target = applyTarget(model, layer, this.state.overrides[i] ?? this.state.compare);
      if (!target.choice) {
        // A choice that cannot be written at all stops the plan; a layer that already draws that way, or has no safe edit, is left out.
        if (!target.skip) return { reason: `${layer.label}: ${target.reason}` };
        continue;
      }
      byChoice.set(target.choice, [...(byChoice.get(target.choice) ?? []), i]);
    }
    if (model.layers.length === 0) return { reason: 'The model has no layers.' };
    if (byChoice.size === 0) return { reason: 'Every layer already draws its weights that way, or has no safe edit.' };
    return { groups: [...byChoice].map(([choice, layers]) => ({ choice, layers })) };
  }

  private async applyAll(): Promise<void> {
    const plan = this.model && this.applyAllPlan(this.model);
    if (plan?.groups) await this.apply(plan.groups);
  }

  private applying = false;

  /**
   * LSUV's gain for layer `i` as the framework writes it, from the runs shown: the orthogonal
   * kernel's Var(w) = gain² / max(fan_in, units) (initializers.ts), at the layer's own sizes.
   */
  private lsuvGain(model: SimModel, i: number): number | undefined {
    const layer = model.layers[i];
    for (const run of this.runs ?? []) {
      const spec = run.config.layers[i];
      if (!layer || !spec?.lsuv || !(spec.kernel.variance! > 0)) continue;
      return Math.sqrt(spec.kernel.variance! * Math.max(layer.fanIn ?? spec.fanIn, layer.units ?? spec.units));
    }
    return undefined;
  }

  /** One 'apply' with every group: the extension writes them in one edit (one undo step). LSUV's group takes each layer's gain from the runs shown. */
  private async apply(groups: Array<{ layers: number[]; choice: InitChoice }>): Promise<void> {
    if (this.applying || !this.model) return;
    const model = this.model;
    const valid: ApplyGroup[] = [];
    for (const g of groups) {
      if (g.layers.length === 0) continue;
      if (g.choice === 'lsuv') {
        const gains = g.layers.map((i) => this.lsuvGain(model, i));
        if (gains.some((x) => x === undefined || !(x <= MAX_GAIN))) {
          this.ui.applyResult.textContent = "LSUV's gains come from a run on these inputs: wait for the run with LSUV to finish, then apply.";
          return;
        }
        valid.push({ layers: g.layers, choice: 'lsuv', gains: gains as number[] });
      } else if (APPLICABLE_CHOICES.includes(g.choice)) valid.push({ layers: g.layers, choice: g.choice });
    }
    if (valid.length === 0) return;
    this.applying = true;
    this.layers.block('An edit is being applied.');
    this.refreshLayerControls();
    let message = '';
    try {
      const reply = await this.host.request({ type: 'apply', groups: valid }, APPLY_TIMEOUT_MS);
      message = reply.message;
    } finally {
      this.applying = false;
      this.ui.applyResult.textContent = message;
      this.layers.block(undefined);
      this.refreshLayerControls();
    }
  }

  /** Resolves true when the next model message arrives, false after `ms`. */
  private nextModel(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      this.modelWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  // ---- symmetry -------------------------------------------------------------------------

  /** Constant vs random kernels: identical units get identical updates and stay identical. */
  private async symmetry(): Promise<void> {
    const model = this.model;
    if (!model) return;
    setDisabled(this.ui.symmetry, true);
    this.demoRunning = true;
    this.showBusy();
    const ring = setTimeout(() => setBusy(this.ui.progress, true), PROGRESS_AFTER_MS);
    try {
      const backend = await this.backend;
      const settings = this.settings(model, backend.name);
      const all = (choice: InitChoice) => model.layers.map(() => choice);
      // The code's own constant where it has one (the constant the finding is about), else Constant(0.5).
      const own = model.layers.find((l) => l.kernel.distribution === 'constant');
      const constant = buildConfig(
        model,
        model.layers.map((l) => (l.kernel.distribution === 'constant' ? 'current' : 'constant')),
        settings,
      );
      const random = buildConfig(model, all('recommended'), settings);
      const constantRun = await this.exclusive(async () => (await this.engineFor(backend, constant, SYMMETRY_STEPS)).symmetryDemo(constant, SYMMETRY_STEPS));
      const randomRun = await this.exclusive(async () => (await this.engineFor(backend, random, SYMMETRY_STEPS)).symmetryDemo(random, SYMMETRY_STEPS));
      if (this.model !== model) return; // a newer model arrived meanwhile
      this.ui.symmetrySection.hidden = false;
      renderSymmetry(
        this.ui.symmetryResult,
        model.layers.map((l) => l.label),
        constant.layers.map((l) => l.units),
        [
          { name: own ? `constant: ${own.kernel.label} (the code's)` : `constant: ${constant.layers[0]?.kernel.label ?? ''}`, run: constantRun },
          { name: 'random: recommended', run: randomRun },
        ],
        SYMMETRY_STEPS,
      );
      this.ui.symmetrySection.scrollIntoView({ block: 'nearest' });
    } catch (e) {
      this.note(`The symmetry demo failed: ${errorText(e)}`, 'error');
    } finally {
      clearTimeout(ring);
      setBusy(this.ui.progress, this.running);
      setDisabled(this.ui.symmetry, false);
      this.demoRunning = false;
      this.showBusy();
    }
  }

  // ---- export ---------------------------------------------------------------------------

  private async exportPng(): Promise<void> {
    if (!this.runs || !this.model) return;
    const { main, histograms } = this.charts.canvases();
    const reply = await this.host.request({
      type: 'export',
      format: 'png',
      suggestedName: fileName(this.model.name, 'simulation', 'png'),
      data: chartsPng(`Simulate Initialization: ${this.model.name}${this.model.file ? ` (${this.model.file})` : ''}`, main, histograms),
    });
    this.ui.applyResult.textContent = reply.message;
  }

  private async exportCsv(): Promise<void> {
    if (!this.runs || !this.model) return;
    const reply = await this.host.request({
      type: 'export',
      format: 'csv',
      suggestedName: fileName(this.model.name, 'simulation', 'csv'),
      data: toCsv(this.model, this.runs),
    });
    this.ui.applyResult.textContent = reply.message;
  }
}
