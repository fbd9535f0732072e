/**
 * The typed messages between the extension and the Simulate Initialization webview: one union
 * per direction, each with a `type`; requests carry a `requestId` that their reply echoes.
 * The extension validates everything that comes from the webview (see `parseWebviewMessage`).
 */
import { escapeControl } from './engine/text';
import type { ActivationFamily } from './engine/activations';
import type { Recommendation } from './engine/ir';

/** The initializers the panel can compare, by id. */
export const INIT_CHOICES = [
  'current',
  'recommended',
  'zeros',
  'constant',
  'small_normal',
  'large_normal',
  'glorot_uniform',
  'glorot_normal',
  'he_normal',
  'he_uniform',
  'he_fan_avg',
  'lecun_normal',
  'orthogonal',
  'lsuv',
  'pretrained',
] as const;
export type InitChoice = (typeof INIT_CHOICES)[number];

/** The choices that can be written back to the source (the engine's quick fixes, `Recommendation`: He uniform is TF.js's). */
export const APPLICABLE_CHOICES: readonly InitChoice[] = ['he_normal', 'he_uniform', 'glorot_uniform', 'lecun_normal'];

export type KernelDistribution = 'normal' | 'truncated_normal' | 'uniform' | 'constant' | 'orthogonal' | 'identity' | 'unknown';

/** How one layer's kernel is drawn, with its exact variance for this layer's fans. */
export interface KernelSpec {
  label: string;
  distribution: KernelDistribution;
  /** Var(w); undefined when unknown (an initializer we cannot evaluate). */
  variance?: number;
  /** Constant kernels: the value. */
  constant?: number;
}

export interface SimLayer {
  label: string;
  kind: 'dense' | 'conv' | 'conv_transpose';
  /** Inputs per output unit (for convolutions: receptive field x input channels). */
  fanIn?: number;
  fanOut?: number;
  /** Output units simulated (for convolutions: filters, i.e. fan_out / receptive field). */
  units?: number;
  receptiveField: number;
  kernel: KernelSpec;
  /** The activation in the engine's catalogue (src/engine/activations.ts); family 'unknown' for a name it does not know. */
  activation: { name: string; family: ActivationFamily; alpha?: number };
  /** A normalization between this layer and its activation. */
  normalized: boolean;
  /**
   * A normalization after the previous layer's activation (Dense → ReLU → BatchNorm → this):
   * this layer's input is standardised. Absent in models saved by older versions.
   */
  normalizedInput?: boolean;
  /**
   * The propagation engine's forward gain g_f = E[phi(z)^2] / E[x^2] at this layer's operating
   * point in the model (src/engine/propagation.ts: the number the hover shows); undefined where
   * the engine leaves the layer unjudged.
   */
  predictedGain?: number;
  /** Var(b) of a random bias (PyTorch's default), which the simulation draws too; absent: none. */
  biasVariance?: number;
  recommended: Recommendation;
  findings: Array<{ code: string; severity: 'error' | 'warning' | 'info'; message: string }>;
  /**
   * What "Apply" would do with each initializer that can be written: edit the source, or not and
   * why ("already uses He normal (the framework default)", "no safe edit: ..."). `orthogonal`:
   * an orthogonal kernel with a gain (what LSUV's Apply writes, its gain from the run). Absent
   * in models saved by older versions and in the preset.
   */
  apply?: Partial<Record<Recommendation | 'orthogonal', ApplyOption>>;
}

/** What Apply would do to a layer: write an edit, or nothing and why (`already`: the layer draws its weights that way now). */
export type ApplyOption = { edit: true } | { edit: false; reason: string; already?: true };

/**
 * Layers (indexes into the model as last sent) that get one initializer. LSUV's group carries
 * each layer's gain as the run measured it (`gains[k]` for `layers[k]`), written as an
 * orthogonal kernel with that gain.
 */
export type ApplyGroup = { layers: number[]; choice: Exclude<InitChoice, 'lsuv'> } | { layers: number[]; choice: 'lsuv'; gains: number[] };

/** The largest gain Apply writes: beyond it a kernel is not an initialization anyone means (LSUV's gains stay near 1). */
export const MAX_GAIN = 1e6;

export interface SimModel {
  name: string;
  framework: 'keras' | 'tfjs' | 'pytorch' | 'flax';
  /** Workspace-relative file, for the title. */
  file: string;
  layers: SimLayer[];
  /** Width of the input when the first layer's fan_in is unknown (editable in the panel). */
  defaultInputWidth: number;
  /** True when this is the built-in preset (no model in the file). */
  preset: boolean;
}

// ---- extension -> webview ----

export type ToWebview =
  | {
      type: 'model';
      model: SimModel;
      /** Source version the model was read from. */
      version: number;
      /** What the panel shows, kept in the webview's state so a reload restores the same model. */
      target?: { uri?: string; model?: string };
      /** Shown above the charts while it holds, e.g. "the file does not parse: showing the model as it was". */
      notice?: string;
    }
  | { type: 'applied'; requestId: number; ok: boolean; message: string }
  | { type: 'exported'; requestId: number; ok: boolean; message: string };

// ---- webview -> extension ----

export type FromWebview =
  | { type: 'ready' }
  /** Each group's initializer written into its layers, all in one edit (one undo step). */
  | { type: 'apply'; requestId: number; groups: ApplyGroup[] }
  | { type: 'export'; requestId: number; format: 'png' | 'csv'; suggestedName: string; /** base64 for png, text for csv */ data: string }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string }
  /** The WebGL renderer the page found ('': no WebGL): the next panel starts without creating a WebGL context to learn it. */
  | { type: 'renderer'; renderer: string };

const isInt = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 0;

