/**
 * What the front ends read from what the user wrote: activation names the catalogue does not know
 * (rules.md v2: the layer is left unjudged and says which name, never judged as linear) in every
 * front end that reads a written name, and layer labels with keyword arguments
 * (`Conv2D(filters=32, kernel_size=3)`).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { explainLayer } from '../../src/engine/explain';
import { passReason } from '../../src/engine/rules';
import type { Analysis } from '../../src/engine/linter';
import type { Model } from '../../src/engine/ir';
import { getLinter, readFixture } from './helpers';

async function analyze(text: string, file: string): Promise<Analysis> {
  const a = (await getLinter()).analyze(text, file);
  assert.deepEqual(a.errors, [], `${file} parses`);
  return a;
}

function only(a: Analysis): Model {
  assert.equal(a.models.length, 1, a.models.map((m) => m.name).join(', '));
  return a.models[0];
}

/** Each weighted layer: `activation-name unjudged-reason`. */
function verdicts(m: Model): string[] {
  return m.layers.map((l) => `${l.activation.info.name} ${explainLayer(m, l).unjudged ?? 'judged'}`);
}

describe('unknown activations: unjudged, never linear', () => {
  // Every case puts an N(0, 1) kernel on a 64-wide input: judged as linear it would be IL005
  // (scale ratio 64), so no finding proves the layer was left unjudged.
  test('TF.js: a string activation option and tf.layers.activation({activation}) with an unknown name', async () => {
    const text = [
      "import * as tf from '@tensorflow/tfjs';",
      'const model = tf.sequential();',
      "model.add(tf.layers.dense({units: 64, inputShape: [64], activation: 'fancyAct', kernelInitializer: tf.initializers.randomNormal({stddev: 1})}));",
      'model.add(tf.layers.dense({units: 64, kernelInitializer: tf.initializers.randomNormal({stddev: 1})}));',
      "model.add(tf.layers.activation({activation: 'otherAct'}));",
      'model.add(tf.layers.dense({units: 1}));',
    ].join('\n');
    const a = await analyze(text, 'm.js');
    assert.deepEqual(a.findings, []);
    const m = only(a);
    assert.deepEqual(verdicts(m), ['fancyAct unknown activation "fancyAct"', 'otherAct unknown activation "otherAct"', 'linear judged']);
    assert.equal(m.layers[0].activation.info.family, 'unknown');
  });

  test('TF.js: a known name still resolves, and an activation held by an unreadable variable stays as before', async () => {
    const text = [
      "import * as tf from '@tensorflow/tfjs';",
      'export function build(act) {',
      '  const model = tf.sequential();',
      "  model.add(tf.layers.dense({units: 64, inputShape: [64], activation: 'hardSigmoid'}));",
      '  model.add(tf.layers.dense({units: 64, activation: act}));',
      '  model.add(tf.layers.dense({units: 1}));',
      '  return model;',
      '}',
    ].join('\n');
    const m = only(await analyze(text, 'm.js'));
    assert.equal(m.layers[0].activation.info.name, 'hard_sigmoid');
    // `act` is a parameter nobody passes here: not a name we read, so not an "unknown activation".
    assert.notEqual(m.layers[1].activation.info.family, 'unknown');
  });

  test('Keras JSON: a string, a Keras 3 custom-function object, a custom activation layer and an Activation layer', async () => {
    const normal = { class_name: 'RandomNormal', config: { mean: 0, stddev: 1, seed: null } };
    const dense = (name: string, activation: unknown, extra: object = {}) => ({
      class_name: 'Dense',
      config: { name, units: 64, activation, kernel_initializer: normal, ...extra },
    });
    const model = {
      class_name: 'Sequential',
      config: {
        name: 'custom_acts',
        layers: [
          dense('d1', 'my_act', { batch_input_shape: [null, 64] }),
          dense('d2', { module: 'builtins', class_name: 'function', config: 'fn_act', registered_name: 'fn_act' }),
          dense('d3', { module: 'my_layers', class_name: 'Snake', config: { frequency: 1 }, registered_name: 'Custom>Snake' }),
          dense('d4', 'linear'),
          { class_name: 'Activation', config: { name: 'a', activation: 'layer_act' } },
          { class_name: 'Dense', config: { name: 'out', units: 1, activation: 'linear' } },
        ],
      },
    };
    const a = await analyze(JSON.stringify(model), 'model.json');
    assert.deepEqual(a.findings, []);
    assert.deepEqual(verdicts(only(a)), [
      'my_act unknown activation "my_act"',
      'fn_act unknown activation "fn_act"',
      'Snake unknown activation "Snake"',
      'layer_act unknown activation "layer_act"',
      'linear judged',
    ]);
  });

  test('TF.js model.json: an unknown activation string is unjudged too', async () => {
    const model = {
      format: 'layers-model',
      generatedBy: 'TensorFlow.js tfjs-layers v4.22.0',
      convertedBy: null,
      modelTopology: {
        class_name: 'Sequential',
        config: {
          name: 'tfjs_custom',
          layers: [
            {
              class_name: 'Dense',
              config: {
                name: 'd1',
                units: 64,
                activation: 'fancyAct',
                batch_input_shape: [null, 64],
                kernel_initializer: { class_name: 'RandomNormal', config: { mean: 0, stddev: 1, seed: null } },
              },
            },
            {
              class_name: 'Dense',
              config: { name: 'd2', units: 1, activation: 'linear', kernel_initializer: { class_name: 'GlorotUniform', config: { seed: null } } },
            },
          ],
        },
      },
      weightsManifest: [],
    };
    const a = await analyze(JSON.stringify(model), 'model.json');
    assert.equal(only(a).framework, 'tfjs');
    assert.deepEqual(a.findings, []);
    assert.deepEqual(verdicts(only(a)), ['fancyAct unknown activation "fancyAct"', 'linear judged']);
  });

  test('Keras .py: activation= given an imported function, a function of the file or keras.activations.<unknown>', async () => {
    const text = [
      'from tensorflow import keras',
      'from tensorflow.keras import layers',
      'from my_project.activations import snake',
      '',
      'def scaled_tanh(x):',
      '    return 1.7159 * keras.activations.tanh(2 * x / 3)',
      '',
      'init = keras.initializers.RandomNormal(stddev=1.0)',
      'inputs = keras.Input(shape=(64,))',
      'x = layers.Dense(64, activation=snake, kernel_initializer=init)(inputs)',
      'x = layers.Dense(64, activation=scaled_tanh, kernel_initializer=init)(x)',
      'x = layers.Dense(64, activation=keras.activations.swish, kernel_initializer="he_normal")(x)',
      'x = layers.Dense(64, kernel_initializer=init)(x)',
      'x = keras.activations.sparse_plus(x)',
      'outputs = layers.Dense(1)(x)',
      'model = keras.Model(inputs, outputs)',
    ].join('\n');
    const a = await analyze(text, 'm.py');
    assert.deepEqual(a.findings, []);
    assert.deepEqual(verdicts(only(a)), [
      'snake unknown activation "snake"',
      'scaled_tanh unknown activation "scaled_tanh"',
      'silu judged',
      'sparse_plus unknown activation "sparse_plus"',
      'linear judged',
    ]);
  });

  test('Keras .py: tf.nn functions that are not activations (dropout) leave the layer linear, as before', async () => {
    const text = [
      'import tensorflow as tf',
      'from tensorflow.keras import layers',
      'inputs = tf.keras.Input(shape=(64,))',
      'x = layers.Dense(64, kernel_initializer=tf.keras.initializers.RandomNormal(stddev=1.0))(inputs)',
      'x = tf.nn.dropout(x, rate=0.1)',
      'outputs = layers.Dense(1)(x)',
      'model = tf.keras.Model(inputs, outputs)',
    ].join('\n');
    const a = await analyze(text, 'm.py');
    assert.equal(verdicts(only(a))[0], 'linear judged');
    assert.deepEqual(
      a.findings.map((f) => `${f.line} ${f.code}`),
      ['4 IL005'],
    );
  });

  test('Flax: jax.nn activations outside the catalogue, a config string read through getattr, nn.PReLU', async () => {
    const text = [
      'import flax.linen as nn',
      'import jax',
      'import jax.numpy as jnp',
      'from flax import nnx',
      '',
      'class Siren(nnx.Module):',
      '    activation: str = "log_sigmoid"',
      '',
      '    def __init__(self, *, rngs: nnx.Rngs):',
      '        init = nnx.initializers.normal(stddev=1.0)',
      '        self.a = nnx.Linear(64, 64, kernel_init=init, rngs=rngs)',
      '        self.b = nnx.Linear(64, 64, kernel_init=init, rngs=rngs)',
      '        self.c = nnx.Linear(64, 64, kernel_init=init, rngs=rngs)',
      '        self.d = nnx.Linear(64, 64, kernel_init=nnx.initializers.he_normal(), rngs=rngs)',
      '        self.e = nnx.Linear(64, 64, kernel_init=nnx.initializers.he_normal(), rngs=rngs)',
      '        self.out = nnx.Linear(64, 1, rngs=rngs)',
      '',
      '    def __call__(self, x):',
      '        x = jnp.sin(self.a(x))',
      '        x = jax.nn.squareplus(self.b(x))',
      '        x = getattr(nnx, self.activation)(self.c(x))',
      '        x = getattr(nnx, "gelu")(self.d(x))',
      '        x = nn.PReLU(negative_slope_init=0.2)(self.e(x))',
      '        return self.out(x)',
    ].join('\n');
    const a = await analyze(text, 'm.py');
    const m = only(a);
    assert.deepEqual(verdicts(m), [
      'sin unknown activation "sin"',
      'squareplus unknown activation "squareplus"',
      'log_sigmoid unknown activation "log_sigmoid"',
      'gelu judged',
      'prelu judged',
      'linear judged',
    ]);
    assert.equal(m.layers[4].activation.info.alpha, 0.2);
    // He normal under PReLU(0.2) keeps (1 + 0.04)/2 x 2 of the variance: within IL001's bounds.
    assert.deepEqual(a.findings, []);
  });

  test('Flax: functions of jax.numpy and flax that are not activations leave the layer linear', async () => {
    const text = [
      'from flax import nnx',
      'import jax.numpy as jnp',
      '',
      'class Pool(nnx.Module):',
      '    def __init__(self, *, rngs: nnx.Rngs):',
      '        self.a = nnx.Linear(64, 64, kernel_init=nnx.initializers.normal(stddev=1.0), rngs=rngs)',
      '        self.out = nnx.Linear(64, 1, rngs=rngs)',
      '',
      '    def __call__(self, x):',
      '        x = jnp.mean(self.a(x), axis=0, keepdims=True)',
      '        return self.out(x)',
    ].join('\n');
    const a = await analyze(text, 'm.py');
    assert.deepEqual(verdicts(only(a)), ['linear judged', 'linear judged']);
    assert.deepEqual(
      a.findings.map((f) => f.code),
      ['IL005'],
    );
  });

  test('the interpreter: getattr(module, "name") is that attribute (PyTorch too)', async () => {
    const text = [
      'import torch.nn.functional as F',
      'from torch import nn',
      '',
      'class Net(nn.Module):',
      '    def __init__(self, act="relu"):',
      '        super().__init__()',
      '        self.act = act',
      '        self.fc1 = getattr(nn, "Linear")(64, 64)',
      '        self.fc2 = nn.Linear(64, 1)',
      '',
      '    def forward(self, x):',
      '        return self.fc2(getattr(F, self.act)(self.fc1(x)))',
    ].join('\n');
    const m = only(await analyze(text, 'm.py'));
    assert.deepEqual(
      m.layers.map((l) => `${l.label} ${l.activation.info.name}`),
      ['Linear(64, 64) relu', 'Linear(64, 1) linear'],
    );
  });
});

