/**
 * The JavaScript copy of tree-sitter's tree: it must read exactly like the tree it copies, and
 * the incremental copy after an edit exactly like a fresh copy of the new text, while it copies
 * only the statement the edit touched. Lints built on it must not depend on the lint history.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Parser, Language, type Node } from 'web-tree-sitter';
import { Parsers, inputAfterEdit, parserInput, type GrammarName } from '../../src/engine/parser';
import { LARGE_LITERAL, SyntaxTree, usesDirectCursor, withPublicCursor, type SyntaxNode } from '../../src/engine/syntaxTree';
import { FIXTURES, getLinter, readFixture } from './helpers';
// @ts-expect-error: a JavaScript module without types
import { generateKerasFile, generateTorchFile, seededRandom } from '../../bench/generate.mjs';

const GRAMMARS: Record<string, { grammar: GrammarName; wasm: string }> = {
  '.py': { grammar: 'python', wasm: 'tree-sitter-python/tree-sitter-python.wasm' },
  '.js': { grammar: 'javascript', wasm: 'tree-sitter-javascript/tree-sitter-javascript.wasm' },
  '.ts': { grammar: 'typescript', wasm: 'tree-sitter-typescript/tree-sitter-typescript.wasm' },
};

let parsers: Promise<Parsers> | undefined;
const getParsers = () => (parsers ??= Parsers.load());

const rawParsers = new Map<string, Promise<Parser>>();
function rawParser(ext: string): Promise<Parser> {
  let p = rawParsers.get(ext);
  if (!p) {
    p = (async () => {
      // The engine's load first: the runtime is built once, on the options of the first init,
      // and the engine's copy reads it directly (syntaxTree.ts, DirectCursor).
      await getParsers();
      await Parser.init();
      const parser = new Parser();
      parser.setLanguage(await Language.load(require.resolve(GRAMMARS[ext].wasm)));
      return parser;
    })();
    rawParsers.set(ext, p);
  }
  return p;
}

function fixtureSources(): Array<{ name: string; ext: string; text: string }> {
  const out: Array<{ name: string; ext: string; text: string }> = [];
  for (const dir of ['keras', 'pytorch', 'flax', 'tfjs']) {
    for (const f of fs.readdirSync(path.join(FIXTURES, dir)).sort()) {
      const ext = path.extname(f);
      if (GRAMMARS[ext]) out.push({ name: `${dir}/${f}`, ext, text: readFixture(`${dir}/${f}`) });
    }
  }
  return out;
}

/** Compare a copied node with tree-sitter's, everything the front ends read, all the way down. */
function assertSameAsTreeSitter(copy: SyntaxNode, node: Node, where: string): void {
  const at = `${where} > ${node.type}@${node.startIndex}`;
  assert.equal(copy.type, node.type, at);
  assert.equal(copy.isNamed, node.isNamed, at);
  assert.equal(copy.startIndex, node.startIndex, at);
  assert.equal(copy.endIndex, node.endIndex, at);
  assert.equal(copy.text, node.text, at);
  assert.equal(copy.hasError, node.hasError, at);
  assert.equal(copy.isMissing, node.isMissing, at);
  assert.deepEqual(copy.startPosition, node.startPosition, at);
  assert.equal(copy.children.length, node.childCount, at);
  assert.equal(copy.namedChildren.length, node.namedChildCount, at);
  node.children.forEach((child, i) => {
    assert.equal(copy.children[i].field, node.fieldNameForChild(i), `${at}: field of child ${i}`);
    assert.equal(copy.children[i].parent, copy, `${at}: parent of child ${i}`);
    assertSameAsTreeSitter(copy.children[i], child!, at);
  });
}

/** The shape of a copy, offsets included, for comparing two copies. */
function shape(node: SyntaxNode): unknown {
  return [node.type, node.field, node.startIndex, node.endIndex, node.hasError, node.isMissing, node.children.map(shape)];
}

