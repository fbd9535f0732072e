/** The simulation core's inputs and outputs (webview/sim/simulate.ts). */
import type { KernelSpec } from '../../src/protocol';

export interface SimLayerSpec {
  /** Inputs per unit. */
  fanIn: number;
  /** Output units. */
  units: number;
  kernel: KernelSpec;
  activation: { name: string; alpha?: number };
  /** Standardise between the layer and its activation (BatchNorm: over the batch; LayerNorm: over features). */
  normalize: 'none' | 'batch' | 'layer';
  /** Standardise the layer's input over the batch (a normalization after the previous activation). */
  normalizeInput?: boolean;
}

export interface SimConfig {
  layers: SimLayerSpec[];
  /** Input width (the first layer's fan_in). */
  inputWidth: number;
  batch: number;
  seed: number;
  input: 'normal' | 'uniform';
}

export interface Histogram {
  edges: number[];
  counts: number[];
}

export interface LayerStats {
  preMean: number;
  preVar: number;
  actMean: number;
  actVar: number;
  /** tanh |a| > 0.99, sigmoid outside [0.01, 0.99]; 0 for other activations. */
  saturated: number;
  /** ReLU-family units whose output is 0 for every sample. */
  dead: number;
  /** Variance of dLoss/dW for this layer (loss = mean(output^2)). */
  gradVar: number;
  /** Units whose outputs differ (identical units count once). */
  distinct: number;
  histogram: Histogram;
}

export interface SimResult {
  layers: LayerStats[];
  backend: string;
  ms: number;
  /** Why the batch or width was reduced, when it was. */
  reduced?: string;
}
