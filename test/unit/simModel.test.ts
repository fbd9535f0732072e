/** What the simulator is sent: each layer's kernel with its exact variance, and the preset. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { getLinter, readFixture } from './helpers';
import { presetModel, toSimLayer, toSimModel } from '../../src/engine/simModel';
import { propagate } from '../../src/engine/propagation';
import { parseWebviewMessage, restoredTarget } from '../../src/protocol';

describe('simulator model', () => {
  test('a Keras MLP: fans, exact variances, activations, predictions and findings per layer', async () => {
    const linter = await getLinter();
    const a = linter.analyze(readFixture('keras/sequential.py'), 'sequential.py');
    const model = a.models.find((m) => m.name === 'build_mlp')!;
    const sim = toSimModel(model, a.findings, 'sequential.py');
    assert.equal(sim.layers.length, 4);
    const [first, , third] = sim.layers;
    assert.deepEqual([first.fanIn, first.fanOut, first.units], [784, 256, 256]);
    assert.equal(first.kernel.distribution, 'uniform');
    assert.equal(first.kernel.variance, 2 / (784 + 256));
    assert.deepEqual(first.activation, { name: 'relu', family: 'relu' });
    // The propagation engine's g_f at the layer's operating point: ReLU keeps half of q.
    assert.equal(first.predictedGain, 784 * (2 / (784 + 256)) * 0.5);
    const numbers = propagate(model).numbers;
    sim.layers.forEach((l, i) => assert.equal(l.predictedGain, numbers.get(model.layers[i])!.gain, `layer ${i + 1}`));
    assert.equal(first.biasVariance, undefined);
    // A random bias (PyTorch's default) travels to the simulator, which draws it.
    assert.equal(toSimLayer({ ...model.layers[0], biasVariance: 1 / (3 * 784) }, [], 784).biasVariance, 1 / (3 * 784));
    assert.deepEqual(
      first.findings.map((f) => f.code),
      ['IL001'],
    );
    assert.equal(third.kernel.distribution, 'truncated_normal');
    assert.equal(third.kernel.variance, 2 / 128);
    assert.equal(third.recommended, 'he_normal');
  });

  test("a normalization after an activation standardises the next layer's input, not twice", async () => {
    const linter = await getLinter();
    const text = [
      'from tensorflow import keras',
      'from tensorflow.keras import layers',
      'm = keras.Sequential([',
      '    layers.Dense(64, activation="relu", input_shape=(32,)),',
      '    layers.BatchNormalization(),',
      '    layers.Dense(64),',
      '    layers.BatchNormalization(),',
      '    layers.Activation("relu"),',
      '    layers.Dense(10),',
      '])',
      '',
    ].join('\n');
    const a = linter.analyze(text, 'bn.py');
    const sim = toSimModel(a.models[0], a.findings, 'bn.py');
    assert.deepEqual(
      sim.layers.map((l) => [l.normalizedInput, l.normalized]),
      [
        [false, false],
        [true, true],
        [false, false],
      ],
    );
  });

  test('convolutions are sent per patch: fan_in = k x k x c_in, units = filters', async () => {
    const linter = await getLinter();
    const a = linter.analyze(readFixture('keras/functional.py'), 'functional.py');
    const conv = toSimModel(a.models[0], a.findings, 'functional.py').layers[1];
    assert.deepEqual([conv.kind, conv.fanIn, conv.units, conv.receptiveField], ['conv', 288, 64, 9]);
  });

  test('the preset is the tutorial experiment: input 100, five tanh layers of 50, N(0, 0.01^2)', () => {
    const p = presetModel();
    assert.equal(p.preset, true);
    assert.equal(p.defaultInputWidth, 100);
    assert.deepEqual(
      p.layers.map((l) => [l.units, l.activation.name, l.activation.family, l.kernel.variance]),
      Array(5).fill([50, 'tanh', 'tanh', 1e-4]),
    );
    // tanh is nearly linear at these scales (E[tanh(z)^2] ~ q - 2 q^2): each layer keeps about fan_in x 1e-4 of its input's E[x^2].
    p.layers.forEach((l, i) => assert.ok(Math.abs(l.predictedGain! / (l.fanIn! * 1e-4) - 1) < 0.03, `layer ${i + 1}: ${l.predictedGain}`));
  });

  test('what Apply would do per layer: an edit, "already uses it" (no explicit default written), or why no safe edit', async () => {
    const linter = await getLinter();
    const a = linter.analyze(readFixture('keras/sequential.py'), 'sequential.py');
    const model = a.models.find((m) => m.name === 'build_mlp')!;
    const sim = toSimModel(model, a.findings, 'sequential.py');
    assert.deepEqual(sim.layers[0].apply?.he_normal, { edit: true });
    assert.deepEqual(sim.layers[0].apply?.glorot_uniform, { edit: false, already: true, reason: 'already uses Glorot uniform (the framework default)' });
    assert.deepEqual(sim.layers[1].apply?.glorot_uniform, { edit: false, already: true, reason: 'already uses Glorot uniform' });
    assert.deepEqual(sim.layers[2].apply?.he_normal, { edit: false, already: true, reason: 'already uses He normal' });
    const t = linter.analyze(readFixture('pytorch/apply_fn.py'), 'apply_fn.py');
    const torchSim = toSimModel(t.models[0], t.findings, 'apply_fn.py');
    assert.deepEqual(torchSim.layers[0].apply?.he_normal, {
      edit: false,
      reason: 'no safe edit: its initializer is set by a call that also initializes other layers',
    });
  });

  test('an apply message: groups of layers and initializers, or the one-group form', () => {
    const m = parseWebviewMessage({
      type: 'apply',
      requestId: 3,
      groups: [
        { layers: [0, 1], choice: 'he_normal' },
        { layers: [2], choice: 'glorot_uniform' },
      ],
    });
    assert.deepEqual(m.message, {
      type: 'apply',
      requestId: 3,
      groups: [
        { layers: [0, 1], choice: 'he_normal' },
        { layers: [2], choice: 'glorot_uniform' },
      ],
    });
    assert.deepEqual(parseWebviewMessage({ type: 'apply', requestId: 4, layers: [1], choice: 'he_uniform' }).message, {
      type: 'apply',
      requestId: 4,
      groups: [{ layers: [1], choice: 'he_uniform' }],
    });
    assert.match(parseWebviewMessage({ type: 'apply', requestId: 5, groups: [] }).problem!, /bad groups/);
    assert.match(parseWebviewMessage({ type: 'apply', requestId: 5, groups: [{ layers: [0], choice: 'orthogonal' }] }).problem!, /cannot be written/);
  });

  test("LSUV's apply group carries one gain per layer, each positive and finite", () => {
    const groups = [
      { layers: [0, 2], choice: 'lsuv', gains: [1.41, 0.97] },
      { layers: [1], choice: 'he_normal' },
    ];
    assert.deepEqual(parseWebviewMessage({ type: 'apply', requestId: 6, groups }).message, { type: 'apply', requestId: 6, groups });
    for (const gains of [undefined, [1.41], [1.41, 0], [1.41, -2], [1.41, null], [1.41, 1e7], [1.41, '1.0']]) {
      const problem = parseWebviewMessage({ type: 'apply', requestId: 6, groups: [{ layers: [0, 2], choice: 'lsuv', gains }] }).problem;
      assert.match(problem ?? '', /LSUV needs a gain in \(0, 1000000\] for each layer/, JSON.stringify(gains));
    }
  });

  test('messages from the webview are validated', () => {
    assert.deepEqual(parseWebviewMessage({ type: 'ready' }).message, { type: 'ready' });
    assert.ok(parseWebviewMessage({ type: 'apply', requestId: 1, layers: [0, 2], choice: 'he_normal' }).message);
    assert.match(parseWebviewMessage({ type: 'apply', requestId: 1, layers: [0], choice: 'orthogonal' }).problem!, /cannot be written/);
    assert.match(parseWebviewMessage({ type: 'apply', requestId: -1, layers: [0], choice: 'he_normal' }).problem!, /requestId/);
    assert.match(parseWebviewMessage({ type: 'export', requestId: 2, format: 'png', data: 'x', suggestedName: '../../etc/passwd' }).problem!, /file name/);
    assert.match(parseWebviewMessage({ type: 'exec', command: 'rm' }).problem!, /unknown message type/);
    assert.match(parseWebviewMessage(null).problem!, /not an object/);
    assert.deepEqual(parseWebviewMessage({ type: 'renderer', renderer: 'ANGLE (SwiftShader)' }).message, { type: 'renderer', renderer: 'ANGLE (SwiftShader)' });
    assert.deepEqual(parseWebviewMessage({ type: 'renderer', renderer: '' }).message, { type: 'renderer', renderer: '' });
    assert.match(parseWebviewMessage({ type: 'renderer', renderer: 'x'.repeat(201) }).problem!, /bad renderer/);
    assert.match(parseWebviewMessage({ type: 'renderer', renderer: 3 }).problem!, /bad renderer/);
  });

  test('a restored panel trusts no saved path: a file outside the workspace or a malformed URI opens the demo', () => {
    const inWorkspace = (uri: string) => uri.startsWith('file:///work/project/');
    assert.deepEqual(restoredTarget({ target: { uri: 'file:///work/project/m.py', model: 'build_mlp' } }, inWorkspace), {
      target: { uri: 'file:///work/project/m.py', model: 'build_mlp' },
    });
    const outside = restoredTarget({ target: { uri: 'file:///home/u/.bashrc', model: 'x' } }, inWorkspace);
    assert.deepEqual(outside.target, {});
    assert.match(outside.warning!, /file:\/\/\/home\/u\/\.bashrc, not a file of this workspace: it opens on the demo model/);
    assert.deepEqual(restoredTarget({ target: { uri: 'not a uri\n[error] x' } }, () => true).target, {});
    assert.doesNotMatch(restoredTarget({ target: { uri: 'not a uri\n[error] x' } }, () => true).warning!, /\n/);
    assert.deepEqual(restoredTarget(undefined, inWorkspace), { target: {} });
    assert.deepEqual(restoredTarget({ target: { uri: 42 } }, inWorkspace), { target: {} });
  });

  test('a hostile message: no stack overflow on deep values, a short log line, control characters escaped', () => {
    let deep: unknown = [];
    for (let i = 0; i < 10_000; i++) deep = [deep];
    let deepObject: unknown = {};
    for (let i = 0; i < 10_000; i++) deepObject = { a: deepObject };
    assert.equal(parseWebviewMessage({ type: deep }).problem, 'unknown message type an array');
    assert.equal(parseWebviewMessage({ type: deepObject }).problem, 'unknown message type an object');
    assert.equal(parseWebviewMessage({ type: 'apply', requestId: 1, layers: [0], choice: deep }).problem, 'apply: an array cannot be written to the source');
    const forged = parseWebviewMessage({ type: 'apply', requestId: 1, layers: [0], choice: 'x\n[error] forged' }).problem!;
    assert.equal(forged, 'apply: "x\\n[error] forged" cannot be written to the source');
    assert.equal(parseWebviewMessage({ type: 'x'.repeat(1_000_000) }).problem!.length, 'unknown message type ""'.length + 81);
    const log = parseWebviewMessage({ type: 'log', level: 'info', message: `a\r\n[error] b\u001b[31m${'y'.repeat(5000)}` }).message;
    assert.ok(log?.type === 'log');
    assert.ok(log.message.startsWith('a\\r\\n[error] b\\u001b[31myyy'), log.message.slice(0, 40));
    assert.ok(!/[\n\r\u001b]/.test(log.message));
    // 2,000 characters kept, an ellipsis, and the escapes' extra characters (\r, \n: 1 each; \u001b: 5).
    assert.equal(log.message.length, 2000 + 1 + 1 + 1 + 5);
  });
});
