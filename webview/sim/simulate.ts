/**
 * The simulation core of the Simulate Initialization panel: run a model's layer stack in
 * TensorFlow.js on random inputs, forward and backward, and measure per-layer statistics.
 * Pure TypeScript (no DOM, no vscode): the webview passes in its tf module with the backend it
 * picked, the unit tests pass @tensorflow/tfjs on the cpu backend.
 *
 * Design notes: shared/spec/simulator.md. In short:
 *  - Each layer is a dense fan_in -> units matmul (conv layers are simulated per patch, as
 *    their fan-equivalent dense layer). When a layer's fan_in differs from the previous
 *    layer's width (a conv's fan_in is receptive field x channels; a flatten), its input is
 *    built from the previous activation by concatenating copies whose rows (samples) are
 *    rolled, so the extra inputs behave like the same channels at other positions; a smaller
 *    fan_in takes the first columns. E[z^2] = fan_in x Var(w) x E[x^2] holds either way.
 *  - Kernels are drawn exactly as the KernelSpec says, seeded; all reductions that are shown
 *    or tested are done in float64 on the JS side after `await data()` (the wasm backend sums
 *    in float32, one value at a time).
 *  - Gradients: loss = mean(output^2), dL/dW per layer via tf.valueAndGrads; on wasm the matmul
 *    has a custom gradient with explicit transposes (wasm's transposed matmuls miss its fast
 *    kernel). Besides Var(dL/dW) of the batch's gradient, each layer reports the per-sample
 *    gradient's second moment (`gradMoment`), the quantity the propagation engine predicts:
 *    dL/dz is read through a zero "probe" added to each layer's z (z + 0 = z exactly, so the
 *    other numbers do not change).
 *  - Biases: a layer with `biasVariance` adds a fixed per-unit bias drawn U(-a, a) with that
 *    variance (PyTorch's default bias); none otherwise.
 *  - Every tensor made here is disposed before the promise resolves.
 */
import type * as TFModule from '@tensorflow/tfjs-core';
import type { GradSaveFunc, Scalar, Tensor, Tensor2D } from '@tensorflow/tfjs-core';
import type { KernelSpec } from '../../src/protocol';
import { UNCORRECTED_TRUNCATION_FACTOR } from '../../src/engine/initializers';
import { lookupActivation, type ActivationFamily } from '../../src/engine/activations';
import { glorotVariance, NORM_EPS } from './predict';
import type { InputData } from './inputs';
import type { Histogram, LayerStats, SimConfig, SimLayerSpec, SimResult } from './types';

type TF = typeof TFModule;

/**
 * Work cap on the cpu backend, in multiply-adds of one forward pass: batch x sum(fan_in x units).
 * A run costs about three forward passes' worth of matmuls (forward, and two per layer
 * backward); measured on a 2-core machine, a 20 x 1024 ReLU stack capped at 1e8 took 1.5 s,
 * the first-chart time the panel aims for (shared/spec/simulator.md).
 */
export const CPU_WORK_BUDGET = 1e8;
/**
 * The same cap on the webgl and wasm backends: 20 times the cpu's (SwiftShader's WebGL and the
 * wasm backend run a 20 x 1024 stack's full batch well inside the first-chart time; past this a
 * panel would stall for tens of seconds before its first chart).
 */
export const ACCELERATED_WORK_BUDGET = 2e9;
/**
 * Largest kernel simulated (fan_in x units weights, float32: 256 MB), and largest fan_in: each
 * layer keeps its fan_in whatever the cap (E[z^2] = fan_in Var(w) E[x^2] depends on it), so a
 * wider one cannot be simulated at all, only computed (the panel's dashed line).
 */
export const MAX_KERNEL_WEIGHTS = 2 ** 26;
export const MAX_FAN_IN = 2 ** 20;
/** The batch is reduced first, down to this many samples; then the units per layer. */
export const MIN_BATCH = 64;
/** Units per layer are never reduced below this (nor above the layer's own width). */
export const MIN_UNITS = 16;
/** The batch a very wide fan_in may still be simulated with (per-unit statistics over fewer samples), after units are at MIN_UNITS. */
export const MIN_BATCH_WIDE = 8;
/** Histogram bins; the range is the 0.1 % to 99.9 % quantiles of the activations (values outside fall in the end bins). */
export const HISTOGRAM_BINS = 40;
/** Two units are the same when every output agrees within this relative difference. */
export const DISTINCT_RTOL = 1e-6;
/** Epsilon of the standardisation (PyTorch's BatchNorm/LayerNorm default): defined beside the prediction, which uses it too. */
export { NORM_EPS };

export interface SimOptions {
  /**
   * Cap on batch x sum(fan_in x units). Default: CPU_WORK_BUDGET on the cpu backend,
   * ACCELERATED_WORK_BUDGET on the others. Infinity disables it.
   */
  workBudget?: number;
  /**
   * Give the matmul a gradient with explicitly transposed operands. Default: on the wasm
   * backend only (its transposed matmuls are 10-20x slower than plain ones; the cpu backend's
   * are not, and an explicit transpose would cost it a copy).
   */
  explicitTranspose?: boolean;
}

// ---------------------------------------------------------------------------------------------
// Seeds and sizes
// ---------------------------------------------------------------------------------------------

/** murmur3's 32-bit finalizer: a bijection on uint32 with full avalanche. */
export function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/**
 * A 31-bit seed for one draw, from the run's seed, the layer (-1: not a layer) and what is
 * drawn. Each part goes through the mixer before it is combined, so different (seed, layer)
 * pairs do not collide (a plain XOR of seed and layer would make run 1's second layer run 0's
 * third).
 */
export function seedFor(seed: number, layer: number, tag: number): number {
  const s = Number.isFinite(seed) ? Math.floor(seed) : 0;
  let h = mix32((s >>> 0) ^ mix32((Math.floor(s / 4294967296) >>> 0) + 0x9e3779b9));
  h = mix32((h + mix32((layer + 2) >>> 0) + 0x7f4a7c15) >>> 0);
  h = mix32((h + mix32((tag + 0x632be5ab) >>> 0)) >>> 0);
  return h & 0x7fffffff;
}

const TAG_KERNEL = 0;
const TAG_INPUT = 1;
const TAG_TARGET = 2;
const TAG_BIAS = 3;

