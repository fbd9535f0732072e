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
 * `generateTorchFile()` does the same for PyTorch: `nn.Module` classes whose `__init__` builds
 * `nn.Linear`/`nn.Conv2d`/`nn.BatchNorm2d`/`nn.Sequential`/`nn.ModuleList` layers and initializes
 * them (`nn.init.*_` calls, `self.modules()` loops, `self.apply(self._init_weights)` with
 * `isinstance` guards), and whose `forward` applies `F.relu`, `torch.tanh`, `self.act(...)`.
 * `generateNotebook()` spreads both kinds of models over the cells of a Jupyter notebook, and
 * `generateWorkspace()` writes a project of many small model files and some that are not.
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
 * Two texts that differ in exactly one digit: the first integer argument of a `<call>(<int>`
 * (by default `Dense(`; `nn.Linear(` for PyTorch) near the middle of the file (where an edit
 * costs an incremental parser the most re-walking on both sides). Alternating between them
 * simulates a user typing in the editor.
 */
export function oneDigitEditPair(text, call = 'Dense') {
  const re = new RegExp(`${call.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\((\\d+)`, 'g');
  const middle = text.length / 2;
  let best;
  for (let m; (m = re.exec(text)); ) {
    if (!best || Math.abs(m.index - middle) < Math.abs(best.index - middle)) best = m;
  }
  if (!best) throw new Error(`no ${call}(<int>) call to edit`);
  // Last digit of the integer argument, e.g. 128 -> 129: same length, still a valid program.
  const at = best.index + call.length + 1 + best[1].length - 1;
  const digit = Number(text[at]);
  const other = String((digit + 1) % 10);
  const edited = text.slice(0, at) + other + text.slice(at + 1);
  return { before: text, after: edited, offset: at };
}

// ---- PyTorch ----

const TORCH_IMPORTS = `import torch
import torch.nn as nn
import torch.nn.functional as F`;

const TORCH_HEADER = `"""PyTorch model zoo for the tabular, image and sequence experiments.

Every model is an nn.Module; \`build(name)\` instantiates one from MODEL_REGISTRY and moves it to
the configured device. Initialization lives next to the layers it initializes.
"""
import math
import os

${TORCH_IMPORTS}

SEED = int(os.environ.get("EXPERIMENT_SEED", "1234"))
NUM_CLASSES = 10
IN_CHANNELS = 3
HIDDEN = 256
DROPOUT = 0.1
DEVICE = torch.device("cuda" if torch.cuda.is_available() else "cpu")

torch.manual_seed(SEED)


def count_parameters(model):
    """Trainable parameters only."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def cosine_lr(step, total_steps, base_lr=1e-3, warmup=500):
    """Linear warm-up, then cosine decay to zero."""
    if step < warmup:
        return base_lr * step / warmup
    progress = (step - warmup) / max(1, total_steps - warmup)
    return base_lr * 0.5 * (1.0 + math.cos(math.pi * progress))


def train_one_epoch(model, loader, optimizer, loss_fn=None):
    """One pass over the loader; returns the mean loss."""
    loss_fn = loss_fn or nn.CrossEntropyLoss()
    model.train()
    total, batches = 0.0, 0
    for inputs, targets in loader:
        inputs, targets = inputs.to(DEVICE), targets.to(DEVICE)
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(inputs), targets)
        loss.backward()
        optimizer.step()
        total += loss.item()
        batches += 1
    return total / max(batches, 1)


@torch.no_grad()
def evaluate(model, loader):
    """Top-1 accuracy."""
    model.eval()
    correct = seen = 0
    for inputs, targets in loader:
        logits = model(inputs.to(DEVICE))
        correct += (logits.argmax(dim=-1).cpu() == targets).sum().item()
        seen += targets.numel()
    return correct / max(seen, 1)

`;

const TORCH_FOOTER = (names) => `

MODEL_REGISTRY = {
${names.map(([key, ctor]) => `    "${key}": ${ctor},`).join('\n')}
}


def build(name, **kwargs):
    """Instantiate a registered model on DEVICE."""
    if name not in MODEL_REGISTRY:
        raise KeyError(f"unknown model {name!r}; choose one of {sorted(MODEL_REGISTRY)}")
    return MODEL_REGISTRY[name](**kwargs).to(DEVICE)


if __name__ == "__main__":
    for model_name in sorted(MODEL_REGISTRY):
        print(model_name, count_parameters(build(model_name)))
`;

