/**
 * The data-flow graph the rules walk (graph.ts, propagation.ts): paths follow tensors, not source
 * order; a layer applied repeatedly is one node; merges and normalizations shape the numbers as
 * rules.md v2 says.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { getLinter, readFixture, torchModule } from './helpers';
import { propagate } from '../../src/engine/propagation';
import { ModelContext } from '../../src/engine/rules';
import type { Layer, Model } from '../../src/engine/ir';
import { resolveInitializer } from '../../src/engine/initializers';
import { activationInfo } from '../../src/engine/activations';

async function modelOf(file: string, name: string): Promise<Model> {
  const linter = await getLinter();
  const m = linter.analyze(readFixture(file), file).models.find((x) => x.name === name);
  assert.ok(m, `${name} in ${file}`);
  return m;
}

describe('data flow', () => {
  test('two parallel towers are two paths of five layers, not one chain of eleven; the merge ends both', async () => {
    const p = propagate(await modelOf('keras/branches.py', 'two_towers'));
    assert.equal(p.graph.layers.length, 11);
    assert.deepEqual(
      p.paths().map((path) => path.length),
      [5, 5, 1],
    );
    // The concatenation averages the towers' second moments: each hands on 0.5^5 of 1.
    const head = p.graph.layers[10];
    assert.ok(Math.abs(p.numbers.get(head)!.muIn - 0.5 ** 5) < 1e-12);
  });

  test('a Linear applied at every time step is one node; the recurrence adds no edge to itself', async () => {
    const p = propagate(await modelOf('pytorch/recurrent.py', 'CharRNN'));
    assert.deepEqual(
      p.graph.layers.map((l) => l.label),
      ['Linear(vocab, hidden)', 'Linear(hidden, hidden)', 'Linear(hidden, vocab)'],
    );
    for (const l of p.graph.layers) assert.ok(p.graph.producers.get(l)!.every((e) => e.from !== l));
  });

  test('a residual add sums second moments, and its branch end is recognised', async () => {
    const model = await modelOf('pytorch/branch_ends.py', 'Block');
    const p = propagate(model);
    const [fc, proj, out] = p.graph.layers;
    const ctx = new ModelContext(model, { normalizationAware: true, severityByImpact: false });
    assert.ok(ctx.isBranchEnd(proj));
    assert.ok(!ctx.isBranchEnd(fc));
    // out reads x + proj(...): the input (1) plus what proj hands on.
    assert.ok(Math.abs(p.numbers.get(out)!.muIn - (1 + p.numbers.get(proj)!.muOut!)) < 1e-12);
  });

  test('tensor functions that combine tensors are merges: torch.cat, torch.add, tf.concat, jnp.concatenate', async () => {
    const linter = await getLinter();
    const cases: Array<[string, string, string]> = [
      [
        'cat.py',
        [
          'import torch',
          'from torch import nn',
          'class UNetTail(nn.Module):',
          '    def __init__(self):',
          '        super().__init__()',
          '        self.a = nn.Linear(64, 64)',
          '        self.b = nn.Linear(64, 32)',
          '        self.head = nn.Linear(96, 10)',
          '    def forward(self, x):',
          '        skip = torch.relu(self.a(x))',
          '        y = torch.cat([skip, torch.relu(self.b(skip))], dim=-1)',
          '        return self.head(torch.add(y, y))',
        ].join('\n'),
        'add(concat(a, b), concat(a, b))',
      ],
      [
        'concat.py',
        [
          'import tensorflow as tf',
          'from tensorflow import keras',
          'inp = keras.Input(shape=(64,))',
          'a = keras.layers.Dense(64, activation="relu")(inp)',
          'b = keras.layers.Dense(32, activation="relu")(inp)',
          'out = keras.layers.Dense(10)(tf.concat([a, b], axis=-1))',
          'model = keras.Model(inp, out)',
        ].join('\n'),
        'concat(a, b)',
      ],
      [
        'jnp.py',
        [
          'import jax.numpy as jnp',
          'import flax.linen as nn',
          'class Head(nn.Module):',
          '    @nn.compact',
          '    def __call__(self, x):',
          '        a = nn.relu(nn.Dense(64)(x))',
          '        b = nn.relu(nn.Dense(32)(x))',
          '        return nn.Dense(10)(jnp.concatenate([a, b], axis=-1))',
        ].join('\n'),
        'concat(a, b)',
      ],
    ];
    const show = (f: import('../../src/engine/ir').Flow | undefined, names: Map<Layer, string>): string => {
      if (!f) return '?';
      if (f.kind === 'layer') return names.get(f.layer) ?? '?';
      if (f.kind === 'merge') return `${f.op}(${f.from.map((x) => show(x, names)).join(', ')})`;
      return f.kind;
    };
    for (const [file, text, expected] of cases) {
      const [m] = linter.analyze(text, file).models;
      assert.ok(m, file);
      const names = new Map(m.layers.map((l, i) => [l, 'ab'[i] ?? 'head']));
      assert.equal(show(m.layers.at(-1)!.input, names), expected, file);
    }
  });

  test('a normalization of an output that also reaches a sum unnormalized does not make the layer normalized', async () => {
    const linter = await getLinter();
    const net = (forward: string[]) =>
      torchModule({
        init: ['self.inp = nn.Linear(32, 256)', 'self.ln = nn.LayerNorm(256)', 'self.fc = nn.Linear(256, 256)'],
        forward,
        name: 'PreNorm',
      });
    const inp = (text: string) => linter.analyze(text, 'prenorm.py').models[0].layers[0];
    // The skip reads the raw projection: its scale matters.
    assert.equal(inp(net(['h = self.inp(x)', 'return h + self.fc(self.ln(h))'])).normalized, false);
    assert.equal(inp(net(['h = self.inp(x)', 'y = self.fc(self.ln(h))', 'return h + y'])).normalized, false);
    // Only the normalized output goes on.
    assert.equal(inp(net(['h = self.ln(self.inp(x))', 'return h + self.fc(h)'])).normalized, true);
  });

  test('LoRA: B is a zero branch end (no IL003); a zero hidden layer feeding the next one is', async () => {
    const linter = await getLinter();
    const findings = linter.lint(readFixture('pytorch/branch_ends.py'), 'branch_ends.py');
    assert.deepEqual(
      findings.map((f) => `${f.model} ${f.code} ${f.severity}`),
      ['Broken IL003 warning'],
    );
  });

  test('without recorded data flow, layers are read as a chain in source order, normalizations resetting it', () => {
    const layer = (label: string, normalizedBefore = false): Layer => ({
      kind: 'dense',
      label,
      span: { start: 0, end: 0 },
      fanIn: 64,
      fanOut: 64,
      receptiveField: 1,
      init: { spec: resolveInitializer('keras', 'lecun_normal')!, explicit: true, shared: false },
      activation: { info: activationInfo('relu') },
      normalized: false,
      normalizedBefore,
      rewrite: () => undefined,
    });
    const layers = [layer('a'), layer('b'), layer('c', true), layer('d')];
    const p = propagate({ name: 'm', framework: 'keras', span: { start: 0, end: 0 }, layers });
    assert.deepEqual(
      p.paths().map((path) => path.map((l) => l.label).join('')),
      ['ab', 'cd'],
    );
    assert.equal(p.numbers.get(layers[1])!.muIn, 0.5);
    assert.equal(p.numbers.get(layers[2])!.muIn, 1);
  });

  test("PyTorch's default bias counts in q: Var(b) = 1/(3 fan_in); bias=False and zeros_(bias) remove it", async () => {
    const linter = await getLinter();
    const text = torchModule({
      init: ['self.a = nn.Linear(256, 256)', 'self.b = nn.Linear(256, 256, bias=False)', 'self.c = nn.Linear(256, 10)', 'nn.init.zeros_(self.c.bias)'],
      forward: ['return self.c(torch.relu(self.b(torch.relu(self.a(x)))))'],
    });
    const model = linter.analyze(text, 'net.py').models[0];
    const p = propagate(model);
    const [a, b, c] = p.graph.layers;
    assert.equal(a.biasVariance, 1 / 768);
    assert.equal(b.biasVariance, undefined);
    assert.equal(c.biasVariance, 0);
    // q = sigma^2 mu + Var(b): the default kernel is sigma^2 = 1/3.
    assert.ok(Math.abs(p.numbers.get(a)!.q! - (1 / 3 + 1 / 768)) < 1e-12);
    assert.ok(Math.abs(p.numbers.get(b)!.q! - p.numbers.get(b)!.muIn / 3) < 1e-12);
  });

  test('a concatenation averages its parts by width', async () => {
    const linter = await getLinter();
    const text = [
      'from tensorflow import keras',
      'from tensorflow.keras import layers',
      'inputs = keras.Input(shape=(64,))',
      'a = layers.Dense(192, kernel_initializer="lecun_normal")(inputs)',
      'b = layers.Dense(64, activation="relu", kernel_initializer="he_normal")(inputs)',
      'b = layers.Dense(64, kernel_initializer=keras.initializers.RandomNormal(stddev=0.25))(b)',
      'outputs = layers.Dense(1)(layers.Concatenate()([a, b]))',
      'm = keras.Model(inputs, outputs)',
    ].join('\n');
    const p = propagate(linter.analyze(text, 'cat.py').models[0]);
    const [a, , b2, head] = p.graph.layers;
    const muA = p.numbers.get(a)!.muOut!;
    const muB = p.numbers.get(b2)!.muOut!;
    // 192 units at muA and 64 at muB (4 x 0.0625 x 64 = 4): (192 muA + 64 muB) / 256.
    assert.ok(Math.abs(muA - 1) < 1e-12 && Math.abs(muB - 4) < 1e-12, `${muA} ${muB}`);
    assert.ok(Math.abs(p.numbers.get(head)!.muIn - (192 * muA + 64 * muB) / 256) < 1e-12);
  });

  test('a residual stack is linear in size, and a sum ends a path: 300 blocks, no IL007 along the branches', async () => {
    const linter = await getLinter();
    const lines = ['from tensorflow import keras', 'from tensorflow.keras import layers', 'inputs = keras.Input(shape=(256,))', 'x = inputs'];
    for (let i = 0; i < 300; i++) {
      lines.push('h = layers.Dense(256, activation="relu", kernel_initializer="he_normal")(x)');
      lines.push('h = layers.Dense(256, kernel_initializer=keras.initializers.VarianceScaling(0.1))(h)');
      lines.push('x = layers.Add()([x, h])');
    }
    lines.push('m = keras.Model(inputs, layers.Dense(10)(x))');
    const a = linter.analyze(lines.join('\n'), 'resnet.py', { cacheKey: false });
    assert.deepEqual(
      a.findings.filter((f) => f.code === 'IL007'),
      [],
    );
    const p = propagate(a.models[0]);
    // 601 layers; each branch is a path of two, the head a path of one.
    assert.equal(p.graph.layers.length, 601);
    assert.equal(p.paths().length, 301);
    // Each block adds a tenth of the stream (He + ReLU keeps mu, sigma^2 = 0.1 then): x1.1 per block.
    const head = p.graph.layers[600];
    assert.ok(Math.abs(p.numbers.get(head)!.muIn / 1.1 ** 300 - 1) < 1e-9, `${p.numbers.get(head)!.muIn}`);
  });

  test('a Keras layer object applied four times is one node (no IL007 from an unrolled chain)', async () => {
    const linter = await getLinter();
    const text = [
      'from tensorflow import keras',
      'from tensorflow.keras import layers',
      'inp = keras.Input(shape=(128,))',
      'shared = layers.Dense(128, activation="tanh", kernel_initializer=keras.initializers.RandomNormal(stddev=0.01))',
      'x = shared(shared(shared(shared(inp))))',
      'm = keras.Model(inp, layers.Dense(1)(x))',
    ].join('\n');
    const a = linter.analyze(text, 'shared.py');
    assert.equal(propagate(a.models[0]).graph.layers.length, 2);
    assert.deepEqual(
      a.findings.map((f) => f.code),
      ['IL004'],
    );
  });

  test('PyTorch: pooling, flatten and view keep the data flow (the layer before them is hidden, not an output)', async () => {
    const linter = await getLinter();
    const text = torchModule({
      init: [
        'self.conv = nn.Conv2d(1, 32, 3)',
        'self.hidden = nn.Linear(5408, 128)',
        'self.out = nn.Linear(128, 10)',
        'nn.init.kaiming_normal_(self.conv.weight)',
      ],
      forward: [
        'x = F.max_pool2d(torch.tanh(self.conv(x)), 2)',
        'x = torch.flatten(x, 1).contiguous()',
        'x = torch.relu(self.hidden(x)).view(x.size(0), -1)',
        'return self.out(x)',
      ],
      imports: ['import torch.nn.functional as F'],
    });
    const a = linter.analyze(text, 'net.py');
    const p = propagate(a.models[0]);
    assert.deepEqual(
      p.paths().map((path) => path.map((l) => l.label)),
      [['Conv2d(1, 32, 3)', 'Linear(5408, 128)', 'Linear(128, 10)']],
    );
    // He under a hidden tanh: IL002, now that the conv is known to be hidden.
    assert.ok(a.findings.some((f) => f.code === 'IL002' && f.line === 10));
  });

  test("PyTorch: calculate_gain('tanh') is read (xavier with gain 5/3 is IL002); gain 1.2 still counts as Glorot", async () => {
    const linter = await getLinter();
    const net = (gain: string) =>
      torchModule({
        init: ['self.a = nn.Linear(256, 256)', 'self.c = nn.Linear(256, 1)', `nn.init.xavier_uniform_(self.a.weight, gain=${gain})`],
        forward: ['return self.c(torch.tanh(self.a(x)))'],
      });
    const [f] = linter.lint(net("nn.init.calculate_gain('tanh')"), 'g.py');
    assert.equal(f?.code, 'IL002');
    assert.match(f.message, /sigma\^2 = 2\.78/);
    assert.deepEqual(linter.lint(net('1.2'), 'g12.py'), []);
  });

  test('IL001 above 1.25 says the variance is multiplied; a layer with fan_in 0 gets no IL003', async () => {
    const linter = await getLinter();
    const fanOut =
      'import torch\nfrom torch import nn\nnet = nn.Sequential(nn.Linear(256, 64), nn.ReLU(), nn.Linear(64, 1))\nnn.init.kaiming_normal_(net[0].weight, mode="fan_out")\n';
    const [f] = linter.lint(fanOut, 'fo.py');
    assert.match(f.message, /multiplies the variance by 4\.00 per layer/);
    const empty =
      'from tensorflow import keras\nm = keras.Sequential([keras.layers.Dense(0, activation="relu", input_shape=(16,)), keras.layers.Dense(16, activation="relu", kernel_initializer="zeros"), keras.layers.Dense(1)])\n';
    assert.deepEqual(linter.lint(empty, 'e.py').filter((x) => x.code === 'IL003' && x.layer.startsWith('Dense(16')).length, 0);
  });

  test('a fixed-scale random bias counts in q in TF.js, Keras JSON and Flax too; zeros, constants and use_bias off do not', async () => {
    const linter = await getLinter();
    const biases = (text: string, file: string) => linter.analyze(text, file).models[0].layers.map((l) => l.biasVariance);
    const tfjs = [
      "import * as tf from '@tensorflow/tfjs';",
      'const m = tf.sequential();',
      "m.add(tf.layers.dense({units: 64, inputShape: [32], activation: 'relu', biasInitializer: tf.initializers.randomNormal({stddev: 0.1})}));",
      "m.add(tf.layers.dense({units: 64, activation: 'relu', biasInitializer: 'randomUniform', useBias: false}));",
      "m.add(tf.layers.dense({units: 1, biasInitializer: 'zeros'}));",
    ].join('\n');
    assert.deepEqual(biases(tfjs, 'b.js'), [0.1 ** 2, undefined, undefined]);
    const dense = (name: string, bias: unknown, useBias = true) => ({
      class_name: 'Dense',
      config: { name, units: 8, activation: 'relu', use_bias: useBias, kernel_initializer: { class_name: 'HeNormal', config: {} }, bias_initializer: bias },
    });
    const json = JSON.stringify({
      class_name: 'Sequential',
      keras_version: '2.15.0',
      config: {
        name: 's',
        layers: [
          { class_name: 'InputLayer', config: { batch_input_shape: [null, 8] } },
          dense('a', { class_name: 'RandomUniform', config: { minval: -0.3, maxval: 0.3 } }),
          dense('b', { class_name: 'Zeros', config: {} }),
          dense('c', { class_name: 'RandomNormal', config: { stddev: 0.5 } }, false),
          dense('d', { class_name: 'Constant', config: { value: 0.1 } }),
        ],
      },
    });
    const [a, ...rest] = biases(json, 'b.json');
    assert.ok(Math.abs(a! - 0.3 ** 2 / 3) < 1e-15, `${a}`);
    assert.deepEqual(rest, [undefined, undefined, undefined]);
    const flax = [
      'import flax.linen as nn',
      'class M(nn.Module):',
      '    @nn.compact',
      '    def __call__(self, x):',
      '        x = nn.relu(nn.Dense(64, bias_init=nn.initializers.normal(stddev=0.2))(x))',
      '        x = nn.relu(nn.Dense(64, bias_init=nn.initializers.normal(stddev=0.2), use_bias=False)(x))',
      '        return nn.Dense(1, bias_init=nn.initializers.zeros)(x)',
    ].join('\n');
    assert.deepEqual(biases(flax, 'b.py'), [0.2 ** 2, undefined, undefined]);
  });

  test('Keras: a random bias_initializer counts in q and a zero kernel over it is not dead; "leaky_relu" as a string has slope 0.2', async () => {
    const linter = await getLinter();
    const text = [
      'from tensorflow import keras',
      'from tensorflow.keras import layers',
      'm = keras.Sequential([',
      '    layers.Dense(64, activation="relu", kernel_initializer="zeros", bias_initializer="random_normal", input_shape=(32,)),',
      '    layers.Dense(64, activation="leaky_relu", kernel_initializer="he_normal"),',
      '    layers.Dense(1),',
      '])',
    ].join('\n');
    const a = linter.analyze(text, 'b.py');
    const [first, second] = a.models[0].layers;
    assert.equal(first.biasVariance, 0.05 ** 2);
    assert.equal(second.activation.info.alpha, 0.2);
    const il003 = a.findings.find((f) => f.code === 'IL003')!;
    assert.equal(il003.severity, 'warning', il003.message);
    assert.doesNotMatch(il003.message, /dead/);
  });

  test('Keras: a zero-initialised T-Net transform multiplied into its input (Dot) is a deliberate start, not IL003', async () => {
    const linter = await getLinter();
    const text = [
      'import numpy as np',
      'from tensorflow import keras',
      'from tensorflow.keras import layers',
      'inputs = keras.Input(shape=(1024, 3))',
      'f = layers.Dense(64, activation="relu", kernel_initializer="he_normal")(inputs)',
      'f = layers.GlobalMaxPooling1D()(f)',
      't = layers.Dense(9, kernel_initializer="zeros", bias_initializer=keras.initializers.Constant(np.eye(3).flatten()))(f)',
      't = layers.Reshape((3, 3))(t)',
      'x = layers.Dot(axes=(2, 1))([inputs, t])',
      'x = layers.Dense(64, activation="relu", kernel_initializer="he_normal")(x)',
      'm = keras.Model(inputs, layers.Dense(10)(layers.GlobalMaxPooling1D()(x)))',
    ].join('\n');
    assert.deepEqual(
      linter.lint(text, 'tnet.py').filter((f) => f.code === 'IL003'),
      [],
    );
  });

  test('an activation applied to a sum (ResNet v1 relu(out + x)) is propagated, not assumed', async () => {
    const linter = await getLinter();
    const text = [
      'import torch',
      'from torch import nn',
      'class Block(nn.Module):',
      '    def __init__(self, d=256):',
      '        super().__init__()',
      '        self.fc1 = nn.Linear(d, d, bias=False)',
      '        self.fc2 = nn.Linear(d, d, bias=False)',
      '        nn.init.kaiming_normal_(self.fc1.weight)',
      '        nn.init.kaiming_normal_(self.fc2.weight, nonlinearity="linear")',
      '    def forward(self, x):',
      '        return torch.relu(self.fc2(torch.relu(self.fc1(x))) + x)',
      'class Net(nn.Module):',
      '    def __init__(self):',
      '        super().__init__()',
      '        self.b1 = Block()',
      '        self.b2 = Block()',
      '    def forward(self, x):',
      '        return self.b2(self.b1(x))',
    ].join('\n');
    const p = propagate(linter.analyze(text, 'res.py').models[0]);
    const second = p.numbers.get(p.graph.layers[2])!;
    // The block's sum has E[x^2] = 1 + 1; relu of N(0, 2) keeps half: 1, exactly.
    assert.equal(second.muAssumed, false);
    assert.ok(Math.abs(second.muIn - 1) < 1e-12, `${second.muIn}`);
  });

  test('swish written out, x * sigmoid(x), is silu on the layer, not a sigmoid stack (no IL008)', async () => {
    const linter = await getLinter();
    const text = torchModule({
      init: [
        'self.a = nn.Linear(256, 256)',
        'self.b = nn.Linear(256, 256)',
        'self.c = nn.Linear(256, 10)',
        'nn.init.kaiming_normal_(self.a.weight)',
        'nn.init.kaiming_normal_(self.b.weight)',
      ],
      forward: ['x = self.a(x)', 'x = x * torch.sigmoid(x)', 'x = self.b(x)', 'x = x * torch.sigmoid(x)', 'return self.c(x)'],
    });
    const a = linter.analyze(text, 'swish.py');
    assert.deepEqual(
      a.models[0].layers.slice(0, 2).map((l) => l.activation.info.name),
      ['silu', 'silu'],
    );
    assert.deepEqual(
      a.findings.filter((f) => f.code === 'IL008'),
      [],
    );
  });
});