function validate(config: SimConfig): void {
  const posInt = (x: unknown) => typeof x === 'number' && Number.isInteger(x) && x >= 1;
  if (!config || !Array.isArray(config.layers)) throw new TypeError('simulate: config.layers must be an array');
  if (!posInt(config.inputWidth)) throw new TypeError(`simulate: inputWidth must be a positive integer, got ${config.inputWidth}`);
  if (!posInt(config.batch)) throw new TypeError(`simulate: batch must be a positive integer, got ${config.batch}`);
  if (config.input === 'data') {
    const d = config.data;
    if (!d || d.rows < 2 || d.values.length !== d.rows * d.cols) throw new TypeError('simulate: input "data" needs data with 2 or more rows');
    if (d.cols !== config.inputWidth) throw new RangeError(`${d.name} has ${d.cols} features a sample; the model's first layer reads ${config.inputWidth}`);
  }
  config.layers.forEach((l, i) => {
    if (!posInt(l.fanIn) || !posInt(l.units)) throw new TypeError(`simulate: layer ${i} needs positive integer fanIn and units, got ${l.fanIn} and ${l.units}`);
    if (l.fanIn > MAX_FAN_IN || l.fanIn * Math.min(l.units, MIN_UNITS) > MAX_KERNEL_WEIGHTS) {
      throw new RangeError(
        `layer ${i + 1}: fan_in ${l.fanIn.toLocaleString('en-US')} is too large to simulate (at most ${MAX_FAN_IN.toLocaleString('en-US')}); its predicted variance is still computed`,
      );
    }
    if (l.biasVariance !== undefined && !(Number.isFinite(l.biasVariance) && l.biasVariance >= 0))
      throw new TypeError(`simulate: layer ${i} has a bad biasVariance ${l.biasVariance}`);
    const j = l.residualFrom;
    if (j !== undefined && !(Number.isInteger(j) && j >= 0 && j < i && config.layers[j].units === l.units)) {
      throw new TypeError(`simulate: layer ${i}'s residualFrom must be an earlier layer of the same units, got ${j}`);
    }
  });
}

interface Plan {
  batch: number;
  /** Units simulated per layer (the layer's own, or fewer on a capped backend). */
  units: number[];
  /** The kernels drawn (unknown ones replaced). */
  kernels: KernelSpec[];
  notes: string[];
}

function plan(config: SimConfig, backend: string, options: SimOptions): Plan {
  const notes: string[] = [];
  const kernels = config.layers.map((l, i) => {
    const k = l.kernel;
    const needsVariance = k.distribution === 'normal' || k.distribution === 'truncated_normal' || k.distribution === 'uniform';
    const bad = k.distribution === 'unknown' || (needsVariance && !(k.variance !== undefined && Number.isFinite(k.variance) && k.variance >= 0));
    if (!bad) return k;
    // An initializer we cannot evaluate is simulated as Glorot uniform (the Keras default),
    // not skipped: skipping would break the shapes of the layers after it.
    notes.push(`layer ${i + 1}: ${k.label || 'initializer'} has no known variance, simulated as Glorot uniform`);
    return { label: `${k.label} (as Glorot uniform)`, distribution: 'uniform', variance: glorotVariance(l.fanIn, l.units) } satisfies KernelSpec;
  });
  const budget = options.workBudget ?? (backend === 'cpu' ? CPU_WORK_BUDGET : ACCELERATED_WORK_BUDGET);
  const perSample = config.layers.reduce((s, l) => s + l.fanIn * l.units, 0);
  let batch = config.batch;
  if (config.input === 'data' && config.data && batch > config.data.rows) {
    batch = config.data.rows;
    notes.push(`batch ${config.batch} → ${batch}: ${config.data.name} has ${batch} samples`);
  }
  let units = config.layers.map((l) => l.units);
  if (batch * perSample > budget) {
    const asked = batch;
    batch = Math.max(Math.min(asked, MIN_BATCH), Math.floor(budget / perSample));
    let what = `batch ${asked} → ${batch}`;
    if (batch * perSample > budget) {
      const s = budget / (batch * perSample);
      units = units.map((u) => Math.min(u, Math.max(MIN_UNITS, Math.floor(u * s))));
      const widest = config.layers.reduce((b, l, i) => (l.units > config.layers[b].units ? i : b), 0);
      what += ` and units per layer to about ${(100 * s).toPrecision(2)} % (e.g. ${config.layers[widest].units} → ${units[widest]}; each layer keeps its fan_in, fed rolled copies of the narrower layer before it, so per-unit statistics keep their expectation; distinct and dead count the simulated units)`;
    }
    let work = batch * config.layers.reduce((s, l, i) => s + l.fanIn * units[i], 0);
    if (work > budget) {
      // Wide fan_in (each layer keeps its own): fewer samples, down to a few; past that, no run.
      const perSampleNow = work / batch;
      batch = Math.max(MIN_BATCH_WIDE, Math.floor(budget / perSampleNow));
      work = batch * perSampleNow;
      what += `; batch further to ${batch} for the widest fan_in`;
      if (work > budget) {
        const widest = config.layers.reduce((b, l, i) => (l.fanIn > config.layers[b].fanIn ? i : b), 0);
        throw new RangeError(
          `layer ${widest + 1}: fan_in ${config.layers[widest].fanIn.toLocaleString('en-US')} is too large to simulate on the ${backend} backend within its work cap (${budget.toExponential(1)} multiply-adds); its predicted variance is still computed`,
        );
      }
    }
    notes.unshift(
      `${backend} backend: ${what}, to keep batch × Σ fan_in × units under ${budget.toExponential(1)} multiply-adds (now ${work.toExponential(2)})${backend === 'cpu' ? '; the webgl or wasm backend runs up to 20 times more' : ''}`,
    );
  }
  return { batch, units, kernels, notes };
}

// ---------------------------------------------------------------------------------------------
// Sampling
// ---------------------------------------------------------------------------------------------

/**
 * Draw one [fanIn, units] kernel exactly as `spec` says:
 *  - normal: N(0, variance);
 *  - truncated_normal: a normal cut at ±2 sigma (tf.truncatedNormal) with sigma chosen so the
 *    variance after the cut is `variance`: sigma^2 = variance / 0.7737...;
 *  - uniform: U(-a, a), a = sqrt(3 variance);
 *  - constant: every entry `constant` (0 when absent);
 *  - orthogonal: a Haar-random matrix with orthonormal columns (fan_in >= units) or rows, by
 *    Gram-Schmidt on a seeded Gaussian matrix (orthonormalRows), scaled so entries have mean
 *    square `variance` (gain 1, i.e. 1 / max(fan_in, units), when absent);
 *  - identity: eye(fanIn, units);
 *  - unknown (or a random kernel without a variance): Glorot uniform, 2 / (fan_in + units).
 */