/** A random edit of the kind typing makes: a character typed or deleted, a line pasted, a digit changed. */
function randomEdit(text: string, rnd: () => number): string {
  const at = Math.floor(rnd() * (text.length + 1));
  const kind = Math.floor(rnd() * 5);
  switch (kind) {
    case 0:
      return text.slice(0, at) + '9' + text.slice(at);
    case 1:
      return text.slice(0, at) + text.slice(at + 1 + Math.floor(rnd() * 3));
    case 2:
      return text.slice(0, at) + '\n' + text.slice(at);
    case 3:
      return text.slice(0, at) + '(' + text.slice(at);
    default: {
      const digit = text.slice(at).search(/[0-9]/);
      if (digit < 0) return text + '\n';
      const i = at + digit;
      return text.slice(0, i) + String((Number(text[i]) + 1) % 10) + text.slice(i + 1);
    }
  }
}

describe('the syntax tree copy', () => {
  test('reads exactly like tree-sitter on every fixture', async () => {
    for (const { name, ext, text } of fixtureSources()) {
      const raw = (await rawParser(ext)).parse(text)!;
      const copy = (await getParsers()).parse(GRAMMARS[ext].grammar, text);
      assertSameAsTreeSitter(copy.rootNode, raw.rootNode, name);
      raw.delete();
    }
  });

  test('the direct cursor (the runtime read without marshalling) is in use, and copies as the TreeCursor does', async () => {
    const p = await getParsers();
    assert.ok(usesDirectCursor(), 'Parsers.load reached the runtime: copies skip the TreeCursor');
    // A second load in the same process (a second createLinter) keeps it: the runtime is built once.
    await Parsers.load(undefined, ['python']);
    assert.ok(usesDirectCursor(), 'a second Parsers.load turned the direct cursor off');
    const sources = [
      ...fixtureSources(),
      { name: 'generated keras', ext: '.py', text: generateKerasFile({ lines: 2000, seed: 5 }) },
      { name: 'generated torch', ext: '.py', text: generateTorchFile({ lines: 2000, seed: 6 }) },
      { name: 'broken', ext: '.py', text: 'import keras\nm = keras.Sequential([\n  keras.layers.Dense(8, activation="relu"\n])\ndef f(:\n  return 1\n' },
    ];
    for (const { name, ext, text } of sources) {
      const direct = p.parse(GRAMMARS[ext].grammar, text);
      const viaTreeCursor = withPublicCursor(() => p.parse(GRAMMARS[ext].grammar, text));
      assert.deepEqual(shape(direct.rootNode), shape(viaTreeCursor.rootNode), name);
    }
  });

  test('reads exactly like tree-sitter on broken code (ERROR and missing nodes)', async () => {
    const broken = 'import keras\nm = keras.Sequential([\n  keras.layers.Dense(8, activation="relu"\n])\ndef f(:\n  return 1\n';
    const raw = (await rawParser('.py')).parse(broken)!;
    const copy = (await getParsers()).parse('python', broken);
    assert.ok(copy.rootNode.hasError);
    assertSameAsTreeSitter(copy.rootNode, raw.rootNode, 'broken');
    raw.delete();
  });

  test('nodes that begin or end with a hidden child (escapes, format specs, indents) keep their offsets', async () => {
    const inputs: Array<[string, string]> = [
      ['.py', 'x = "a\\nb"\ny = b"\\x00abc"\nz = f"a{b!r:>10}c"\nw = "re\\x6cu"\n'],
      ['.py', 'match x:\n    case [1, *rest]:\n        pass\n'],
      ['.py', 'import torch\nif a:\n]\n  b\n'],
      ['.py', 'def f(:\n    return 1\nclass A(\n'],
      ['.ts', 'let a: typeof b.c = `x${y}z`;\nconst d = /re[g]x/gi;\n'],
    ];
    for (const [ext, text] of inputs) {
      const raw = (await rawParser(ext)).parse(text)!;
      assertSameAsTreeSitter((await getParsers()).parse(GRAMMARS[ext].grammar, text).rootNode, raw.rootNode, JSON.stringify(text));
      raw.delete();
    }
  });

  test('after random edits, the incremental copy equals a fresh copy of the new text', async () => {
    const p = await getParsers();
    const rnd = seededRandom(11);
    for (const { name, ext, text: original } of fixtureSources()) {
      const key = `incremental-${name}`;
      let text = original;
      p.parse(GRAMMARS[ext].grammar, text, key);
      for (let i = 0; i < 12; i++) {
        text = randomEdit(text, rnd);
        const incremental = p.parse(GRAMMARS[ext].grammar, text, key);
        const fresh = p.parse(GRAMMARS[ext].grammar, text);
        assert.deepEqual(shape(incremental.rootNode), shape(fresh.rootNode), `${name}, edit ${i + 1}`);
        assert.equal(incremental.rootNode.children.map((c) => c.text).join('|'), fresh.rootNode.children.map((c) => c.text).join('|'));
      }
      p.forget(key);
    }
  });

  test('a one-digit edit in a 2,000-line file parses and copies only what is around it', async () => {
    const p = await getParsers();
    const text: string = generateKerasFile({ lines: 2000, seed: 3 });
    const first = p.parse('python', text, 'big.py');
    const statements = first.rootNode.children.length;
    assert.ok(statements > 50, `${statements} top-level statements`);
    const at = text.indexOf('Dense(') + 'Dense('.length;
    assert.match(text[at], /[0-9]/);
    const edited = text.slice(0, at) + (text[at] === '9' ? '8' : '9') + text.slice(at + 1);
    const second = p.parse('python', edited, 'big.py');
    // The layer list's entry with the digit and the one after it, parsed between brackets: the two and the comma between them copied.
    const entryStart = edited.lastIndexOf('layers.Dense(', at);
    const nextEnd = edited.indexOf('),\n', edited.indexOf('\n', at)) + 1;
    assert.deepEqual({ parsed: second.stats.parsed, copied: second.stats.copied }, { parsed: nextEnd - entryStart, copied: 3 });
    const edited0 = second.rootNode.children.findIndex((c) => c.startIndex <= at && at < c.endIndex);
    assert.deepEqual(
      second.rootNode.children.map((c, i) => i !== edited0 && c === first.rootNode.children[i]),
      second.rootNode.children.map((_, i) => i !== edited0),
      "every other top-level statement is the previous copy's node",
    );
    assert.ok(first.superseded, 'the old tree knows its statements moved on');
    assert.deepEqual(shape(second.rootNode), shape(p.parse('python', edited).rootNode));
    p.forget('big.py');
  });

  test('an edit in one method of a large class re-parses only the statements around it, and takes the other methods over', async () => {
    const p = await getParsers();
    const methods = Array.from({ length: 30 }, (_, i) =>
      [
        `    def block_${i}(self, x):`,
        `        h = self.fc_${i}(x)`,
        `        if h is None:`,
        `            def inner(y):`,
        `                return y * ${i}`,
        `            h = inner(x)`,
        `        return torch.relu(h)`,
        '',
      ].join('\n'),
    );
    const text = [
      'import torch',
      'from torch import nn',
      '',
      '',
      'class Big(nn.Module):',
      '    def __init__(self):',
      '        super().__init__()',
      '',
      ...methods,
      'x = 1',
      '',
    ].join('\n');
    // Each function by its path: block_12/inner is not block_29/inner.
    const pathOf = (d: SyntaxNode): string => {
      let up = d.parent;
      while (up && up.type !== 'function_definition') up = up.parent;
      const name = d.childForFieldName('name')!.text;
      return up ? `${pathOf(up)}/${name}` : name;
    };
    const methodsOf = (t: { rootNode: SyntaxNode }) => new Map(t.rootNode.descendantsOfType('function_definition').map((d) => [pathOf(d), d]));
    const before = methodsOf(p.parse('python', text, 'big_class.py'));
    // Two characters longer, in method 12: the methods after it move.
    const at = text.indexOf('return y * 12') + 'return y * '.length;
    const edited = `${text.slice(0, at)}100${text.slice(at + 2)}`;
    const tree = p.parse('python', edited, 'big_class.py');
    // The innermost block: inner's body, its one statement (the edit ends it; the block then
    // ends where the edit moved its end), parsed alone with its indentation.
    assert.deepEqual({ copied: tree.stats.copied, parsed: tree.stats.parsed }, { copied: 1, parsed: '                return y * 100'.length });
    const after = methodsOf(tree);
    const taken = [...after].filter(([name, node]) => before.get(name) === node).map(([name]) => name);
    assert.deepEqual(
      taken.sort(),
      [...before.keys()].filter((name) => name !== 'block_12' && name !== 'block_12/inner').sort(),
      'all methods but the edited one (and the nested function inside it) are taken over',
    );
    const fresh = p.parse('python', edited);
    assert.deepEqual(shape(tree.rootNode), shape(fresh.rootNode));
    const moved = tree.rootNode.descendantsOfType('function_definition').find((d) => d.childForFieldName('name')?.text === 'block_20')!;
    assert.equal(moved.startIndex, edited.indexOf('def block_20'));
    assert.equal(moved.parent?.type, 'block', 'a method taken over hangs in the new class');
    assert.equal(moved.tree, tree);
    // And again: the tree that took methods over is itself the start of the next edit.
    const again = `${edited.slice(0, edited.indexOf('fc_3('))}fc_33(${edited.slice(edited.indexOf('fc_3(') + 'fc_3('.length)}`;
    const third = p.parse('python', again, 'big_class.py');
    assert.deepEqual(shape(third.rootNode), shape(p.parse('python', again).rootNode));
    const thirdMethods = methodsOf(third);
    assert.equal(thirdMethods.get('block_20'), moved, 'taken over a second time');
    assert.notEqual(thirdMethods.get('block_3'), after.get('block_3'), 'the edited method is copied');
    p.forget('big_class.py');
  });

  test('a space typed on a blank line inside a method parses only the statements around it', async () => {
    const p = await getParsers();
    const text: string = generateTorchFile({ lines: 2000, seed: 4 });
    const blank = text.indexOf('\n\n', text.indexOf('        ', text.length >> 1)) + 1;
    p.parse('python', text, 'blank.py');
    const edited = `${text.slice(0, blank)}        ${text.slice(blank)}`;
    const tree = p.parse('python', edited, 'blank.py');
    assert.ok(tree.stats.parsed > 0 && tree.stats.parsed < text.length / 20, `${tree.stats.parsed} of ${text.length} characters parsed`);
    assert.deepEqual(shape(tree.rootNode), shape(p.parse('python', edited).rootNode));
    p.forget('blank.py');
  });

  test('a block an edit makes long enough for statements of their own takes over none of its old ones', async () => {
    // At LARGE_LITERAL the block's statements share its segment; two characters more and a copy
    // would take them over one by one, moving their shared segment once for each. The edit
    // leaves a syntax error, so the file is parsed afresh and copied with what can be taken over.
    const p = await getParsers();
    const statements: string[] = [];
    let body = '';
    for (let i = 0; body.length < LARGE_LITERAL - 40; i++) {
      statements.push(`    h${i} = layer_${i}(h${i})`);
      body = statements.join('\n');
    }
    const block = (pad: string) => `pad = '${pad}'\n${body}\n    return h0`;
    const pad = 'x'.repeat(LARGE_LITERAL - block('').length);
    assert.equal(block(pad).length, LARGE_LITERAL);
    const text = `def f(h0):\n    ${block(pad)}\n`;
    p.parse('python', text, 'threshold.py');
    const edited = text.replace('pad = ', 'pad = = ');
    const tree = p.parse('python', edited, 'threshold.py');
    assert.ok(tree.rootNode.hasError);
    assert.deepEqual(shape(tree.rootNode), shape(p.parse('python', edited).rootNode));
    p.forget('threshold.py');
  });

  test('a line in brackets moved to column 0 reads as tree-sitter reads it in the whole file', async () => {
    // Python joins the line; tree-sitter-python's scanner dedents out of the method where an
    // identifier is expected (after `nn.`). Parsed alone, the list would not know the method.
    const p = await getParsers();
    const text =
      'class Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n        shared = [nn.Linear(4, 4), nn.ReLU()]\n        self.body = nn.Sequential(*shared)\n';
    p.parse('python', text, 'dedent.py');
    const edited = text.replace('[nn.Linear', '[nn.\nLinear');
    const tree = p.parse('python', edited, 'dedent.py');
    const fresh = p.parse('python', edited);
    assert.ok(fresh.rootNode.hasError, 'tree-sitter does not parse it');
    assert.deepEqual(shape(tree.rootNode), shape(fresh.rootNode));
    p.forget('dedent.py');
  });

  test('the parser input after an edit, taken from the previous one, is what it is for the new text', async () => {
    // parserInput blanks runs of comment lines; after an edit that touches only lines with code on
    // them it is carried over (inputAfterEdit), else computed again. Edits of every kind: in a
    // license header, in a commented-out block, on blank lines, on code lines, across them.
    const header = Array.from({ length: 12 }, (_, i) => `# Copyright line ${i}`).join('\n');
    const commented = Array.from({ length: 9 }, (_, i) => `    # h = self.old_${i}(h)`).join('\n');
    let text = `${header}\nimport torch\n\n\nclass Net(nn.Module):\n    def forward(self, h):\n${commented}\n        h = self.fc(h)  # note\n\n        return h\n`;
    const rnd = seededRandom(21);
    let carried = 0;
    for (let i = 0; i < 400; i++) {
      const at = Math.floor(rnd() * (text.length + 1));
      const pieces = ['x', ' ', '\n', '#', '\n# c', '"""', ''];
      const piece = pieces[Math.floor(rnd() * pieces.length)];
      const cut = piece === '' ? 1 + Math.floor(rnd() * 4) : 0;
      const next = text.slice(0, at) + piece + text.slice(at + cut);
      const after = inputAfterEdit({ text, input: parserInput('python', text) }, next);
      if (after !== undefined) {
        carried++;
        assert.equal(after, parserInput('python', next), `edit ${i}: ${JSON.stringify(piece)} at ${at}`);
      }
      text = next;
    }
    assert.ok(carried > 50, `${carried} inputs carried over`);
  });

  test('edits next to comments, backslash continuations, trailing spaces and CRLF endings read as a fresh parse does', async () => {
    // Cases a review found where the statements around an edit parsed cleanly alone but not as
    // the whole file parses: a comment closes no block, a backslash joins the next line, a comment
    // typed on a region's last line takes in its trailing spaces or \r.
    const p = await getParsers();
    const cases: Array<[string, string, string]> = [
      ['a line indented under a column-0 comment joins the block above it', 'if a:\n    x = 1\n# c\nz = 1\n', 'if a:\n    x = 1\n# c\n    w = 5\nz = 1\n'],
      [
        'the same in a method',
        'def f():\n    if a:\n        x = 1\n    # c\n    z = 1\n',
        'def f():\n    if a:\n        x = 1\n    # c\n        w = 5\n    z = 1\n',
      ],
      ['a block opened above a comment takes the indented line after it', 'x = 1\n    q = 2\n# c\n    y = 2\n', 'if a:\n    q = 2\n# c\n    y = 2\n'],
      ['a compound statement after a backslash', 'pass; \\\nix = 1\nz = 2\n', 'pass; \\\nif y: pass\nz = 2\n'],
      [
        'a backslash continues a statement into the next line',
        'def f():\n    pass; \\\n    y = 1\n    z = 2\n',
        'def f():\n    if a: pass; \\\n    y = 1\n    z = 2\n',
      ],
      [
        "a comment typed on a block's last line, spaces after it",
        'def f():\n    x = 1\n    return a + b   \nz = 3\n',
        'def f():\n    x = 1\n    return a #+ b   \nz = 3\n',
      ],
      ['a comment typed before a semicolon', 'def f():\n    x = 1; y = 2   \n    z = 3\n', 'def f():\n    x = 1#; y = 2   \n    z = 3\n'],
      ['a comment typed in a CRLF file', 'x = 1\r\ny = a + b\r\nz = 3\r\n', 'x = 1\r\ny = a #+ b\r\nz = 3\r\n'],
      ['a comment typed before a backslash in a list', 'a = [1, \\\n     2, 3]\n', 'a = [1#, \\\n     2, 3]\n'],
      [
        'code typed at the end of a method',
        'class C:\n    def m(self):\n        return 1\n\nz = 1\n',
        'class C:\n    def m(self):\n        return 12\n\nz = 1\n',
      ],
      [
        'a backslash typed at the end of a method',
        'class C:\n    def m(self):\n        return 1\nz = 1\n',
        'class C:\n    def m(self):\n        return 1 \\\nz = 1\n',
      ],
    ];
    for (const [what, before, after] of cases) {
      const key = `seam-${what}`;
      p.parse('python', before, key);
      const tree = p.parse('python', after, key);
      const fresh = p.parse('python', after);
      assert.deepEqual(shape(tree.rootNode), shape(fresh.rootNode), what);
      assert.equal(tree.rootNode.children.map((c) => c.text).join('|'), fresh.rootNode.children.map((c) => c.text).join('|'), what);
      // And back: the edited tree is the start of the next edit.
      assert.deepEqual(shape(p.parse('python', before, key).rootNode), shape(p.parse('python', before).rootNode), `${what}, undone`);
      p.forget(key);
    }
  });

  test('a statement after an edit that changes the length moves with it', async () => {
    const p = await getParsers();
    const before = 'import os\nx = 1\ny = [2, 3]\ndef f():\n    return y\n';
    const after = 'import os\nx = 100\ny = [2, 3]\ndef f():\n    return y\n';
    p.parse('python', before, 'moves.py');
    const tree = p.parse('python', after, 'moves.py');
    // The import stays, `x = 100` is copied, the two after it move by two characters (the next one
    // is parsed with it: an edit may join a statement to the next one).
    assert.deepEqual(tree.stats, { copied: 1, reused: 3, nested: 0, parsed: 'x = 100\ny = [2, 3]'.length });
    assert.equal(tree.rootNode.children[0].text, 'import os');
    const def = tree.rootNode.children[3];
    assert.equal(def.childForFieldName('name')?.text, 'f');
    assert.equal(def.startIndex, after.indexOf('def'));
    assert.equal(def.descendantForIndex(after.indexOf('return')).type, 'return');
    p.forget('moves.py');
  });
});

