/**
 * `tf.layers.*` factories: each builds the Keras layer class of the same name (tfjs-layers
 * follows Keras), so their roles, shapes and fans come from the shared Keras layer algebra
 * (frontends/keras/layers.ts). Names follow tfjs-layers/src/exports_layers.ts.
 */
import { kerasLayerClass, tfjsClassName, type KerasLayerClass } from '../keras/layers';

/** A factory of `tf.layers` not in the table (a newer layer): it breaks the chain, nothing more. */
const UNKNOWN_LAYER: KerasLayerClass = { role: 'unjudged', params: [] };

/** The Keras class a factory builds, and what it is to the analysis; undefined for a name that is no layer factory. */
export function tfjsLayerClass(factory: string): { className: string; cls: KerasLayerClass } | undefined {
  const className = tfjsClassName(factory);
  const cls = kerasLayerClass(className);
  return cls ? { className, cls } : undefined;
}

/** `tf.layers.<name>` that the table does not know. */
export function unknownTfjsLayer(factory: string): { className: string; cls: KerasLayerClass } {
  return { className: tfjsClassName(factory), cls: UNKNOWN_LAYER };
}

/**
 * Names that are also tfjs-core ops taking tensors (`tf.conv2d(x, filter, ...)`, `tf.softmax(x)`):
 * a bare `tf.<name>` or named import of one is a layer factory only when called with a config object.
 */
export const CORE_OP_NAMES = new Set([
  'elu',
  'prelu',
  'softmax',
  'conv1d',
  'conv2d',
  'conv3d',
  'conv2dTranspose',
  'conv3dTranspose',
  'depthwiseConv2d',
  'separableConv2d',
  'dropout',
  'reshape',
  'add',
  'maximum',
  'minimum',
  'multiply',
  'dot',
  // initializer names that are tensor creators in tfjs-core
  'zeros',
  'ones',
  'randomNormal',
  'randomUniform',
  'truncatedNormal',
  'identity',
]);
