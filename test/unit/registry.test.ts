/**
 * The rule registry is the one place a rule is defined: the settings schema in package.json,
 * the README's table, the docs anchors and the fixtures are checked against it, so a new rule
 * that misses one of them fails here. Also the v2 guarantees every rule shares: no message
 * prints Infinity or NaN, a layer with fan_in 0 gets no initializer finding, an unknown
 * activation leaves a layer unjudged, and severityByImpact.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FIXTURES, ROOT, getLinter } from './helpers';
import { RULES, RULE_CODES } from '../../src/engine/rules';
import { explainLayer } from '../../src/engine/explain';
import { BACKEND_PREFERENCES } from '../../src/protocol';

const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

function allFixtureText(dir = FIXTURES): string {
  let out = '';
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out += allFixtureText(p);
    else if (/\.(py|js|ts|json|ipynb)$/.test(e.name)) out += fs.readFileSync(p, 'utf8');
  }
  return out;
}

describe('the rule registry', () => {
  test('codes are IL001.. in order, names are kebab-case and unique', () => {
    assert.deepEqual(
      RULE_CODES,
      RULE_CODES.map((_, i) => `IL00${i + 1}`),
    );
    assert.equal(new Set(RULES.map((r) => r.name)).size, RULES.length);
    for (const r of RULES) assert.match(r.name, /^[a-z]+(-[a-z0-9]+)+$/);
  });

  test('package.json: initlint.rules has exactly one level setting per rule, linking its docs anchor', () => {
    const props = pkg.contributes.configuration.properties['initlint.rules'].properties;
    assert.deepEqual(Object.keys(props), [...RULE_CODES]);
    for (const r of RULES) {
      assert.ok(props[r.code].markdownDescription.includes(`[${r.code} ${r.name}](`), r.code);
      assert.ok(props[r.code].markdownDescription.endsWith(`docs/rules.md#${r.code.toLowerCase()}).`), r.code);
    }
  });

  test('package.json: every engine setting is described, severityByImpact included', () => {
    const props = pkg.contributes.configuration.properties;
    for (const key of ['normalizationAware', 'severityByImpact', 'maxFileSize', 'exclude']) {
      assert.ok(props[`initlint.${key}`]?.markdownDescription, key);
    }
    assert.equal(props['initlint.severityByImpact'].default, false);
  });

  test("package.json: the simulator's backend setting offers exactly the webview's choices, each described", () => {
    const prop = pkg.contributes.configuration.properties['initlint.simulator.backend'];
    assert.deepEqual(prop.enum, [...BACKEND_PREFERENCES]);
    assert.equal(prop.enumDescriptions.length, BACKEND_PREFERENCES.length);
    assert.equal(prop.default, 'auto');
  });

  test('README: the table lists every rule with its name and default severity', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    for (const r of RULES) {
      assert.ok(readme.includes(`| [${r.code}](docs/rules.md#${r.code.toLowerCase()}) | ${r.name} | ${r.severity === 'info' ? 'info' : r.severity} |`), r.code);
    }
  });

  test('docs/rules.md: every rule has its anchor and its section', () => {
    const docs = fs.readFileSync(path.join(ROOT, 'docs', 'rules.md'), 'utf8');
    for (const r of RULES) {
      assert.ok(docs.includes(`<a id="${r.code.toLowerCase()}"></a>`), `${r.code} anchor`);
      assert.ok(docs.includes(`## ${r.code} ${r.name}`), `${r.code} heading`);
    }
  });

  test('every rule fires on at least one fixture, marked with expect:', () => {
    const text = allFixtureText();
    for (const code of RULE_CODES) assert.match(text, new RegExp(`expect: ${code}\\b`), code);
  });
});

describe('v2 guarantees', () => {
  test('no message prints Infinity or NaN: a pooling that shrinks the input to nothing, an exponential that overflows', async () => {
    const linter = await getLinter();
    const text = [
      'from tensorflow import keras',
      'from tensorflow.keras import layers',
      'm = keras.Sequential([',
      '    layers.Conv2D(8, 3, activation="relu", kernel_initializer="lecun_normal", input_shape=(4, 4, 3)),',
      '    layers.MaxPooling2D(8),',
      '    layers.Flatten(),',
      '    layers.Dense(16, activation="relu", kernel_initializer="lecun_normal"),',
      '] + [layers.Dense(512, activation="exponential", kernel_initializer=keras.initializers.RandomNormal(stddev=1.0)) for _ in range(6)] + [',
      '    layers.Dense(1),',
      '])',
    ].join('\n');
    const a = linter.analyze(text, 'm.py');
    for (const f of a.findings) assert.doesNotMatch(f.message, /Infinity|NaN/, f.message);
    for (const model of a.models) {
      for (const layer of model.layers) {
        const e = JSON.stringify(explainLayer(model, layer));
        assert.doesNotMatch(e, /Infinity|NaN|null/, e);
      }
    }
  });

  test('a layer whose fan_in is 0 gets no initializer finding and is explained as unjudged', async () => {
    const linter = await getLinter();
    const text = [
      'from tensorflow import keras',
      'from tensorflow.keras import layers',
      'm = keras.Sequential([',
      '    layers.Conv2D(8, 5, padding="valid", activation="relu", kernel_initializer="lecun_normal", input_shape=(4, 4, 0)),',
      '    layers.Dense(1),',
      '])',
    ].join('\n');
    const a = linter.analyze(text, 'm.py');
    // Zero input channels: 5 x 5 x 0 inputs per unit. LeCun under ReLU would be IL001 otherwise.
    const conv = a.models[0].layers[0];
    assert.equal(conv.fanIn, 0);
    assert.deepEqual(
      a.findings.filter((f) => f.line === 4),
      [],
    );
    assert.match(explainLayer(a.models[0], conv).unjudged ?? '', /fan_in 0/);
  });

  test('an unknown activation leaves the layer unjudged, and the explanation says which name', async () => {
    const linter = await getLinter();
    const text = [
      'from tensorflow import keras',
      'm = keras.Sequential([keras.layers.Dense(64, activation="my_act", kernel_initializer="he_normal", input_shape=(64,)), keras.layers.Dense(1)])',
    ].join('\n');
    const a = linter.analyze(text, 'm.py');
    assert.deepEqual(a.findings, []);
    const e = explainLayer(a.models[0], a.models[0].layers[0]);
    assert.equal(e.unjudged, 'unknown activation "my_act"');
  });

  test('severityByImpact: a two-layer MLP on defaults is information; a 16-layer VGG-style stack stays a warning', async () => {
    const shallow =
      'from tensorflow import keras\nm = keras.Sequential([keras.layers.Dense(64, activation="relu", input_shape=(64,)), keras.layers.Dense(10)])\n';
    const deepLayers = Array.from(
      { length: 16 },
      (_, i) => `    keras.layers.Conv2D(64, 3, padding="same", activation="relu"${i === 0 ? ', input_shape=(32, 32, 64)' : ''}),`,
    );
    const deep = `from tensorflow import keras\nm = keras.Sequential([\n${deepLayers.join('\n')}\n    keras.layers.Flatten(),\n    keras.layers.Dense(10),\n])\n`;
    const plain = await getLinter();
    const byImpact = await getLinter({ severityByImpact: true });
    assert.deepEqual(
      plain.lint(shallow, 's.py').map((f) => `${f.code} ${f.severity}`),
      ['IL001 warning'],
    );
    assert.deepEqual(
      byImpact.lint(shallow, 's.py').map((f) => `${f.code} ${f.severity}`),
      ['IL001 info'],
    );
    const deepFindings = byImpact.lint(deep, 'd.py').filter((f) => f.code === 'IL001');
    assert.ok(deepFindings.length >= 15, `${deepFindings.length} IL001`);
    assert.ok(deepFindings.every((f) => f.severity === 'warning'));
    // A level set per rule always wins.
    const forced = await getLinter({ severityByImpact: true, rules: { IL001: 'error' } });
    assert.deepEqual(
      forced.lint(shallow, 's.py').map((f) => f.severity),
      ['error'],
    );
  });
});