describe('labels show the size arguments as written, keywords included', () => {
  test('Keras .py: positional, keyword and mixed sizes; other keywords left out; long labels cut', async () => {
    const text = [
      'from tensorflow import keras',
      'from tensorflow.keras import layers',
      '',
      'model = keras.Sequential([',
      '    layers.Conv2D(filters=32, kernel_size=3, activation="relu", kernel_initializer="he_normal", input_shape=(28, 28, 1)),',
      '    layers.Conv2D(64, kernel_size=(3, 3), padding="same", activation="relu", kernel_initializer="he_normal"),',
      '    layers.Conv2D(',
      '        filters=64,',
      '        kernel_size=(',
      '            3, 3),',
      '        activation="relu",',
      '        kernel_initializer="he_normal",',
      '    ),',
      '    layers.Flatten(),',
      '    layers.Dense(units=128, activation="relu", kernel_initializer="he_normal"),',
      '    layers.Dense(64, "relu", kernel_initializer="he_normal"),',
      '    layers.Dense(units=very_long_configuration_object.classifier_head.number_of_output_units),',
      '    layers.Dense(10),',
      '])',
    ].join('\n');
    const m = only(await analyze(text, 'm.py'));
    const labels = m.layers.map((l) => l.label);
    assert.deepEqual(labels.slice(0, 5), [
      'Conv2D(filters=32, kernel_size=3)',
      'Conv2D(64, kernel_size=(3, 3))',
      'Conv2D(filters=64, kernel_size=(3, 3))',
      'Dense(units=128)',
      'Dense(64, "relu")',
    ]);
    assert.equal(labels[5].length, 60);
    assert.ok(labels[5].startsWith('Dense(units=very_long_configuration_object.') && labels[5].endsWith('...'));
    assert.equal(labels[6], 'Dense(10)');
  });

  test('Keras .py: findings name the layer by its keyword label', async () => {
    const text =
      'from tensorflow import keras\nm = keras.Sequential([keras.layers.Dense(units=64, activation="relu", input_shape=(64,)), keras.layers.Dense(units=10)])\n';
    const findings = (await getLinter()).lint(text, 'm.py');
    assert.deepEqual(
      findings.map((f) => `${f.code} ${f.layer}`),
      ['IL001 Dense(units=64)'],
    );
  });

  test('Flax: features and kernel_size keywords', async () => {
    const text = [
      'import flax.linen as nn',
      '',
      'class CNN(nn.Module):',
      '    @nn.compact',
      '    def __call__(self, x):',
      '        x = nn.relu(nn.Conv(features=32, kernel_size=(3, 3), kernel_init=nn.initializers.he_normal())(x))',
      '        x = nn.relu(nn.Conv(64, kernel_size=(3, 3), kernel_init=nn.initializers.he_normal())(x))',
      '        x = x.reshape((x.shape[0], -1))',
      '        return nn.Dense(features=10)(x)',
    ].join('\n');
    const m = only(await analyze(text, 'm.py'));
    assert.deepEqual(
      m.layers.map((l) => l.label),
      ['Conv(features=32, kernel_size=(3, 3))', 'Conv(64, kernel_size=(3, 3))', 'Dense(features=10)'],
    );
  });
});