/**
 * Hidden-layer specs for PyTorch: how forward applies the activation (`wrap`), the module an
 * `self.act` would hold, and the init call for the layer's weight `W` (`null`: the default init).
 */
const TORCH_ACTS = {
  relu: { wrap: ['F.relu', 'torch.relu'], module: 'nn.ReLU()' },
  tanh: { wrap: ['torch.tanh'], module: 'nn.Tanh()' },
  sigmoid: { wrap: ['torch.sigmoid'], module: 'nn.Sigmoid()' },
  selu: { wrap: ['F.selu'], module: 'nn.SELU()' },
  elu: { wrap: ['F.elu'], module: 'nn.ELU()' },
};
const TORCH_GOOD = {
  relu: [null, `nn.init.kaiming_normal_(W, nonlinearity='relu')`, `nn.init.kaiming_uniform_(W, nonlinearity='relu')`, `nn.init.kaiming_normal_(W, mode='fan_in', nonlinearity='relu')`],
  elu: [null, `nn.init.kaiming_normal_(W, nonlinearity='relu')`],
  tanh: [`nn.init.xavier_uniform_(W)`, `nn.init.xavier_normal_(W)`],
  sigmoid: [`nn.init.xavier_uniform_(W)`],
  selu: [`nn.init.kaiming_normal_(W, nonlinearity='linear')`],
};
const TORCH_MISTAKES = [
  { act: 'relu', init: `nn.init.xavier_uniform_(W)` }, // IL001
  { act: 'relu', init: `nn.init.xavier_normal_(W)` }, // IL001
  { act: 'tanh', init: `nn.init.kaiming_normal_(W, nonlinearity='relu')` }, // IL002
  { act: 'sigmoid', init: `nn.init.kaiming_uniform_(W, nonlinearity='relu')` }, // IL002
  { act: 'relu', init: `nn.init.zeros_(W)` }, // IL003
  { act: 'relu', init: `nn.init.normal_(W, std=0.001)` }, // IL004
  { act: 'tanh', init: `nn.init.normal_(W, mean=0.0, std=1.0)` }, // IL005
  { act: 'selu', init: `nn.init.xavier_uniform_(W)` }, // IL006
];

function torchHidden(rand, p = 0.3) {
  if (rand() < p) return { ...pick(rand, TORCH_MISTAKES) };
  const act = pick(rand, ['relu', 'relu', 'relu', 'tanh', 'elu']);
  return { act, init: pick(rand, TORCH_GOOD[act]) };
}

const camel = (name) => name.replace(/(^|_)(\w)/g, (_, __, c) => c.toUpperCase());

/** MLP with explicit `nn.init` calls in `__init__` and three spellings of the activation. */
function torchMlp(rand, name) {
  const cls = camel(name);
  const dIn = pick(rand, [16, 32, 64, 100, 784]);
  const depth = 2 + Math.floor(rand() * 3);
  const widths = [dIn, ...Array.from({ length: depth }, () => pick(rand, UNITS))];
  const specs = Array.from({ length: depth }, () => torchHidden(rand));
  const init = [];
  const layers = [];
  const forward = [];
  specs.forEach((h, i) => {
    layers.push(`        self.fc${i + 1} = nn.Linear(${widths[i]}, ${widths[i + 1]})`);
    if (h.init) {
      init.push(`        ${h.init.replace('W', `self.fc${i + 1}.weight`)}`);
      if (rand() < 0.5) init.push(`        nn.init.zeros_(self.fc${i + 1}.bias)`);
    }
    const style = rand();
    if (style < 0.3) {
      layers.push(`        self.act${i + 1} = ${TORCH_ACTS[h.act].module}`);
      forward.push(`        x = self.act${i + 1}(self.fc${i + 1}(x))`);
    } else {
      forward.push(`        x = ${pick(rand, TORCH_ACTS[h.act].wrap)}(self.fc${i + 1}(x))`);
    }
    if (rand() < 0.3) forward.push(`        x = self.dropout(x)`);
  });
  return `class ${cls}(nn.Module):
    """Plain MLP for the ${dIn}-feature tabular task."""

    def __init__(self, num_classes=NUM_CLASSES):
        super().__init__()
${layers.join('\n')}
        self.dropout = nn.Dropout(DROPOUT)
        self.head = nn.Linear(${widths[depth]}, num_classes)
${init.length ? init.join('\n') : '        nn.init.zeros_(self.head.bias)'}

    def forward(self, x):
${forward.join('\n')}
        return self.head(x)
`;
}

