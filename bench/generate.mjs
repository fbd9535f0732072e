/**
 * Deterministic generators for the benchmark inputs.
 *
 * `generateKerasFile()` writes a realistic Keras/tf.keras module: imports, constants, data and
 * training helpers, and many model builders in the styles people actually write (Sequential,
 * functional with separate activation layers or `tf.nn.*`, BatchNormalization blocks, Conv2D
 * stacks driven by loops and helper functions, subclassed `keras.Model`s). About one block in
 * three carries a real initialization mistake, so the linter does its full work (messages,
 * fixes, related ranges) rather than a clean fast path.
 *
 * Everything is derived from a seeded PRNG, so the same options always give the same text and
 * numbers from different runs and machines measure the same input.
 */

/** mulberry32: tiny, fast, good enough to vary templates; not for anything statistical. */
export function seededRandom(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HEADER = `"""Model zoo for the tabular and image experiments.

Each builder returns an uncompiled keras.Model; \`compile_for\` attaches the optimizer and loss.
Builders are registered in MODEL_REGISTRY so the experiment runner can pick them by name.
"""
import math
import os

import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers

SEED = int(os.environ.get("EXPERIMENT_SEED", "1234"))
NUM_CLASSES = 10
IMAGE_SIZE = 32
CHANNELS = 3
HIDDEN = 256
DROPOUT = 0.2

tf.random.set_seed(SEED)
np.random.seed(SEED)


def load_tabular(path, batch_size=128):
    """Read a CSV of float features with the label in the last column."""
    data = np.loadtxt(path, delimiter=",", dtype=np.float32)
    features, labels = data[:, :-1], data[:, -1].astype(np.int32)
    ds = tf.data.Dataset.from_tensor_slices((features, labels))
    return ds.shuffle(10_000, seed=SEED).batch(batch_size).prefetch(tf.data.AUTOTUNE)


def load_images(directory, batch_size=64):
    """Images from class sub-folders, scaled to [0, 1]."""
    ds = keras.utils.image_dataset_from_directory(
        directory,
        image_size=(IMAGE_SIZE, IMAGE_SIZE),
        batch_size=batch_size,
        seed=SEED,
    )
    return ds.map(lambda x, y: (tf.cast(x, tf.float32) / 255.0, y))


def compile_for(model, learning_rate=1e-3, classes=NUM_CLASSES, examples=50_000, batch_size=128, epochs=30):
    """Adam with a cosine schedule; sparse categorical cross-entropy for classifiers."""
    decay_steps = math.ceil(examples / batch_size) * epochs
    schedule = keras.optimizers.schedules.CosineDecay(learning_rate, decay_steps=decay_steps)
    loss = "mse" if classes == 1 else keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    model.compile(optimizer=keras.optimizers.Adam(schedule), loss=loss, metrics=["accuracy"])
    return model

`;

const FOOTER = (names) => `

MODEL_REGISTRY = {
${names.map((n) => `    "${n}": ${n},`).join('\n')}
}


def build(name, **kwargs):
    """Look a builder up by name and compile the model it returns."""
    if name not in MODEL_REGISTRY:
        raise KeyError(f"unknown model {name!r}; choose one of {sorted(MODEL_REGISTRY)}")
    return compile_for(MODEL_REGISTRY[name](**kwargs))


if __name__ == "__main__":
    for model_name in sorted(MODEL_REGISTRY):
        print(model_name, build(model_name).count_params())
`;

const pick = (rand, xs) => xs[Math.floor(rand() * xs.length)];

// Initializers that are right for each activation, and the mistakes the linter should catch.
const GOOD_RELU = [`'he_normal'`, `'he_uniform'`, `keras.initializers.HeNormal(seed=SEED)`, `keras.initializers.HeUniform()`];
const GOOD_TANH = [`'glorot_uniform'`, `'glorot_normal'`, `keras.initializers.GlorotUniform(seed=SEED)`];
const MISTAKES = [
  { act: 'relu', init: `'glorot_uniform'` }, // IL001
  { act: 'relu', init: `keras.initializers.GlorotNormal()` }, // IL001
  { act: 'tanh', init: `'he_normal'` }, // IL002
  { act: 'sigmoid', init: `keras.initializers.HeUniform(seed=SEED)` }, // IL002
  { act: 'relu', init: `'zeros'` }, // IL003 (not the last layer)
  { act: 'relu', init: `keras.initializers.RandomNormal(stddev=0.001)` }, // IL004
  { act: 'tanh', init: `keras.initializers.RandomNormal(mean=0.0, stddev=1.0)` }, // IL005
  { act: 'selu', init: `'glorot_uniform'` }, // IL006
];

function goodInit(rand, act) {
  return act === 'tanh' || act === 'sigmoid' ? pick(rand, GOOD_TANH) : pick(rand, GOOD_RELU);
}

/** One hidden-layer spec: activation and initializer, a mistake with probability `p`. */
function hidden(rand, p = 0.3) {
  if (rand() < p) return { ...pick(rand, MISTAKES) };
  const act = pick(rand, ['relu', 'relu', 'relu', 'tanh', 'elu']);
  return { act, init: goodInit(rand, act) };
}

const UNITS = [32, 64, 64, 128, 128, 256, 512];

function sequentialMlp(rand, name) {
  const inputDim = pick(rand, [16, 20, 32, 64, 100, 784]);
  const depth = 2 + Math.floor(rand() * 4);
  const rows = [`            layers.Input(shape=(input_dim,)),`];
  for (let d = 0; d < depth; d++) {
    const h = hidden(rand);
    rows.push(`            layers.Dense(${pick(rand, UNITS)}, activation="${h.act}", kernel_initializer=${h.init}),`);
    if (rand() < 0.4) rows.push(`            layers.Dropout(DROPOUT),`);
  }
  rows.push(`            layers.Dense(num_classes),`);
  return `def ${name}(input_dim=${inputDim}, num_classes=NUM_CLASSES):
    """Plain MLP for the ${inputDim}-feature tabular task."""
    model = keras.Sequential(
        [
${rows.join('\n')}
        ],
        name="${name}",
    )
    return model
`;
}

function functionalActivationLayers(rand, name) {
  const inputDim = pick(rand, [32, 48, 64, 128]);
  const depth = 3 + Math.floor(rand() * 3);
  const body = [];
  for (let d = 0; d < depth; d++) {
    const h = hidden(rand);
    body.push(`    x = layers.Dense(${pick(rand, UNITS)}, kernel_initializer=${h.init})(x)`);
    // Three spellings of "the activation comes next": a layer, a tf.nn op, or a ReLU layer.
    const style = rand();
    if (style < 0.45) body.push(`    x = layers.Activation('${h.act}')(x)`);
    else if (style < 0.8 && (h.act === 'relu' || h.act === 'tanh' || h.act === 'selu')) body.push(`    x = tf.nn.${h.act}(x)`);
    else if (h.act === 'relu') body.push(`    x = layers.ReLU()(x)`);
    else body.push(`    x = layers.Activation("${h.act}")(x)`);
  }
  return `def ${name}(input_dim=${inputDim}, num_classes=NUM_CLASSES):
    inputs = keras.Input(shape=(input_dim,), name="features")
    x = inputs
${body.join('\n')}
    outputs = layers.Dense(num_classes, name="logits")(x)
    return keras.Model(inputs, outputs, name="${name}")
`;
}

function batchNormBlocks(rand, name) {
  const width = pick(rand, [128, 256, 512]);
  const depth = 2 + Math.floor(rand() * 3);
  // Normalized layers are exempt from most rules: a glorot+relu here must *not* be reported.
  return `def ${name}(input_dim=64, width=${width}, depth=${depth}, num_classes=NUM_CLASSES):
    """Residual-free MLP with BatchNormalization between every Dense and its activation."""
    inputs = keras.Input(shape=(input_dim,))
    x = layers.Dense(width, kernel_initializer=${pick(rand, GOOD_RELU)})(inputs)
    x = layers.Activation("relu")(x)
    for _ in range(depth):
        x = layers.Dense(width, use_bias=False, kernel_initializer="glorot_uniform")(x)
        x = layers.BatchNormalization(momentum=0.9)(x)
        x = layers.Activation("relu")(x)
        x = layers.Dropout(DROPOUT)(x)
    x = layers.Dense(width // 2, activation="${pick(rand, ['relu', 'tanh'])}", kernel_initializer=${hidden(rand, 0.5).init})(x)
    outputs = layers.Dense(num_classes)(x)
    return keras.Model(inputs=inputs, outputs=outputs, name="${name}")
`;
}

function convStack(rand, name) {
  const filters = pick(rand, ['(32, 64, 128)', '(16, 32, 64, 128)', '(64, 128, 256)']);
  const h = hidden(rand, 0.4);
  const head = hidden(rand, 0.3);
  return `def ${name}(filters=${filters}, num_classes=NUM_CLASSES):
    """VGG-style stack: two 3x3 convolutions per stage, then max pooling."""
    inputs = keras.Input(shape=(IMAGE_SIZE, IMAGE_SIZE, CHANNELS))
    x = layers.Conv2D(filters[0], 3, padding="same", kernel_initializer=${pick(rand, GOOD_RELU)})(inputs)
    x = layers.Activation("relu")(x)
    for f in filters:
        x = layers.Conv2D(f, (3, 3), padding="same", activation="${h.act}", kernel_initializer=${h.init})(x)
        x = layers.Conv2D(f, 3, padding="same", kernel_initializer="he_uniform")(x)
        x = layers.BatchNormalization()(x)
        x = layers.ReLU()(x)
        x = layers.MaxPooling2D(2)(x)
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dense(${pick(rand, UNITS)}, activation="${head.act}", kernel_initializer=${head.init})(x)
    outputs = layers.Dense(num_classes, activation="softmax")(x)
    return keras.Model(inputs, outputs, name="${name}")
`;
}

function convHelperPair(rand, name) {
  const init = rand() < 0.5 ? `keras.initializers.RandomNormal(stddev=0.001)` : pick(rand, GOOD_RELU);
  const act = pick(rand, ['relu', 'relu', 'tanh']);
  return `def ${name}_block(x, filters, kernel_size=3, strides=1):
    """Conv -> BN -> activation, the unit every stage is made of."""
    x = layers.Conv2D(
        filters,
        kernel_size,
        strides=strides,
        padding="same",
        use_bias=False,
        kernel_initializer=${init},
    )(x)
    x = layers.BatchNormalization()(x)
    return layers.Activation("${act}")(x)


def ${name}(num_classes=NUM_CLASSES, width=${pick(rand, [16, 32, 64])}):
    inputs = keras.Input(shape=(IMAGE_SIZE, IMAGE_SIZE, CHANNELS))
    x = ${name}_block(inputs, width)
    x = ${name}_block(x, width * 2, strides=2)
    x = ${name}_block(x, width * 4, strides=2)
    shortcut = layers.Conv2D(width * 4, 1, kernel_initializer=${pick(rand, ['"he_normal"', '"zeros"', '"glorot_uniform"'])})(x)
    x = layers.add([x, shortcut])
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dense(${pick(rand, UNITS)}, kernel_initializer=${hidden(rand, 0.4).init})(x)
    x = tf.nn.relu(x)
    outputs = layers.Dense(num_classes)(x)
    return keras.Model(inputs, outputs, name="${name}")
`;
}

function subclassed(rand, name) {
  const cls = name.replace(/(^|_)(\w)/g, (_, __, c) => c.toUpperCase());
  const a = hidden(rand, 0.4);
  const b = hidden(rand, 0.3);
  const units = pick(rand, UNITS);
  return `class ${cls}(keras.Model):
    """Two-tower encoder with a shared projection head."""

    def __init__(self, units=${units}, num_classes=NUM_CLASSES, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.encoder_a = layers.Dense(units, activation="${a.act}", kernel_initializer=${a.init})
        self.encoder_b = layers.Dense(units, kernel_initializer=${b.init})
        self.act_b = layers.Activation("${b.act}")
        self.norm = layers.LayerNormalization()
        self.hidden = [layers.Dense(units, activation="relu", kernel_initializer="he_normal") for _ in range(2)]
        self.dropout = layers.Dropout(DROPOUT)
        self.head = layers.Dense(num_classes, kernel_initializer="zeros")

    def call(self, inputs, training=False):
        a = self.encoder_a(inputs)
        b = self.act_b(self.encoder_b(inputs))
        x = self.norm(a + b)
        for layer in self.hidden:
            x = layer(x)
        x = self.dropout(x, training=training)
        return self.head(x)

    def get_config(self):
        config = super().get_config()
        config.update({"units": self.units})
        return config


def ${name}(input_dim=${pick(rand, [32, 64, 128])}):
    model = ${cls}(name="${name}")
    model.build((None, input_dim))
    return model
`;
}

function deepTanhChain(rand, name) {
  // Four or more unnormalized layers whose gains compound: IL007 material.
  const std = pick(rand, ['0.01', '0.02', '0.05']);
  return `def ${name}(input_dim=256, depth=${4 + Math.floor(rand() * 4)}):
    """A deep narrow tower, kept to reproduce the vanishing-gradient plots."""
    init = keras.initializers.RandomNormal(mean=0.0, stddev=${std}, seed=SEED)
    inputs = keras.Input(shape=(input_dim,))
    x = inputs
    for i in range(depth):
        x = layers.Dense(256, activation="tanh", kernel_initializer=init, name=f"tower_{i}")(x)
    outputs = layers.Dense(1, activation="sigmoid")(x)
    return keras.Model(inputs, outputs, name="${name}")
`;
}

const TEMPLATES = [
  ['mlp', sequentialMlp],
  ['functional_net', functionalActivationLayers],
  ['bn_mlp', batchNormBlocks],
  ['conv_net', convStack],
  ['res_net', convHelperPair],
  ['two_tower', subclassed],
  ['deep_tower', deepTanhChain],
];

/**
 * A Keras module of about `lines` lines (it stops at the first block boundary at or past it).
 * Builders are named `<template>_<n>` and registered at the bottom, like a real model zoo.
 */
export function generateKerasFile({ lines = 2000, seed = 42 } = {}) {
  const rand = seededRandom(seed);
  const blocks = [HEADER];
  const names = [];
  let count = HEADER.split('\n').length;
  const footerLines = (n) => n + 16;
  for (let i = 0; count + footerLines(names.length) < lines; i++) {
    const [base, make] = TEMPLATES[i % TEMPLATES.length];
    const name = `${base}_${Math.floor(i / TEMPLATES.length) + 1}`;
    const block = `\n${make(rand, name)}\n`;
    blocks.push(block);
    names.push(name);
    count += block.split('\n').length - 1;
  }
  blocks.push(FOOTER(names));
  return blocks.join('');
}

/**
 * Two texts that differ in exactly one digit: the units of a `Dense(<int>, ...)` call near the
 * middle of the file (where an edit costs an incremental parser the most re-walking on both
 * sides). Alternating between them simulates a user typing in the editor.
 */
export function oneDigitEditPair(text) {
  const re = /Dense\((\d+)/g;
  const middle = text.length / 2;
  let best;
  for (let m; (m = re.exec(text)); ) {
    if (!best || Math.abs(m.index - middle) < Math.abs(best.index - middle)) best = m;
  }
  if (!best) throw new Error('no Dense(<int>) call to edit');
  // Last digit of the units argument, e.g. 128 -> 129: same length, still a valid program.
  const at = best.index + 'Dense('.length + best[1].length - 1;
  const digit = Number(text[at]);
  const other = String((digit + 1) % 10);
  const edited = text.slice(0, at) + other + text.slice(at + 1);
  return { before: text, after: edited, offset: at };
}
