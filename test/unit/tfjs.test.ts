/**
 * The TF.js front end: each fixture marks the lines where a finding must start
 * (`// expect: IL00x`) and every other line stays silent; fans and variances as TF.js computes
 * them; every quick fix removes its finding without adding one or breaking the parse, in the
 * user's style; and bad input never throws.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Language, Parser } from 'web-tree-sitter';
import { applyEdits } from '../../src/engine/edits';
import type { Finding } from '../../src/engine/linter';
import type { Layer, Model } from '../../src/engine/ir';
import { fixText } from '../../src/cli/files';
import { UNCORRECTED_TRUNCATION_FACTOR } from '../../src/engine/initializers';
import { layerGain, layerVariance } from '../../src/engine/variance';
import { expectations, FIXTURES, getLinter, readFixture } from './helpers';

const TFJS_FIXTURES = fs
  .readdirSync(path.join(FIXTURES, 'tfjs'))
  .filter((f) => /\.(js|ts)$/.test(f))
  .sort()
  .map((f) => `tfjs/${f}`);

const T = UNCORRECTED_TRUNCATION_FACTOR;

const grammars = new Map<string, Promise<Parser>>();
/** A separate parser per grammar, so checks of fixed code do not share the linter's cache. */
function parserFor(file: string): Promise<Parser> {
  const ts = /\.ts$/.test(file);
  const key = ts ? 'typescript' : 'javascript';
  let p = grammars.get(key);
  if (!p) {
    p = (async () => {
      await Parser.init();
      const wasm = ts ? 'tree-sitter-typescript/tree-sitter-typescript.wasm' : 'tree-sitter-javascript/tree-sitter-javascript.wasm';
      const lang = await Language.load(require.resolve(wasm));
      const parser = new Parser();
      parser.setLanguage(lang);
      return parser;
    })();
    grammars.set(key, p);
  }
  return p;
}

async function models(text: string, file = 'm.js'): Promise<Model[]> {
  return (await getLinter()).analyze(text, file).models;
}

function model(ms: Model[], name: string): Model {
  const m = ms.find((x) => x.name === name);
  assert.ok(m, `model ${name} among ${ms.map((x) => x.name).join(', ')}`);
  return m;
}

const close = (a: number | undefined, b: number, what: string) =>
  assert.ok(a !== undefined && Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);

describe('TF.js fixtures: findings exactly where marked', () => {
  test('the fixtures cover JavaScript and TypeScript', () => {
    assert.ok(TFJS_FIXTURES.some((f) => f.endsWith('.js')) && TFJS_FIXTURES.some((f) => f.endsWith('.ts')));
    assert.ok(TFJS_FIXTURES.length >= 10);
  });

  for (const file of TFJS_FIXTURES) {
    test(file, async () => {
      const linter = await getLinter();
      const text = readFixture(file);
      const analysis = linter.analyze(text, file);
      assert.equal(analysis.skipped, undefined);
      const got = analysis.findings.map((f) => `${f.line} ${f.code}`).sort();
      assert.deepEqual(got, expectations(text));
      assert.deepEqual(analysis.errors, [], 'fixtures parse cleanly');
      assert.ok(analysis.findings.every((f) => f.model && f.layer));
    });
  }
});

