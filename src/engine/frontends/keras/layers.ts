/**
 * The Keras layer algebra, written once for every front end that reads Keras layers: Keras and
 * tf.keras Python code, TF.js (whose layers follow Keras: tfjs-layers/src/exports_layers.ts),
 * and serialized configs (`model.to_json()`, `.keras` archives, TF.js `model.json`).
 *
 * What a layer class is to the analysis (its role), what shape it makes of its input, its fans,
 * and the activation an activation layer applies. The front ends only read arguments: each
 * passes a `read(key)` that returns the constant written for a Keras (snake_case) argument
 * name in its own syntax (a Python call, a TF.js config object, a JSON config), and gets the
 * same numbers for the same layer. Before this module the three copies had drifted (a causal
 * Conv1D followed by Flatten gave the next Dense a different fan_in in `.py` and in JSON).
 *
 * Positional parameter orders follow Keras 3 (keras/src/layers/**).
 */
import type { MergeOp } from '../../ir';
import { activationInfo, lookupActivation, unknownActivation, type ActivationInfo } from '../../activations';
import { convGeometry, convOut, toShape, type Dim } from '../../shapes';
import { sizeArg, tupleArg, type ArgReader, type LayerClass as KerasLayerClass, type Role } from '../layerClass';

export type { ArgReader, KerasLayerClass, Role };
export { sizeArg, tupleArg };


const CONV_PARAMS = ['filters', 'kernel_size', 'strides', 'padding', 'data_format', 'dilation_rate', 'groups', 'activation', 'use_bias', 'kernel_initializer'];
// Conv*Transpose's positional order differs between Keras 2 (output_padding) and 3: only the unambiguous head is read.
const CONV_T_PARAMS = ['filters', 'kernel_size', 'strides', 'padding'];
const POOL_PARAMS = ['pool_size', 'strides', 'padding'];

const TABLE = new Map<string, KerasLayerClass>();
const put = (names: string[], cls: KerasLayerClass) => names.forEach((n) => TABLE.set(n, cls));

put(['Dense'], { role: 'weighted', params: ['units', 'activation', 'use_bias', 'kernel_initializer'] });
for (const r of [1, 2, 3]) {
  put([`Conv${r}D`, `Convolution${r}D`], { role: 'weighted', rank: r, params: CONV_PARAMS });
  put([`Conv${r}DTranspose`, `Convolution${r}DTranspose`], { role: 'weighted', rank: r, transpose: true, params: CONV_T_PARAMS });
  put([`MaxPooling${r}D`, `MaxPool${r}D`, `AveragePooling${r}D`, `AvgPool${r}D`], { role: 'reshape', rank: r, params: POOL_PARAMS });
  put([`GlobalMaxPooling${r}D`, `GlobalMaxPool${r}D`, `GlobalAveragePooling${r}D`, `GlobalAvgPool${r}D`], { role: 'reshape', rank: r, params: [] });
  put([`ZeroPadding${r}D`, `Cropping${r}D`, `UpSampling${r}D`], { role: 'reshape', rank: r, params: [] });
  put([`SpatialDropout${r}D`], { role: 'passthrough', params: ['rate'] });
}
put(['CenterCrop', 'Resizing'], { role: 'reshape', rank: 2, params: [] });
put(['Activation'], { role: 'activation', params: ['activation'] });
put(['ReLU'], { role: 'activation', activation: 'relu', params: ['max_value', 'negative_slope', 'threshold'] });
put(['LeakyReLU'], { role: 'activation', activation: 'leaky_relu', params: ['negative_slope'] });
put(['ELU'], { role: 'activation', activation: 'elu', params: ['alpha'] });
put(['PReLU'], { role: 'activation', activation: 'prelu', params: [] });
put(['ThresholdedReLU'], { role: 'activation', activation: 'relu', params: [] });
put(['Softmax'], { role: 'activation', activation: 'softmax', params: [] });
put(['BatchNormalization', 'LayerNormalization', 'GroupNormalization', 'SyncBatchNormalization', 'UnitNormalization', 'RMSNormalization'],
  { role: 'norm', params: [] });
put(['Dropout', 'GaussianNoise', 'GaussianDropout', 'AlphaDropout', 'ActivityRegularization', 'Masking', 'Identity', 'Rescaling'],
  { role: 'passthrough', params: [] });
