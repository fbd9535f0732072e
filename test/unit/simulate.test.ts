/**
 * The simulation core of the Simulate Initialization panel (webview/sim/): Monte Carlo runs of
 * layer stacks in TensorFlow.js (cpu backend) against the tutorial's findings and the engine's
 * analytic prediction, kernel sampling, the symmetry demo, tensor hygiene, and the panel's
 * initializer choices against the catalogue.
 *
 * Monte Carlo tolerances are computed from the sizes (batch B, widths n_l, seeds K) and
 * asserted at 4 standard deviations; the runs are seeded, so the test is deterministic, and
 * the 4 sigma is what keeps it from depending on the particular seed.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import {
  activate,
  activationPlan,
  CPU_WORK_BUDGET,
  distinctColumns,
  histogram,
  layerMatMul,
  lsuv,
  LSUV_TOLERANCE,
  pretrain,
  orthonormalRows,
  sampleKernel,
  seedFor,
  simulate,
  symmetryDemo,
} from '../../webview/sim/simulate';
import { kernelFor, CHOICE_INITIALIZERS } from '../../webview/sim/choices';
import { pairMoment, piecewiseLinearPairs, predictedVariances, predictLayers } from '../../webview/sim/predict';
import { activationFunction, activationInfo, leakySlope } from '../../src/engine/activations';
import { activationMoments } from '../../src/engine/moments';
import type { SimConfig, SimLayerSpec, SimResult } from '../../webview/sim/types';
import { INIT_CHOICES, type KernelSpec } from '../../src/protocol';
import { kernelVariance, resolveInitializer } from '../../src/engine/initializers';

tf.env().set('IS_TEST', true);

before(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

const normal = (variance: number): KernelSpec => ({ label: `N(0, ${variance})`, distribution: 'normal', variance });

function layer(
  fanIn: number,
  units: number,
  kernel: KernelSpec,
  activation: string,
  normalize: SimLayerSpec['normalize'] = 'none',
  alpha?: number,
): SimLayerSpec {
  return { fanIn, units, kernel, activation: alpha === undefined ? { name: activation } : { name: activation, alpha }, normalize };
}

/** `depth` layers of `width` units after an input of `inputWidth`; `kernel` gets each layer's fans. */
function stack(
  depth: number,
  width: number,
  kernel: (fanIn: number, units: number) => KernelSpec,
  activation: string,
  opts: { inputWidth?: number; batch?: number; seed?: number } = {},
): SimConfig {
  const inputWidth = opts.inputWidth ?? width;
  return {
    inputWidth,
    batch: opts.batch ?? 256,
    seed: opts.seed ?? 1,
    input: 'normal',
    layers: Array.from({ length: depth }, (_, i) => layer(i === 0 ? inputWidth : width, width, kernel(i === 0 ? inputWidth : width, width), activation)),
  };
}

const he = (fanIn: number, units: number) => kernelFor('he_normal', fanIn, units, normal(0), 'relu');
const lecun = (fanIn: number, units: number) => kernelFor('lecun_normal', fanIn, units, normal(0), 'selu');

/** The measured second moment E[a^2] per layer: what predictedVariances predicts. */
const secondMoments = (r: SimResult) => r.layers.map((l) => l.actVar + l.actMean ** 2);

/** Seeds 1..k of the same configuration, the per-layer mean of E[a^2]. */
async function meanSecondMoments(config: SimConfig, k: number): Promise<number[]> {
  const sum = new Array<number>(config.layers.length).fill(0);
  for (let s = 1; s <= k; s++) {
    const q = secondMoments(await simulate(tf, { ...config, seed: 1000 + s }, { workBudget: Infinity }));
    q.forEach((x, i) => {
      sum[i] += x / k;
    });
  }
  return sum;
}

/**
 * 4-sigma tolerances for linear layers with Gaussian-like kernels (the derivation is in the
 * first test of "measured variances match predictedVariances"): V_l = 2/(B n_0) +
 * sum_{j<=l} 2 (j/f_j + 1/B) / n_j, with f_j layer j's fan_in and n_j its units.
 */
function linearTolerance(config: SimConfig): number[] {
  const B = config.batch;
  let V = 2 / (B * config.inputWidth);
  return config.layers.map((l, j) => {
    V += (2 * ((j + 1) / l.fanIn + 1 / B)) / l.units;
    return 4 * Math.sqrt(V);
  });
}

function assertWithin(measured: number[], predicted: number[], tol: number[], what: string): void {
  measured.forEach((m, i) => {
    const rel = m / predicted[i] - 1;
    assert.ok(
      Math.abs(rel) <= tol[i],
      `${what}, layer ${i + 1}: measured ${m.toPrecision(5)}, predicted ${predicted[i].toPrecision(5)} (relative error ${rel.toFixed(4)}, tolerance ${tol[i].toFixed(4)})`,
    );
  });
}

// ---------------------------------------------------------------------------------------------
// The tutorial's two experiments: input 100, 5 hidden x 50 tanh, batch 500
// ---------------------------------------------------------------------------------------------

describe('the tutorial (input 100, 5 x 50 tanh, batch 500)', () => {
  const tutorial = (variance: number): SimConfig => ({
    inputWidth: 100,
    batch: 500,
    seed: 7,
    input: 'normal',
    layers: [layer(100, 50, normal(variance), 'tanh'), ...Array.from({ length: 4 }, () => layer(50, 50, normal(variance), 'tanh'))],
  });

  test('N(0, 0.01²): the activation variance collapses by orders of magnitude per layer', async () => {
    const r = await simulate(tf, tutorial(1e-4));
    const v = r.layers.map((l) => l.actVar);
    // tanh is linear at these scales, so each layer multiplies the variance by fan_in x 1e-4:
    // 1e-2 for the first (fan_in 100), 5e-3 after (fan_in 50). Asserted: < 2e-2 of the unit
    // input, then < 1e-2 of the layer before, and below 1e-10 after five layers (expected 5e-12).
    assert.ok(v[0] < 2e-2, `layer 1: ${v[0]}`);
    for (let i = 1; i < v.length; i++) assert.ok(v[i] < 1e-2 * v[i - 1], `layer ${i + 1}: ${v[i]} vs ${v[i - 1]} before`);
    assert.ok(v[4] < 1e-10, `layer 5: ${v[4]}`);
    for (const l of r.layers) assert.equal(l.saturated, 0);
  });

  test('N(0, 1): most tanh units saturate', async () => {
    const r = await simulate(tf, tutorial(1));
    // Pre-activations have standard deviation ~sqrt(50) = 7: |tanh| > 0.99 for about 70 %.
    r.layers.forEach((l, i) => assert.ok(l.saturated > 0.5, `layer ${i + 1}: saturated ${l.saturated}`));
    assert.equal(r.backend, 'cpu');
    assert.ok(r.ms > 0);
    assert.equal(r.reduced, undefined);
  });
});

