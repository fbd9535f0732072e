/**
 * `initlint server`, driven the way Neovim, Helix and jupyterlab-lsp drive a language server: a
 * plain JSON-RPC client on the server's stdin/stdout (Content-Length framing, no LSP library),
 * with initialize, didOpen of a Python file and of a notebook, diagnostics, code actions, hover,
 * code lens, an incremental edit, executeCommand (the server's workspace/applyEdit answered) and
 * shutdown/exit.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as url from 'node:url';
import { FIXTURES, ROOT } from './helpers';
import { parseSettings } from '../../src/engine/settings';
import { fromWire, installRewrites } from '../../src/engine/wire';

const CLI = path.join(ROOT, 'dist', 'cli.js');

interface Message {
  id?: number;
  method?: string;
  params?: any;
  result?: any;
  error?: { message: string };
}

/** A minimal LSP client: requests by id, notifications collected, server requests answered. */
class Client {
  private buffer = Buffer.alloc(0);
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (m: Message) => void }>();
  readonly notifications: Message[] = [];
  private waiters: Array<() => void> = [];
  /** Answers to the server's own requests (workspace/applyEdit), by method. */
  readonly serverRequests: Message[] = [];
  stderr = '';

  constructor(readonly proc: ChildProcessWithoutNullStreams) {
    proc.stdout.on('data', (chunk: Buffer) => this.read(chunk));
    proc.stderr.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString();
    });
  }

  private read(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const headerEnd = this.buffer.indexOf('\r\n\r\n');
      if (headerEnd < 0) return;
      const length = Number(/Content-Length: (\d+)/i.exec(this.buffer.subarray(0, headerEnd).toString())?.[1]);
      if (this.buffer.length < headerEnd + 4 + length) return;
      const body = JSON.parse(this.buffer.subarray(headerEnd + 4, headerEnd + 4 + length).toString('utf8')) as Message;
      this.buffer = this.buffer.subarray(headerEnd + 4 + length);
      if (body.id !== undefined && body.method === undefined) this.pending.get(body.id)?.resolve(body);
      else if (body.id !== undefined && body.method) {
        this.serverRequests.push(body);
        // workspace/configuration: no client settings; workspace/applyEdit: applied.
        const result =
          body.method === 'workspace/applyEdit'
            ? { applied: true }
            : body.method === 'workspace/configuration'
              ? [null]
              : body.method === 'window/showDocument'
                ? { success: true }
                : null;
        this.send({ jsonrpc: '2.0', id: body.id, result });
      } else {
        this.notifications.push(body);
      }
      for (const w of this.waiters.splice(0)) w();
    }
  }

  private send(m: object): void {
    const json = JSON.stringify(m);
    this.proc.stdin.write(`Content-Length: ${Buffer.byteLength(json)}\r\n\r\n${json}`);
  }

  async request(method: string, params: unknown): Promise<any> {
    const id = this.nextId++;
    const answer = new Promise<Message>((resolve) => this.pending.set(id, { resolve }));
    this.send({ jsonrpc: '2.0', id, method, params });
    const m = await withTimeout(answer, `${method} answered`);
    assert.equal(m.error, undefined, `${method}: ${m.error?.message}`);
    return m.result;
  }

  notify(method: string, params: unknown): void {
    this.send({ jsonrpc: '2.0', method, params });
  }

  /** The next notification matching `pick` after `since` notifications, waiting for it. */
  async until(what: string, pick: (m: Message) => boolean, since = 0): Promise<Message> {
    return withTimeout(
      (async () => {
        for (;;) {
          const found = this.notifications.slice(since).find(pick);
          if (found) return found;
          await new Promise<void>((resolve) => this.waiters.push(resolve));
        }
      })(),
      what,
    );
  }

  diagnosticsFor(uri: string, since = 0, version?: number): Promise<Message> {
    return this.until(
      `diagnostics for ${uri}${version ? ` version ${version}` : ''}`,
      (m) => m.method === 'textDocument/publishDiagnostics' && m.params.uri === uri && (version === undefined || m.params.version === version),
      since,
    );
  }
}

function withTimeout<T>(p: Promise<T>, what: string, ms = 20_000): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

const fixture = (name: string) => fs.readFileSync(path.join(FIXTURES, 'keras', name), 'utf8');

