/**
 * The panel's charts (chart.js): activation second moment and per-sample gradient second moment
 * per layer on a log scale, current vs compared, each with the analytic prediction dashed, and the activation histograms as
 * small multiples. Colours come from VS Code's theme variables, read at draw time, so a theme
 * change only needs `retheme()`.
 */
import {
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  LogarithmicScale,
  PointElement,
  Tooltip,
  type ChartConfiguration,
  type ChartDataset,
} from 'chart.js';
import type { Histogram } from './sim/types';

Chart.register(CategoryScale, Legend, LinearScale, LineController, LineElement, LogarithmicScale, PointElement, Tooltip);

export interface Series {
  name: string;
  /** Measured E[a²] per layer. */
  activation: number[];
  /** Measured second moment of the per-sample weight gradient per layer (LayerStats.gradMoment). */
  gradient: number[];
  /** Predicted E[a²] per layer (webview/sim/predict.ts); omitted when not shown. */
  prediction?: Array<number | undefined>;
  /** Predicted gradient second moment per layer; omitted when not shown. */
  gradientPrediction?: Array<number | undefined>;
  histograms: Histogram[];
}

export interface ChartInput {
  layers: string[];
  current: Series;
  /** Omitted when the compared run is the current one. */
  compared?: Series;
  /** The prediction alone, or a first pass: the variance charts only, no histograms yet. */
  preview?: boolean;
}

interface Theme {
  foreground: string;
  muted: string;
  grid: string;
  current: string;
  compared: string;
  font: string;
}

function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
}

function readTheme(): Theme {
  const foreground = cssVar('--vscode-editor-foreground', cssVar('--vscode-foreground', '#808080'));
  return {
    foreground,
    muted: cssVar('--vscode-descriptionForeground', foreground),
    grid: cssVar('--vscode-charts-lines', 'rgba(128, 128, 128, 0.35)'),
    current: cssVar('--vscode-charts-orange', '#d18616'),
    compared: cssVar('--vscode-charts-blue', '#3794ff'),
    font: cssVar('--vscode-font-family', 'sans-serif'),
  };
}

const SUPERSCRIPT: Record<string, string> = { '-': '⁻', '0': '⁰', '1': '¹', '2': '²', '3': '³', '4': '⁴', '5': '⁵', '6': '⁶', '7': '⁷', '8': '⁸', '9': '⁹' };

/** Log-axis labels: powers of ten only, as 10ⁿ (chart.js would print every digit of 1e-24). */
export function powerOfTenLabel(value: number | string): string {
  const e = Math.log10(Number(value));
  const rounded = Math.round(e);
  if (!Number.isFinite(e) || Math.abs(e - rounded) > 1e-6) return '';
  if (rounded === 0) return '1';
  if (rounded === 1) return '10';
  return `10${[...String(rounded)].map((c) => SUPERSCRIPT[c]).join('')}`;
}

/** A log tick's first digit (1-9), where the value is that digit times a power of ten. */
function leadingDigit(value: number): number | undefined {
  const e = Math.floor(Math.log10(value) + 1e-9);
  const m = value / 10 ** e;
  const rounded = Math.round(m);
  return Math.abs(m - rounded) < 1e-6 && rounded >= 1 && rounded <= 9 ? rounded : undefined;
}

/**
 * Log-axis labels: 10ⁿ for powers of ten; on an axis spanning less than a decade or two, where
 * powers of ten alone would leave one label or none, 2 and 5 (and then every digit) times one:
 * as a decimal where that is short (0.5, 20), else as 5×10⁻³.
 */
export function logTickLabel(value: number | string): string {
  const v = Number(value);
  const power = powerOfTenLabel(v);
  if (power) return power;
  const digit = leadingDigit(v);
  if (digit === undefined) return '';
  const e = Math.floor(Math.log10(v) + 1e-9);
  if (e >= -3 && e <= 3) return String(Number(v.toPrecision(1)));
  return `${digit}×${powerOfTenLabel(10 ** e)}`;
}