// ---------------------------------------------------------------------------------------------
// Measurement against the engine's prediction (g = fan_in x Var(w) x m)
// ---------------------------------------------------------------------------------------------

describe('measured variances match predictedVariances', () => {
  test('linear stacks, 6 x 256, LeCun normal (g = 1) and He normal (g = 2), batch 512', async () => {
    // Tolerance. Given layer l's input (batch second-moment matrix S, width n_{l-1}), the
    // measured E[a^2] is (1/n_l) sum_k w_k' S w_k: an average over the n_l independent kernel
    // columns, with relative variance 2 tr(S^2) / (n_l tr(S)^2) for Gaussian weights (less for
    // the lighter-tailed truncated normal). For white input tr(S^2)/tr(S)^2 = 1/n_0 + 1/B, and
    // every random linear layer before adds about 1/n (the second moment of a product of l
    // Ginibre matrices is l + 1), so layer l adds v_l = 2 (l/n + 1/B) / n, and the input's own
    // sample variance adds 2 / (B n_0). Relative variance at layer l: V_l = 2/(B n_0) + sum v_j
    // (linearTolerance; 4 sqrt(V) is 4 % at layer 1 and 11 % at layer 6 here).
    for (const [name, kernel] of [
      ['LeCun normal', lecun],
      ['He normal', he],
    ] as const) {
      const config = stack(6, 256, kernel, 'linear', { batch: 512, seed: 3 });
      const r = await simulate(tf, config, { workBudget: Infinity });
      assertWithin(secondMoments(r), predictedVariances(config), linearTolerance(config), `linear, ${name}`);
    }
  });

  test('ReLU stacks, 6 x 128, He normal (g = 1) and LeCun normal (g = 1/2), mean of 32 seeds, batch 64', async () => {
    // Tolerance. In ReLU stacks the samples of a batch become correlated with depth, so the
    // batch averages little away: the noise is the finite width's. For one input, E[a^2] at
    // layer l has relative variance prod_j (1 + 5/n_j) - 1 (Hanin & Rolnick 2018:
    // E[relu(z)^4] / E[relu(z)^2]^2 = 6 per unit), an upper bound for a batch. The first layer
    // sees white input, where the batch does average: v_1 = (2/n_0 + 2/B + 5/B) / n_1 (kernel
    // columns, input sample, relu(z)^2 per sample). Mean of K seeds: V_l / K. So layer 1 is
    // checked to about 2 %, the deep layers only to about 30 %: their exact gain is what
    // the linear test and layer 1 pin down; here the point is that m = 1/2 compounds.
    const B = 64;
    const n = 128;
    const K = 32;
    for (const [name, kernel] of [
      ['He normal', he],
      ['LeCun normal', lecun],
    ] as const) {
      const config = stack(6, n, kernel, 'relu', { batch: B });
      const measured = await meanSecondMoments(config, K);
      const tol: number[] = [];
      let P = 1 + (2 / n + 7 / B) / n;
      for (let l = 1; l <= 6; l++) {
        if (l > 1) P *= 1 + 5 / n;
        tol.push(4 * Math.sqrt((P - 1) / K));
      }
      assertWithin(measured, predictedVariances(config), tol, `ReLU, ${name}`);
    }
  });

  test('He normal keeps a 20-layer ReLU stack (width 256) within a factor 2 of the input; Glorot halves it per layer', async () => {
    // One seed at width 256 wanders: log E[a^2] at layer 20 has a standard deviation of about
    // 0.45 between seeds (finite width, see above; measured over 12 seeds), so a single run
    // leaves [1/2, 2] about one time in six. The mean of 8 seeds has a relative standard
    // error of about 0.14 there: the band is more than 3.5 standard errors wide on each side.
    const config = stack(20, 256, he, 'relu', { batch: 32 });
    const q = await meanSecondMoments(config, 8);
    q.forEach((x, i) => assert.ok(x > 0.5 && x < 2, `layer ${i + 1}: E[a^2] = ${x}`));
    // Glorot uniform on ReLU: g = 1/2 per layer, 2^-20 = 1e-6 after 20 layers.
    const glorot = stack(20, 256, (fi, fo) => kernelFor('glorot_uniform', fi, fo, normal(0), 'relu'), 'relu', { batch: 32 });
    const g = secondMoments(await simulate(tf, glorot, { workBudget: Infinity }));
    assert.ok(g[19] < 1e-5, `Glorot on ReLU, layer 20: ${g[19]}`);
  });

  test('normalization resets the prediction to m and the measurement follows', async () => {
    const config: SimConfig = {
      inputWidth: 64,
      batch: 256,
      seed: 5,
      input: 'uniform',
      layers: [layer(64, 64, normal(1), 'relu', 'batch'), layer(64, 64, normal(1e-2), 'linear', 'layer'), layer(64, 64, normal(1), 'tanh', 'none')],
    };
    const p = predictedVariances(config);
    // Standardised with eps = 1e-5 (as the simulator runs it): 0.5 and 1 to 1e-4.
    assert.ok(Math.abs(p[0] - 0.5) < 1e-4 && Math.abs(p[1] - 1) < 1e-4, `${p.slice(0, 2)}`);
    // tanh at q = 64 x 1 x E[x^2]: the engine's moment at the actual q, saturated (not 64).
    assert.ok(Math.abs(p[2] - activationMoments(activationInfo('tanh'), 64 * p[1])!.forward) < 1e-12, `tanh prediction ${p[2]}`);
    assert.ok(p[2] > 0.85 && p[2] < 0.95);
    const r = await simulate(tf, config);
    // Layer 3: 64 x 64 N(0, 1) kernel entries on a layer-normed input: a few % of sampling error.
    assert.ok(Math.abs(secondMoments(r)[2] / p[2] - 1) < 0.05, `tanh: ${secondMoments(r)[2]} vs ${p[2]}`);
    // Standardised: relu of a unit normal has E[a^2] = 1/2 (sampling error ~1 %); layer norm
    // gives every sample mean 0 and variance s^2 / (s^2 + 1e-5) for its variance s^2 ~ 0.32.
    assert.ok(Math.abs(secondMoments(r)[0] - 0.5) < 0.05, `batch norm + relu: ${secondMoments(r)[0]}`);
    assert.ok(Math.abs(r.layers[1].actVar - 1) < 1e-3, `layer norm: ${r.layers[1].actVar}`);
    assert.ok(Math.abs(r.layers[1].actMean) < 1e-4);
    // preVar is z before the standardisation: 64 x 1e-2 x 1/2 = 0.32 (64 x 64 kernel entries: ~10 %).
    assert.ok(Math.abs(r.layers[1].preVar / 0.32 - 1) < 0.3, `layer 2 preVar ${r.layers[1].preVar}`);
  });

  test('a normalization after the previous activation standardises the input: prediction and measurement restart at 1', async () => {
    // N(0, 4/fan_in) on ReLU: g = 2 per layer, so E[a^2] doubles, until the third layer's input
    // is standardised (E[x^2] = 1 again); the same stack without it keeps doubling.
    const base = [layer(64, 64, normal(4 / 64), 'relu'), layer(64, 64, normal(4 / 64), 'relu'), layer(64, 64, normal(4 / 64), 'relu')];
    const normed: SimConfig = {
      inputWidth: 64,
      batch: 512,
      seed: 3,
      input: 'normal',
      layers: base.map((l, i) => (i === 2 ? { ...l, normalizeInput: true } : l)),
    };
    const plain: SimConfig = { ...normed, layers: base };
    assert.deepEqual(
      predictedVariances(plain).map((q) => Math.round(q * 1e9) / 1e9),
      [2, 4, 8],
    );
    // The standardised input has E[x^2] = 1 - eps/(var + eps) (eps = 1e-5, as the simulator runs it).
    assert.deepEqual(
      predictedVariances(normed).map((q) => Math.round(q * 1e4) / 1e4),
      [2, 4, 2],
    );
    const [a, b] = [secondMoments(await simulate(tf, normed)), secondMoments(await simulate(tf, plain))];
    assert.ok(Math.abs(a[2] / 2 - 1) < 0.3, `standardised input, layer 3: E[a^2] = ${a[2]}`);
    assert.ok(b[2] / a[2] > 2.5, `without it the variance keeps compounding: ${b[2]} against ${a[2]}`);
  });
});

