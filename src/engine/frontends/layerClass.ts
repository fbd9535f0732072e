/** What a layer class is to the analysis: the shape of every front end's layer table. */

export type Role =
  | 'weighted' | 'activation' | 'norm' | 'passthrough' | 'reshape' | 'input' | 'merge' | 'unjudged';

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