put(['Flatten'], { role: 'reshape', params: ['data_format'] });
put(['Reshape'], { role: 'reshape', params: ['target_shape'] });
put(['Permute'], { role: 'reshape', params: ['dims'] });
put(['RepeatVector'], { role: 'reshape', params: ['n'] });
put(['Input', 'InputLayer'], { role: 'input', params: ['shape', 'batch_size'] });
put(['Add', 'Concatenate', 'Multiply', 'Subtract', 'Average', 'Maximum', 'Minimum', 'Dot'], { role: 'merge', params: ['axis'] });
put(['Embedding'], { role: 'unjudged', params: ['input_dim', 'output_dim'] });
put(['LSTM', 'GRU', 'SimpleRNN', 'ConvLSTM1D', 'ConvLSTM2D', 'ConvLSTM3D', 'LSTMCell', 'GRUCell', 'SimpleRNNCell', 'ConvLSTM2DCell',
  'RNN', 'StackedRNNCells', 'Bidirectional', 'TimeDistributed'],
{ role: 'unjudged', params: ['units'] });
put(['MultiHeadAttention', 'Attention', 'AdditiveAttention', 'GroupQueryAttention', 'EinsumDense',
  'DepthwiseConv1D', 'DepthwiseConv2D', 'SeparableConv1D', 'SeparableConv2D', 'SeparableConvolution2D',
  'CategoryEncoding', 'RandomWidth'],
{ role: 'unjudged', params: [] });

/** A layer class of Keras by its class name (`Conv2D`), as Python code and serialized configs write it. */
export function kerasLayerClass(className: string): KerasLayerClass | undefined {
  return TABLE.get(className);
}

/** TF.js factory names whose Keras class is not the name with its first letter and `Nd` capitalised. */
const TFJS_NAMES: Record<string, string> = {
  elu: 'ELU', prelu: 'PReLU', gru: 'GRU', gruCell: 'GRUCell', lstm: 'LSTM', lstmCell: 'LSTMCell',
  convLstm2d: 'ConvLSTM2D', convLstm2dCell: 'ConvLSTM2DCell', avgPooling1d: 'AvgPool1D', avgPooling2d: 'AvgPool2D', avgPooling3d: 'AvgPool3D',
  cropping2D: 'Cropping2D', rnn: 'RNN',
};

/** The Keras class a `tf.layers.*` factory builds: `conv2d` → `Conv2D`, `maxPooling2d` → `MaxPooling2D`. */
export function tfjsClassName(factory: string): string {
  return TFJS_NAMES[factory] ?? factory.charAt(0).toUpperCase() + factory.slice(1).replace(/(\d)d(?=$|Transpose$)/, '$1D');
}

/** Functional forms of the merge layers: `layers.add([a, b])`, `layers.concatenate([...])`. */
export const MERGE_FUNCTIONS = new Set(['add', 'concatenate', 'multiply', 'subtract', 'average', 'maximum', 'minimum', 'dot']);

/** The merge a Keras merge layer or function performs, by class or function name. */
export function mergeOp(name: string): MergeOp {
  switch (name.toLowerCase()) {
    case 'add': case 'subtract': return 'add';
    // Dot (a matrix product with another tensor, e.g. a T-Net's learned transform) scales like a
    // product: a zero-initialised factor of it is a deliberate start, not a dead layer.
    case 'multiply': case 'dot': return 'multiply';
    case 'concatenate': return 'concat';
    default: return 'other';
  }
}

/** The output shape of a merge: concatenation along the last axis adds widths; Dot's is not modelled. */
export function mergeShape(className: string, axis: unknown, shapes: Array<Dim[] | undefined>): Dim[] | undefined {
  const first = shapes[0];
  if (!first || shapes.some((s) => !s || s.length !== first.length)) return undefined;
  const name = className.toLowerCase();
  if (name === 'concatenate') {
    const a = typeof axis === 'number' ? axis : -1;
    if (a !== -1 && a !== first.length) return undefined;
    const last = shapes.map((s) => s![s!.length - 1]);
    return [...first.slice(0, -1), last.every((d): d is number => typeof d === 'number') ? last.reduce((x, y) => x + y, 0) : null];
  }
  if (name === 'dot') return undefined;
  return first;
}

