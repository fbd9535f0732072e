/** How every front end describes a weighted layer in the IR: its kind and its short label. */
import type { LayerKind } from '../ir';

/** Labels longer than this are cut (with an ellipsis): they appear in messages, hovers and the panel. */
const MAX_LABEL = 60;

/** Dense without a spatial rank; a convolution (transposed or not) with one. */
export function layerKind(rank: number | undefined, transpose: boolean | undefined): LayerKind {
  return rank === undefined ? 'dense' : transpose ? 'conv_transpose' : 'conv';
}

/** The layer as the user wrote it (`Dense(64)`), cut to MAX_LABEL characters. */
export function layerLabel(label: string): string {
  return label.length > MAX_LABEL ? `${label.slice(0, MAX_LABEL - 3)}...` : label;
}

/**
 * Keyword arguments that give a layer its size, across Keras (2, 3 and 1's `output_dim`,
 * `nb_filter`, `nb_row`, `nb_col`), Flax linen/nnx and PyTorch: a label shows these as written.
 */
export const SIZE_KEYWORDS: ReadonlySet<string> = new Set([
  'units',
  'filters',
  'kernel_size',
  'output_dim',
  'nb_filter',
  'nb_row',
  'nb_col',
  'nb_depth',
  'features',
  'in_features',
  'out_features',
  'in_channels',
  'out_channels',
]);

/**
 * A Python layer call's label: its positional arguments and its size-defining keyword arguments,
 * as written and in the order written (`Dense(64)`, `Dense(units=64)`,
 * `Conv2D(filters=32, kernel_size=3)`, `Conv2D(32, kernel_size=3)`); whitespace is collapsed and
 * the result cut to MAX_LABEL characters. Other keywords (activation, initializers) are left out.
 */
export function pythonCallLabel(name: string, positional: readonly string[], keywords: Iterable<[string, string]>): string {
  const parts = [...positional];
  for (const [key, value] of keywords) if (SIZE_KEYWORDS.has(key)) parts.push(`${key}=${value}`);
  return layerLabel(
    `${name}(${parts.join(', ')})`
      .replace(/\s+/g, ' ')
      .replace(/([([]) /g, '$1')
      .replace(/ ([)\]])/g, '$1'),
  );
}