/** VGG-style Sequential with BatchNorm2d, initialized by a `self.modules()` loop. */
function torchConvNet(rand, name) {
  const cls = camel(name);
  const c = pick(rand, [[32, 64, 128], [16, 32, 64], [64, 128, 256]]);
  const convInit = rand() < 0.35
    ? pick(rand, [`nn.init.xavier_uniform_(m.weight)`, `nn.init.normal_(m.weight, std=0.001)`]) // IL001 / IL004 on the unnormalized conv
    : pick(rand, [`nn.init.kaiming_normal_(m.weight, mode='fan_out', nonlinearity='relu')`, `nn.init.kaiming_uniform_(m.weight, nonlinearity='relu')`]);
  const head = torchHidden(rand, 0.3);
  const fcOut = pick(rand, UNITS);
  return `class ${cls}(nn.Module):
    """Three conv stages; the middle one has no BatchNorm."""

    def __init__(self, in_channels=IN_CHANNELS, num_classes=NUM_CLASSES):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, ${c[0]}, kernel_size=3, padding=1, bias=False),
            nn.BatchNorm2d(${c[0]}),
            nn.ReLU(inplace=True),
            nn.Conv2d(${c[0]}, ${c[1]}, 3, padding=1),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(2),
            nn.Conv2d(${c[1]}, ${c[2]}, kernel_size=3, padding=1, bias=False),
            nn.BatchNorm2d(${c[2]}),
            nn.ReLU(inplace=True),
            nn.AdaptiveAvgPool2d(1),
        )
        self.fc = nn.Linear(${c[2]}, ${fcOut})
        self.act = ${TORCH_ACTS[head.act].module}
        self.classifier = nn.Linear(${fcOut}, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                ${convInit}
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)
${head.init ? `        ${head.init.replace('W', 'self.fc.weight')}\n` : ''}
    def forward(self, x):
        x = self.features(x)
        x = torch.flatten(x, 1)
        x = self.act(self.fc(x))
        return self.classifier(x)
`;
}

/** GPT-style `self.apply(self._init_weights)`: N(0, 0.02^2) everywhere, LayerNorm first. */
function torchApplyInit(rand, name) {
  const cls = camel(name);
  const d = pick(rand, [256, 512, 768]);
  const depth = 3 + Math.floor(rand() * 4);
  const act = pick(rand, [['nn.GELU()', 'gelu'], ['nn.ReLU()', 'relu'], ['nn.Tanh()', 'tanh']]);
  const std = pick(rand, ['0.02', '0.02', '0.01']);
  return `class ${cls}(nn.Module):
    """Residual-free feed-forward stack, initialized like GPT-2."""

    def __init__(self, d_model=${d}, depth=${depth}, num_classes=NUM_CLASSES):
        super().__init__()
        self.norm = nn.LayerNorm(d_model)
        self.blocks = nn.ModuleList([nn.Linear(d_model, d_model) for _ in range(depth)])
        self.act = ${act[0]}
        self.head = nn.Linear(d_model, num_classes)
        self.apply(self._init_weights)

    def _init_weights(self, module):
        if isinstance(module, nn.Linear):
            module.weight.data.normal_(mean=0.0, std=${std})
            if module.bias is not None:
                module.bias.data.zero_()
        elif isinstance(module, nn.LayerNorm):
            module.weight.data.fill_(1.0)
            module.bias.data.zero_()

    def forward(self, x):
        x = self.norm(x)
        for block in self.blocks:
            x = self.act(block(x))
        return self.head(x)
`;
}