describe('PyTorch activations and labels', () => {
  const net = (act: string, linear = 'nn.Linear(64, 64)') =>
    [
      'import torch',
      'from torch import nn',
      'import torch.nn.functional as F',
      'class Net(nn.Module):',
      '    def __init__(self):',
      '        super().__init__()',
      `        self.fc = ${linear}`,
      '        self.out = nn.Linear(64, 1)',
      '        nn.init.normal_(self.fc.weight, std=1.0)',
      '    def forward(self, x):',
      `        return self.out(${act})`,
    ].join('\n');

  test('modules and functions outside the catalogue leave the layer unjudged (never linear): LogSigmoid, GLU, tanhshrink', async () => {
    for (const [act, name] of [
      ['nn.LogSigmoid()(self.fc(x))', 'logsigmoid'],
      ['F.glu(self.fc(x))', 'glu'],
      ['F.tanhshrink(self.fc(x))', 'tanhshrink'],
    ]) {
      const a = await analyze(net(act), 'net.py');
      const m = a.models[0];
      assert.deepEqual(
        a.findings.filter((f) => f.line === 7),
        [],
        act,
      );
      assert.equal(explainLayer(m, m.layers[0]).unjudged, `unknown activation "${name}"`, act);
    }
  });

  test('Hardtanh is hardtanh; PReLU starts from its init slope (0.25 by default)', async () => {
    const hard = only(await analyze(net('nn.Hardtanh()(self.fc(x))'), 'h.py'));
    assert.equal(hard.layers[0].activation.info.name, 'hardtanh');
    const prelu = only(await analyze(net('nn.PReLU()(self.fc(x))'), 'p.py'));
    assert.deepEqual(prelu.layers[0].activation.info, { name: 'prelu', family: 'relu', alpha: 0.25 });
    const prelu1 = only(await analyze(net('nn.PReLU(init=0.1)(self.fc(x))'), 'p1.py'));
    assert.equal(prelu1.layers[0].activation.info.alpha, 0.1);
  });

  test('a backslash ending a line inside the brackets is no argument: nn.Linear(64, \\ 64) reads both sizes', async () => {
    // It was read as the second argument: fan_out unknown, and a label with a backslash in it.
    const m = only(await analyze(net('torch.relu(self.fc(x))', 'nn.Linear(64, \\\n            64)'), 'bs.py'));
    assert.deepEqual([m.layers[0].label, m.layers[0].fanIn, m.layers[0].fanOut], ['Linear(64, 64)', 64, 64]);
  });

  test('labels show keyword sizes: nn.Linear(in_features=64, out_features=64)', async () => {
    const m = only(await analyze(net('torch.relu(self.fc(x))', 'nn.Linear(in_features=64, out_features=64, bias=False)'), 'k.py'));
    assert.equal(m.layers[0].label, 'Linear(in_features=64, out_features=64)');
  });
});

describe('a Sequential built from layers bound elsewhere', () => {
  test('from a list (`nn.Sequential(*layers)`) or from named layers, at module level or returned: its layers get the activations after them', async () => {
    // The list (or the name) was visited first among the leftovers: its layers were judged one by
    // one, as linear, and a 20-layer ReLU MLP with xavier_uniform_ said nothing.
    const cases = [
      'layers = []\nfor i in range(20):\n    layers += [nn.Linear(256, 256), nn.ReLU()]\nmodel = nn.Sequential(*layers)\n',
      'fc = nn.Linear(256, 256)\nmodel = nn.Sequential(fc, nn.ReLU(), nn.Linear(256, 10))\n',
      'def build():\n    layers = [nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU()]\n    return nn.Sequential(*layers)\n',
    ];
    for (const body of cases) {
      const m = only(await analyze(`import torch.nn as nn\n${body}`, 'seq.py'));
      assert.equal(m.layers[0].activation.info.name, 'relu', body);
    }
  });
});

describe('one Keras layer algebra: the same model gives the same fans in Python, TF.js and JSON', () => {
  // A causal Conv1D (output length = input length), a strided pooling, a channels-first-free
  // Conv2D-less path through Flatten into Dense, a Conv1DTranspose-free tail: every weighted
  // layer's fans depend on the shape algebra before it.
  const python = [
    'from tensorflow import keras',
    'from tensorflow.keras import layers',
    'model = keras.Sequential([',
    '    layers.Conv1D(32, 5, padding="causal", activation="relu", input_shape=(100, 8)),',
    '    layers.MaxPooling1D(pool_size=3, strides=2),',
    '    layers.Conv1D(16, 3, dilation_rate=2, activation="relu"),',
    '    layers.GlobalAveragePooling1D(),',
    '    layers.RepeatVector(4),',
    '    layers.Flatten(),',
    '    layers.Dense(10, activation="softmax"),',
    '])',
  ].join('\n');
  const tfjs = [
    "import * as tf from '@tensorflow/tfjs';",
    'const model = tf.sequential({layers: [',
    "  tf.layers.conv1d({filters: 32, kernelSize: 5, padding: 'causal', activation: 'relu', inputShape: [100, 8]}),",
    '  tf.layers.maxPooling1d({poolSize: 3, strides: 2}),',
    "  tf.layers.conv1d({filters: 16, kernelSize: 3, dilationRate: 2, activation: 'relu'}),",
    '  tf.layers.globalAveragePooling1d(),',
    '  tf.layers.repeatVector({n: 4}),',
    '  tf.layers.flatten(),',
    "  tf.layers.dense({units: 10, activation: 'softmax'}),",
    ']});',
  ].join('\n');
  const layer = (class_name: string, config: Record<string, unknown>) => ({ class_name, config: { name: class_name.toLowerCase(), ...config } });
  const json = JSON.stringify(
    {
      class_name: 'Sequential',
      config: {
        name: 'sequential',
        layers: [
          layer('InputLayer', { batch_input_shape: [null, 100, 8] }),
          layer('Conv1D', { filters: 32, kernel_size: [5], strides: [1], padding: 'causal', dilation_rate: [1], activation: 'relu' }),
          layer('MaxPooling1D', { pool_size: [3], strides: [2], padding: 'valid' }),
          layer('Conv1D', { filters: 16, kernel_size: [3], strides: [1], padding: 'valid', dilation_rate: [2], activation: 'relu' }),
          layer('GlobalAveragePooling1D', {}),
          layer('RepeatVector', { n: 4 }),
          layer('Flatten', {}),
          layer('Dense', { units: 10, activation: 'softmax' }),
        ],
      },
      keras_version: '2.15.0',
    },
    null,
    1,
  );

  test('fans and receptive fields agree across the three front ends', async () => {
    const fans = (m: Model) => m.layers.map((l) => `${l.fanIn}/${l.fanOut}/${l.receptiveField}`);
    // conv1: 5*8 -> 5*32; causal keeps 100, pooling (3, 2) gives 49; conv2: 3*32 -> 3*16 (dilated
    // 2: 49 - 4 = 45 steps); global pooling 16; RepeatVector 4 x 16; Flatten 64; Dense 64 -> 10.
    const expected = ['40/160/5', '96/48/3', '64/10/1'];
    assert.deepEqual(fans(only(await analyze(python, 'drift.py'))), expected, 'Python');
    assert.deepEqual(fans(only(await analyze(tfjs, 'drift.js'))), expected, 'TF.js');
    assert.deepEqual(fans(only(await analyze(json, 'drift.json'))), expected, 'JSON');
  });
});