describe('initlint server (LSP over stdio)', () => {
  let dir: string;
  let client: Client;
  let pyUri: string;
  const py = fixture('sequential.py');

  before(async () => {
    assert.ok(fs.existsSync(CLI), 'dist/cli.js is built (npm run build)');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'initlint-lsp-'));
    // The project's config: IL003 off (read from [tool.initlint], as the CLI does).
    fs.writeFileSync(path.join(dir, 'pyproject.toml'), '[tool.initlint]\nrules = { IL003 = "off" }\n');
    fs.writeFileSync(path.join(dir, 'm.py'), py);
    pyUri = url.pathToFileURL(path.join(dir, 'm.py')).toString();
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.NODE_TEST_CONTEXT;
    client = new Client(spawn(process.execPath, [CLI, 'server', '--stdio'], { cwd: dir, env }));
  });

  after(() => {
    if (client.proc.exitCode === null) client.proc.kill('SIGKILL');
  });

  test('initialize: the capabilities an editor needs', async () => {
    const init = await client.request('initialize', {
      processId: process.pid,
      rootUri: url.pathToFileURL(dir).toString(),
      workspaceFolders: [{ uri: url.pathToFileURL(dir).toString(), name: 'w' }],
      capabilities: { workspace: { configuration: true }, textDocument: { publishDiagnostics: { versionSupport: true } } },
    });
    client.notify('initialized', {});
    const caps = init.capabilities;
    assert.equal(caps.textDocumentSync.change, 2, 'incremental sync');
    assert.deepEqual(caps.codeActionProvider.codeActionKinds, ['quickfix', 'source.fixAll.initlint']);
    assert.equal(caps.hoverProvider, true);
    assert.ok(caps.notebookDocumentSync, 'notebook sync (LSP 3.17)');
    assert.deepEqual(caps.executeCommandProvider.commands, ['initlint.applyFixAll', 'initlint.show', 'initlint.openRuleOnWeb']);
    assert.ok(caps.codeLensProvider, 'code lenses, unless the client draws its own');
    assert.equal(init.serverInfo.name, 'initlint');
  });

  test('didOpen of a Python file: its diagnostics, with the version, source, code and docs link', async () => {
    client.notify('textDocument/didOpen', { textDocument: { uri: pyUri, languageId: 'python', version: 1, text: py } });
    const d = (await client.diagnosticsFor(pyUri)).params;
    assert.equal(d.version, 1);
    assert.deepEqual(
      d.diagnostics.map((x: any) => [x.code, x.range.start.line]),
      [
        ['IL001', 8],
        ['IL001', 9],
        ['IL001', 19],
      ],
    );
    const first = d.diagnostics[0];
    assert.equal(first.source, 'initlint');
    assert.equal(first.severity, 2);
    assert.equal(
      first.message,
      'relu-init-mismatch: glorot_uniform (Keras default) under relu keeps 0.75 of the variance per layer (x0.87 over this 4-layer segment); use He normal.',
    );
    assert.match(first.codeDescription.href, /rules\.md#il001$/);
    assert.equal(
      py.split('\n')[8].slice(first.range.start.character, first.range.end.character),
      'layers.Dense(256, activation="relu", input_shape=(input_dim,))',
    );
  });

  test('code actions: the fix (preferred), disable for the line and the file, fix all; source.fixAll alone when asked', async () => {
    const diags = (await client.diagnosticsFor(pyUri)).params.diagnostics;
    const actions = await client.request('textDocument/codeAction', {
      textDocument: { uri: pyUri },
      range: diags[1].range,
      context: { diagnostics: [diags[1]] },
    });
    assert.deepEqual(
      actions.map((a: any) => a.title),
      [
        'Use HeNormal',
        'Disable IL001 for this line',
        'Disable IL001 for this file',
        'Open IL001 on the web',
        'Fix all initlint problems in this file',
        'Fix all initlint problems',
      ],
    );
    assert.deepEqual(
      actions.slice(4).map((a: any) => a.kind),
      ['quickfix', 'source.fixAll.initlint'],
    );
    const fix = actions[0];
    assert.equal(fix.isPreferred, true);
    assert.equal(fix.kind, 'quickfix');
    const [edit] = fix.edit.changes[pyUri];
    const line9 = py.split('\n')[9];
    assert.equal(line9.slice(edit.range.start.character, edit.range.end.character), '"glorot_uniform"');
    assert.equal(edit.newText, '"he_normal"');
    const disable = actions[1].edit.changes[pyUri][0];
    assert.equal(disable.newText, '  # initlint: disable=IL001');
    assert.deepEqual(disable.range.start, { line: 9, character: line9.length });
    assert.equal(actions[2].edit.changes[pyUri][0].newText, '# initlint: disable-file=IL001\n');
    assert.equal(actions[4].edit.changes[pyUri].length, 3, 'one edit per fixable finding');
    // The rule's page: the client opens it in the browser (window/showDocument, external).
    await client.request('workspace/executeCommand', actions[3].command);
    const web = client.serverRequests.find((m) => m.method === 'window/showDocument' && m.params.external);
    assert.match(web?.params.uri, /docs\/rules\.md#il001$/);

    const source = await client.request('textDocument/codeAction', {
      textDocument: { uri: pyUri },
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      context: { diagnostics: [], only: ['source.fixAll.initlint'] },
    });
    assert.deepEqual(
      source.map((a: any) => a.kind),
      ['source.fixAll.initlint'],
    );
    const none = await client.request('textDocument/codeAction', {
      textDocument: { uri: pyUri },
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      context: { diagnostics: [] },
    });
    assert.deepEqual(none, [], 'no lightbulb away from a problem');
  });

  test('hover on a layer: the numbers behind its verdict; code lens: the model verdict', async () => {
    const hover = await client.request('textDocument/hover', { textDocument: { uri: pyUri }, position: { line: 9, character: 20 } });
    assert.equal(hover.contents.kind, 'markdown');
    assert.match(hover.contents.value, /^\*\*Dense\(128\)\*\*/);
    assert.match(hover.contents.value, /glorot_uniform|Glorot/);
    assert.match(hover.contents.value, /\*build_mlp\*/);
    const none = await client.request('textDocument/hover', { textDocument: { uri: pyUri }, position: { line: 0, character: 2 } });
    assert.equal(none, null);
    const lenses = await client.request('textDocument/codeLens', { textDocument: { uri: pyUri } });
    assert.deepEqual(
      lenses.map((l: any) => [l.range.start.line, l.command.title]),
      [
        [7, 'initlint: 4 layers · 2 problems'],
        [17, 'initlint: 2 layers · 1 problem'],
      ],
    );
  });

  test('an incremental edit: the diagnostics of the new version', async () => {
    const since = client.notifications.length;
    const line9 = py.split('\n')[9];
    const at = line9.indexOf('"glorot_uniform"');
    client.notify('textDocument/didChange', {
      textDocument: { uri: pyUri, version: 2 },
      contentChanges: [{ range: { start: { line: 9, character: at }, end: { line: 9, character: at + 16 } }, text: '"he_normal"' }],
    });
    const d = (await client.diagnosticsFor(pyUri, since, 2)).params;
    assert.deepEqual(
      d.diagnostics.map((x: any) => x.range.start.line),
      [8, 19],
    );
  });

  test('executeCommand initlint.applyFixAll: one workspace/applyEdit with every fix', async () => {
    await client.request('workspace/executeCommand', { command: 'initlint.applyFixAll', arguments: [pyUri] });
    const apply = client.serverRequests.find((m) => m.method === 'workspace/applyEdit');
    assert.ok(apply, 'the server asked the client to apply the edit');
    assert.equal(apply.params.label, 'Fix all initlint problems');
    // Dense(256) gets its initializer on its own line; Dense(64, ...) after its last argument.
    assert.deepEqual(
      apply.params.edit.changes[pyUri].map((e: any) => e.range.start.line),
      [21, 8],
    );
  });

  test("fix all asked right after an edit, before the debounced lint: the edits are the new text's", async () => {
    // Fix-all on save within 120 ms of typing: the last lint's offsets were the old text's, and
    // its edits landed inside other tokens (`lay, kernel_initializer=...ers.Dense`).
    client.notify('textDocument/didChange', {
      textDocument: { uri: pyUri, version: 3 },
      contentChanges: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: 'import os\nimport re\nimport sys\n' }],
    });
    const actions = await client.request('textDocument/codeAction', {
      textDocument: { uri: pyUri },
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      context: { diagnostics: [], only: ['source.fixAll.initlint'] },
    });
    // The fixes of the test above, three lines lower.
    assert.deepEqual(
      actions[0].edit.changes[pyUri].map((e: any) => e.range.start.line),
      [24, 11],
    );
  });

  test('a shared init call: an action shows it (window/showDocument); a JSON config: per-file-ignores written into pyproject.toml', async () => {
    const torch = [
      'from torch import nn',
      '',
      '',
      'def init_weights(m):',
      '    if isinstance(m, nn.Linear):',
      '        nn.init.xavier_uniform_(m.weight)',
      '',
      '',
      'class Net(nn.Module):',
      '    def __init__(self):',
      '        super().__init__()',
      '        self.hidden = nn.Linear(512, 512)',
      '        self.act = nn.ReLU()',
      '        self.out = nn.Linear(512, 10)',
      '        self.apply(init_weights)',
      '',
      '    def forward(self, x):',
      '        return self.out(self.act(self.hidden(x)))',
      '',
    ].join('\n');
    const torchUri = url.pathToFileURL(path.join(dir, 'net.py')).toString();
    client.notify('textDocument/didOpen', { textDocument: { uri: torchUri, languageId: 'python', version: 1, text: torch } });
    const [d] = (await client.diagnosticsFor(torchUri)).params.diagnostics;
    assert.equal(d.code, 'IL001');
    const actions = await client.request('textDocument/codeAction', { textDocument: { uri: torchUri }, range: d.range, context: { diagnostics: [d] } });
    const show = actions.find((a: any) => a.title.startsWith('Open the shared init call'));
    assert.ok(show, actions.map((a: any) => a.title).join(' | '));
    await client.request('workspace/executeCommand', show.command);
    const shown = client.serverRequests.find((m) => m.method === 'window/showDocument' && !m.params.external);
    assert.equal(shown?.params.uri, torchUri);
    assert.equal(shown?.params.selection.start.line, 5);

    const json = fs.readFileSync(path.join(FIXTURES, 'kerasjson', 'keras2_sequential.json'), 'utf8');
    const jsonUri = url.pathToFileURL(path.join(dir, 'model.json')).toString();
    client.notify('textDocument/didOpen', { textDocument: { uri: jsonUri, languageId: 'json', version: 1, text: json } });
    const [jd] = (await client.diagnosticsFor(jsonUri)).params.diagnostics;
    const jsonActions = await client.request('textDocument/codeAction', { textDocument: { uri: jsonUri }, range: jd.range, context: { diagnostics: [jd] } });
    assert.ok(!jsonActions.some((a: any) => /for this line/.test(a.title)), 'no comment directive in JSON');
    const ignore = jsonActions.find((a: any) => a.title === `Disable ${jd.code} for this file (per-file-ignores in pyproject.toml)`);
    assert.ok(ignore, jsonActions.map((a: any) => a.title).join(' | '));
    const pyprojectUri = url.pathToFileURL(path.join(dir, 'pyproject.toml')).toString();
    const [change] = ignore.edit.changes[pyprojectUri];
    assert.equal(change.newText, `[tool.initlint]\nrules = { IL003 = "off" }\n\n[tool.initlint.per-file-ignores]\n"model.json" = ["${jd.code}"]\n`);
  });

  test('a notebook (notebookDocument/didOpen): the code cells linted as one program, each diagnostic on its cell', async () => {
    const nbUri = url.pathToFileURL(path.join(dir, 'mlp.ipynb')).toString();
    const cell = (i: number) => `vscode-notebook-cell:${url.pathToFileURL(path.join(dir, 'mlp.ipynb')).pathname}#cell${i}`;
    const sources = [
      'from tensorflow import keras\nfrom tensorflow.keras import layers\n',
      'model = keras.Sequential([\n    layers.Dense(64, activation="relu", input_shape=(20,)),\n    layers.Dense(1),\n])\n',
    ];
    client.notify('notebookDocument/didOpen', {
      notebookDocument: { uri: nbUri, notebookType: 'jupyter-notebook', version: 1, cells: sources.map((_, i) => ({ kind: 2, document: cell(i) })) },
      cellTextDocuments: sources.map((text, i) => ({ uri: cell(i), languageId: 'python', version: 1, text })),
    });
    const d = (await client.diagnosticsFor(cell(1))).params;
    assert.deepEqual(
      d.diagnostics.map((x: any) => [x.code, x.range.start.line, x.range.start.character]),
      [['IL001', 1, 4]],
    );
    const first = (await client.diagnosticsFor(cell(0))).params;
    assert.deepEqual(first.diagnostics, []);
  });

  test('shutdown and exit: the process ends with code 0', async () => {
    assert.equal(await client.request('shutdown', null), null);
    const exited = new Promise<number | null>((resolve) => client.proc.on('exit', (code) => resolve(code)));
    client.notify('exit', null);
    assert.equal(await withTimeout(exited, 'the server to exit'), 0);
    assert.doesNotMatch(client.stderr, /Error|internal/);
  });
});