describe('fans, variances and what the IR says', () => {
  test('dense fans from inputShape and the previous layer; the default is glorotNormal at 0.774 of 2/(fan_in+fan_out)', async () => {
    const m = model(await models(readFixture('tfjs/sequential.js'), 'sequential.js'), 'model');
    const [first, second, third] = m.layers;
    assert.equal(m.framework, 'tfjs');
    assert.equal(first.kind, 'dense');
    assert.equal(first.label, 'dense({units: HIDDEN})');
    assert.deepEqual([first.fanIn, first.fanOut, first.receptiveField], [784, 256, 1]);
    assert.equal(first.init.explicit, false);
    assert.equal(first.init.spec.name, 'glorotNormal');
    assert.equal(first.init.spec.family, 'glorot');
    close(layerVariance(first), (T * 2) / (784 + 256), 'glorotNormal variance');
    assert.equal(first.activation.info.name, 'relu');
    assert.deepEqual([second.fanIn, second.fanOut], [256, 128]);
    assert.equal(second.init.explicit, true);
    close(layerVariance(second), 2 / (256 + 128), 'glorotUniform variance');
    close(layerVariance(third), (T * 2) / 128, 'heNormal variance');
  });

  test('spans: the layer call, the written initializer, the activation', async () => {
    const text = readFixture('tfjs/sequential.js');
    const [first, second] = model(await models(text, 'sequential.js'), 'model').layers;
    assert.ok(text.slice(first.span.start, first.span.end).startsWith('tf.layers.dense({units: HIDDEN'));
    assert.equal(first.init.span, undefined);
    assert.equal(text.slice(second.init.span!.start, second.init.span!.end), "'glorotUniform'");
    assert.equal(text.slice(second.activation.span!.start, second.activation.span!.end), "'relu'");
    const net = model(await models(text, 'sequential.js'), 'net');
    assert.equal(text.slice(net.layers[0].activation.span!.start, net.layers[0].activation.span!.end), 'tf.layers.reLU()');
  });

  test('inputDim, and the enclosing function names a model returned unassigned', async () => {
    const m = model(await models(readFixture('tfjs/sequential.js'), 'sequential.js'), 'buildEncoder');
    assert.deepEqual(
      m.layers.map((l) => [l.fanIn, l.fanOut]),
      [
        [16, 32],
        [32, 8],
        [8, 2],
      ],
    );
    assert.equal(m.layers[0].activation.info.name, 'elu');
  });

  test('convolutions: receptive field x channels; conv2dTranspose swaps the fans; padding and strides shape the next layer', async () => {
    const ms = await models(readFixture('tfjs/conv.js'), 'conv.js');
    const [t, c, g, last] = model(ms, 'decoder').layers;
    assert.equal(t.kind, 'conv_transpose');
    assert.deepEqual([t.fanIn, t.fanOut, t.receptiveField], [9 * 16, 9 * 32, 9]);
    assert.equal(c.kind, 'conv');
    assert.deepEqual([c.fanIn, c.fanOut, c.receptiveField], [25 * 16, 25 * 8, 25]);
    close(layerVariance(c), (2 * T) / 400, 'heNormal on a 5x5x16 kernel');
    // A const-bound initializer object is explicit, written at the layer.
    assert.equal(g.init.spec.name, 'glorotNormal');
    assert.equal(g.init.explicit, true);
    assert.deepEqual([g.fanIn, last.fanIn], [72, 8]);
    const [c1, d1] = model(ms, 'audio').layers;
    assert.deepEqual([c1.fanIn, c1.fanOut, d1.fanIn], [20, 80, 16]);
    const [c3, d3] = model(ms, 'volume').layers;
    assert.deepEqual([c3.fanIn, c3.fanOut, c3.receptiveField, d3.fanIn], [54, 108, 27, 14 * 14 * 14 * 4]);
  });

  test('a 12-layer loop of leCunNormal + relu: g = 0.5 x 0.774 per layer, IL007 gives the product', async () => {
    const linter = await getLinter();
    const text = readFixture('tfjs/deep_loop.js');
    const analysis = linter.analyze(text, 'deep_loop.js');
    const deep = analysis.models.find((m) => m.name === 'model')!;
    assert.equal(deep.layers.length, 13);
    for (const l of deep.layers.slice(0, 12)) close(layerGain(l), 0.5 * T, 'gain');
    const f = analysis.findings.find((x) => x.code === 'IL007')!;
    assert.match(f.message, /^depth-compounding: along 12 layers from dense\(\{units: 256\}\) the signal shrinks/);
    assert.match(f.message, /1\.1\de-5/);
    assert.equal(f.fix, undefined);
    // The normalized twin: every layer normalized, each after the first marked normalizedBefore.
    const normed = analysis.models.find((m) => m.name === 'model#2')!;
    assert.ok(normed.layers.slice(0, 12).every((l) => l.normalized));
    assert.ok(normed.layers.slice(1).every((l) => l.normalizedBefore));
    // forEach over a width array.
    const pyramid = analysis.models.find((m) => m.name === 'pyramid')!;
    assert.deepEqual(
      pyramid.layers.map((l) => l.fanOut),
      [512, 512, 256, 128, 64],
    );
    assert.equal(pyramid.layers[1].label, 'dense({units})');
  });

  test('TF.js reads an explicit 0 stddev as its default 0.05', async () => {
    const [layer] = model(await models(readFixture('tfjs/scales.js'), 'scales.js'), 'defaults').layers;
    close(layerVariance(layer), 0.05 * 0.05, 'randomNormal({stddev: 0})');
  });

  test('the functional API: tf.input shapes, activation layers, leakyReLU alphas, normalization, tf.model names', async () => {
    const ms = await models(readFixture('tfjs/functional.ts'), 'functional.ts');
    const [c1, c2, d1, d2, d3] = model(ms, 'classifier').layers;
    assert.deepEqual([c1.fanIn, c2.fanIn, d1.fanIn], [9, 9 * 32, 12 * 12 * 64]);
    assert.equal(c1.activation.info.name, 'relu');
    assert.equal(d1.activation.info.name, 'leaky_relu');
    assert.equal(d1.activation.info.alpha, 0.1);
    assert.equal(d2.normalized, true);
    assert.equal(d3.normalizedBefore, true);
    const tower = model(ms, 'twoTower').layers;
    assert.equal(tower[1].activation.info.alpha, 0.3, 'leakyReLU() defaults to alpha 0.3 in TF.js');
    assert.equal(tower[2].fanIn, 8);
  });

  test('model names: the variable, `this.x`, else the enclosing function', async () => {
    const names = (await models(readFixture('tfjs/helpers.ts'), 'helpers.ts')).map((m) => m.name).sort();
    assert.deepEqual(names, ['model', 'net', 'probe']);
    const text =
      'import * as tf from "@tensorflow/tfjs";\nexport function makeNet() {\n  return tf.sequential({layers: [tf.layers.dense({units: 4, inputShape: [2]})]});\n}\n';
    assert.deepEqual(
      (await models(text)).map((m) => m.name),
      ['makeNet'],
    );
  });

  test('a helper called with real arguments gets real fans', async () => {
    const text = [
      "import * as tf from '@tensorflow/tfjs';",
      'function block(m, units) { m.add(tf.layers.dense({units, activation: "relu", kernelInitializer: "heUniform"})); }',
      'const net = tf.sequential();',
      'net.add(tf.layers.inputLayer({inputShape: [10]}));',
      'block(net, 20);',
      'block(net, 30);',
      '',
    ].join('\n');
    assert.deepEqual(
      model(await models(text), 'net').layers.map((l) => [l.fanIn, l.fanOut]),
      [
        [10, 20],
        [20, 30],
      ],
    );
  });
});

