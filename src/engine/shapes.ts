/**
 * Layer geometry as Keras computes it (TF.js layers follow Keras): output sizes of
 * convolutions and poolings, and the fans of a convolution kernel. Shared by the Keras and TF.js
 * front ends. Shapes exclude the batch axis; null is an unknown size.
 */
export type Dim = number | null;

/** A shape from a constant: `784`, `(28, 28, 1)`, `[null, 10]`. */
export function toShape(c: unknown): Dim[] | undefined {
  if (typeof c === 'number') return [c];
  if (!Array.isArray(c)) return undefined;
  const out: Dim[] = [];
  for (const d of c) {
    if (typeof d === 'number') out.push(d);
    else if (d === null) out.push(null);
    else return undefined;
  }
  return out;
}

/** Output size of one spatial axis of a convolution or pooling. */
export function convOut(d: Dim, k: number, s: number, dilation: number, padding: string): Dim {
  if (d === null) return null;
  if (padding === 'same' || padding === 'causal') return Math.ceil(d / s);
  const eff = dilation * (k - 1) + 1;
  return Math.max(0, Math.floor((d - eff) / s) + 1);
}

export interface ConvGeometry {
  fanIn?: number;
  fanOut?: number;
  receptiveField: number;
  outShape?: Dim[];
}

/**
 * Fans and output shape of a convolution. Kernels are (k..., in, filters); transposed
 * convolutions' are (k..., filters, in), and compute_fans reads the last two axes, so their
 * fans swap.
 */
export function convGeometry(o: {
  rank: number;
  transpose: boolean;
  inShape?: Dim[];
  inChannels?: number;
  filters?: number;
  kernel?: number[];
  strides?: number[];
  dilation?: number[];
  padding: string;
  channelsFirst: boolean;
}): ConvGeometry {
  const { rank, transpose, inShape, inChannels, filters, kernel, strides, dilation, padding, channelsFirst } = o;
  const out: ConvGeometry = { receptiveField: 1 };
  const rf = kernel?.reduce((a, b) => a * b, 1);
  if (rf !== undefined) {
    out.receptiveField = rf;
    const a = inChannels !== undefined ? rf * inChannels : undefined;
    const b = filters !== undefined ? rf * filters : undefined;
    [out.fanIn, out.fanOut] = transpose ? [b, a] : [a, b];
  }
  if (inShape && inShape.length === rank + 1 && kernel && strides && filters !== undefined && !channelsFirst) {
    const spatial = inShape
      .slice(0, rank)
      .map((d, i) =>
        transpose
          ? d === null
            ? null
            : padding === 'same'
              ? d * strides[i]
              : d * strides[i] + Math.max(kernel[i] - strides[i], 0)
          : convOut(d, kernel[i], strides[i], dilation?.[i] ?? 1, padding),
      );
    out.outShape = [...spatial, filters];
  } else if (filters !== undefined) {
    out.outShape = channelsFirst ? [filters, ...Array(rank).fill(null)] : [...Array(rank).fill(null), filters];
  }
  return out;
}