describe('the initlint-server bin', () => {
  test("the same server: the client's settings (initializationOptions) go over the project's", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'initlint-lsp-'));
    fs.writeFileSync(path.join(dir, 'pyproject.toml'), '[tool.initlint]\nrules = { IL001 = "error" }\n');
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.NODE_TEST_CONTEXT;
    const client = new Client(spawn(process.execPath, [path.join(ROOT, 'dist', 'server.js')], { cwd: dir, env }));
    try {
      const init = await client.request('initialize', {
        processId: process.pid,
        rootUri: null,
        capabilities: {},
        initializationOptions: { settings: { rules: { IL001: 'info' } } },
      });
      assert.equal(init.serverInfo.name, 'initlint');
      client.notify('initialized', {});
      const uri = url.pathToFileURL(path.join(dir, 'm.py')).toString();
      client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text: fixture('sequential.py') } });
      const d = (await client.diagnosticsFor(uri)).params.diagnostics;
      // pyproject says error; the editor's info wins.
      assert.deepEqual(
        d.map((x: any) => x.severity),
        [3, 3, 3],
      );
      await client.request('shutdown', null);
      const exited = new Promise<number | null>((resolve) => client.proc.on('exit', (code) => resolve(code)));
      client.notify('exit', null);
      assert.equal(await withTimeout(exited, 'the server to exit'), 0);
    } finally {
      if (client.proc.exitCode === null) client.proc.kill('SIGKILL');
    }
  });
});

