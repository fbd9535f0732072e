/**
 * The activation catalogue: each activation's family (rules.md, "Activation families"), its
 * second-moment factor m = E[f(x)^2] / Var(x) for x ~ N(0, 1), and its PyTorch gain.
 */

export type ActivationFamily = 'relu' | 'saturating' | 'selu' | 'linear' | 'smooth';

export interface ActivationInfo {
  /** Canonical lower-case name, e.g. `leaky_relu`. */
  name: string;
  family: ActivationFamily;
  /** Second-moment factor used in the gain g = fan_in x Var(w) x m. */
  m: number;
  /** Negative slope of a leaky ReLU. */
  alpha?: number;
}

/** E[f(x)^2] for x ~ N(0, 1), by Simpson's rule on [-12, 12]: exact enough for 4 digits. */
function secondMoment(f: (x: number) => number): number {
  const n = 4000;
  const a = -12;
  const h = 24 / n;
  let sum = 0;
  for (let i = 0; i <= n; i++) {
    const x = a + i * h;
    const w = i === 0 || i === n ? 1 : i % 2 === 1 ? 4 : 2;
    const y = f(x);
    sum += w * y * y * Math.exp(-x * x / 2);
  }
  return sum * h / 3 / Math.sqrt(2 * Math.PI);
}

const erf = (x: number) => {
  // Abramowitz & Stegun 7.1.26, |error| < 1.5e-7.
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return x >= 0 ? y : -y;
};
const softplus = (x: number) => (x > 30 ? x : Math.log1p(Math.exp(x)));
const SMOOTH: Record<string, (x: number) => number> = {
  gelu: (x) => 0.5 * x * (1 + erf(x / Math.SQRT2)),
  silu: (x) => x / (1 + Math.exp(-x)),
  mish: (x) => x * Math.tanh(softplus(x)),
  softplus,
  hard_swish: (x) => x * Math.min(Math.max(x + 3, 0), 6) / 6,
};
const SMOOTH_M = new Map<string, number>();
function smoothM(name: keyof typeof SMOOTH): number {
  let m = SMOOTH_M.get(name);
  if (m === undefined) {
    m = secondMoment(SMOOTH[name]);
    SMOOTH_M.set(name, m);
  }
  return m;
}

/** Spellings across Keras, TF.js, PyTorch and Flax, compared after lower-casing and dropping `_`. */
const ALIASES: Record<string, string> = {
  relu: 'relu', relu6: 'relu6', leakyrelu: 'leaky_relu', leaky: 'leaky_relu', prelu: 'prelu', elu: 'elu', celu: 'elu',
  rrelu: 'leaky_relu',
  tanh: 'tanh', sigmoid: 'sigmoid', hardsigmoid: 'hard_sigmoid', softsign: 'softsign', softmax: 'softmax',
  logsoftmax: 'softmax', logsigmoid: 'sigmoid', hardtanh: 'tanh', tanhshrink: 'linear',
  selu: 'selu',
  linear: 'linear', none: 'linear', identity: 'linear',
  gelu: 'gelu', gelunew: 'gelu', geluapproximate: 'gelu', silu: 'silu', swish: 'silu', mish: 'mish', softplus: 'softplus',
  hardswish: 'hard_swish', hardsilu: 'hard_swish',
};

/** Default negative slopes: Keras LeakyReLU 0.3, TF.js leakyReLU 0.3, tf.nn.leaky_relu 0.2, PyTorch LeakyReLU 0.01, Flax 0.01. */
export const LEAKY_DEFAULT_ALPHA = { keras: 0.3, tfjs: 0.3, tf_nn: 0.2, pytorch: 0.01, flax: 0.01 } as const;

export function activationInfo(canonical: string, alpha?: number): ActivationInfo {
  switch (canonical) {
    case 'relu': case 'relu6': case 'prelu': case 'elu':
      return { name: canonical, family: 'relu', m: 0.5 };
    case 'leaky_relu': {
      const a = alpha ?? 0.01;
      return { name: canonical, family: 'relu', m: (1 + a * a) / 2, alpha: a };
    }
    case 'tanh': case 'sigmoid': case 'hard_sigmoid': case 'softsign': case 'softmax':
      return { name: canonical, family: 'saturating', m: 1 };
    case 'selu':
      return { name: canonical, family: 'selu', m: 1 };
    case 'gelu': case 'silu': case 'mish': case 'softplus': case 'hard_swish':
      return { name: canonical, family: 'smooth', m: smoothM(canonical) };
    default:
      return { name: 'linear', family: 'linear', m: 1 };
  }
}

/** Look up an activation by any framework's spelling; undefined when it is not one we know. */
export function lookupActivation(name: string, alpha?: number): ActivationInfo | undefined {
  const key = name.toLowerCase().replace(/[_\s-]/g, '');
  const canonical = ALIASES[key];
  return canonical === undefined ? undefined : activationInfo(canonical, alpha);
}

export const LINEAR: ActivationInfo = activationInfo('linear');
