/**
 * The initializer catalogue (src/engine/initializers.ts) and the activation second-moment
 * factors (src/engine/activations.ts), checked two ways:
 *
 *  1. Closed form: Var(w) for every framework's named initializers, written out by hand from
 *     the formulas in shared/spec/rules.md ("Var(w)") and the frameworks' sources, plus the
 *     family each initializer is classified as.
 *  2. Monte Carlo: TensorFlow.js's own initializers (@tensorflow/tfjs 4.22, CPU backend) are
 *     sampled and the measured variance is compared with kernelVariance(...).
 */
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import {
  resolveInitializer,
  kernelVariance,
  calculateGain,
  truncatedUnitNormalVariance,
  UNCORRECTED_TRUNCATION_FACTOR,
  TRUNCATED_NORMAL_STDDEV,
  type InitArgs,
  type InitFamily,
  type InitSpec,
} from '../../src/engine/initializers';
import { lookupActivation, activationInfo, activationFunction, unknownActivation } from '../../src/engine/activations';
import { activationMoments } from '../../src/engine/moments';
import type { Framework } from '../../src/engine/ir';

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/** |actual - expected| <= rel * |expected| (exact equality when expected is 0). */
function assertClose(actual: number | undefined, expected: number, rel: number, what: string): void {
  assert.ok(actual !== undefined, `${what}: got undefined`);
  const err = Math.abs(actual - expected);
  assert.ok(
    err <= rel * Math.abs(expected),
    `${what}: got ${actual}, expected ${expected} (relative error ${expected === 0 ? err : err / Math.abs(expected)}, tolerance ${rel})`,
  );
}

function resolve(fw: Framework, name: string, args: InitArgs = {}): InitSpec {
  const spec = resolveInitializer(fw, name, args);
  assert.ok(spec, `${fw}:${name} should be in the catalogue`);
  return spec;
}

/** Exactness for closed-form cases. */
const EXACT = 1e-12;
/**
 * Tolerance for cases that go through truncatedUnitNormalVariance, whose normal CDF is the
 * Numerical Recipes erfc fit (fractional error < 1.2e-7): it agrees with the exact value to
 * about 1e-9 at ±2 and 5e-8 at ±1.
 */
const ERFC_FIT = 1e-6;

/** Variance of N(0, 1) cut at ±2 sigma, written out independently of src/: 0.87962566103423978^2. */
const T = 0.87962566103423978 ** 2; // = 0.7737413035499233

/** Dense fans used by the closed-form tables: distinct, so fan_in / fan_out / fan_avg differ. */
const FI = 300;
const FO = 500;
const AVG = (FI + FO) / 2;
const MAX = Math.max(FI, FO);

interface ClosedCase {
  /** What the test is called. */
  name: string;
  init: string;
  args?: InitArgs;
  /** Expected Var(w) for fan_in = FI, fan_out = FO. */
  variance: number;
  family?: InitFamily;
  /** A family it must NOT be classified as. */
  notFamily?: InitFamily;
  /** Tolerance, EXACT unless stated. */
  rel?: number;
}

function runClosedForm(fw: Framework, cases: ClosedCase[]): void {
  for (const c of cases) {
    test(c.name, () => {
      const spec = resolve(fw, c.init, c.args);
      assertClose(kernelVariance(spec, FI, FO), c.variance, c.rel ?? EXACT, `${fw}:${c.name} Var(w)`);
      if (c.family !== undefined) assert.equal(spec.family, c.family, `${fw}:${c.name} family`);
      if (c.notFamily !== undefined) assert.notEqual(spec.family, c.notFamily, `${fw}:${c.name} must not be ${c.notFamily}`);
    });
  }
}

// ---------------------------------------------------------------------------------------------
// 1. Closed form
// ---------------------------------------------------------------------------------------------

describe('truncation constants', () => {
  test('TRUNCATED_NORMAL_STDDEV is the stddev of N(0,1) cut at ±2', () => {
    assert.equal(TRUNCATED_NORMAL_STDDEV, 0.87962566103423978);
    assert.equal(UNCORRECTED_TRUNCATION_FACTOR, T);
    // Var of N(0,1) on [-2, 2] = 1 - 4 phi(2) / erf(sqrt 2), with erf(sqrt 2) = 0.9544997361036416.
    const phi2 = Math.exp(-2) / Math.sqrt(2 * Math.PI);
    assertClose(T, 1 - (4 * phi2) / 0.9544997361036416, EXACT, 'closed-form truncated variance');
  });
  test('truncatedUnitNormalVariance(-2, 2) = 0.7737…', () => {
    assertClose(truncatedUnitNormalVariance(-2, 2), T, ERFC_FIT, 'Var on [-2, 2]');
  });
  test('truncatedUnitNormalVariance(-1, 1) = 1 - 2 phi(1) / erf(1/sqrt 2)', () => {
    const phi1 = Math.exp(-0.5) / Math.sqrt(2 * Math.PI);
    assertClose(truncatedUnitNormalVariance(-1, 1), 1 - (2 * phi1) / 0.6826894921370859, ERFC_FIT, 'Var on [-1, 1]');
  });
  test('truncatedUnitNormalVariance of a far cut is 1', () => {
    assertClose(truncatedUnitNormalVariance(-100, 100), 1, EXACT, 'Var on [-100, 100]');
    assertClose(truncatedUnitNormalVariance(-Infinity, Infinity), 1, EXACT, 'Var on R');
  });
});

