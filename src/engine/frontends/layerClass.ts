/** What a layer class is to the analysis: the shape of every front end's layer table. */

export type Role = 'weighted' | 'activation' | 'norm' | 'passthrough' | 'reshape' | 'input' | 'merge' | 'unjudged';

export interface LayerClass {
  role: Role;
  /** Spatial rank of convolutions and poolings. */
  rank?: number;
  transpose?: boolean;
  /** Positional parameter names, in order (Python); arguments beyond them are not understood. */
  params: string[];
  /** For activation layers: the activation they apply, unless read from arguments. */
  activation?: string;
  /** A Keras layer called in Keras 1's argument names (frontends/keras/layers.ts keras1Class). */
  dialect?: 'keras1';
}

/** Reads the constant written for one argument, by its parameter name; undefined when absent or not constant. */
export type ArgReader = (key: string) => unknown;

/**
 * A layer size: a non-negative integer (`Dense(-5)`, `nn.Linear(2.5, 3)` have no fans to judge:
 * the framework raises on them). A size 0 is kept, so that the layer after it has fan_in 0 and
 * gets no initializer finding.
 */
export function sizeArg(read: ArgReader, key: string): number | undefined {
  const v = read(key);
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : undefined;
}

/**
 * An int or an int list of the given rank (`3` or `(3, 3)`), as the frameworks normalize kernel
 * sizes; each at least `min` (a padding may be 0).
 */
export function tupleArg(read: ArgReader, key: string, rank: number, dflt?: number, min = 1): number[] | undefined {
  const v = read(key) ?? dflt;
  const ok = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x) && x >= min;
  if (ok(v)) return Array(rank).fill(v);
  if (Array.isArray(v) && v.length === rank && v.every(ok)) return v as number[];
  return undefined;
}