describe('imports', () => {
  const body = (tf: string, layers = `${tf}.layers`) =>
    `const m = ${tf}.sequential({layers: [${layers}.dense({units: 8, inputShape: [4], activation: 'relu'}), ${layers}.dense({units: 1})]});\n`;

  for (const [name, head, tf] of [
    ['import * as', "import * as tf from '@tensorflow/tfjs';\n", 'tf'],
    ['tfjs-node', "import * as tfn from '@tensorflow/tfjs-node';\n", 'tfn'],
    ['tfjs-layers', "import * as tfl from '@tensorflow/tfjs-layers';\n", 'tfl'],
    ['require', "const tf = require('@tensorflow/tfjs');\n", 'tf'],
    ['dynamic import', "const tf = await import('@tensorflow/tfjs');\n", 'tf'],
  ] as const) {
    test(name, async () => {
      const findings = (await getLinter()).lint(head + body(tf), 'i.js');
      assert.deepEqual(
        findings.map((f) => f.code),
        ['IL001'],
      );
      assert.equal(findings[0].line, 2);
    });
  }

  test('named imports with aliases', async () => {
    const text = [
      "import { sequential as seq, initializers as I } from '@tensorflow/tfjs';",
      "import { dense as D, activation } from '@tensorflow/tfjs-layers';",
      "const m = seq({layers: [D({units: 8, inputShape: [4]}), activation({activation: 'relu'}), D({units: 1, kernelInitializer: I.zeros()})]});",
      '',
    ].join('\n');
    const a = (await getLinter()).analyze(text, 'n.ts');
    assert.deepEqual(
      a.findings.map((f) => f.code),
      ['IL001'],
    );
    assert.equal(a.models[0].layers[1].init.spec.name, 'zeros');
  });

  test('a named factory that is also a tfjs-core op is a layer only when called with a config', async () => {
    const text =
      "import { conv2d } from '@tensorflow/tfjs';\nconst y = conv2d(x, w, 1, 'same');\nconst l = conv2d({filters: 8, kernelSize: 3, inputShape: [8, 8, 3], activation: 'relu'});\n";
    const a = (await getLinter()).analyze(text, 'c.js');
    assert.deepEqual(
      a.findings.map((f) => [f.line, f.code]),
      [[3, 'IL001']],
    );
    assert.equal(a.models[0].layers[0].fanIn, 27);
  });

  test('a script using the global tf', async () => {
    const text = '// <script src="https://cdn.jsdelivr.net/npm/@tensorflow/tfjs"></script>\n' + body('tf');
    assert.deepEqual(
      (await getLinter()).lint(text, 'g.js').map((f) => f.code),
      ['IL001'],
    );
  });

  test('a file that never names @tensorflow/tfjs is not analysed', async () => {
    const a = (await getLinter()).analyze(body('tf'), 'x.js');
    assert.deepEqual(a.findings, []);
    assert.ok(a.skipped);
  });
});

