/**
 * Notebooks: code cells joined in order are one program; findings carry their cell; fixes
 * rewrite only the cell sources they must and keep every other byte of the file.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FIXTURES, ROOT, getLinter, readFixture } from './helpers';
import { editCells, readNotebook, writeCells } from '../../src/engine/notebook';

describe('notebooks', () => {
  test('imports in cell 0 and a constant in cell 2 serve the model in cell 3', async () => {
    const linter = await getLinter();
    const a = linter.analyze(readFixture('notebooks/mnist.ipynb'), 'mnist.ipynb');
    assert.deepEqual(
      a.findings.map((f) => [f.code, f.cell, f.line, f.layer]),
      [['IL001', 3, 7, 'Dense(256)']],
    );
    assert.equal(a.models[0].layers[0].fanIn, 784);
  });

  test('a notebook whose JSON is broken is an error for that file, not a crash', async () => {
    const linter = await getLinter();
    const a = linter.analyze(readFixture('notebooks/broken.ipynb'), 'broken.ipynb');
    assert.match(a.errors[0], /not a valid notebook/);
    assert.deepEqual(a.findings, []);
    assert.match(linter.analyze('{"cells": 3}', 'x.ipynb').errors[0], /no "cells" array/);
  });

  test('editing a cell rewrites only its source value, in the nbformat line layout', () => {
    const text = readFixture('notebooks/mnist.ipynb');
    const doc = readNotebook(text);
    assert.ok(!('error' in doc));
    const cell = doc.cells.find((c) => c.index === 3)!;
    const at = cell.codeStart + cell.source.indexOf('"relu", input_shape');
    const out = writeCells(text, doc, editCells(doc, [{ start: at, end: at + 6, newText: '"gelu"' }]));
    const before = JSON.parse(text);
    const after = JSON.parse(out);
    assert.equal(after.cells[3].source[1], '    layers.Dense(256, activation="gelu", input_shape=(INPUT,)),\n');
    after.cells[3].source[1] = before.cells[3].source[1];
    assert.deepEqual(after, before, 'nothing else changed');
    const s = text.indexOf('"model = keras.Sequential');
    assert.equal(out.slice(0, s), text.slice(0, s), 'bytes before the edited source are identical');
    const tail = text.slice(text.indexOf('"metadata": {\n  "kernelspec"'));
    assert.ok(out.endsWith(tail), 'bytes after it are identical');
  });

  test("a rewritten cell keeps the file's CRLF line endings, and the separators of a compact notebook", () => {
    const lf = readFixture('notebooks/mnist.ipynb');
    const crlf = lf.replace(/\n/g, '\r\n');
    const compact = JSON.stringify(JSON.parse(lf));
    for (const text of [crlf, compact]) {
      const doc = readNotebook(text);
      assert.ok(!('error' in doc));
      const cell = doc.cells.find((c) => c.index === 3)!;
      const at = cell.codeStart + cell.source.indexOf('"relu", input_shape');
      const out = writeCells(text, doc, editCells(doc, [{ start: at, end: at + 6, newText: '"gelu"' }]));
      assert.equal(JSON.parse(out).cells[3].source[1], '    layers.Dense(256, activation="gelu", input_shape=(INPUT,)),\n');
      if (text === crlf) assert.doesNotMatch(out, /[^\r]\n/, 'no bare LF written into a CRLF notebook');
      else assert.equal(out, text.replace('\\"relu\\", input_shape', '\\"gelu\\", input_shape'), 'only the edited characters change');
    }
  });

  test('a cell written with ASCII escapes keeps them when it is rewritten; raw text stays raw', () => {
    const nb = (source: string[]) =>
      `{\n "cells": [\n  {\n   "cell_type": "code",\n   "source": [\n${source.map((l) => `    ${l}`).join(',\n')}\n   ]\n  }\n ],\n "nbformat": 4\n}\n`;
    const escaped = nb(['"x = \\"caf\\u00e9 \\ud83d\\ude00\\"\\n"', '"y = 1\\n"']);
    const raw = nb(['"x = \\"café 😀\\"\\n"', '"y = 1\\n"']);
    for (const [text, expected] of [
      [escaped, '"x = \\"caf\\u00e9 \\ud83d\\ude00\\"\\n"'],
      [raw, '"x = \\"café 😀\\"\\n"'],
    ]) {
      const doc = readNotebook(text);
      assert.ok(!('error' in doc));
      const at = doc.code.indexOf('y = 1') + 4;
      const out = writeCells(text, doc, editCells(doc, [{ start: at, end: at + 1, newText: '2' }]));
      assert.ok(out.includes(expected), out);
      assert.deepEqual(JSON.parse(out).cells[0].source, ['x = "café 😀"\n', 'y = 2\n']);
    }
  });

  test('initlint --fix on a notebook: the fix lands in its cell, outputs and metadata stay', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'initlint-nb-'));
    const file = path.join(dir, 'mnist.ipynb');
    const original = fs.readFileSync(path.join(FIXTURES, 'notebooks', 'mnist.ipynb'), 'utf8');
    fs.writeFileSync(file, original);
    const r = spawnSync(process.execPath, [path.join(ROOT, 'dist', 'cli.js'), '--fix', '--format', 'json', dir], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout).findings, []);
    const fixed = JSON.parse(fs.readFileSync(file, 'utf8'));
    const before = JSON.parse(original);
    assert.equal(fixed.cells[3].source[1], '    layers.Dense(256, activation="relu", input_shape=(INPUT,), kernel_initializer="he_normal"),\n');
    assert.deepEqual(fixed.cells[3].outputs, before.cells[3].outputs);
    assert.deepEqual(fixed.metadata, before.metadata);
    assert.deepEqual(fixed.cells.slice(0, 3), before.cells.slice(0, 3));
  });
});

describe('IPython magics and shell escapes', () => {
  const nb = (cells: string[][]) =>
    JSON.stringify(
      {
        cells: cells.map((source) => ({ cell_type: 'code', source, metadata: {}, outputs: [], execution_count: null })),
        metadata: {},
        nbformat: 4,
        nbformat_minor: 5,
      },
      null,
      1,
    );

  test('are not syntax errors and hide nothing: the model after them is judged at its own line', async () => {
    const linter = await getLinter();
    const text = nb([
      ['%matplotlib inline\n', '!pip install torch\n', 'import torch\n', 'from torch import nn\n', 'files = !ls data\n', 'nn.Linear?\n'],
      ['%%time\n', 'net = nn.Sequential(nn.Linear(8, 8), nn.ReLU())\n', '%timeit net(torch.zeros(1, 8))'],
      ['%%bash\n', 'for f in *.csv; do\n', '  wc -l $f\n', 'done'],
      ['%%writefile train.py\n', 'def broken(:\n'],
    ]);
    const a = linter.analyze(text, 'magic.ipynb');
    assert.deepEqual(a.errors, []);
    assert.deepEqual(
      a.findings.map((f) => [f.code, f.cell, f.layer]),
      [['IL001', 1, 'Linear(8, 8)']],
    );
    // The finding stands where the layer is: offsets are the cells' own.
    const f = a.findings[0];
    assert.equal(a.notebook!.code.slice(f.start, f.end).startsWith('nn.Linear(8, 8)'), true);
  });

  test('a real syntax error in a Python cell is still one', async () => {
    const linter = await getLinter();
    assert.match(linter.analyze(nb([['%load_ext autoreload\n', 'import torch\n', 'x = (\n']]), 'bad.ipynb').errors.join(), /syntax error/);
  });

  test('a notebook nested far too deep is an error for that file, not a crash', async () => {
    const linter = await getLinter();
    const deep = `{"cells": [], "metadata": ${'['.repeat(100000)}${']'.repeat(100000)}}`;
    const a = linter.analyze(deep, 'deep.ipynb');
    assert.match(a.errors.join(), /not a valid notebook/);
  });
});

describe('notebook positions on the command line', () => {
  test('text, JSON and SARIF report the line and column of the file, in array and single-string sources, escapes counted', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'initlint-nbpos-'));
    const mnist = readFixture('notebooks/mnist.ipynb');
    // The same cells with each source written as one string (escaped quotes and newlines).
    const compact = JSON.parse(mnist);
    for (const c of compact.cells) if (Array.isArray(c.source)) c.source = c.source.join('');
    const files = { 'lines.ipynb': mnist, 'one_string.ipynb': JSON.stringify(compact) };
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
    const run = (format: string) =>
      spawnSync(process.execPath, [path.join(ROOT, 'dist', 'cli.js'), '--format', format, '.'], { cwd: dir, encoding: 'utf8' }).stdout;
    const json = JSON.parse(run('json'));
    for (const f of json.findings as Array<{ file: string; line: number; column: number; cell: number; fix?: { edits: Array<{ line: number }> } }>) {
      const text = files[f.file as keyof typeof files];
      const line = text.split('\n')[f.line - 1];
      assert.ok(line.slice(f.column - 1).startsWith('layers.Dense(256'), `${f.file}:${f.line}:${f.column} is ${JSON.stringify(line)}`);
      assert.equal(f.cell, 3);
      for (const e of f.fix?.edits ?? []) assert.equal(e.line, f.line, "the fix lands on the finding's line");
    }
    assert.equal(json.findings.length, 2);
    // Text output as Ruff prints notebooks: the cell (1-based, all cells counted), then line and column in it.
    const first = json.findings.find((f: { file: string }) => f.file === 'lines.ipynb');
    const cellSource: string = JSON.parse(mnist).cells[first.cell].source.join('');
    const lineInCell = cellSource.split('\n')[first.cellPosition.line - 1];
    assert.ok(lineInCell.slice(first.cellPosition.column - 1).startsWith('layers.Dense(256'));
    assert.match(run('text'), new RegExp(`^lines\\.ipynb:cell 4:${first.cellPosition.line}:${first.cellPosition.column}: IL001 `, 'm'));
    const sarif = JSON.parse(run('sarif'));
    const regions = sarif.runs[0].results
      .map((r: { locations: Array<{ physicalLocation: { region: { startLine: number } } }> }) => r.locations[0].physicalLocation.region.startLine)
      .sort();
    assert.deepEqual(regions, json.findings.map((f: { line: number }) => f.line).sort());
  });
});