// ---- reading arguments ----

function strArg(read: ArgReader, key: string): string | undefined {
  const v = read(key);
  return typeof v === 'string' ? v : undefined;
}

/** `data_format="channels_first"` (TF.js writes `dataFormat: 'channelsFirst'`). */
function channelsFirst(read: ArgReader): boolean {
  const v = strArg(read, 'data_format');
  return v === 'channels_first' || v === 'channelsFirst';
}

const product = (s: Dim[]): number | undefined =>
  s.every((d): d is number => typeof d === 'number') ? s.reduce((a, b) => a * b, 1) : undefined;

/** The input shape a layer declares (`input_shape=`, `batch_input_shape=`, `input_dim=`; an Input's `shape`). */
export function declaredInputShape(cls: KerasLayerClass, read: ArgReader): Dim[] | undefined {
  const shape = toShape(read('input_shape') ?? (cls.role === 'input' ? read('shape') : undefined));
  if (shape) return shape;
  const batch = toShape(read('batch_input_shape') ?? read('batch_shape'));
  if (batch && batch.length >= 2) return batch.slice(1);
  const dim = sizeArg(read, 'input_dim');
  return dim !== undefined ? [dim] : undefined;
}

// ---- what a layer makes of its input ----

export interface WeightedGeometry {
  fanIn?: number;
  fanOut?: number;
  receptiveField: number;
  outShape?: Dim[];
  /** Units or filters as written. */
  width?: number;
}

/** Fans and output shape of Dense and the convolutions (Keras' compute_fans over the kernel shape). */
export function weightedGeometry(cls: KerasLayerClass, read: ArgReader, inShape: Dim[] | undefined): WeightedGeometry {
  const first = cls.rank !== undefined && channelsFirst(read);
  const inDim = inShape?.length ? (first ? inShape[0] : inShape[inShape.length - 1]) : undefined;
  const inUnits = typeof inDim === 'number' ? inDim : undefined;
  if (cls.rank === undefined) {
    const units = sizeArg(read, 'units');
    return {
      fanIn: inUnits, fanOut: units, receptiveField: 1, width: units,
      outShape: units !== undefined ? [...(inShape?.length ? inShape : [null]).slice(0, -1), units] : undefined,
    };
  }
  const rank = cls.rank;
  const filters = sizeArg(read, 'filters');
  const geometry = convGeometry({
    rank, transpose: !!cls.transpose, inShape, inChannels: inUnits, filters,
    kernel: tupleArg(read, 'kernel_size', rank),
    strides: tupleArg(read, 'strides', rank, 1), dilation: tupleArg(read, 'dilation_rate', rank, 1),
    padding: strArg(read, 'padding') ?? 'valid', channelsFirst: first,
  });
  return { ...geometry, width: filters };
}

/** The output shape of a reshaping layer: Flatten, Reshape, RepeatVector, poolings, paddings. */
export function reshapedShape(className: string, cls: KerasLayerClass, read: ArgReader, shape: Dim[] | undefined): Dim[] | undefined {
  if (className === 'Flatten') {
    if (!shape) return undefined;
    return [product(shape) ?? null];
  }
  if (className === 'Reshape') {
    const t = toShape(read('target_shape'));
    if (!t) return undefined;
    const known = shape ? product(shape) : undefined;
    const rest = t.filter((d) => d !== -1).reduce<number>((a, b) => a * (b ?? 1), 1);
    return t.map((d) => (d === -1 ? (known !== undefined && rest > 0 ? known / rest : null) : d));
  }
  if (className === 'RepeatVector') {
    const n = sizeArg(read, 'n');
    return shape && shape.length === 1 ? [n ?? null, shape[0]] : undefined;
  }
  if (className === 'Permute') {
    // `dims` counts axes from 1 (the batch axis is 0): Permute((2, 1)) swaps the two.
    const dims = toShape(read('dims'));
    if (!shape || !dims || dims.length !== shape.length) return undefined;
    const out = dims.map((d) => (typeof d === 'number' && d >= 1 && d <= shape.length ? shape[d - 1] : undefined));
    return out.every((d): d is Dim => d !== undefined) ? out : undefined;
  }
  const rank = cls.rank;
  if (!shape || rank === undefined) return undefined;
  const first = channelsFirst(read);
  const channels = first ? shape[0] : shape[shape.length - 1];
  if (className.startsWith('Global')) return [channels];
  const unknownSpatial: Dim[] = Array(rank).fill(null);
  if (className.includes('Pool') && !first && shape.length === rank + 1) {
    const pool = tupleArg(read, 'pool_size', rank, 2);
    const strides = tupleArg(read, 'strides', rank) ?? pool;
    const padding = strArg(read, 'padding') ?? 'valid';
    if (!pool || !strides) return [...unknownSpatial, channels];
    return [...shape.slice(0, rank).map((d, i) => convOut(d, pool[i], strides[i], 1, padding)), channels];
  }
  return first ? [channels, ...unknownSpatial] : [...unknownSpatial, channels];
}

