/**
 * From the extension's SimModel and the panel's settings to the simulation core's SimConfig:
 * one kernel per layer for the chosen initializer, fans filled in where the model lacks them.
 */
import type { InitChoice, KernelSpec, SimLayer, SimModel } from '../src/protocol';
import { kernelFor } from './sim/choices';
import type { InputData } from './sim/inputs';
import type { InputKind, SimConfig, SimLayerSpec } from './sim/types';

export interface RunSettings {
  inputWidth: number;
  batch: number;
  seed: number;
  input: InputKind;
  /** The user's inputs, when `input` is 'data'. */
  data?: InputData;
}

/** The input width the simulation uses: the model's first fan_in, else the user's, else the model's default. */
export function inputWidthOf(model: SimModel, userWidth?: number): { width: number; known: boolean } {
  const first = model.layers[0]?.fanIn;
  if (first !== undefined) return { width: first, known: true };
  return { width: userWidth ?? model.defaultInputWidth, known: false };
}

/** Each layer's choice: its own override, else the panel-wide one. */
export function choicesFor(model: SimModel, compare: InitChoice, overrides: Record<number, InitChoice>): InitChoice[] {
  return model.layers.map((_, i) => overrides[i] ?? compare);
}

/** Fans as simulated: a conv layer is its per-patch dense equivalent, fan_in → filters. */
export function fansOf(model: SimModel, inputWidth: number): Array<{ fanIn: number; units: number; fanOut: number }> {
  let previous = inputWidth;
  return model.layers.map((layer) => {
    const fanIn = layer.fanIn ?? previous;
    const units = layer.units ?? (layer.fanOut !== undefined ? Math.max(1, Math.round(layer.fanOut / layer.receptiveField)) : fanIn);
    const fanOut = layer.fanOut ?? units * layer.receptiveField;
    previous = units;
    return { fanIn, units, fanOut };
  });
}

export function kernelOf(layer: SimLayer, choice: InitChoice, fans: { fanIn: number; fanOut: number }): KernelSpec {
  return kernelFor(choice, fans.fanIn, fans.fanOut, layer.kernel, layer.activation, layer.receptiveField);
}

export function buildConfig(model: SimModel, choices: InitChoice[], settings: RunSettings): SimConfig {
  const fans = fansOf(model, settings.inputWidth);
  const layers: SimLayerSpec[] = model.layers.map((layer, i) => ({
    fanIn: fans[i].fanIn,
    units: fans[i].units,
    kernel: kernelOf(layer, choices[i], fans[i]),
    activation: { name: layer.activation.name, alpha: layer.activation.alpha },
    normalize: layer.normalized ? 'batch' : 'none',
    normalizeInput: layer.normalizedInput ?? false,
    ...(layer.biasVariance ? { biasVariance: layer.biasVariance } : {}),
  }));
  return {
    layers,
    inputWidth: settings.inputWidth,
    batch: settings.batch,
    seed: settings.seed,
    input: settings.input,
    ...(settings.input === 'data' ? { data: settings.data } : {}),
  };
}

/** True when the compared run is the current one (nothing to compare against). */
export function sameAsCurrent(choices: InitChoice[]): boolean {
  return choices.every((c) => c === 'current');
}

/**
 * A stable key for caching a run's result: the user's data by its name, size and statistics,
 * learned weights by their size and a checksum, not their values.
 */
export function configKey(config: SimConfig): string {
  return JSON.stringify(config, (key, value: unknown) => {
    if (key === 'data' && value) return { ...(value as InputData), values: undefined };
    if (key === 'weights' && value instanceof Float32Array) {
      let h = 0;
      for (let i = 0; i < value.length; i++) h = (Math.imul(h, 31) + Math.round(value[i] * 1e6)) | 0;
      return `${value.length}:${h}`;
    }
    return value;
  });
}
