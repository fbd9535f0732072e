/**
 * What each Keras layer class is to the analysis: a weighted layer the rules judge, an
 * activation, a normalization, something that passes the signal through (maybe reshaping it),
 * or a layer that is recognised but not judged in v1 (embeddings, RNNs, attention).
 * Positional parameter orders follow Keras 3 (keras/src/layers/**).
 */
import type { MergeOp } from '../../ir';

import type { LayerClass } from './interpreter';

const CONV_PARAMS = ['filters', 'kernel_size', 'strides', 'padding', 'data_format', 'dilation_rate', 'groups', 'activation', 'use_bias', 'kernel_initializer'];
// Conv*Transpose's positional order differs between Keras 2 (output_padding) and 3: only the unambiguous head is read.
const CONV_T_PARAMS = ['filters', 'kernel_size', 'strides', 'padding'];
const POOL_PARAMS = ['pool_size', 'strides', 'padding'];

const TABLE = new Map<string, LayerClass>();
const put = (names: string[], cls: LayerClass) => names.forEach((n) => TABLE.set(n, cls));

put(['Dense'], { role: 'weighted', params: ['units', 'activation', 'use_bias', 'kernel_initializer'] });
for (const r of [1, 2, 3]) {
  put([`Conv${r}D`, `Convolution${r}D`], { role: 'weighted', rank: r, params: CONV_PARAMS });
  put([`Conv${r}DTranspose`, `Convolution${r}DTranspose`], { role: 'weighted', rank: r, transpose: true, params: CONV_T_PARAMS });
  put([`MaxPooling${r}D`, `MaxPool${r}D`, `AveragePooling${r}D`, `AvgPool${r}D`], { role: 'reshape', rank: r, params: POOL_PARAMS });
  put([`GlobalMaxPooling${r}D`, `GlobalMaxPool${r}D`, `GlobalAveragePooling${r}D`, `GlobalAvgPool${r}D`], { role: 'reshape', rank: r, params: [] });
  put([`ZeroPadding${r}D`, `Cropping${r}D`, `UpSampling${r}D`], { role: 'reshape', rank: r, params: [] });
  put([`SpatialDropout${r}D`], { role: 'passthrough', params: ['rate'] });
}
put(['Activation'], { role: 'activation', params: ['activation'] });
put(['ReLU'], { role: 'activation', activation: 'relu', params: ['max_value', 'negative_slope', 'threshold'] });
put(['LeakyReLU'], { role: 'activation', activation: 'leaky_relu', params: ['negative_slope'] });
put(['ELU'], { role: 'activation', activation: 'elu', params: ['alpha'] });
put(['PReLU'], { role: 'activation', activation: 'prelu', params: [] });
put(['ThresholdedReLU'], { role: 'activation', activation: 'relu', params: [] });
put(['Softmax'], { role: 'activation', activation: 'softmax', params: [] });
put(['BatchNormalization', 'LayerNormalization', 'GroupNormalization', 'SyncBatchNormalization', 'UnitNormalization', 'RMSNormalization'],
  { role: 'norm', params: [] });
put(['Dropout', 'GaussianNoise', 'GaussianDropout', 'AlphaDropout', 'ActivityRegularization', 'Masking', 'Identity'],
  { role: 'passthrough', params: [] });
put(['Flatten', 'Reshape', 'Permute', 'RepeatVector'], { role: 'reshape', params: ['target_shape'] });
put(['Input', 'InputLayer'], { role: 'input', params: ['shape', 'batch_size'] });
put(['Add', 'Concatenate', 'Multiply', 'Subtract', 'Average', 'Maximum', 'Minimum', 'Dot'], { role: 'merge', params: ['axis'] });
put(['Embedding'], { role: 'unjudged', params: ['input_dim', 'output_dim'] });
put(['LSTM', 'GRU', 'SimpleRNN', 'ConvLSTM1D', 'ConvLSTM2D', 'ConvLSTM3D', 'LSTMCell', 'GRUCell', 'SimpleRNNCell', 'RNN', 'Bidirectional', 'TimeDistributed'],
  { role: 'unjudged', params: ['units'] });
put(['MultiHeadAttention', 'Attention', 'AdditiveAttention', 'GroupQueryAttention', 'EinsumDense',
  'DepthwiseConv1D', 'DepthwiseConv2D', 'SeparableConv1D', 'SeparableConv2D', 'SeparableConvolution2D'],
  { role: 'unjudged', params: [] });

export function kerasLayerClass(name: string): LayerClass | undefined {
  return TABLE.get(name);
}

/** Functional forms of the merge layers: `layers.add([a, b])`, `layers.concatenate([...])`. */
export const MERGE_FUNCTIONS = new Set(['add', 'concatenate', 'multiply', 'subtract', 'average', 'maximum', 'minimum', 'dot']);

/** Qualified prefixes whose members are activation functions applied to a tensor. */
export const ACTIVATION_FUNCTION_PREFIXES = ['keras.activations', 'keras.ops', 'keras.ops.nn', 'keras.backend', 'tensorflow.nn', 'tensorflow.math', 'tensorflow'];

/** The merge a Keras merge layer or function performs, by class or function name (shared by the Python and JSON front ends). */
export function kerasMergeOp(name: string): MergeOp {
  switch (name.toLowerCase()) {
    case 'add': case 'subtract': return 'add';
    // Dot (a matrix product with another tensor, e.g. a T-Net's learned transform) scales like a
    // product: a zero-initialised factor of it is a deliberate start, not a dead layer.
    case 'multiply': case 'dot': return 'multiply';
    case 'concatenate': return 'concat';
    default: return 'other';
  }
}