/** The output shape of a layer the rules do not judge (embeddings, recurrent layers, attention). */
export function unjudgedShape(className: string, read: ArgReader, shape: Dim[] | undefined): Dim[] | undefined {
  if (className === 'Embedding') {
    const out = sizeArg(read, 'output_dim');
    return out !== undefined ? [...(shape ?? [null]), out] : undefined;
  }
  const units = sizeArg(read, 'units');
  if (units !== undefined) return read('return_sequences') === true ? [null, units] : [units];
  if (className === 'MultiHeadAttention') return shape;
  return undefined;
}

// ---- activations ----

/**
 * The activation of an activation layer with fixed or numeric arguments (ReLU's
 * `negative_slope`, LeakyReLU's slope); undefined for `Activation`, whose argument each front end
 * reads in its own syntax (then `namedActivation`). `leakyDefault` is the framework's LeakyReLU
 * layer default (Keras 0.3, TF.js 0.3).
 */
export function activationLayer(className: string, cls: KerasLayerClass, read: ArgReader, leakyDefault: number): ActivationInfo | undefined {
  if (className === 'ReLU') {
    const slope = read('negative_slope');
    return typeof slope === 'number' && slope > 0 ? activationInfo('leaky_relu', slope) : activationInfo('relu');
  }
  if (className === 'LeakyReLU') {
    const slope = read('negative_slope') ?? read('alpha');
    return activationInfo('leaky_relu', typeof slope === 'number' ? slope : leakyDefault);
  }
  return cls.activation ? lookupActivation(cls.activation) : undefined;
}

/**
 * An activation written as a name (`activation="relu"`): the catalogue's, or unknown (the layer is
 * then unjudged, never linear: rules.md v2). `leakySlope` is the slope the name's function uses
 * (`keras.activations.leaky_relu` 0.2, TF.js `leakyReLU` 0.3).
 */
export function namedActivation(name: string, leakySlope: number): ActivationInfo {
  const info = lookupActivation(name);
  if (!info) return unknownActivation(name);
  return info.name === 'leaky_relu' ? activationInfo('leaky_relu', leakySlope) : info;
}

// ---- TF1 `tf.layers.*` functions ----

/**
 * Positional parameters of TF1's functional layers (tensorflow/python/layers/core.py,
 * convolutional.py, pooling.py): the input tensor, then the Keras 2 constructor order (no
 * `groups`). Every other TF1 layer function reads keywords only.
 */
const TF1_PARAMS: Record<string, string[]> = {
  Dense: ['inputs', 'units', 'activation', 'use_bias', 'kernel_initializer'],
  Conv: ['inputs', 'filters', 'kernel_size', 'strides', 'padding', 'data_format', 'dilation_rate', 'activation', 'use_bias', 'kernel_initializer'],
  ConvTranspose: ['inputs', 'filters', 'kernel_size', 'strides', 'padding', 'data_format', 'activation', 'use_bias', 'kernel_initializer'],
  Pooling: ['inputs', 'pool_size', 'strides', 'padding', 'data_format'],
  Dropout: ['inputs', 'rate'],
};

/**
 * The Keras layer a TF1 layer function builds and applies (`tf.layers.dense(x, 256)` →
 * `Dense`, `tf.layers.conv2d_transpose` → `Conv2DTranspose`, `tf.layers.max_pooling2d` →
 * `MaxPooling2D`), with its positional parameters; undefined for a name that is no layer.
 */