describe('closed form: Keras', () => {
  runClosedForm('keras', [
    { name: 'glorot_uniform = 2/(fi+fo)', init: 'glorot_uniform', variance: 2 / (FI + FO), family: 'glorot' },
    { name: 'GlorotUniform = 2/(fi+fo)', init: 'GlorotUniform', variance: 2 / (FI + FO), family: 'glorot' },
    { name: 'GlorotNormal (corrected truncation) = 2/(fi+fo)', init: 'GlorotNormal', variance: 2 / (FI + FO), family: 'glorot' },
    { name: 'he_normal (corrected truncation) = 2/fi', init: 'he_normal', variance: 2 / FI, family: 'he' },
    { name: 'HeUniform = 2/fi', init: 'HeUniform', variance: 2 / FI, family: 'he' },
    { name: 'lecun_normal (corrected truncation) = 1/fi', init: 'lecun_normal', variance: 1 / FI, family: 'lecun' },
    { name: 'LecunUniform = 1/fi', init: 'LecunUniform', variance: 1 / FI, family: 'lecun' },
    {
      name: 'TruncatedNormal(stddev=0.1) = 0.01 x 0.7737 (uncorrected)',
      init: 'TruncatedNormal',
      args: { stddev: 0.1 },
      variance: 0.1 * 0.1 * T,
      family: 'fixed',
    },
    { name: 'TruncatedNormal() default stddev 0.05', init: 'TruncatedNormal', variance: 0.05 * 0.05 * T, family: 'fixed' },
    { name: 'RandomNormal(stddev=0.2) = 0.04', init: 'RandomNormal', args: { stddev: 0.2 }, variance: 0.2 * 0.2, family: 'fixed' },
    { name: 'RandomNormal() default stddev 0.05', init: 'RandomNormal', variance: 0.05 * 0.05, family: 'fixed' },
    { name: 'RandomUniform(-0.1, 0.3) = 0.4^2/12', init: 'RandomUniform', args: { minval: -0.1, maxval: 0.3 }, variance: 0.4 ** 2 / 12, family: 'fixed' },
    { name: 'RandomUniform() default ±0.05 = 0.1^2/12', init: 'RandomUniform', variance: 0.1 ** 2 / 12, family: 'fixed' },
    { name: 'VarianceScaling() default = lecun (1/fi, truncated corrected)', init: 'VarianceScaling', variance: 1 / FI, family: 'lecun' },
    {
      name: "VarianceScaling(2, 'fan_in', 'truncated_normal') = he",
      init: 'VarianceScaling',
      args: { scale: 2, mode: 'fan_in', distribution: 'truncated_normal' },
      variance: 2 / FI,
      family: 'he',
    },
    {
      name: "VarianceScaling(2, 'fan_out', 'untruncated_normal') = 2/fo",
      init: 'VarianceScaling',
      args: { scale: 2, mode: 'fan_out', distribution: 'untruncated_normal' },
      variance: 2 / FO,
      family: 'he',
    },
    {
      name: "VarianceScaling(1, 'fan_avg', 'uniform') = glorot_uniform",
      init: 'VarianceScaling',
      args: { scale: 1, mode: 'fan_avg', distribution: 'uniform' },
      variance: 2 / (FI + FO),
      family: 'glorot',
    },
    {
      name: "VarianceScaling(3, 'fan_avg', 'normal') = 3/avg (Keras 'normal' = corrected truncated)",
      init: 'VarianceScaling',
      args: { scale: 3, mode: 'fan_avg', distribution: 'normal' },
      variance: 3 / AVG,
      family: 'scaled',
    },
    {
      name: "variance_scaling(0.5, 'fan_out', 'uniform') = 0.5/fo",
      init: 'variance_scaling',
      args: { scale: 0.5, mode: 'fan_out', distribution: 'uniform' },
      variance: 0.5 / FO,
      family: 'scaled',
    },
    { name: 'Orthogonal(gain=2) = 4/max(fi,fo)', init: 'Orthogonal', args: { gain: 2 }, variance: 4 / MAX, family: 'orthogonal' },
    { name: 'Zeros is constant', init: 'Zeros', variance: 0, family: 'constant' },
    { name: 'ones is constant', init: 'ones', variance: 0, family: 'constant' },
    { name: 'Constant(value=0.5) is constant', init: 'Constant', args: { value: 0.5 }, variance: 0, family: 'constant' },
  ]);

  test("VarianceScaling(1, 'fan_avg', 'uniform') resolves to the same variance as glorot_uniform", () => {
    const vs = resolve('keras', 'VarianceScaling', { scale: 1, mode: 'fan_avg', distribution: 'uniform' });
    const gu = resolve('keras', 'glorot_uniform');
    for (const [fi, fo] of [
      [3, 7],
      [784, 256],
      [1152, 2304],
    ]) {
      assert.equal(kernelVariance(vs, fi, fo), kernelVariance(gu, fi, fo), `fans ${fi}, ${fo}`);
    }
  });
  test("VarianceScaling 'untruncated_normal' is a plain normal, 'truncated_normal' is corrected", () => {
    assert.equal(resolve('keras', 'VarianceScaling', { distribution: 'untruncated_normal' }).distribution, 'normal');
    const tn = resolve('keras', 'VarianceScaling', { distribution: 'truncated_normal' });
    assert.equal(tn.distribution, 'truncated_normal');
    assert.equal(tn.truncation, 1);
  });
  test('Constant(value=0.5) keeps its value', () => {
    assert.equal(resolve('keras', 'Constant', { value: 0.5 }).constant, 0.5);
    assert.equal(resolve('keras', 'Ones').constant, 1);
  });
});

