/**
 * Quick fixes: applying one removes its finding and nothing else, never breaks the parse, and
 * applying fixes again changes nothing. Plus the user's style: quotes, spelling, prefixes, layout.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { applyEdits } from '../../src/engine/edits';
import type { Finding } from '../../src/engine/linter';
import { fixText } from '../../src/cli/files';
import { fixtureFiles, getLinter, python, readFixture } from './helpers';

const multiset = (fs: Finding[]) =>
  fs
    .filter((f) => f.code !== 'IL007')
    .map((f) => `${f.code} ${f.model} ${f.layer}`)
    .sort();

describe('every quick fix of every fixture', () => {
  for (const file of [...fixtureFiles('keras'), ...fixtureFiles('pytorch'), ...fixtureFiles('flax')]) {
    test(file, async () => {
      const linter = await getLinter();
      const parser = await python();
      const text = readFixture(file);
      const before = linter.lint(text, `fresh-${file}`);
      const hadError = parser.parse(text)!.rootNode.hasError;
      for (const finding of before.filter((f) => f.fix)) {
        const fixed = applyEdits(text, finding.fix!.edits);
        assert.notEqual(fixed, text, `${finding.code} at line ${finding.line}: the fix changes the text`);
        assert.equal(parser.parse(fixed)!.rootNode.hasError, hadError, `${finding.code} at line ${finding.line}: no parse error introduced`);
        // That finding is gone and none appears: others on the same layer may go with it
        // (one fix to LeCun normal answers both IL005 and IL006).
        const after = multiset(linter.lint(fixed, `fresh-${file}`));
        const remaining = multiset(before);
        remaining.splice(remaining.indexOf(`${finding.code} ${finding.model} ${finding.layer}`), 1);
        for (const key of after) {
          const i = remaining.indexOf(key);
          assert.ok(i >= 0, `${finding.code} at line ${finding.line}: the fix leaves no new or duplicate finding (${key})`);
          remaining.splice(i, 1);
        }
        assert.ok(after.length < before.filter((f) => f.code !== 'IL007').length, `${finding.code} at line ${finding.line}: a finding is gone`);
      }
      // Fix everything, then again: the second pass is a no-op and nothing fixable is left.
      const once = fixText(text, linter.analyze(text, file), (t) => linter.analyze(t, file)).text;
      const twice = fixText(once, linter.analyze(once, file), (t) => linter.analyze(t, file));
      assert.equal(twice.text, once);
      assert.equal(twice.applied, 0);
      assert.equal(linter.lint(once, file).filter((f) => f.fix).length, 0);
      assert.equal(parser.parse(once)!.rootNode.hasError, hadError);
    });
  }
});

describe('fixes in files with CRLF line endings', () => {
  // Every fix of a CRLF file is the fix of its LF twin with CRLF: no bare LF is ever written.
  const crlf = (t: string) => t.replace(/\r?\n/g, '\r\n');
  const multilineArgs =
    'from tensorflow import keras\n\nm = keras.Sequential([\n    keras.layers.Dense(\n        64,\n        activation="relu",  # hidden\n        input_dim=8,\n    ),\n    keras.layers.Dense(\n        1,\n        activation="sigmoid"\n    ),\n])\n';
  const files: Array<[string, string]> = [
    ['crlf-args.py', multilineArgs],
    ...[...fixtureFiles('keras'), ...fixtureFiles('pytorch')].map((f): [string, string] => [`crlf-${f.replace('/', '-')}`, readFixture(f)]),
    ...['tfjs/sequential.js', 'tfjs/conv.js', 'tfjs/functional.ts'].map((f): [string, string] => [`crlf-${f.replace('/', '-')}`, readFixture(f)]),
  ];
  for (const [name, lf] of files) {
    test(name, async () => {
      const linter = await getLinter();
      const lfFixes = linter.lint(lf, `lf-${name}`).filter((f) => f.fix);
      const crFixes = linter.lint(crlf(lf), name).filter((f) => f.fix);
      assert.equal(crFixes.length, lfFixes.length);
      lfFixes.forEach((f, i) => {
        const fixed = applyEdits(crlf(lf), crFixes[i].fix!.edits);
        assert.equal(fixed, crlf(applyEdits(lf, f.fix!.edits)), `${f.code} at line ${f.line}`);
        assert.doesNotMatch(fixed, /(^|[^\r])\n/, `${f.code} at line ${f.line}: a bare LF`);
      });
      linter.forget(`lf-${name}`);
      linter.forget(name);
    });
  }
});

async function fixOf(text: string, line: number): Promise<string> {
  const linter = await getLinter();
  const f = linter.lint(text, 'style.py').find((x) => x.line === line);
  assert.ok(f?.fix, `a fix on line ${line}`);
  return applyEdits(text, f.fix.edits);
}

describe('fixes keep the user style', () => {
  test('a string keeps its quotes; CamelCase strings stay CamelCase', async () => {
    const head = 'from tensorflow import keras\nm = keras.Sequential([\n';
    const tail = '    keras.layers.Dense(1),\n])\n';
    const dq = `${head}    keras.layers.Dense(8, activation="relu", kernel_initializer="glorot_uniform", input_dim=4),\n${tail}`;
    assert.match(await fixOf(dq, 3), /kernel_initializer="he_normal"/);
    const sq = `${head}    keras.layers.Dense(8, activation='relu', kernel_initializer='GlorotUniform', input_dim=4),\n${tail}`;
    assert.match(await fixOf(sq, 3), /kernel_initializer='HeNormal'/);
  });

  test('an initializer object keeps its module prefix and seed', async () => {
    const text = [
      'from tensorflow import keras',
      'from tensorflow.keras import layers',
      'inputs = keras.Input(shape=(256,))',
      'x = layers.Dense(256, kernel_initializer=keras.initializers.GlorotNormal(seed=3))(inputs)',
      'x = layers.ReLU()(x)',
      'outputs = layers.Dense(10)(x)',
      '',
    ].join('\n');
    assert.match(await fixOf(text, 4), /kernel_initializer=keras\.initializers\.HeNormal\(seed=3\)\)\(inputs\)/);
  });

  test("a bare class given a seed, the recommended one not imported: an object through the file's Keras import, keeping the seed", async () => {
    const text = [
      'from tensorflow import keras',
      'from tensorflow.keras import layers',
      'from tensorflow.keras.initializers import GlorotUniform as GU',
      'inputs = keras.Input(shape=(256,))',
      'x = layers.Dense(256, kernel_initializer=GU(seed=3))(inputs)',
      'x = layers.ReLU()(x)',
      'outputs = layers.Dense(10)(x)',
      '',
    ].join('\n');
    assert.match(await fixOf(text, 5), /kernel_initializer=keras\.initializers\.HeNormal\(seed=3\)\)\(inputs\)/);
  });

  test('a bare class not imported becomes a string name, needing no import', async () => {
    const text = [
      'from tensorflow import keras',
      'from tensorflow.keras import layers',
      'from tensorflow.keras.initializers import HeNormal',
      'm = keras.Sequential([',
      '    layers.Dense(50, activation="tanh", kernel_initializer=HeNormal(), input_shape=(100,)),',
      '    layers.Dense(1),',
      '])',
      '',
    ].join('\n');
    const fixed = await fixOf(text, 5);
    assert.match(fixed, /activation="tanh", kernel_initializer="glorot_uniform", input_shape/);
  });

  test('a bound initializer variable is replaced at the layer only', async () => {
    const text = [
      'from tensorflow import keras',
      'from tensorflow.keras import initializers, layers',
      'lecun = initializers.VarianceScaling(scale=1.0, mode="fan_in", distribution="truncated_normal")',
      'm = keras.Sequential([',
      '    layers.Dense(64, kernel_initializer=lecun, activation="relu", input_shape=(64,)),',
      '    layers.Dense(10, kernel_initializer=lecun),',
      '])',
      '',
    ].join('\n');
    const fixed = await fixOf(text, 5);
    assert.match(fixed, /layers\.Dense\(64, kernel_initializer="he_normal", activation="relu"/);
    assert.match(fixed, /^lecun = initializers\.VarianceScaling/m, 'the shared variable is untouched');
    assert.match(fixed, /layers\.Dense\(10, kernel_initializer=lecun\)/);
  });

  test('a defaulted layer gets the keyword, laid out like its arguments', async () => {
    const text = readFixture('keras/sequential.py');
    assert.match(await fixOf(text, 9), /layers\.Dense\(256, activation="relu", input_shape=\(input_dim,\), kernel_initializer="he_normal"\),/);
    assert.match(await fixOf(text, 20), /\n {27}name="hidden",\n {27}kernel_initializer="he_normal"\)\)/);
  });

  test('a trailing comma keeps one argument per line', async () => {
    const text = [
      'import keras',
      'm = keras.Sequential([',
      '    keras.layers.Dense(',
      '        32,',
      '        activation="relu",',
      '        input_shape=(8,),',
      '    ),',
      '    keras.layers.Dense(1),',
      '])',
      '',
    ].join('\n');
    assert.match(await fixOf(text, 3), /input_shape=\(8,\),\n {8}kernel_initializer="he_normal",\n {4}\),/);
  });

  test("a comment that ends the last argument's line stays with that argument", async () => {
    const head = 'from tensorflow import keras\nm = keras.Sequential([\n    keras.layers.Dense(\n        64,\n        input_shape=(64,),\n';
    const tail = '    ),\n    keras.layers.Dense(1),\n])\n';
    const plain = `${head}        activation="relu",  # hidden\n${tail}`;
    assert.match(await fixOf(plain, 3), /activation="relu", {2}# hidden\n {8}kernel_initializer="he_normal",\n {4}\),/);
    const noComma = `${head}        activation="relu"  # hidden\n${tail}`;
    assert.match(await fixOf(noComma, 3), /activation="relu", {2}# hidden\n {8}kernel_initializer="he_normal"\n {4}\),/);
  });

  test('a backslash after the last argument: the keyword goes before it, on its line', async () => {
    const text = [
      'from tensorflow.keras import layers, Sequential',
      'm = Sequential([',
      '    layers.Input(shape=(32,)),',
      '    layers.Dense(64, activation="relu" \\',
      '    ),',
      '    layers.Dense(10),',
      '])',
      '',
    ].join('\n');
    assert.match(await fixOf(text, 4), /layers\.Dense\(64, activation="relu", kernel_initializer="he_normal" \\\n {4}\),/);
  });

  test('kernel_initializer=None is replaced, not duplicated', async () => {
    const text =
      'import keras\nm = keras.Sequential([keras.layers.Dense(8, activation="relu", kernel_initializer=None, input_dim=3), keras.layers.Dense(1)])\n';
    const fixed = await fixOf(text, 2);
    assert.match(fixed, /kernel_initializer="he_normal", input_dim=3/);
    assert.equal(fixed.match(/kernel_initializer/g)!.length, 1);
  });

  test('one constructor building layers that want different initializers (a loop over activations, a helper): no fix; where they agree, one', async () => {
    // One edit serves every layer the call builds: he_normal for the relu one made the tanh one
    // wrong, and the next --fix wrote glorot_uniform back.
    const linter = await getLinter();
    const text = [
      'from tensorflow import keras',
      'from tensorflow.keras import layers',
      '',
      'def dense(n, act):',
      '    return layers.Dense(n, activation=act, kernel_initializer="random_normal")',
      '',
      'def relu_dense(n):',
      '    return layers.Dense(n, activation="relu")',
      '',
      'inp = keras.Input(shape=(64,))',
      'x = inp',
      'for act in ["relu", "tanh"]:',
      '    x = layers.Dense(64, activation=act, kernel_initializer="random_normal")(x)',
      'x = dense(64, "relu")(x)',
      'x = dense(64, "tanh")(x)',
      'x = relu_dense(64)(x)',
      'x = relu_dense(64)(x)',
      'model = keras.Model(inp, layers.Dense(10, activation="softmax")(x))',
    ].join('\n');
    const findings = linter.lint(text, 'shared_code.py');
    const byLine = (line: number) => findings.filter((f) => f.line === line);
    assert.ok(byLine(13).length > 0 && byLine(5).length > 0 && byLine(8).length > 0, findings.map((f) => `${f.code}@${f.line}`).join(' '));
    assert.deepEqual(
      [...byLine(13), ...byLine(5)].map((f) => f.fix),
      [...byLine(13), ...byLine(5)].map(() => undefined),
    );
    assert.match(byLine(8)[0].fix?.edits[0].newText ?? '', /he_normal/);
  });

  test('no fix where the arguments cannot be read in full (**kwargs)', async () => {
    const linter = await getLinter();
    const text = 'import keras\nopts = {}\nm = keras.Sequential([keras.layers.Dense(8, activation="relu", input_dim=4, **opts), keras.layers.Dense(1)])\n';
    const [f] = linter.lint(text, 'kw.py');
    assert.equal(f.code, 'IL001');
    assert.equal(f.fix, undefined);
  });
});

describe('PyTorch fixes', () => {
  test('an nn.init call is replaced through the prefix the user wrote', async () => {
    const text = readFixture('pytorch/mlp.py');
    assert.match(await fixOf(text, 13), /\n {8}nn\.init\.kaiming_normal_\(self\.fc1\.weight, nonlinearity="relu"\) {2}# expect/);
  });

  test('weight.data.normal_() becomes an init call on the weight', async () => {
    const text = readFixture('pytorch/selu.py');
    const fixed = await fixOf(text, 20);
    assert.match(fixed, /\n {8}nn\.init\.kaiming_normal_\(self\.fc2\.weight, nonlinearity="linear"\) {2}# expect/);
  });

  test('a default-initialized layer in an attribute gets the init call on the next line, indented', async () => {
    const text = [
      'import torch.nn as nn',
      'import torch.nn.functional as F',
      '',
      'class M(nn.Module):',
      '    def __init__(self):',
      '        super().__init__()',
      '        self.fc = nn.Linear(10, 10)  # hidden',
      '        self.out = nn.Linear(10, 1)',
      '',
      '    def forward(self, x):',
      '        return self.out(F.selu(self.fc(x)))',
      '',
    ].join('\n');
    const fixed = await fixOf(text, 7);
    assert.match(fixed, /self\.fc = nn\.Linear\(10, 10\) {2}# hidden\n {8}nn\.init\.kaiming_normal_\(self\.fc\.weight, nonlinearity='linear'\)\n {8}self\.out/);
  });

  test('from torch.nn import init: the alias is used', async () => {
    const text =
      'from torch import nn\nfrom torch.nn import init\nnet = nn.Sequential(nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 1))\ninit.xavier_uniform_(net[0].weight)\n';
    const fixed = await fixOf(text, 4);
    assert.match(fixed, /^init\.kaiming_normal_\(net\[0\]\.weight, nonlinearity='relu'\)$/m);
  });

  test('a shared init call serving layers that want different initializers: no fix, a related location at the call', async () => {
    const linter = await getLinter();
    const text = readFixture('pytorch/apply_fn.py');
    const [f] = linter.lint(text, 'apply_fn.py');
    assert.equal(f.code, 'IL001');
    assert.equal(f.fix, undefined);
    const shared = f.related.find((r) => r.message.startsWith('initialised by this call'));
    assert.ok(shared, JSON.stringify(f.related));
    assert.equal(text.slice(shared.start, shared.end), 'init.xavier_uniform_(m.weight)');
    assert.equal(shared.message, 'initialised by this call, which initializes 2 layers');
  });

  test('a shared init call whose layers all want the same initializer is rewritten once, for all of them', async () => {
    const text = [
      'import torch',
      'from torch import nn',
      '',
      '',
      'def init_weights(m):',
      '    if isinstance(m, nn.Conv2d):',
      '        nn.init.xavier_normal_(m.weight)',
      '',
      '',
      'class Features(nn.Module):',
      '    def __init__(self):',
      '        super().__init__()',
      '        self.conv1 = nn.Conv2d(3, 32, 3)',
      '        self.conv2 = nn.Conv2d(32, 64, 3)',
      '        self.conv3 = nn.Conv2d(64, 64, 3)',
      '        self.apply(init_weights)',
      '',
      '    def forward(self, x):',
      '        x = torch.relu(self.conv1(x))',
      '        x = torch.relu(self.conv2(x))',
      '        return torch.relu(self.conv3(x))',
      '',
    ].join('\n');
    const linter = await getLinter();
    const findings = linter.lint(text, 'shared_ok.py');
    assert.ok(findings.length >= 1 && findings.every((f) => f.code === 'IL001'), JSON.stringify(findings.map((f) => f.code)));
    const fix = findings[0].fix!;
    assert.match(fix.title, / in the shared call \(all 3 layers it initializes\)$/);
    const fixed = applyEdits(text, fix.edits);
    assert.match(fixed, /\n {8}nn\.init\.kaiming_normal_\(m\.weight, nonlinearity='relu'\)\n/);
    assert.deepEqual(linter.lint(fixed, 'shared_ok_fixed.py'), [], 'the one edit fixes every layer');
  });

  test('only bare names imported: the fix imports the function it writes', async () => {
    const text = readFixture('pytorch/bare_imports.py');
    const fixed = await fixOf(text, 10);
    assert.match(fixed, /^from torch\.nn\.init import xavier_uniform_\nfrom torch\.nn\.init import kaiming_normal_\n/m);
    assert.match(fixed, /\n {8}kaiming_normal_\(self\.fc\.weight, nonlinearity='relu'\) {2}# expect/);
  });

  test('a layer assigned in a one-line `if`/`else`, `for` or `with`: no fix (a line after it would run whatever the condition, or part the if from its else)', async () => {
    const linter = await getLinter();
    for (const [header, after] of [
      ['if big: ', '        else: self.fc1 = nn.Linear(64, 64)'],
      ['for _ in range(2): ', ''],
      ['with torch.no_grad(): ', ''],
    ]) {
      const text = [
        'import torch',
        'import torch.nn as nn',
        'import torch.nn.functional as F',
        '',
        'class M(nn.Module):',
        '    def __init__(self, big=True):',
        '        super().__init__()',
        `        ${header}self.fc1 = nn.Linear(64, 64)`,
        ...(after ? [after] : []),
        '        self.out = nn.Linear(64, 10)',
        '',
        '    def forward(self, x):',
        '        return self.out(F.relu(self.fc1(x)))',
        '',
      ].join('\n');
      const findings = linter.lint(text, 'one_line.py');
      // Still judged; only the edit is withheld.
      assert.ok(
        findings.some((f) => f.code === 'IL001' && f.line === 8),
        `${header}: ${findings.map((f) => `${f.code}@${f.line}`).join(' ')}`,
      );
      assert.deepEqual(
        findings.filter((f) => f.line === 8 || f.line === 9).map((f) => f.fix),
        findings.filter((f) => f.line === 8 || f.line === 9).map(() => undefined),
        header,
      );
    }
  });

  test('a layer inside a Sequential, no init alias: no fix rather than a broken one', async () => {
    const linter = await getLinter();
    const text = 'from torch.nn import Linear, Sequential, SELU\nnet = Sequential(Linear(8, 8), SELU(), Linear(8, 1))\n';
    const [f] = linter.lint(text, 'noimport.py');
    assert.equal(f.code, 'IL006');
    assert.equal(f.fix, undefined);
  });
});

describe('Flax fixes', () => {
  test('kernel_init keeps the module path the user wrote', async () => {
    const text = readFixture('flax/linen.py');
    assert.match(await fixOf(text, 24), /nn\.Dense\(64, kernel_init=jax\.nn\.initializers\.glorot_uniform\(\)\)/);
  });

  test('a defaulted layer gets kernel_init through its own module alias', async () => {
    const text =
      'import flax.linen as nn\n\nclass M(nn.Module):\n    @nn.compact\n    def __call__(self, x):\n        return nn.selu(nn.Dense(8, use_bias=False)(nn.selu(nn.Dense(8, kernel_init=nn.initializers.he_normal())(x))))\n';
    const fixed = await fixOf(text, 6);
    assert.match(fixed, /nn\.Dense\(8, kernel_init=nn\.initializers\.lecun_normal\(\)\)/);
  });
});