const multiset = (fs: Finding[]) =>
  fs
    .filter((f) => f.code !== 'IL007')
    .map((f) => `${f.code} ${f.model} ${f.layer}`)
    .sort();

describe('every quick fix of every TF.js fixture', () => {
  for (const file of TFJS_FIXTURES) {
    test(file, async () => {
      const linter = await getLinter();
      const parser = await parserFor(file);
      const text = readFixture(file);
      const key = `fresh-${file}`;
      const before = linter.lint(text, key);
      assert.equal(parser.parse(text)!.rootNode.hasError, false);
      for (const finding of before.filter((f) => f.fix)) {
        const where = `${finding.code} at line ${finding.line}`;
        const fixed = applyEdits(text, finding.fix!.edits);
        assert.notEqual(fixed, text, `${where}: the fix changes the text`);
        assert.equal(parser.parse(fixed)!.rootNode.hasError, false, `${where}: no parse error introduced`);
        const after = multiset(linter.lint(fixed, key));
        const remaining = multiset(before);
        remaining.splice(remaining.indexOf(`${finding.code} ${finding.model} ${finding.layer}`), 1);
        for (const k of after) {
          const i = remaining.indexOf(k);
          assert.ok(i >= 0, `${where}: the fix leaves no new or duplicate finding (${k})`);
          remaining.splice(i, 1);
        }
        assert.ok(after.length < before.filter((f) => f.code !== 'IL007').length, `${where}: a finding is gone`);
      }
      // Fix everything, then again: the second pass is a no-op and nothing fixable is left.
      const once = fixText(text, linter.analyze(text, file), (t) => linter.analyze(t, file)).text;
      const twice = fixText(once, linter.analyze(once, file), (t) => linter.analyze(t, file));
      assert.equal(twice.text, once);
      assert.equal(twice.applied, 0);
      assert.equal(linter.lint(once, file).filter((f) => f.fix).length, 0);
      assert.equal(parser.parse(once)!.rootNode.hasError, false);
    });
  }

  test('fixes were offered for every rule that has one', async () => {
    const linter = await getLinter();
    const codes = new Set(
      TFJS_FIXTURES.flatMap((f) =>
        linter
          .lint(readFixture(f), f)
          .filter((x) => x.fix)
          .map((x) => x.code),
      ),
    );
    assert.deepEqual([...codes].sort(), ['IL001', 'IL002', 'IL003', 'IL004', 'IL005', 'IL006']);
  });
});