test("the closed-form pair moments of relu, leaky relu and linear equal the quadrature's, and are exact where known", () => {
  for (const a of [0, 0.01, 0.2, 1]) {
    const pairs = piecewiseLinearPairs(a);
    const phi = (z: number) => (z > 0 ? z : a * z);
    const dphi = (z: number) => (z > 0 ? 1 : a);
    const h = (z: number) => (z > 0 ? z : a * a * z);
    for (const q of [0.3, 1, 7]) {
      for (const rho of [0, 0.25, 0.5, 0.9, 0.999, 1]) {
        const qab = rho * q;
        const where = `a ${a}, q ${q}, rho ${rho}`;
        for (const [name, fn] of [
          ['f', phi],
          ['d', dphi],
          ['h', h],
        ] as const) {
          const quadrature = pairMoment(fn, fn, q, qab, [0]);
          const closed = pairs[name](q, qab);
          assert.ok(Math.abs(closed - quadrature) <= 1e-6 * Math.max(1, Math.abs(quadrature)), `${where}, ${name}: ${closed} vs quadrature ${quadrature}`);
        }
      }
    }
  }
  // Known values: relu with independent inputs E[relu]^2 = q / (2 pi); identical inputs E[relu^2] = q / 2; linear E[z_a z_b] = qab.
  const relu = piecewiseLinearPairs(0);
  assert.ok(Math.abs(relu.f(2, 0) - 2 / (2 * Math.PI)) < 1e-15);
  assert.ok(Math.abs(relu.f(2, 2) - 1) < 1e-15);
  assert.ok(Math.abs(relu.d(2, 0) - 0.25) < 1e-15);
  assert.ok(Math.abs(piecewiseLinearPairs(1).f(3, 1.2) - 1.2) < 1e-12);
});

describe('per-sample gradient statistics and their prediction', () => {
  test('deltaMoment and gradMoment: exact identities on a linear output layer and on rolled copies', async () => {
    // Output layer linear: dl_b/dz = (2 / n) z, so deltaMoment = 4 E[z^2] / n^2 exactly; its
    // input (fan_in 3 x 32 from a 32-wide layer: three rolled copies) has E[x^2] = E[a_1^2].
    const config: SimConfig = {
      inputWidth: 32,
      batch: 64,
      seed: 2,
      input: 'normal',
      layers: [layer(32, 32, normal(1 / 32), 'tanh'), layer(96, 40, normal(1 / 96), 'linear')],
    };
    const r = await simulate(tf, config);
    const [l1, l2] = r.layers;
    const ez2 = l2.preVar + l2.preMean ** 2;
    assert.ok(Math.abs(l2.deltaMoment / ((4 * ez2) / 40 ** 2) - 1) < 1e-4, `${l2.deltaMoment} vs ${(4 * ez2) / 1600}`);
    assert.ok(Math.abs(l2.gradMoment / l2.deltaMoment / (l1.actVar + l1.actMean ** 2) - 1) < 1e-4);
    // Layer 1 reads the white input: E[x^2] over 64 x 32 values, about 1.
    assert.ok(Math.abs(l1.gradMoment / l1.deltaMoment - 1) < 0.1);
    assert.deepEqual(r.units, [32, 40]);
    assert.equal(r.batch, 64);
  });

  test('the prediction: a deep linear stack of square Gaussian layers grows E[delta^2] like the distance to the output (the loss reads the output), an orthogonal one does not', () => {
    // l_b = |W_L' ... x|^2 / n: with chi = 1 per layer, E[delta^2] at k layers below the output
    // is (k + 1) times the output's for Gaussian kernels (the second moments of a product of
    // Gaussian matrices), 1 for orthogonal ones (|W delta| = |delta|).
    const lecunNormal = stack(5, 256, lecun, 'linear');
    const d = predictLayers(lecunNormal).map((p) => p.delta);
    d.forEach((x, i) => assert.ok(Math.abs(x / d[4] - (5 - i)) < 1e-9, `layer ${i + 1}: ${x / d[4]}`));
    const orthogonal = stack(5, 256, (fi, fo) => kernelFor('orthogonal', fi, fo, normal(0), 'linear'), 'linear');
    const o = predictLayers(orthogonal).map((p) => p.delta);
    o.forEach((x, i) => assert.ok(Math.abs(x / o[4] - 1) < 1e-9, `orthogonal layer ${i + 1}: ${x / o[4]}`));
    // The output layer: 4 E[z^2] / n^2, E[z^2] = 1.
    assert.ok(Math.abs(d[4] - 4 / 256 ** 2) < 1e-15);
  });

  test('biases are drawn with their variance and predicted: E[z^2] = fan_in Var(w) E[x^2] + Var(b)', async () => {
    const config: SimConfig = {
      inputWidth: 128,
      batch: 256,
      seed: 4,
      input: 'normal',
      layers: [{ ...layer(128, 256, normal(1 / (3 * 128)), 'linear'), biasVariance: 0.5 }],
    };
    const r = await simulate(tf, config);
    const p = predictLayers(config)[0];
    assert.ok(Math.abs(p.qPre - (1 / 3 + 0.5)) < 1e-12);
    // 256 biases of variance 1/2: their mean square has a relative error of about 9 %.
    const ez2 = r.layers[0].preVar + r.layers[0].preMean ** 2;
    assert.ok(Math.abs(ez2 / p.qPre - 1) < 0.15, `E[z^2] ${ez2} vs ${p.qPre}`);
  });
});