/**
 * What the VS Code extension asks of the server beyond LSP (src/server/protocol.ts): analyses
 * after every lint, its folders' settings, the workspace scan read from disk, a closed editor's
 * file reported from disk again, lint on save, and its own commands in code actions.
 */
describe('initlint server for its VS Code client', () => {
  let dir: string;
  let client: Client;
  const uriOf = (name: string) => url.pathToFileURL(path.join(dir, name)).toString();
  const analysisFor = (uri: string, since = 0) =>
    client.until(`the analysis of ${uri}`, (m) => m.method === 'initlint/analysis' && m.params.uri === uri, since);

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'initlint-lsp-client-'));
    fs.writeFileSync(path.join(dir, 'm.py'), fixture('sequential.py'));
    fs.copyFileSync(path.join(ROOT, 'examples', 'notebooks', 'mlp.ipynb'), path.join(dir, 'mlp.ipynb'));
    fs.writeFileSync(path.join(dir, 'weights.py'), Buffer.from([0x66, 0x00, 0x01, 0x02]));
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.NODE_TEST_CONTEXT;
    client = new Client(spawn(process.execPath, [CLI, 'server', '--stdio'], { cwd: dir, env }));
    const init = await client.request('initialize', {
      processId: process.pid,
      rootUri: url.pathToFileURL(dir).toString(),
      workspaceFolders: [{ uri: url.pathToFileURL(dir).toString(), name: 'w' }],
      capabilities: { workspace: { configuration: true } },
      initializationOptions: { client: { analyses: true, codeLens: false, commands: { showRuleDocs: 'test.docs', ignoreInFile: 'test.ignore' } } },
    });
    assert.equal(init.capabilities.codeLensProvider, undefined, 'the client draws its own lenses');
    client.notify('initialized', {});
    // The folder's settings as the client read them: IL001 as information, linted on save.
    const folder = { engine: parseSettings({ rules: { IL001: 'info' } }).settings, run: 'onSave' };
    client.notify('initlint/settings', {
      fallback: { engine: parseSettings(undefined).settings, run: 'onType' },
      folders: [{ uri: url.pathToFileURL(dir).toString(), settings: folder }],
    });
  });

  after(() => {
    if (client.proc.exitCode === null) client.proc.kill('SIGKILL');
  });

  test('initlint/lintFiles: files read from disk, each with its diagnostics and its analysis; a binary file is skipped with why', async () => {
    const answer = await client.request('initlint/lintFiles', { uris: [uriOf('m.py'), uriOf('mlp.ipynb'), uriOf('weights.py')] });
    assert.equal(answer.linted, 2);
    assert.deepEqual(answer.skipped, [{ uri: uriOf('weights.py'), reason: 'binary file: not linted' }]);
    const d = (await client.diagnosticsFor(uriOf('m.py'))).params;
    assert.deepEqual(
      d.diagnostics.map((x: any) => [x.code, x.severity, x.range.start.line]),
      [
        ['IL001', 3, 8],
        ['IL001', 3, 9],
        ['IL001', 3, 19],
      ],
      "the folder's settings: IL001 as information",
    );
    const a = (await analysisFor(uriOf('m.py'))).params;
    assert.equal(a.version, null, 'read from disk');
    assert.equal(a.text, fixture('sequential.py'), 'the text its offsets are in');
    const analysis = fromWire(a.analysis);
    assert.deepEqual(
      analysis.models.map((m) => [m.name, m.layers.length]),
      [
        ['build_mlp', 4],
        ['build_with_add', 2],
      ],
    );
    assert.equal(analysis.findings.length, 3);
    // A finding crosses as what the panel reads, and whether it has a fix; its edits are asked for.
    assert.deepEqual(Object.keys(a.analysis.findings[0]).sort(), ['code', 'end', 'fixable', 'layer', 'message', 'model', 'severity', 'start']);
    const one = await client.request('initlint/fixes', { uri: uriOf('m.py'), lint: a.lint, findings: [1] });
    assert.deepEqual(
      one.changes[uriOf('m.py')].map((e: any) => [e.range.start.line, e.newText]),
      [[d.diagnostics[1].range.start.line, '"he_normal"']],
      "the second finding's fix, where its diagnostic is",
    );
    const all = await client.request('initlint/fixes', { uri: uriOf('m.py'), lint: a.lint });
    assert.equal(all.changes[uriOf('m.py')].length, 3, 'every finding when none is named');
    assert.equal(await client.request('initlint/fixes', { uri: uriOf('m.py'), lint: a.lint - 1 }), null, 'an earlier lint: stale');
    // What each layer's initializer can be rewritten to: asked for (the simulator's Apply), not sent with every lint.
    assert.equal(analysis.models[0].layers[0].rewrite('he_normal'), undefined);
    const rewrites = await client.request('initlint/rewrites', { uri: uriOf('m.py'), lint: a.lint, model: 0 });
    assert.ok(installRewrites(analysis.models[0], rewrites));
    assert.equal(analysis.models[0].layers[0].rewrite('he_normal')?.title, 'Use HeNormal');
    assert.equal(analysis.models[0].layers[0].rewrite({ kind: 'orthogonal', gain: '1.5' })?.title, 'Use Orthogonal(gain=1.5)');
    assert.equal(await client.request('initlint/rewrites', { uri: uriOf('m.py'), lint: a.lint, model: 2 }), null, 'no third model');
    // A closed notebook: its finding stands where its code is in the .ipynb file.
    const nbText = fs.readFileSync(path.join(dir, 'mlp.ipynb'), 'utf8');
    const [nd] = (await client.diagnosticsFor(uriOf('mlp.ipynb'))).params.diagnostics;
    assert.match(nbText.split('\n')[nd.range.start.line].slice(nd.range.start.character), /^(layers\.)?Dense\(/);
  });

  test('an opened file is linted from its editor, on save only where the folder says onSave; closed, from disk again', async () => {
    const uri = uriOf('m.py');
    const text = fixture('sequential.py');
    let since = client.notifications.length;
    client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text } });
    assert.equal((await client.diagnosticsFor(uri, since, 1)).params.diagnostics.length, 3);
    const opened = (await analysisFor(uri, since)).params;
    assert.equal(opened.version, 1);
    assert.ok(opened.lint > 0);
    assert.equal(await client.request('initlint/rewrites', { uri, lint: opened.lint - 1, model: 0 }), null, 'an earlier lint of the file: stale');
    assert.equal((await client.request('initlint/rewrites', { uri, lint: opened.lint, model: 0 }))?.layers.length, 4);
    // A code action offers the client's own documentation command.
    const [d] = (await client.diagnosticsFor(uri, since, 1)).params.diagnostics;
    const actions = await client.request('textDocument/codeAction', { textDocument: { uri }, range: d.range, context: { diagnostics: [d] } });
    const docs = actions.find((x: any) => x.title === 'Show documentation for IL001');
    assert.deepEqual(docs?.command, { title: 'Show documentation for IL001', command: 'test.docs', arguments: ['IL001'] });

    since = client.notifications.length;
    const line9 = text.split('\n')[9];
    const at = line9.indexOf('"glorot_uniform"');
    client.notify('textDocument/didChange', {
      textDocument: { uri, version: 2 },
      contentChanges: [{ range: { start: { line: 9, character: at }, end: { line: 9, character: at + 16 } }, text: '"he_normal"' }],
    });
    // Past the debounce: no lint of an unsaved change.
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.ok(!client.notifications.slice(since).some((m) => m.params?.uri === uri), 'not linted before the save');
    client.notify('textDocument/didSave', { textDocument: { uri } });
    assert.equal((await client.diagnosticsFor(uri, since, 2)).params.diagnostics.length, 2);

    // Closed without saving the edit to disk: the file as it is on disk, three findings.
    since = client.notifications.length;
    client.notify('textDocument/didClose', { textDocument: { uri } });
    const back = await client.until(
      'diagnostics from disk',
      (m) => m.method === 'textDocument/publishDiagnostics' && m.params.uri === uri && m.params.diagnostics.length === 3,
      since,
    );
    assert.equal(back.params.version, undefined);
    assert.equal(
      (
        await client.until(
          'the disk analysis',
          (m) => m.method === 'initlint/analysis' && m.params.uri === uri && m.params.analysis !== null && m.params.version === null,
          since,
        )
      ).params.analysis.findings.length,
      3,
    );
  });

  test("a JSON config: the client's per-file-ignores command; initlint/forgetFiles withdraws a file", async () => {
    const jsonUri = uriOf('model.json');
    const json = fs.readFileSync(path.join(FIXTURES, 'kerasjson', 'keras2_sequential.json'), 'utf8');
    let since = client.notifications.length;
    client.notify('textDocument/didOpen', { textDocument: { uri: jsonUri, languageId: 'json', version: 1, text: json } });
    const [jd] = (await client.diagnosticsFor(jsonUri, since)).params.diagnostics;
    const actions = await client.request('textDocument/codeAction', { textDocument: { uri: jsonUri }, range: jd.range, context: { diagnostics: [jd] } });
    const ignore = actions.find((x: any) => x.title === `Disable ${jd.code} for this file (per-file-ignores)`);
    assert.deepEqual(ignore?.command?.command, 'test.ignore');
    assert.deepEqual(ignore.command.arguments, [jsonUri, jd.code]);

    since = client.notifications.length;
    client.notify('initlint/forgetFiles', { uris: [uriOf('mlp.ipynb')] });
    assert.deepEqual((await client.diagnosticsFor(uriOf('mlp.ipynb'), since)).params.diagnostics, []);
    assert.equal((await analysisFor(uriOf('mlp.ipynb'), since)).params.analysis, null);
  });
});