/**
 * Of a log axis's ticks, those worth a label, at least two where the axis allows: the powers of
 * ten (thinned evenly to at most eight), else also 2 and 5 times them, else every digit (an axis
 * within one decade), thinned to at most six.
 */
export function logTicks<T extends { value: number }>(ticks: T[]): T[] {
  const powers = ticks.filter((t) => powerOfTenLabel(t.value) !== '');
  if (powers.length >= 2) {
    const step = Math.ceil(powers.length / 8);
    return powers.filter((t) => Math.round(Math.log10(t.value)) % step === 0);
  }
  const thin = (list: T[], most: number) => {
    const step = Math.ceil(list.length / most);
    return list.filter((_, i) => i % step === 0);
  };
  const ones = ticks.filter((t) => [1, 2, 5].includes(leadingDigit(t.value) ?? 0));
  if (ones.length >= 2) return thin(ones, 8);
  return thin(
    ticks.filter((t) => leadingDigit(t.value) !== undefined),
    6,
  );
}

/** Log scales cannot show 0 (a zero-initialized stack) or non-finite values: leave a gap. */
const loggable = (v: number | undefined): number | null => (v !== undefined && Number.isFinite(v) && v > 0 ? v : null);

/**
 * A chart drawn again on its canvas: its data and options replaced and updated without
 * animation. Creating a Chart costs far more than updating one (50-layer charts in Chromium:
 * 131 ms of the first chart went to Chart's initialisation, measured with the CPU profiler).
 */
function chartOn<D>(existing: Chart | undefined, canvas: HTMLCanvasElement, config: ChartConfiguration<'line', D>): Chart {
  if (existing && existing.canvas === canvas) {
    existing.data = config.data as Chart['data'];
    existing.options = (config.options ?? {}) as Chart['options'];
    existing.update('none');
    return existing;
  }
  existing?.destroy();
  return new Chart(canvas, config as ChartConfiguration);
}

export class Charts {
  private main: Chart[] = [];
  private histograms: Chart[] = [];
  private input?: ChartInput;

  constructor(
    private readonly activationCanvas: HTMLCanvasElement,
    private readonly gradientCanvas: HTMLCanvasElement,
    private readonly histogramBox: HTMLElement,
  ) {}

  /** The layers (1-based) drawn on an axis's floor because a run measured 0 there. */
  zeros: { activation: number[]; gradient: number[] } = { activation: [], gradient: [] };

  render(input: ChartInput): void {
    this.input = input;
    this.draw();
  }

  /**
   * Create the two variance charts, empty, while the page waits for the model (about 0.1 s of
   * idle time in the workbench): its first drawing then updates them instead of paying for
   * Chart's initialisation (about 0.1 s in Chromium on this machine) before the first chart.
   */
  prepare(): void {
    if (this.main.length || this.input) return;
    const theme = readTheme();
    applyDefaults(theme);
    this.main = [
      chartOn(undefined, this.activationCanvas, varianceChart([], [], 'E[a²]', theme)),
      chartOn(undefined, this.gradientCanvas, varianceChart([], [], 'E[(∂ℓ/∂W)²] per sample', theme)),
    ];
  }

  /** Redraw with the theme's current colours (VS Code switched light / dark / high contrast). */
  retheme(): void {
    if (this.input) this.draw();
  }

  /** The canvases in reading order, for the PNG export: the variance charts, then each histogram with its layer. */
  canvases(): { main: HTMLCanvasElement[]; histograms: Array<{ canvas: HTMLCanvasElement; label: string }> } {
    const layers = this.input?.layers ?? [];
    const histograms = [...this.histogramBox.querySelectorAll('canvas')].map((canvas, i) => ({ canvas, label: layers[i] ?? '' }));
    return { main: [this.activationCanvas, this.gradientCanvas], histograms };
  }