export async function sampleKernel(tf: TF, spec: KernelSpec, fanIn: number, units: number, seed: number): Promise<Tensor2D> {
  const shape: [number, number] = [fanIn, units];
  const v = spec.variance;
  const known = v !== undefined && Number.isFinite(v) && v >= 0;
  switch (spec.distribution) {
    case 'normal':
      if (known) return tf.randomNormal(shape, 0, Math.sqrt(v), 'float32', seed);
      break;
    case 'truncated_normal':
      if (known) return tf.truncatedNormal(shape, 0, Math.sqrt(v / UNCORRECTED_TRUNCATION_FACTOR), 'float32', seed);
      break;
    case 'uniform':
      if (known) {
        const a = Math.sqrt(3 * v);
        return tf.randomUniform(shape, -a, a, 'float32', seed);
      }
      break;
    case 'constant':
      return tf.fill(shape, spec.constant ?? 0, 'float32') as Tensor2D;
    case 'identity':
      return tf.eye(fanIn, units, undefined, 'float32');
    case 'orthogonal':
      return orthogonal(tf, fanIn, units, known ? v : 1 / Math.max(fanIn, units), seed);
    case 'unknown':
      break;
  }
  const a = Math.sqrt(3 * glorotVariance(fanIn, units));
  return tf.randomUniform(shape, -a, a, 'float32', seed);
}

async function orthogonal(tf: TF, fanIn: number, units: number, variance: number, seed: number): Promise<Tensor2D> {
  const r = Math.max(fanIn, units);
  const c = Math.min(fanIn, units);
  const g = tf.randomNormal([c, r], 0, 1, 'float32', seed);
  const raw = await g.data();
  g.dispose();
  // Small matrices, and the cpu backend (whose matmuls are slower than a JS loop), in JS.
  const q = await orthonormalRows(tf, raw as Float32Array, c, r, tf.getBackend() !== 'cpu' && c * c * r > 3e7);
  // Orthonormal vectors of length r have entries of mean square 1/r: scale to `variance`.
  const scale = Math.sqrt(variance * r);
  const out = new Float32Array(fanIn * units);
  for (let i = 0; i < fanIn; i++) {
    for (let k = 0; k < units; k++) {
      out[i * units + k] = scale * (fanIn >= units ? q[k * r + i] : q[i * r + k]);
    }
  }
  return tf.tensor2d(out, [fanIn, units], 'float32');
}

/** Orthonormalize rows start..end of the row-major [., r] `q` in place against each other, in order (modified Gram-Schmidt, float64). */
function mgsRows(q: Float64Array, r: number, start: number, end: number): void {
  for (let i = start; i < end; i++) {
    const qi = q.subarray(i * r, (i + 1) * r);
    for (let j = start; j < i; j++) {
      const qj = q.subarray(j * r, (j + 1) * r);
      let dot = 0;
      for (let t = 0; t < r; t++) dot += qi[t] * qj[t];
      for (let t = 0; t < r; t++) qi[t] -= dot * qj[t];
    }
    let norm = 0;
    for (let t = 0; t < r; t++) norm += qi[t] * qi[t];
    norm = Math.sqrt(norm) || 1;
    for (let t = 0; t < r; t++) qi[t] /= norm;
  }
}

/** Rows orthonormalized per block on the backend: each block of ORTHO_BLOCK rows. */
const ORTHO_BLOCK = 64;

/**
 * The c rows (length r >= c) of `g` orthonormalized in order, which is QR's Q with a positive
 * diagonal R: for a Gaussian `g`, a Haar-random set of orthonormal rows.
 *
 * In JS (float64 modified Gram-Schmidt, r c^2 multiply-adds: about 1 s for 1024 x 1024), or, when
 * `onBackend`, by blocks: each block of rows is projected off the rows before it twice
 * (classical Gram-Schmidt with reorthogonalization, "twice is enough") with the backend's
 * matmuls, then orthonormalized within the block in JS: 2 r c^2 multiply-adds on the backend
 * (wasm: about 0.2 s for 1024 x 1024), orthogonal to float32 precision.
 */
export async function orthonormalRows(tf: TF, g: Float32Array, c: number, r: number, onBackend: boolean): Promise<Float64Array> {
  const q = Float64Array.from(g.subarray(0, c * r));
  if (!onBackend) {
    mgsRows(q, r, 0, c);
    return q;
  }
  let done: Tensor2D | undefined; // rows finished so far, [k, r]
  try {
    for (let start = 0; start < c; start += ORTHO_BLOCK) {
      const end = Math.min(c, start + ORTHO_BLOCK);
      if (done) {
        const prev = done;
        const projected = tf.tidy(() => {
          // x -= (x Q') Q, twice; Q' made explicitly (transposed matmuls are slow on wasm).
          const qt = tf.transpose(prev);
          let x: Tensor2D = tf.tensor2d(Float32Array.from(q.subarray(start * r, end * r)), [end - start, r]);
          for (let pass = 0; pass < 2; pass++) x = tf.sub(x, tf.matMul(tf.matMul(x, qt), prev));
          return x;
        });
        q.set(await projected.data(), start * r);
        projected.dispose();
      }
      mgsRows(q, r, start, end);
      const block = tf.tensor2d(Float32Array.from(q.subarray(start * r, end * r)), [end - start, r]);
      const next: Tensor2D = done ? tf.concat([done, block], 0) : block;
      if (done) {
        done.dispose();
        block.dispose();
      }
      done = next;
    }
    return q;
  } finally {
    done?.dispose();
  }
}

/** Unit-variance input: N(0, 1), or U(-sqrt 3, sqrt 3). */
function sampleInput(tf: TF, config: SimConfig, batch: number): Tensor2D {
  const seed = seedFor(config.seed, -1, TAG_INPUT);
  const shape: [number, number] = [batch, config.inputWidth];
  if (config.input === 'data' && config.data) return dataRows(tf, config.data, batch, seed);
  return config.input === 'uniform' ? tf.randomUniform(shape, -Math.sqrt(3), Math.sqrt(3), 'float32', seed) : tf.randomNormal(shape, 0, 1, 'float32', seed);
}

/** `batch` different rows of the user's data, drawn by the seed (a partial Fisher-Yates shuffle). */
export function dataRows(tf: TF, data: InputData, batch: number, seed: number): Tensor2D {
  const order = Int32Array.from({ length: data.rows }, (_, i) => i);
  let h = seed >>> 0;
  const out = new Float32Array(batch * data.cols);
  for (let i = 0; i < batch; i++) {
    h = mix32((h + 0x9e3779b9) >>> 0);
    const j = i + (h % (data.rows - i));
    [order[i], order[j]] = [order[j], order[i]];
    out.set(data.values.subarray(order[i] * data.cols, (order[i] + 1) * data.cols), i * data.cols);
  }
  return tf.tensor2d(out, [batch, data.cols]);
}