// ---------------------------------------------------------------------------------------------
// Sampling, statistics, symmetry
// ---------------------------------------------------------------------------------------------

describe('kernels and statistics', () => {
  test('truncated normal: the requested variance after the 2-sigma cut, within 2 %', async () => {
    // 150,000 entries: the variance estimate's relative standard error is
    // sqrt((kurtosis - 1) / N) = sqrt(1.36 / 150000) = 0.3 %, so 2 % is more than 6 sigma.
    for (const variance of [2 / 300, 1e-4, 1]) {
      const w = await sampleKernel(tf, { label: 't', distribution: 'truncated_normal', variance }, 300, 500, 11);
      const d = await w.data();
      w.dispose();
      let s = 0;
      let ss = 0;
      let max = 0;
      for (const x of d) {
        s += x;
        ss += x * x;
        max = Math.max(max, Math.abs(x));
      }
      const mean = s / d.length;
      const v = ss / d.length - mean * mean;
      assert.ok(Math.abs(v / variance - 1) < 0.02, `variance ${v} for ${variance}`);
      // Cut at 2 sigma of the underlying normal, sigma^2 = variance / 0.7737.
      const sigma = Math.sqrt(variance / 0.7737413035499233);
      assert.ok(max <= 2 * sigma * (1 + 1e-6) && max > 1.9 * sigma, `max |w| = ${max}, 2 sigma = ${2 * sigma}`);
    }
  });

  test('every distribution draws its variance (orthogonal: orthonormal, scaled)', async () => {
    const cases: Array<[KernelSpec, number]> = [
      [normal(0.02), 0.02],
      [{ label: 'u', distribution: 'uniform', variance: 0.03 }, 0.03],
      [{ label: 'o', distribution: 'orthogonal', variance: 0.01 }, 0.01],
      [{ label: 'o', distribution: 'orthogonal' }, 1 / 200],
    ];
    for (const [spec, expected] of cases) {
      const w = await sampleKernel(tf, spec, 200, 120, 3);
      const d = await w.data();
      w.dispose();
      let ss = 0;
      for (const x of d) ss += x * x;
      const tol = spec.distribution === 'orthogonal' ? 1e-5 : 0.03; // 24,000 entries: ~1 % for the random ones
      assert.ok(Math.abs(ss / d.length / expected - 1) < tol, `${spec.label}: mean square ${ss / d.length}, expected ${expected}`);
      if (spec.distribution === 'orthogonal') {
        // Columns orthogonal with equal norms (fan_in 200 >= units 120).
        const col = (k: number) => Array.from({ length: 200 }, (_, i) => d[i * 120 + k]);
        const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i], 0);
        const c0 = col(0);
        assert.ok(Math.abs(dot(c0, col(7))) < 1e-5 * dot(c0, c0));
        assert.ok(Math.abs(dot(col(7), col(7)) / dot(c0, c0) - 1) < 1e-5);
      }
    }
    const c = await sampleKernel(tf, { label: 'c', distribution: 'constant', constant: 0.5, variance: 0 }, 4, 3, 1);
    assert.deepEqual(Array.from(await c.data()), new Array(12).fill(0.5));
    const eye = await sampleKernel(tf, { label: 'i', distribution: 'identity' }, 3, 2, 1);
    assert.deepEqual(Array.from(await eye.data()), [1, 0, 0, 1, 0, 0]);
    tf.dispose([c, eye]);
  });

  test('orthonormalRows: in JS and by blocks on the backend, the same orthonormal rows', async () => {
    const [c, r] = [150, 200]; // three blocks of 64 on the backend path
    const gt = tf.randomNormal([c, r], 0, 1, 'float32', 5);
    const g = (await gt.data()) as Float32Array;
    gt.dispose();
    const js = await orthonormalRows(tf, g, c, r, false);
    const blocks = await orthonormalRows(tf, g, c, r, true);
    const worst = (q: Float64Array) => {
      let w = 0;
      for (let i = 0; i < c; i += 7)
        for (let j = 0; j < c; j += 3) {
          let dot = 0;
          for (let t = 0; t < r; t++) dot += q[i * r + t] * q[j * r + t];
          w = Math.max(w, Math.abs(dot - (i === j ? 1 : 0)));
        }
      return w;
    };
    assert.ok(worst(js) < 1e-12, `JS: ${worst(js)}`);
    assert.ok(worst(blocks) < 1e-5, `blocks: ${worst(blocks)}`);
    // QR with a positive diagonal is unique: both are the same matrix, to float32 precision.
    let diff = 0;
    for (let i = 0; i < c * r; i++) diff = Math.max(diff, Math.abs(js[i] - blocks[i]));
    assert.ok(diff < 1e-4, `max difference ${diff}`);
  });

  test('seeded: the same seed gives the same numbers, another seed others', async () => {
    const config = stack(3, 32, he, 'relu', { batch: 64, seed: 9 });
    const a = await simulate(tf, config);
    const b = await simulate(tf, config);
    const c = await simulate(tf, { ...config, seed: 10 });
    assert.deepEqual(a.layers, b.layers);
    assert.notEqual(a.layers[2].actVar, c.layers[2].actVar);
    assert.notEqual(seedFor(1, 1, 0), seedFor(0, 2, 0));
  });

  test("the explicitly transposed gradient (wasm's default) gives the same numbers", async () => {
    const config: SimConfig = { ...stack(3, 48, he, 'tanh', { batch: 64 }), inputWidth: 16 };
    config.layers[0] = layer(16 * 3, 48, he(48, 48), 'tanh'); // rolled copies too
    const plain = await simulate(tf, config, { explicitTranspose: false });
    const explicit = await simulate(tf, config, { explicitTranspose: true });
    plain.layers.forEach((l, i) => {
      assert.equal(explicit.layers[i].actVar, l.actVar);
      assert.ok(Math.abs(explicit.layers[i].gradVar / l.gradVar - 1) < 1e-5, `layer ${i + 1}: ${explicit.layers[i].gradVar} vs ${l.gradVar}`);
    });
  });

  test('dead, distinct, histogram and gradient statistics', async () => {
    const config: SimConfig = {
      inputWidth: 20,
      batch: 100,
      seed: 2,
      input: 'normal',
      layers: [layer(20, 30, { label: 'zeros', distribution: 'constant', constant: 0, variance: 0 }, 'relu'), layer(30, 10, normal(0.1), 'sigmoid')],
    };
    const r = await simulate(tf, config);
    assert.equal(r.layers[0].dead, 1);
    assert.equal(r.layers[0].distinct, 1);
    assert.equal(r.layers[0].actVar, 0);
    assert.equal(r.layers[0].gradVar, 0); // relu'(0) = 0: nothing flows back
    // Layer 2 sees zeros: sigmoid(0) = 0.5 everywhere, one distinct unit, nothing saturated.
    assert.equal(r.layers[1].distinct, 1);
    assert.equal(r.layers[1].saturated, 0);
    for (const l of r.layers) {
      assert.equal(l.histogram.edges.length, 41);
      assert.equal(l.histogram.counts.length, 40);
    }
    assert.equal(
      r.layers[1].histogram.counts.reduce((a, b) => a + b),
      100 * 10,
    );
    const h = histogram(Float32Array.from([0, 1, 2, 3, 100]), 4);
    assert.equal(
      h.counts.reduce((a, b) => a + b),
      5,
    );
    // Units 0 and 2 equal up to 1e-7 relative, unit 1 differs.
    assert.equal(distinctColumns([1, 2, 1 + 1e-7, 3, 3, 3 * (1 + 1e-7)], 2, 3), 2);

    const live = await simulate(tf, stack(3, 64, he, 'relu', { batch: 128 }));
    for (const l of live.layers) {
      assert.equal(l.distinct, 64);
      assert.ok(l.dead < 0.05);
      assert.ok(l.gradVar > 0 && Number.isFinite(l.gradVar));
      assert.equal(
        l.histogram.counts.reduce((a, b) => a + b),
        128 * 64,
      );
    }
  });

  test('symmetry: a constant kernel keeps 1 distinct unit per layer through SGD, a random one keeps all', async () => {
    const constant: KernelSpec = { label: 'Constant(0.5)', distribution: 'constant', constant: 0.5, variance: 0 };
    const sym: SimConfig = {
      inputWidth: 16,
      batch: 64,
      seed: 4,
      input: 'normal',
      layers: [layer(16, 32, constant, 'tanh'), layer(32, 32, constant, 'relu'), layer(32, 8, constant, 'linear')],
    };
    const s = await symmetryDemo(tf, sym, 5, 0.1);
    assert.deepEqual(s, { before: [1, 1, 1], after: [1, 1, 1] });
    const rnd: SimConfig = {
      ...sym,
      layers: sym.layers.map((l) => ({ ...l, kernel: kernelFor('glorot_uniform', l.fanIn, l.units, constant, 'tanh'), activation: { name: 'tanh' } })),
    };
    const r = await symmetryDemo(tf, rnd, 5, 0.1);
    assert.deepEqual(r, { before: [32, 32, 8], after: [32, 32, 8] });
  });

  test('conv layers per patch: fan_in larger or smaller than the previous width', async () => {
    // 3x3 conv over 16 channels: fan_in 144 from a 16-wide layer; then a layer reading 8 of 32.
    const config: SimConfig = {
      inputWidth: 16,
      batch: 512,
      seed: 8,
      input: 'normal',
      layers: [layer(144, 32, kernelFor('lecun_normal', 144, 32 * 9, normal(0), 'linear'), 'linear'), layer(8, 32, normal(1 / 8), 'linear')],
    };
    const r = await simulate(tf, config);
    const p = predictedVariances(config);
    // The rolled copies are other samples, so layer 1's 144 inputs are as white as i.i.d. ones.
    assertWithin(secondMoments(r), p, linearTolerance(config), 'conv per patch');
    assert.equal(r.layers[0].distinct, 32);
  });

  test('a fan_in wider than the layer before: rolled copies, value and gradients as the explicit construction', async () => {
    // x[b, c*W + k] = a[(b + c) mod B, k] for the first fanIn columns (2.5 copies here).
    const [B, W, fanIn, units] = [5, 4, 10, 3];
    const values = (n: number, seed: number) => Array.from({ length: n }, (_, i) => Math.sin(seed * 7.1 + i * 1.3) * 2);
    const aVals = values(B * W, 1);
    const wVals = values(fanIn * units, 2);
    const rVals = values(B * units, 3);
    const x = (b: number, j: number) => aVals[((b + Math.floor(j / W)) % B) * W + (j % W)];
    const zWant: number[] = [];
    for (let b = 0; b < B; b++) for (let u = 0; u < units; u++) zWant.push([...Array(fanIn).keys()].reduce((s, j) => s + x(b, j) * wVals[j * units + u], 0));
    // loss = sum(z * r): dW[j, u] = sum_b x[b, j] r[b, u]; da[(b + c) mod B, k] += sum_u r[b, u] W[c*W + k, u].
    const dwWant = new Array(fanIn * units).fill(0);
    const daWant = new Array(B * W).fill(0);
    for (let b = 0; b < B; b++) {
      for (let j = 0; j < fanIn; j++) {
        for (let u = 0; u < units; u++) {
          dwWant[j * units + u] += x(b, j) * rVals[b * units + u];
          daWant[((b + Math.floor(j / W)) % B) * W + (j % W)] += rVals[b * units + u] * wVals[j * units + u];
        }
      }
    }
    const a = tf.tensor2d(aVals, [B, W]);
    const w = tf.tensor2d(wVals, [fanIn, units]);
    const r = tf.tensor2d(rVals, [B, units]);
    const close = (got: ArrayLike<number>, want: number[], what: string) =>
      want.forEach((v, i) => assert.ok(Math.abs(got[i] - v) < 1e-4 * (1 + Math.abs(v)), `${what}[${i}]: ${got[i]} vs ${v}`));
    close(await layerMatMul(tf, a, w).data(), zWant, 'z');
    const [da, dw] = tf.grads((a2: tf.Tensor, w2: tf.Tensor) => tf.sum(tf.mul(layerMatMul(tf, a2 as tf.Tensor2D, w2 as tf.Tensor2D), r)))([a, w]);
    close(await da.data(), daWant, 'dL/da');
    close(await dw.data(), dwWant, 'dL/dW');
    tf.dispose([a, w, r, da, dw]);
  });

  test('the cpu backend caps the work and says so', async () => {
    const big = stack(20, 1024, he, 'relu', { batch: 1024 });
    const r = await simulate(tf, big);
    assert.equal(r.layers.length, 20);
    assert.match(r.reduced ?? '', /^cpu backend: batch 1024 → 64 and units per layer/);
    assert.match(r.reduced ?? '', new RegExp(`under ${CPU_WORK_BUDGET.toExponential(1).replace('+', '\\+')}`));
    for (const l of r.layers) assert.ok(l.distinct <= 1024 && l.distinct > 16);
    const q = secondMoments(r);
    assert.ok(
      q.every((x) => x > 0.1 && x < 10),
      `He stays O(1) when reduced: ${q.map((x) => x.toFixed(2)).join(' ')}`,
    );
    // Only the batch, when that suffices (a budget of 1.6e6 for 2 x 100^2 per sample: batch 80).
    const small = stack(2, 100, he, 'relu', { batch: 100 });
    const m = await simulate(tf, small, { workBudget: 1.6e6 });
    assert.match(m.reduced ?? '', /^cpu backend: batch 100 → 80, to keep batch × Σ fan_in × units under 1\.6e\+6/);
    assert.equal(
      m.layers[0].histogram.counts.reduce((a, b) => a + b),
      80 * 100,
    );
    assert.equal((await simulate(tf, small)).reduced, undefined);
  });

  test('an unknown initializer is simulated as Glorot uniform, with a note', async () => {
    const config = stack(2, 40, () => ({ label: 'my_init', distribution: 'unknown' }), 'linear', { batch: 400 });
    const r = await simulate(tf, config);
    assert.match(r.reduced ?? '', /layer 1: my_init has no known variance, simulated as Glorot uniform/);
    const p = predictedVariances(config);
    assert.ok(Math.abs(p[0] - 1) < 1e-12); // 40 x 2/80
    assertWithin(secondMoments(r), p, linearTolerance(config), 'unknown as Glorot');
  });

  test('every activation runs forward and backward; unknown names are linear', async () => {
    const names = [
      'relu',
      'relu6',
      'leaky_relu',
      'elu',
      'celu',
      'selu',
      'gelu',
      'silu',
      'swish',
      'mish',
      'softplus',
      'tanh',
      'hardtanh',
      'sigmoid',
      'hard_sigmoid',
      'softsign',
      'softmax',
      'log_softmax',
      'linear',
      'hard_swish',
      'prelu',
      'exponential',
      'no_such_activation',
    ];
    const config: SimConfig = {
      inputWidth: 24,
      batch: 64,
      seed: 6,
      input: 'normal',
      layers: names.map((n) => layer(24, 24, kernelFor('glorot_uniform', 24, 24, normal(0), n), n, 'none', n === 'leaky_relu' ? 0.2 : undefined)),
    };
    const r = await simulate(tf, config);
    r.layers.forEach((l, i) => {
      assert.ok(Number.isFinite(l.actVar) && Number.isFinite(l.gradVar), `${names[i]}: ${JSON.stringify(l)}`);
    });
    const at = (n: string) => r.layers[names.indexOf(n)];
    assert.ok(at('softmax').actMean > 1 / 24 - 1e-6 && at('softmax').actMean < 1 / 24 + 1e-6);
    assert.ok(at('sigmoid').actMean > 0.3 && at('hard_sigmoid').actMean > 0.3);
    assert.ok(at('relu6').histogram.edges[40] <= 6);
    assert.ok(at('leaky_relu').actMean > 0);
    assert.match(r.reduced ?? '', /"no_such_activation": not in the activation catalogue, simulated \(and predicted\) as linear/);
  });

  test('every activation of the catalogue is simulated as src/engine/activations.ts defines it, value and derivative', async () => {
    // A grid that avoids the kinks (0, +-1, +-3, 6), so the derivative is defined everywhere on it.
    const zs = Array.from({ length: 400 }, (_, i) => -9 + (18 * (i + 0.5)) / 400);
    const x = tf.tensor2d(zs, [1, zs.length]);
    const elementwise = [
      'relu',
      'relu6',
      'leaky_relu',
      'prelu',
      'elu',
      'celu',
      'tanh',
      'softsign',
      'hardtanh',
      'sigmoid',
      'hard_sigmoid',
      'selu',
      'linear',
      'gelu',
      'silu',
      'mish',
      'softplus',
      'hard_swish',
      'exponential',
    ];
    for (const name of elementwise) {
      const alpha = name === 'leaky_relu' ? 0.2 : name === 'prelu' ? 0.25 : undefined;
      const info = activationInfo(name, alpha);
      const fn = activationFunction(info);
      const a = leakySlope(info);
      const phi = fn?.phi ?? (name === 'exponential' ? Math.exp : name === 'linear' ? (z: number) => z : (z: number) => (z > 0 ? z : a * z));
      const dphi = fn?.dphi ?? (name === 'exponential' ? Math.exp : name === 'linear' ? () => 1 : (z: number) => (z > 0 ? 1 : a));
      const plan = activationPlan({ name, alpha });
      const y = activate(tf, x, plan);
      const g = tf.grad((t: tf.Tensor) => tf.sum(activate(tf, t as tf.Tensor2D, plan)))(x);
      const [yd, gd] = [await y.data(), await g.data()];
      if (y !== x) y.dispose(); // linear returns its input
      g.dispose();
      zs.forEach((z, i) => {
        const tol = (v: number) => 2e-5 * Math.max(1, Math.abs(v));
        assert.ok(Math.abs(yd[i] - phi(z)) <= tol(phi(z)), `${name}(${z}) = ${yd[i]}, catalogue ${phi(z)}`);
        assert.ok(Math.abs(gd[i] - dphi(z)) <= tol(dphi(z)), `${name}'(${z}) = ${gd[i]}, catalogue ${dphi(z)}`);
      });
    }
    // softmax and log_softmax over a row.
    const [smt, lsmt] = [activate(tf, x, activationPlan({ name: 'softmax' })), activate(tf, x, activationPlan({ name: 'log_softmax' }))];
    const [sm, lsm] = [await smt.data(), await lsmt.data()];
    tf.dispose([smt, lsmt]);
    const lse = Math.log(zs.reduce((s, z) => s + Math.exp(z), 0));
    zs.forEach((z, i) => {
      assert.ok(Math.abs(sm[i] - Math.exp(z - lse)) < 1e-6, `softmax ${i}`);
      assert.ok(Math.abs(lsm[i] - (z - lse)) < 1e-4, `log_softmax ${i}`);
    });
    x.dispose();
  });

  test('saturation and dead units by family: tanh and sigmoid families saturate, the ReLU family dies', async () => {
    const big = (name: string): SimLayerSpec => layer(64, 64, normal(1), name);
    const config: SimConfig = {
      inputWidth: 64,
      batch: 128,
      seed: 3,
      input: 'normal',
      layers: ['hardtanh', 'softsign', 'hard_sigmoid', 'tanh', 'relu'].map(big),
    };
    const r = await simulate(tf, config);
    const [hardtanh, softsign, hardSigmoid, tanh, relu] = r.layers;
    // q ~ 64 (hardtanh's input is the unit-variance input): |z| > 1 nearly always.
    assert.ok(hardtanh.saturated > 0.85, `hardtanh ${hardtanh.saturated}`);
    // softsign reaches 0.99 only at |z| > 99: rarely, even at this scale.
    assert.ok(softsign.saturated < 0.2, `softsign ${softsign.saturated}`);
    assert.ok(hardSigmoid.saturated > 0.3, `hard_sigmoid ${hardSigmoid.saturated}`);
    assert.ok(tanh.saturated > 0.5, `tanh ${tanh.saturated}`);
    assert.equal(relu.saturated, 0);
    assert.ok(relu.dead < 0.1);
  });
});