export function tf1LayerFunction(name: string): { className: string; cls: KerasLayerClass } | undefined {
  const className = name.split('_').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('').replace(/(\d)d(?=$|Transpose$)/, '$1D');
  const cls = kerasLayerClass(className);
  if (!cls) return undefined;
  const key = className === 'Dense' ? 'Dense' : /^Conv\dDTranspose$/.test(className) ? 'ConvTranspose' : /^Conv\dD$/.test(className) ? 'Conv'
    : /Pooling\dD$/.test(className) ? 'Pooling' : className === 'Dropout' ? 'Dropout' : undefined;
  return { className, cls: { ...cls, params: key ? TF1_PARAMS[key] : ['inputs'] } };
}

// ---- Keras 1 ----

/** Keras 1 keywords that Keras 2 renamed: a call that uses one is a Keras 1 call. */
const KERAS1_KEYWORDS = new Set(['init', 'output_dim', 'nb_filter', 'nb_row', 'nb_col', 'filter_length', 'border_mode', 'subsample',
  'subsample_length', 'dim_ordering', 'W_regularizer', 'b_regularizer', 'W_constraint', 'b_constraint', 'bias', 'kernel_dim1']);

/** Keras 1 positional orders (keras 1.2 keras/layers/core.py, convolutional.py). */
const KERAS1_PARAMS: Record<string, string[]> = {
  Dense: ['output_dim', 'init', 'activation', 'weights', 'W_regularizer', 'b_regularizer', 'activity_regularizer', 'W_constraint', 'b_constraint', 'bias', 'input_dim'],
  Convolution1D: ['nb_filter', 'filter_length', 'init', 'activation', 'weights', 'border_mode', 'subsample_length'],
  Convolution2D: ['nb_filter', 'nb_row', 'nb_col', 'init', 'activation', 'weights', 'border_mode', 'subsample', 'dim_ordering'],
  Convolution3D: ['nb_filter', 'kernel_dim1', 'kernel_dim2', 'kernel_dim3', 'init', 'activation', 'weights', 'border_mode', 'subsample', 'dim_ordering'],
};

/**
 * The Keras 1 form of a layer class when the call is written in Keras 1 (a renamed keyword, or
 * `Convolution2D(32, 3, 3)`: more positional sizes than Keras 2's `(filters, kernel_size)`,
 * which Keras 2.0-2.2 also read as Keras 1); undefined for a Keras 2 call.
 */
export function keras1Class(className: string, cls: KerasLayerClass, keywords: Iterable<string>, positional: number): KerasLayerClass | undefined {
  const name = className.replace(/^Conv(\d)D$/, 'Convolution$1D');
  const params = KERAS1_PARAMS[name];
  const byKeyword = [...keywords].some((k) => KERAS1_KEYWORDS.has(k));
  const byPosition = cls.rank !== undefined && !cls.transpose && params !== undefined && positional >= cls.rank + 2;
  if (!byKeyword && !byPosition) return undefined;
  return { ...cls, params: params ?? cls.params, dialect: 'keras1' };
}

/** Reads a Keras 1 call under Keras 2 argument names (`units` is `output_dim`, `kernel_size` is `(nb_row, nb_col)`, ...). */
export function keras1Reader(read: ArgReader): ArgReader {
  return (key) => {
    switch (key) {
      case 'units': return read('output_dim') ?? read('units');
      case 'filters': return read('nb_filter') ?? read('filters');
      case 'kernel_size': {
        const one = read('filter_length');
        if (one !== undefined) return one;
        const dims = [read('nb_row'), read('nb_col')];
        const three = [read('kernel_dim1'), read('kernel_dim2'), read('kernel_dim3')];
        const pick = three[0] !== undefined ? three : dims;
        return pick.every((d) => d !== undefined) ? pick : read('kernel_size');
      }
      case 'strides': return read('subsample') ?? read('subsample_length') ?? read('strides');
      case 'padding': return read('border_mode') ?? read('padding');
      case 'data_format': {
        const d = read('dim_ordering');
        return d === 'th' ? 'channels_first' : d === 'tf' ? 'channels_last' : read('data_format');
      }
      case 'use_bias': return read('bias') ?? read('use_bias');
      case 'kernel_initializer': return read('init');
      default: return read(key);
    }
  };
}