async function fixOf(text: string, line: number, file = 'style.js'): Promise<{ fixed: string; title: string }> {
  const linter = await getLinter();
  const f = linter.lint(text, file).find((x) => x.line === line);
  assert.ok(f?.fix, `a fix on line ${line}`);
  const fixed = applyEdits(text, f.fix.edits);
  assert.equal((await parserFor(file)).parse(fixed)!.rootNode.hasError, false, fixed);
  return { fixed, title: f.fix.title };
}

const SQ = "import * as tf from '@tensorflow/tfjs';\n";
const DQ = 'import * as tf from "@tensorflow/tfjs";\n';
const seq = (layer: string, q = "'") =>
  `export const m = tf.sequential({layers: [\n  ${layer},\n  tf.layers.dense({units: 1, activation: ${q}tanh${q}}),\n]});\n`;

describe('fixes keep the user style', () => {
  test('a string keeps its quotes; a ClassName string stays a ClassName; titles name the TF.js identifier', async () => {
    const dq = await fixOf(DQ + seq('tf.layers.dense({units: 8, inputShape: [4], activation: "relu", kernelInitializer: "glorotUniform"})', '"'), 3);
    assert.match(dq.fixed, /kernelInitializer: "heUniform"\}/);
    assert.equal(dq.title, 'Use heUniform');
    const sq = await fixOf(SQ + seq("tf.layers.dense({units: 8, inputShape: [4], activation: 'relu', kernelInitializer: 'GlorotUniform'})"), 3);
    assert.match(sq.fixed, /kernelInitializer: 'HeUniform'\}/);
    const tanh = await fixOf(SQ + seq("tf.layers.dense({units: 8, inputShape: [4], activation: 'tanh', kernelInitializer: 'heUniform'})"), 3);
    assert.match(tanh.fixed, /kernelInitializer: 'glorotUniform'/);
    assert.equal(tanh.title, 'Use glorotUniform');
    const selu = await fixOf(SQ + seq("tf.layers.dense({units: 8, inputShape: [4], activation: 'selu'})"), 3);
    assert.match(selu.fixed, /activation: 'selu', kernelInitializer: 'leCunNormal'\}/);
    assert.equal(selu.title, 'Use leCunNormal');
  });

  test('a template string becomes a plain string in the file quote style', async () => {
    const { fixed } = await fixOf(DQ + seq('tf.layers.dense({units: 8, inputShape: [4], activation: "relu", kernelInitializer: `glorotUniform`})', '"'), 3);
    assert.match(fixed, /kernelInitializer: "heUniform"\}/);
    assert.ok(!fixed.includes('`'));
  });

  test('an initializer object keeps its prefix and its seed, and nothing else', async () => {
    const text = [
      "import * as tf from '@tensorflow/tfjs';",
      'const inputs = tf.input({shape: [256]});',
      'let x = tf.layers.dense({units: 256, kernelInitializer: tf.initializers.glorotNormal({seed: 3})}).apply(inputs) as tf.SymbolicTensor;',
      'x = tf.layers.reLU().apply(x) as tf.SymbolicTensor;',
      'export const m = tf.model({inputs, outputs: tf.layers.dense({units: 10}).apply(x) as tf.SymbolicTensor});',
      '',
    ].join('\n');
    const { fixed } = await fixOf(text, 3, 'functional.ts');
    assert.match(fixed, /kernelInitializer: tf\.initializers\.heUniform\(\{seed: 3\}\)\}\)\.apply/);
    const scales = await fixOf(readFixture('tfjs/scales.js'), 18, 'scales.js');
    assert.match(scales.fixed, /kernelInitializer: tf\.initializers\.glorotUniform\(\{\}\)\}/);
    const named = await fixOf(readFixture('tfjs/imports.js'), 11, 'imports.js');
    assert.match(named.fixed, /kernelInitializer: initializers\.heUniform\(\{seed: 1\}\)\}/);
  });

  test('a bare imported initializer factory is replaced through its namespace import', async () => {
    const text =
      "import * as tf from '@tensorflow/tfjs';\nimport { glorotNormal } from '@tensorflow/tfjs';\n" +
      seq("tf.layers.dense({units: 8, inputShape: [4], activation: 'relu', kernelInitializer: glorotNormal({seed: 1})})");
    const { fixed } = await fixOf(text, 4);
    assert.match(fixed, /kernelInitializer: tf\.initializers\.heUniform\(\{seed: 1\}\)\}/);
  });

  test('a bound initializer variable is replaced at the layer only', async () => {
    const { fixed } = await fixOf(readFixture('tfjs/conv.js'), 9, 'conv.js');
    assert.match(fixed, /activation: 'elu', kernelInitializer: 'heUniform'\}/);
    assert.match(fixed, /^const glorot = tf\.initializers\.glorotNormal\(\{seed: 42\}\);$/m);
  });

  test('insertion into a one-line config, in the file quote style', async () => {
    const sq = await fixOf(SQ + seq("tf.layers.dense({units: 64, activation: 'relu', inputShape: [3]})"), 3);
    assert.ok(sq.fixed.includes("tf.layers.dense({units: 64, activation: 'relu', inputShape: [3], kernelInitializer: 'heUniform'})"));
    const dq = await fixOf(DQ + seq('tf.layers.dense({ units: 64, activation: "relu", inputShape: [3] })', '"'), 3);
    assert.ok(dq.fixed.includes('tf.layers.dense({ units: 64, activation: "relu", inputShape: [3], kernelInitializer: "heUniform" })'));
    const trailing = await fixOf(SQ + seq("tf.layers.dense({units: 64, activation: 'relu', inputShape: [3],})"), 3);
    assert.ok(trailing.fixed.includes("inputShape: [3], kernelInitializer: 'heUniform',})"));
  });

  test('insertion into a multi-line config: same indentation, trailing comma kept or not', async () => {
    const withComma = await fixOf(readFixture('tfjs/sequential.js'), 17, 'sequential.js');
    assert.match(withComma.fixed, /\n {4}name: 'hidden',\n {4}kernelInitializer: 'heUniform',\n {2}\}\)\);/);
    const text = `${SQ}export const m = tf.sequential();\nm.add(tf.layers.dense({\n      units: 64,\n      activation: 'relu',\n      inputShape: [3]\n}));\nm.add(tf.layers.dense({units: 1}));\n`;
    const noComma = await fixOf(text, 3);
    assert.ok(noComma.fixed.includes("      inputShape: [3],\n      kernelInitializer: 'heUniform'\n}));"), noComma.fixed);
  });

  test('a comment that ends the last line stays there', async () => {
    const base = `${SQ}export const m = tf.sequential();\nm.add(tf.layers.dense({\n  units: 64,\n  inputShape: [64],\n  activation: 'relu', // hidden\n}));\nm.add(tf.layers.dense({units: 1}));\n`;
    const a = await fixOf(base, 3);
    assert.ok(a.fixed.includes("  activation: 'relu', // hidden\n  kernelInitializer: 'heUniform',\n}));"), a.fixed);
    const b = await fixOf(base.replace("'relu', // hidden", "'relu' // hidden"), 3);
    assert.ok(b.fixed.includes("  activation: 'relu', // hidden\n  kernelInitializer: 'heUniform'\n}));"), b.fixed);
  });

  test('an empty config and a shorthand property', async () => {
    const text = `${SQ}export const m = tf.sequential();\nm.add(tf.layers.dense({units: 4, inputShape: [2]}));\nm.add(tf.layers.activation({activation: 'relu'}));\nm.add(tf.layers.dense({units: 1}));\n`;
    assert.ok((await fixOf(text, 3)).fixed.includes("tf.layers.dense({units: 4, inputShape: [2], kernelInitializer: 'heUniform'})"));
    const short = `${SQ}const kernelInitializer = 'glorotUniform';\nexport const m = tf.sequential({layers: [tf.layers.dense({units: 4, inputShape: [2], activation: 'relu', kernelInitializer}), tf.layers.dense({units: 1})]});\n`;
    assert.match((await fixOf(short, 3)).fixed, /activation: 'relu', kernelInitializer: 'heUniform'\}\), tf/);
  });

  test('kernelInitializer: null is replaced, not duplicated', async () => {
    const { fixed } = await fixOf(SQ + seq("tf.layers.dense({units: 8, activation: 'relu', kernelInitializer: null, inputShape: [3]})"), 3);
    assert.match(fixed, /kernelInitializer: 'heUniform', inputShape: \[3\]/);
    assert.equal(fixed.match(/kernelInitializer/g)!.length, 1);
  });

  test('no fix where the config cannot be read in full or is not written at the call', async () => {
    const linter = await getLinter();
    const spread = `${SQ}const opts = {name: 'h'};\nexport const m = tf.sequential({layers: [tf.layers.dense({units: 8, inputShape: [4], activation: 'relu', ...opts}), tf.layers.dense({units: 1})]});\n`;
    const [a] = linter.lint(spread, 's.js');
    assert.equal(a.code, 'IL001');
    assert.equal(a.fix, undefined);
    const variable = `${SQ}const cfg = {units: 8, inputShape: [4], activation: 'relu', kernelInitializer: 'glorotUniform'};\nexport const m = tf.sequential({layers: [tf.layers.dense(cfg), tf.layers.dense({units: 1})]});\n`;
    const [b] = linter.lint(variable, 'v.js');
    assert.equal(b.code, 'IL001');
    assert.equal(b.fix, undefined);
    assert.equal(variable.slice(b.start, b.end), 'tf.layers.dense(cfg)', 'a shared config: the finding stands on the layer');
  });

  test('no fix when one call builds layers that need different initializers', async () => {
    const f = (await getLinter()).lint(readFixture('tfjs/helpers.ts'), 'helpers.ts').find((x) => x.line === 5)!;
    assert.equal(f.code, 'IL001');
    assert.equal(f.fix, undefined);
  });
});

