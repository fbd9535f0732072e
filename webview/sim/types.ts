/** The simulation core's inputs and outputs (webview/sim/simulate.ts). */
import type { KernelSpec } from '../../src/protocol';
import type { InputData } from './inputs';

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
  /** Var(b) of a random bias (PyTorch's default U(+-1/sqrt(fan_in))), drawn uniform; absent or 0: no bias. */
  biasVariance?: number;
  /**
   * A residual add: what layer `residualFrom` (an earlier layer of the same units) hands forward
   * is added to this layer's activation, and the sum is what this layer hands forward (a
   * residual block's skip connection). LayerStats still describe the activation before the add.
   * predictLayers() models chains only; the propagation engine predicts these (agreement test).
   */
  residualFrom?: number;
  /**
   * A learned kernel (fanIn x units as run, row-major), used instead of drawing from `kernel`
   * (greedy layerwise pretraining): `kernel` then describes it (its label and Var(w)).
   */
  weights?: Float32Array;
  /**
   * Set by LSUV (simulate.ts lsuv()) on the layers it rescaled: `kernel.variance` is then the
   * orthogonal kernel's with LSUV's gain in it, which Apply writes as the framework's gain.
   */
  lsuv?: true;
}

/** N(0, 1), U(-sqrt 3, sqrt 3), or rows of the user's data (SimConfig's `data`). */
export type InputKind = 'normal' | 'uniform' | 'data';

export interface SimConfig {
  layers: SimLayerSpec[];
  /** Input width (the first layer's fan_in). */
  inputWidth: number;
  batch: number;
  seed: number;
  input: InputKind;
  /** The user's inputs, when `input` is 'data': `batch` of its rows are drawn (seeded) each run. */
  data?: InputData;
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
  /** Tanh family |a| > 0.99, sigmoid family outside [0.01, 0.99]; 0 for other activations. */
  saturated: number;
  /** ReLU-family units whose output is 0 for every sample. */
  dead: number;
  /** Variance of dLoss/dW for this layer (loss = mean(output^2)): the batch's gradient. */
  gradVar: number;
  /**
   * Second moment of the per-sample gradient dl_b/dW = x_b (dl_b/dz_b) (l_b = mean over units of
   * output_b^2; the batch loss is their mean), as E[x^2] E[(dl_b/dz)^2] over the batch: the
   * number the propagation engine predicts (webview/sim/predict.ts). Unlike gradVar it has no
   * cross-sample terms.
   */
  gradMoment: number;
  /** Second moment of the per-sample dl_b/dz (z: the layer's output before normalization and activation). */
  deltaMoment: number;
  /** Units whose outputs differ (identical units count once). */
  distinct: number;
  histogram: Histogram;
}

export interface SimResult {
  layers: LayerStats[];
  backend: string;
  ms: number;
  /** Batch size as run (the config's, or less on a capped backend). */
  batch: number;
  /** Units per layer as run (the layers', or fewer on a capped backend). */
  units: number[];
  /**
   * How the run differs from the model, when it does: the batch or width reduced (and why), an
   * initializer or activation that could not be run as written.
   */
  reduced?: string;
}
