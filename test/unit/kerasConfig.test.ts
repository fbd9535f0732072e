/**
 * The Keras JSON config front end: model.to_json() (Keras 2), a .keras archive's config.json
 * (Keras 3), functional and nested models, TF.js model.json. Findings, fans, spans, quick fixes
 * in the file's own layout, malformed input, and reading .keras archives.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { strToU8, zipSync } from 'fflate';
import { applyEdits } from '../../src/engine/edits';
import type { Analysis, Finding } from '../../src/engine/linter';
import { analyzeKerasConfig } from '../../src/engine/frontends/json/kerasConfig';
import { fixText } from '../../src/cli/files';
import { readKerasArchive, readKerasH5 } from '../../src/engine/frontends/json/savedModels';
import { getLinter, readFixture } from './helpers';

const key = (f: Finding) => `${f.code} ${f.model} ${f.layer}`;
const keys = (fs: Finding[]) => fs.map(key);
/** IL007 judges a chain: fixing a constant layer that broke one may reveal it (as in fixes.test.ts). */
const layerKeys = (fs: Finding[]) => fs.filter((f) => f.code !== 'IL007').map(key);

async function analyze(text: string, file = 'model.json', options: Parameters<typeof getLinter>[0] = {}): Promise<Analysis> {
  return (await getLinter(options)).analyze(text, file);
}

