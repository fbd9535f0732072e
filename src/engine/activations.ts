/**
 * The activation catalogue (rules.md v2, "Activation families"): every activation's family,
 * the function and its derivative, and how its moments are computed. One table; the numbers
 * themselves come from `moments.ts`, at the layer's actual pre-activation variance.
 */

export type ActivationFamily = 'relu' | 'tanh' | 'sigmoid' | 'selu' | 'linear' | 'smooth' | 'unknown';

export interface ActivationInfo {
  /** Canonical lower-case name, e.g. `leaky_relu`; for an unknown activation, the name as written. */
  name: string;
  family: ActivationFamily;
  /** Negative slope of a leaky ReLU (and PReLU's initial slope). */
  alpha?: number;
}

/** phi and phi' of an elementwise activation; `kinks` are where either is not smooth (quadrature panel edges). */
export interface ActivationFunction {
  phi(z: number): number;
  dphi(z: number): number;
  kinks: readonly number[];
}

const SELU_LAMBDA = 1.0507009873554805;
const SELU_ALPHA = 1.6732632423543772;

/** erf by Abramowitz & Stegun 7.1.26, |error| < 1.5e-7: enough for moments to 6 digits. */
export function erf(x: number): number {
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return x >= 0 ? y : -y;
}
const sigmoid = (x: number) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));
const softplus = (x: number) => (x > 30 ? x : x < -30 ? Math.exp(x) : Math.log1p(Math.exp(x)));
const clip = (x: number, lo: number, hi: number) => Math.min(Math.max(x, lo), hi);
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/**
 * The elementwise activations whose moments are computed by quadrature. Where frameworks differ,
 * the row says which one it follows: hard_sigmoid is Keras 3's and PyTorch's relu6(x + 3) / 6
 * (tf.keras 2 and TF.js use clip(0.2x + 0.5), whose moments differ by under 3 %).
 */
const FUNCTIONS: Record<string, ActivationFunction> = {
  relu6: { phi: (z) => clip(z, 0, 6), dphi: (z) => (z > 0 && z < 6 ? 1 : 0), kinks: [0, 6] },
  elu: { phi: (z) => (z > 0 ? z : Math.expm1(z)), dphi: (z) => (z > 0 ? 1 : Math.exp(z)), kinks: [0] },
  tanh: { phi: Math.tanh, dphi: (z) => 1 - Math.tanh(z) ** 2, kinks: [] },
  softsign: { phi: (z) => z / (1 + Math.abs(z)), dphi: (z) => 1 / (1 + Math.abs(z)) ** 2, kinks: [0] },
  hardtanh: { phi: (z) => clip(z, -1, 1), dphi: (z) => (Math.abs(z) < 1 ? 1 : 0), kinks: [-1, 1] },
  sigmoid: { phi: sigmoid, dphi: (z) => sigmoid(z) * (1 - sigmoid(z)), kinks: [] },
  hard_sigmoid: { phi: (z) => clip(z / 6 + 0.5, 0, 1), dphi: (z) => (Math.abs(z) < 3 ? 1 / 6 : 0), kinks: [-3, 3] },
  selu: {
    phi: (z) => SELU_LAMBDA * (z > 0 ? z : SELU_ALPHA * Math.expm1(z)),
    dphi: (z) => SELU_LAMBDA * (z > 0 ? 1 : SELU_ALPHA * Math.exp(z)),
    kinks: [0],
  },
  gelu: {
    phi: (z) => 0.5 * z * (1 + erf(z / Math.SQRT2)),
    dphi: (z) => 0.5 * (1 + erf(z / Math.SQRT2)) + z * INV_SQRT_2PI * Math.exp(-z * z / 2),
    kinks: [],
  },
  silu: { phi: (z) => z * sigmoid(z), dphi: (z) => sigmoid(z) * (1 + z * (1 - sigmoid(z))), kinks: [] },
  mish: {
    phi: (z) => z * Math.tanh(softplus(z)),
    dphi: (z) => {
      const t = Math.tanh(softplus(z));
      return t + z * (1 - t * t) * sigmoid(z);
    },
    kinks: [],
  },
  softplus: { phi: softplus, dphi: sigmoid, kinks: [] },
  hard_swish: {
    phi: (z) => z * clip(z + 3, 0, 6) / 6,
    dphi: (z) => (z <= -3 ? 0 : z >= 3 ? 1 : (2 * z + 3) / 6),
    kinks: [-3, 3],
  },
};

