/**
 * A re-lint keeps the standalone evaluations of the definitions an edit did not reach
 * (frontends/eval/definitionCache.ts). Whatever it keeps, its analysis must be exactly a fresh
 * lint's: findings with ranges, messages and fixes, and every model's layers with their flows
 * and the fixes each would offer. Over every fixture and example, and edits of every kind: in a
 * definition, before one, in a module constant or an import, a definition inserted, removed or
 * renamed; each edit linted incrementally after the original (so the cache is used across a chain
 * of edits), and compared with a lint from scratch.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FIXTURES, ROOT, allSources, getLinter } from './helpers';
import type { Analysis, Linter } from '../../src/engine/linter';
import type { Flow } from '../../src/engine/ir';
import { toWire } from '../../src/engine/wire';
import { cacheStats } from '../../src/engine/frontends/eval/definitionCache';
import { callCounts, recount } from '../../src/engine/frontends/eval/entryPoints';

/** Everything an analysis says, as text: every finding with its fix; flows are written with their sharing (`#n`: a flow object seen before). */
function said(a: Analysis): string {
  const ids = new Map<Flow, number>();
  const layerIds = new Map<unknown, number>();
  a.models.forEach((m) => m.layers.forEach((l) => layerIds.set(l, layerIds.get(l) ?? layerIds.size)));
  const flow = (f: Flow | undefined): unknown => {
    if (!f) return null;
    const seen = ids.get(f);
    if (seen !== undefined) return `#${seen}`;
    ids.set(f, ids.size);
    switch (f.kind) {
      case 'layer':
        return ['layer', layerIds.get(f.layer) ?? 'outside'];
      case 'merge':
        return ['merge', f.op, f.widths, f.from.map(flow)];
      case 'input':
        return ['input'];
      case 'opaque':
        return ['opaque', flow(f.from)];
      default:
        return [f.kind, 'info' in f ? f.info.name : '', flow(f.from)];
    }
  };
  const graph = a.models.map((m) => m.layers.map((l) => flow(l.input)));
  return JSON.stringify({ wire: toWire(a), findings: a.findings.map((f) => ({ ...f, fix: f.fix })), graph }, null, 1);
}

