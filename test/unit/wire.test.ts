/**
 * An analysis sent as JSON (the language server to its VS Code client) reads as the analysis
 * itself: every layer's numbers and hover, every model's verdict and simulator model, every
 * fix a layer can build, what the views show of the findings (their fixes' edits are asked of
 * the server: server.test.ts), and the data-flow graph's shape.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT, allSources, getLinter } from './helpers';
import { fromWire, installRewrites, rewritesToWire, toWire, type RevivedAnalysis, type WireFinding } from '../../src/engine/wire';
import { explainLayer, explanationMarkdown, modelSummary } from '../../src/engine/explain';
import { toSimModel } from '../../src/engine/simModel';
import type { Analysis, Finding } from '../../src/engine/linter';
import { RECOMMENDATIONS } from '../../src/engine/ir';

/** The analysis and each model's fixes as the server sends them (JSON), read as the client reads them. */
function roundTrip(a: Analysis): RevivedAnalysis {
  const back = fromWire(JSON.parse(JSON.stringify(toWire(a))));
  a.models.forEach((m, i) => assert.ok(installRewrites(back.models[i], JSON.parse(JSON.stringify(rewritesToWire(m))))));
  return back;
}

/** What the views read of a finding: the panel, the lenses, the status item, the simulator. */
function summary(f: Finding | WireFinding): unknown {
  const fixable = 'fixable' in f ? f.fixable === true : 'fix' in f && f.fix !== undefined;
  return { code: f.code, severity: f.severity, message: f.message, model: f.model, layer: f.layer, start: f.start, end: f.end, cell: f.cell, fixable };
}

/** What a user sees of an analysis: hovers, verdicts, simulator models, fixes. */
function seen(a: Analysis | RevivedAnalysis, file: string): unknown {
  return {
    findings: a.findings.map(summary),
    errors: a.errors,
    models: a.models.map((m) => ({
      summary: modelSummary(m, a.findings),
      sim: toSimModel(m, a.findings, file),
      layers: m.layers.map((l) => ({
        hover: explanationMarkdown(l, explainLayer(m, l)),
        input: l.input?.kind,
        rewrites: RECOMMENDATIONS.map((to) => l.rewrite(to) ?? null),
        // LSUV's Apply: the wire carries one template, filled with each gain.
        orthogonal: ['1.414', '0.5', '1e-7'].map((gain) => l.rewrite({ kind: 'orthogonal', gain }) ?? null),
      })),
    })),
  };
}

test('an analysis sent as JSON gives the same numbers, verdicts, simulator models and fixes', async () => {
  const linter = await getLinter();
  let layers = 0;
  let flows = 0;
  for (const file of allSources()) {
    const rel = path.relative(ROOT, file);
    const a = linter.analyze(fs.readFileSync(file, 'utf8'), file);
    const back = roundTrip(a);
    assert.deepEqual(seen(back, rel), seen(a, rel), rel);
    for (const m of back.models) {
      layers += m.layers.length;
      // The graph is a graph again: a layer's input refers to a layer of the revived models.
      for (const l of m.layers) {
        if (l.input?.kind !== 'layer') continue;
        flows++;
        const from = l.input.layer;
        assert.ok(
          back.models.some((mm) => mm.layers.includes(from)),
          `${rel}: ${l.label}'s input is a revived layer`,
        );
      }
    }
  }
  assert.ok(layers > 100 && flows > 20, `${layers} layers, ${flows} layer-to-layer flows checked`);
});

test('a layer the model lists twice (built once, called in a loop) is one layer again', async () => {
  const linter = await getLinter();
  const text = [
    'import torch',
    'from torch import nn',
    '',
    'class Tied(nn.Module):',
    '    def __init__(self):',
    '        super().__init__()',
    '        self.fc = nn.Linear(64, 64)',
    '',
    '    def forward(self, x):',
    '        for _ in range(3):',
    '            x = torch.relu(self.fc(x))',
    '        return x',
    '',
  ].join('\n');
  const a = linter.analyze(text, 'tied.py');
  const m = a.models[0];
  const back = roundTrip(a).models[0];
  assert.equal(back.layers.length, m.layers.length);
  for (let i = 0; i < m.layers.length; i++)
    for (let j = 0; j < m.layers.length; j++) assert.equal(back.layers[i] === back.layers[j], m.layers[i] === m.layers[j], `${i} ${j}`);
});