// ---------------------------------------------------------------------------------------------
// Tensor hygiene
// ---------------------------------------------------------------------------------------------

test('no tensor outlives a run: tf.memory() after 100 runs, LSUV and pretraining equals before', async () => {
  const mixed: SimConfig = {
    inputWidth: 12,
    batch: 32,
    seed: 1,
    input: 'uniform',
    layers: [
      layer(12, 16, normal(0.1), 'relu', 'batch'),
      layer(48, 8, { label: 'tn', distribution: 'truncated_normal', variance: 0.05 }, 'gelu'), // conv-like fan_in
      layer(4, 10, { label: 'o', distribution: 'orthogonal', variance: 0.1 }, 'selu', 'layer'),
      layer(10, 10, { label: 'i', distribution: 'identity' }, 'tanh'),
      layer(10, 6, { label: '?', distribution: 'unknown' }, 'softmax'),
      layer(6, 5, { label: 'c', distribution: 'constant', constant: 0.3, variance: 0 }, 'leaky_relu', 'none', 0.1),
    ],
  };
  await simulate(tf, mixed); // warm-up: backend set-up may allocate once
  await symmetryDemo(tf, mixed, 2);
  const before = tf.memory();
  for (let i = 0; i < 100; i++) await simulate(tf, { ...mixed, seed: i });
  for (let i = 0; i < 5; i++) await symmetryDemo(tf, { ...mixed, seed: i }, 3, 0.05);
  const all = mixed.layers.map(() => true);
  for (let i = 0; i < 3; i++) {
    await lsuv(tf, { ...mixed, seed: i }, all);
    await simulate(tf, (await pretrain(tf, { ...mixed, seed: i }, all, { steps: 2 })).config);
  }
  await assert.rejects(simulate(tf, { ...mixed, batch: 0 }), /batch must be a positive integer/);
  // A layer too wide to simulate: a sentence the panel can show, at once, not an allocation's RangeError.
  const wide = { ...mixed, layers: [{ ...mixed.layers[0], fanIn: 3e9 }, ...mixed.layers.slice(1)] };
  await assert.rejects(simulate(tf, wide), {
    message: 'layer 1: fan_in 3,000,000,000 is too large to simulate (at most 1,048,576); its predicted variance is still computed',
  });
  // Within the limit but past the cpu backend's work cap even at 8 samples and 16 units: refused at once, not minutes of work.
  const capped = { ...mixed, layers: [{ ...mixed.layers[0], fanIn: 1_000_000 }, ...mixed.layers.slice(1)] };
  await assert.rejects(
    simulate(tf, capped),
    /^RangeError: layer 1: fan_in 1,000,000 is too large to simulate on the cpu backend within its work cap \(1\.0e\+8 multiply-adds\)/,
  );
  const after = tf.memory();
  assert.equal(after.numTensors, before.numTensors);
  assert.equal(after.numDataBuffers, before.numDataBuffers);
});