describe('classes that are not model classes', () => {
  test('a plain class builds its models in any method; a class on an imported base is not run, and the modules it builds are read on their own', async () => {
    const text = [
      'import torch',
      'from torch import nn',
      'from transformers.modeling_layers import GradientCheckpointingLayer',
      '',
      'class Adapter(nn.Module):',
      '    def __init__(self, dim):',
      '        super().__init__()',
      '        self.down = nn.Linear(dim, 64)',
      '        self.up = nn.Linear(64, dim)',
      '    def forward(self, x):',
      '        return self.up(torch.relu(self.down(x)))',
      '',
      'class EncoderLayer(GradientCheckpointingLayer):',
      '    def __init__(self, config):',
      '        super().__init__()',
      '        self.adapter = Adapter(256)',
      '',
      'class Trainer:',
      '    def __init__(self, width=128):',
      '        self.width = width',
      '    def build(self):',
      '        self.net = nn.Sequential(nn.Linear(self.width, self.width), nn.Tanh(), nn.Linear(self.width, 1))',
      '        nn.init.kaiming_normal_(self.net[0].weight)',
    ].join('\n');
    const a = await analyze(text, 'classes.py');
    assert.deepEqual(a.models.map((m) => `${m.name}: ${m.layers.map((l) => `${l.label} ${l.fanIn}`).join(', ')}`).sort(), [
      'Adapter: Linear(dim, 64) undefined, Linear(64, dim) 64',
      'Trainer: Linear(self.width, self.width) 128, Linear(self.width, 1) 128',
    ]);
    assert.deepEqual(a.findings.map((f) => `${f.code} ${f.model}`).sort(), ['IL001 Adapter', 'IL002 Trainer']);
  });
});

describe('conditions on constants: the branch the defaults take', () => {
  test("if/elif on a string or number default builds that branch's layers only; `in`, chains and `is True` too", async () => {
    const text = [
      'import torch.nn as nn',
      '',
      '',
      'class Stem(nn.Module):',
      "    def __init__(self, stem_type='patch', depth=3, kind='overlap_tiered', use_norm=True):",
      '        super().__init__()',
      "        if stem_type == 'patch':",
      '            self.stem = nn.Conv2d(3, 64, 4, stride=4)',
      "        elif stem_type in ('overlap', 'deep'):",
      '            self.stem = nn.Conv2d(3, 32, 7)',
      '        else:',
      '            self.stem = nn.Conv2d(3, 16, 3)',
      "        if 'tiered' in kind and 0 < depth <= 3 and use_norm is True and stem_type != 'deep':",
      '            self.proj = nn.Linear(64, 64)',
      "        if depth > 5 or kind not in ('overlap_tiered',):",
      '            self.extra = nn.Linear(64, 8)',
      '',
      '    def forward(self, x):',
      '        return self.proj(self.stem(x))',
    ].join('\n');
    const m = only(await analyze(text, 'stem.py'));
    // Before, each condition was unknown: every branch ran, and the last one written set self.stem (16 filters).
    assert.deepEqual(
      m.layers.map((l) => l.label),
      ['Conv2d(3, 64, 4)', 'Linear(64, 64)'],
    );
  });

  test('a comparison with None stays unknown (an optional input given or not): both branches run, as before', async () => {
    const text = [
      'import torch.nn as nn',
      '',
      '',
      'class Block(nn.Module):',
      '    def __init__(self):',
      '        super().__init__()',
      '        self.fc = nn.Linear(64, 64)',
      '        self.skip = nn.Linear(64, 64)',
      '',
      '    def forward(self, x, skip=None):',
      '        h = self.fc(x)',
      '        if skip is not None:',
      '            h = h + self.skip(skip)',
      '        return h',
    ].join('\n');
    const m = only(await analyze(text, 'block.py'));
    const skip = m.layers.find((l) => l.label.startsWith('Linear') && l.span.start > text.indexOf('self.skip ='))!;
    assert.equal(skip.input?.kind, 'input', 'the skip branch ran: its layer reads the optional input');
  });
});