describe('linting on the incremental copy', () => {
  test('findings after each edit are those of a fresh lint of the same text', async () => {
    const linter = await getLinter();
    const rnd = seededRandom(5);
    const inputs: Array<[string, string]> = [
      ['gen.py', generateKerasFile({ lines: 300, seed: 9 })],
      ['gen_torch.py', generateTorchFile({ lines: 300, seed: 9 })],
      ...fixtureSources()
        .filter((s) => s.ext !== '.ts')
        .map((s): [string, string] => [`fx-${s.name.replace('/', '-')}`, s.text]),
    ];
    let fresh = 0;
    for (const [file, original] of inputs) {
      let text = original;
      linter.lint(text, file);
      for (let i = 0; i < 8; i++) {
        text = randomEdit(text, rnd);
        const strip = (fs: ReturnType<typeof linter.lint>) => fs.map(({ file: _file, ...rest }) => rest);
        const freshName = `fresh-${fresh++}${path.extname(file)}`;
        const expected = strip(linter.lint(text, freshName));
        linter.forget(freshName);
        assert.deepEqual(strip(linter.lint(text, file)), expected, `${file}, edit ${i + 1}`);
      }
      linter.forget(file);
    }
  });

  test('a layer of an older lint offers no rewrite once a newer lint took its tree over', async () => {
    const linter = await getLinter();
    const text =
      'from tensorflow import keras\n\nm = keras.Sequential([keras.layers.Dense(8, activation="relu", kernel_initializer="glorot_uniform", input_dim=4)])\n\nx = 1\n';
    const old = linter.analyze(text, 'stale.py');
    assert.ok(old.models[0].layers[0].rewrite('he_normal'));
    const newer = linter.analyze(text.replace('x = 1', 'x = 2'), 'stale.py');
    assert.equal(old.models[0].layers[0].rewrite('he_normal'), undefined);
    assert.ok(newer.models[0].layers[0].rewrite('he_normal'));
    linter.forget('stale.py');
  });

  test('two texts of one file name under their own cache keys do not supersede each other', async () => {
    const linter = await getLinter();
    const text =
      'from tensorflow import keras\n\nm = keras.Sequential([keras.layers.Dense(8, activation="relu", kernel_initializer="glorot_uniform", input_dim=4)])\n\nx = 1\n';
    const working = linter.analyze(text, 'same.py', { cacheKey: 'file:///same.py' });
    const diffView = linter.analyze(text.replace('x = 1', 'x = 2'), 'same.py', { cacheKey: 'git:/same.py?ref' });
    const fromDisk = linter.analyze(text.replace('x = 1', 'x = 3'), 'same.py', { cacheKey: false });
    for (const a of [working, diffView, fromDisk]) assert.ok(a.models[0].layers[0].rewrite('he_normal'));
    assert.deepEqual(
      diffView.findings.map((f) => f.code),
      ['IL001'],
    );
    linter.forget('file:///same.py');
    linter.forget('git:/same.py?ref');
  });

  test('a tree copied without a cache key is complete on its own', async () => {
    const p = await getParsers();
    const tree = p.parse('python', 'import torch\n');
    assert.ok(tree instanceof SyntaxTree);
    assert.equal(tree.rootNode.children[0].type, 'import_statement');
  });
});