// ---------------------------------------------------------------------------------------------
// The panel's choices
// ---------------------------------------------------------------------------------------------

describe('kernelFor', () => {
  const current: KernelSpec = { label: 'mine', distribution: 'normal', variance: 0.123 };
  const fans: Array<[number, number, number]> = [
    [300, 500, 1],
    [576, 64 * 9, 9],
    [1, 1, 1],
  ];

  test("every choice gives the catalogue's variance for the fans, exactly", () => {
    for (const [fi, fo, rf] of fans) {
      for (const choice of INIT_CHOICES) {
        if (choice === 'current' || choice === 'recommended') continue;
        const entry = CHOICE_INITIALIZERS[choice];
        const spec = resolveInitializer('keras', entry.name, entry.args);
        assert.ok(spec);
        const k = kernelFor(choice, fi, fo, current, 'relu', rf);
        assert.equal(k.variance, kernelVariance(spec, fi, fo, rf), `${choice} at ${fi}/${fo}`);
        assert.equal(k.distribution, spec.distribution);
      }
    }
  });

  test('the variances written out', () => {
    const [fi, fo] = [300, 500];
    const v = (c: (typeof INIT_CHOICES)[number]) => kernelFor(c, fi, fo, current, 'relu').variance;
    assert.equal(v('zeros'), 0);
    assert.equal(v('constant'), 0);
    assert.equal(kernelFor('constant', fi, fo, current, 'relu').constant, 0.5);
    assert.equal(kernelFor('zeros', fi, fo, current, 'relu').constant, 0);
    assert.equal(v('small_normal'), 0.01 ** 2);
    assert.equal(v('large_normal'), 1);
    assert.equal(v('glorot_uniform'), 2 / (fi + fo));
    assert.equal(v('glorot_normal'), 2 / (fi + fo));
    assert.equal(v('he_normal'), 2 / fi);
    assert.equal(v('he_uniform'), 2 / fi);
    assert.equal(v('he_fan_avg'), 4 / (fi + fo));
    assert.equal(v('lecun_normal'), 1 / fi);
    assert.equal(v('orthogonal'), 1 / fo);
    assert.equal(kernelFor('orthogonal', 576, 576, current, 'relu', 9).variance, 1 / 576); // max(fan_in, units = 64)
    assert.equal(kernelFor('he_normal', fi, fo, current, 'relu').distribution, 'truncated_normal');
    assert.equal(kernelFor('glorot_uniform', fi, fo, current, 'relu').distribution, 'uniform');
    assert.equal(kernelFor('small_normal', fi, fo, current, 'relu').distribution, 'normal');
  });

  test("current is the layer's own kernel; recommended follows the activation family", () => {
    assert.equal(kernelFor('current', 3, 4, current, 'relu'), current);
    const rec = (act: string | { name: string; alpha?: number }) => kernelFor('recommended', 300, 500, current, act);
    for (const act of ['relu', 'ReLU', 'leaky_relu', 'elu', 'gelu', 'swish', { name: 'LeakyReLU', alpha: 0.2 }]) {
      assert.equal(rec(act).variance, 2 / 300, JSON.stringify(act));
    }
    for (const act of ['tanh', 'sigmoid', 'linear', 'softmax', 'not_an_activation']) assert.equal(rec(act).variance, 2 / 800, act);
    assert.equal(rec('selu').variance, 1 / 300);
    assert.match(rec('relu').label, /^Recommended: He normal/);
  });
});