describe('closed form: TF.js', () => {
  runClosedForm('tfjs', [
    { name: 'glorotUniform = 2/(fi+fo)', init: 'glorotUniform', variance: 2 / (FI + FO), family: 'glorot' },
    { name: 'glorotNormal = 2/(fi+fo) x 0.7737 (uncorrected truncation)', init: 'glorotNormal', variance: (2 / (FI + FO)) * T, family: 'glorot' },
    { name: 'heNormal = 2/fi x 0.7737', init: 'heNormal', variance: (2 / FI) * T, family: 'he' },
    { name: 'heUniform = 2/fi', init: 'heUniform', variance: 2 / FI, family: 'he' },
    { name: 'leCunNormal = 1/fi x 0.7737', init: 'leCunNormal', variance: (1 / FI) * T, family: 'lecun' },
    { name: 'leCunUniform = 1/fi', init: 'leCunUniform', variance: 1 / FI, family: 'lecun' },
    {
      name: "varianceScaling({mode:'fanAvg'}) = 1/avg x 0.7737 (default 'normal' draws truncated)",
      init: 'varianceScaling',
      args: { mode: 'fanAvg' },
      variance: T / AVG,
      family: 'glorot',
    },
    {
      name: "varianceScaling({scale:2, mode:'fanOut', distribution:'uniform'}) = 2/fo",
      init: 'varianceScaling',
      args: { scale: 2, mode: 'fanOut', distribution: 'uniform' },
      variance: 2 / FO,
      family: 'he',
    },
    {
      name: "varianceScaling({distribution:'normal'}) = 1/fi x 0.7737 ('normal' draws truncatedNormal)",
      init: 'varianceScaling',
      args: { distribution: 'normal' },
      variance: T / FI,
      family: 'lecun',
    },
    {
      name: "varianceScaling({distribution:'truncatedNormal'}) = 1/fi (TF.js draws it uniform)",
      init: 'varianceScaling',
      args: { distribution: 'truncatedNormal' },
      variance: 1 / FI,
      family: 'lecun',
    },
    { name: 'randomNormal({stddev:0.1}) = 0.01', init: 'randomNormal', args: { stddev: 0.1 }, variance: 0.01, family: 'fixed' },
    { name: 'truncatedNormal({stddev:0.1}) = 0.01 x 0.7737', init: 'truncatedNormal', args: { stddev: 0.1 }, variance: 0.01 * T, family: 'fixed' },
    {
      name: 'randomUniform({minval:-0.2, maxval:0.3}) = 0.5^2/12',
      init: 'randomUniform',
      args: { minval: -0.2, maxval: 0.3 },
      variance: 0.5 ** 2 / 12,
      family: 'fixed',
    },
    { name: 'orthogonal() = 1/max(fi,fo)', init: 'orthogonal', variance: 1 / MAX, family: 'orthogonal' },
    { name: 'zeros is constant', init: 'zeros', variance: 0, family: 'constant' },
    { name: 'constant({value:0.1}) is constant', init: 'constant', args: { value: 0.1 }, variance: 0, family: 'constant' },
  ]);
});

