/**
 * What the panel remembers across reloads and while hidden (VS Code's webview state):
 * the settings the user chose and a summary of the last results.
 */
import type { InitChoice } from '../src/protocol';
import type { VsCodeApi } from './host';
import { isInitChoice } from './labels';
import type { InputKind } from './sim/types';

export interface RunSummary {
  model: string;
  backend: string;
  ms: number;
  compare: InitChoice;
  /** Activation variance per layer, current and compared. */
  layers: Array<{ label: string; current: number; compared: number }>;
}

export interface PanelState {
  compare: InitChoice;
  /** Per-layer compared choice, by layer index; a layer not here follows `compare`. */
  overrides: Record<number, InitChoice>;
  /** Undefined: sized to the backend. */
  batch?: number;
  seed: number;
  /** 'data': the file the user loaded, which lives in memory only (a reload reads it as 'normal'). */
  input: InputKind;
  /** Input width when the model's first fan_in is unknown; undefined: the model's default. */
  inputWidth?: number;
  showPrediction: boolean;
  summary?: RunSummary;
  /** Passed through from the extension's model message (what to reopen after a reload), when it sends one. */
  target?: unknown;
}

export const DEFAULT_STATE: PanelState = {
  compare: 'recommended',
  overrides: {},
  seed: 1,
  input: 'normal',
  showPrediction: true,
};

const positiveInt = (x: unknown): number | undefined => (typeof x === 'number' && Number.isInteger(x) && x > 0 ? x : undefined);

/** The saved state, field by field: anything missing or malformed falls back to the default. */
export function loadState(api: VsCodeApi): PanelState {
  const raw = api.getState();
  if (typeof raw !== 'object' || raw === null) return { ...DEFAULT_STATE, overrides: {} };
  const s = raw as Record<string, unknown>;
  const overrides: Record<number, InitChoice> = {};
  if (typeof s.overrides === 'object' && s.overrides !== null) {
    for (const [k, v] of Object.entries(s.overrides)) if (/^\d+$/.test(k) && isInitChoice(v)) overrides[Number(k)] = v;
  }
  return {
    compare: isInitChoice(s.compare) ? s.compare : DEFAULT_STATE.compare,
    overrides,
    batch: positiveInt(s.batch),
    seed: typeof s.seed === 'number' && Number.isInteger(s.seed) && s.seed >= 0 ? s.seed : DEFAULT_STATE.seed,
    input: s.input === 'uniform' ? 'uniform' : 'normal',
    inputWidth: positiveInt(s.inputWidth),
    showPrediction: typeof s.showPrediction === 'boolean' ? s.showPrediction : DEFAULT_STATE.showPrediction,
    summary: typeof s.summary === 'object' && s.summary !== null ? (s.summary as RunSummary) : undefined,
    target: s.target,
  };
}

export function saveState(api: VsCodeApi, state: PanelState): void {
  api.setState(state);
}
