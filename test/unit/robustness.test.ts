/**
 * Bad input never crashes or hangs the engine: syntax errors (what parses is still linted),
 * empty and huge files, deep nesting, garbage. Each case finishes and says what it could.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { getLinter, readFixture } from './helpers';
import { createLinter } from '../../src/engine/linter';
import { MAX_LIST_ITEMS } from '../../src/engine/frontends/python/interpreter';
import { toWire } from '../../src/engine/wire';
import { propagationOf } from '../../src/engine/propagation';

describe('bad input', () => {
  test('a syntax error later in the file: the model above is still linted, the error reported', async () => {
    const linter = await getLinter();
    const text = `${readFixture('keras/saturating.py')}\ndef half_written(:\n    x = layers.Dense(64, activation="relu"\n`;
    const a = linter.analyze(text, 'broken.py');
    assert.deepEqual(
      a.findings.map((f) => f.code),
      ['IL002', 'IL002'],
    );
    assert.ok(a.errors.length > 0 && /syntax error at line \d+/.test(a.errors[0]), a.errors.join());
  });

  test('a half-written layer call at the end of the file', async () => {
    const linter = await getLinter();
    const text =
      'from tensorflow import keras\nm = keras.Sequential([\n    keras.layers.Dense(64, activation="relu", input_shape=(3,)),\n    keras.layers.Dense(1, activation=';
    const a = linter.analyze(text, 'half.py');
    assert.ok(a.errors.length > 0);
    assert.ok(a.findings.every((f) => f.start <= text.length && f.end <= text.length));
  });

  test('an unterminated string', async () => {
    const linter = await getLinter();
    const text = 'import keras\nx = keras.layers.Dense(64, activation="relu)\ny = 1\n';
    assert.doesNotThrow(() => linter.analyze(text, 'u.py'));
  });

  test('an empty file and a file of whitespace', async () => {
    const linter = await getLinter();
    assert.deepEqual(linter.analyze('', 'e.py').findings, []);
    assert.deepEqual(linter.analyze('\n\n   \n', 'w.py').errors, []);
  });

  test('2,000 nested parentheses', async () => {
    const linter = await getLinter();
    const deep = `import keras\nx = ${'('.repeat(2000)}1${')'.repeat(2000)}\nm = keras.Sequential([keras.layers.Dense(8, activation="relu", kernel_initializer="lecun_normal", input_dim=${'('.repeat(2000)}4${')'.repeat(2000)}), keras.layers.Dense(1)])\n`;
    const a = linter.analyze(deep, 'deep.py');
    assert.deepEqual(
      a.findings.map((f) => f.code),
      ['IL001'],
    );
  });

  test('50,000 nested brackets in Python and in TF.js: the model after them is still linted', async () => {
    const linter = await getLinter();
    const n = 50_000;
    const py = `import keras\nx = ${'('.repeat(n)}1${')'.repeat(n)}\nm = keras.Sequential([keras.layers.Dense(8, activation="relu", input_dim=4), keras.layers.Dense(1)])\n`;
    const a = linter.analyze(py, 'deep50k.py');
    assert.deepEqual([a.findings.map((f) => f.code), a.errors], [['IL001'], []]);
    const js = `import * as tf from '@tensorflow/tfjs';\nconst x = ${'['.repeat(n)}1${']'.repeat(n)};\nconst m = tf.sequential({layers: [tf.layers.dense({units: 8, activation: 'relu', inputShape: [4]})]});\n`;
    const b = linter.analyze(js, 'deep50k.js');
    assert.deepEqual([b.findings.map((f) => f.code), b.errors], [['IL001'], []]);
    // Unclosed: the error is reported, and reading it does not overflow either.
    const broken = linter.analyze(`import * as tf from '@tensorflow/tfjs';\nconst x = ${'['.repeat(n)}1;\n`, 'broken50k.js');
    assert.ok(broken.errors.length > 0 && broken.errors.every((e) => e.startsWith('syntax error')), broken.errors.join());
  });

  test('2,000 nested calls', async () => {
    const linter = await getLinter();
    const deep = `import keras\nx = ${'f('.repeat(2000)}1${')'.repeat(2000)}\n`;
    assert.doesNotThrow(() => linter.analyze(deep, 'calls.py'));
  });

  test('a file above maxFileSize is skipped with a note', async () => {
    const linter = await createLinter({ maxFileSize: 1024 * 1024 });
    const big = `import keras\n${'x = 1\n'.repeat(900_000)}`; // about 5 MB
    const a = linter.analyze(big, 'big.py');
    assert.deepEqual(a.findings, []);
    assert.match(a.skipped ?? '', /above maxFileSize/);
  });

  test('binary garbage decoded as text', async () => {
    const linter = await getLinter();
    let seed = 42;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const garbage = Array.from({ length: 20000 }, () => String.fromCharCode(Math.floor(rand() * 0xd7ff))).join('');
    assert.doesNotThrow(() => linter.analyze(`import keras\n${garbage}`, 'g.py'));
  });

  test('a loop bound far too large is unrolled only so far', async () => {
    const linter = await getLinter();
    const text = 'import keras\nm = keras.Sequential()\nfor _ in range(10**9):\n    m.add(keras.layers.Dense(8, activation="relu"))\n';
    const a = linter.analyze(text, 'loop.py');
    assert.equal(a.models[0].layers.length, 64, 'unrolled exactly MAX_UNROLL times');
  });

  test('a Sequential added to itself (Keras, TF.js) ends the lint as it would without: its layers are judged, the rest reads as unknown', async () => {
    // Keras moved the model's layers into itself while reading them: the array grew until V8 aborted the process.
    const linter = await getLinter();
    const py = [
      'import keras',
      'from keras import layers',
      'm = keras.Sequential([keras.Input(shape=(256,)), layers.Dense(256, activation="relu", kernel_initializer="glorot_uniform")])',
      'm.add(m)',
      'm.add(layers.Dense(256, activation="relu", kernel_initializer="glorot_uniform"))',
    ].join('\n');
    const js = [
      "import * as tf from '@tensorflow/tfjs';",
      "const m = tf.sequential({layers: [tf.layers.dense({units: 256, activation: 'relu', kernelInitializer: 'glorotUniform', inputShape: [256]})]});",
      'm.add(m);',
      "m.add(tf.layers.dense({units: 256, activation: 'relu', kernelInitializer: 'glorotUniform'}));",
    ].join('\n');
    for (const [text, file] of [
      [py, 'self.py'],
      [js, 'self.js'],
    ]) {
      const a = linter.analyze(text, file);
      assert.deepEqual(a.errors, [], file);
      assert.deepEqual(
        a.models.map((m) => m.layers.length),
        [2],
        file,
      );
      // The first Dense is judged (He would keep its signal); after the model was added to itself its input is not known.
      assert.deepEqual(
        a.findings.map((f) => [f.code, text.slice(0, f.start).split('\n').length]),
        [['IL001', 2 + (file === 'self.py' ? 1 : 0)]],
        file,
      );
    }
  });

  // Values and graphs that share parts at every level: followed once per part, never per path.
  // Each of these hung (2^40 paths), ran out of stack, or lost its findings before; the test's
  // timeout turns a hang into a failure.
  const SHARED = { timeout: 120_000 };
  /** A PyTorch net of two Linear layers with `loop` (lines, indented from the forward's body) between them. */
  const twoLayers = (loop: string[]) =>
    [
      'import torch',
      'import torch.nn as nn',
      '',
      'class Net(nn.Module):',
      '    def __init__(self):',
      '        super().__init__()',
      '        self.fc1 = nn.Linear(64, 64)',
      '        self.fc2 = nn.Linear(64, 10)',
      '',
      '    def forward(self, x):',
      '        x = self.fc1(x)',
      ...loop.map((l) => `        ${l}`),
      '        return self.fc2(x)',
    ].join('\n');

  test('a tensor merged with itself forty times (PyTorch, TF.js, a Keras config): the layer after it is judged', SHARED, async () => {
    const linter = await getLinter();
    const torch = twoLayers(['for _ in range(40):', '    x = x + x']);
    const tfjs = [
      "import * as tf from '@tensorflow/tfjs';",
      'const input = tf.input({shape: [32]});',
      'let x = tf.layers.dense({units: 32}).apply(input);',
      'for (let i = 0; i < 40; i++) { x = tf.layers.add().apply([x, x]); }',
      'const model = tf.model({inputs: input, outputs: tf.layers.dense({units: 10}).apply(x)});',
    ].join('\n');
    const layer = (name: string, cls: string, inbound: string[], config = {}) => ({
      class_name: cls,
      name,
      config: { name, ...config },
      inbound_nodes: [inbound.map((n) => [n, 0, 0, {}])],
    });
    const adds = Array.from({ length: 40 }, (_, i) => layer(`add${i}`, 'Add', [i ? `add${i - 1}` : 'd0', i ? `add${i - 1}` : 'd0']));
    const keras = JSON.stringify({
      class_name: 'Functional',
      config: {
        name: 'm',
        layers: [
          { class_name: 'InputLayer', name: 'in', config: { name: 'in', batch_input_shape: [null, 16] }, inbound_nodes: [] },
          layer('d0', 'Dense', ['in'], { units: 16, activation: 'linear' }),
          ...adds,
          layer('out', 'Dense', ['add39'], { units: 16, activation: 'relu' }),
        ],
        input_layers: [['in', 0, 0]],
        output_layers: [['out', 0, 0]],
      },
    });
    for (const [text, file, layers] of [
      [torch, 'doubled.py', 2],
      [tfjs, 'doubled.js', 2],
      [keras, 'doubled.json', 2],
    ] as const) {
      const a = linter.analyze(text, file);
      assert.deepEqual([a.errors, a.models.map((m) => m.layers.length)], [[], [layers]], file);
    }
  });

  test('65,536 activations in a row: the lint ends without running out of stack, and its analysis crosses to the editor', SHARED, async () => {
    const linter = await getLinter();
    const text = twoLayers(['for i in range(64):', '    for j in range(64):', '        for k in range(16):', '            x = torch.tanh(x)']);
    const a = linter.analyze(text, 'tanh_chain.py');
    assert.deepEqual([a.errors, a.models.map((m) => m.layers.length)], [[], [2]]);
    // Past 1,024 activations the scale reaching fc2 is assumed (docs/cli.md); below, computed.
    const fc2 = (t: string) => {
      const m = linter.analyze(t, 'tanh_chain.py', { cacheKey: false }).models[0];
      return propagationOf(m).numbers.get(m.layers[1])!.muAssumed;
    };
    assert.equal(fc2(text), true);
    assert.equal(fc2(twoLayers(['for i in range(16):', '    x = torch.tanh(x)'])), false);
    // The language server sends the analysis as a table of flows (wire.ts): no recursion either.
    const wire = toWire(a);
    assert.ok(wire.flows.length > 65_536, `${wire.flows.length} flows`);
  });

  test('one layer applied 12,288 times (a recurrent cell in loops): still judged, and its fix still builds', SHARED, async () => {
    const linter = await getLinter();
    const text = [
      'import torch',
      'import torch.nn as nn',
      '',
      'class Recurrent(nn.Module):',
      '    def __init__(self):',
      '        super().__init__()',
      '        self.cell = nn.Linear(128, 128)',
      '',
      '    def forward(self, x):',
      '        for t in range(64):',
      '            for k in range(64):',
      '                for j in range(3):',
      '                    x = torch.relu(self.cell(x))',
      '        return x',
    ].join('\n');
    const a = linter.analyze(text, 'recurrent.py');
    assert.deepEqual(
      a.findings.map((f) => f.code),
      ['IL001'],
    );
    assert.match(a.findings[0].fix?.edits[0].newText ?? '', /kaiming_normal_/);
  });

  test('lists, Sequentials and ModuleDicts holding themselves, or the same one twice at every level, end the lint', SHARED, async () => {
    const linter = await getLinter();
    // The file, and whether its model is still read (one nested 16,384 deep is past every limit).
    const cases: Array<[string, string, boolean?]> = [
      ['import torch.nn as nn\nx = [1]\nfor i in range(64):\n    x = x + [x]\nmodel = nn.Sequential(nn.Linear(8, 8))\n', 'list_doubled.py'],
      ['import torch.nn as nn\nskips = []\nfor i in range(64):\n    skips.append(skips)\nmodel = nn.Sequential(nn.Linear(8, 8))\n', 'list_self.py'],
      [
        "import * as tf from '@tensorflow/tfjs';\nconst skips = [];\nfor (let i = 0; i < 64; i++) skips.push(skips);\nconst model = tf.sequential({layers: [tf.layers.dense({units: 8, inputShape: [4]})]});\n",
        'list_self.js',
      ],
      [
        'import keras\nfrom keras import layers\nblocks = [layers.Dense(64, activation="relu")]\nfor i in range(40):\n    blocks = blocks + [blocks]\nmodel = keras.Sequential(blocks)\n',
        'sequential_doubled.py',
      ],
      [
        "import * as tf from '@tensorflow/tfjs';\nconst blocks = [tf.layers.dense({units: 64, activation: 'relu', inputShape: [32]})];\nblocks.push(blocks, blocks, blocks, blocks, blocks, blocks, blocks, blocks, blocks, blocks);\nconst model = tf.sequential({layers: blocks});\n",
        'sequential_self.js',
      ],
      [
        'import torch.nn as nn\n\nclass Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.body = nn.Sequential(nn.Linear(32, 32), nn.ReLU())\n        for _ in range(40):\n            self.body.append(self.body)\n        self.head = nn.Linear(32, 10)\n\n    def forward(self, x):\n        return self.head(self.body(x))\n',
        'sequential_appended.py',
      ],
      [
        'import torch.nn as nn\n\nclass Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n        tree = nn.ModuleDict({"leaf": nn.Linear(8, 8)})\n        for i in range(40):\n            tree = nn.ModuleDict({"left": tree, "right": tree})\n        self.tree = tree\n',
        'moduledict_doubled.py',
      ],
      [
        'import torch.nn as nn\ntree = nn.ModuleDict({"leaf": nn.Linear(8, 8)})\nfor i in range(64):\n    for j in range(64):\n        for k in range(4):\n            tree = nn.ModuleDict({"child": tree})\n',
        'moduledict_deep.py',
        false,
      ],
    ];
    for (const [text, file, readsModel = true] of cases) {
      const a = linter.analyze(text, file);
      // Ends, reads the model it can, and says where it stopped if it did.
      assert.equal(a.models.length > 0, readsModel, `${file}: a model is read`);
      assert.ok(
        a.errors.every((e) => /stopped/.test(e)),
        `${file}: ${a.errors.join('; ')}`,
      );
    }
  });

  test('a list of layers doubled in a loop stays bounded (a list grows by copying)', async () => {
    const linter = await getLinter();
    const text = [
      'from torch import nn',
      'layers = [nn.Linear(8, 8), nn.ReLU()]',
      'for _ in range(64):',
      '    layers = layers + layers',
      '    layers += layers',
      'net = nn.Sequential(*layers)',
      'y = net(torch.randn(4, 8))',
    ].join('\n');
    const a = linter.analyze(`import torch\n${text}`, 'doubling.py');
    // 2^128 items as Python would build them; the one Linear applied once per item kept.
    assert.equal(a.models[0].layers.length, MAX_LIST_ITEMS / 2);
  });

  test('copying long lists is charged to the budget: a loop concatenating them ends and says where it stopped', async () => {
    const linter = await getLinter();
    const text = [
      'import torch',
      'from torch import nn',
      'L = [nn.Linear(8, 8)] * 4096',
      'for _ in range(64):',
      '    for _ in range(64):',
      `        y = ${Array(40).fill('L').join(' + ')}`,
    ].join('\n');
    const a = linter.analyze(text, 'copies.py');
    assert.match(a.errors.join('\n'), /analysis stopped after 200,000 statements/);
  });

  test('nested loops spend one statement budget per file (Python as TF.js): the lint ends and says where it stopped', async () => {
    const linter = await getLinter();
    // Five nested loops of 64 iterations are 10^9 runs of the body: without a budget, no end.
    const loops = [
      'for a in range(64):',
      '    for b in range(64):',
      '        for c in range(64):',
      '            for d in range(64):',
      '                for e in range(64):',
    ];
    const python = [
      'import torch',
      'from torch import nn',
      'class Net(nn.Module):',
      '    def __init__(self):',
      '        super().__init__()',
      '        self.blocks = nn.ModuleList()',
      '        self.stem = nn.Linear(16, 16)',
      '        nn.init.zeros_(self.stem.weight)',
      ...loops.map((l) => `        ${l}`),
      '                            self.blocks.append(nn.Linear(8, 8))',
    ].join('\n');
    const a = linter.analyze(python, 'nested.py');
    assert.match(a.errors.join('\n'), /analysis stopped after 200,000 statements/);
    assert.ok(
      a.models[0].layers.some((l) => l.label === 'Linear(16, 16)'),
      'what was read before the budget ran out is kept',
    );
    const js = [
      "import * as tf from '@tensorflow/tfjs';",
      'const m = tf.sequential();',
      ...loops.map((_l, i) => `${'  '.repeat(i)}for (let ${'abcde'[i]} = 0; ${'abcde'[i]} < 64; ${'abcde'[i]}++) {`),
      `${'  '.repeat(5)}m.add(tf.layers.dense({units: 8}));`,
      ...loops.map((_, i) => `${'  '.repeat(4 - i)}}`),
    ].join('\n');
    assert.match(linter.analyze(js, 'nested.js').errors.join('\n'), /analysis stopped (after 200,000 statements|at 20,000 layers)/);
  });

  test("long runs of comment lines (quadratic in tree-sitter-python's scanner) lint like the code without them; directives in them still count", async () => {
    const linter = await getLinter();
    const model = 'import torch\nfrom torch import nn\nnet = nn.Sequential(nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 8), nn.ReLU())\n';
    const run = (n: number, indent = '') => Array.from({ length: n }, (_, i) => `${indent}# old experiment ${i}: lr=${i / 1000}\n`).join('');
    const plain = linter.lint(model, 'plain.py').map((f) => `${f.line} ${f.code}`);
    assert.equal(plain.length, 2);
    // 10,000 lines took 23 s before parserInput blanked the run; now a fraction of a second.
    const after = linter.lint(`${model}${run(10000)}def f():\n${run(10000, '    ')}    return 1\n`, 'comments.py');
    assert.deepEqual(
      after.map((f) => `${f.line} ${f.code}`),
      plain,
    );
    // A directive inside a long run still speaks for the line after the run.
    const directive = `import torch\nfrom torch import nn\n${run(20)}# initlint: disable=IL001\nnet = nn.Sequential(nn.Linear(8, 8), nn.ReLU())\n`;
    assert.deepEqual(linter.lint(directive, 'directive.py'), []);
    // A docstring whose lines start with '#' still closes where it does.
    const doc = `import torch\nfrom torch import nn\n"""\n${run(12)}# end """\nnet = nn.Sequential(nn.Linear(8, 8), nn.ReLU())\n`;
    assert.deepEqual(
      linter.lint(doc, 'doc.py').map((f) => f.code),
      ['IL001'],
    );
    // Editing inside a run re-parses incrementally to what a fresh parse gives.
    const text = `${model}${run(50)}net2 = nn.Sequential(nn.Linear(8, 8), nn.Tanh())\n`;
    linter.lint(text, 'inc-comments.py');
    const edited = text.replace('# old experiment 25', '# old Experiment 25').replace('nn.Tanh()', 'nn.ReLU()');
    assert.deepEqual(
      linter.lint(edited, 'inc-comments.py').map((f) => `${f.line} ${f.code}`),
      (await createLinter()).lint(edited, 'x.py').map((f) => `${f.line} ${f.code}`),
    );
  });

  test('a one-line Keras config of 10,000 layers (model.to_json()) lints in linear time; compounded factors that underflow print as "< 1e-300"', async () => {
    const linter = await getLinter();
    const layers: unknown[] = [{ class_name: 'InputLayer', config: { batch_input_shape: [null, 64], name: 'in' } }];
    for (let i = 0; i < 10000; i++) {
      layers.push({
        class_name: 'Dense',
        config: { name: `d${i}`, units: 64, activation: 'relu', kernel_initializer: { class_name: 'GlorotUniform', config: { seed: null } } },
      });
    }
    const text = JSON.stringify({ class_name: 'Sequential', config: { name: 'big', layers }, keras_version: '2.15.0' });
    const a = linter.analyze(text, 'oneline.json', { cacheKey: false });
    assert.equal(a.findings.filter((f) => f.code === 'IL001').length, 10000);
    // Every fix is built (what --format json and the summary do); each edits its own initializer in place.
    const fixes = a.findings.filter((f) => f.fix).map((f) => f.fix!);
    assert.equal(fixes.length, 10000);
    const one = fixes[5000].edits[0];
    const fixed = text.slice(0, one.start) + one.newText + text.slice(one.end);
    assert.equal(JSON.parse(fixed).config.layers[5001].config.kernel_initializer.class_name, 'HeNormal');
    const messages = a.findings.map((f) => f.message).join('\n');
    assert.doesNotMatch(messages, /x0 over|Infinity|NaN/);
    assert.match(messages, /x< 1e-300 over this 10000-layer segment/);
  });

  test('impossible sizes and scales are not judged as if real: negative sizes are unknown, a non-positive VarianceScaling scale is an unknown initializer', async () => {
    const linter = await getLinter();
    const a = linter.analyze(
      [
        'import torch',
        'from torch import nn',
        'from tensorflow import keras',
        'net = nn.Sequential(nn.Linear(-5, 10), nn.ReLU(), nn.Linear(10, 1))',
        'm = keras.Sequential([keras.layers.Dense(-5, activation="relu", input_shape=(8,)), keras.layers.Dense(8, activation="relu", kernel_initializer=keras.initializers.VarianceScaling(scale=-2))])',
      ].join('\n'),
      'impossible.py',
    );
    const layers = a.models.flatMap((m) => m.layers);
    assert.equal(layers.find((l) => l.label === 'Linear(-5, 10)')?.fanIn, undefined);
    assert.equal(layers.find((l) => l.label === 'Dense(-5)')?.fanOut, undefined);
    assert.equal(layers.find((l) => l.label.startsWith('Dense(8'))?.init.spec.family, 'unknown');
    assert.doesNotMatch(a.findings.map((f) => f.message).join('\n'), /keeps 0 of|Infinity|NaN|-5/);
  });

  test('re-linting after an edit gives what a fresh lint gives (incremental parse)', async () => {
    const linter = await getLinter();
    const text = readFixture('keras/sequential.py');
    linter.lint(text, 'inc.py');
    const edited = text.replace(
      'layers.Dense(128, activation="relu", kernel_initializer="glorot_uniform")',
      'layers.Dense(128, activation="tanh", kernel_initializer="glorot_uniform")',
    );
    const incremental = linter.lint(edited, 'inc.py');
    const fresh = (await createLinter()).lint(edited, 'inc.py');
    assert.deepEqual(incremental, fresh);
    assert.equal(incremental.length, 2);
  });

  test('files that name no framework are skipped silently', async () => {
    const linter = await getLinter();
    for (const name of ['model.js', 'model.ts', 'config.json', 'README.md']) {
      const a = linter.analyze('{', name);
      assert.deepEqual([a.findings, a.errors], [[], []]);
    }
  });
});