/** The function table entry of an activation; undefined for closed-form ones (ReLU, leaky, linear) and softmax. */
export function activationFunction(act: ActivationInfo): ActivationFunction | undefined {
  return FUNCTIONS[act.name === 'celu' ? 'elu' : act.name];
}

/** Canonical name -> family (rules.md's table). */
const FAMILY: Record<string, ActivationFamily> = {
  relu: 'relu', relu6: 'relu', leaky_relu: 'relu', prelu: 'relu', elu: 'relu', celu: 'relu',
  tanh: 'tanh', softsign: 'tanh', hardtanh: 'tanh',
  sigmoid: 'sigmoid', hard_sigmoid: 'sigmoid',
  selu: 'selu',
  linear: 'linear', softmax: 'linear', log_softmax: 'linear',
  gelu: 'smooth', silu: 'smooth', mish: 'smooth', softplus: 'smooth', hard_swish: 'smooth', exponential: 'smooth',
};

/** Spellings across Keras, TF.js, PyTorch and Flax, compared after lower-casing and dropping `_`, `-` and spaces. */
const ALIASES: Record<string, string> = {
  relu: 'relu', relu6: 'relu6', leakyrelu: 'leaky_relu', leaky: 'leaky_relu', prelu: 'prelu', elu: 'elu', celu: 'celu',
  rrelu: 'leaky_relu',
  tanh: 'tanh', softsign: 'softsign', hardtanh: 'hardtanh',
  sigmoid: 'sigmoid', hardsigmoid: 'hard_sigmoid',
  selu: 'selu',
  linear: 'linear', none: 'linear', identity: 'linear', softmax: 'softmax', logsoftmax: 'log_softmax',
  gelu: 'gelu', gelunew: 'gelu', geluapproximate: 'gelu', quickgelu: 'gelu', silu: 'silu', swish: 'silu', mish: 'mish',
  softplus: 'softplus', hardswish: 'hard_swish', hardsilu: 'hard_swish', exponential: 'exponential', exp: 'exponential',
};

/**
 * Default negative slopes: Keras LeakyReLU 0.3, TF.js leakyReLU 0.3, tf.nn.leaky_relu 0.2,
 * PyTorch LeakyReLU 0.01, Flax 0.01. RReLU evaluates with the mean of its range, (1/8 + 1/3) / 2.
 */
export const LEAKY_DEFAULT_ALPHA = { keras: 0.3, tfjs: 0.3, tf_nn: 0.2, pytorch: 0.01, flax: 0.01 } as const;
const RRELU_ALPHA = (1 / 8 + 1 / 3) / 2;

export function activationInfo(canonical: string, alpha?: number): ActivationInfo {
  const family = FAMILY[canonical];
  if (family === undefined) return unknownActivation(canonical);
  if (canonical === 'leaky_relu') return { name: canonical, family, alpha: alpha ?? LEAKY_DEFAULT_ALPHA.pytorch };
  if (canonical === 'prelu' && alpha !== undefined && alpha !== 0) return { name: canonical, family, alpha };
  return { name: canonical, family };
}

/** An activation the catalogue does not know: the layer is left unjudged, and says why. */
export function unknownActivation(name: string): ActivationInfo {
  return { name, family: 'unknown' };
}

/** Look up an activation by any framework's spelling; undefined when it is not one we know. */
export function lookupActivation(name: string, alpha?: number): ActivationInfo | undefined {
  const key = name.toLowerCase().replace(/[_\s-]/g, '');
  const canonical = ALIASES[key];
  if (canonical === undefined) return undefined;
  return activationInfo(canonical, key === 'rrelu' ? alpha ?? RRELU_ALPHA : alpha);
}

export const LINEAR: ActivationInfo = activationInfo('linear');

/** The slope a ReLU-family activation keeps for negative inputs (0 for relu). */
export function leakySlope(act: ActivationInfo): number {
  return act.name === 'leaky_relu' || act.name === 'prelu' ? act.alpha ?? 0 : 0;
}

/** Activations whose moments have a closed form: relu, leaky relu, prelu (both moments (1 + a^2)/2), linear. */
export function isPiecewiseLinear(act: ActivationInfo): boolean {
  return act.name === 'relu' || act.name === 'leaky_relu' || act.name === 'prelu' || act.name === 'linear';
}