/** Layer i's kernel as run: its learned weights, or drawn from its spec (seeded). */
function layerKernel(tf: TF, config: SimConfig, p: Plan, i: number): Promise<Tensor2D> {
  const { fanIn, weights } = config.layers[i];
  if (weights && weights.length === fanIn * p.units[i]) return Promise.resolve(tf.tensor2d(weights, [fanIn, p.units[i]]));
  return sampleKernel(tf, p.kernels[i], fanIn, p.units[i], seedFor(config.seed, i, TAG_KERNEL));
}

async function sampleKernels(tf: TF, config: SimConfig, p: Plan, owned: Tensor[]): Promise<Tensor2D[]> {
  const ws: Tensor2D[] = [];
  for (let i = 0; i < config.layers.length; i++) {
    const w = await layerKernel(tf, config, p, i);
    owned.push(w);
    ws.push(w);
  }
  return ws;
}

/** Each layer's bias, [1, units], U(-a, a) with the layer's biasVariance; undefined for layers without one. */
function sampleBiases(tf: TF, config: SimConfig, p: Plan, owned: Tensor[]): Array<Tensor2D | undefined> {
  return config.layers.map((l, i) => {
    if (!(l.biasVariance !== undefined && l.biasVariance > 0)) return undefined;
    const a = Math.sqrt(3 * l.biasVariance);
    const b = tf.randomUniform([1, p.units[i]], -a, a, 'float32', seedFor(config.seed, i, TAG_BIAS)) as Tensor2D;
    owned.push(b);
    return b;
  });
}

// ---------------------------------------------------------------------------------------------
// Forward
// ---------------------------------------------------------------------------------------------

type MatMul = (a: Tensor2D, b: Tensor2D) => Tensor2D;
const explicitMatMuls = new WeakMap<object, MatMul>();

/**
 * a·b. On wasm its gradient uses explicitly transposed operands (see the design notes, "wasm
 * backward pass": wasm's transposed matmuls miss its fast kernel); elsewhere tf.matMul's own
 * gradient, whose transposed matmuls are as fast as plain ones (an explicit transpose costs the
 * cpu backend a copy).
 */
function matMulFor(tf: TF, explicitTranspose = tf.getBackend() === 'wasm'): MatMul {
  if (!explicitTranspose) return (a, b) => tf.matMul(a, b);
  let mm = explicitMatMuls.get(tf);
  if (!mm) {
    const f = tf.customGrad((...args: Array<Tensor | GradSaveFunc>) => {
      const a = args[0] as Tensor2D;
      const b = args[1] as Tensor2D;
      (args[2] as GradSaveFunc)([a, b]);
      return {
        value: tf.matMul(a, b) as Tensor2D,
        gradFunc: (dy: Tensor2D, saved: Tensor[]) => {
          const [sa, sb] = saved as Tensor2D[];
          return [tf.matMul(dy, tf.transpose(sb)), tf.matMul(tf.transpose(sa), dy)];
        },
      };
    });
    mm = (a, b) => f(a, b) as Tensor2D;
    explicitMatMuls.set(tf, mm);
  }
  return mm;
}

/** Row-gather indices for widen(), by (batch, copies): the same shapes recur run after run. */
const widenIndices = new Map<string, { forward: Int32Array; backward: Int32Array }>();

function widenPlan(batch: number, copies: number): { forward: Int32Array; backward: Int32Array } {
  const key = `${batch}x${copies}`;
  let plan = widenIndices.get(key);
  if (plan) return plan;
  // Row b * copies + c of the gathered rows is a's row (b + c) mod batch: reshaped to
  // [batch, copies * width], row b is [a_b, a_(b+1), ...], copy c rolled by c.
  const forward = new Int32Array(batch * copies);
  // Backward, a gather too (wasm has no scatter-add): row r of a collects, from each copy c,
  // the gradient row of sample (r - c) mod batch, i.e. gathered row ((r - c) mod batch) * copies + c.
  const backward = new Int32Array(batch * copies);
  for (let b = 0; b < batch; b++) {
    for (let c = 0; c < copies; c++) {
      forward[b * copies + c] = (b + c) % batch;
      backward[b * copies + c] = ((((b - c) % batch) + batch) % batch) * copies + c;
    }
  }
  plan = { forward, backward };
  if (widenIndices.size >= 64) widenIndices.clear();
  widenIndices.set(key, plan);
  return plan;
}

/**
 * The input of width fanIn > a's width that a layer reads (see the header): x = [a, roll_1(a),
 * roll_2(a), ...], copy c with its rows (the samples) rolled by c, a partial last copy taking
 * a's first columns. One gather of rows each way: built from slices and concatenations it took
 * a few ops per copy, which for a first pass of a wide model (fan_in 1024 over 16 units: 64
 * copies a layer) made thousands of small ops, about 1 s on wasm; a gather of single elements
 * cost as much again in wasm's per-index checks.
 */
export function widen(tf: TF, a: Tensor2D, fanIn: number): Tensor2D {
  const [batch, width] = a.shape;
  const copies = Math.ceil(fanIn / width);
  const plan = widenPlan(batch, copies);
  const f = tf.customGrad((...args: Array<Tensor | GradSaveFunc>) => {
    const rows = tf.gather(args[0] as Tensor2D, tf.tensor1d(plan.forward, 'int32'));
    const full = tf.reshape(rows, [batch, copies * width]) as Tensor2D;
    const value = copies * width === fanIn ? full : tf.slice(full, [0, 0], [batch, fanIn]);
    return {
      value,
      gradFunc: (dx: Tensor2D) => {
        const padded = copies * width === fanIn ? dx : tf.concat([dx, tf.zeros([batch, copies * width - fanIn])], 1);
        const parts = tf.gather(tf.reshape(padded, [batch * copies, width]), tf.tensor1d(plan.backward, 'int32'));
        return tf.sum(tf.reshape(parts, [batch, copies, width]), 1);
      },
    };
  });
  return f(a) as Tensor2D;
}

/**
 * z = x·W where x, of width fanIn, is built from the previous activation `a` (see the header):
 * wider, by widen(); a smaller fanIn takes a's first fanIn columns, as a·W with W padded by
 * zero rows (column slices take a slow generic path on the cpu backend).
 */
export function layerMatMul(tf: TF, a: Tensor2D, w: Tensor2D, mm: MatMul = matMulFor(tf)): Tensor2D {
  const width = a.shape[1];
  const [fanIn, units] = w.shape;
  if (fanIn > width) return mm(widen(tf, a, fanIn), w);
  return mm(a, fanIn === width ? w : tf.concat([w, tf.zeros([width - fanIn, units])], 0));
}

function standardize(tf: TF, z: Tensor2D, how: SimLayerSpec['normalize']): Tensor2D {
  if (how === 'none') return z;
  const { mean, variance } = tf.moments(z, how === 'batch' ? 0 : 1, true);
  return tf.mul(tf.sub(z, mean), tf.rsqrt(tf.add(variance, NORM_EPS)));
}

