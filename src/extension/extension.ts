/**
 * initlint for VS Code: a client of `initlint server` (src/server/server.ts), which lints in its
 * own process and serves the diagnostics, code actions and hovers through LSP; the extension
 * keeps what VS Code alone can show (the Initialization panel, code lenses, the language status,
 * the simulator), drawn from the analyses the server sends. Everything registered here is
 * disposed with the extension.
 */
import * as vscode from 'vscode';
import { LanguageClient, State, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { InitlintCodeLens } from './codeLens';
import { LayerTree, type LayerNode, type LayerTreeNode } from './layerTree';
import { LINTED_LANGUAGES, LintService, type FileResult } from './lintService';
import { WorkspaceSettings } from './settings';
import { StatusItem } from './statusItem';
import { WorkspaceScan } from './workspaceScan';
import { pickTarget, SIMULATOR_VIEW_TYPE, SimulatorPanel, type SimTarget } from './simulatorPanel';
import { ruleDocUrl, RULES_DOC_URL } from '../engine/docs';
import type { RuleCode } from '../engine/rules';
import type { WireFinding } from '../engine/wire';
import { describeSettings } from '../engine/settings';
import { addPerFileIgnore, escapeGlob, perFileIgnoreTarget } from '../cli/config';
import * as fs from 'node:fs';
import {
  analysisNotification,
  fixesRequest,
  forgetFilesNotification,
  lintFilesRequest,
  rewritesRequest,
  settingsNotification,
  type FolderSettings,
  type InitializationOptions,
} from '../server/protocol';

export interface InitlintApi {
  /** For tests and other extensions: the service holding every result, and the panel's tree. */
  service: LintService;
  tree: LayerTree;
  treeView: vscode.TreeView<LayerTreeNode>;
  /** The folder of the extension's log file (`initlint.log`), which "initlint: Show log" opens. */
  logUri: vscode.Uri;
  ready: Promise<void>;
  /** The open simulator panel, if any. */
  simulator(): SimulatorPanel | undefined;
  /** The language client of `initlint server`. */
  client: LanguageClient;
}

/** Files the server lints as they are edited: model code in every linted language, on disk and untitled. */
function documentSelector(): LanguageClientOptions['documentSelector'] {
  return [
    ...[...LINTED_LANGUAGES].flatMap((language) => [
      { scheme: 'file', language },
      { scheme: 'untitled', language },
    ]),
    { notebook: 'jupyter-notebook', language: 'python' },
  ];
}

export function activate(context: vscode.ExtensionContext): InitlintApi {
  const log = vscode.window.createOutputChannel('initlint', { log: true });
  log.info(`initlint ${String(context.extension.packageJSON.version)} in VS Code ${vscode.version} (Node ${process.versions.node}, ${process.platform})`);
  const service = new LintService(log, {
    rewrites: async (params) => {
      await started;
      return client.sendRequest(rewritesRequest, params);
    },
    fixes: async (params) => {
      await started;
      const edit = await client.sendRequest(fixesRequest, params);
      return edit ? client.protocol2CodeConverter.asWorkspaceEdit(edit) : null;
    },
  });
  const tree = new LayerTree(service);
  const treeView = vscode.window.createTreeView('initlint.layers', { treeDataProvider: tree, showCollapseAll: true });
  let settings = WorkspaceSettings.read();

  // The server: the bundle beside this one, in its own Node process, on stdio as in every other editor.
  const serverModule = vscode.Uri.joinPath(context.extensionUri, 'dist', 'server.js').fsPath;
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.stdio },
    debug: { module: serverModule, transport: TransportKind.stdio, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
  };
  const initializationOptions: InitializationOptions = {
    client: { analyses: true, codeLens: false, commands: { showRuleDocs: 'initlint.showRuleDocs', ignoreInFile: 'initlint.ignoreInFile' } },
  };
  const client = new LanguageClient('initlint', 'initlint', serverOptions, {
    documentSelector: documentSelector(),
    outputChannel: log,
    diagnosticCollectionName: 'initlint',
    initializationOptions,
  });
  context.subscriptions.push(client.onNotification(analysisNotification, (params) => service.accept(params)));
  // The client restarts a server that crashed; the new one knows nothing of the folders'
  // settings or the scan: both are sent again, and the analyses it had sent are dropped.
  let runs = 0;
  context.subscriptions.push(
    client.onDidChangeState((e) => {
      if (e.newState !== State.Running) return;
      runs++;
      if (runs > 1) {
        log.warn('the initlint language server restarted: sending the settings and scanning again');
        service.clearAll();
        void configure();
      }
    }),
  );
  const started = client.start().catch((err: Error) => {
    log.error('the initlint language server could not start', err);
    throw err;
  });
  const scan = new WorkspaceScan(
    {
      lintFiles: async (uris, token) => {
        await started;
        return client.sendRequest(lintFilesRequest, { uris }, token);
      },
      forgetFiles: (uris) => void started.then(() => client.sendNotification(forgetFilesNotification, { uris })),
    },
    log,
    (uri) => settings.for(uri).engine,
  );
  context.subscriptions.push(log, service, tree, scan, { dispose: () => void client.stop() });

  /**
   * Writes `code` for `uri` into the per-file-ignores of the config the folder is read with:
   * its pyproject.toml or initlint.json with initlint settings, else the folder's pyproject.toml
   * (a [tool.initlint] table is added), else a new initlint.json. False: not written (a config
   * whose shape cannot be edited safely).
   */
  const ignoreInProjectConfig = async (folder: vscode.WorkspaceFolder, uri: vscode.Uri, code: string): Promise<boolean> => {
    const place = perFileIgnoreTarget(folder.uri.fsPath, folder.uri.fsPath, uri.fsPath);
    if (!place) return false;
    const { config: file, kind, glob } = place;
    const target = vscode.Uri.file(file);
    const exists = fs.existsSync(file);
    const doc = exists ? await vscode.workspace.openTextDocument(target) : undefined;
    const text = addPerFileIgnore(doc?.getText() ?? '', kind, glob, code);
    if (text === undefined) {
      log.warn(`per-file-ignores: ${file} has a shape initlint does not edit; ${glob} = ${code} goes into the folder's settings instead`);
      return false;
    }
    const edit = new vscode.WorkspaceEdit();
    if (doc) edit.replace(target, new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length)), text);
    else edit.createFile(target, { contents: new TextEncoder().encode(text) });
    if (!(await vscode.workspace.applyEdit(edit))) return false;
    if (doc) await doc.save();
    log.info(`per-file-ignores: ${glob} = ${code} written into ${file}`);
    await configure();
    return true;
  };

  /** Applies the fixes of these findings of a result (all when absent), built by the server, as one undo step. */
  const applyFixes = async (result: FileResult, findings: readonly WireFinding[] | undefined, what: string): Promise<void> => {
    const edit = await service.fixes(result, findings).catch((err: Error) => {
      log.error(`${what}: the server could not build the fixes`, err);
      return undefined;
    });
    if (edit === null) {
      // Edited or linted again since this view was drawn (its findings are on their way), or no fix applied.
      if (service.isStale(result) || service.resultFor(result.uri) !== result) {
        void vscode.window.showInformationMessage(`initlint: ${result.uri.path.split('/').pop()} changed since its findings were shown; try again.`);
      } else log.info(`${what}: no fix applies to ${result.uri.fsPath || result.uri.toString()}`);
      return;
    }
    if (edit && !(await vscode.workspace.applyEdit(edit))) log.warn(`${what}: VS Code rejected the edit of ${result.uri.fsPath || result.uri.toString()}`);
  };

  const configureOnce = async () => {
    settings = WorkspaceSettings.read();
    for (const p of settings.problems()) log.warn(p);
    // What each folder is linted with, and from where: the first thing to read when a result surprises.
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      const s = settings.for(folder.uri);
      log.info(
        `settings for ${folder.name}: ${describeSettings(s.engine)} (${s.configFile ? `${s.configFile} under the editor's initlint.* values` : "the editor's initlint.* values; no pyproject.toml [tool.initlint] or initlint.json found"}); run ${s.run}, lintWorkspace ${s.lintWorkspace}`,
      );
    }
    if (!vscode.workspace.workspaceFolders?.length) log.info(`settings (no folder open): ${describeSettings(settings.fallback.engine)}`);
    service.configure(settings.fallback.engine, new Map([...settings.folders()].map(([folder, s]) => [folder, s.engine])));
    const folderSettings = (s: { engine: FolderSettings['engine']; run: FolderSettings['run'] }): FolderSettings => ({ engine: s.engine, run: s.run });
    await started;
    // The server lints every open document again with these, and withdraws what the last scan reported.
    await client.sendNotification(settingsNotification, {
      fallback: folderSettings(settings.fallback),
      folders: [...settings.folders()].map(([uri, s]) => ({ uri, settings: folderSettings(s) })),
    });
    if (settings.fallback.lintWorkspace) {
      await scan.scan();
      scan.watch();
    }
  };
  // Settings, pyproject.toml and folder changes can arrive together: one configure runs at a
  // time, and requests made meanwhile are served by one more run after it.
  let configuring: Promise<void> | undefined;
  let again = false;
  const configure = (): Promise<void> => {
    if (configuring) {
      again = true;
      return configuring;
    }
    configuring = (async () => {
      do {
        again = false;
        try {
          await configureOnce();
        } catch (err) {
          log.error('initlint could not start', err as Error);
        }
      } while (again);
    })().finally(() => {
      configuring = undefined;
    });
    return configuring;
  };
  const ready = configure();

  const selector: vscode.DocumentSelector = [...LINTED_LANGUAGES].map((language) => ({ language }));
  const lenses = new InitlintCodeLens(service);
  const notebookCells: vscode.DocumentFilter = { notebookType: 'jupyter-notebook', language: 'python' };
  context.subscriptions.push(
    lenses,
    vscode.languages.registerCodeLensProvider([...selector, notebookCells], lenses),
    treeView,
    new StatusItem(service),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('initlint')) void configure();
    }),
    vscode.workspace.onDidChangeWorkspaceFolders(() => void configure()),
    vscode.workspace.onDidSaveTextDocument((doc) => {
      if (/(^|\/)(pyproject\.toml|initlint\.json)$/.test(doc.uri.path)) void configure();
    }),

    vscode.commands.registerCommand('initlint.showOutput', () => log.show()),
    // docs/rules.md ships in the .vsix: opened in the Markdown preview, at the rule's section.
    vscode.commands.registerCommand('initlint.showRuleDocs', async (code?: string) => {
      const doc = vscode.Uri.joinPath(context.extensionUri, 'docs', 'rules.md');
      const target = typeof code === 'string' && /^IL\d{3}$/.test(code) ? doc.with({ fragment: code.toLowerCase() }) : doc;
      try {
        await vscode.workspace.fs.stat(doc);
        await vscode.commands.executeCommand('markdown.showPreview', target);
      } catch (err) {
        log.warn(`the bundled rules documentation could not be shown (${(err as Error).message}); opening it on the web`);
        await vscode.env.openExternal(vscode.Uri.parse(typeof code === 'string' && /^IL\d{3}$/.test(code) ? ruleDocUrl(code as RuleCode) : RULES_DOC_URL));
      }
    }),
    vscode.commands.registerCommand('initlint.ignoreInFile', async (target: vscode.Uri | string, code: string) => {
      // For files that cannot hold a comment (JSON configs, .keras, .h5): a per-file-ignores
      // entry in the project's config, which the CLI reads too; the editor's folder settings
      // only where the config cannot be edited safely. From the server's code action, the file
      // comes as a URI string.
      const uri = typeof target === 'string' ? vscode.Uri.parse(target, true) : target;
      const folder = uri && vscode.workspace.getWorkspaceFolder(uri);
      if (!folder || !/^IL\d{3}$/.test(code)) return;
      if (folder.uri.scheme === 'file' && (await ignoreInProjectConfig(folder, uri, code))) return;
      const cfg = vscode.workspace.getConfiguration('initlint', folder.uri);
      const current = cfg.inspect<Record<string, string[]>>('perFileIgnores')?.workspaceFolderValue ?? {};
      const glob = escapeGlob(vscode.workspace.asRelativePath(uri, false));
      const codes = [...new Set([...(current[glob] ?? []), code])];
      await cfg.update('perFileIgnores', { ...current, [glob]: codes }, vscode.ConfigurationTarget.WorkspaceFolder);
      log.info(`per-file-ignores: ${glob} = ${codes.join(', ')} (workspace folder settings)`);
    }),
    vscode.commands.registerCommand('initlint.lintWorkspace', () => scan.scan()),
    vscode.commands.registerCommand('initlint.fixAll', async () => {
      const doc = vscode.window.activeTextEditor?.document;
      const result = doc ? service.resultFor(doc.uri) : undefined;
      if (result) await applyFixes(result, undefined, 'fix all');
    }),
    vscode.commands.registerCommand('initlint.fixLayer', async (node?: LayerNode) => {
      if (node) await applyFixes(node.result, node.findings, `fix ${node.layer.label}`);
    }),
    vscode.commands.registerCommand('initlint.simulate', async (arg?: SimTarget | { result: { uri: vscode.Uri }; model: { name: string } }) => {
      await ready;
      // From a code lens: { uri, model }; from the panel's model item: the tree node.
      const target =
        arg && 'result' in arg
          ? { uri: arg.result.uri.toString(), model: arg.model.name }
          : arg && 'uri' in arg
            ? arg
            : await pickTarget(service, vscode.window.activeTextEditor);
      if (target) SimulatorPanel.show(context.extensionUri, service, log, target);
    }),
    vscode.window.registerWebviewPanelSerializer(SIMULATOR_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel, state) => {
        await ready;
        SimulatorPanel.revive(panel, context.extensionUri, service, log, state);
      },
    }),
    { dispose: () => SimulatorPanel.current?.dispose() },
    // The verdict lens over a model: the panel opens on that model, expanded and selected.
    vscode.commands.registerCommand('initlint.revealModel', async (arg?: { uri: string; model: string }) => {
      // The view first: a tree that was never shown has not resolved the nodes reveal walks.
      await vscode.commands.executeCommand('initlint.layers.focus');
      // The tree refreshes after every lint; a reveal that lands during a refresh finds no row:
      // try again on the refreshed tree, a few times.
      for (let attempt = 0; ; attempt++) {
        const node = arg && tree.modelNode(arg.uri, arg.model);
        if (!node) return;
        try {
          await treeView.reveal(node, { select: true, focus: true, expand: true });
          return;
        } catch (err) {
          if (attempt >= 5) {
            log.warn(`could not reveal ${arg.model} in the Initialization panel: ${(err as Error).message}`);
            return;
          }
          // A view that was hidden may hold a stale tree: refresh it while it is shown.
          tree.refresh();
          await new Promise((resolve) => setTimeout(resolve, 300));
        }
      }
    }),
    vscode.commands.registerCommand('initlint.showProblemsOnly', () => tree.setProblemsOnly(true)),
    vscode.commands.registerCommand('initlint.showAllLayers', () => tree.setProblemsOnly(false)),
  );
  return { service, tree, treeView, logUri: context.logUri, ready: ready.then(() => undefined), simulator: () => SimulatorPanel.current, client };
}

export function deactivate(): void {
  // Everything is in context.subscriptions.
}
