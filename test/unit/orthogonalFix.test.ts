/**
 * LSUV's Apply writes each layer's gain as an orthogonal kernel: Keras `Orthogonal(gain=g)`,
 * PyTorch `orthogonal_(w, gain=g)`, TF.js `orthogonal({gain: g})`, Flax `orthogonal(scale=g)`,
 * a Keras JSON `{"class_name": "Orthogonal", "config": {"gain": g, ...}}`. Whatever is written
 * must read back as that kernel: the same layer, orthogonal, Var(w) scaled by g².
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { applyEdits } from '../../src/engine/edits';
import { gainLiteral, GAIN_SLOT, withGain, type Layer } from '../../src/engine/ir';
import { applyOptions, toSimModel } from '../../src/engine/simModel';
import { ROOT, allSources, getLinter, torchModule } from './helpers';

const GAIN = '1.414';

/** The layer's kernel as the engine reads it: orthogonal with gain² as its scale. */
function assertOrthogonal(layer: Layer | undefined, gain: number, where: string): void {
  assert.ok(layer, `${where}: the layer is still there`);
  assert.equal(layer.init.spec.distribution, 'orthogonal', `${where}: reads as orthogonal, not ${layer.init.spec.describe ?? layer.init.spec.name}`);
  assert.ok(Math.abs((layer.init.spec.scale ?? NaN) - gain * gain) < 1e-9, `${where}: gain² = ${gain * gain}, read ${layer.init.spec.scale}`);
}