/**
 * A layer's input as its matmul reads it, from what the layer before handed forward: standardised
 * over the batch where the layer asks (a normalization after the previous activation), widened
 * to fan_in by rolled copies where fan_in is wider (a smaller fan_in is layerMatMul's to cut).
 */
function layerInput(tf: TF, a: Tensor2D, layer: SimLayerSpec): Tensor2D {
  const x = layer.normalizeInput ? standardize(tf, a, 'batch') : a;
  return layer.fanIn > x.shape[1] ? widen(tf, x, layer.fanIn) : x;
}

/** What a layer hands forward from its z: normalized where it says, activated. */
function layerOutput(tf: TF, z: Tensor2D, layer: SimLayerSpec, act: ActivationPlan): Tensor2D {
  return activate(tf, standardize(tf, z, layer.normalize), act);
}

export interface ActivationPlan {
  canonical: string;
  family: ActivationFamily;
  alpha?: number;
  /** Not in the engine's catalogue: run as the identity (the panel says so). */
  unknown?: boolean;
}

/**
 * The activation by the engine's catalogue (src/engine/activations.ts), with its slope for
 * leaky ReLU and PReLU as the catalogue resolves it. A name the catalogue does not know cannot
 * be run: it is simulated as the identity, flagged `unknown` (the panel and the prediction say so).
 */
export function activationPlan(activation: { name: string; alpha?: number }): ActivationPlan {
  const info = lookupActivation(activation.name, activation.alpha);
  if (!info || info.family === 'unknown') return { canonical: 'linear', family: 'linear', unknown: true };
  return { canonical: info.name, family: info.family, alpha: info.alpha };
}

/**
 * Every activation of the catalogue, as src/engine/activations.ts defines it (its FUNCTIONS
 * table and closed forms): the moments the prediction uses are of these same functions.
 */
export function activate(tf: TF, x: Tensor2D, act: ActivationPlan): Tensor2D {
  // Keras 3 / PyTorch hard sigmoid: relu6(x + 3) / 6 = clip(x / 6 + 1/2, 0, 1).
  const hardSigmoid = (t: Tensor2D): Tensor2D => tf.clipByValue(tf.add(tf.div(t, 6), 0.5), 0, 1) as Tensor2D;
  switch (act.canonical) {
    case 'relu':
      return tf.relu(x);
    case 'relu6':
      return tf.relu6(x);
    // The catalogue gives leaky ReLU its slope (the framework's default when the code has none).
    case 'leaky_relu':
      return tf.leakyRelu(x, act.alpha ?? 0.01);
    // PReLU at its initial slope; without one, 0 (Keras PReLU starts at 0): ReLU.
    case 'prelu':
      return act.alpha !== undefined ? tf.leakyRelu(x, act.alpha) : tf.relu(x);
    // CELU with its default alpha = 1 is ELU.
    case 'elu':
    case 'celu':
      return tf.elu(x);
    case 'selu':
      return tf.selu(x);
    case 'tanh':
      return tf.tanh(x);
    case 'softsign':
      return tf.div<Tensor2D>(x, tf.add(1, tf.abs(x)));
    case 'hardtanh':
      return tf.clipByValue(x, -1, 1) as Tensor2D;
    case 'sigmoid':
      return tf.sigmoid(x);
    case 'hard_sigmoid':
      return hardSigmoid(x);
    case 'softmax':
      return tf.softmax(x);
    case 'log_softmax':
      return tf.logSoftmax(x);
    // Exact (erf) GELU.
    case 'gelu':
      return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2))));
    case 'silu':
      return tf.mul(x, tf.sigmoid(x));
    case 'mish':
      return tf.mul(x, tf.tanh(tf.softplus(x)));
    case 'softplus':
      return tf.softplus(x);
    case 'hard_swish':
      return tf.mul(x, hardSigmoid(x));
    case 'exponential':
      return tf.exp(x);
    case 'linear':
      return x;
    default:
      throw new Error(`simulate: activation ${act.canonical} is in the catalogue but not simulated`);
  }
}

/** What forward() sees of layer i: its input x (as the matmul reads it: standardised when asked, widened to fan_in), pre-activation z (before any normalization) and activation a. */
type LayerHook = (i: number, x: Tensor2D, z: Tensor2D, a: Tensor2D) => void;

interface ForwardExtras {
  /** Per-layer bias added to z ([1, units]), or undefined. */
  biases?: Array<Tensor2D | undefined>;
  /** Per-layer zero tensor added to z: its gradient is dL/dz. */
  probes?: Tensor[];
  each?: LayerHook;
}

/** Run the stack (with its residual adds). */
function forward(tf: TF, mm: MatMul, x0: Tensor2D, ws: Tensor[], layers: SimLayerSpec[], acts: ActivationPlan[], extras: ForwardExtras = {}): Tensor2D {
  let a = x0;
  // What each layer hands forward: its activation, plus the stream it is added to (residualFrom).
  const outs: Tensor2D[] = [];
  layers.forEach((layer, i) => {
    // Widened here, not in layerMatMul, so the hook sees the input as the matmul reads it.
    const x = layerInput(tf, a, layer);
    let z = layerMatMul(tf, x, ws[i] as Tensor2D, mm);
    const bias = extras.biases?.[i];
    if (bias) z = tf.add(z, bias);
    const probe = extras.probes?.[i];
    if (probe) z = tf.add(z, probe);
    const next = layerOutput(tf, z, layer, acts[i]);
    extras.each?.(i, x, z, next);
    a = layer.residualFrom === undefined ? next : tf.add(next, outs[layer.residualFrom]);
    outs.push(a);
  });
  return a;
}

/**
 * Per sample b, the mean square of the fanIn inputs the layer's matmul reads (its first fanIn
 * columns of x; forward() hands the hook x already widened): [batch].
 */
export function inputRowMoments(tf: TF, x: Tensor2D, fanIn: number): Tensor {
  return tf.tidy(() => {
    const [batch, width] = x.shape;
    const sq = tf.square(x);
    return tf.div(tf.sum(fanIn >= width ? sq : tf.slice(sq, [0, 0], [batch, fanIn]), 1), fanIn);
  });
}

// ---------------------------------------------------------------------------------------------
// Statistics (float64, JS side)
// ---------------------------------------------------------------------------------------------

function meanVar(v: ArrayLike<number>): [number, number] {
  const n = v.length;
  if (n === 0) return [0, 0];
  let s = 0;
  for (let i = 0; i < n; i++) s += v[i];
  const mean = s / n;
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const d = v[i] - mean;
    ss += d * d;
  }
  return [mean, ss / n];
}