/**
 * Pull diagnostics (LSP 3.17), as Helix and recent Neovim ask for them: no push for an open
 * document; `textDocument/diagnostic` answers with the current text's diagnostics (linted on the
 * spot when the debounced lint has not run yet), "unchanged" while the text is, and the server
 * asks the client to pull again when the settings change.
 */
describe('initlint server with a client that pulls diagnostics', () => {
  test('textDocument/diagnostic: full, unchanged, full again after an edit; a refresh after a settings change', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'initlint-lsp-pull-'));
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.NODE_TEST_CONTEXT;
    const client = new Client(spawn(process.execPath, [CLI, 'server', '--stdio'], { cwd: dir, env }));
    try {
      const init = await client.request('initialize', {
        processId: process.pid,
        rootUri: url.pathToFileURL(dir).toString(),
        capabilities: { textDocument: { diagnostic: { dynamicRegistration: false } }, workspace: { diagnostics: { refreshSupport: true } } },
      });
      assert.deepEqual(init.capabilities.diagnosticProvider, { identifier: 'initlint', interFileDependencies: false, workspaceDiagnostics: false });
      client.notify('initialized', {});
      const uri = url.pathToFileURL(path.join(dir, 'm.py')).toString();
      const text = fixture('sequential.py');
      client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text } });
      const first = await client.request('textDocument/diagnostic', { textDocument: { uri } });
      assert.equal(first.kind, 'full');
      assert.deepEqual(
        first.items.map((d: any) => [d.code, d.range.start.line]),
        [
          ['IL001', 8],
          ['IL001', 9],
          ['IL001', 19],
        ],
      );
      const again = await client.request('textDocument/diagnostic', { textDocument: { uri }, previousResultId: first.resultId });
      assert.deepEqual(again, { kind: 'unchanged', resultId: first.resultId });

      const at = text.split('\n')[9].indexOf('"glorot_uniform"');
      client.notify('textDocument/didChange', {
        textDocument: { uri, version: 2 },
        contentChanges: [{ range: { start: { line: 9, character: at }, end: { line: 9, character: at + 16 } }, text: '"he_normal"' }],
      });
      // Asked at once, before the debounced lint: the edited text's diagnostics.
      const edited = await client.request('textDocument/diagnostic', { textDocument: { uri }, previousResultId: first.resultId });
      assert.equal(edited.kind, 'full');
      assert.deepEqual(
        edited.items.map((d: any) => d.range.start.line),
        [8, 19],
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.ok(
        !client.notifications.some((m) => m.method === 'textDocument/publishDiagnostics' && m.params.uri === uri),
        'nothing pushed for an open document',
      );

      client.notify('workspace/didChangeConfiguration', { settings: { initlint: { rules: { IL001: 'off' } } } });
      await withTimeout(
        (async () => {
          while (!client.serverRequests.some((m) => m.method === 'workspace/diagnostic/refresh')) await new Promise((resolve) => setTimeout(resolve, 20));
        })(),
        'workspace/diagnostic/refresh',
      );
      const off = await client.request('textDocument/diagnostic', { textDocument: { uri }, previousResultId: edited.resultId });
      assert.deepEqual(off.items, []);
      await client.request('shutdown', null);
      client.notify('exit', null);
    } finally {
      if (client.proc.exitCode === null) client.proc.kill('SIGKILL');
    }
  });
});

