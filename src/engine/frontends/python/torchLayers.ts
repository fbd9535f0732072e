/**
 * What each `torch.nn` module is to the analysis. Weighted layers know their fans from their
 * constructor arguments, as torch.nn.init._calculate_fan_in_and_fan_out computes them from the
 * weight's shape (torch/nn/modules/linear.py, conv.py).
 */
import type { LayerClass } from './interpreter';

const TABLE = new Map<string, LayerClass>();
const put = (names: string[], cls: LayerClass) => names.forEach((n) => TABLE.set(n, cls));

put(['Linear'], { role: 'weighted', params: ['in_features', 'out_features', 'bias'] });
put(['LazyLinear'], { role: 'weighted', params: ['out_features', 'bias'] });
for (const r of [1, 2, 3]) {
  put([`Conv${r}d`], { role: 'weighted', rank: r, params: ['in_channels', 'out_channels', 'kernel_size', 'stride', 'padding', 'dilation', 'groups', 'bias'] });
  put([`ConvTranspose${r}d`], { role: 'weighted', rank: r, transpose: true, params: ['in_channels', 'out_channels', 'kernel_size', 'stride', 'padding', 'output_padding', 'groups', 'bias', 'dilation'] });
  put([`BatchNorm${r}d`, `InstanceNorm${r}d`, `LazyBatchNorm${r}d`], { role: 'norm', params: [] });
  put([`MaxPool${r}d`, `AvgPool${r}d`, `AdaptiveAvgPool${r}d`, `AdaptiveMaxPool${r}d`, `Dropout${r}d`], { role: 'passthrough', params: [] });
}
const act = (names: string[], activation: string, params: string[] = []) => put(names, { role: 'activation', activation, params });
act(['ReLU'], 'relu');
act(['ReLU6'], 'relu6');
act(['LeakyReLU'], 'leaky_relu', ['negative_slope']);
act(['RReLU'], 'leaky_relu');
act(['PReLU'], 'prelu', ['num_parameters', 'init']);
act(['ELU'], 'elu');
act(['CELU'], 'elu');
act(['SELU'], 'selu');
act(['GELU'], 'gelu');
act(['SiLU'], 'silu');
act(['Mish'], 'mish');
act(['Softplus'], 'softplus');
act(['Hardswish'], 'hard_swish');
act(['Tanh'], 'tanh');
act(['Hardtanh'], 'hardtanh');
act(['Sigmoid'], 'sigmoid');
act(['Hardsigmoid'], 'hard_sigmoid');
act(['Softsign'], 'softsign');
act(['Softmax', 'Softmax2d'], 'softmax');
act(['LogSoftmax'], 'log_softmax');
// Activations the catalogue has no moments for: the layer before them is left unjudged (rules.md
// v2), never read as linear.
act(['LogSigmoid'], 'logsigmoid');
act(['Tanhshrink'], 'tanhshrink');
act(['Softshrink'], 'softshrink');
act(['Hardshrink'], 'hardshrink');
act(['GLU'], 'glu');
act(['Threshold'], 'threshold');
put(['LayerNorm', 'GroupNorm', 'RMSNorm', 'SyncBatchNorm', 'LocalResponseNorm'], { role: 'norm', params: [] });
put(['Dropout', 'AlphaDropout', 'FeatureAlphaDropout', 'Identity', 'Flatten', 'Unflatten', 'Upsample', 'PixelShuffle', 'ZeroPad2d', 'ConstantPad2d'], { role: 'passthrough', params: [] });
put(['Embedding', 'EmbeddingBag', 'LSTM', 'GRU', 'RNN', 'LSTMCell', 'GRUCell', 'RNNCell', 'MultiheadAttention', 'Transformer',
  'TransformerEncoder', 'TransformerDecoder', 'TransformerEncoderLayer', 'TransformerDecoderLayer', 'Bilinear'], { role: 'unjudged', params: [] });

export function torchLayerClass(name: string): LayerClass | undefined {
  return TABLE.get(name);
}

/** torch.nn.functional / torch / Tensor-method names that apply an activation. */
export const TORCH_ACTIVATION_FUNCTIONS = new Set([
  'relu', 'relu_', 'relu6', 'leaky_relu', 'leaky_relu_', 'elu', 'elu_', 'celu', 'selu', 'gelu', 'silu', 'mish', 'softplus',
  'hardswish', 'tanh', 'tanh_', 'sigmoid', 'sigmoid_', 'hardsigmoid', 'hardtanh', 'softsign', 'softmax', 'log_softmax', 'prelu', 'rrelu',
  'logsigmoid', 'tanhshrink', 'softshrink', 'hardshrink', 'glu', 'threshold',
]);

/** Functional normalizations applied to a tensor. */
export const TORCH_NORM_FUNCTIONS = new Set(['layer_norm', 'batch_norm', 'group_norm', 'instance_norm', 'rms_norm', 'normalize']);

/**
 * torch / torch.nn.functional functions that keep a tensor's second moment (pooling, reshaping,
 * dropout; rules.md v2's documented approximations): the data flow goes through them.
 */
export const TORCH_SCALE_KEEPING = new Set([
  'flatten', 'reshape', 'squeeze', 'unsqueeze', 'transpose', 'permute', 'max_pool1d', 'max_pool2d', 'max_pool3d',
  'avg_pool1d', 'avg_pool2d', 'avg_pool3d', 'adaptive_avg_pool1d', 'adaptive_avg_pool2d', 'adaptive_avg_pool3d',
  'adaptive_max_pool1d', 'adaptive_max_pool2d', 'adaptive_max_pool3d', 'dropout1d', 'dropout2d', 'dropout3d', 'pad', 'interpolate',
]);

/** Tensor methods that keep the values (another shape or layout), so the data flow goes through them. */
export const TORCH_SCALE_KEEPING_METHODS = new Set([
  'view', 'reshape', 'flatten', 'contiguous', 'permute', 'transpose', 'squeeze', 'unsqueeze', 'view_as', 'reshape_as', 'float', 'to', 'clone',
]);