describe('closed form: PyTorch', () => {
  const g2 = (nl: string, p?: number) => calculateGain(nl, p)! ** 2;
  runClosedForm('pytorch', [
    { name: 'kaiming_normal_() defaults (leaky_relu, a=0) = 2/fi', init: 'kaiming_normal_', variance: 2 / FI, family: 'he' },
    { name: "kaiming_normal_(nonlinearity='relu') = 2/fi", init: 'kaiming_normal_', args: { nonlinearity: 'relu' }, variance: 2 / FI, family: 'he' },
    {
      name: "kaiming_normal_(mode='fan_out', nonlinearity='relu') = 2/fo",
      init: 'kaiming_normal_',
      args: { mode: 'fan_out', nonlinearity: 'relu' },
      variance: 2 / FO,
      family: 'he',
    },
    { name: "kaiming_uniform_(nonlinearity='relu') = 2/fi", init: 'kaiming_uniform_', args: { nonlinearity: 'relu' }, variance: 2 / FI, family: 'he' },
    {
      name: "kaiming_uniform_(mode='fan_out', nonlinearity='relu') = 2/fo",
      init: 'kaiming_uniform_',
      args: { mode: 'fan_out', nonlinearity: 'relu' },
      variance: 2 / FO,
      family: 'he',
    },
    {
      name: "kaiming_normal_(a=0.2, nonlinearity='leaky_relu') = 2/((1+0.04) fi)",
      init: 'kaiming_normal_',
      args: { a: 0.2, nonlinearity: 'leaky_relu' },
      variance: 2 / (1 + 0.2 * 0.2) / FI,
      family: 'he',
    },
    {
      name: "kaiming_uniform_(a=0.2, mode='fan_out') = 2/((1+0.04) fo)",
      init: 'kaiming_uniform_',
      args: { a: 0.2, mode: 'fan_out' },
      variance: 2 / (1 + 0.2 * 0.2) / FO,
      family: 'he',
    },
    {
      name: "kaiming_normal_(nonlinearity='tanh') = (5/3)^2/fi, not he",
      init: 'kaiming_normal_',
      args: { nonlinearity: 'tanh' },
      variance: (5 / 3) ** 2 / FI,
      notFamily: 'he',
    },
    {
      name: "kaiming_uniform_(mode='fan_out', nonlinearity='tanh') = (5/3)^2/fo",
      init: 'kaiming_uniform_',
      args: { mode: 'fan_out', nonlinearity: 'tanh' },
      variance: (5 / 3) ** 2 / FO,
      notFamily: 'he',
    },
    {
      name: "kaiming_normal_(nonlinearity='linear') = 1/fi (lecun)",
      init: 'kaiming_normal_',
      args: { nonlinearity: 'linear' },
      variance: 1 / FI,
      family: 'lecun',
    },
    {
      name: "kaiming_uniform_(mode='fan_out', nonlinearity='linear') = 1/fo",
      init: 'kaiming_uniform_',
      args: { mode: 'fan_out', nonlinearity: 'linear' },
      variance: 1 / FO,
      notFamily: 'he',
    },
    { name: "kaiming_normal_(nonlinearity='selu') = (3/4)^2/fi", init: 'kaiming_normal_', args: { nonlinearity: 'selu' }, variance: 0.5625 / FI },
    { name: 'xavier_uniform_() = 2/(fi+fo)', init: 'xavier_uniform_', variance: 2 / (FI + FO), family: 'glorot' },
    { name: 'xavier_normal_() = 2/(fi+fo)', init: 'xavier_normal_', variance: 2 / (FI + FO), family: 'glorot' },
    { name: 'xavier_normal_(gain=sqrt 2) = 4/(fi+fo)', init: 'xavier_normal_', args: { gain: Math.SQRT2 }, variance: (2 * 2) / (FI + FO) },
    {
      name: 'xavier_uniform_(gain=1.5) = 2.25 x 2/(fi+fo), not glorot',
      init: 'xavier_uniform_',
      args: { gain: 1.5 },
      variance: (2.25 * 2) / (FI + FO),
      notFamily: 'glorot',
    },
    {
      name: "xavier_uniform_(gain=calculate_gain('tanh')) = (5/3)^2 x 2/(fi+fo)",
      init: 'xavier_uniform_',
      args: { gain: 5 / 3 },
      variance: (g2('tanh') * 2) / (FI + FO),
      notFamily: 'glorot',
    },
    { name: "the default kaiming_uniform_(a=sqrt 5) = 1/(3 fi), family 'scaled'", init: 'default', variance: 1 / (3 * FI), family: 'scaled' },
    { name: 'normal_(std=0.02) = 0.0004', init: 'normal_', args: { std: 0.02 }, variance: 0.02 * 0.02, family: 'fixed' },
    { name: 'normal_() default std 1', init: 'normal_', variance: 1, family: 'fixed' },
    { name: 'uniform_(a=-0.1, b=0.1) = 0.2^2/12', init: 'uniform_', args: { a: -0.1, b: 0.1 }, variance: 0.2 ** 2 / 12, family: 'fixed' },
    { name: 'uniform_() default [0, 1) = 1/12', init: 'uniform_', variance: 1 / 12, family: 'fixed' },
    {
      name: 'trunc_normal_(std=0.02), bounds ±2 = 100 sigma: practically std^2',
      init: 'trunc_normal_',
      args: { std: 0.02 },
      variance: 0.02 * 0.02,
      family: 'fixed',
    },
    { name: 'trunc_normal_(std=1), bounds ±2 = 2 sigma: 0.7737', init: 'trunc_normal_', args: { std: 1 }, variance: T, family: 'fixed', rel: ERFC_FIT },
    {
      name: 'trunc_normal_(std=2, a=-2, b=2) = 4 x Var(N(0,1) on ±1)',
      init: 'trunc_normal_',
      args: { std: 2, a: -2, b: 2 },
      variance: 4 * (1 - (2 * (Math.exp(-0.5) / Math.sqrt(2 * Math.PI))) / 0.6826894921370859),
      rel: ERFC_FIT,
    },
    { name: 'orthogonal_(gain=2) = 4/max(fi,fo)', init: 'orthogonal_', args: { gain: 2 }, variance: 4 / MAX, family: 'orthogonal' },
    { name: 'zeros_ is constant', init: 'zeros_', variance: 0, family: 'constant' },
    { name: 'constant_(val=0.1) is constant', init: 'constant_', args: { val: 0.1 }, variance: 0, family: 'constant' },
  ]);

  describe('calculate_gain', () => {
    const table: Array<[string, number | undefined, number]> = [
      ['linear', undefined, 1],
      ['conv2d', undefined, 1],
      ['sigmoid', undefined, 1],
      ['tanh', undefined, 5 / 3],
      ['relu', undefined, Math.sqrt(2)],
      ['leaky_relu', undefined, Math.sqrt(2 / (1 + 0.01 * 0.01))],
      ['leaky_relu', 0.2, Math.sqrt(2 / (1 + 0.2 * 0.2))],
      ['leaky_relu', 0, Math.sqrt(2)],
      ['selu', undefined, 3 / 4],
    ];
    for (const [nl, param, gain] of table) {
      test(`calculate_gain('${nl}'${param === undefined ? '' : `, ${param}`}) = ${gain}`, () => {
        assertClose(calculateGain(nl, param), gain, EXACT, nl);
      });
    }
    test('calculate_gain of an unknown nonlinearity is undefined', () => {
      assert.equal(calculateGain('softmax'), undefined);
    });
  });
});