describe("LSUV (Mishkin & Matas 2016): orthogonal kernels rescaled layer by layer to Var(z) = 1 on the run's inputs", () => {
  const orthogonalStart = (fanIn: number, units: number) => kernelFor('lsuv', fanIn, units, normal(0), 'relu');

  test('every layer of a ReLU stack measures Var(z) = 1 on the same batch (a rescaled one to float32 precision); the gains are reported', async () => {
    const config = stack(6, 64, orthogonalStart, 'relu', { batch: 128, seed: 4 });
    const { config: scaled, gains } = await lsuv(
      tf,
      config,
      config.layers.map(() => true),
    );
    const r = await simulate(tf, scaled);
    // A layer already within the tolerance is left as it is (layer 1 here: orthogonal on N(0, 1)); a rescaled one is exact.
    for (const [i, l] of r.layers.entries())
      assert.ok(Math.abs(l.preVar - 1) < (gains[i] === 1 ? LSUV_TOLERANCE : 1e-4), `layer ${i + 1}: Var(z) ${l.preVar}, gain ${gains[i]}`);
    // Orthogonal (variance 1/64) under ReLU halves E[x^2] a layer: past the first layer, LSUV's gains are about sqrt 2
    // (each one moves by 10-20 % at width 64 and batch 128: their geometric mean is what is steady).
    const mean = Math.exp(gains.slice(1).reduce((s, g) => s + Math.log(g), 0) / 5);
    assert.ok(Math.abs(mean / Math.SQRT2 - 1) < 0.1, `gains ${gains}`);
    assert.equal(scaled.layers[2].kernel.distribution, 'orthogonal');
    assert.match(scaled.layers[2].kernel.label, /^LSUV: orthogonal × 1\.\d+$/);
    assert.ok(Math.abs((scaled.layers[2].kernel.variance ?? 0) - gains[2] ** 2 / 64) < 1e-15);
  });

  test('with biases it iterates to within the tolerance; layers not chosen keep their kernels', async () => {
    const config = stack(4, 32, orthogonalStart, 'tanh', { batch: 256, seed: 5 });
    config.layers.forEach((l) => (l.biasVariance = 0.5));
    config.layers[1].kernel = normal(3 / 32);
    const which = [true, false, true, true];
    const { config: scaled, gains } = await lsuv(tf, config, which);
    assert.deepEqual(scaled.layers[1].kernel, normal(3 / 32));
    assert.equal(gains[1], 1);
    const r = await simulate(tf, scaled);
    for (const i of [0, 2, 3]) assert.ok(Math.abs(r.layers[i].preVar - 1) < LSUV_TOLERANCE, `layer ${i + 1}: Var(z) ${r.layers[i].preVar}`);
    assert.ok(Math.abs(r.layers[1].preVar - 1) > 0.05, `layer 2 (not rescaled): Var(z) ${r.layers[1].preVar}`);
  });
});