describe('an init function initlint cannot see', () => {
  const model = (importLine: string, init: string) =>
    [
      'import torch.nn as nn',
      importLine,
      '',
      '',
      'class Net(nn.Module):',
      '    def __init__(self):',
      '        super().__init__()',
      '        self.fc1 = nn.Linear(64, 64)',
      '        self.act = nn.ReLU()',
      '        self.fc2 = nn.Linear(64, 10)',
      '        self.apply(self._init_weights)',
      '',
      '    def _init_weights(self, m):',
      '        if isinstance(m, nn.Linear):',
      `            ${init}`,
      '',
      '    def forward(self, x):',
      '        return self.fc2(self.act(self.fc1(x)))',
    ].join('\n');

  test("timm's trunc_normal_ on a weight: the initializer is unknown and the layer unjudged, not blamed as PyTorch's default", async () => {
    const a = await analyze(model('from timm.layers import trunc_normal_', 'trunc_normal_(m.weight, std=.02)'), 'net.py');
    assert.deepEqual(a.findings, []);
    const m = only(a);
    assert.deepEqual(
      m.layers.map((l) => [l.init.spec.name, l.init.spec.family]),
      [
        ['trunc_normal_', 'unknown'],
        ['trunc_normal_', 'unknown'],
      ],
    );
    assert.match(explainLayer(m, m.layers[0]).unjudged ?? '', /the variance its initializer \(trunc_normal_\) draws is not known here/);
  });

  test("torch's own trunc_normal_ is still read; a print, a value used or a bias leave the layer's initializer as it was", async () => {
    const torch = await analyze(model('from torch.nn.init import trunc_normal_', 'trunc_normal_(m.weight, std=.02)'), 'net.py');
    assert.deepEqual(
      only(torch).layers.map((l) => l.init.spec.describe),
      ['trunc_normal_(std=0.02)', 'trunc_normal_(std=0.02)'],
    );
    for (const init of ['print(m.weight)', 'logger.info(m.weight)', 'w = scale_(m.weight)', 'my_init_(m.bias)']) {
      const a = await analyze(model('from mylib import scale_, my_init_, logger', init), 'net.py');
      assert.match(only(a).layers[0].init.spec.describe, /PyTorch's default/, init);
      assert.deepEqual(
        a.findings.map((f) => f.code),
        ['IL001'],
        init,
      );
    }
  });
});

describe("transformers models: post_init() draws every Linear and Conv again from the config's initializer_range", () => {
  const file = (imports: string, base: string, postInit = '        self.post_init()') =>
    [
      'from torch import nn',
      imports,
      '',
      '',
      'class Block(nn.Module):',
      '    def __init__(self):',
      '        super().__init__()',
      '        self.fc = nn.Linear(256, 256)',
      '        self.act = nn.ReLU()',
      '        self.out = nn.Linear(256, 256)',
      '',
      '    def forward(self, x):',
      '        return self.out(self.act(self.fc(x)))',
      '',
      '',
      `class Model(${base}):`,
      '    def __init__(self, config):',
      '        super().__init__(config)',
      '        self.block = Block()',
      postInit,
    ].join('\n');

  test('imported from transformers, or inside the library from a modeling_* module: unjudged, and the hover says why', async () => {
    for (const [imports, base] of [
      ['from transformers import PreTrainedModel', 'PreTrainedModel'],
      ['import transformers', 'transformers.PreTrainedModel'],
      ['from transformers.modeling_utils import PreTrainedModel as Base', 'Base'],
      ['from ...modeling_utils import PreTrainedAudioTokenizerBase', 'PreTrainedAudioTokenizerBase'],
      ['from .modeling_esm import EsmPreTrainedModel', 'EsmPreTrainedModel'],
    ]) {
      const a = await analyze(file(imports, base), 'modeling_tiny.py');
      assert.deepEqual(a.findings, [], imports);
      const m = only(a);
      assert.equal(m.layers.length, 2);
      assert.equal(
        explainLayer(m, m.layers[0]).unjudged,
        "the variance its initializer (transformers' _init_weights, normal_(std=config.initializer_range)) draws is not known here",
      );
    }
  });

  test('without post_init(), or with a base that is not transformers', async () => {
    const noPostInit = await analyze(file('from transformers import PreTrainedModel', 'PreTrainedModel', '        pass'), 'modeling_tiny.py');
    assert.deepEqual(
      noPostInit.findings.map((f) => f.code),
      ['IL001'],
    );
    const other = await analyze(file('from mylib.models import PreTrainedModel', 'PreTrainedModel'), 'modeling_tiny.py');
    assert.deepEqual(
      other.findings.map((f) => f.code),
      ['IL001'],
    );
  });
});

describe('the index of enumerate', () => {
  test('over a list known item by item it is the index; over an iterable of unknown length it is unknown, so `if i > 0:` stays undecided', async () => {
    const net = (iterable: string) =>
      [
        'from torch import nn',
        '',
        '',
        'class Net(nn.Module):',
        '    def __init__(self, dims=(16, 32)):',
        '        super().__init__()',
        '        layers = []',
        `        for i, d in enumerate(${iterable}):`,
        '            if i > 0:',
        '                layers.append(nn.Linear(d, d))',
        '            layers.append(nn.Linear(8, d))',
        '        self.body = nn.Sequential(*layers)',
        '',
        '    def forward(self, x):',
        '        return self.body(x)',
      ].join('\n');
    const known = only(await analyze(net('dims'), 'known.py'));
    assert.deepEqual(
      known.layers.map((l) => l.label),
      ['Linear(8, d)', 'Linear(d, d)', 'Linear(8, d)'],
    );
    // sorted(...) is not read: one pass stands for every item, and the branch for i > 0 is kept.
    const unknown = only(await analyze(net('sorted(dims)'), 'unknown.py'));
    assert.deepEqual(
      unknown.layers.map((l) => l.label),
      ['Linear(d, d)', 'Linear(8, d)'],
    );
  });
});

describe('models that factory functions return', () => {
  test("the model a factory returns is read, with the block class it is given: the block is judged under the model's init", async () => {
    const a = await analyze(readFixture('pytorch/factory_functions.py'), 'factory_functions.py');
    // No BasicBlock or DenseBlock read on its own: each is read inside the model that builds it.
    assert.deepEqual(
      a.models.map((m) => `${m.name}:${m.layers.length}`),
      ['ResNet:18', 'Tower:4'],
    );
    const [finding] = a.findings;
    assert.equal(a.findings.length, 1);
    assert.equal(finding.model, 'Tower');
    assert.match(finding.message, /^relu-init-mismatch: xavier_uniform_\(gain=1\) under relu keeps 0\.50 of the variance per layer/);
  });

  test('a helper that a class calls is read inside that class, not before it on its own', async () => {
    const a = await analyze(
      [
        'from torch import nn',
        '',
        '',
        'def feed_forward(d, hidden):',
        '    return nn.Sequential(nn.Linear(d, hidden), nn.ReLU(), nn.Linear(hidden, d))',
        '',
        '',
        'class EncoderLayer(nn.Module):',
        '    def __init__(self, d=64):',
        '        super().__init__()',
        '        self.attn = nn.Linear(d, 3 * d)',
        '        self.ffn = feed_forward(d, 4 * d)',
        '',
        '    def forward(self, x):',
        '        return self.ffn(self.attn(x)[..., :64])',
      ].join('\n'),
      'encoder.py',
    );
    assert.deepEqual(
      a.models.map((m) => `${m.name}:${m.layers.length}`),
      ['EncoderLayer:3'],
    );
  });
});

describe('a block passed to a model built where initlint cannot follow', () => {
  const models = (a: Analysis) => a.models.map((m) => `${m.name}{${m.layers.map((l) => l.init.spec.name).join(',')}}`);

  test('read on its own, it takes the init of the model whose parameter it fills; a block passed to none keeps its own', async () => {
    const a = await analyze(readFixture('pytorch/passed_blocks.py'), 'passed_blocks.py');
    // ConvBlock, Backbone's default, is read inside Backbone; MlpBlock, passed as block_cls= to a
    // builder initlint cannot read, takes Backbone's _init_weights; Adapter keeps PyTorch's default.
    assert.deepEqual(models(a), [
      'MlpBlock{kaiming_normal_,kaiming_normal_}',
      `Backbone{${Array(8).fill('kaiming_normal_').join(',')},kaiming_normal_}`,
      'Adapter{kaiming_uniform_(a=sqrt(5)),kaiming_uniform_(a=sqrt(5))}',
    ]);
    assert.deepEqual(
      a.findings.map((f) => `${f.model} ${f.code}`),
      ['Adapter IL001'],
    );
  });

  test('two model classes that could take it: neither init is applied', async () => {
    const text = readFixture('pytorch/passed_blocks.py').replace(
      'class Adapter(nn.Module):',
      [
        'class Tower(nn.Module):',
        '    def __init__(self, block_cls=None, dim=64):',
        '        super().__init__()',
        '        self.body = block_cls(dim)',
        '        for m in self.modules():',
        '            if isinstance(m, nn.Linear):',
        '                nn.init.xavier_uniform_(m.weight)',
        '',
        '    def forward(self, x):',
        '        return self.body(x)',
        '',
        '',
        'class Adapter(nn.Module):',
      ].join('\n'),
    );
    const a = await analyze(text, 'two_owners.py');
    assert.equal(models(a)[0], 'MlpBlock{kaiming_uniform_(a=sqrt(5)),kaiming_uniform_(a=sqrt(5))}');
    // With Backbone gone, Tower's loop (`for m in self.modules():`) is the one owner, and draws MlpBlock's layers.
    const one = await analyze(text.replace('block_cls=ConvBlock, depth=4', 'block=ConvBlock, depth=4'), 'tower_only.py');
    assert.equal(
      models(one).find((m) => m.startsWith('MlpBlock')),
      'MlpBlock{xavier_uniform_,xavier_uniform_}',
    );
  });
});

describe('model classes on classes of the same file', () => {
  test('a subclass of a local nn.Module base is a model class, and super() runs the base’s __init__ and forward on it', async () => {
    const a = await analyze(readFixture('pytorch/local_bases.py'), 'local_bases.py');
    assert.deepEqual(
      a.models.map((m) => `${m.name}{${m.layers.map((l) => l.init.spec.name).join(',')}}`),
      [
        'MnistModel{kaiming_uniform_(a=sqrt(5)),kaiming_uniform_(a=sqrt(5)),kaiming_uniform_(a=sqrt(5))}',
        'Encoder{kaiming_normal_}',
        // super(Classifier, self).__init__(width) built fc on the subclass, which draws it again.
        'Classifier{xavier_uniform_,kaiming_uniform_(a=sqrt(5))}',
      ],
    );
    const classifier = a.models[2];
    assert.deepEqual(
      classifier.layers.map((l) => l.label),
      ['Linear(784, width)', 'Linear(width, classes)'],
    );
    // super().forward(x) applied the base's fc and ReLU before the head.
    assert.equal(classifier.layers[0].activation.info.name, 'relu');
    assert.deepEqual(
      a.findings.map((f) => `${f.model} ${f.code}`),
      ['MnistModel IL001', 'MnistModel IL001', 'Classifier IL001'],
    );
  });

  test('a Keras model on a local keras.Model base inherits its call', async () => {
    const a = await analyze(
      [
        'from tensorflow import keras',
        '',
        '',
        'class Base(keras.Model):',
        '    def call(self, x):',
        '        return self.out(self.hidden(x))',
        '',
        '',
        'class Net(Base):',
        '    def __init__(self):',
        '        super().__init__()',
        "        self.hidden = keras.layers.Dense(256, activation='relu', kernel_initializer='lecun_normal')",
        '        self.out = keras.layers.Dense(10)',
      ].join('\n'),
      'keras_base.py',
    );
    assert.deepEqual(
      only(a).layers.map((l) => `${l.label} ${l.activation.info.name}`),
      ['Dense(256) relu', 'Dense(10) linear'],
    );
    assert.deepEqual(
      a.findings.map((f) => f.code),
      ['IL001'],
    );
  });
});

describe('modules registered by name, counted with len(), walked with zip(), and Lightning modules', () => {
  test('each layer is read in its model, with the sizes its arguments give', async () => {
    const a = await analyze(readFixture('pytorch/dynamic_modules.py'), 'dynamic_modules.py');
    const read = (name: string) => a.models.find((m) => m.name === name)!.layers.map((l) => `${l.fanIn}->${l.fanOut} ${l.activation.info.name}`);
    // add_module on an nn.Sequential, in a loop over range(len(sizes) - 1).
    assert.deepEqual(read('RegisteredMLP'), ['784->256 relu', '256->256 relu', '256->10 linear']);
    // setattr(self, f'head_{task}', ...) and add_module('norm', ...): forward finds both heads and the norm.
    assert.deepEqual(read('NamedHeads'), ['64->128 relu', '128->1 linear', '128->1 linear']);
    // zip(self.downs, self.acts): each conv under its tanh.
    assert.deepEqual(read('Stages'), ['27->288 tanh', '288->576 tanh', '576->1152 tanh']);
    // save_hyperparameters(): self.hparams.hidden_dim is __init__'s hidden_dim.
    assert.deepEqual(read('LitClassifier'), ['784->128 relu', '128->10 linear']);
    // nn.ModuleDict from a dict and from pairs, walked with .items().
    assert.deepEqual(read('TaskHeads'), ['784->256 relu', '256->256 relu', '256->10 linear', '256->2 linear']);
    // zip(channels[:-1], channels[1:]) bound to a name first; self.ups[:-1] and self.ups[-1] in forward.
    // A transposed convolution's fans are PyTorch's: fan_in = out_channels x kernel area.
    assert.deepEqual(read('PyramidDecoder'), ['512->1024 relu', '256->512 relu', '128->256 relu', '32->1 sigmoid']);
    assert.deepEqual(
      a.models.map((m) => m.name),
      ['RegisteredMLP', 'NamedHeads', 'Stages', 'TaskHeads', 'PyramidDecoder', 'LitClassifier'],
    );
  });

  test("nn.Sequential's append and extend (torch 1.11 and later) grow the container", async () => {
    const a = await analyze(
      [
        'from torch import nn',
        '',
        '',
        'class Net(nn.Module):',
        '    def __init__(self, width=64):',
        '        super().__init__()',
        '        self.net = nn.Sequential()',
        '        self.net.append(nn.Linear(width, width))',
        '        self.net.append(nn.ReLU())',
        '        self.net.extend([nn.Linear(width, 10), nn.Tanh()])',
        '',
        '    def forward(self, x):',
        '        return self.net(x)',
      ].join('\n'),
      'appended_sequential.py',
    );
    assert.deepEqual(
      only(a).layers.map((l) => `${l.fanIn}->${l.fanOut} ${l.activation.info.name}`),
      ['64->64 relu', '64->10 tanh'],
    );
  });

  test('an f-string with a format spec, or a float, is not a constant: the attribute is kept under a key no read finds', async () => {
    const net = (name: string) =>
      [
        'from torch import nn',
        '',
        '',
        'class Net(nn.Module):',
        '    def __init__(self, n=2):',
        '        super().__init__()',
        '        for i in range(n):',
        `            setattr(self, ${name}, nn.Linear(16, 16))`,
        '',
        '    def forward(self, x):',
        '        return self.fc1(getattr(self, "fc0")(x))',
      ].join('\n');
    const plain = only(await analyze(net("f'fc{i}'"), 'plain.py'));
    // fc0 feeds fc1: one chain.
    assert.deepEqual(
      plain.layers.map((l) => (l.input?.kind === 'layer' ? 'from layer' : 'from input')),
      ['from input', 'from layer'],
    );
    for (const name of ["f'fc{i:d}'", "f'fc{i * 1.0}'"]) {
      const kept = only(await analyze(net(name), 'spec.py'));
      // Both layers are still read (as leftovers, each from its own input).
      assert.deepEqual(
        kept.layers.map((l) => (l.input?.kind === 'layer' ? 'from layer' : 'from input')),
        ['from input', 'from input'],
        name,
      );
    }
  });
});

describe('slices, as Python takes them', () => {
  // Python's own answers for d = (10, 20, 30, 40, 50).
  const cases: Array<[string, number[]]> = [
    ['[::-1]', [50, 40, 30, 20, 10]],
    ['[1:-1]', [20, 30, 40]],
    ['[-2:]', [40, 50]],
    ['[::2]', [10, 30, 50]],
    ['[3:1:-1]', [40, 30]],
    ['[:-10]', []],
    ['[10:]', []],
    ['[-10:2]', [10, 20]],
    ['[-1:-6:-2]', [50, 30, 10]],
  ];
  for (const [slice, widths] of cases) {
    test(`dims${slice}, of a constant and of a list of layers`, async () => {
      const net = (body: string) =>
        [
          'from torch import nn',
          '',
          '',
          'class Net(nn.Module):',
          '    def __init__(self, dims=(10, 20, 30, 40, 50)):',
          '        super().__init__()',
          body,
          '',
          '    def forward(self, x):',
          '        return self.body(x)',
        ].join('\n');
      const fans = async (body: string) => {
        const a = await analyze(net(body), 'slices.py');
        return a.models.flatMap((m) => m.layers.map((l) => l.fanIn));
      };
      assert.deepEqual(await fans(`        self.body = nn.Sequential(*[nn.Linear(d, 1) for d in dims${slice}])`), widths);
      const all = `nn.ModuleList([nn.Linear(d, 1) for d in dims])`;
      assert.deepEqual(await fans(`        self.body = nn.Sequential(*${all}${slice})`), widths);
    });
  }
});

describe('values the interpreter must not guess', () => {
  const torchNet = (init: string[], forward: string[], params = '') =>
    [
      'from torch import nn',
      'import torch.nn.functional as F',
      '',
      '',
      'class Net(nn.Module):',
      `    def __init__(self${params}):`,
      '        super().__init__()',
      ...init.map((l) => `        ${l}`),
      '',
      '    def forward(self, x):',
      ...forward.map((l) => `        ${l}`),
    ].join('\n');
  const read = (a: Analysis) => only(a).layers.map((l) => `${l.fanIn}->${l.fanOut} ${l.activation.info.name}`);

  test('a conditional expression bound to a name takes the branch its condition decides', async () => {
    const a = await analyze(
      torchNet(
        [
          'layers = []',
          'for i, d in enumerate(dims):',
          '    cin = 3 if i == 0 else dims[i - 1]',
          '    layers.append(nn.Conv2d(cin, d, 1))',
          'self.body = nn.Sequential(*layers)',
        ],
        ['return self.body(x)'],
        ', dims=(32, 64)',
      ),
      'cond.py',
    );
    assert.deepEqual(read(a), ['3->32 linear', '32->64 linear']);
  });

  test('a list built over an iterable of unknown length has no known len(): a condition on it stays undecided', async () => {
    const a = await analyze(
      torchNet(
        ['self.layers = nn.ModuleList([nn.Linear(64, 64) for _ in range(n)])'],
        ['for i, layer in enumerate(self.layers):', '    x = layer(x)', '    if i < len(self.layers) - 1:', '        x = F.relu(x)', 'return x'],
      ),
      'unknown_len.py',
    );
    // Both branches of the undecided `if` run: the ReLU is applied.
    assert.deepEqual(read(a), ['64->64 relu']);
  });

  test('enumerate(x, start) counts from start', async () => {
    const a = await analyze(
      torchNet(
        [
          'layers = []',
          'for i, d in enumerate(dims, 1):',
          '    layers.append(nn.Linear(d, d))',
          '    if i < len(dims):',
          '        layers.append(nn.ReLU())',
          'self.body = nn.Sequential(*layers)',
        ],
        ['return self.body(x)'],
        ', dims=(8, 16, 32)',
      ),
      'enumerate_start.py',
    );
    assert.deepEqual(read(a), ['8->8 relu', '16->16 relu', '32->32 linear']);
  });

  test('an nn.ModuleDict filled by key in a loop is known entry by entry; one changed by update() is not', async () => {
    const init = ['self.trunk = nn.Linear(64, 256)', 'self.heads = nn.ModuleDict()', "for t in ('a', 'b'):", '    self.heads[t] = nn.Linear(256, 10)'];
    const forward = ['h = self.trunk(x)', 'out = {}', 'for k, head in self.heads.items():', '    out[k] = head(F.relu(h))', 'return out'];
    assert.deepEqual(read(await analyze(torchNet(init, forward), 'heads.py')), ['64->256 relu', '256->10 linear', '256->10 linear']);
    const updated = await analyze(torchNet([...init, "self.heads.update({'c': nn.Linear(256, 2)})"], forward), 'updated.py');
    // One pass for an unknown head: the ReLU after the trunk is still applied.
    assert.equal(read(updated)[0], '64->256 relu');
  });

  test('zip with a starred argument (zip(a, *rest)) is not known column by column', async () => {
    const a = await analyze(
      torchNet(
        ['self.fcs = nn.ModuleList([nn.Linear(16, 16), nn.Linear(16, 16)])'],
        ['for fc, scale in zip(self.fcs, *[(1, 2)]):', '    x = F.relu(fc(x))', 'return x'],
      ),
      'zip_splat.py',
    );
    // One pass for an unknown item: neither layer is taken for the item it stands for.
    assert.deepEqual(read(a), ['16->16 linear', '16->16 linear']);
  });

  test('an nn.Sequential applied in slices is applied once, not again as a leftover', async () => {
    const a = await analyze(
      torchNet(
        ['self.features = nn.Sequential(nn.Linear(32, 64), nn.ReLU(), nn.Linear(64, 64), nn.Tanh())'],
        ['x = self.features[:2](x)', 'return self.features[2:](x)'],
      ),
      'sliced.py',
    );
    assert.deepEqual(read(a), ['32->64 relu', '64->64 tanh']);
  });

  test('classes whose bases form a cycle (broken code) end the lint', async () => {
    const a = (await getLinter()).analyze(
      [
        'from torch import nn',
        '',
        'class A(B, C):',
        '    pass',
        '',
        'class B(C, A):',
        '    pass',
        '',
        'class C(A, B):',
        '    def forward(self, x):',
        '        return x',
      ].join('\n'),
      'cycle.py',
    );
    assert.deepEqual(a.models, []);
  });
});

describe('Keras layers that make their sublayers in build()', () => {
  test('build(input_shape) runs after __init__: its layers are the instance’s, read in call()', async () => {
    const a = await analyze(
      [
        'from tensorflow import keras',
        'from tensorflow.keras import layers',
        '',
        '',
        'class ResidualDense(layers.Layer):',
        '    def __init__(self, units=64, **kwargs):',
        '        super().__init__(**kwargs)',
        '        self.units = units',
        '',
        '    def build(self, input_shape):',
        "        self.d1 = layers.Dense(self.units, activation='relu', kernel_initializer='glorot_uniform')",
        '        self.d2 = layers.Dense(self.units)',
        '        super().build(input_shape)',
        '',
        '    def call(self, x):',
        '        return x + self.d2(self.d1(x))',
      ].join('\n'),
      'build_layer.py',
    );
    // self.units is __init__'s default; the first layer's input size is the input's, not known here.
    assert.deepEqual(
      only(a).layers.map((l) => `${l.label} ${l.fanIn}->${l.fanOut} ${l.activation.info.name}`),
      ['Dense(self.units) undefined->64 relu', 'Dense(self.units) 64->64 linear'],
    );
  });
});

describe("a normalization at the model's output", () => {
  const net = (ret: string) =>
    [
      'from torch import nn',
      'import torch.nn.functional as F',
      '',
      '',
      'class Encoder(nn.Module):',
      '    def __init__(self, width=256):',
      '        super().__init__()',
      '        self.fc = nn.Linear(784, width)',
      '        self.norm = nn.LayerNorm(width)',
      '',
      '    def forward(self, x):',
      '        h = F.relu(self.fc(x))',
      `        return ${ret}`,
    ].join('\n');

  test('removes the scale of the layer before it, as one before another layer does (rules.md v2, Normalization)', async () => {
    const a = await analyze(net('self.norm(h)'), 'normed_output.py');
    assert.deepEqual(a.findings, []);
    assert.equal(
      passReason(only(a), only(a).layers[0], { normalizationAware: true, severityByImpact: false }),
      'exempt: a normalization after it removes its scale',
    );
  });

  test('in a Keras functional model too: keras.Model(inputs, outputs) records its outputs', async () => {
    const model = (out: string) =>
      [
        'from tensorflow import keras',
        'from tensorflow.keras import layers',
        '',
        'inputs = keras.Input(shape=(784,))',
        "x = layers.Dense(256, activation='relu', kernel_initializer='glorot_uniform')(inputs)",
        `outputs = ${out}`,
        'encoder = keras.Model(inputs, outputs)',
      ].join('\n');
    assert.deepEqual((await analyze(model('layers.LayerNormalization()(x)'), 'normed.py')).findings, []);
    assert.deepEqual(
      (await analyze(model('[x, layers.LayerNormalization()(x)]'), 'both.py')).findings.map((f) => f.code),
      ['IL001'],
    );
  });

  test('not where the raw output leaves the model too, or where nothing normalizes it', async () => {
    for (const ret of ['h, self.norm(h)', 'h']) {
      const a = await analyze(net(ret), 'raw_output.py');
      assert.deepEqual(
        a.findings.map((f) => f.code),
        ['IL001'],
        ret,
      );
    }
  });
});

describe('spectral_norm and weight_norm around a layer', () => {
  test('a spectrally normalized layer is read but not judged, whatever draws it later; weight_norm keeps the init it wraps', async () => {
    const text = readFixture('pytorch/gan_norms.py');
    const a = await analyze(text, 'gan_norms.py');
    const inits = (name: string) => a.models.find((m) => m.name === name)!.layers.map((l) => l.init.spec.name);
    assert.deepEqual(inits('Discriminator'), Array(4).fill('spectral_norm (the kernel divided by its largest singular value)'));
    assert.deepEqual(inits('Critic'), ['kaiming_uniform_(a=sqrt(5))', 'kaiming_uniform_(a=sqrt(5))']);
    // The premise: without spectral_norm, N(0, 0.02²) on the 48-input first conv is a finding.
    const bare = await analyze(text.replace(/(?:nn\.utils\.)?spectral_norm\(/g, '('), 'bare.py');
    assert.ok(bare.findings.some((f) => f.model === 'Discriminator'));
  });
});

describe("a layer's size attributes", () => {
  test("init._calculate_fan_in_and_fan_out and _calculate_correct_fan give the layer's fans (a reset_parameters after PyTorch's own)", async () => {
    const a = await analyze(
      [
        'import math',
        'from torch import nn',
        'from torch.nn import init',
        '',
        '',
        'class Net(nn.Module):',
        '    def __init__(self):',
        '        super().__init__()',
        '        self.fc = nn.Linear(256, 64)',
        '        self.conv = nn.ConvTranspose2d(8, 4, 3)',
        '        fan_in, _ = init._calculate_fan_in_and_fan_out(self.fc.weight)',
        '        bound = 1 / math.sqrt(fan_in)',
        '        init.uniform_(self.fc.weight, -bound, bound)',
        "        std = 1 / math.sqrt(init._calculate_correct_fan(self.conv.weight, 'fan_out'))",
        '        init.normal_(self.conv.weight, std=std)',
        '',
        '    def forward(self, x):',
        '        return self.conv(self.fc(x).view(-1, 8, 2, 4))',
      ].join('\n'),
      'fans.py',
    );
    // ConvTranspose2d(8, 4, 3): PyTorch's fan_out is in_channels x 9 = 72.
    assert.deepEqual(
      only(a).layers.map((l) => l.init.spec.describe),
      ['uniform_(-0.0625, 0.0625)', `normal_(std=${+(1 / Math.sqrt(72)).toPrecision(4)})`],
    );
  });

  test("the classic init loop reads m.kernel_size and m.out_channels: He's fan_out std per layer", async () => {
    const a = await analyze(
      [
        'import math',
        'from torch import nn',
        '',
        '',
        'class Net(nn.Module):',
        '    def __init__(self, width=64):',
        '        super().__init__()',
        '        self.conv1 = nn.Conv2d(3, width, kernel_size=3, padding=1, bias=False)',
        '        self.bn1 = nn.BatchNorm2d(width)',
        '        self.conv2 = nn.Conv2d(width, 2 * width, (3, 5), stride=2, groups=2, bias=False)',
        '        self.fc = nn.Linear(2 * width, 10)',
        '        for m in self.modules():',
        '            if isinstance(m, nn.Conv2d):',
        '                n = m.kernel_size[0] * m.kernel_size[1] * m.out_channels // m.groups',
        '                m.weight.data.normal_(0, math.sqrt(2. / n))',
        '            elif isinstance(m, nn.Linear):',
        '                nn.init.normal_(m.weight, std=1 / math.sqrt(m.in_features))',
        '',
        '    def forward(self, x):',
        '        x = self.conv2(nn.functional.relu(self.bn1(self.conv1(x))))',
        '        return self.fc(x.mean((2, 3)))',
      ].join('\n'),
      'init_loop.py',
    );
    assert.deepEqual(
      only(a).layers.map((l) => l.init.spec.describe),
      [
        `normal_(std=${+Math.sqrt(2 / 576).toPrecision(4)})`,
        `normal_(std=${+Math.sqrt(2 / 960).toPrecision(4)})`,
        `normal_(std=${+(1 / Math.sqrt(128)).toPrecision(4)})`,
      ],
    );
  });
});

describe("what leaves a model, Keras's build, and sizes read as a layer was made", () => {
  test('sizes are read as the layer was made, not from the loop variable as it is later', async () => {
    const a = await analyze(
      [
        'import math',
        'from torch import nn',
        '',
        '',
        'class VGGish(nn.Module):',
        '    def __init__(self, widths=(64, 128), groups=None):',
        '        super().__init__()',
        '        layers, ch = [], 3',
        '        for out in widths:',
        '            layers += [nn.Conv2d(ch, out, 3, padding=1), nn.ReLU()]',
        '            ch = out',
        '        layers.append(nn.Conv2d(ch, ch, 1, groups=groups))',
        '        self.features = nn.Sequential(*layers)',
        '        for m in self.modules():',
        '            if isinstance(m, nn.Conv2d):',
        '                n = m.kernel_size[0] * m.kernel_size[1] * m.out_channels // m.groups',
        '                m.weight.data.normal_(0, math.sqrt(2. / n) + m.padding[0])',
        '',
        '    def forward(self, x):',
        '        return self.features(x)',
      ].join('\n'),
      'vggish.py',
    );
    assert.deepEqual(
      only(a).layers.map((l) => l.init.spec.describe),
      // padding=1 adds 1 to the std (a test of m.padding); the last conv's groups is not known.
      [`normal_(std=${+(Math.sqrt(2 / 576) + 1).toPrecision(4)})`, `normal_(std=${+(Math.sqrt(2 / 1152) + 1).toPrecision(4)})`, 'normal_'],
    );
  });

  test("a layer's raw output returned beside its normalization, or taken by an operation initlint cannot see, keeps it judged", async () => {
    const net = (forward: string[], act = '') =>
      [
        'import torch',
        'from torch import nn',
        '',
        '',
        'class Net(nn.Module):',
        '    def __init__(self):',
        '        super().__init__()',
        '        self.fc = nn.Linear(256, 256)',
        '        nn.init.normal_(self.fc.weight, std=0.001)',
        '        self.norm = nn.LayerNorm(256)',
        '        self.head = nn.Linear(256, 10)',
        '',
        '    def forward(self, x):',
        `        h = ${act ? `${act}(self.fc(x))` : 'self.fc(x)'}`,
        ...forward.map((l) => `        ${l}`),
      ].join('\n');
    const codes = async (text: string) => (await analyze(text, 'outputs.py')).findings.map((f) => f.code);
    assert.deepEqual(await codes(net(['return self.head(self.norm(h))'])), []);
    assert.deepEqual(await codes(net(['return h, self.head(self.norm(h))'])), ['IL004']);
    assert.deepEqual(await codes(net(['return self.head(self.norm(h)), h.mean(1)'], 'torch.relu')), ['IL004']);
    assert.deepEqual(await codes(net(['return self.head(self.norm(h)), torch.special.logit(h)'], 'torch.relu')), ['IL004']);
  });

  test('a Sequential a function returns records its output: a normalization at its end exempts the layer before it', async () => {
    const a = await analyze(
      ['from torch import nn', '', '', 'def encoder():', '    return nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.LayerNorm(256))'].join('\n'),
      'encoder.py',
    );
    assert.deepEqual(a.findings, []);
  });

  test("Keras's build runs once, for layers and models only", async () => {
    const keras = (body: string[]) => ['from tensorflow import keras', 'from tensorflow.keras import layers', '', '', ...body].join('\n');
    const twice = await analyze(
      keras([
        'class Net(keras.Model):',
        '    def __init__(self):',
        '        super().__init__()',
        '        self.blocks = []',
        '        self.build((None, 32))',
        '',
        '    def build(self, input_shape):',
        "        self.blocks.append(layers.Dense(64, activation='relu'))",
        '',
        '    def call(self, x):',
        '        for b in self.blocks:',
        '            x = b(x)',
        '        return x',
      ]),
      'build_once.py',
    );
    assert.equal(only(twice).layers.length, 1);
    const plain = await analyze(
      keras([
        'class Agent:',
        '    def __init__(self, n=8):',
        '        self.n = n',
        '',
        '    def build(self, hidden=24):',
        "        return keras.Sequential([layers.Dense(hidden, activation='relu', input_shape=(self.n,)), layers.Dense(2)])",
      ]),
      'agent.py',
    );
    assert.deepEqual(
      plain.models.flatMap((m) => m.layers.map((l) => `${l.fanIn}->${l.fanOut}`)),
      ['8->24', '24->2'],
    );
  });
});