  private draw(): void {
    const input = this.input as ChartInput;
    const theme = readTheme();
    applyDefaults(theme);
    const runs = [{ series: input.current, colour: theme.current }, ...(input.compared ? [{ series: input.compared, colour: theme.compared }] : [])];

    // A log axis has no 0: a measured zero (a constant or dead layer) is drawn as a triangle on the
    // axis's floor, a decade below the smallest value shown, instead of vanishing from the line.
    const floorOf = (lists: number[][]) => Math.min(...lists.flat().filter((v) => Number.isFinite(v) && v > 0), 1) / 10;
    const activationFloor = floorOf(runs.map((r) => r.series.activation));
    const gradientFloor = floorOf(runs.map((r) => r.series.gradient));
    this.zeros = { activation: zerosOf(runs.map((r) => r.series.activation)), gradient: zerosOf(runs.map((r) => r.series.gradient)) };
    this.activationCanvas.dataset.zeros = this.zeros.activation.join(',');
    this.gradientCanvas.dataset.zeros = this.zeros.gradient.join(',');
    const activation: ChartDataset<'line', Array<number | null>>[] = [];
    for (const { series, colour } of runs) activation.push(measured(series.name, series.activation, colour, activationFloor));
    for (const { series, colour } of runs) {
      if (series.prediction) activation.push(predicted(`${series.name} (predicted)`, series.prediction, colour));
    }
    const gradient = runs.map(({ series, colour }) => measured(series.name, series.gradient, colour, gradientFloor));
    for (const { series, colour } of runs) {
      if (series.gradientPrediction) gradient.push(predicted(`${series.name} (predicted)`, series.gradientPrediction, colour));
    }

    const activationChart = chartOn(this.main[0], this.activationCanvas, varianceChart(input.layers, activation, 'E[a²]', theme));
    const gradientChart = chartOn(this.main[1], this.gradientCanvas, varianceChart(input.layers, gradient, 'E[(∂ℓ/∂W)²] per sample', theme));
    this.main = [activationChart, gradientChart];
    // The y labels drawn, for the tests (and for a reader of the DOM): two or more on every axis.
    for (const chart of [activationChart, gradientChart]) {
      chart.canvas.dataset.ticks = chart.scales.y.ticks
        .map((t) => logTickLabel(t.value))
        .filter(Boolean)
        .join(' ');
    }
    // A preview (the prediction, a first pass) has no histograms: the last ones go until the full run.
    if (input.preview) {
      this.histograms.forEach((c) => c.destroy());
      this.histograms = [];
    } else this.histograms = this.drawHistograms(input, runs, theme);
  }

  /** One small chart a layer; the figures are kept (their charts updated) while the layers are the same. */
  private drawHistograms(input: ChartInput, runs: Array<{ series: Series; colour: string }>, theme: Theme): Chart[] {
    const kept = [...this.histogramBox.querySelectorAll('figure.small-multiple')];
    const same =
      this.histograms.length === input.layers.length &&
      kept.length === input.layers.length &&
      kept.every((f, i) => f.querySelector('figcaption')?.textContent === input.layers[i]);
    if (!same) {
      this.histograms.forEach((c) => c.destroy());
      this.histograms = [];
    }
    const figures = same
      ? kept.map((figure, i) => ({ figure, canvas: figure.querySelector('canvas') as HTMLCanvasElement, i }))
      : input.layers.map((label, i) => {
          const figure = document.createElement('figure');
          figure.className = 'small-multiple';
          const caption = document.createElement('figcaption');
          caption.textContent = label;
          const canvas = document.createElement('canvas');
          canvas.setAttribute('role', 'img');
          canvas.setAttribute('aria-label', `Histogram of the activations of ${label}`);
          const box = document.createElement('div');
          box.className = 'canvas-box small';
          box.append(canvas);
          figure.append(caption, box);
          return { figure, canvas, i };
        });
    if (!same) this.histogramBox.replaceChildren(...figures.map((f) => f.figure));
    return figures.map(({ canvas, i }) => {
      const datasets = runs
        .filter(({ series }) => series.histograms[i])
        .map(({ series, colour }) => ({
          label: series.name,
          data: peakScaled(series.histograms[i]),
          borderColor: colour,
          backgroundColor: colour,
          borderWidth: 1.5,
          pointRadius: 0,
          stepped: 'middle' as const,
        }));
      const config: ChartConfiguration<'line', Array<{ x: number; y: number }>> = {
        type: 'line',
        data: { datasets },
        options: {
          animation: false,
          responsive: true,
          maintainAspectRatio: false,
          parsing: false,
          plugins: { legend: { display: false }, tooltip: { enabled: false } },
          scales: {
            x: { type: 'linear', ticks: { maxTicksLimit: 5, color: theme.muted, font: { size: 10 } }, grid: { color: theme.grid } },
            y: { type: 'linear', min: 0, max: 1.05, ticks: { display: false }, grid: { color: theme.grid } },
          },
        },
      };
      return chartOn(this.histograms[i], canvas, config);
    });
  }
}