/** A deep ModuleList on the default init: the per-layer gains compound (IL007 material). */
function torchDeepList(rand, name) {
  const cls = camel(name);
  const act = pick(rand, ['F.relu', 'torch.tanh', 'torch.relu']);
  return `class ${cls}(nn.Module):
    """Deep narrow tower, kept to reproduce the vanishing-gradient plots."""

    def __init__(self, width=${pick(rand, [128, 256])}, depth=${5 + Math.floor(rand() * 5)}):
        super().__init__()
        self.stem = nn.Linear(${pick(rand, [32, 64, 128])}, width)
        self.layers = nn.ModuleList([nn.Linear(width, width) for _ in range(depth)])
        self.out = nn.Linear(width, 1)

    def forward(self, x):
        x = F.relu(self.stem(x))
        for layer in self.layers:
            x = ${act}(layer(x))
        return torch.sigmoid(self.out(x))
`;
}

/** Residual block: every conv behind a BatchNorm2d, so nothing to report. */
function torchResidual(rand, name) {
  const cls = camel(name);
  const ch = pick(rand, [64, 128, 256]);
  return `class ${cls}(nn.Module):
    """Basic ResNet block with an identity shortcut."""

    def __init__(self, channels=${ch}, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(channels)
        self.act = nn.ReLU(inplace=True)
        nn.init.kaiming_normal_(self.conv1.weight, mode='fan_out', nonlinearity='relu')
        nn.init.${pick(rand, ['kaiming_normal_', 'xavier_uniform_'])}(self.conv2.weight)

    def forward(self, x):
        out = self.act(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.act(out + x)
`;
}

/** A module-level init function applied to an encoder built from nn.Sequential. */
function torchSequentialApply(rand, name) {
  const cls = camel(name);
  const fn = `init_${name}`;
  const h = torchHidden(rand, 0.4);
  const init = h.init ?? `nn.init.kaiming_uniform_(W, nonlinearity='relu')`;
  const dIn = pick(rand, [64, 128, 256]);
  const hiddenW = pick(rand, UNITS);
  return `def ${fn}(m):
    if isinstance(m, nn.Linear):
        ${init.replace('W', 'm.weight')}
        nn.init.zeros_(m.bias)


class ${cls}(nn.Module):
    """Encoder: ${dIn} features to a ${pick(rand, [16, 32])}-d code."""

    def __init__(self, latent=32):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(${dIn}, ${hiddenW}),
            ${TORCH_ACTS[h.act].module},
            nn.Dropout(DROPOUT),
            nn.Linear(${hiddenW}, ${hiddenW}),
            ${TORCH_ACTS[h.act].module},
            nn.Linear(${hiddenW}, latent),
        )
        self.apply(${fn})

    def forward(self, x):
        return self.net(x)
`;
}

const TORCH_TEMPLATES = [
  ['mlp', torchMlp],
  ['conv_net', torchConvNet],
  ['gpt_ff', torchApplyInit],
  ['deep_tower', torchDeepList],
  ['res_block', torchResidual],
  ['encoder', torchSequentialApply],
];

/**
 * A PyTorch module of about `lines` lines (it stops at the first block boundary at or past
 * it), with the classes registered at the bottom.
 */
export function generateTorchFile({ lines = 2000, seed = 42 } = {}) {
  const rand = seededRandom(seed);
  const blocks = [TORCH_HEADER];
  const names = [];
  let count = TORCH_HEADER.split('\n').length;
  const footerLines = (n) => n + 16;
  for (let i = 0; count + footerLines(names.length) < lines; i++) {
    const [base, make] = TORCH_TEMPLATES[i % TORCH_TEMPLATES.length];
    const name = `${base}_${Math.floor(i / TORCH_TEMPLATES.length) + 1}`;
    const block = `\n${make(rand, name)}\n`;
    blocks.push(block);
    names.push([name, camel(name)]);
    count += block.split('\n').length - 1;
  }
  blocks.push(TORCH_FOOTER(names));
  return blocks.join('');
}

// ---- Jupyter notebook ----

/** nbformat keeps a source as a list of lines, each but the last ending in "\n". */
const sourceLines = (text) => text.match(/[^\n]*\n|[^\n]+$/g) ?? [];

/** Base64 text of `bytes` pseudo-random bytes behind a PNG signature: the size of a small plot. */
function fakePng(rand, bytes) {
  const buf = Buffer.alloc(bytes);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(buf);
  for (let i = 8; i < bytes; i++) buf[i] = Math.floor(rand() * 256);
  return buf.toString('base64');
}