describe('closed form: Flax', () => {
  runClosedForm('flax', [
    { name: 'glorot_uniform = 2/(fi+fo)', init: 'glorot_uniform', variance: 2 / (FI + FO), family: 'glorot' },
    { name: 'xavier_uniform = 2/(fi+fo)', init: 'xavier_uniform', variance: 2 / (FI + FO), family: 'glorot' },
    { name: 'glorot_normal (corrected truncation) = 2/(fi+fo)', init: 'glorot_normal', variance: 2 / (FI + FO), family: 'glorot' },
    { name: 'he_normal (corrected truncation) = 2/fi', init: 'he_normal', variance: 2 / FI, family: 'he' },
    { name: 'kaiming_uniform = 2/fi', init: 'kaiming_uniform', variance: 2 / FI, family: 'he' },
    { name: 'lecun_normal (corrected truncation) = 1/fi', init: 'lecun_normal', variance: 1 / FI, family: 'lecun' },
    { name: 'lecun_uniform = 1/fi', init: 'lecun_uniform', variance: 1 / FI, family: 'lecun' },
    {
      name: "variance_scaling(2, 'fan_in', 'normal') = 2/fi (JAX 'normal' is untruncated)",
      init: 'variance_scaling',
      args: { scale: 2, mode: 'fan_in', distribution: 'normal' },
      variance: 2 / FI,
      family: 'he',
    },
    {
      name: "variance_scaling(1, 'fan_avg', 'uniform') = glorot_uniform",
      init: 'variance_scaling',
      args: { scale: 1, mode: 'fan_avg', distribution: 'uniform' },
      variance: 2 / (FI + FO),
      family: 'glorot',
    },
    { name: 'normal(stddev=0.1) = 0.01', init: 'normal', args: { stddev: 0.1 }, variance: 0.01, family: 'fixed' },
    {
      name: 'truncated_normal(stddev=0.1) = 0.01 x 0.7737 (uncorrected)',
      init: 'truncated_normal',
      args: { stddev: 0.1 },
      variance: 0.01 * T,
      family: 'fixed',
    },
    { name: 'uniform(scale=0.5) = U[0, 0.5): 0.25/12', init: 'uniform', args: { scale: 0.5 }, variance: 0.25 / 12, family: 'fixed' },
    { name: 'uniform() default scale 1e-2', init: 'uniform', variance: 1e-4 / 12, family: 'fixed' },
    { name: 'orthogonal(scale=2) = 4/max(fi,fo)', init: 'orthogonal', args: { scale: 2 }, variance: 4 / MAX, family: 'orthogonal' },
    { name: 'zeros is constant', init: 'zeros', variance: 0, family: 'constant' },
    { name: 'ones is constant', init: 'ones', variance: 0, family: 'constant' },
  ]);
  test("variance_scaling(distribution='normal') is a plain normal", () => {
    assert.equal(resolve('flax', 'variance_scaling', { distribution: 'normal' }).distribution, 'normal');
  });
});

// ---------------------------------------------------------------------------------------------
// Activation second-moment factors m = E[f(x)^2], x ~ N(0, 1)
// ---------------------------------------------------------------------------------------------

/**
 * E[f(x)^2] by a composite trapezoid rule on [-12, 12], h = 1e-3, with Phi obtained by
 * cumulatively integrating phi on the same grid (so no erf approximation is involved: a
 * different method from activations.ts, which uses Simpson's rule and an A&S erf).
 */
function trapezoidSecondMoment(f: (x: number, Phi: number) => number): number {
  const a = -12;
  const n = 24000;
  const h = 24 / n;
  const phi = (x: number) => Math.exp((-x * x) / 2) / Math.sqrt(2 * Math.PI);
  let Phi = 0; // Phi(-12) ~ 1.8e-33
  let sum = 0;
  let prevPhi = phi(a);
  for (let i = 0; i <= n; i++) {
    const x = a + i * h;
    const p = phi(x);
    if (i > 0) Phi += ((prevPhi + p) * h) / 2;
    prevPhi = p;
    const y = f(x, Phi);
    const w = i === 0 || i === n ? 0.5 : 1;
    sum += w * y * y * p;
  }
  return sum * h;
}