/**
 * A value from the webview as a log may show it: its type, or a string cut to 80 characters
 * with control characters escaped. Never walks the value (a 10,000-deep array cannot overflow
 * the stack) and never lets a message start a log line of its own.
 */
export function describeValue(x: unknown): string {
  if (typeof x === 'string') return `"${safeText(x, 80)}"`;
  if (typeof x === 'number' || typeof x === 'boolean' || x === null || x === undefined) return String(x);
  return Array.isArray(x) ? 'an array' : `a${typeof x === 'object' ? 'n object' : ` ${typeof x}`}`;
}

/** Cut to `max` characters, control characters (newlines included) escaped (text.ts escapeControl). */
export function safeText(text: string, max: number): string {
  return escapeControl(text.length > max ? `${text.slice(0, max)}…` : text);
}

/**
 * The TF.js backend the simulator starts (setting initlint.simulator.backend): 'auto' is WebGL
 * on a GPU and WebAssembly where WebGL is a software renderer; the others are tried first.
 */
export type BackendPreference = 'auto' | 'webgl' | 'wasm' | 'cpu';
export const BACKEND_PREFERENCES: readonly BackendPreference[] = ['auto', 'webgl', 'wasm', 'cpu'];
export const isBackendPreference = (x: unknown): x is BackendPreference => (BACKEND_PREFERENCES as readonly unknown[]).includes(x);

/** What a Simulate Initialization panel simulates: a model of a linted file (none: the demo model). */
export interface SimTarget {
  uri?: string;
  model?: string;
}

/**
 * The target of a panel VS Code restores after a reload. The webview saved it and is not
 * trusted: the file is kept only when it is a well-formed URI that `inWorkspace` accepts (Apply
 * writes into it); otherwise the panel opens on the demo model, with a warning for the log.
 */
export function restoredTarget(state: unknown, inWorkspace: (uri: string) => boolean): { target: SimTarget; warning?: string } {
  const saved = typeof state === 'object' && state !== null ? (state as { target?: unknown }).target : undefined;
  const uri = typeof saved === 'object' && saved !== null ? (saved as { uri?: unknown }).uri : undefined;
  if (typeof uri !== 'string') return { target: {} };
  const model = (saved as { model?: unknown }).model;
  let ok: boolean;
  try {
    ok = /^[a-z][a-z0-9+.-]*:/i.test(uri) && !!new URL(uri) && inWorkspace(uri);
  } catch {
    ok = false;
  }
  if (!ok) return { target: {}, warning: `a restored panel pointed at ${safeText(uri, 200)}, not a file of this workspace: it opens on the demo model` };
  return { target: { uri, model: typeof model === 'string' ? model.slice(0, 200) : undefined } };
}

/** Validate a message from the webview; undefined (and a reason) when it does not fit. */
export function parseWebviewMessage(raw: unknown): { message?: FromWebview; problem?: string } {
  if (typeof raw !== 'object' || raw === null) return { problem: 'not an object' };
  const m = raw as Record<string, unknown>;
  switch (m.type) {
    case 'ready':
      return { message: { type: 'ready' } };
    case 'apply': {
      if (!isInt(m.requestId)) return { problem: 'apply: bad requestId' };
      // One group may also come as `layers` and `choice` (the form of older webviews).
      const raw = Array.isArray(m.groups) ? (m.groups as unknown[]) : [{ layers: m.layers, choice: m.choice }];
      if (raw.length === 0 || raw.length > APPLICABLE_CHOICES.length + 1) return { problem: 'apply: bad groups' };
      const groups: ApplyGroup[] = [];
      for (const g of raw) {
        const { layers, choice, gains } = (typeof g === 'object' && g !== null ? g : {}) as { layers?: unknown; choice?: unknown; gains?: unknown };
        if (!Array.isArray(layers) || layers.length === 0 || layers.length > 10_000 || !layers.every(isInt)) return { problem: 'apply: bad layers' };
        if (choice === 'lsuv') {
          const ok = Array.isArray(gains) && gains.length === layers.length && gains.every((x) => typeof x === 'number' && x > 0 && x <= MAX_GAIN);
          if (!ok) return { problem: `apply: LSUV needs a gain in (0, ${MAX_GAIN}] for each layer` };
          groups.push({ layers: layers as number[], choice, gains: gains as number[] });
          continue;
        }
        if (!APPLICABLE_CHOICES.includes(choice as InitChoice)) return { problem: `apply: ${describeValue(choice)} cannot be written to the source` };
        groups.push({ layers: layers as number[], choice: choice as Exclude<InitChoice, 'lsuv'> });
      }
      return { message: { type: 'apply', requestId: m.requestId, groups } };
    }
    case 'export':
      if (!isInt(m.requestId)) return { problem: 'export: bad requestId' };
      if (m.format !== 'png' && m.format !== 'csv') return { problem: 'export: bad format' };
      if (typeof m.data !== 'string' || m.data.length > 50_000_000) return { problem: 'export: bad data' };
      if (typeof m.suggestedName !== 'string' || !/^[\w.\- ]{1,100}$/.test(m.suggestedName)) return { problem: 'export: bad file name' };
      return { message: { type: 'export', requestId: m.requestId, format: m.format, data: m.data, suggestedName: m.suggestedName } };
    case 'log':
      if (m.level !== 'info' && m.level !== 'warn' && m.level !== 'error') return { problem: 'log: bad level' };
      if (typeof m.message !== 'string') return { problem: 'log: bad message' };
      return { message: { type: 'log', level: m.level, message: safeText(m.message, 2000) } };
    case 'renderer':
      if (typeof m.renderer !== 'string' || m.renderer.length > 200) return { problem: 'renderer: bad renderer' };
      return { message: { type: 'renderer', renderer: safeText(m.renderer, 200) } };
    default:
      return { problem: `unknown message type ${describeValue(m.type)}` };
  }
}