const NB_IMPORTS_KERAS = `import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers`;

const NB_IMPORTS_TORCH = `${TORCH_IMPORTS}
from torch.utils.data import DataLoader, TensorDataset`;

const NB_SETUP = `SEED = 1234
NUM_CLASSES = 10
IMAGE_SIZE = 32
CHANNELS = 3
IN_CHANNELS = 3
HIDDEN = 256
DROPOUT = 0.2
DEVICE = torch.device("cuda" if torch.cuda.is_available() else "cpu")

tf.random.set_seed(SEED)
np.random.seed(SEED)
torch.manual_seed(SEED)
print(tf.__version__, torch.__version__, DEVICE)`;

const NB_HELPERS = `def compile_for(model, learning_rate=1e-3):
    """Adam and sparse categorical cross-entropy on logits."""
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    return model


def count_parameters(model):
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def train_one_epoch(model, loader, optimizer, loss_fn=None):
    loss_fn = loss_fn or nn.CrossEntropyLoss()
    model.train()
    total, batches = 0.0, 0
    for inputs, targets in loader:
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(inputs.to(DEVICE)), targets.to(DEVICE))
        loss.backward()
        optimizer.step()
        total += loss.item()
        batches += 1
    return total / max(batches, 1)`;

const NB_DATA = `x_train = np.random.default_rng(SEED).normal(size=(8192, 64)).astype("float32")
y_train = np.random.default_rng(SEED + 1).integers(0, NUM_CLASSES, size=8192)
train_loader = DataLoader(
    TensorDataset(torch.from_numpy(x_train), torch.from_numpy(y_train)),
    batch_size=128,
    shuffle=True,
)
x_train.shape, y_train.shape`;

/**
 * A Jupyter notebook (nbformat 4.5, written the way Jupyter writes it: sorted keys, one-space
 * indent) of exactly `cells` cells: a title, imports and set-up in the first code cells, then
 * sections of markdown, a Keras builder or a PyTorch class, a cell that instantiates it (with
 * printed output), and sometimes a training cell with logs and a plot.
 */
