/**
 * An analysis sent as JSON (the language server to its VS Code client) reads as the analysis
 * itself: every layer's numbers and hover, every model's verdict and simulator model, every
 * fix a layer can build, the findings and their fixes, and the data-flow graph's shape.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT, allSources, getLinter } from './helpers';
import { fromWire, toWire } from '../../src/engine/wire';
import { explainLayer, explanationMarkdown, modelSummary } from '../../src/engine/explain';
import { toSimModel } from '../../src/engine/simModel';
import type { Analysis } from '../../src/engine/linter';
import type { Recommendation } from '../../src/engine/ir';

const TO: Recommendation[] = ['he_normal', 'he_uniform', 'glorot_uniform', 'lecun_normal'];

/** What a user sees of an analysis: hovers, verdicts, simulator models, fixes. */
function seen(a: Analysis, file: string): unknown {
  return {
    findings: a.findings.map((f) => ({ ...f, fix: f.fix })),
    errors: a.errors,
    models: a.models.map((m) => ({
      summary: modelSummary(m, a.findings),
      sim: toSimModel(m, a.findings, file),
      layers: m.layers.map((l) => ({
        hover: explanationMarkdown(l, explainLayer(m, l)),
        input: l.input?.kind,
        rewrites: TO.map((to) => l.rewrite(to) ?? null),
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
    const back = fromWire(JSON.parse(JSON.stringify(toWire(a))));
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
  const back = fromWire(JSON.parse(JSON.stringify(toWire(a)))).models[0];
  assert.equal(back.layers.length, m.layers.length);
  for (let i = 0; i < m.layers.length; i++)
    for (let j = 0; j < m.layers.length; j++) assert.equal(back.layers[i] === back.layers[j], m.layers[i] === m.layers[j], `${i} ${j}`);
});