/** HISTOGRAM_BINS equal bins over the 0.1 %-99.9 % quantiles of the finite values; values outside count in the end bins. */
export function histogram(v: ArrayLike<number>, bins = HISTOGRAM_BINS): Histogram {
  const stride = Math.max(1, Math.floor(v.length / 65536));
  const sample: number[] = [];
  for (let i = 0; i < v.length; i += stride) if (Number.isFinite(v[i])) sample.push(v[i]);
  const sorted = Float64Array.from(sample).sort();
  let lo = 0;
  let hi = 0;
  if (sorted.length > 0) {
    const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(p * (sorted.length - 1))))];
    lo = q(0.001);
    hi = q(0.999);
    if (!(hi > lo)) {
      lo = sorted[0];
      hi = sorted[sorted.length - 1];
    }
  }
  if (!(hi > lo)) {
    const d = Math.abs(lo) > 0 ? Math.abs(lo) * 0.5 : 0.5;
    lo -= d;
    hi += d;
  }
  const width = (hi - lo) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, i) => (i === bins ? hi : lo + i * width));
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if (!Number.isFinite(x)) continue;
    const b = Math.floor((x - lo) / width);
    counts[b < 0 ? 0 : b >= bins ? bins - 1 : b]++;
  }
  return { edges, counts };
}

/** Number of distinct columns of a row-major [batch, units] matrix (identical units count once). */
export function distinctColumns(v: ArrayLike<number>, batch: number, units: number, rtol = DISTINCT_RTOL): number {
  // Column-major copy, so comparing two units walks contiguous memory.
  const cols = new Float64Array(batch * units);
  for (let b = 0; b < batch; b++) for (let k = 0; k < units; k++) cols[k * batch + b] = v[b * units + k];
  const reps: number[] = [];
  for (let k = 0; k < units; k++) {
    const ck = k * batch;
    let found = false;
    for (const r of reps) {
      const cr = r * batch;
      let same = true;
      for (let b = 0; b < batch; b++) {
        const x = cols[ck + b];
        const y = cols[cr + b];
        // NaN where the other unit has NaN counts as equal: identical units overflow alike.
        if (x === y || (x !== x && y !== y)) continue;
        if (!(Math.abs(x - y) <= rtol * Math.max(Math.abs(x), Math.abs(y)))) {
          same = false;
          break;
        }
      }
      if (same) {
        found = true;
        break;
      }
    }
    if (!found) reps.push(k);
  }
  return reps.length;
}

/** Per-sample gradient statistics of a layer: dL/dz of the batch loss and the row mean squares of the layer's input. */
interface GradientData {
  /** dL/dz, [batch, units] row-major, for loss = mean over the batch of the per-sample loss. */
  dz: ArrayLike<number>;
  /** Per sample, the mean square of the layer's fan_in inputs. */
  inputMoments: ArrayLike<number>;
}

function layerStats(
  z: ArrayLike<number>,
  a: ArrayLike<number>,
  grad: ArrayLike<number>,
  g: GradientData,
  batch: number,
  units: number,
  act: ActivationPlan,
): LayerStats {
  const [preMean, preVar] = meanVar(z);
  const [actMean, actVar] = meanVar(a);
  // Saturated: within 1 % of the activation's bound (tanh family: |a| > 0.99; sigmoid family:
  // outside [0.01, 0.99]), where its derivative is nearly 0.
  let saturated = 0;
  if (act.family === 'tanh' || act.family === 'sigmoid') {
    let n = 0;
    for (let i = 0; i < a.length; i++) {
      const x = a[i];
      if (act.family === 'tanh' ? Math.abs(x) > 0.99 : x < 0.01 || x > 0.99) n++;
    }
    saturated = n / a.length;
  }
  let dead = 0;
  if (act.family === 'relu') {
    let n = 0;
    for (let k = 0; k < units; k++) {
      let alive = false;
      for (let b = 0; b < batch && !alive; b++) alive = a[b * units + k] !== 0;
      if (!alive) n++;
    }
    dead = n / units;
  }
  // Per sample b, the gradient of its own loss l_b (the batch loss is their mean, so
  // dl_b/dz = B dL/dz_b) w.r.t. W is the outer product x_b (dl_b/dz_b): deltaMoment is
  // E[(dl_b/dz)^2] and gradMoment E[x^2] E[(dl_b/dz)^2], the gradient's second moment with its
  // two factors' second moments taken over the batch separately (as mean-field theory has
  // them; their covariance across samples is a finite-width effect).
  let deltaMoment = 0;
  for (let i = 0; i < g.dz.length; i++) deltaMoment += g.dz[i] * g.dz[i];
  deltaMoment *= batch / units; // B^2 / (B units)
  let inputMoment = 0;
  for (let b = 0; b < batch; b++) inputMoment += g.inputMoments[b] / batch;
  const gradMoment = inputMoment * deltaMoment;
  return {
    preMean,
    preVar,
    actMean,
    actVar,
    saturated,
    dead,
    gradVar: meanVar(grad)[1],
    gradMoment,
    deltaMoment,
    distinct: distinctColumns(a, batch, units),
    histogram: histogram(a),
  };
}

const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

// ---------------------------------------------------------------------------------------------
// Entry points
// ---------------------------------------------------------------------------------------------

/**
 * Simulate one initialization of `config`: draw the input and every kernel (seeded), run the
 * stack forward, take dL/dW for loss = mean(output^2), and measure each layer. `ms` is the whole
 * run, stopped after the last `data()` resolved and the statistics were computed.
 */