describe("LSUV's orthogonal gain, written into the source", () => {
  test('every layer of every fixture and example that offers the edit reads back as Orthogonal(gain=g)', async () => {
    const linter = await getLinter();
    const written = new Map<string, number>();
    for (const file of allSources().filter((f) => !f.endsWith('.ipynb'))) {
      const rel = path.relative(ROOT, file);
      const text = fs.readFileSync(file, 'utf8');
      const before = linter.analyze(text, file);
      for (const [m, model] of before.models.entries()) {
        for (const [i, layer] of model.layers.entries()) {
          if (model.layers.indexOf(layer) !== i) continue; // a layer called again in a loop: one edit
          const fix = layer.rewrite({ kind: 'orthogonal', gain: GAIN });
          assert.equal(applyOptions(layer).orthogonal?.edit, fix !== undefined, `${rel} ${layer.label}: the panel's option agrees with the fix`);
          if (!fix) continue;
          const where = `${rel} ${model.name} ${layer.label} (layer ${i + 1})`;
          assert.ok(fix.title.includes(GAIN), `${where}: the title names the gain: ${fix.title}`);
          const fixed = applyEdits(text, fix.edits);
          const after = linter.analyze(fixed, file);
          assert.deepEqual(after.errors, before.errors, `${where}: no new syntax error`);
          assert.equal(after.models[m]?.name, model.name, `${where}: the model is still there`);
          assertOrthogonal(after.models[m].layers[i], 1.414, where);
          const ext = /\/tf1_/.test(rel) ? 'tf1' : rel.startsWith('test/fixtures/') ? rel.split('/')[2] : path.extname(rel);
          written.set(ext, (written.get(ext) ?? 0) + 1);
        }
      }
    }
    // Every front end writes it somewhere: Keras, TF1, PyTorch, Flax, TF.js, Keras JSON.
    for (const dir of ['keras', 'tf1', 'pytorch', 'flax', 'tfjs', 'kerasjson'])
      assert.ok((written.get(dir) ?? 0) > 0, `${dir}: some layer takes the gain (${[...written]})`);
  });

  test("Keras: the file's own name for the initializers; a string becomes an object; a seed is kept", async () => {
    const linter = await getLinter();
    const cases: Array<[imports: string, layer: string, expected: string | undefined]> = [
      [
        'import tensorflow as tf',
        'tf.keras.layers.Dense(64, activation="tanh")',
        'tf.keras.layers.Dense(64, activation="tanh", kernel_initializer=tf.keras.initializers.Orthogonal(gain=1.414))',
      ],
      [
        'from tensorflow import keras',
        'keras.layers.Dense(64, kernel_initializer="he_normal")',
        'keras.layers.Dense(64, kernel_initializer=keras.initializers.Orthogonal(gain=1.414))',
      ],
      [
        'from tensorflow import keras\nfrom tensorflow.keras import initializers',
        'keras.layers.Dense(64, kernel_initializer=initializers.HeNormal(seed=3))',
        'keras.layers.Dense(64, kernel_initializer=initializers.Orthogonal(gain=1.414, seed=3))',
      ],
      ['from keras.layers import Dense\nfrom keras.initializers import Orthogonal', 'Dense(64)', 'Dense(64, kernel_initializer=Orthogonal(gain=1.414))'],
      // The prefix written is not kept: the user's own module, or TF1's tf.initializers (no Orthogonal there).
      [
        'import tensorflow as tf\nimport myinits',
        'tf.keras.layers.Dense(64, kernel_initializer=myinits.scaled(0.1))',
        'tf.keras.layers.Dense(64, kernel_initializer=tf.keras.initializers.Orthogonal(gain=1.414))',
      ],
      [
        'import tensorflow as tf',
        'tf.keras.layers.Dense(64, kernel_initializer=tf.initializers.he_normal())',
        'tf.keras.layers.Dense(64, kernel_initializer=tf.keras.initializers.Orthogonal(gain=1.414))',
      ],
      // Only the layers module imported: no name reaches Orthogonal, and a string cannot carry a gain.
      ['from keras import layers', 'layers.Dense(64)', undefined],
    ];
    for (const [imports, layerText, expected] of cases) {
      const text = `${imports}\n\n\ndef build():\n    x = ${layerText}\n    return x\n`;
      const a = linter.analyze(text, 'model.py');
      const layer = a.models[0]?.layers[0];
      assert.ok(layer, `${imports}: a layer`);
      const fix = layer.rewrite({ kind: 'orthogonal', gain: GAIN });
      if (expected === undefined) {
        assert.equal(fix, undefined, `${imports}: no safe edit`);
        assert.match((applyOptions(layer).orthogonal as { reason: string }).reason, /^no safe edit: .*orthogonal kernel with a gain/);
        continue;
      }
      assert.ok(fix, `${imports}: an edit`);
      assert.equal(applyEdits(text, fix.edits), text.replace(layerText, expected));
    }
  });

  test('one call building several layers (a loop) takes no gain: LSUV measures one for each', async () => {
    const linter = await getLinter();
    const text =
      'from tensorflow import keras\n\n\ndef build():\n    model = keras.Sequential()\n    for _ in range(4):\n        model.add(keras.layers.Dense(64, activation="relu", input_dim=64))\n    return model\n';
    const a = linter.analyze(text, 'loop.py');
    const model = a.models[0];
    assert.equal(model.layers.length, 4);
    const sim = toSimModel(model, a.findings, 'loop.py');
    for (const layer of sim.layers) {
      assert.deepEqual(layer.apply?.orthogonal, {
        edit: false,
        reason:
          "no safe edit: 4 of the model's layers come from this one piece of code (a loop, a helper called twice, a layer used twice), and LSUV measures a gain for each",
      });
      assert.equal(layer.apply?.he_normal?.edit, true, 'one initializer for all of them is still written');
    }
  });

  test('a PyTorch layer used twice (shared weights) takes no gain either', async () => {
    const linter = await getLinter();
    const text = torchModule({ init: ['self.fc = nn.Linear(64, 64)'], forward: ['x = torch.tanh(self.fc(x))', 'return torch.tanh(self.fc(x))'] });
    const a = linter.analyze(text, 'shared.py');
    const model = a.models[0];
    assert.equal(model.layers.length, 2);
    assert.equal(model.layers[0], model.layers[1], 'one layer object, called twice');
    for (const layer of toSimModel(model, a.findings, 'shared.py').layers)
      assert.match((layer.apply?.orthogonal as { reason: string }).reason, /^no safe edit: 2 of the model's layers come from this one piece of code/);
  });

  test('Keras 1 takes initializer names as strings only: no gain, no edit', async () => {
    const linter = await getLinter();
    const text =
      'from keras.models import Sequential\nfrom keras.layers import Dense\n\nmodel = Sequential()\nmodel.add(Dense(64, input_dim=8, init="uniform"))\n';
    const layer = linter.analyze(text, 'k1.py').models[0].layers[0];
    assert.ok(layer.rewrite('he_normal'), 'a named initializer is written');
    assert.equal(layer.rewrite({ kind: 'orthogonal', gain: GAIN }), undefined);
  });

  test("PyTorch: orthogonal_ with the gain, through the file's own init alias; a call shared by layers takes none", async () => {
    const linter = await getLinter();
    const own = torchModule({ init: ['self.fc = nn.Linear(64, 64)', 'nn.init.xavier_uniform_(self.fc.weight)'], forward: ['return torch.tanh(self.fc(x))'] });
    const layer = linter.analyze(own, 'net.py').models[0].layers[0];
    const fix = layer.rewrite({ kind: 'orthogonal', gain: GAIN })!;
    assert.equal(applyEdits(own, fix.edits), own.replace('nn.init.xavier_uniform_(self.fc.weight)', 'nn.init.orthogonal_(self.fc.weight, gain=1.414)'));
    assert.equal(fix.title, 'Use orthogonal_(gain=1.414)');

    const shared = torchModule({
      init: [
        'self.a = nn.Linear(64, 64)',
        'self.b = nn.Linear(64, 64)',
        'for m in self.modules():',
        '    if isinstance(m, nn.Linear):',
        '        nn.init.xavier_uniform_(m.weight)',
      ],
      forward: ['return self.b(torch.tanh(self.a(x)))'],
    });
    const layers = linter.analyze(shared, 'net.py').models[0].layers;
    assert.ok(layers.length === 2 && layers.every((l) => l.init.shared), 'both layers are initialized by the loop');
    for (const l of layers) assert.equal(l.rewrite({ kind: 'orthogonal', gain: GAIN }), undefined, `${l.label}: one call cannot carry two layers' gains`);
  });

  test('TF.js and Keras JSON: the gain in the initializer config', async () => {
    const linter = await getLinter();
    const js =
      "import * as tf from '@tensorflow/tfjs';\n\nexport function build() {\n  const model = tf.sequential();\n  model.add(tf.layers.dense({units: 32, inputShape: [8], activation: 'tanh', kernelInitializer: 'heNormal'}));\n  return model;\n}\n";
    const jsLayer = linter.analyze(js, 'model.js').models[0].layers[0];
    assert.equal(
      applyEdits(js, jsLayer.rewrite({ kind: 'orthogonal', gain: GAIN })!.edits),
      js.replace("'heNormal'", 'tf.initializers.orthogonal({gain: 1.414})'),
    );

    const json = JSON.stringify({
      class_name: 'Sequential',
      config: {
        name: 'seq',
        layers: [
          {
            class_name: 'Dense',
            config: { name: 'd', units: 16, activation: 'tanh', batch_input_shape: [null, 8], kernel_initializer: 'glorot_uniform', bias_initializer: 'zeros' },
          },
        ],
      },
    });
    const jsonLayer = linter.analyze(json, 'model.json').models[0].layers[0];
    const fixedJson = applyEdits(json, jsonLayer.rewrite({ kind: 'orthogonal', gain: GAIN })!.edits);
    const init = JSON.parse(fixedJson).config.layers[0].config.kernel_initializer;
    assert.deepEqual(init, { class_name: 'Orthogonal', config: { gain: 1.414, seed: null } });
  });
});

describe('the gain as written', () => {
  test('four significant digits, a decimal point, never NaN or Infinity', () => {
    assert.equal(gainLiteral(Math.SQRT2), '1.414');
    assert.equal(gainLiteral(1), '1.0');
    assert.equal(gainLiteral(0.5), '0.5');
    assert.equal(gainLiteral(123456), '123500.0');
    assert.equal(gainLiteral(1e-7), '1e-7');
    for (const bad of [0, -1, NaN, Infinity]) assert.throws(() => gainLiteral(bad), RangeError);
  });

  test('a fix built around the slot is the fix for every gain', () => {
    const template = { title: `Use Orthogonal(gain=${GAIN_SLOT})`, edits: [{ start: 3, end: 9, newText: `Orthogonal(gain=${GAIN_SLOT})` }] };
    assert.deepEqual(withGain(template, '0.98'), { title: 'Use Orthogonal(gain=0.98)', edits: [{ start: 3, end: 9, newText: 'Orthogonal(gain=0.98)' }] });
  });
});
