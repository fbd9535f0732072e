/**
 * Each Keras fixture marks the lines where a finding must start (`# expect: IL00x`); every other
 * line must stay silent. So each rule is shown to fire where it should and to keep quiet where
 * the code is right (He with ReLU, Glorot with tanh, a GPT block, BatchNorm before ReLU...).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { expectations, fixtureFiles, getLinter, readFixture } from './helpers';
import { fileSuppressionLine } from '../../src/engine/suppression';

describe('Keras, PyTorch and Flax fixtures: findings exactly where marked', () => {
  for (const file of [...fixtureFiles('keras'), ...fixtureFiles('pytorch'), ...fixtureFiles('flax')]) {
    test(file, async () => {
      const linter = await getLinter();
      const text = readFixture(file);
      const analysis = linter.analyze(text, file);
      const got = analysis.findings.map((f) => `${f.line} ${f.code}`).sort();
      assert.deepEqual(got, expectations(text));
      assert.deepEqual(analysis.errors, [], 'fixtures parse cleanly');
    });
  }
});

describe('numbers in messages', () => {
  test('IL001 on Dense 64 -> 64: name and verdict first, the advice, the gain and its effect over the segment', async () => {
    const linter = await getLinter();
    const text = [
      'from tensorflow import keras',
      'm = keras.Sequential([keras.layers.Dense(64, activation="relu", input_shape=(64,)), keras.layers.Dense(64)])',
    ].join('\n');
    const [f] = linter.lint(text, 'm.py');
    assert.equal(f.code, 'IL001');
    // Glorot on 64 -> 64 is sigma^2 = 1; ReLU keeps half; the linear Glorot output layer keeps the rest.
    assert.equal(
      f.message,
      'relu-init-mismatch: glorot_uniform (Keras default) under relu keeps 0.50 of the variance per layer (x0.50 over this 2-layer segment); use He normal.',
    );
    assert.equal(f.model, 'm');
    assert.equal(f.layer, 'Dense(64)');
  });

  test('IL001 judges by the forward gain: Glorot on 784 -> 10 under ReLU keeps 0.99 and is fine; LeCun keeps 0.50 at any fan_in', async () => {
    const linter = await getLinter();
    const model = (layer: string) => `from tensorflow import keras\nm = keras.Sequential([keras.layers.${layer}, keras.layers.Dense(10)])\n`;
    assert.deepEqual(linter.lint(model('Dense(10, activation="relu", input_shape=(784,))'), 'a.py'), []);
    assert.deepEqual(
      linter.lint(model('Dense(256, activation="relu", input_shape=(784,))'), 'b.py').map((f) => f.message.match(/keeps ([\d.]+)/)?.[1]),
      ['0.75'],
    );
    // fan_in unknown: LeCun's sigma^2 = 1 is known all the same (Var scales as 1/fan_in).
    const lecun = 'from tensorflow import keras\ndef f(x):\n    return keras.layers.Dense(64, activation="relu", kernel_initializer="lecun_normal")(x)\n';
    assert.deepEqual(
      linter.lint(lecun, 'c.py').map((f) => f.code),
      ['IL001'],
    );
  });

  test('IL007 gives the compounded ratio and the depth', async () => {
    const linter = await getLinter();
    const f = linter.lint(readFixture('keras/deep_chain.py'), 'deep_chain.py').find((x) => x.code === 'IL007');
    assert.ok(f);
    assert.match(f.message, /^depth-compounding: along 12 layers from Dense\(256\) the signal shrinks x2\.44e-4 forward \(x0\.50 per layer/);
    assert.equal(f.severity, 'info');
    assert.equal(f.fix, undefined, 'IL007 has no quick fix');
  });

  test('IL007 past the largest number: the product says "> 1e300", the factor per layer its own value', async () => {
    // 64 layers of Var(w) = 1e6 at fan_in 4096 under ReLU: chi = 4096 x 1e6 / 2 = 2.05e9 per layer;
    // the per-layer factor was the 64th root of an overflowed product, "> 1e300" too.
    const linter = await getLinter();
    const text = [
      'import torch.nn as nn',
      'class Net(nn.Module):',
      '    def __init__(self):',
      '        super().__init__()',
      '        self.fcs = nn.ModuleList([nn.Linear(4096, 4096) for _ in range(64)])',
      '        self.out = nn.Linear(4096, 1)',
      '        for l in self.fcs:',
      '            nn.init.normal_(l.weight, std=1e3)',
      '    def forward(self, x):',
      '        for l in self.fcs:',
      '            x = nn.functional.relu(l(x))',
      '        return self.out(x)',
    ].join('\n');
    const f = linter.lint(text, 'overflow.py').find((x) => x.code === 'IL007');
    assert.ok(f);
    assert.match(f.message, /grows x> 1e300 (forward|backward) \(x2\.05e\+?9 per layer/);
  });

  test('diagnostic ranges: the initializer when written, the constructor call when defaulted', async () => {
    const linter = await getLinter();
    const text = readFixture('keras/sequential.py');
    const findings = linter.lint(text, 'sequential.py');
    const written = findings.find((f) => f.line === 10)!;
    assert.equal(text.slice(written.start, written.end), '"glorot_uniform"');
    const defaulted = findings.find((f) => f.line === 9)!;
    assert.ok(text.slice(defaulted.start, defaulted.end).startsWith('layers.Dense(256, activation="relu"'));
  });

  test('related information points at the activation the rule paired', async () => {
    const linter = await getLinter();
    const text = [
      'from tensorflow import keras',
      'from tensorflow.keras import layers',
      'inputs = keras.Input(shape=(256,))',
      'x = layers.Dense(256)(inputs)',
      'x = layers.Activation("relu")(x)',
      'outputs = layers.Dense(10)(x)',
    ].join('\n');
    const f = linter.lint(text, 'functional.py').find((x) => x.line === 4)!;
    assert.equal(f.related.length, 1);
    assert.equal(f.related[0].line, 5);
    assert.match(f.related[0].message, /relu/);
  });
});

describe('settings', () => {
  test('normalizationAware off judges layers behind BatchNorm too', async () => {
    const text = readFixture('keras/convnet_bn.py');
    assert.equal((await getLinter()).lint(text, 'c.py').length, 0);
    const strict = await getLinter({ normalizationAware: false });
    assert.deepEqual(
      strict.lint(text, 'c.py').map((f) => f.code),
      ['IL001'],
    );
  });

  test('rules overrides change severity or turn a rule off; select and ignore filter', async () => {
    const text = readFixture('keras/output_layers.py');
    assert.deepEqual(
      (await getLinter({ rules: { IL003: 'warning' } })).lint(text, 'o.py').map((f) => f.severity),
      ['warning', 'warning'],
    );
    assert.equal((await getLinter({ rules: { IL003: 'off' } })).lint(text, 'o.py').length, 0);
    assert.equal((await getLinter({ ignore: ['IL003'] })).lint(text, 'o.py').length, 0);
    assert.equal((await getLinter({ select: ['IL001'] })).lint(text, 'o.py').length, 0);
  });

  test('withSettings: another linter with its own settings, the same grammars and parse cache', async () => {
    const text = readFixture('keras/output_layers.py');
    const base = await getLinter();
    const mild = base.withSettings({ rules: { IL003: 'info' } });
    const quiet = base.withSettings({ rules: { IL003: 'off' } });
    assert.deepEqual(
      mild.lint(text, 'shared.py').map((f) => f.severity),
      ['info', 'info'],
    );
    assert.equal(quiet.lint(text, 'shared.py').length, 0);
    // Zeros followed by a constant layer stays interchangeable (error); Constant(0.5) followed by a random layer only starts identical (warning).
    assert.deepEqual(
      base.lint(text, 'shared.py').map((f) => f.severity),
      ['error', 'warning'],
    );
    assert.deepEqual(base.withSettings({ rules: { IL001: 'loud' } } as never).settingsProblems.length, 1);
    base.forget('shared.py');
  });

  test('bad settings are reported and ignored, not thrown', async () => {
    const l = await getLinter({ rules: { IL999: 'off', IL001: 'loud' } } as never);
    assert.equal(l.settingsProblems.length, 2);
    assert.equal(l.settings.rules.IL001, undefined);
  });

  test('a directive inside a string literal silences nothing; the same text in a comment does', async () => {
    const linter = await getLinter();
    const py = (line: string) => `from tensorflow.keras import layers\n\n\ndef build(x):\n${line}\n    return layers.Dense(1)(x)\n`;
    const dense = 'layers.Dense(64, activation="relu", kernel_initializer="lecun_normal")(x)';
    const inString = py(`    s = "# initlint: disable=IL001"; x = ${dense}`);
    assert.deepEqual(
      linter.lint(inString, 'str.py').map((f) => f.code),
      ['IL001'],
    );
    const inComment = py(`    x = ${dense}  # initlint: disable=IL001`);
    assert.deepEqual(linter.lint(inComment, 'cmt.py'), []);
    const fileInString = `X = "# initlint: disable-file"\n${py(`    x = ${dense}`)}`;
    assert.deepEqual(
      linter.lint(fileInString, 'str2.py').map((f) => f.code),
      ['IL001'],
    );
    const js = (tail: string) =>
      `import * as tf from '@tensorflow/tfjs';\nconst m = tf.sequential({layers: [tf.layers.dense({units: 8, activation: 'relu', inputShape: [4]})]});${tail}\n`;
    assert.deepEqual(
      linter.lint(js(" const s = '// initlint: disable=IL001';"), 'str.js').map((f) => f.code),
      ['IL001'],
    );
    assert.deepEqual(linter.lint(js(' // initlint: disable=IL001'), 'cmt.js'), []);
  });

  test('disable-file silences the whole file', async () => {
    const text = `# initlint: disable-file\n${readFixture('keras/sequential.py')}`;
    assert.equal((await getLinter()).lint(text, 's.py').length, 0);
  });

  test('disable-file=CODES silences those codes in the whole file; # noqa as Ruff users write it', async () => {
    const linter = await getLinter();
    const base = readFixture('keras/scales.py');
    const codes = [...new Set(linter.lint(base, 'base.py').map((f) => f.code))].sort();
    assert.ok(codes.length >= 2, codes.join());
    const [first, ...rest] = codes;
    const only = linter.lint(`# initlint: disable-file=${first}\n${base}`, 'one.py').map((f) => f.code);
    assert.ok(!only.includes(first) && rest.every((c) => only.includes(c)), only.join());
    // The directive goes after a shebang and a coding line.
    assert.equal(fileSuppressionLine('#!/usr/bin/env python\n# -*- coding: utf-8 -*-\nimport keras\n'), 2);
    assert.equal(fileSuppressionLine('import keras\n'), 0);
    const py = (tail: string) => `from tensorflow import keras\nm = keras.Sequential([keras.layers.Dense(8, activation="relu", input_shape=(4,))])${tail}\n`;
    assert.deepEqual(
      linter.lint(py(''), 'n0.py').map((f) => f.code),
      ['IL001'],
    );
    assert.deepEqual(linter.lint(py('  # noqa: IL001'), 'n1.py'), []);
    assert.deepEqual(linter.lint(py('  # noqa: E501, IL001'), 'n2.py'), []);
    assert.deepEqual(linter.lint(py('  # noqa'), 'n3.py'), [], 'a bare noqa silences every code, as in Ruff');
    assert.deepEqual(
      linter.lint(py('  # noqa: E501'), 'n4.py').map((f) => f.code),
      ['IL001'],
      "other tools' codes are not ours",
    );
    assert.deepEqual(
      linter.lint(`${py('')}x = "# noqa"\n`, 'n5.py').map((f) => f.code),
      ['IL001'],
    );
  });
});

describe('fixes are built lazily', () => {
  test('a lint builds no fix; reading finding.fix builds it once', async () => {
    const linter = await getLinter();
    const text = readFixture('keras/sequential.py');
    const a = linter.analyze(text, 'lazy.py', { cacheKey: false });
    let calls = 0;
    for (const model of a.models) {
      for (const layer of model.layers) {
        const rewrite = layer.rewrite;
        layer.rewrite = (to) => {
          calls++;
          return rewrite.call(layer, to);
        };
      }
    }
    assert.equal(calls, 0);
    const f = a.findings[0];
    assert.ok(f.fix, 'the fix is there when asked for');
    assert.equal(calls, 1);
    assert.ok(f.fix);
    assert.equal(calls, 1, 'and built once');
    assert.ok(JSON.parse(JSON.stringify(f)).fix.edits.length > 0, 'JSON output still carries it');
  });
});

describe('IL002 states chi at the fixed point', () => {
  test('He normal under tanh: sigma^2 = 2, the gradient grows x1.11 per layer once the signal settles (Schoenholz et al. 2017)', async () => {
    const linter = await getLinter();
    const [f] = linter.lint(readFixture('keras/saturating.py'), 'saturating.py');
    assert.equal(f.code, 'IL002');
    assert.match(f.message, /sigma\^2 = 2\.00 \(critical 1\): the chaotic phase, where the gradient grows x1\.11 per layer once the signal settles/);
  });
});