export async function simulate(tf: TF, config: SimConfig, options: SimOptions = {}): Promise<SimResult> {
  validate(config);
  const t0 = now();
  const backend = tf.getBackend();
  const p = plan(config, backend, options);
  const owned: Tensor[] = [];
  const kept: Tensor[] = [];
  try {
    const layers: LayerStats[] = [];
    const unknown = new Set<string>();
    if (config.layers.length > 0) {
      const x = sampleInput(tf, config, p.batch);
      owned.push(x);
      const ws = await sampleKernels(tf, config, p, owned);
      const biases = sampleBiases(tf, config, p, owned);
      const probes = p.units.map((u) => tf.zeros([p.batch, u]));
      owned.push(...probes);
      const acts = config.layers.map((l) => activationPlan(l.activation));
      acts.forEach((a, i) => {
        if (a.unknown) unknown.add(config.layers[i].activation.name);
      });
      const mm = matMulFor(tf, options.explicitTranspose);
      // tf.valueAndGrads tidies what f makes: keep z, a and the input's row moments of every
      // layer, dispose them below.
      const n = config.layers.length;
      const f = (...vars: Tensor[]): Scalar => {
        const out = forward(tf, mm, x, vars.slice(0, n), config.layers, acts, {
          biases,
          probes: vars.slice(n),
          each: (i, xin, z, a) => {
            kept.push(tf.keep(z), tf.keep(a), tf.keep(inputRowMoments(tf, xin, config.layers[i].fanIn)));
          },
        });
        return tf.mean(tf.square(out));
      };
      const { value, grads } = tf.valueAndGrads(f)([...ws, ...probes]);
      owned.push(value, ...grads);
      for (let i = 0; i < n; i++) {
        const [z, a, rows] = kept.slice(3 * i, 3 * i + 3);
        const [zd, ad, gd, dzd, rd] = await Promise.all([z.data(), a.data(), grads[i].data(), grads[n + i].data(), rows.data()]);
        layers.push(layerStats(zd, ad, gd, { dz: dzd, inputMoments: rd }, p.batch, p.units[i], acts[i]));
        // Release as we go: at full size each layer's z and a are megabytes.
        tf.dispose([z, a, rows, grads[i], grads[n + i]]);
        if (!Number.isFinite(layers[i].actVar) || !Number.isFinite(layers[i].preVar)) {
          p.notes.push(`layer ${i + 1}: values overflow float32 (Infinity or NaN)`);
        }
      }
    }
    if (unknown.size > 0) p.notes.push(`${[...unknown].map((u) => `"${u}"`).join(', ')}: not in the activation catalogue, simulated (and predicted) as linear`);
    const result: SimResult = { layers, backend, ms: now() - t0, batch: p.batch, units: p.units };
    if (p.notes.length > 0) result.reduced = p.notes.join('; ');
    return result;
  } finally {
    tf.dispose(kept);
    tf.dispose(owned);
  }
}

/**
 * The data-driven initializers' common walk (lsuv, pretrain): layer by layer on the run's own
 * input batch (seeded as simulate() draws it), `fit` gets each layer's input (layerInput: at
 * least fan_in wide, the matmul reading its first fan_in columns), the
 * layer's kernel (its learned weights or drawn from its spec) and its bias, and returns the
 * kernel to run the layer with; the layer's output (normalization, activation, residual add) is
 * the next layer's input. Every tensor made here, and every kernel `fit` returns, is disposed.
 */
async function layerByLayer(
  tf: TF,
  config: SimConfig,
  options: SimOptions,
  fit: (i: number, x: Tensor2D, w: Tensor2D, bias: Tensor2D | undefined) => Promise<Tensor2D>,
): Promise<void> {
  validate(config);
  const p = plan(config, tf.getBackend(), options);
  const acts = config.layers.map((l) => activationPlan(l.activation));
  const owned: Tensor[] = [];
  try {
    let a = sampleInput(tf, config, p.batch);
    owned.push(a);
    const biases = sampleBiases(tf, config, p, owned);
    const outs: Tensor2D[] = [];
    for (let i = 0; i < config.layers.length; i++) {
      const layer = config.layers[i];
      const input = a;
      const x = tf.tidy(() => layerInput(tf, input, layer));
      owned.push(x);
      const drawn = await layerKernel(tf, config, p, i);
      owned.push(drawn);
      const w = await fit(i, x, drawn, biases[i]);
      if (w !== drawn) owned.push(w);
      const bias = biases[i];
      const next = tf.tidy(() => {
        const z = layerMatMul(tf, x, w);
        return layerOutput(tf, bias ? tf.add(z, bias) : z, layer, acts[i]);
      });
      owned.push(next);
      a = layer.residualFrom === undefined ? next : (tf.tidy(() => tf.add(next, outs[layer.residualFrom as number])) as Tensor2D);
      if (a !== next) owned.push(a);
      outs.push(a);
    }
  } finally {
    tf.dispose(owned);
  }
}

/** LSUV stops rescaling a layer when Var(z) is within this of 1, or after LSUV_MAX_ITERATIONS (the paper's Tol_var and T_max). */
export const LSUV_TOLERANCE = 0.01;
export const LSUV_MAX_ITERATIONS = 10;

export interface LsuvResult {
  /** The config with each rescaled layer's kernel: orthogonal, with the variance LSUV arrived at. */
  config: SimConfig;
  /** Per layer, the factor LSUV put on the orthogonal kernel's standard deviation (1: not rescaled). */
  gains: number[];
}

/**
 * Layer-sequential unit-variance initialization (Mishkin & Matas 2016, "All you need is a good
 * init", Algorithm 1), on the run's own input batch: each layer marked in `which`, in order,
 * starts from an orthogonal kernel (its spec in `config`), and is divided by the standard
 * deviation of its output z = x W (+ b; before normalization and activation, as the paper's
 * Caffe layers have it) until Var(z) is within LSUV_TOLERANCE of 1. Without a bias one step is
 * exact (z is linear in W); a bias takes a few. Layers not marked keep their kernels and are
 * only run forward. The result is seeded like simulate(): the same seed draws the same
 * orthonormal matrices there, so simulate(result.config) measures Var(z) = 1 on this batch.
 */
export async function lsuv(tf: TF, config: SimConfig, which: readonly boolean[], options: SimOptions = {}): Promise<LsuvResult> {
  const layers = config.layers.map((l) => ({ ...l }));
  const gains = layers.map(() => 1);
  await layerByLayer(tf, config, options, async (i, x, w, bias) => {
    if (!which[i]) return w;
    const xw = tf.tidy(() => layerMatMul(tf, x, w));
    try {
      for (let t = 0; t < LSUV_MAX_ITERATIONS; t++) {
        const z = tf.tidy(() => (bias ? tf.add(tf.mul(xw, gains[i]), bias) : tf.mul(xw, gains[i])));
        const [, variance] = meanVar(await z.data());
        z.dispose();
        if (!(variance > 0) || !Number.isFinite(variance) || Math.abs(variance - 1) < LSUV_TOLERANCE) break;
        gains[i] /= Math.sqrt(variance);
      }
    } finally {
      xw.dispose();
    }
    const layer = layers[i];
    const base = layer.kernel.variance ?? 1 / Math.max(layer.fanIn, layer.units);
    layer.kernel = { label: `LSUV: orthogonal × ${Number(gains[i].toPrecision(3))}`, distribution: 'orthogonal', variance: base * gains[i] * gains[i] };
    layer.lsuv = true;
    return tf.mul(w, gains[i]) as Tensor2D;
  });
  return { config: { ...config, layers }, gains };
}

/** Greedy layerwise pretraining: Adam steps per layer, and their learning rate. */
export const PRETRAIN_STEPS = 100;
export const PRETRAIN_LEARNING_RATE = 0.01;

export interface PretrainResult {
  /** The config with each pretrained layer's learned kernel (`weights`), described in its `kernel`. */
  config: SimConfig;
  /** Per layer, the autoencoder's reconstruction loss before and after training (undefined: not pretrained). */
  losses: Array<[number, number] | undefined>;
}