/**
 * E[gelu(x)^2] = E[x^2 Phi(x)^2] = 1/3 + 1/(2 pi sqrt 3) = 0.4252214825702987 (Stein's lemma
 * twice: E[Phi^2] = 1/3 and 2 E[x Phi phi] = E[phi^2] = 1/(2 pi sqrt 3)).
 */
const GELU_M_CLOSED = 1 / 3 + 1 / (2 * Math.PI * Math.sqrt(3));
/** Trapezoid: 0.42522148… (agrees with the closed form to < 1e-6). */
const GELU_M = trapezoidSecondMoment((x, Phi) => x * Phi);
/** Trapezoid: E[silu(x)^2] = 0.3557755… */
const SILU_M = trapezoidSecondMoment((x) => x / (1 + Math.exp(-x)));

describe('activation moments at the operating point (moments.ts)', () => {
  const at = (name: string, q: number, alpha?: number) => activationMoments(lookupActivation(name, alpha)!, q)!;
  test('relu: both moments are exactly q/2 and 1/2, at any q', () => {
    for (const q of [1e-6, 1, 37.5]) assert.deepEqual(at('ReLU', q), { forward: q / 2, backward: 0.5 });
  });
  test('leaky_relu(0.2): (1 + a^2)/2 both ways; the default slope is 0.01', () => {
    assert.deepEqual(at('leaky_relu', 2, 0.2), { forward: (2 * (1 + 0.04)) / 2, backward: (1 + 0.04) / 2 });
    assert.deepEqual(activationMoments(activationInfo('leaky_relu'), 1), { forward: (1 + 1e-4) / 2, backward: (1 + 1e-4) / 2 });
  });
  test('linear keeps q and the gradient', () => assert.deepEqual(at('linear', 3), { forward: 3, backward: 1 }));
  test('gelu at q = 1 matches the closed form 1/3 + 1/(2 pi sqrt 3) to 1e-6 (and the trapezoid reference)', () => {
    assertClose(GELU_M, GELU_M_CLOSED, 1e-6, 'gelu reference');
    assertClose(at('gelu', 1).forward, GELU_M_CLOSED, 1e-6, 'gelu');
  });
  test('silu / swish at q = 1 match the trapezoid reference 0.35578 to 1e-6', () => {
    for (const name of ['silu', 'swish']) assertClose(at(name, 1).forward, SILU_M, 1e-6, name);
  });
  test("tanh saturates: E[tanh^2] < 1 at every q, and E[tanh'^2] falls like 1/sqrt(q)", () => {
    for (const q of [0.01, 1, 100, 1e6]) assert.ok(at('tanh', q).forward < 1);
    // For large q, E[tanh'(z)^2] -> (integral of sech^4 = 4/3) / sqrt(2 pi q).
    assertClose(at('tanh', 1e6).backward, 4 / 3 / Math.sqrt(2 * Math.PI * 1e6), 1e-3, 'tanh backward at q = 1e6');
    // Near 0 tanh is linear: both moments -> q and 1.
    assertClose(at('tanh', 1e-8).forward, 1e-8, 1e-6, 'tanh forward at q = 1e-8');
  });
  test('sigmoid keeps at most 1/16 of the gradient at any q', () => {
    for (const q of [1e-6, 1, 10]) assert.ok(at('sigmoid', q).backward <= 1 / 16 + 1e-12);
    assertClose(at('sigmoid', 1e-8).backward, 1 / 16, 1e-6, 'sigmoid backward near 0');
  });
  test('quadrature agrees with a 400,000-point Simpson rule for every quadrature activation (q = 0.3, 1, 63)', () => {
    for (const name of ['relu6', 'elu', 'tanh', 'softsign', 'hardtanh', 'sigmoid', 'hard_sigmoid', 'selu', 'gelu', 'silu', 'mish', 'softplus', 'hard_swish']) {
      const fn = activationFunction(lookupActivation(name)!)!;
      for (const q of [0.3, 1, 63]) {
        const m = at(name, q);
        assertClose(
          m.forward,
          simpson((z) => fn.phi(z) ** 2, q),
          1e-4,
          `${name} forward at q = ${q}`,
        );
        assertClose(
          m.backward,
          simpson((z) => fn.dphi(z) ** 2, q),
          1e-4,
          `${name} backward at q = ${q}`,
        );
      }
    }
  });
  test('an unknown activation has no moments, and is never read as linear', () => {
    assert.equal(lookupActivation('my_custom_act'), undefined);
    assert.equal(activationMoments(unknownActivation('my_custom_act'), 1), undefined);
  });
  test('exponential overflows to a capped number, never Infinity or NaN', () => {
    const m = at('exponential', 1e4);
    assert.ok(Number.isFinite(m.forward) && Number.isFinite(m.backward));
  });
});

/** E[f(z)], z ~ N(0, q), by Simpson's rule with 400,000 intervals on +-12 sigma. */
function simpson(f: (z: number) => number, q: number): number {
  const s = Math.sqrt(q);
  const n = 400_000;
  const a = -12 * s;
  const h = (24 * s) / n;
  let sum = 0;
  for (let i = 0; i <= n; i++) {
    const z = a + i * h;
    const w = i === 0 || i === n ? 1 : i % 2 ? 4 : 2;
    sum += w * f(z) * Math.exp((-z * z) / (2 * q));
  }
  return (sum * h) / 3 / (s * Math.sqrt(2 * Math.PI));
}