/** Python's json.dumps with default separators (what model.to_json() writes), for JS values. */
function pyDumps(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(pyDumps).join(', ')}]`;
  if (v && typeof v === 'object')
    return `{${Object.entries(v)
      .map(([k, x]) => `${JSON.stringify(k)}: ${pyDumps(x)}`)
      .join(', ')}}`;
  return JSON.stringify(v);
}

/** Every weighted layer of the first model: label, fans, activation, normalization. */
function layersOf(a: Analysis) {
  return a.models[0].layers.map((l) => ({
    label: l.label,
    fanIn: l.fanIn,
    fanOut: l.fanOut,
    act: l.activation.info.name,
    normalized: l.normalized,
    normalizedBefore: l.normalizedBefore,
  }));
}

const FIXTURES: Record<string, { findings: string[]; framework: 'keras' | 'tfjs' }> = {
  'kerasjson/keras2_sequential.json': {
    framework: 'keras',
    findings: ['IL001 mlp_classifier Dense(256)', 'IL002 mlp_classifier Dense(128)', 'IL005 mlp_classifier Dense(64)', 'IL003 mlp_classifier Dense(32)'],
  },
  'kerasjson/keras2_functional.json': {
    framework: 'keras',
    findings: ['IL001 residual_regressor Dense(64)', 'IL002 residual_regressor Dense(16)'],
  },
  'kerasjson/keras3_config.json': {
    framework: 'keras',
    // The convolutions reach the BatchNormalization through ReLU and pooling only: their scale is removed, not judged.
    findings: ['IL006 digits_cnn Dense(128)', 'IL002 digits_cnn Dense(64)'],
  },
  'kerasjson/keras3_nested.json': {
    framework: 'keras',
    findings: [
      'IL004 autoencoder Dense(32)',
      'IL001 autoencoder Dense(16)',
      'IL003 autoencoder Dense(32)',
      // The sigmoid output layer: IL002 judges hidden tanh layers only.
    ],
  },
  'kerasjson/tfjs_model.json': {
    framework: 'tfjs',
    findings: ['IL002 mnist_cnn Dense(128)', 'IL003 mnist_cnn Dense(64)'],
  },
};

describe('Keras JSON configs: findings', () => {
  for (const [file, expected] of Object.entries(FIXTURES)) {
    test(file, async () => {
      const text = readFixture(file);
      const a = await analyze(text, file);
      assert.deepEqual(a.errors, []);
      assert.equal(a.models.length, 1);
      assert.equal(a.models[0].framework, expected.framework);
      assert.deepEqual(keys(a.findings), expected.findings);
      for (const f of a.findings) {
        // The finding stands on the layer's object; its fix edits that layer's kernel_initializer.
        const layer = JSON.parse(text.slice(f.start, f.end));
        assert.equal(`${layer.class_name}(${layer.config.units ?? layer.config.filters})`, f.layer);
        assert.ok(f.fix, `${key(f)} has a fix`);
        assert.equal(f.fix.edits.length, 1);
        const e = f.fix.edits[0];
        assert.ok(e.start > f.start && e.end < f.end, 'the edit lies inside the layer object');
        assert.deepEqual(JSON.parse(text.slice(e.start, e.end)), layer.config.kernel_initializer);
      }
    });
  }

  test('non-model JSON is not judged: no findings, no errors, skipped', async () => {
    for (const file of ['kerasjson/package.json', 'kerasjson/tsconfig.json', 'kerasjson/labels.json']) {
      const text = readFixture(file);
      assert.equal(analyzeKerasConfig(text), undefined, file);
      const a = await analyze(text, file.slice(file.lastIndexOf('/') + 1));
      assert.deepEqual(a.findings, [], file);
      assert.deepEqual(a.errors, [], file);
      assert.equal(a.skipped, 'no model in this file');
    }
  });

  test('JSON that names no Keras keys is not even parsed', () => {
    // A parse would report the syntax error; the substring test answers first.
    assert.equal(analyzeKerasConfig('{"name": "x", "deps": [1, 2'), undefined);
    assert.equal(analyzeKerasConfig(''), undefined);
  });
});

describe('Keras JSON configs: fans, activations, normalization', () => {
  test('Keras 2 Sequential: fans through InputLayer, Dropout and BatchNormalization; next-layer activations', async () => {
    const a = await analyze(readFixture('kerasjson/keras2_sequential.json'));
    assert.deepEqual(layersOf(a), [
      { label: 'Dense(256)', fanIn: 784, fanOut: 256, act: 'relu', normalized: false, normalizedBefore: false },
      { label: 'Dense(128)', fanIn: 256, fanOut: 128, act: 'tanh', normalized: false, normalizedBefore: false },
      { label: 'Dense(64)', fanIn: 128, fanOut: 64, act: 'relu', normalized: true, normalizedBefore: false },
      { label: 'Dense(64)', fanIn: 64, fanOut: 64, act: 'leaky_relu', normalized: false, normalizedBefore: true },
      { label: 'Dense(32)', fanIn: 64, fanOut: 32, act: 'relu', normalized: false, normalizedBefore: false },
      { label: 'Dense(10)', fanIn: 32, fanOut: 10, act: 'softmax', normalized: false, normalizedBefore: false },
    ]);
    assert.equal(a.models[0].layers[3].activation.info.alpha, 0.20000000298023224);
  });

  test('Keras 3: conv fans are receptive field x channels; Dense after Flatten reads build_config', async () => {
    const a = await analyze(readFixture('kerasjson/keras3_config.json'));
    const [c1, c2, c3, d1] = a.models[0].layers;
    assert.deepEqual([c1.fanIn, c1.fanOut, c1.receptiveField], [9, 288, 9]);
    assert.deepEqual([c2.fanIn, c2.fanOut], [288, 576]);
    assert.equal(c3.normalized, true);
    assert.equal(c3.activation.info.name, 'relu');
    assert.deepEqual([d1.fanIn, d1.fanOut, d1.normalizedBefore], [5184, 128, true]);
  });

  test('without build_config the shapes are tracked through pooling and Flatten', async () => {
    const cfg = JSON.parse(readFixture('kerasjson/keras3_config.json'));
    for (const l of cfg.config.layers) delete l.build_config;
    delete cfg.config.build_input_shape;
    const a = await analyze(JSON.stringify(cfg, null, 2));
    assert.deepEqual(
      a.models[0].layers.map((l) => l.fanIn),
      [9, 288, 576, 5184, 128, 64],
    );
  });

  test('functional: TFOpLambda activations, a tensor read twice stays linear, Concatenate adds widths', async () => {
    const a = await analyze(readFixture('kerasjson/keras2_functional.json'));
    assert.deepEqual(
      layersOf(a).map((l) => `${l.label} ${l.fanIn} ${l.act}`),
      ['Dense(64) 32 relu', 'Dense(64) 64 relu', 'Dense(64) 64 linear', 'Dense(16) 96 tanh', 'Dense(1) 16 linear'],
    );
  });

  test('nested model: its layers join the outer model; an outer activation closes its last layer; Keras 3 ops', async () => {
    const a = await analyze(readFixture('kerasjson/keras3_nested.json'));
    assert.deepEqual(
      layersOf(a).map((l) => `${l.label} ${l.fanIn} ${l.act}`),
      ['Dense(32) 64 relu', 'Dense(32) 32 relu', 'Dense(16) 32 leaky_relu', 'Dense(32) 16 relu', 'Dense(64) 32 sigmoid'],
    );
  });

  test('a nested Keras 2 Sequential without its own input shape takes the outer tensor', async () => {
    const inner = {
      class_name: 'Sequential',
      config: {
        name: 'block',
        layers: [
          {
            class_name: 'Dense',
            config: { name: 'd', units: 48, activation: 'relu', kernel_initializer: { class_name: 'GlorotUniform', config: { seed: null } } },
          },
        ],
      },
      name: 'block',
      inbound_nodes: [[['inp', 0, 0, {}]]],
    };
    const model = {
      class_name: 'Functional',
      config: {
        name: 'outer',
        layers: [{ class_name: 'InputLayer', config: { batch_input_shape: [null, 20], name: 'inp' }, name: 'inp', inbound_nodes: [] }, inner],
        input_layers: [['inp', 0, 0]],
        output_layers: [['block', 0, 0]],
      },
      keras_version: '2.11.0',
      backend: 'tensorflow',
    };
    const a = await analyze(pyDumps(model));
    assert.deepEqual(
      layersOf(a).map((l) => `${l.label} ${l.fanIn}`),
      ['Dense(48) 20'],
    );
    // The only weighted layer is the output layer, still judged for its activation.
    assert.deepEqual(keys(a.findings), ['IL001 outer Dense(48)']);
  });

  test('TF.js: fans from the weights manifest, and from the shapes without it', async () => {
    const text = readFixture('kerasjson/tfjs_model.json');
    const a = await analyze(text);
    assert.deepEqual(
      a.models[0].layers.map((l) => [l.fanIn, l.fanOut]),
      [
        [9, 288],
        [288, 576],
        [7744, 128],
        [128, 64],
        [64, 10],
      ],
    );
    const noManifest = JSON.parse(text);
    delete noManifest.weightsManifest;
    const b = await analyze(JSON.stringify(noManifest));
    assert.deepEqual(
      b.models[0].layers.map((l) => [l.fanIn, l.fanOut]),
      [
        [9, 288],
        [288, 576],
        [7744, 128],
        [128, 64],
        [64, 10],
      ],
    );
    // TF.js truncated normals are not corrected: Var = 0.774 x 2/fan_in.
    assert.ok(Math.abs(a.models[0].layers[2].init.spec.truncation - 0.7737) < 1e-3);
  });

  test('Conv2DTranspose swaps the fans; old Keras Sequential configs are a bare layer list', async () => {
    const model = {
      class_name: 'Sequential',
      config: [
        {
          class_name: 'Conv2DTranspose',
          config: {
            name: 'up',
            filters: 16,
            kernel_size: [3, 3],
            strides: [2, 2],
            padding: 'same',
            activation: 'relu',
            batch_input_shape: [null, 7, 7, 8],
            kernel_initializer: { class_name: 'HeNormal', config: { seed: null } },
          },
        },
        {
          class_name: 'Conv2D',
          config: {
            name: 'out',
            filters: 1,
            kernel_size: 3,
            activation: 'sigmoid',
            kernel_initializer: { class_name: 'GlorotUniform', config: { seed: null } },
          },
        },
      ],
      keras_version: '2.2.4',
      backend: 'tensorflow',
    };
    const a = await analyze(pyDumps(model));
    assert.deepEqual(
      a.models[0].layers.map((l) => [l.kind, l.fanIn, l.fanOut]),
      [
        ['conv_transpose', 144, 72],
        ['conv', 144, 9],
      ],
    );
    assert.equal(a.models[0].name, 'sequential');
  });

  test('a TF.js topology converted from Keras (model_config wrapper) is judged with TF.js semantics', async () => {
    const model = {
      format: 'layers-model',
      generatedBy: 'keras v2.11.0',
      convertedBy: 'TensorFlow.js Converter v4.22.0',
      modelTopology: {
        keras_version: '2.11.0',
        backend: 'tensorflow',
        model_config: {
          class_name: 'Sequential',
          config: {
            name: 'converted',
            layers: [
              {
                class_name: 'Dense',
                config: {
                  name: 'dense',
                  units: 8,
                  activation: 'selu',
                  batch_input_shape: [null, 4],
                  kernel_initializer: { class_name: 'GlorotUniform', config: { seed: null } },
                },
              },
              {
                class_name: 'Dense',
                config: { name: 'dense_1', units: 1, activation: 'linear', kernel_initializer: { class_name: 'GlorotUniform', config: { seed: null } } },
              },
            ],
          },
        },
      },
      weightsManifest: [],
    };
    const text = JSON.stringify(model);
    const a = await analyze(text);
    assert.equal(a.models[0].framework, 'tfjs');
    const f = a.findings.find((x) => x.code === 'IL006');
    assert.ok(f?.fix);
    assert.equal(f.fix.title, 'Use LeCunNormal');
    assert.equal(f.fix.edits[0].newText, '{"class_name":"LeCunNormal","config":{"seed":null}}');
    assert.deepEqual(keys((await analyze(applyEdits(text, f.fix.edits))).findings), []);
  });
});

describe('Keras JSON configs: quick fixes', () => {
  for (const file of Object.keys(FIXTURES)) {
    test(`every fix of ${file}: removes its finding, stays valid JSON, idempotent`, async () => {
      const linter = await getLinter();
      const text = readFixture(file);
      const before = linter.lint(text, file);
      for (const f of before.filter((x) => x.fix)) {
        const fixed = applyEdits(text, f.fix!.edits);
        assert.notEqual(fixed, text);
        assert.doesNotThrow(() => JSON.parse(fixed), `${key(f)}: valid JSON`);
        if (!text.includes('\n')) assert.ok(!fixed.includes('\n'), `${key(f)}: a one-line file stays one line`);
        const after = layerKeys(linter.lint(fixed, file));
        const remaining = layerKeys(before);
        remaining.splice(remaining.indexOf(key(f)), 1);
        assert.deepEqual(after, remaining, `${key(f)}: that finding is gone and no other appears`);
      }
      const once = fixText(text, linter.analyze(text, file), (t) => linter.analyze(t, file));
      assert.equal(once.applied, before.filter((x) => x.fix).length);
      assert.doesNotThrow(() => JSON.parse(once.text));
      assert.deepEqual(
        linter.lint(once.text, file).filter((x) => x.fix),
        [],
      );
      const twice = fixText(once.text, linter.analyze(once.text, file), (t) => linter.analyze(t, file));
      assert.equal(twice.text, once.text);
      assert.equal(twice.applied, 0);
    });
  }

  test('compact to_json() output stays one line in Python separators', async () => {
    const text = readFixture('kerasjson/keras2_sequential.json');
    const a = await analyze(text);
    for (const f of a.findings) {
      const { newText } = f.fix!.edits[0];
      assert.equal(newText, pyDumps(JSON.parse(newText)));
    }
    assert.deepEqual(
      a.findings.map((f) => f.fix!.edits[0].newText),
      [
        '{"class_name": "HeNormal", "config": {"seed": null}}',
        '{"class_name": "GlorotUniform", "config": {"seed": null}}',
        '{"class_name": "HeNormal", "config": {"seed": null}}',
        '{"class_name": "HeNormal", "config": {"seed": null}}',
      ],
    );
  });

  test('Keras 3 keys are kept in order; a seed is kept', async () => {
    const text = readFixture('kerasjson/keras3_nested.json');
    const a = await analyze(text);
    assert.equal(
      a.findings[0].fix!.edits[0].newText,
      '{"module": "keras.initializers", "class_name": "HeNormal", "config": {"seed": null}, "registered_name": null}',
    );
    const pretty = readFixture('kerasjson/keras3_config.json');
    // The seeded convolution is judged once the BatchNormalization after it is not taken into account.
    const b = await analyze(pretty, 'model.json', { normalizationAware: false });
    const conv = JSON.parse(b.findings[0].fix!.edits[0].newText);
    assert.deepEqual(conv, { module: 'keras.initializers', class_name: 'HeNormal', config: { seed: 42 }, registered_name: null });
    assert.deepEqual(
      b.findings.map((f) => f.fix!.title),
      ['Use HeNormal', 'Use HeNormal', 'Use LecunNormal', 'Use GlorotUniform'],
    );
  });

  test('pretty-printed files keep their indentation, relative to the line the value starts on', async () => {
    const text = readFixture('kerasjson/keras3_config.json');
    const a = await analyze(text);
    for (const f of a.findings) {
      const e = f.fix!.edits[0];
      const lineStart = text.lastIndexOf('\n', e.start) + 1;
      const base = /^ */.exec(text.slice(lineStart))![0];
      assert.equal(e.newText, JSON.stringify(JSON.parse(e.newText), null, 4).split('\n').join(`\n${base}`));
    }
    // Fixing everything leaves the file exactly as json.dumps(indent=4) would write it.
    const linter = await getLinter();
    const once = fixText(text, a, (t) => linter.analyze(t, 'model.json')).text;
    assert.equal(once, JSON.stringify(JSON.parse(once), null, 4));
  });

  for (const [name, indent] of [
    ['2 spaces', 2],
    ['tabs', '\t'],
  ] as const) {
    test(`every fixture re-indented with ${name} stays in that style after fixing all`, async () => {
      const linter = await getLinter();
      for (const file of Object.keys(FIXTURES)) {
        const text = JSON.stringify(JSON.parse(readFixture(file)), null, indent);
        const a = linter.analyze(text, file);
        assert.deepEqual(keys(a.findings), FIXTURES[file].findings, file);
        const once = fixText(text, a, (t) => linter.analyze(t, file)).text;
        assert.notEqual(once, text);
        assert.equal(once, JSON.stringify(JSON.parse(once), null, indent), file);
      }
    });
  }

  test('minified TF.js stays minified; CRLF files get CRLF', async () => {
    const tfjs = readFixture('kerasjson/tfjs_model.json');
    for (const f of (await analyze(tfjs)).findings) {
      assert.equal(f.fix!.edits[0].newText, JSON.stringify(JSON.parse(f.fix!.edits[0].newText)));
    }
    const crlf = JSON.stringify(JSON.parse(readFixture('kerasjson/keras2_sequential.json')), null, 2).replace(/\n/g, '\r\n');
    const linter = await getLinter();
    const once = fixText(crlf, linter.analyze(crlf, 'm.json'), (t) => linter.analyze(t, 'm.json')).text;
    assert.ok(!/[^\r]\n/.test(once), 'no bare LF');
    assert.equal(once, JSON.stringify(JSON.parse(once), null, 2).replace(/\n/g, '\r\n'));
  });

  test('string initializers keep their spelling; null is replaced in the shape of the other initializers', async () => {
    const layer = (init: unknown, bias: unknown = { class_name: 'Zeros', config: {} }) =>
      pyDumps({
        class_name: 'Sequential',
        config: {
          name: 's',
          layers: [
            {
              class_name: 'Dense',
              config: { name: 'a', units: 8, activation: 'relu', batch_input_shape: [null, 4], kernel_initializer: init, bias_initializer: bias },
            },
            { class_name: 'Dense', config: { name: 'b', units: 1, kernel_initializer: 'glorot_uniform' } },
          ],
        },
      });
    const fixOf = async (text: string) => {
      const f = (await analyze(text)).findings[0];
      assert.equal(f.code, 'IL001');
      const fixed = applyEdits(text, f.fix!.edits);
      assert.deepEqual((await analyze(fixed)).findings, []);
      return JSON.parse(fixed).config.layers[0].config.kernel_initializer;
    };
    assert.equal(await fixOf(layer('glorot_uniform')), 'he_normal');
    assert.equal(await fixOf(layer('GlorotUniform')), 'HeNormal');
    assert.deepEqual(await fixOf(layer(null)), { class_name: 'HeNormal', config: { seed: null } });
    assert.deepEqual(await fixOf(layer(null, { module: 'keras.initializers', class_name: 'Zeros', config: {}, registered_name: null })), {
      module: 'keras.initializers',
      class_name: 'HeNormal',
      config: { seed: null },
      registered_name: null,
    });
    assert.equal(await fixOf(layer(null, null)), 'he_normal');
  });

  test('a layer without kernel_initializer is judged with the default and offers no fix', async () => {
    const text = pyDumps({
      class_name: 'Sequential',
      config: {
        name: 's',
        layers: [
          { class_name: 'Dense', config: { name: 'a', units: 8, activation: 'relu', batch_input_shape: [null, 4] } },
          { class_name: 'Dense', config: { name: 'b', units: 1 } },
        ],
      },
    });
    const a = await analyze(text);
    assert.deepEqual(keys(a.findings), ['IL001 s Dense(8)']);
    assert.equal(a.findings[0].fix, undefined);
  });
});

describe('Keras JSON configs: malformed input', () => {
  test('a truncated file: no throw, a syntax error reported, no fixes offered', async () => {
    const text = readFixture('kerasjson/keras3_config.json');
    const cut = text.slice(0, Math.floor(text.length * 0.6));
    const a = await analyze(cut);
    assert.ok(a.errors.length > 0);
    assert.match(a.errors[0], /^JSON syntax error at line \d+, column \d+: /);
    assert.ok(a.findings.every((f) => !f.fix && f.end <= cut.length));
    // Above the cut: three convolutions, the third normalized (which exempts all three); judged when that is off.
    assert.deepEqual(
      a.models[0].layers.map((l) => l.label),
      ['Conv2D(32)', 'Conv2D(64)', 'Conv2D(64)'],
    );
    const strict = await analyze(cut, 'model.json', { normalizationAware: false });
    assert.ok(
      strict.findings.some((f) => f.code === 'IL001'),
      'complete layers above the cut are still judged',
    );
  });

  test('trailing garbage: reported, the model itself still judged', async () => {
    const text = `${readFixture('kerasjson/keras2_sequential.json')}\n}garbage`;
    const a = await analyze(text);
    assert.match(a.errors.join('\n'), /JSON syntax error at line 2, column 1/);
    assert.deepEqual(keys(a.findings), FIXTURES['kerasjson/keras2_sequential.json'].findings);
  });

  test('broken fragments that look like configs report errors and never throw', async () => {
    const fragments = [
      '{"class_name": "Sequential", "config": ',
      '{"class_name": "Sequential", "config": {"layers": [{"class_name": "Dense", "config": {"units": 4, "kernel_initializer": {"class_name": "Zeros", "config": {',
      '{"class_name": "Sequential", "config": {"layers": [1, "x", null, {"class_name": 3}, {"class_name": "Dense", "config": 7}]}}',
      '{"class_name": "Functional", "config": {"layers": [{"class_name": "Dense", "name": "a", "inbound_nodes": [[["a", 0, 0, {}]]], "config": {"units": 2}}, {"class_name": "Dense", "name": "b", "inbound_nodes": [[["c", 0, 0]]], "config": {"units": 2}}, {"class_name": "Dense", "name": "c", "inbound_nodes": [[["b", 0, 0]]], "config": {"units": 2}}]}}',
      `{"class_name": "x", "config": ${'['.repeat(50000)}`,
      `{"class_name": "Sequential", "config": {"layers": [${'{"class_name": "Sequential", "config": {"layers": ['.repeat(20000)}`,
      `{"class_name": "Sequential", "config": {"layers": [${'{"class_name": "Sequential", "config": {"layers": ['.repeat(500)}]}}]}}`,
      '{"class_name": "Sequential", "config": {"layers": []}} // comment',
    ];
    for (const text of fragments) {
      assert.doesNotThrow(
        () => {
          analyzeKerasConfig(text);
        },
        text.slice(0, 80),
      );
      const a = await analyze(text);
      assert.deepEqual(
        a.errors.filter((e) => /could not analyze/.test(e)),
        [],
        text.slice(0, 80),
      );
    }
    assert.ok((await analyze(fragments[0])).errors.length > 0);
    assert.ok((await analyze(fragments[7])).errors.some((e) => /comments are not allowed/.test(e)));
    assert.deepEqual(analyzeKerasConfig(fragments[4])?.errors, ['JSON could not be parsed: nested too deeply']);
  });
});

describe('.keras archives', () => {
  test('config.json is read from the zip; the weights are not inflated', async () => {
    const config = readFixture('kerasjson/keras3_config.json');
    const zip = zipSync({
      'metadata.json': strToU8('{"keras_version": "3.6.0", "date_saved": "2024-11-02@10:12:44"}'),
      'config.json': strToU8(config),
      'model.weights.h5': new Uint8Array(4096).fill(7),
    });
    const r = readKerasArchive(zip);
    assert.ok('text' in r, JSON.stringify(r));
    assert.equal(r.text, config);
    assert.deepEqual(keys((await analyze(r.text)).findings), FIXTURES['kerasjson/keras3_config.json'].findings);
  });

  test('a buffer that is not a zip', () => {
    assert.deepEqual(readKerasArchive(strToU8(readFixture('kerasjson/keras3_config.json'))), { error: 'not a zip archive' });
    assert.deepEqual(readKerasArchive(new Uint8Array(0)), { error: 'not a zip archive' });
    const corrupt = new Uint8Array(64).fill(0x41);
    corrupt[0] = 0x50;
    corrupt[1] = 0x4b;
    const r = readKerasArchive(corrupt);
    assert.ok('error' in r && r.error.startsWith('not a zip archive'), JSON.stringify(r));
  });

  test('a zip without config.json', () => {
    const zip = zipSync({ 'metadata.json': strToU8('{}'), 'variables/config.json.bak': strToU8('{}') });
    assert.deepEqual(readKerasArchive(zip), { error: 'no config.json in the archive' });
  });

  /** Rewrites config.json's entry in the zip's local header and central directory. */
  function patchEntry(zip: Uint8Array, patch: { method?: number; size?: number }): Uint8Array {
    const out = zip.slice();
    const view = new DataView(out.buffer);
    const name = 'config.json';
    for (let i = 0; i + 46 < out.length; i++) {
      const sig = view.getUint32(i, true);
      const offsets = sig === 0x04034b50 ? [8, 22, 26, 30] : sig === 0x02014b50 ? [10, 24, 28, 46] : undefined;
      if (!offsets) continue;
      const [methodAt, sizeAt, nameLenAt, nameAt] = offsets;
      const len = view.getUint16(i + nameLenAt, true);
      if (new TextDecoder().decode(out.subarray(i + nameAt, i + nameAt + len)) !== name) continue;
      if (patch.method !== undefined) view.setUint16(i + methodAt, patch.method, true);
      if (patch.size !== undefined) view.setUint32(i + sizeAt, patch.size, true);
    }
    return out;
  }

  test('an archive readers cannot trust: its real problem named, never "no problems"', () => {
    const config = readFixture('kerasjson/keras3_config.json');
    const zip = zipSync({ 'config.json': strToU8(config), 'metadata.json': strToU8('{}') });
    assert.deepEqual(readKerasArchive(patchEntry(zip, { method: 12 })), {
      error: 'config.json is compressed with bzip2, which initlint does not read: save the model again with Keras (deflate)',
    });
    assert.deepEqual(readKerasArchive(patchEntry(zip, { size: 0 })), {
      error: "config.json's size in the archive's header (0 bytes) does not match its content: the archive is damaged",
    });
    const larger = readKerasArchive(patchEntry(zip, { size: strToU8(config).length + 1000 }));
    assert.ok('error' in larger && /does not match its content|damaged/.test(larger.error), JSON.stringify(larger));
  });
});

describe('a model.json holding the config as one JSON string (json.dump(model.to_json(), f))', () => {
  test('the inner config is judged like the plain one; findings stand on the string, without fixes', async () => {
    const plain = readFixture('kerasjson/keras2_sequential.json');
    const doubled = JSON.stringify(plain);
    const a = await analyze(doubled);
    assert.deepEqual(a.errors, []);
    assert.deepEqual(keys(a.findings).sort(), [...FIXTURES['kerasjson/keras2_sequential.json'].findings].sort());
    assert.ok(
      a.findings.every((f) => f.line === 1 && f.fix === undefined),
      JSON.stringify(a.findings.map((f) => [f.line, !!f.fix])),
    );
    // A JSON string that is not a model config, and a plain string, are not judged.
    assert.equal(analyzeKerasConfig(JSON.stringify('{"a": 1}')), undefined);
    assert.equal(analyzeKerasConfig('"hello"'), undefined);
  });
});

describe('.h5 files', () => {
  test('bytes that are not HDF5, and HDF5 that cannot be read, are errors', () => {
    assert.deepEqual(readKerasH5(strToU8(readFixture('kerasjson/keras2_sequential.json'))), { error: 'not an HDF5 file' });
    assert.deepEqual(readKerasH5(new Uint8Array(0)), { error: 'not an HDF5 file' });
    const truncated = new Uint8Array(64);
    truncated.set([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);
    const r = readKerasH5(truncated);
    assert.ok('error' in r && r.error.startsWith('HDF5 file could not be read'), JSON.stringify(r));
    // The reader throws no Error here: the message still says something.
    assert.doesNotMatch((r as { error: string }).error, /undefined/);
  });
});
