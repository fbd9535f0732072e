/**
 * What each `tf.layers.*` factory is to the analysis: a weighted layer the rules judge, an
 * activation, a normalization, something that passes the signal through (maybe reshaping it),
 * or a layer that is recognised but not judged in v1 (embeddings, RNNs, depthwise convs).
 * Names follow tfjs-layers/src/exports_layers.ts.
 */

export type Role = 'weighted' | 'activation' | 'norm' | 'passthrough' | 'reshape' | 'input' | 'merge' | 'unjudged';

export interface TfjsLayerClass {
  role: Role;
  /** Spatial rank of convolutions and poolings. */
  rank?: number;
  transpose?: boolean;
  /** For activation layers: the activation they apply. */
  activation?: string;
  /** Poolings: global ones drop the spatial axes. */
  global?: boolean;
}

const TABLE = new Map<string, TfjsLayerClass>();
const put = (names: string[], cls: TfjsLayerClass) => names.forEach((n) => TABLE.set(n, cls));

put(['dense'], { role: 'weighted' });
for (const r of [1, 2, 3]) {
  put([`conv${r}d`], { role: 'weighted', rank: r });
  put([`maxPooling${r}d`, `averagePooling${r}d`, `avgPool${r}d`, `avgPooling${r}d`], { role: 'reshape', rank: r });
}
put(['conv2dTranspose'], { role: 'weighted', rank: 2, transpose: true });
put(['conv3dTranspose'], { role: 'weighted', rank: 3, transpose: true });
put(['globalAveragePooling1d', 'globalMaxPooling1d'], { role: 'reshape', rank: 1, global: true });
put(['globalAveragePooling2d', 'globalMaxPooling2d'], { role: 'reshape', rank: 2, global: true });
put(['zeroPadding2d', 'cropping2D', 'upSampling2d', 'centerCrop', 'resizing'], { role: 'reshape', rank: 2 });
put(['flatten', 'reshape', 'permute', 'repeatVector'], { role: 'reshape' });

put(['activation'], { role: 'activation' });
put(['reLU', 'thresholdedReLU'], { role: 'activation', activation: 'relu' });
put(['leakyReLU'], { role: 'activation', activation: 'leaky_relu' });
put(['elu'], { role: 'activation', activation: 'elu' });
put(['prelu'], { role: 'activation', activation: 'prelu' });
put(['softmax'], { role: 'activation', activation: 'softmax' });

put(['batchNormalization', 'layerNormalization'], { role: 'norm' });
put(['dropout', 'spatialDropout1d', 'gaussianNoise', 'gaussianDropout', 'alphaDropout', 'masking', 'rescaling'], { role: 'passthrough' });
put(['inputLayer'], { role: 'input' });
put(['add', 'average', 'concatenate', 'maximum', 'minimum', 'multiply', 'dot'], { role: 'merge' });
put(['embedding', 'gru', 'gruCell', 'lstm', 'lstmCell', 'simpleRNN', 'simpleRNNCell', 'convLstm2d', 'convLstm2dCell', 'rnn',
  'stackedRNNCells', 'bidirectional', 'timeDistributed', 'separableConv2d', 'depthwiseConv2d', 'categoryEncoding', 'randomWidth'],
{ role: 'unjudged' });

/** A factory of `tf.layers` not in the table (a newer layer): it breaks the chain, nothing more. */
export const UNKNOWN_LAYER: TfjsLayerClass = { role: 'unjudged' };

export function tfjsLayerClass(name: string): TfjsLayerClass | undefined {
  return TABLE.get(name);
}

/**
 * Names that are also tfjs-core ops taking tensors (`tf.conv2d(x, filter, ...)`, `tf.softmax(x)`):
 * a bare `tf.<name>` or named import of one is a layer factory only when called with a config object.
 */
export const CORE_OP_NAMES = new Set([
  'elu', 'prelu', 'softmax', 'conv1d', 'conv2d', 'conv3d', 'conv2dTranspose', 'conv3dTranspose', 'depthwiseConv2d',
  'separableConv2d', 'dropout', 'reshape', 'add', 'maximum', 'minimum', 'multiply', 'dot',
  // initializer names that are tensor creators in tfjs-core
  'zeros', 'ones', 'randomNormal', 'randomUniform', 'truncatedNormal', 'identity',
]);