function measured(label: string, values: number[], colour: string, floor: number): ChartDataset<'line', Array<number | null>> {
  const zero = (v: number) => Number.isFinite(v) && v <= 0;
  return {
    label,
    data: values.map((v) => (zero(v) ? floor : loggable(v))),
    borderColor: colour,
    backgroundColor: colour,
    borderWidth: 2,
    pointRadius: values.map((v) => (zero(v) ? 6 : 3)),
    pointStyle: values.map((v) => (zero(v) ? 'triangle' : 'circle')),
    spanGaps: false,
  };
}

/** Layer numbers (1-based) where some run measured 0. */
function zerosOf(lists: number[][]): number[] {
  const out = new Set<number>();
  for (const list of lists) list.forEach((v, i) => Number.isFinite(v) && v <= 0 && out.add(i + 1));
  return [...out].sort((a, b) => a - b);
}

function predicted(label: string, values: Array<number | undefined>, colour: string): ChartDataset<'line', Array<number | null>> {
  return { label, data: values.map(loggable), borderColor: colour, backgroundColor: colour, borderWidth: 1.5, borderDash: [6, 4], pointRadius: 0 };
}

function applyDefaults(theme: Theme): void {
  Chart.defaults.color = theme.foreground;
  Chart.defaults.borderColor = theme.grid;
  Chart.defaults.font.family = theme.font;
}

function varianceChart(
  layers: string[],
  datasets: ChartDataset<'line', Array<number | null>>[],
  yTitle: string,
  theme: Theme,
): ChartConfiguration<'line', Array<number | null>> {
  return {
    type: 'line',
    data: { labels: layers, datasets },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      interaction: { mode: 'index', intersect: false },
      plugins: {
        legend: { position: 'bottom', labels: { color: theme.foreground, boxHeight: 2 } },
        tooltip: {
          callbacks: {
            label: (item) => {
              const style = (item.dataset as { pointStyle?: unknown }).pointStyle;
              const onFloor = Array.isArray(style) && style[item.dataIndex] === 'triangle';
              return `${item.dataset.label}: ${onFloor ? '0 (drawn on the axis)' : item.parsed.y === null ? 'n/a' : Number(item.parsed.y).toExponential(3)}`;
            },
          },
        },
      },
      scales: {
        x: { ticks: { color: theme.muted, autoSkip: true, maxRotation: 40 }, grid: { color: theme.grid } },
        y: {
          type: 'logarithmic',
          title: { display: true, text: yTitle, color: theme.muted },
          ticks: { color: theme.muted, callback: logTickLabel, autoSkip: false },
          grid: { color: theme.grid },
          afterBuildTicks: (scale) => {
            scale.ticks = logTicks(scale.ticks);
          },
        },
      },
    },
  };
}

/**
 * Bin centres against counts scaled to the run's peak: runs whose spreads differ by orders of
 * magnitude (the point of the comparison) both stay visible on the shared x axis.
 */
function peakScaled(h: Histogram): Array<{ x: number; y: number }> {
  const peak = Math.max(1, ...h.counts);
  return h.counts.map((count, j) => ({ x: (h.edges[j] + h.edges[j + 1]) / 2, y: count / peak }));
}
