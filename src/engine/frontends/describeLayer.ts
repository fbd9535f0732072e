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