/** A Keras functional model of `blocks` residual blocks: each block's input is the sum of the last one's. */
function residualChain(blocks: number): string {
  const lines = [
    'from tensorflow import keras',
    'from tensorflow.keras import layers',
    '',
    '',
    'def build():',
    '    inputs = keras.Input(shape=(64,))',
    '    x = inputs',
  ];
  for (let i = 0; i < blocks; i++) {
    lines.push(`    h = layers.Dense(64, activation="relu", kernel_initializer="he_normal")(x)`);
    lines.push(`    x = layers.Activation("relu")(layers.add([x, h]))`);
  }
  lines.push('    return keras.Model(inputs, x)', '');
  return lines.join('\n');
}

test('the data-flow graph crosses once per flow: a residual chain twice as long sends about twice as much', async () => {
  const linter = await getLinter();
  const bytes = (blocks: number) => {
    const a = linter.analyze(residualChain(blocks), 'residual.py');
    assert.equal(a.models[0]?.layers.length, blocks, 'every Dense of the chain is a layer of the model');
    const wire = toWire(a);
    // Each block's input is the last block's sum: shared, so one entry each, not a copy of the chain below it.
    assert.ok(wire.flows.length <= 6 * blocks, `${wire.flows.length} flows for ${blocks} blocks`);
    return JSON.stringify(wire.flows).length;
  };
  const small = bytes(100);
  const large = bytes(200);
  assert.ok(large < 2.2 * small, `flows: ${small} bytes for 100 blocks, ${large} for 200`);
});

test('the graph is the same graph after the crossing: shared flows stay shared', async () => {
  const linter = await getLinter();
  const a = linter.analyze(residualChain(3), 'residual.py');
  const back = roundTrip(a).models[0];
  const [, second, third] = back.layers;
  // Block 2's input and block 3's residual path both read block 1's sum: one flow object.
  const sumOf = (l: typeof second) => (l.input?.kind === 'activation' ? l.input.from : undefined);
  const thirdSum = sumOf(third);
  assert.equal(thirdSum?.kind, 'merge');
  assert.ok(thirdSum?.kind === 'merge' && thirdSum.from[0] === second.input, "block 3's sum reads block 2's input itself");
});

test('fixes are sent only when asked for; until then a revived layer offers none, and fixes of another model are refused', async () => {
  const linter = await getLinter();
  const a = linter.analyze(residualChain(3).replaceAll('he_normal', 'glorot_uniform'), 'residual.py');
  assert.equal(a.findings.length, 3, 'one finding a block, each with a fix');
  const wire = toWire(a);
  assert.ok(!JSON.stringify(wire).includes('"edits"'), "no fix in the analysis itself, not even the findings'");
  assert.deepEqual(
    wire.findings.map((f) => f.fixable),
    [true, true, true],
  );
  const back = fromWire(JSON.parse(JSON.stringify(wire)));
  assert.equal(back.models[0].layers[0].rewrite('he_uniform'), undefined);
  const other = linter.analyze(residualChain(4), 'other.py');
  assert.equal(installRewrites(back.models[0], rewritesToWire(other.models[0])), false);
  assert.equal(back.models[0].layers[0].rewrite('he_uniform'), undefined);
  assert.ok(installRewrites(back.models[0], rewritesToWire(a.models[0])));
  assert.deepEqual(back.models[0].layers[0].rewrite('he_uniform'), a.models[0].layers[0].rewrite('he_uniform'));
  assert.ok(back.models[0].layers[0].rewrite('he_uniform'), 'the Dense layer has a fix to HeUniform');
});

test('a layer whose rewrite throws offers no fix; the other layers keep theirs', async () => {
  const linter = await getLinter();
  const a = linter.analyze(residualChain(3), 'throws.py');
  const [first] = a.models[0].layers;
  first.rewrite = () => {
    throw new Error('a bug in one front end');
  };
  const wire = rewritesToWire(a.models[0]);
  assert.deepEqual(wire.layers[0], { rewrites: {} });
  assert.ok('rewrites' in wire.layers[1] && wire.layers[1].rewrites.he_uniform, 'the second layer keeps its fix');
});

