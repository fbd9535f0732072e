/**
 * initlint inside a real VS Code extension host with the real API, on a copy of examples/:
 * diagnostics, quick fixes, fix-all, the disable comment, hovers, the panel's tree, settings,
 * and notebook cells. Every wait polls the state a user would see; nothing sleeps blindly.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { InitlintApi } from '../../src/extension/extension';

const root = () => vscode.workspace.workspaceFolders![0].uri;
const file = (rel: string) => vscode.Uri.joinPath(root(), rel);

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const initlintDiagnostics = (uri: vscode.Uri) => vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'initlint');
const codeOf = (d: vscode.Diagnostic) => (typeof d.code === 'object' ? d.code.value : d.code);

async function open(rel: string): Promise<vscode.TextDocument> {
  const doc = await vscode.workspace.openTextDocument(file(rel));
  await vscode.window.showTextDocument(doc);
  return doc;
}

suite('initlint in VS Code', () => {
  let api: InitlintApi;

  suiteSetup(async () => {
    const ext = vscode.extensions.getExtension<InitlintApi>('initlint.initlint');
    assert.ok(ext, 'the extension is installed');
    api = await ext.activate();
    await api.ready;
  });

  // Each test starts from the files as they are on disk. Only the workspace's files: the
  // workbench itself opens the user's settings.json as a document now and then (a CI run caught
  // it dirty for an instant, and showing it failed with "another editor opened in the meantime").
  teardown(async () => {
    const ours = (d: vscode.TextDocument) => d.isDirty && d.uri.scheme === 'file' && vscode.workspace.getWorkspaceFolder(d.uri) !== undefined;
    for (const doc of vscode.workspace.textDocuments.filter(ours)) {
      await vscode.window.showTextDocument(doc);
      await vscode.commands.executeCommand('workbench.action.files.revert');
    }
  });

  test('diagnostics appear with their rule code, range, docs link and related activation', async () => {
    const doc = await open('keras/mlp.py');
    const diags = await until('two IL001 diagnostics', () => (initlintDiagnostics(doc.uri).length === 2 ? initlintDiagnostics(doc.uri) : undefined));
    assert.deepEqual(diags.map(codeOf), ['IL001', 'IL001']);
    const second = diags.find((d) => d.range.start.line === 9)!;
    assert.equal(doc.getText(second.range), '"glorot_uniform"');
    assert.equal(second.severity, vscode.DiagnosticSeverity.Warning);
    assert.match(String((second.code as { target: vscode.Uri }).target), /docs\/rules\.md#il001$/);
    assert.equal(
      second.message,
      'relu-init-mismatch: glorot_uniform under relu keeps 0.67 of the variance per layer (x0.93 over this 3-layer segment); use He normal.',
    );
    assert.equal(second.relatedInformation?.[0].location.range.start.line, 9);
  });

  test('the quick fix is preferred, edits the document, and the finding clears', async () => {
    const doc = await open('keras/mlp.py');
    const diag = await until('IL001 on line 10', () => initlintDiagnostics(doc.uri).find((d) => d.range.start.line === 9));
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, diag.range);
    const fix = actions.find((a) => a.title === 'Use HeNormal');
    assert.ok(fix?.isPreferred, 'Use HeNormal is offered and preferred');
    assert.ok(actions.some((a) => a.title === 'Disable IL001 for this line'));
    const docs = actions.find((a) => a.title === 'Show documentation for IL001');
    assert.ok(docs?.command, 'Show documentation for IL001 is offered');
    assert.ok(
      actions.some((a) => a.title === 'Open IL001 on the web'),
      'the web page as the second choice',
    );
    // The bundled docs, in VS Code's Markdown preview: no browser, no dialog.
    await vscode.commands.executeCommand(docs.command.command, ...(docs.command.arguments ?? []));
    const tab = await until('the rules.md preview', () =>
      vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => /rules\.md/.test(t.label) && t.input instanceof vscode.TabInputWebview),
    );
    await vscode.window.tabGroups.close(tab);
    await vscode.window.showTextDocument(doc);
    assert.ok(await vscode.workspace.applyEdit(fix.edit!));
    assert.match(doc.lineAt(9).text, /kernel_initializer="he_normal"/);
    await until('one finding left', () => initlintDiagnostics(doc.uri).length === 1);
    await vscode.commands.executeCommand('undo');
    await until('undo brings it back in one step', () => initlintDiagnostics(doc.uri).length === 2);
  });

  test('fix all fixes the file; source.fixAll.initlint is offered', async () => {
    const doc = await open('keras/mlp.py');
    await until('two findings', () => initlintDiagnostics(doc.uri).length === 2);
    const all = await vscode.commands.executeCommand<vscode.CodeAction[]>(
      'vscode.executeCodeActionProvider',
      doc.uri,
      new vscode.Range(0, 0, 0, 0),
      'source.fixAll.initlint',
    );
    assert.ok(all.some((a) => a.kind?.value === 'source.fixAll.initlint'));
    const before = (doc.getText().match(/kernel_initializer="he_normal"/g) ?? []).length;
    await vscode.commands.executeCommand('initlint.fixAll');
    await until('no finding left', () => initlintDiagnostics(doc.uri).length === 0);
    assert.equal((doc.getText().match(/kernel_initializer="he_normal"/g) ?? []).length, before + 2);
  });

  test('quick fixes appear only beside a problem; a JSON config gets no comment directive (JSON has no comments)', async () => {
    const doc = await open('keras/mlp.py');
    await until('two findings', () => initlintDiagnostics(doc.uri).length === 2);
    // Line 1 (the imports) has no problem: no lightbulb, no "Fix all" quick fix there.
    const quiet = await vscode.commands.executeCommand<vscode.CodeAction[]>(
      'vscode.executeCodeActionProvider',
      doc.uri,
      new vscode.Range(0, 0, 0, 0),
      vscode.CodeActionKind.QuickFix.value,
    );
    assert.deepEqual(
      quiet.filter((a) => /initlint|IL0/.test(a.title)).map((a) => a.title),
      [],
    );
    const json = await open('configs/mlp_model.json');
    const diag = await until('a finding in the JSON config', () => initlintDiagnostics(json.uri)[0]);
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', json.uri, diag.range);
    assert.ok(
      actions.some((a) => a.title.startsWith('Show documentation')),
      actions.map((a) => a.title).join(', '),
    );
    assert.ok(!actions.some((a) => a.title.endsWith('for this line')), actions.map((a) => a.title).join(', '));
    // Instead: per-file-ignores in the project's pyproject.toml (which the CLI reads too); the JSON stays as it was.
    const code = codeOf(diag);
    const ignore = actions.find((a) => a.title === `Disable ${code} for this file (per-file-ignores)`);
    assert.ok(ignore?.command, actions.map((a) => a.title).join(', '));
    const before = json.getText();
    const folder = vscode.workspace.getWorkspaceFolder(json.uri)!;
    const pyproject = vscode.Uri.joinPath(folder.uri, 'pyproject.toml');
    const projectBefore = new TextDecoder().decode(await vscode.workspace.fs.readFile(pyproject));
    try {
      await vscode.commands.executeCommand(ignore.command.command, ...(ignore.command.arguments ?? []));
      await until(`${code} silenced`, () => !initlintDiagnostics(json.uri).some((d) => codeOf(d) === code));
      const project = new TextDecoder().decode(await vscode.workspace.fs.readFile(pyproject));
      assert.equal(project, `${projectBefore}\n[tool.initlint.per-file-ignores]\n"configs/mlp_model.json" = ["${code}"]\n`);
      assert.equal(json.getText(), before);
      JSON.parse(json.getText());
    } finally {
      // Restored through the editor and saved: the extension reloads its settings on that save.
      const doc = await vscode.workspace.openTextDocument(pyproject);
      const restore = new vscode.WorkspaceEdit();
      restore.replace(pyproject, new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length)), projectBefore);
      await vscode.workspace.applyEdit(restore);
      await doc.save();
      await until(`${code} back on the JSON config`, () => initlintDiagnostics(json.uri).some((d) => codeOf(d) === code));
    }
  });

  test('"Disable IL002 for this line" adds the suppression comment and silences it', async () => {
    const doc = await open('keras/tanh_he.py');
    const diag = await until('IL002', () => initlintDiagnostics(doc.uri).find((d) => codeOf(d) === 'IL002'));
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, diag.range);
    const disable = actions.find((a) => a.title === 'Disable IL002 for this line')!;
    await vscode.workspace.applyEdit(disable.edit!);
    assert.match(doc.lineAt(diag.range.start.line).text, /# initlint: disable=IL002$/);
    await until('silenced', () => initlintDiagnostics(doc.uri).length === 0);
  });

  test('"Disable IL002 for this file" writes the file-wide directive at the top and silences it', async () => {
    const doc = await open('keras/tanh_he.py');
    const diag = await until('IL002', () => initlintDiagnostics(doc.uri).find((d) => codeOf(d) === 'IL002'));
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, diag.range);
    const disable = actions.find((a) => a.title === 'Disable IL002 for this file')!;
    await vscode.workspace.applyEdit(disable.edit!);
    assert.equal(doc.lineAt(0).text, '# initlint: disable-file=IL002');
    await until('silenced', () => !initlintDiagnostics(doc.uri).some((d) => codeOf(d) === 'IL002'));
  });

  test('hover on a layer shows Var(w), the fans, the gain and the recommendation', async () => {
    const doc = await open('keras/mlp.py');
    await until('linted', () => initlintDiagnostics(doc.uri).length > 0);
    const pos = new vscode.Position(8, doc.lineAt(8).text.indexOf('Dense') + 2);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, pos);
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : (c as vscode.MarkdownString).value))).join('\n');
    assert.match(text, /Var\(w\)/);
    assert.match(text, /784 → 256/);
    assert.match(text, /0\.754/);
    assert.match(text, /He normal, Var = 0\.00255/);
    // v2: the gradient factor chi and the compounded effect over the segment.
    assert.match(text, /gradient factor χ = σ²·E\[φ′\(z\)²\] \| 0\.754/);
    assert.match(text, /over its 3-layer segment/);
  });

  test('the panel lists files, models and layers with their numbers', async () => {
    await open('pytorch/classifier.py');
    const fileNode = await until('classifier.py in the tree', () =>
      api.tree.getChildren().find((n) => n.kind === 'file' && n.result.uri.path.endsWith('pytorch/classifier.py')),
    );
    const [model] = api.tree.getChildren(fileNode);
    assert.equal(api.tree.getTreeItem(model).label, 'Classifier');
    const layers = api.tree.getChildren(model);
    assert.deepEqual(
      layers.map((l) => api.tree.getTreeItem(l).label),
      ['Linear(d_in, hidden)', 'Linear(hidden, hidden)', 'Linear(hidden, d_out)'],
    );
    const first = api.tree.getTreeItem(layers[0]);
    assert.match(String(first.description), /xavier_uniform_ · relu · 784 → 512/);
    assert.equal(first.contextValue, 'layer');
    // The file row says which folder it is in; a layer without a problem says why it passes.
    assert.match(String(api.tree.getTreeItem(fileNode).description), /^pytorch · /);
    const passing = layers
      .map((l) => api.tree.getTreeItem(l))
      .find((i) => i.contextValue === 'layer' && /No problem/.test((i.tooltip as vscode.MarkdownString).value));
    assert.ok(passing, 'a passing layer explains itself');
    assert.match((passing.tooltip as vscode.MarkdownString).value, /\*\*No problem\*\*: (its initializer suits its activation|exempt|a constant start)/);
  });

  test("the panel's Fix on a layer asks the server for that layer's fix only, and applies it", async () => {
    const doc = await open('keras/mlp.py');
    await until('two findings', () => initlintDiagnostics(doc.uri).length === 2);
    const fileNode = await until('mlp.py in the tree', () =>
      api.tree.getChildren().find((n) => n.kind === 'file' && n.result.uri.toString() === doc.uri.toString()),
    );
    const layers = api.tree.getChildren(fileNode).flatMap((m) => api.tree.getChildren(m));
    const fixable = layers.filter((l) => api.tree.getTreeItem(l).contextValue === 'layer-fixable');
    assert.equal(fixable.length, 2, 'both flagged layers offer Fix');
    const second = fixable.find((l) => l.kind === 'layer' && l.findings.some((f) => doc.positionAt(f.start).line === 9));
    assert.ok(second, 'the layer on line 10');
    await vscode.commands.executeCommand('initlint.fixLayer', second);
    await until('one finding left', () => initlintDiagnostics(doc.uri).length === 1);
    assert.match(doc.lineAt(9).text, /kernel_initializer="he_normal"/);
    assert.equal(initlintDiagnostics(doc.uri)[0].range.start.line, 8, 'the other layer keeps its finding');
  });

  test('a layer initialized by a shared init function: the diagnostic points at the call, an action opens it', async () => {
    const doc = await open('pytorch/classifier.py');
    const diag = await until('IL001 on the first hidden layer', () => initlintDiagnostics(doc.uri).find((d) => d.range.start.line === 16));
    const related = diag.relatedInformation?.find((r) => /initialised by this call/.test(r.message));
    assert.ok(related, JSON.stringify(diag.relatedInformation?.map((r) => r.message)));
    assert.equal(doc.lineAt(related.location.range.start.line).text.trim(), 'nn.init.xavier_uniform_(m.weight)');
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, diag.range);
    const openCall = actions.find((a) => a.title.startsWith('Open the shared init call'));
    assert.ok(openCall?.command, actions.map((a) => a.title).join(', '));
    assert.match(openCall.title, /it initializes 3 layers that need different initializers: no per-layer fix/);
    assert.ok(!actions.some((a) => a.isPreferred), 'no per-layer fix is offered');
    await vscode.commands.executeCommand(openCall.command.command, ...(openCall.command.arguments ?? []));
    await until('the cursor on the init call', () => vscode.window.activeTextEditor?.selection.start.line === related.location.range.start.line || undefined);
  });

  test('one row per layer size; the verdict lens reveals its model, expanded, in the panel', async () => {
    const doc = await vscode.workspace.openTextDocument({
      language: 'python',
      content: [
        'from tensorflow import keras',
        'from tensorflow.keras import layers',
        '',
        '',
        'def conv_block(x, filters):',
        '    return layers.Conv2D(filters, 3, activation="relu", kernel_initializer="he_normal")(x)',
        '',
        '',
        'def build_cnn():',
        '    inputs = keras.Input(shape=(32, 32, 3))',
        '    x = conv_block(inputs, 32)',
        '    x = conv_block(x, 64)',
        '    return keras.Model(inputs, layers.Dense(10)(layers.Flatten()(x)))',
        '',
      ].join('\n'),
    });
    await vscode.window.showTextDocument(doc);
    const fileNode = await until('the untitled file in the tree', () =>
      api.tree.getChildren().find((n) => n.kind === 'file' && n.result.uri.toString() === doc.uri.toString()),
    );
    const model = api.tree.getChildren(fileNode).find((m) => api.tree.getTreeItem(m).label === 'build_cnn');
    assert.ok(model, 'build_cnn in the tree');
    const rows = api.tree.getChildren(model).map((l) => `${api.tree.getTreeItem(l).label} ${String(api.tree.getTreeItem(l).description).split(' · ')[2]}`);
    // Two calls of one constructor with 32 and 64 filters: two rows, each with its own fan_in (3·3·3, 3·3·32).
    assert.match(rows[0], /^Conv2D\(filters, 3\) 27 → \d+$/);
    assert.match(rows[1], /^Conv2D\(filters, 3\) 288 → \d+$/);
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri);
    const verdict = lenses.find((l) => l.command?.command === 'initlint.revealModel' && (l.command.arguments?.[0] as { model: string }).model === 'build_cnn');
    assert.ok(verdict?.command, `a verdict lens over build_cnn: ${lenses.map((l) => l.command?.command).join(', ')}`);
    await vscode.commands.executeCommand(verdict.command.command, ...(verdict.command.arguments ?? []));
    await until('build_cnn selected in the panel', () => {
      const selected = api.treeView.selection[0];
      return selected?.kind === 'model' && selected.model.name === 'build_cnn' ? selected : undefined;
    });
    assert.ok(api.treeView.visible, 'the panel is shown');
    await vscode.window.showTextDocument(doc);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  test("the log says the version, each folder's settings and where they come from, and the scan", async () => {
    const file = vscode.Uri.joinPath(api.logUri, 'initlint.log');
    const text = await until('the log file', async () => {
      try {
        const t = new TextDecoder().decode(await vscode.workspace.fs.readFile(file));
        return /workspace scan: \d+ of \d+ files in \d+ ms/.test(t) ? t : undefined;
      } catch {
        return undefined;
      }
    });
    assert.match(text, /\[info\] initlint \d+\.\d+\.\d+ in VS Code \d+\.\d+/);
    assert.match(text, /\[info\] settings for \w+: .+ \(.*pyproject\.toml under the editor's initlint\.\* values\); run onType, lintWorkspace true/);
  });

  test('a settings change re-lints without a reload', async () => {
    const doc = await open('keras/mlp.py');
    await until('two findings', () => initlintDiagnostics(doc.uri).length === 2);
    const cfg = vscode.workspace.getConfiguration('initlint');
    await cfg.update('rules', { IL001: 'off' }, vscode.ConfigurationTarget.Workspace);
    try {
      await until('IL001 off', () => initlintDiagnostics(doc.uri).length === 0);
    } finally {
      await cfg.update('rules', undefined, vscode.ConfigurationTarget.Workspace);
    }
    await until('IL001 back', () => initlintDiagnostics(doc.uri).length === 2);
  });

  test('the scan reports a notebook that is not open, at its place in the .ipynb file', async () => {
    const uri = file('notebooks/mlp.ipynb');
    const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
    const d = await until('a finding in the closed notebook', () => initlintDiagnostics(uri)[0]);
    const line = text.split('\n')[d.range.start.line];
    assert.match(line.slice(d.range.start.character), /^(layers\.)?Dense\(|^nn\.Linear\(/, `${d.range.start.line}: ${line}`);
  });

  test('the workspace scan reports files that are not open', async () => {
    const uri = file('pytorch/deep_default.py');
    const d = await until('IL007 from the scan', () => initlintDiagnostics(uri).find((x) => codeOf(x) === 'IL007'));
    assert.equal(d.severity, vscode.DiagnosticSeverity.Information);
  });

  /**
   * One undo in the document's editor restores `before`: the edit was one undo step. The undo
   * command goes to the focused editor; one that ran while the focus was still elsewhere (the
   * webview taking it back) leaves the document's version as it was, and is sent again.
   */
  async function undoOnce(doc: vscode.TextDocument, before: string, viewColumn?: vscode.ViewColumn) {
    for (let attempt = 1; ; attempt++) {
      await vscode.window.showTextDocument(doc, { viewColumn });
      await until('the editor focused', () => vscode.window.activeTextEditor?.document === doc || undefined);
      const version = doc.version;
      await vscode.commands.executeCommand('undo');
      const undone = await until('the undo', () => doc.version !== version || undefined, 3_000).catch(() => undefined);
      if (undone) break;
      if (attempt >= 3) throw new Error('the undo never reached the document');
    }
    assert.equal(doc.getText(), before, 'one undo restores the file');
  }

  /** keras/mlp.py open with the cursor in build_mlp, and "Simulate Initialization" run on it. */
  async function simulateMlp() {
    const doc = await open('keras/mlp.py');
    const editor = await vscode.window.showTextDocument(doc);
    editor.selection = new vscode.Selection(9, 10, 9, 10);
    await vscode.commands.executeCommand('initlint.simulate');
    const panel = await until('the simulator panel', () => api.simulator());
    return { doc, editor, panel };
  }

  test('Simulate Initialization opens on the model under the cursor, and apply-to-code edits the file', async () => {
    const doc = await open('keras/mlp.py');
    await until('two findings', () => initlintDiagnostics(doc.uri).length === 2);
    const editor = vscode.window.activeTextEditor!;
    editor.selection = new vscode.Selection(9, 10, 9, 10);
    await vscode.commands.executeCommand('initlint.simulate');
    const panel = await until('the simulator panel', () => api.simulator());
    await until('the title names the model', () => panel.panel.title === 'Simulate: build_mlp');
    assert.match(panel.panel.webview.html, /default-src 'none'/);
    // A malformed message is ignored; a valid apply goes through the engine's fixes.
    await panel.receive({ type: 'apply', requestId: 1, layers: ['x'], choice: 'he_normal' });
    assert.equal(initlintDiagnostics(doc.uri).length, 2);
    const count = () => (doc.getText().match(/kernel_initializer="he_normal"/g) ?? []).length;
    const before = count();
    // "Apply to all" with the recommended initializers: He normal for the ReLU layers, Glorot for
    // the softmax head, which already draws that way (the Keras default): nothing written there.
    const textBefore = doc.getText();
    const outcome = await panel.apply([
      { layers: [0, 1], choice: 'he_normal' },
      { layers: [2], choice: 'glorot_uniform' },
    ]);
    assert.ok(outcome.ok, outcome.message);
    assert.equal(outcome.message, 'Applied He normal to 2 layers; Dense(num_classes) already uses it.');
    assert.equal(count(), before + 2);
    assert.doesNotMatch(doc.getText(), /kernel_initializer="glorot_uniform"\)/, 'no explicit default written');
    await until('the diagnostics update', () => initlintDiagnostics(doc.uri).length === 0);
    // One edit: one undo takes it all back.
    await undoOnce(doc, textBefore);
    panel.dispose();
  });

  test("LSUV's Apply writes each layer's gain as Orthogonal(gain=g), in one edit", async () => {
    const { doc, editor, panel } = await simulateMlp();
    await until('the title names the model', () => panel.panel.title === 'Simulate: build_mlp');
    const textBefore = doc.getText();
    // As the webview sends it, each layer's gain from the LSUV run; the analysis crossed from the
    // language server as data, the fix as a template filled with each gain. While the panel's
    // analysis is older than the text (the last test's undo), Apply asks to be pressed again.
    const outcome = await until('the gains written', async () => {
      const o = await panel.apply([{ layers: [0, 1, 2], choice: 'lsuv', gains: [1.2, 0.95, Math.SQRT2] }]);
      if (!o.ok && !/changed since the simulator read it/.test(o.message)) throw new Error(o.message);
      return o.ok ? o : undefined;
    });
    assert.equal(outcome.message, "Applied Orthogonal with LSUV's gain to 3 layers.");
    const lines = doc
      .getText()
      .split('\n')
      .filter((line) => line.includes('layers.Dense('));
    assert.deepEqual(
      lines.map((line) => line.trim()),
      [
        'layers.Dense(256, activation="relu", input_shape=(input_dim,), kernel_initializer=keras.initializers.Orthogonal(gain=1.2)),',
        'layers.Dense(128, activation="relu", kernel_initializer=keras.initializers.Orthogonal(gain=0.95)),',
        'layers.Dense(num_classes, activation="softmax", kernel_initializer=keras.initializers.Orthogonal(gain=1.414)),',
      ],
    );
    // A bad gain is refused before anything is written.
    const applied = doc.version;
    await panel.receive({ type: 'apply', requestId: 8, groups: [{ layers: [0], choice: 'lsuv', gains: [-1] }] });
    assert.equal(doc.version, applied, 'a gain of -1 writes nothing');
    await undoOnce(doc, textBefore, editor.viewColumn);
    panel.dispose();
  });

  test("the simulator's export: the save dialog starts beside the model's file, the file is written, a notification offers Open and Reveal", async () => {
    const { panel } = await simulateMlp();
    await until('the title names the model', () => panel.panel.title === 'Simulate: build_mlp');
    const target = file('keras/export-check.png');
    const window = vscode.window as { showSaveDialog: typeof vscode.window.showSaveDialog; showInformationMessage: (...args: unknown[]) => Thenable<unknown> };
    const original = { save: window.showSaveDialog, info: window.showInformationMessage };
    let asked: vscode.SaveDialogOptions | undefined;
    let told: unknown[] | undefined;
    window.showSaveDialog = async (options) => ((asked = options), target);
    window.showInformationMessage = async (...args: unknown[]) => ((told = args), undefined);
    try {
      const bytes = Buffer.from('\x89PNG stand-in');
      await panel.receive({ type: 'export', requestId: 9, format: 'png', suggestedName: 'build_mlp.png', data: bytes.toString('base64') });
      assert.equal(asked?.defaultUri?.toString(), file('keras/build_mlp.png').toString());
      assert.deepEqual(Buffer.from(await vscode.workspace.fs.readFile(target)), bytes);
      await until('the notification', () => told);
      assert.deepEqual(told, ['initlint: saved keras/export-check.png.', 'Open', 'Reveal in Explorer']);
    } finally {
      window.showSaveDialog = original.save;
      window.showInformationMessage = original.info;
      await vscode.workspace.fs.delete(target).then(undefined, () => undefined);
      panel.dispose();
    }
  });

  test('the simulator keeps its state when hidden: shown again, it does not start over', async () => {
    const { panel } = await simulateMlp();
    await until('the webview started', () => panel.readyCount >= 1 || undefined, 30_000);
    const started = panel.readyCount;
    // Another editor on top of the panel in its group hides it; revealing it shows it again.
    const other = await vscode.workspace.openTextDocument(file('keras/tanh_he.py'));
    await vscode.window.showTextDocument(other, { viewColumn: panel.panel.viewColumn });
    await until('the panel hidden', () => !panel.panel.visible || undefined);
    panel.panel.reveal();
    await until('the panel shown again', () => panel.panel.visible || undefined);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal(panel.readyCount, started, 'the webview was not started again (no re-run on show)');
    panel.dispose();
  });

  test('the simulator keeps the last good model while the file does not parse', async () => {
    const { doc, editor, panel } = await simulateMlp();
    await until('the title names the model', () => panel.panel.title === 'Simulate: build_mlp');
    const header = doc.lineAt(6);
    assert.match(header.text, /^def build_mlp\(/);
    // Half-typed: `def build_mlp(((input_dim...` parses as no function at all.
    await editor.edit((e) => e.insert(new vscode.Position(6, 'def build_mlp('.length), '(('));
    await until('the broken text linted', () => api.service.resultFor(doc.uri)?.analysis.models.every((m) => m.name !== 'build_mlp') || undefined);
    await new Promise((resolve) => setTimeout(resolve, 1500)); // past the panel's follow delay
    assert.equal(panel.panel.title, 'Simulate: build_mlp', 'not the demo model, not another model');
    await vscode.window.showTextDocument(doc);
    await vscode.commands.executeCommand('undo');
    await until('the file parses again', () => api.service.resultFor(doc.uri)?.analysis.models.some((m) => m.name === 'build_mlp') || undefined);
    panel.dispose();
  });

  test('a restarted language server gets the settings and the scan again', async () => {
    const closed = file('pytorch/deep_default.py');
    await until('IL007 from the scan', () => initlintDiagnostics(closed).find((x) => codeOf(x) === 'IL007'));
    await api.client.stop();
    assert.deepEqual(initlintDiagnostics(closed), [], 'a stopped server shows nothing');
    await api.client.start();
    // The folder's settings (IL007 as information, from pyproject.toml) and the scan's files are back.
    const d = await until('IL007 from the scan again', () => initlintDiagnostics(closed).find((x) => codeOf(x) === 'IL007'), 30_000);
    assert.equal(d.severity, vscode.DiagnosticSeverity.Information);
    const doc = await open('keras/mlp.py');
    await until('an open file linted again', () => initlintDiagnostics(doc.uri).length === 2);
  });

  test('a notebook is linted as one program, and the finding lands on its cell', async () => {
    const nb = await vscode.workspace.openNotebookDocument(file('notebooks/mlp.ipynb'));
    await vscode.window.showNotebookDocument(nb);
    const modelCell = nb.cellAt(2);
    const diag = await until('IL001 in cell 2', () => initlintDiagnostics(modelCell.document.uri)[0]);
    assert.equal(codeOf(diag), 'IL001');
    assert.equal(diag.range.start.line, 1);
    assert.deepEqual(initlintDiagnostics(nb.cellAt(1).document.uri), []);
  });
});