/**
 * Greedy layerwise pretraining (Hinton & Salakhutdinov 2006; Bengio et al. 2007 with
 * autoencoders in place of RBMs), on the run's own input batch: each layer marked in `which`,
 * in order, is the encoder of a tied-weight autoencoder, h = phi(x W + b), x' = h W^T + c,
 * trained for PRETRAIN_STEPS Adam steps on the mean squared reconstruction error of its input
 * x (the previous layers' outputs, already pretrained), starting from the kernel `config` gives
 * it. Only the learned W is kept: the simulation then runs the stack with it (biases as the
 * config has them). Layers not marked keep their kernels and are only run forward.
 */
export async function pretrain(
  tf: TF,
  config: SimConfig,
  which: readonly boolean[],
  options: SimOptions & { steps?: number; learningRate?: number } = {},
): Promise<PretrainResult> {
  const layers = config.layers.map((l) => ({ ...l }));
  const losses: PretrainResult['losses'] = layers.map(() => undefined);
  const steps = options.steps ?? PRETRAIN_STEPS;
  await layerByLayer(tf, config, options, async (i, x, w) => {
    if (!which[i]) return w;
    const layer = layers[i];
    const act = activationPlan(layer.activation);
    // The autoencoder reconstructs what the layer reads: its first fan_in columns.
    const input = x.shape[1] > layer.fanIn ? tf.slice(x, [0, 0], [x.shape[0], layer.fanIn]) : x;
    const kernel = tf.variable(w, true);
    // tidy: a variable keeps its value; the zeros it was made from go.
    const encoderBias = tf.tidy(() => tf.variable(tf.zeros([1, w.shape[1]]), true));
    const decoderBias = tf.tidy(() => tf.variable(tf.zeros([1, layer.fanIn]), true));
    const optimizer = tf.train.adam(options.learningRate ?? PRETRAIN_LEARNING_RATE);
    const loss = () =>
      tf.tidy(() => {
        const h = activate(tf, tf.add(tf.matMul(input, kernel), encoderBias) as Tensor2D, act);
        const reconstruction = tf.add(tf.matMul(h, kernel, false, true), decoderBias);
        return tf.mean(tf.square(tf.sub(reconstruction, input))) as Scalar;
      });
    const lossNow = async () => {
      const l = loss();
      const v = (await l.data())[0];
      l.dispose();
      return v;
    };
    try {
      const before = await lossNow();
      for (let t = 0; t < steps; t++) optimizer.minimize(loss, false, [kernel, encoderBias, decoderBias]);
      losses[i] = [before, await lossNow()];
      const learned = tf.clone(kernel) as Tensor2D;
      const weights = (await learned.data()) as Float32Array;
      // Var(w) as the prediction reads it: E[w^2] (the learned weights need not have mean 0).
      const [mean, variance] = meanVar(weights);
      layer.weights = weights;
      layer.kernel = {
        label: `Pretrained: autoencoder, ${steps} steps (from ${layer.kernel.label})`,
        distribution: 'normal',
        variance: variance + mean * mean,
      };
      return learned;
    } finally {
      optimizer.dispose();
      tf.dispose([kernel, encoderBias, decoderBias]);
      if (input !== x) input.dispose();
    }
  });
  return { config: { ...config, layers }, losses };
}

/**
 * The symmetry demo: `steps` SGD steps (learning rate `lr`, gradient norm clipped to 1) on an
 * MSE loss against a random target, from the same seeded initialization as simulate(); the number of distinct units per
 * layer before and after. Identical units receive identical updates, so a constant kernel
 * stays at 1 distinct unit per layer; a random one stays at `units`. The target is random per
 * sample and the same for every output unit, so the output units are interchangeable too
 * (with a different target per output unit, the output layer's units would differ after one
 * step, while the hidden layers would still stay identical).
 */
export async function symmetryDemo(tf: TF, config: SimConfig, steps = 5, lr = 0.1, options: SimOptions = {}): Promise<{ before: number[]; after: number[] }> {
  validate(config);
  if (config.layers.length === 0) return { before: [], after: [] };
  // Each step costs about a simulate() run: the cpu cap is shared among the steps.
  const backend = tf.getBackend();
  const p = plan(config, backend, {
    ...options,
    workBudget: options.workBudget ?? (backend === 'cpu' ? CPU_WORK_BUDGET : ACCELERATED_WORK_BUDGET) / Math.max(1, steps),
  });
  const acts = config.layers.map((l) => activationPlan(l.activation));
  const mm = matMulFor(tf, options.explicitTranspose);
  const owned: Tensor[] = [];
  let ws: Tensor2D[] = [];
  try {
    const x = sampleInput(tf, config, p.batch);
    const y = tf.randomNormal([p.batch, 1], 0, 1, 'float32', seedFor(config.seed, -1, TAG_TARGET));
    owned.push(x, y);
    // The initial kernels go in `owned` too (disposing twice is harmless), in case a draw throws.
    ws = await sampleKernels(tf, config, p, owned);
    const biases = sampleBiases(tf, config, p, owned);
    const distinct = async (): Promise<number[]> => {
      const as = tf.tidy(() => {
        const out: Tensor2D[] = [];
        forward(tf, mm, x, ws, config.layers, acts, {
          biases,
          each: (_i, _x, _z, a) => {
            out.push(a);
          },
        });
        return out;
      });
      try {
        const counts: number[] = [];
        for (let i = 0; i < as.length; i++) counts.push(distinctColumns(await as[i].data(), p.batch, p.units[i]));
        return counts;
      } finally {
        tf.dispose(as);
      }
    };
    const before = await distinct();
    const loss = (...kernels: Tensor[]): Scalar => tf.mean(tf.square(tf.sub(forward(tf, mm, x, kernels, config.layers, acts, { biases }), y)));
    for (let s = 0; s < steps; s++) {
      const grads = tf.grads(loss)(ws);
      // SGD with the gradient's global norm clipped to 1: a constant kernel's outputs can be
      // huge (0.5 x fan_in per layer), and a plain step would overflow to NaN. One scale for
      // every unit, so it breaks no symmetry.
      const next = tf.tidy(() => {
        const norm = tf.sqrt(tf.addN(grads.map((g) => tf.sum(tf.square(g)))));
        const step = tf.div(lr, tf.maximum(norm, 1));
        return ws.map((w, i) => tf.sub(w, tf.mul(grads[i], step)) as Tensor2D);
      });
      tf.dispose(grads);
      tf.dispose(ws);
      ws = next;
    }
    const after = await distinct();
    return { before, after };
  } finally {
    tf.dispose(ws);
    tf.dispose(owned);
  }
}