/**
 * The server's own workspace scan, for editors that do not scan (initializationOptions
 * `lintWorkspace`): every model file of the folder as the CLI walks it, kept current by the
 * file watching it registers with the client.
 */
describe('initlint server scanning the workspace itself', () => {
  test('lintWorkspace: closed files reported (not the ignored one); a created file linted, a deleted one withdrawn; a changed pyproject.toml scans again', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'initlint-lsp-scan-'));
    fs.mkdirSync(path.join(dir, 'models'));
    fs.writeFileSync(path.join(dir, 'models', 'mlp.py'), fixture('sequential.py'));
    fs.writeFileSync(path.join(dir, 'models', 'old.py'), fixture('sequential.py'));
    fs.writeFileSync(path.join(dir, 'models', 'keep.py'), fixture('sequential.py'));
    fs.writeFileSync(path.join(dir, '.gitignore'), 'models/old.py\n');
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.NODE_TEST_CONTEXT;
    const client = new Client(spawn(process.execPath, [CLI, 'server', '--stdio'], { cwd: dir, env }));
    const uriOf = (rel: string) => url.pathToFileURL(path.join(dir, rel)).toString();
    try {
      await client.request('initialize', {
        processId: process.pid,
        rootUri: url.pathToFileURL(dir).toString(),
        workspaceFolders: [{ uri: url.pathToFileURL(dir).toString(), name: 'w' }],
        capabilities: { workspace: { didChangeWatchedFiles: { dynamicRegistration: true } } },
        initializationOptions: { lintWorkspace: true },
      });
      client.notify('initialized', {});
      const d = (await client.diagnosticsFor(uriOf('models/mlp.py'))).params;
      assert.equal(d.diagnostics.length, 3);
      assert.equal(d.version, undefined, 'from disk');
      const registration = client.serverRequests.find((m) => m.method === 'client/registerCapability');
      const watchers = registration?.params.registrations[0].registerOptions.watchers.map((w: any) => w.globPattern);
      assert.ok(
        watchers?.some((g: string) => g.includes('py') && g.includes('ipynb')),
        JSON.stringify(watchers),
      );
      await client.until('the scan is done', (m) => m.method === 'window/logMessage' && /workspace scan: 2 files/.test(m.params.message));
      assert.ok(
        !client.notifications.some((m) => m.method === 'textDocument/publishDiagnostics' && m.params.uri === uriOf('models/old.py')),
        '.gitignore is honoured',
      );

      let since = client.notifications.length;
      fs.writeFileSync(path.join(dir, 'models', 'cnn.py'), fixture('sequential.py'));
      client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf('models/cnn.py'), type: 1 }] });
      assert.equal((await client.diagnosticsFor(uriOf('models/cnn.py'), since)).params.diagnostics.length, 3);

      since = client.notifications.length;
      fs.rmSync(path.join(dir, 'models', 'mlp.py'));
      client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf('models/mlp.py'), type: 3 }] });
      assert.deepEqual((await client.diagnosticsFor(uriOf('models/mlp.py'), since)).params.diagnostics, []);

      // New settings in pyproject.toml: a closed file is linted again with them (IL001 off: nothing
      // left), and a file excluded now is withdrawn.
      since = client.notifications.length;
      fs.writeFileSync(path.join(dir, 'pyproject.toml'), '[tool.initlint]\nexclude = ["models/cnn.py"]\nrules = { IL001 = "off" }\n');
      client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf('pyproject.toml'), type: 1 }] });
      assert.deepEqual((await client.diagnosticsFor(uriOf('models/keep.py'), since)).params.diagnostics, []);
      assert.deepEqual((await client.diagnosticsFor(uriOf('models/cnn.py'), since)).params.diagnostics, []);
      await client.request('shutdown', null);
      client.notify('exit', null);
    } finally {
      if (client.proc.exitCode === null) client.proc.kill('SIGKILL');
    }
  });
});