test('an analysis without the flow table (a server older than it) is read with its flows unknown, not dropped', async () => {
  const linter = await getLinter();
  const wire = JSON.parse(JSON.stringify(toWire(linter.analyze(residualChain(2), 'old.py'))));
  delete wire.flows;
  const back = fromWire(wire);
  assert.equal(back.models[0].layers.length, 2);
  assert.equal(back.models[0].layers[1].input?.kind, 'opaque');
});

test("an initializer's spec crosses once, however many layers use it, and the revived layers share it", async () => {
  const linter = await getLinter();
  const a = linter.analyze(residualChain(40).replace('kernel_initializer="he_normal"', 'kernel_initializer="glorot_uniform"'), 'specs.py');
  const wire = toWire(a);
  assert.deepEqual(
    wire.specs.map((s) => s.name),
    ['glorot_uniform', 'he_normal'],
  );
  const layers = wire.models[0].layers.flatMap((l) => ('init' in l ? [l] : []));
  assert.deepEqual(
    layers.map((l) => l.init.spec),
    [0, ...Array<number>(39).fill(1)],
  );
  const back = fromWire(JSON.parse(JSON.stringify(wire))).models[0].layers;
  assert.equal(back[1].init.spec, back[39].init.spec);
  assert.deepEqual(back[0].init.spec, a.models[0].layers[0].init.spec);
});

test('a spec index that names no spec (a malformed message) reads as an unknown initializer', async () => {
  const linter = await getLinter();
  const wire = JSON.parse(JSON.stringify(toWire(linter.analyze(residualChain(2), 'bad.py'))));
  wire.specs = [];
  const back = fromWire(wire);
  assert.equal(back.models[0].layers[0].init.spec.family, 'unknown');
});

test('layers built by one call in a loop cross as one layer and its likes, and come back distinct, each with its input', async () => {
  const linter = await getLinter();
  const loop = (n: number) =>
    [
      'from tensorflow.keras import layers',
      '',
      '',
      'def build(x):',
      `    for _ in range(${n}):`,
      '        x = layers.Dense(8, activation="tanh", kernel_initializer="he_normal")(x)',
      '    return x',
      '',
    ].join('\n');
  const a = linter.analyze(loop(50), 'loop.py');
  const wire = toWire(a);
  const sent = wire.models[0].layers;
  assert.equal(sent.length, 50);
  // The first layer's fan_in is unknown (the input's width is not written): its data differs.
  assert.ok('init' in sent[0] && 'init' in sent[1] && sent[0].fanIn === undefined && sent[1].fanIn === 8, 'two layers with their data');
  assert.ok(
    sent.slice(2).every((l) => 'like' in l && l.like === 1 && l.input !== undefined),
    'the others: like the second, each with its own input',
  );
  const back = roundTrip(a);
  const revived = back.models[0].layers;
  assert.equal(new Set(revived).size, 50, 'fifty layer objects, as in the analysis');
  for (let j = 1; j < 50; j++) {
    const input = revived[j].input;
    assert.ok(input?.kind === 'layer' && input.layer === revived[j - 1], `layer ${j} reads layer ${j - 1}`);
  }
  assert.deepEqual(seen(back, 'loop.py'), seen(a, 'loop.py'), 'the same numbers, hovers and fixes');
  // Twice the layers, not twice the bytes of their data.
  const bytes = (n: number) => JSON.stringify(toWire(linter.analyze(loop(n), 'loop.py')).models[0].layers).length;
  assert.ok(bytes(400) < 2.2 * bytes(200) && bytes(400) - bytes(200) < 200 * 40, `${bytes(200)} bytes for 200 layers, ${bytes(400)} for 400`);
});

test('a layer like one that is not before it (a malformed message) is refused with why', async () => {
  const linter = await getLinter();
  const wire = JSON.parse(JSON.stringify(toWire(linter.analyze(residualChain(2), 'bad.py'))));
  wire.models[0].layers[1] = { like: 5 };
  assert.throws(() => fromWire(wire), /layer 1 of build is like layer 5, which is not before it/);
});