// ---------------------------------------------------------------------------------------------
// 2. Monte Carlo against TensorFlow.js's own initializers
// ---------------------------------------------------------------------------------------------

type TfArgs = Record<string, number | string>;

interface McCase {
  name: string;
  /** tf.initializers.<init> and resolveInitializer('tfjs', init, args). */
  init: string;
  args?: TfArgs;
  shape: number[];
  /** fan_in / fan_out as TF.js computeFans sees the shape (channels last). */
  fanIn: number;
  fanOut: number;
  /** Spatial size of a conv kernel (orthogonal kernels are flattened by it). */
  receptiveField?: number;
  /** Pool this many kernels (seeds 7, 8, …) where one kernel has too few samples for 2 %. */
  seeds?: number;
}

const MC_REL = 0.02;
const DENSE = [256, 512];

const MC_CASES: McCase[] = [
  { name: 'glorotNormal [256,512]', init: 'glorotNormal', shape: DENSE, fanIn: 256, fanOut: 512 },
  { name: 'glorotUniform [256,512]', init: 'glorotUniform', shape: DENSE, fanIn: 256, fanOut: 512 },
  { name: 'heNormal [256,512]', init: 'heNormal', shape: DENSE, fanIn: 256, fanOut: 512 },
  { name: 'heUniform [256,512]', init: 'heUniform', shape: DENSE, fanIn: 256, fanOut: 512 },
  { name: 'leCunNormal [256,512]', init: 'leCunNormal', shape: DENSE, fanIn: 256, fanOut: 512 },
  { name: 'leCunUniform [256,512]', init: 'leCunUniform', shape: DENSE, fanIn: 256, fanOut: 512 },
  { name: 'randomNormal({stddev:0.1}) [256,512]', init: 'randomNormal', args: { stddev: 0.1 }, shape: DENSE, fanIn: 256, fanOut: 512 },
  { name: 'randomNormal() defaults [256,512]', init: 'randomNormal', shape: DENSE, fanIn: 256, fanOut: 512 },
  {
    name: 'randomUniform({minval:-0.2, maxval:0.3}) [256,512]',
    init: 'randomUniform',
    args: { minval: -0.2, maxval: 0.3 },
    shape: DENSE,
    fanIn: 256,
    fanOut: 512,
  },
  { name: 'truncatedNormal({stddev:0.1}) [256,512]', init: 'truncatedNormal', args: { stddev: 0.1 }, shape: DENSE, fanIn: 256, fanOut: 512 },
  { name: "varianceScaling({mode:'fanAvg'}) [256,512]", init: 'varianceScaling', args: { mode: 'fanAvg' }, shape: DENSE, fanIn: 256, fanOut: 512 },
  {
    name: "varianceScaling({scale:2, mode:'fanOut', distribution:'uniform'}) [256,512]",
    init: 'varianceScaling',
    args: { scale: 2, mode: 'fanOut', distribution: 'uniform' },
    shape: DENSE,
    fanIn: 256,
    fanOut: 512,
  },
  {
    name: "varianceScaling({scale:0.5, mode:'fanIn', distribution:'normal'}) [256,512]",
    init: 'varianceScaling',
    args: { scale: 0.5, mode: 'fanIn', distribution: 'normal' },
    shape: DENSE,
    fanIn: 256,
    fanOut: 512,
  },
  { name: 'orthogonal({gain:1.5}) [256,128]', init: 'orthogonal', args: { gain: 1.5 }, shape: [256, 128], fanIn: 256, fanOut: 128 },
  // Conv kernels: TF.js computeFans multiplies the channels by the receptive field (3 x 3).
  // One [3,3,16,32] kernel has only 4608 entries (sampling error ~1.5 %), so 30 seeds are pooled.
  { name: 'heNormal conv [3,3,16,32] (fan_in = 3*3*16)', init: 'heNormal', shape: [3, 3, 16, 32], fanIn: 3 * 3 * 16, fanOut: 3 * 3 * 32, seeds: 30 },
  {
    name: 'glorotUniform conv [3,3,16,32] (fan_avg of 3*3*16, 3*3*32)',
    init: 'glorotUniform',
    shape: [3, 3, 16, 32],
    fanIn: 3 * 3 * 16,
    fanOut: 3 * 3 * 32,
    seeds: 30,
  },
  // TF.js draws 'truncatedNormal' from its uniform branch (only 'normal' is truncated).
  {
    name: "varianceScaling({scale:0.5, distribution:'truncatedNormal'}) [256,512]",
    init: 'varianceScaling',
    args: { scale: 0.5, distribution: 'truncatedNormal' },
    shape: DENSE,
    fanIn: 256,
    fanOut: 512,
  },
  {
    name: 'orthogonal() conv [3,3,16,32] (flattened to [144, 32]: Var = 1/144)',
    init: 'orthogonal',
    shape: [3, 3, 16, 32],
    fanIn: 3 * 3 * 16,
    fanOut: 3 * 3 * 32,
    receptiveField: 9,
  },
  {
    // TF.js reads `args.minval || -0.05`: an explicit 0 draws U(-0.05, 1).
    name: 'randomUniform({minval:0, maxval:1}) [256,512]',
    init: 'randomUniform',
    args: { minval: 0, maxval: 1 },
    shape: DENSE,
    fanIn: 256,
    fanOut: 512,
  },
];