describe('greedy layerwise pretraining (Hinton & Salakhutdinov 2006): each kernel learned as a tied-weight autoencoder of its input', () => {
  test('the reconstruction error falls for every pretrained layer; the simulation then runs the learned kernels; other layers are left alone', async () => {
    // A fan_in wider (96 = 3 rolled copies of 32) and narrower (16 of 32) than the layer before.
    const config: SimConfig = {
      inputWidth: 32,
      batch: 128,
      seed: 6,
      input: 'normal',
      layers: [
        layer(32, 32, kernelFor('pretrained', 32, 32, normal(0), 'tanh'), 'tanh'),
        layer(96, 32, kernelFor('pretrained', 96, 32, normal(0), 'tanh'), 'tanh'),
        layer(16, 24, normal(1 / 16), 'tanh'),
        layer(24, 24, kernelFor('pretrained', 24, 24, normal(0), 'tanh'), 'tanh'),
      ],
    };
    const which = [true, true, false, true];
    const { config: learned, losses } = await pretrain(tf, config, which, { steps: 40 });
    for (const [i, chosen] of which.entries()) {
      if (!chosen) {
        assert.equal(losses[i], undefined);
        assert.deepEqual(learned.layers[i], config.layers[i]);
        continue;
      }
      const [before, after] = losses[i] as [number, number];
      assert.ok(after < 0.8 * before, `layer ${i + 1}: reconstruction ${before} → ${after}`);
      const { weights, kernel } = learned.layers[i];
      assert.equal(weights?.length, config.layers[i].fanIn * config.layers[i].units);
      assert.equal(kernel.label, 'Pretrained: autoencoder, 40 steps (from Glorot uniform)');
      const meanSquare = [...(weights as Float32Array)].reduce((s, w) => s + w * w, 0) / (weights as Float32Array).length;
      assert.ok(Math.abs((kernel.variance as number) / meanSquare - 1) < 1e-6, `Var(w) ${kernel.variance} vs E[w^2] ${meanSquare}`);
    }
    // The run uses the learned kernels: not what the Glorot start measures, and the same twice.
    const [start, run, again] = [await simulate(tf, config), await simulate(tf, learned), await simulate(tf, learned)];
    assert.notEqual(run.layers[0].preVar, start.layers[0].preVar);
    assert.deepEqual(run.layers, again.layers);
  });
});

test('a residual add hands the sum forward: identity layers double the stream; a bad residualFrom is refused; nothing leaks', async () => {
  const id: KernelSpec = { label: 'i', distribution: 'identity' };
  const config: SimConfig = {
    inputWidth: 16,
    batch: 32,
    seed: 3,
    input: 'normal',
    layers: [layer(16, 16, id, 'linear'), { ...layer(16, 16, id, 'linear'), residualFrom: 0 }, layer(16, 16, id, 'linear')],
  };
  const r = await simulate(tf, config, { workBudget: Infinity });
  const m = r.layers.map((l) => l.actVar + l.actMean ** 2);
  // Layer 2 reports its own activation (the input again); layer 3 reads the sum x + x.
  assert.ok(Math.abs(m[1] / m[0] - 1) < 1e-5, `${m}`);
  assert.ok(Math.abs(m[2] / m[0] - 4) < 1e-5, `${m}`);
  await assert.rejects(
    simulate(tf, { ...config, layers: [config.layers[0], { ...config.layers[1], residualFrom: 1 }] }),
    /residualFrom must be an earlier layer/,
  );
  await assert.rejects(
    simulate(tf, { ...config, layers: [layer(16, 8, id, 'linear'), { ...config.layers[1], residualFrom: 0 }] }),
    /residualFrom must be an earlier layer of the same units/,
  );
  assert.throws(() => predictLayers(config), /chains only/);
  const before = tf.memory().numTensors;
  for (let i = 0; i < 5; i++) await simulate(tf, { ...config, seed: i });
  assert.equal(tf.memory().numTensors, before);
});