export function generateNotebook({ cells = 200, seed = 42 } = {}) {
  const rand = seededRandom(seed);
  const out = [];
  let execution = 0;
  const id = () => Math.floor(rand() * 0xffffffff).toString(16).padStart(8, '0');
  const markdown = (text) => ({ cell_type: 'markdown', id: id(), metadata: {}, source: sourceLines(text) });
  const code = (text, outputs = []) => {
    execution++;
    const withCount = outputs.map((o) => (o.output_type === 'execute_result' ? { ...o, execution_count: execution } : o));
    return { cell_type: 'code', execution_count: execution, id: id(), metadata: {}, outputs: withCount, source: sourceLines(text) };
  };
  const stream = (text) => ({ name: 'stdout', output_type: 'stream', text: sourceLines(text) });
  const result = (text) => ({ data: { 'text/plain': sourceLines(text) }, metadata: {}, output_type: 'execute_result' });
  const plot = () => ({
    data: { 'image/png': fakePng(rand, 3000 + Math.floor(rand() * 3000)), 'text/plain': ['<Figure size 640x480 with 1 Axes>'] },
    metadata: {},
    output_type: 'display_data',
  });

  out.push(markdown('# Initialization study\n\nKeras and PyTorch versions of the same model families, trained for a few epochs each.\nThe point is to compare how each initializer behaves with each activation.'));
  out.push(code(NB_IMPORTS_KERAS));
  out.push(code(NB_IMPORTS_TORCH));
  out.push(code(NB_SETUP, [stream('2.16.1 2.3.1 cpu\n')]));
  out.push(markdown('## Helpers'));
  out.push(code(NB_HELPERS));
  out.push(code(NB_DATA, [result('((8192, 64), (8192,))')]));

  const last = cells - 1;
  for (let i = 0; out.length < last; i++) {
    const torch = i % 2 === 1;
    const [base, make] = torch ? TORCH_TEMPLATES[(i >> 1) % TORCH_TEMPLATES.length] : TEMPLATES[(i >> 1) % TEMPLATES.length];
    const name = `${torch ? 'pt' : 'k'}_${base}_${i + 1}`;
    const section = [];
    section.push(markdown(`## ${i + 1}. ${base.replace(/_/g, ' ')} (${torch ? 'PyTorch' : 'Keras'})\n\nSame family as above with ${pick(rand, ['a wider', 'a deeper', 'a narrower', 'another'])} configuration.`));
    section.push(code(make(rand, name).trimEnd()));
    const params = 10_000 + Math.floor(rand() * 2_000_000);
    if (torch) {
      section.push(code(`net_${i + 1} = ${camel(name)}()\nnet_${i + 1}.to(DEVICE)\nprint(f"{count_parameters(net_${i + 1}):,} parameters")`, [stream(`${params.toLocaleString('en-US')} parameters\n`)]));
    } else {
      section.push(code(`model_${i + 1} = ${name}()\nmodel_${i + 1}.count_params()`, [result(String(params))]));
    }
    if (rand() < 0.5) {
      const epochs = 3;
      const logs = Array.from({ length: epochs }, (_, e) => `epoch ${e + 1}: loss ${(2.3 - e * 0.4 * rand()).toFixed(4)}\n`).join('');
      const train = torch
        ? `optimizer = torch.optim.AdamW(net_${i + 1}.parameters(), lr=3e-4, weight_decay=0.01)\nlosses_${i + 1} = []\nfor epoch in range(${epochs}):\n    loss = train_one_epoch(net_${i + 1}, train_loader, optimizer)\n    losses_${i + 1}.append(loss)\n    print(f"epoch {epoch + 1}: loss {loss:.4f}")\nplt.plot(losses_${i + 1})\nplt.show()`
        : `history_${i + 1} = compile_for(model_${i + 1}).fit(x_train, y_train, epochs=${epochs}, batch_size=128, verbose=0)\nfor epoch, loss in enumerate(history_${i + 1}.history["loss"]):\n    print(f"epoch {epoch + 1}: loss {loss:.4f}")\nplt.plot(history_${i + 1}.history["loss"])\nplt.show()`;
      section.push(code(train, rand() < 0.6 ? [stream(logs), plot()] : [stream(logs)]));
    }
    if (rand() < 0.3) section.push(markdown(pick(rand, ['The loss plateaus early: look at the first layers.', 'Trains fine.', 'Compare with the previous section: same depth, different initializer.'])));
    out.push(...section.slice(0, last - out.length));
  }
  out.push(markdown('## Summary\n\nSee the table in the report; the diagnostics in the editor point at the layers to fix.'));

  const nb = {
    cells: out,
    metadata: {
      kernelspec: { display_name: 'Python 3 (ipykernel)', language: 'python', name: 'python3' },
      language_info: { codemirror_mode: { name: 'ipython', version: 3 }, file_extension: '.py', mimetype: 'text/x-python', name: 'python', nbconvert_exporter: 'python', pygments_lexer: 'ipython3', version: '3.11.7' },
    },
    nbformat: 4,
    nbformat_minor: 5,
  };
  return `${JSON.stringify(nb, null, 1)}\n`;
}

/** The code cells of a notebook text joined by "\n": the one Python program the engine lints. */
export function notebookCode(notebookText) {
  return JSON.parse(notebookText)
    .cells.filter((c) => c.cell_type === 'code')
    .map((c) => (Array.isArray(c.source) ? c.source.join('') : c.source))
    .join('\n');
}

// ---- a workspace of many small files ----

const SMALL_KERAS_HEADER = (name) => `"""${name}: model definition for one experiment."""
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers

SEED = 7
NUM_CLASSES = 10
IMAGE_SIZE = 32
CHANNELS = 3
DROPOUT = 0.2
`;

const SMALL_TORCH_HEADER = (name) => `"""${name}: model definition for one experiment."""
${TORCH_IMPORTS}

NUM_CLASSES = 10
IN_CHANNELS = 3
DROPOUT = 0.1
`;

const SMALL_TRAILER = (names) => `

__all__ = [
${names.map((n) => `    "${n}",`).join('\n')}
]
`;