/** Population variance about the sample mean, accumulated in float64. */
function variance(values: ArrayLike<number>): number {
  let mean = 0;
  for (let i = 0; i < values.length; i++) mean += values[i];
  mean /= values.length;
  let ss = 0;
  for (let i = 0; i < values.length; i++) ss += (values[i] - mean) ** 2;
  return ss / values.length;
}

type InitializerFactory = (args: TfArgs) => { apply(shape: number[]): tf.Tensor };

/** Draw `seeds` kernels of `shape` from TF.js and return all their entries. */
function sampleTfjs(init: string, args: TfArgs, shape: number[], seeds: number): Float64Array {
  const factory = (tf.initializers as unknown as Record<string, InitializerFactory>)[init];
  assert.equal(typeof factory, 'function', `tf.initializers.${init} exists`);
  const size = shape.reduce((p, d) => p * d, 1);
  const out = new Float64Array(size * seeds);
  const warn = console.warn;
  // Orthogonal warns on every matrix over 2000 entries ("Slowness may result").
  console.warn = () => {};
  try {
    for (let s = 0; s < seeds; s++) {
      const t = factory({ seed: 7 + s, ...args }).apply(shape);
      try {
        out.set(t.dataSync(), s * size);
      } finally {
        t.dispose();
      }
    }
  } finally {
    console.warn = warn;
  }
  return out;
}

describe('Monte Carlo: TensorFlow.js initializers vs kernelVariance', () => {
  before(async () => {
    // IS_TEST silences the "looks like you are running TensorFlow.js in Node.js" hint.
    tf.env().set('IS_TEST', true);
    await tf.setBackend('cpu');
    await tf.ready();
  });

  for (const c of MC_CASES) {
    test(c.name, () => {
      const tensorsBefore = tf.memory().numTensors;
      const samples = sampleTfjs(c.init, c.args ?? {}, c.shape, c.seeds ?? 1);
      assert.equal(tf.memory().numTensors, tensorsBefore, 'every tensor disposed');
      const measured = variance(samples);
      const expected = kernelVariance(resolve('tfjs', c.init, c.args ?? {}), c.fanIn, c.fanOut, c.receptiveField);
      assert.ok(expected !== undefined && expected > 0, `kernelVariance for ${c.name}`);
      const rel = Math.abs(measured - expected) / expected;
      assert.ok(
        rel <= MC_REL,
        `${c.name}: TF.js measured Var = ${measured.toPrecision(6)}, kernelVariance = ${expected.toPrecision(6)} ` +
          `(off by ${(100 * rel).toFixed(2)} %, tolerance ${100 * MC_REL} %)`,
      );
    });
  }

  test('the 2 % tolerance tells TF.js heNormal (0.774 x 2/fi) from the nominal 2/fi', () => {
    const measured = variance(sampleTfjs('heNormal', {}, DENSE, 1));
    const nominal = 2 / 256;
    assert.ok(Math.abs(measured - nominal) / nominal > 5 * MC_REL, `measured ${measured}, nominal ${nominal}`);
    assert.ok(Math.abs(measured - nominal * T) / (nominal * T) <= MC_REL, `measured ${measured}, truncated ${nominal * T}`);
  });
});

test('a resolved spec is one frozen value per framework, name and arguments', () => {
  const he = resolveInitializer('keras', 'HeNormal');
  assert.equal(resolveInitializer('keras', 'HeNormal'), he, 'the same initializer: the same object');
  assert.ok(Object.isFrozen(he));
  const scaled = resolveInitializer('keras', 'VarianceScaling', { scale: 2, mode: 'fan_in' });
  assert.equal(resolveInitializer('keras', 'VarianceScaling', { scale: 2, mode: 'fan_in' }), scaled);
  assert.notEqual(resolveInitializer('keras', 'VarianceScaling', { scale: 3, mode: 'fan_in' }), scaled, 'other arguments: another spec');
  assert.equal(resolveInitializer('keras', 'VarianceScaling', { scale: 3, mode: 'fan_in' })?.scale, 3);
  // A string argument is quoted in the key: these two must not meet.
  const a = resolveInitializer('keras', 'VarianceScaling', { mode: 'fan_in|scale=3' });
  const b = resolveInitializer('keras', 'VarianceScaling', { mode: 'fan_in', scale: 3 });
  assert.notEqual(a, b);
  assert.equal(a?.scale, 1);
  // Names and keys are the user's (Keras JSON): an odd one never meets another call's key.
  const odd = resolveInitializer('keras', 'VarianceScaling', { 'scale=2|mode': 'fan_out' } as InitArgs);
  assert.notEqual(odd, resolveInitializer('keras', 'VarianceScaling', { scale: 2, mode: 'fan_out' }));
  assert.equal(resolveInitializer('keras', 'VarianceScaling|scale=2'), undefined);
  assert.equal(resolveInitializer('keras', 'VarianceScaling', { scale: 2 })?.scale, 2);
});