describe('bad input never throws', () => {
  const noThrow = async (text: string, file = 'bad.js') => {
    const linter = await getLinter();
    const a = linter.analyze(text, file);
    assert.ok(!a.errors.some((e) => /could not analyze/.test(e)), a.errors.join('\n'));
    assert.ok(a.findings.every((f) => f.start >= 0 && f.end <= text.length));
    return a;
  };

  test('an unterminated string', async () => {
    await noThrow(`${SQ}const m = tf.sequential({layers: [tf.layers.dense({units: 8, activation: 'relu)]});\nconst y = 1;\n`);
  });

  test('a half-written layer call at the end of the file: the model above is still linted, the error reported', async () => {
    const text = `${SQ}const m = tf.sequential();\nm.add(tf.layers.dense({units: 8, inputShape: [4], activation: 'relu'}));\nm.add(tf.layers.dense({units: 64,`;
    const a = await noThrow(text);
    assert.ok(a.errors.length > 0);
    assert.match(a.errors[0], /^syntax error at line \d+, column \d+/);
    assert.ok(a.findings.some((f) => f.code === 'IL001' && f.line === 3));
    await noThrow(text, 'bad.ts');
  });

  test('syntax errors are reported only in files that import TF.js', async () => {
    const a = await noThrow('// not @tensorflow/tfjs code\nconst x = (;\n');
    assert.deepEqual(a.errors, []);
  });

  test('2,000 nested parentheses', async () => {
    const deep = `${SQ}const x = ${'('.repeat(2000)}1${')'.repeat(2000)};\nconst m = tf.sequential({layers: [tf.layers.dense({units: 8, activation: 'relu', inputShape: [${'('.repeat(2000)}4${')'.repeat(2000)}]}), tf.layers.dense({units: 1})]});\n`;
    const a = await noThrow(deep);
    assert.deepEqual(
      a.findings.map((f) => f.code),
      ['IL001'],
    );
    assert.equal(a.models[0].layers[0].fanIn, 4);
  });

  test('2,000 nested calls, arrays and blocks', async () => {
    await noThrow(`${SQ}const x = ${'f('.repeat(2000)}1${')'.repeat(2000)};\n`);
    await noThrow(`${SQ}const x = ${'['.repeat(2000)}1${']'.repeat(2000)};\n`);
    await noThrow(`${SQ}${'{'.repeat(2000)}tf.sequential();${'}'.repeat(2000)}\n`);
    await noThrow(`${SQ}const m = tf.sequential();\nm.add(${'tf.layers.dense({units: ('.repeat(500)}1${'))'.repeat(500)});\n`);
  });

  test('loops are unrolled at most 64 times; recursion is bounded', async () => {
    const text = `${SQ}const m = tf.sequential();\nfor (let i = 0; i < 1e9; i++) { for (let j = 0; j < 1e9; j++) m.add(tf.layers.dense({units: 8, inputShape: [8], activation: 'relu', kernelInitializer: 'heUniform'})); }\nfunction f(n) { return f(n + 1); }\nf(0);\nwhile (true) { m.add(tf.layers.dense({units: 8})); }\n`;
    const start = Date.now();
    const a = await noThrow(text);
    assert.ok(a.models[0].layers.length <= 64 * 64 + 1);
    assert.ok(Date.now() - start < 10_000);
  });

  test('an empty file, garbage, and TypeScript-only syntax', async () => {
    assert.deepEqual((await noThrow(`${SQ}`)).findings, []);
    await noThrow(`${SQ}\u0000\u0001\uFFFD}{)(][ tf.layers.dense({ ...`);
    await noThrow(
      `${SQ}type Cfg = { units: number };\nenum E { A }\ndeclare const cfg: Cfg;\nexport abstract class B<T extends tf.layers.Layer> { abstract make(): T; }\nconst m = tf.sequential({layers: [tf.layers.dense({units: 8, inputShape: [4]}) satisfies tf.layers.Layer]});\n`,
      'types.ts',
    );
    await noThrow(`${SQ}const C = () => <div>{tf.layers.dense({units: 1})}</div>;\n`, 'c.tsx');
  });
});

/** Layers are plain data with one function: a shape check that keeps IR consumers honest. */
test('every IR field is filled', async () => {
  for (const file of TFJS_FIXTURES) {
    for (const m of await models(readFixture(file), file)) {
      assert.ok(m.name && m.framework === 'tfjs' && m.span.end >= m.span.start);
      for (const l of m.layers as Layer[]) {
        assert.ok(['dense', 'conv', 'conv_transpose'].includes(l.kind));
        assert.ok(l.label && l.label.length <= 60);
        assert.ok(l.span.end > l.span.start);
        assert.ok(l.receptiveField >= 1);
        assert.ok(l.init.spec && typeof l.init.explicit === 'boolean' && typeof l.init.shared === 'boolean');
        assert.equal(l.init.explicit, !!l.init.span);
        assert.ok(l.activation.info);
        assert.equal(typeof l.normalized, 'boolean');
        assert.equal(typeof l.normalizedBefore, 'boolean');
        assert.equal(typeof l.rewrite, 'function');
      }
    }
  }
});