/** One small model file of 30 to 80 lines: a header and one or two model blocks. */
function smallModelFile(rand, index) {
  const torch = rand() < 0.5;
  const templates = torch ? TORCH_TEMPLATES : TEMPLATES;
  const file = `${torch ? 'pt' : 'keras'}_model_${index}`;
  let text = (torch ? SMALL_TORCH_HEADER : SMALL_KERAS_HEADER)(file);
  const exported = [];
  // Lines as an editor counts them: the text ends with a newline.
  const lines = () => text.split('\n').length - 1;
  for (let b = 0; lines() < 30 && b < 3; b++) {
    for (let attempt = 0; attempt < 8; attempt++) {
      const [base, make] = pick(rand, templates);
      const name = `${base}_${index}_${b}`;
      const block = `\n\n${make(rand, name).trimEnd()}\n`;
      if (lines() + block.split('\n').length - 1 > 80) continue;
      text += block;
      exported.push(torch ? camel(name) : name);
      break;
    }
  }
  if (lines() < 30) text += SMALL_TRAILER(exported);
  return { path: `${torch ? 'pytorch' : 'keras'}/${file}.py`, text };
}

const PLAIN_FUNCTIONS = [
  (n) => `def read_rows_${n}(path, delimiter=","):
    """Rows of a CSV file as lists of floats, header skipped."""
    rows = []
    with open(path, encoding="utf-8") as handle:
        next(handle, None)
        for line in handle:
            rows.append([float(v) for v in line.rstrip("\\n").split(delimiter)])
    return rows
`,
  (n) => `def moving_average_${n}(values, window=10):
    out, total = [], 0.0
    for i, v in enumerate(values):
        total += v
        if i >= window:
            total -= values[i - window]
        out.append(total / min(i + 1, window))
    return out
`,
  (n) => `class RunLogger${n}:
    """Appends one JSON line per step to a log file."""

    def __init__(self, path):
        self.path = path
        self.step = 0

    def log(self, **values):
        self.step += 1
        with open(self.path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps({"step": self.step, **values}) + "\\n")
`,
  (n) => `def parse_args_${n}(argv=None):
    parser = argparse.ArgumentParser(description="Run one experiment.")
    parser.add_argument("--config", required=True)
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--seed", type=int, default=0)
    return parser.parse_args(argv)
`,
];

/** A helper module that names no framework: the engine's cheap "not a model file" path. */
function plainPythonFile(rand, index) {
  const parts = [`"""Utilities shared by the experiment scripts."""\nimport argparse\nimport json\nimport os\n`];
  const count = 2 + Math.floor(rand() * 3);
  for (let i = 0; i < count; i++) parts.push(`\n${pick(rand, PLAIN_FUNCTIONS)(`${index}_${i}`)}`);
  return { path: `utils/util_${index}.py`, text: parts.join('\n') };
}

/** An experiment config: JSON that is not a Keras or TF.js model. */
function plainJsonFile(rand, index) {
  const config = {
    name: `experiment_${index}`,
    model: `mlp_${1 + Math.floor(rand() * 20)}`,
    optimizer: { name: pick(rand, ['adam', 'adamw', 'sgd']), learning_rate: pick(rand, [1e-3, 3e-4, 1e-2]), weight_decay: 0.01 },
    data: { path: `data/split_${index % 5}.csv`, batch_size: pick(rand, [32, 64, 128]), shuffle: true },
    epochs: pick(rand, [10, 30, 90]),
    seeds: [0, 1, 2],
  };
  return { path: `configs/experiment_${index}.json`, text: `${JSON.stringify(config, null, 2)}\n` };
}

/**
 * The files of a generated project: `models` small Keras and PyTorch model files (30 to 80
 * lines each, 50 to a folder), `plainPython` helper modules and `json` config files that are not
 * models, and a .gitignore. Returns `[{ path, text }]` with `/`-separated relative paths.
 */
export function generateWorkspace({ models = 2000, plainPython = 200, json = 100, seed = 42 } = {}) {
  const rand = seededRandom(seed);
  const files = [{ path: '.gitignore', text: '__pycache__/\n*.log\ncheckpoints/\n' }];
  for (let i = 0; i < models; i++) {
    const f = smallModelFile(rand, i);
    files.push({ ...f, path: `models/group_${String(Math.floor(i / 50)).padStart(2, '0')}/${f.path.replace('/', '_')}` });
  }
  for (let i = 0; i < plainPython; i++) files.push(plainPythonFile(rand, i));
  for (let i = 0; i < json; i++) files.push(plainJsonFile(rand, i));
  return files;
}