function files(): Array<{ name: string; text: string }> {
  return allSources()
    .map((p) => ({ name: path.relative(ROOT, p), text: fs.readFileSync(p, 'utf8') }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** A line replaced (or removed, with `undefined`). */
function withLine(lines: string[], i: number, line: string | undefined): string {
  return [...lines.slice(0, i), ...(line === undefined ? [] : [line]), ...lines.slice(i + 1)].join('\n');
}

/** The last line of the block that starts at line `i` (lines after it indented deeper, or blank). */
function blockEnd(lines: string[], i: number): number {
  const indent = /^\s*/.exec(lines[i])![0].length;
  let end = i;
  for (let j = i + 1; j < lines.length; j++) {
    if (lines[j].trim() === '') continue;
    if (/^\s*/.exec(lines[j])![0].length <= indent) break;
    end = j;
  }
  return end;
}

/** Edits of a Python file, each the whole edited text, named. */
function pythonEdits(text: string): Array<[string, string]> {
  const lines = text.split('\n');
  const edits: Array<[string, string]> = [];
  const mid = lines.length >> 1;
  edits.push(['a space at the end of the middle line', withLine(lines, mid, `${lines[mid]} `)]);
  edits.push(['a line at the top', `# edited\n${text}`]);
  const defs = lines.map((l, i) => [l, i] as const).filter(([l]) => /^\s*(?:async\s+)?(?:def|class)\s+\w+/.test(l));
  for (const [line, i] of defs.slice(0, 8)) {
    const name = /(?:def|class)\s+(\w+)/.exec(line)![1];
    const end = blockEnd(lines, i);
    // A number in the definition changed (a layer's size, an init's scale).
    for (let j = i; j <= end; j++) {
      const m = /\b(\d+)\b/.exec(lines[j].replace(/#.*/, ''));
      if (m && j > i) {
        edits.push([
          `a number in ${name}`,
          withLine(lines, j, lines[j].slice(0, m.index) + String(Number(m[1]) * 2 + 1) + lines[j].slice(m.index + m[1].length)),
        ]);
        break;
      }
    }
    edits.push([`a line before ${name}`, withLine(lines, i, `\n${line}`)]);
    edits.push([`${name} renamed`, text.replace(new RegExp(`\\b${name}\\b`, 'g'), `${name}Renamed`)]);
    edits.push([`${name}'s definition renamed`, withLine(lines, i, line.replace(name, `${name}_old`))]);
    if (/^\S/.test(line) || /^@/.test(lines[i - 1] ?? '')) {
      const start = /^@/.test(lines[i - 1] ?? '') ? i - 1 : i;
      edits.push([`${name} removed`, [...lines.slice(0, start), ...lines.slice(end + 1)].join('\n')]);
      edits.push([
        `a definition inserted before ${name}`,
        [...lines.slice(0, start), 'def inserted_helper(x):', '    return x', '', '', ...lines.slice(start)].join('\n'),
      ]);
    }
  }
  lines.forEach((l, i) => {
    // Module constants and imports.
    const constant = /^([A-Za-z_]\w*)\s*=\s*(.*)$/.exec(l);
    if (constant) {
      const n = /\b(\d+(?:\.\d+)?)\b/.exec(constant[2]);
      if (n) edits.push([`constant ${constant[1]} changed`, withLine(lines, i, l.replace(n[1], `${n[1]}1`))]);
      edits.push([`constant ${constant[1]} removed`, withLine(lines, i, undefined)]);
    }
    if (/^(?:import|from)\s/.test(l)) {
      edits.push([`import removed: ${l}`, withLine(lines, i, undefined)]);
      if (/ as \w+/.test(l)) edits.push([`import renamed: ${l}`, withLine(lines, i, l.replace(/ as (\w+)/, ' as $1_x'))]);
    }
  });
  return edits;
}

/**
 * Files whose definitions read what an edit elsewhere changes: a key that missed any of these
 * reads would keep a stale evaluation, and the analyses would differ.
 */
/** A model reading module-level data: a table built by a helper, a registry a function fills, a list made from the table. */
const DATA_STATEMENTS = `import torch
from torch import nn

BASE = 32
REGISTRY = {}


def _cfg(width, **kwargs):
    return {"width": width, "act": "relu", **kwargs}


def register(name, width):
    REGISTRY[name] = width
    return width


CFGS = {
    "small": _cfg(BASE),
    "base": _cfg(BASE * 2, act="tanh"),
}
TINY = register("tiny", 16)
WIDTHS = [c["width"] for c in CFGS.values()]


class Net(nn.Module):
    def __init__(self, variant="base"):
        super().__init__()
        cfg = CFGS[variant]
        self.fc = nn.Linear(cfg["width"], REGISTRY["tiny"])
        self.out = nn.Linear(REGISTRY["tiny"], WIDTHS[0])
        nn.init.normal_(self.fc.weight, std=1.0)

    def forward(self, x):
        return self.out(torch.relu(self.fc(x)))
`;

const READS: Array<{ name: string; text: string; edits: Array<[string, (t: string) => string]> }> = [
  {
    name: 'reads/constant.py',
    text: `import torch
from torch import nn

WIDTH = 64
SCALE = 0.5
ACT = "tanh"


def make(n):
    return nn.Linear(n, n)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(WIDTH, 10)
        self.extra = make(WIDTH)
        nn.init.normal_(self.fc.weight, std=SCALE)

    def forward(self, x):
        return torch.tanh(self.fc(self.extra(x)))


def build():
    layer = nn.Linear(WIDTH, WIDTH)
    return nn.Sequential(layer, nn.ReLU(), nn.Linear(WIDTH, 1))
`,
    edits: [
      ['a constant a cached class reads', (t) => t.replace('WIDTH = 64', 'WIDTH = 128')],
      ['an init scale a cached class reads', (t) => t.replace('SCALE = 0.5', 'SCALE = 0.01')],
      ['the helper a cached class calls', (t) => t.replace('return nn.Linear(n, n)', 'return nn.Linear(n, 2 * n)')],
      ['the constant removed', (t) => t.replace('WIDTH = 64\n', '')],
      ['the helper shadowed', (t) => `${t}\n\ndef make(n):\n    return nn.Linear(n, 3)\n`],
      ['the alias of nn changed', (t) => t.replace('from torch import nn', 'import torch.nn as nn')],
      ['torch imported no longer', (t) => t.replace('import torch\n', '')],
    ],
  },
  {
    // A parameter annotated with a class of the file: a config class is built for it, a model class is not (interpreter.ts, configDefault).
    name: 'reads/annotated.py',
    text: `from torch import nn


class Settings:
    width = 32


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(16, 16)
        self.act = nn.ReLU()

    def forward(self, x):
        return self.act(self.fc(x))


def build(cfg: Settings, model: Net):
    return nn.Sequential(nn.Linear(cfg.width, cfg.width), nn.Tanh())
`,
    edits: [
      ['a method of the model class', (t) => t.replace('nn.Linear(16, 16)', 'nn.Linear(16, 8)')],
      ['the model class no longer a model', (t) => t.replace('class Net(nn.Module):', 'class Net:')],
      ['the settings class becomes a model', (t) => t.replace('class Settings:', 'class Settings(nn.Module):')],
      ['the config width', (t) => t.replace('width = 32', 'width = 64')],
    ],
  },
  {
    // Module statements that bind data are kept too (evaluator.ts, keptStatement).
    name: 'reads/data.py',
    text: DATA_STATEMENTS,
    edits: [
      ['the helper a kept table calls', (t) => t.replace('return {"width": width,', 'return {"width": width * 2,')],
      ['a constant a kept table reads', (t) => t.replace('BASE = 32', 'BASE = 48')],
      ['an entry of the table', (t) => t.replace('_cfg(BASE * 2,', '_cfg(BASE * 3,')],
      ['what a statement registers', (t) => t.replace('register("tiny", 16)', 'register("tiny", 24)')],
      ['the function that fills the registry', (t) => t.replace('REGISTRY[name] = width', 'REGISTRY[name] = width * 2')],
      ['the table bound again after the class', (t) => `${t}\n\nCFGS = {"base": _cfg(8)}\n`],
      ['the table read by another name first', (t) => t.replace('TINY = register', 'ALIAS = CFGS\nTINY = register')],
      ['an init in the class', (t) => t.replace('std=1.0', 'std=0.5')],
    ],
  },
  {
    // A block passed by keyword to a model built elsewhere takes that model's init (torch.ts, componentInit).
    name: 'reads/component.py',
    text: `from torch import nn
from zoo import build


class Block(nn.Module):
    def __init__(self, dim=64):
        super().__init__()
        self.fc1 = nn.Linear(dim, dim)
        self.act = nn.ReLU()
        self.fc2 = nn.Linear(dim, dim)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class Net(nn.Module):
    def __init__(self, block_cls=None, dim=64):
        super().__init__()
        self.body = block_cls(dim)
        self.apply(self._init_weights)

    def _init_weights(self, m):
        if isinstance(m, nn.Linear):
            nn.init.kaiming_normal_(m.weight, nonlinearity="relu")

    def forward(self, x):
        return self.body(x)


def net_block():
    return build(Net, block_cls=Block)
`,
    edits: [
      ["the owner's init changed", (t) => t.replace('kaiming_normal_(m.weight, nonlinearity="relu")', 'xavier_uniform_(m.weight)')],
      ['the block passed under another keyword', (t) => t.replace('build(Net, block_cls=Block)', 'build(Net, mixer=Block)')],
      [
        'a second owner',
        (t) =>
          `${t}\n\nclass Net2(Net):\n    pass\n\n\nclass Other(nn.Module):\n    def __init__(self, block_cls=None):\n        super().__init__()\n        self.apply(init_other)\n`,
      ],
      ['the owner no longer applies its init', (t) => t.replace('        self.apply(self._init_weights)\n', '')],
    ],
  },
  {
    name: 'reads/wildcard.py',
    text: `from torch.nn import *
import torch


def build():
    first = Linear(64, 64)
    second = Linear(64, 10)
    return second(torch.tanh(first(torch.randn(1, 64))))
`,
    edits: [
      ['the wildcard import removed', (t) => t.replace('from torch.nn import *\n', 'from torch import nn\n')],
      ['a name the wildcard gave bound in the module', (t) => t.replace('import torch\n', 'import torch\nLinear = None\n')],
    ],
  },
  {
    name: 'reads/tf1.py',
    text: `import tensorflow as tf


def build():
    return tf.keras.Sequential([
        tf.keras.layers.Dense(64, activation="relu", kernel_initializer=tf.random_normal_initializer(stddev=0.5)),
        tf.keras.layers.Dense(10),
    ])
`,
    edits: [['the file becomes TF1 code elsewhere', (t) => `${t}\nx = tf.placeholder(tf.float32, [None, 784])\n`]],
  },
  {
    name: 'reads/config.py',
    text: `from dataclasses import dataclass
from torch import nn


@dataclass
class ModelConfig:
    width: int = 64


class Net(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.fc = nn.Linear(config.width, config.width)
        self.act = nn.Tanh()

    def forward(self, x):
        return self.act(self.fc(x))
`,
    edits: [
      ['the config changed', (t) => t.replace('width: int = 64', 'width: int = 32')],
      ['a second config class', (t) => `${t}\n\n@dataclass\nclass OtherConfig:\n    width: int = 8\n`],
    ],
  },
  {
    name: 'reads/plain.py',
    text: `from tensorflow import keras


class Agent:
    def __init__(self, n):
        self.n = n
        self.model = self.build_model()

    def build_model(self):
        return keras.Sequential([keras.layers.Dense(self.n, activation="relu"), keras.layers.Dense(4)])

    def train(self):
        pass


def build_model():
    return keras.Sequential([keras.layers.Dense(32, activation="relu")])


def main():
    return Agent(8)


class Builders:
    def build_a(self):
        return keras.Sequential([keras.layers.Dense(8, activation="relu")])

    def build_b(self):
        return keras.Sequential([keras.layers.Dense(16, activation="tanh")])


agent = Agent(16)
`,
    edits: [
      ['the module no longer builds the agent', (t) => t.replace('agent = Agent(16)\n', '')],
      ['a call of the method elsewhere', (t) => `${t}agent.train()\nagent.build_model()\n`],
      ['a call of a method, in a function after the class', (t) => `${t}\n\ndef use(b):\n    return b.build_a()\n`],
      ['a second model of the same name', (t) => `${t}\n\ndef build_model():\n    return keras.Sequential([keras.layers.Dense(8)])\n`],
    ],
  },
];

/** `text` linted, then `edited` incrementally: how many kept evaluations the re-lint used again, what it said, and a fresh lint to compare with. */
function relinted(linter: Linter, key: string, text: string, edited: string): { replayed: number; incremental: string; fresh: (t: string) => string } {
  linter.analyze(text, key);
  const before = cacheStats.replayed;
  const incremental = said(linter.analyze(edited, key));
  const replayed = cacheStats.replayed - before;
  linter.forget(key);
  return { replayed, incremental, fresh: (t) => said(linter.analyze(t, key, { cacheKey: false })) };
}

async function check(linter: Linter, name: string, text: string, edits: Array<[string, string]>, mismatches: string[]): Promise<void> {
  const key = `definition-cache:${name}`;
  const compare = (what: string, t: string) => {
    const incremental = said(linter.analyze(t, name, { cacheKey: key }));
    const fresh = said(linter.analyze(t, name, { cacheKey: false }));
    if (incremental !== fresh) {
      const a = incremental.split('\n');
      const b = fresh.split('\n');
      const at = a.findIndex((l, i) => l !== b[i]);
      mismatches.push(
        `${name}, ${what}: incremental ${a.slice(Math.max(0, at - 3), at + 2).join(' ')} | fresh ${b.slice(Math.max(0, at - 3), at + 2).join(' ')}`,
      );
    }
  };
  compare('original', text);
  for (const [what, edited] of edits) {
    compare(what, edited);
    compare(`back from: ${what}`, text);
  }
  linter.forget(key);
}

test('an incremental re-lint of every fixture and example, edited every way, equals a fresh lint', async () => {
  const linter = await getLinter();
  const mismatches: string[] = [];
  const before = cacheStats.replayed;
  let count = 0;
  for (const { name, text } of files()) {
    const edits: Array<[string, string]> = name.endsWith('.py')
      ? pythonEdits(text)
      : [
          ['a line at the top', `\n${text}`],
          ['a space in the middle', `${text.slice(0, text.length >> 1)} ${text.slice(text.length >> 1)}`],
        ];
    count += edits.length;
    await check(linter, name, text, edits, mismatches);
  }
  assert.deepEqual(mismatches, []);
  assert.ok(count > 500, `${count} edits`);
  // The comparison means something only where evaluations were used again.
  assert.ok(cacheStats.replayed - before > 500, `${cacheStats.replayed - before} evaluations used again`);
});

test('an edit to what a kept definition read elsewhere (a constant, a helper, an import, the config) is seen', async () => {
  const linter = await getLinter();
  for (const { name, text, edits } of READS) {
    const mismatches: string[] = [];
    const before = cacheStats.replayed;
    await check(
      linter,
      name,
      text,
      [['a blank line at the end', (t: string) => `${t}\n`] as const, ...edits].map(([what, edit]): [string, string] => {
        const edited = edit(text);
        assert.notEqual(edited, text, `${name}: ${what} changes the text`);
        return [what, edited];
      }),
      mismatches,
    );
    assert.deepEqual(mismatches, []);
    assert.ok(cacheStats.replayed > before, `${name}: some evaluations were used again`);
  }
});

test('the findings of an edit that a kept definition depends on differ from before the edit', async () => {
  // The premise of the test above: these edits change what the kept class says.
  const linter = await getLinter();
  const { name, text } = READS[0];
  const fresh = (t: string) => said(linter.analyze(t, name, { cacheKey: false }));
  assert.notEqual(fresh(text.replace('WIDTH = 64', 'WIDTH = 128')), fresh(text));
  assert.notEqual(fresh(text.replace('SCALE = 0.5', 'SCALE = 0.01')), fresh(text));
  assert.notEqual(fresh(text.replace('return nn.Linear(n, n)', 'return nn.Linear(n, 2 * n)')), fresh(text));
});

test('call counts updated from the previous text equal call counts of the new text', () => {
  // Random edits of a fixture, some made of the characters call sites are made of.
  const base = fs.readFileSync(path.join(FIXTURES, 'pytorch', 'gpt_init.py'), 'utf8');
  const pieces = ['(', ' ', '\n', 'f', 'foo(', '_x', '1', ')', '.', ' (', 'a\n(', '$', '\u00a0('];
  let seed = 7;
  const random = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  for (const identifier of [/\b[A-Za-z_]\w*/, /[A-Za-z_$][\w$]*/]) {
    let text = base;
    let counts = callCounts(text, identifier);
    for (let i = 0; i < 400; i++) {
      const start = random(text.length + 1);
      const oldEnd = Math.min(text.length, start + random(4));
      const inserted = Array.from({ length: random(3) }, () => pieces[random(pieces.length)]).join('');
      const next = text.slice(0, start) + inserted + text.slice(oldEnd);
      counts = recount(counts, text, next, { start, oldEnd, newEnd: start + inserted.length }, identifier);
      text = next;
      assert.deepEqual(new Map([...counts].sort()), new Map([...callCounts(text, identifier)].sort()), `after edit ${i}`);
    }
  }
});

test('an edit in a class evaluates again what builds it, not what only passes it along by name or takes it as a parameter type', async () => {
  // timm's model factories hand their class to a builder initlint cannot read: they name it, and
  // never read what it is (interpreter.ts, moduleDefinition).
  const linter = await getLinter();
  const text = [
    'import torch',
    'from torch import nn',
    'from zoo.builder import build_model_with_cfg',
    '',
    '',
    'class Net(nn.Module):',
    '    def __init__(self, width=64):',
    '        super().__init__()',
    '        self.fc = nn.Linear(width, width)',
    '        nn.init.kaiming_uniform_(self.fc.weight, nonlinearity="relu")',
    '        self.act = nn.ReLU()',
    '        self.out = nn.Linear(width, 10)',
    '',
    '    def forward(self, x):',
    '        return self.out(self.act(self.fc(x)))',
    '',
    '',
    ...['small', 'base', 'large'].map((v) => `def net_${v}(**kwargs):\n    return build_model_with_cfg(Net, "${v}", **kwargs)\n\n`),
    'def net_direct():',
    '    return Net(width=128)',
    '',
    '',
    'def load_checkpoint(state_dict, model: Net):',
    '    return {k: v for k, v in state_dict.items() if k in model.state_dict()}',
    '',
  ].join('\n');
  const edited = text.replace('nn.init.kaiming_uniform_(self.fc.weight, nonlinearity="relu")', 'nn.init.xavier_uniform_(self.fc.weight)');
  const { replayed, incremental, fresh } = relinted(linter, 'passes-along.py', text, edited);
  // The three factories and load_checkpoint (asks only whether Net is a model class: `mc`) are used
  // again; Net (edited) and net_direct (builds it) are evaluated again.
  assert.equal(replayed, 4);
  assert.equal(incremental, fresh(edited));
  assert.notEqual(fresh(edited), fresh(text), 'the edit changes what the file says');
});

test('a module statement that binds data is evaluated once: an edit elsewhere replays it; one that reads or fills a list or dict of the module runs again', async () => {
  const linter = await getLinter();
  const edited = DATA_STATEMENTS.replace('std=1.0', 'std=0.5');
  const { replayed, incremental, fresh } = relinted(linter, 'data-statements.py', DATA_STATEMENTS, edited);
  // BASE, REGISTRY and CFGS (with its calls of _cfg) are used again; TINY (register reads REGISTRY),
  // WIDTHS (reads CFGS) and the edited class run again.
  assert.equal(replayed, 3);
  assert.equal(incremental, fresh(edited));
  assert.notEqual(fresh(DATA_STATEMENTS.replace('BASE = 32', 'BASE = 48')), fresh(DATA_STATEMENTS), 'the table reaches the model');
});

test('a definition named through an alias, a list, a second definition of the name or a Keras activation is seen when it changes', async () => {
  // What only names a function or class keeps its evaluation across an edit in it; what reads it
  // (builds it, calls it, takes its bases) is evaluated again. Either way, the same as a fresh lint.
  const linter = await getLinter();
  const torch = [
    'import torch',
    'from torch import nn',
    '',
    '',
    'class Block(nn.Module):',
    '    def __init__(self, dim=64):',
    '        super().__init__()',
    '        self.fc = nn.Linear(dim, dim)',
    '        self.act = nn.ReLU()',
    '',
    '',
    'class Block(nn.Module):',
    '    def __init__(self, dim=32):',
    '        super().__init__()',
    '        self.fc = nn.Linear(dim, dim)',
    '        self.act = nn.Tanh()',
    '',
    '',
    'Alias = Block',
    'BLOCKS = [Block, Alias]',
    '',
    '',
    'class Net(nn.Module):',
    '    def __init__(self, block=Alias):',
    '        super().__init__()',
    '        self.blocks = nn.ModuleList([b(16) for b in BLOCKS])',
    '        self.head = block(8)',
    '',
    '',
    'def names_only():',
    '    return register(Net, BLOCKS)',
    '',
  ].join('\n');
  const keras = [
    'import tensorflow as tf',
    'from tensorflow import keras',
    'from tensorflow.keras import layers',
    '',
    '',
    'def my_act(x):',
    '    return tf.nn.relu(x)',
    '',
    '',
    'def build():',
    '    return keras.Sequential([layers.Input(shape=(8,)), layers.Dense(64, activation=my_act), layers.Dense(1)])',
    '',
  ].join('\n');
  const mismatches: string[] = [];
  await check(
    linter,
    'aliases.py',
    torch,
    [
      ['the second Block changed', torch.replace('nn.Tanh()', 'nn.Sigmoid()')],
      ['the first Block changed', torch.replace('nn.ReLU()', 'nn.GELU()')],
      ['the second Block removed', torch.replace(/\nclass Block\(nn\.Module\):\n {4}def __init__\(self, dim=32\):[\s\S]*?nn\.Tanh\(\)\n/, '\n')],
      ['the alias moved to the first Block', torch.replace('Alias = Block', 'Alias = BLOCKS')],
      ['a width in Net', torch.replace('block(8)', 'block(4)')],
    ],
    mismatches,
  );
  await check(
    linter,
    'activation.py',
    keras,
    [
      ['the activation function changed', keras.replace('tf.nn.relu(x)', 'tf.tanh(x)')],
      ['the activation function renamed', keras.replace('def my_act', 'def my_act2')],
    ],
    mismatches,
  );
  assert.deepEqual(mismatches, []);
  // A keystroke in the function's body leaves the Keras model that only names it as it was kept.
  const key = 'activation-kept.py';
  linter.analyze(keras, key);
  const before = cacheStats.replayed;
  linter.analyze(keras.replace('tf.nn.relu(x)', 'tf.nn.relu(x) '), key);
  assert.equal(cacheStats.replayed - before, 1, 'build() used again');
  linter.forget(key);
});
