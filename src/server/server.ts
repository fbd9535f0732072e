/**
 * `initlint server`: the engine as a language server on stdio (LSP 3.17), for every editor with
 * an LSP client: Neovim, Helix, Zed, Emacs, JupyterLab (jupyterlab-lsp), and VS Code itself.
 * docs/editors.md has the recipes.
 *
 * - Text documents are synced incrementally and linted after each change, the diagnostics
 *   published with the document's version. A lint runs in this process, never in the editor's.
 * - Notebooks (LSP 3.17 notebook sync): the code cells are joined in order and linted as one
 *   program, as the extension does; each diagnostic is published on its cell.
 * - Quick fixes (the rule's fix, preferred), "Fix all initlint problems" beside a problem and as
 *   `source.fixAll.initlint` (for code-actions-on-save), "Disable IL00x for this line / file";
 *   hover with the numbers behind a layer; a code lens over each model with its verdict.
 * - Settings: `[tool.initlint]` of the nearest pyproject.toml (or initlint.json) above the file,
 *   with the client's `initlint` settings (workspace/configuration, or initializationOptions)
 *   over it, as in the VS Code extension (the editor's values win over the file's).
 *
 * Fixes are the engine's data until here: fix selection (edits.ts), the suppression text
 * (suppression.ts), the hover and the verdict (explain.ts) are the ones the extension and the
 * CLI use.
 */
import * as path from 'node:path';
import * as url from 'node:url';
import {
  CodeActionKind,
  DiagnosticSeverity,
  DidChangeWatchedFilesNotification,
  FileChangeType,
  NotebookDocuments,
  ProposedFeatures,
  TextDocumentSyncKind,
  TextDocuments,
  createConnection,
  type CodeAction,
  type CodeActionParams,
  type CodeLens,
  type Connection,
  type Diagnostic,
  type Hover,
  type InitializeResult,
  type NotebookDocument,
  type Position,
  type Range,
  type TextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { createLinter, languageOf, type Analysis, type Finding, type Linter } from '../engine/linter';
import { EXTENSION_OF_LANGUAGE_ID } from '../engine/languages';
import { parseSettings } from '../engine/settings';
import { selectFixes } from '../engine/edits';
import { explainLayer, explanationMarkdown, layerAt, modelSummary } from '../engine/explain';
import { fileSuppressionComment, fileSuppressionLine, lineSuppressionText } from '../engine/suppression';
import { joinCells } from '../engine/notebook';
import { ruleDocUrl, RULES_DOC_URL } from '../engine/docs';
import type { RuleCode } from '../engine/rules';
import { addPerFileIgnore, findConfig, perFileIgnoreTarget } from '../cli/config';
import * as fs from 'node:fs';
import { sharedInitOf } from '../engine/rules';
import { readSavedModel, readSource } from '../cli/files';
import { collectFiles, LINTED_EXTENSIONS } from '../cli/walk';
import { filePositions } from '../engine/notebook';
import { rewritesToWire, toWire } from '../engine/wire';
import {
  analysisNotification,
  forgetFilesNotification,
  fixesRequest,
  lintFilesRequest,
  rewritesRequest,
  settingsNotification,
  type ClientOptions,
  type FolderSettings,
  type InitializationOptions,
  type LintFilesResult,
  type SettingsParams,
} from './protocol';

export const FIX_ALL_KIND = `${CodeActionKind.SourceFixAll}.initlint`;
/** The command behind "Fix all initlint problems" for clients that run commands: arguments [uri]. */
export const FIX_ALL_COMMAND = 'initlint.applyFixAll';
/** Shows a location in the client (window/showDocument): arguments [uri, range]. */
export const SHOW_COMMAND = 'initlint.show';
/** Opens a rule's documentation on the web (window/showDocument, external): arguments [ruleCode]. */
export const RULE_ON_WEB_COMMAND = 'initlint.openRuleOnWeb';
/** Changes closer together than this are linted once. */
const DEBOUNCE_MS = 120;

/** Where a stretch of the linted code lives: a document, a notebook's cell, or a file on disk. */
interface Segment {
  uri: string;
  start: number;
  length: number;
  positionAt(local: number): Position;
  /** An open document (or cell): absent for a file read from disk. */
  doc?: TextDocument;
}

interface Result {
  /** The document's or the notebook's URI. */
  key: string;
  analysis: Analysis;
  segments: Segment[];
  /** The document's or notebook's version; absent for a file read from disk. */
  version?: number;
  /** Which lint this is (a counter): names a pulled report, which changes with the settings too. */
  lint: number;
  /** Read from disk by the workspace scan: the file's text (for the client's positions). */
  diskText?: string;
  durationMs: number;
}

function docSegment(doc: TextDocument, start: number): Segment {
  return { uri: doc.uri, start, length: doc.getText().length, positionAt: (o) => doc.positionAt(o), doc };
}

/** A file read from disk: positions from its text (a closed notebook's code mapped into the .ipynb file). */
function diskSegment(uri: string, text: string, analysis: Analysis): Segment {
  const at = filePositions(text, analysis.notebook);
  const positionAt = (o: number) => {
    const p = at(o);
    return { line: p.line, character: p.column };
  };
  return { uri, start: 0, length: analysis.notebook ? analysis.notebook.program.length : text.length, positionAt };
}

/** Starts the server on stdin/stdout; it runs until the client sends `exit`. */
export function startServer(connection: Connection = createConnection(ProposedFeatures.all, process.stdin, process.stdout)): void {
  const documents = new TextDocuments(TextDocument);
  const notebooks = new NotebookDocuments(TextDocument);
  const results = new Map<string, Result>();
  const timers = new Map<string, NodeJS.Timeout>();
  const linters = new Map<string, Linter>();
  const configs = new Map<string, { raw?: unknown; file?: string }>();
  /** Files the client's workspace scan asked for: reported from disk whenever no editor has them open. */
  const diskFiles = new Set<string>();
  let base: Linter | undefined;
  let clientSettings: unknown;
  let canConfigure = false;
  let folders: string[] = [];
  let wasmDir = __dirname;
  let client: ClientOptions = {};
  /** Settings the client sent per folder (`initlint/settings`): used instead of finding config files. */
  let managed: SettingsParams | undefined;
  /**
   * Pull diagnostics (LSP 3.17 textDocument/diagnostic), where the client supports them: open
   * documents' diagnostics are answered when asked, not pushed. Files of the workspace scan are
   * still pushed (no document to ask about).
   */
  let pull = false;
  let canRefresh = false;
  let lints = 0;
  /** The server's own workspace scan (initializationOptions.lintWorkspace), and whether the client watches files for it. */
  let lintWorkspace = false;
  let canWatch = false;

  const log = (message: string) => connection.console.log(`initlint: ${message}`);

  connection.onInitialize(async (params): Promise<InitializeResult> => {
    const options = (params.initializationOptions ?? {}) as InitializationOptions;
    clientSettings = options.settings;
    if (typeof options.wasmDir === 'string') wasmDir = options.wasmDir;
    client = options.client ?? {};
    lintWorkspace = options.lintWorkspace === true && !client.analyses;
    canWatch = !!params.capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration;
    canConfigure = !!params.capabilities.workspace?.configuration;
    // The VS Code extension reads diagnostics with the analyses it is sent: pushed, in one order.
    pull = !!params.capabilities.textDocument?.diagnostic && !client.analyses;
    canRefresh = !!params.capabilities.workspace?.diagnostics?.refreshSupport;
    folders = (params.workspaceFolders ?? []).map((f) => fsPath(f.uri)).filter((p): p is string => !!p);
    base = await createLinter({ wasmDir });
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
        notebookDocumentSync: { notebookSelector: [{ notebook: '*', cells: [{ language: 'python' }] }] },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND] },
        hoverProvider: true,
        ...(pull ? { diagnosticProvider: { identifier: 'initlint', interFileDependencies: false, workspaceDiagnostics: false } } : {}),
        ...(client.codeLens === false ? {} : { codeLensProvider: { resolveProvider: false } }),
        executeCommandProvider: { commands: [FIX_ALL_COMMAND, SHOW_COMMAND, RULE_ON_WEB_COMMAND] },
      },
      serverInfo: { name: 'initlint' },
    };
  });

  connection.onInitialized(async () => {
    if (canConfigure && !managed) await refreshSettings();
    if (!lintWorkspace) return;
    if (canWatch) {
      // Model files created, changed or deleted on disk (a checkout, another editor), and the config files.
      await connection.client.register(DidChangeWatchedFilesNotification.type, {
        watchers: [{ globPattern: `**/*.{${[...LINTED_EXTENSIONS].map((e) => e.slice(1)).join(',')}}` }, { globPattern: '**/{pyproject.toml,initlint.json}' }],
      });
    }
    await scanWorkspace();
  });

  /**
   * The server's own workspace scan: every model file of each folder, found as the CLI finds them
   * (.gitignore, the folder's `exclude`), linted from disk unless open. Reported through the
   * same push diagnostics, and kept current by the watched-file events. `onlyNew`: lint only
   * files the scan did not know (after files were created on disk).
   */
  async function scanWorkspace(onlyNew = false): Promise<void> {
    const t0 = performance.now();
    let count = 0;
    // A full scan replaces what the last one found: a file it no longer finds (excluded now) is withdrawn.
    const before = onlyNew ? undefined : new Set(diskFiles);
    if (before) diskFiles.clear();
    for (const folder of folders) {
      const found = linterFor(url.pathToFileURL(path.join(folder, 'x.py')).toString());
      const collected = collectFiles([folder], { exclude: found?.linter.settings.exclude ?? [], base: folder });
      for (const e of collected.errors) log(`workspace scan: ${e.dir}: ${e.message}`);
      const uris = collected.files.map((file) => url.pathToFileURL(file).toString()).filter((uri) => !(onlyNew && diskFiles.has(uri)));
      const { linted, skipped } = await lintDiskFiles(uris);
      for (const s of skipped) log(`workspace scan: ${fsPath(s.uri) ?? s.uri}: ${s.reason}`);
      count += linted;
    }
    for (const uri of before ?? []) if (!diskFiles.has(uri) && !isOpen(uri)) clear(uri);
    log(`workspace scan: ${count} files in ${Math.round(performance.now() - t0)} ms`);
  }

  /** A file from disk: undefined when linted, else why not. Every file is its own failure domain: a bug of ours costs this file, never the scan. */
  function tryLintFromDisk(uri: string): string | undefined {
    try {
      return lintFromDisk(uri);
    } catch (err) {
      return `initlint could not lint this file: ${(err as Error).message}`;
    }
  }

  /**
   * The workspace scan's files (the client's or the server's own), linted from disk: each known
   * from now on, the open ones left to their editors. Between every ten, the server answers what
   * else is waiting (a hover, a lint of the open file), whether or not those ten were linted.
   */
  async function lintDiskFiles(uris: readonly string[], cancelled = () => false): Promise<LintFilesResult> {
    const skipped: LintFilesResult['skipped'] = [];
    let linted = 0;
    for (const [i, uri] of uris.entries()) {
      if (cancelled()) break;
      diskFiles.add(uri);
      if (!isOpen(uri)) {
        const why = tryLintFromDisk(uri);
        if (why) skipped.push({ uri, reason: why });
        else linted++;
      }
      if (i % 10 === 9) await new Promise((resolve) => setImmediate(resolve));
    }
    return { linted, skipped };
  }

  connection.onDidChangeConfiguration(async (change) => {
    if (managed) return;
    const pushed = (change.settings as { initlint?: unknown } | undefined)?.initlint;
    if (canConfigure) await refreshSettings();
    else if (pushed !== undefined) clientSettings = pushed;
    linters.clear();
    configs.clear();
    relintAll();
  });

  connection.onNotification(settingsNotification, (params) => {
    managed = params;
    linters.clear();
    // What the scan reported is withdrawn: the client scans again with the new settings (or not
    // at all, where the workspace scan is off now).
    for (const uri of diskFiles) if (!isOpen(uri)) clear(uri);
    diskFiles.clear();
    relintAll();
  });

  async function refreshSettings(): Promise<void> {
    try {
      const [s] = await connection.workspace.getConfiguration([{ section: 'initlint' }]);
      if (s !== null && s !== undefined) clientSettings = s;
    } catch (err) {
      log(`workspace/configuration failed: ${(err as Error).message}`);
    }
  }

  /** The folder settings the client sent for a file: the innermost folder that holds it, else the fallback. */
  function managedFor(uri: string): { key: string; settings: FolderSettings; root?: string } | undefined {
    if (!managed) return undefined;
    let best: { uri: string; settings: FolderSettings } | undefined;
    for (const f of managed.folders) {
      const prefix = f.uri.endsWith('/') ? f.uri : `${f.uri}/`;
      if (uri.startsWith(prefix) && (!best || f.uri.length > best.uri.length)) best = f;
    }
    return best ? { key: best.uri, settings: best.settings, root: fsPath(best.uri) } : { key: '', settings: managed.fallback };
  }

  /**
   * The linter for a file: the settings its client sent for its folder; else its project's
   * `[tool.initlint]` (found from the file's folder up), with the client's settings over it.
   * Linters share grammars and parse caches (withSettings).
   */
  function linterFor(uri: string): { linter: Linter; relativePath?: string } | undefined {
    if (!base) return undefined;
    const file = fsPath(uri);
    const folder = managedFor(uri);
    if (folder) {
      let linter = linters.get(folder.key);
      if (!linter) {
        linter = base.withSettings(folder.settings.engine);
        linters.set(folder.key, linter);
      }
      const relativePath = file && folder.root ? path.relative(folder.root, file).split(path.sep).join('/') : undefined;
      return { linter, relativePath };
    }
    let config: { raw?: unknown; file?: string } = {};
    if (file) {
      // Found once per folder (a walk up and a TOML parse), not on every keystroke; dropped when a
      // config file changes (configChanged).
      const dir = path.dirname(file);
      let found = configs.get(dir);
      if (!found) {
        try {
          found = findConfig(dir);
        } catch (err) {
          log((err as Error).message);
          found = {};
        }
        configs.set(dir, found);
      }
      config = found;
    }
    const key = `${config.file ?? ''}\0${JSON.stringify(config.raw ?? null)}`;
    let linter = linters.get(key);
    if (!linter) {
      const fromFile = parseSettings(config.raw);
      const merged = parseSettings(clientSettings ?? undefined, fromFile.settings);
      for (const p of [...fromFile.problems.map((m) => `${config.file}: ${m}`), ...merged.problems]) log(`${p} (ignored)`);
      linter = base.withSettings(merged.settings);
      linters.set(key, linter);
    }
    // per-file-ignores globs are relative to the config file, else to the workspace folder.
    const root = config.file ? path.dirname(config.file) : folders.find((f) => file?.startsWith(f + path.sep));
    const relativePath = file && root ? path.relative(root, file).split(path.sep).join('/') : undefined;
    return { linter, relativePath };
  }

  /** Whether a document or notebook is linted on every change (else on save: the client's `run` setting). */
  function lintsOnType(uri: string): boolean {
    return managedFor(uri)?.settings.run !== 'onSave';
  }

  function isOpen(uri: string): boolean {
    return !!documents.get(uri) || !!notebooks.getNotebookDocument(uri);
  }

  // ---- linting and diagnostics ----

  function schedule(key: string, run: () => void, delay = DEBOUNCE_MS): void {
    clearTimeout(timers.get(key));
    timers.set(
      key,
      setTimeout(() => {
        timers.delete(key);
        run();
      }, delay),
    );
  }

  function lintDocument(doc: TextDocument): void {
    if (doc.uri.startsWith('vscode-notebook-cell')) return;
    const name = fsPath(doc.uri) ?? doc.uri;
    const byName = languageOf(name);
    if (!byName && !(doc.languageId in EXTENSION_OF_LANGUAGE_ID)) return;
    // An untitled buffer ("untitled:Untitled-1", its language picked by the user) is linted as its language.
    const fileName = byName ? name : `${name}${EXTENSION_OF_LANGUAGE_ID[doc.languageId]}`;
    run(doc.uri, doc.getText(), fileName, [docSegment(doc, 0)], doc.version);
  }

  function lintNotebook(nb: NotebookDocument): void {
    const cells = nb.cells.map((cell) => notebooks.getCellTextDocument(cell)).filter((d): d is TextDocument => !!d && d.languageId === 'python');
    const { program, starts } = joinCells(cells.map((d) => d.getText()));
    run(
      nb.uri,
      program,
      `${fsPath(nb.uri) ?? nb.uri}.py`,
      cells.map((doc, i) => docSegment(doc, starts[i])),
      nb.version,
    );
  }

  /** A file of the workspace scan, as it is on disk; why not, where it is not read. */
  function lintFromDisk(uri: string): string | undefined {
    const file = fsPath(uri);
    const found = linterFor(uri);
    if (!file || !found) return 'not a file on disk';
    const { linter, relativePath } = found;
    const t0 = performance.now();
    const saved = readSavedModel(file, linter.settings.maxFileSize);
    let analysis: Analysis;
    let segments: Segment[];
    let text: string | undefined;
    if (saved) {
      if ('error' in saved) return saved.error;
      // A saved model has no text to point into: every finding stands at the start of the file.
      analysis = linter.analyze(saved.text, saved.fileName, { cacheKey: false, relativePath });
      segments = [{ uri, start: 0, length: saved.text.length, positionAt: () => ({ line: 0, character: 0 }) }];
    } else {
      const source = readSource(file, linter.settings.maxFileSize);
      if (source.kind === 'error') return source.message;
      if (source.kind === 'skip') return 'not linted';
      text = source.text;
      analysis = linter.analyze(text, file, { cacheKey: false, relativePath });
      segments = [diskSegment(uri, text, analysis)];
    }
    const previous = results.get(uri);
    const result: Result = { key: uri, analysis, segments, diskText: text ?? '', durationMs: performance.now() - t0, lint: ++lints };
    results.set(uri, result);
    publish(result, previous);
    return undefined;
  }

  function run(key: string, text: string, fileName: string, segments: Segment[], version: number): void {
    const found = linterFor(key);
    if (!found) return;
    const t0 = performance.now();
    let analysis: Analysis;
    try {
      analysis = found.linter.analyze(text, fileName, { cacheKey: key, relativePath: found.relativePath });
    } catch (err) {
      // The engine reports its own errors; anything else is our bug: logged, never fatal.
      log(`linting ${key} failed: ${(err as Error).stack ?? err}`);
      return;
    }
    // Too large to lint: said once per lint. ("No model in this file" is the common case: not logged.)
    if (analysis.skipped?.includes('maxFileSize')) log(`${fileName}: ${analysis.skipped}`);
    const previous = results.get(key);
    const result: Result = { key, analysis, segments, version, durationMs: performance.now() - t0, lint: ++lints };
    results.set(key, result);
    publish(result, previous);
  }

  function publish(result: Result, previous?: Result): void {
    // The analysis first: a client that reads it when the diagnostics arrive finds it there.
    if (client.analyses) {
      const fromDisk = result.diskText !== undefined;
      const hasModels = result.analysis.models.length > 0;
      void connection.sendNotification(analysisNotification, {
        uri: result.key,
        version: result.version ?? null,
        analysis: toWire(result.analysis),
        segments: result.segments.map((s) => ({ uri: s.uri, start: s.start, length: s.length })),
        ...(fromDisk && hasModels && result.diskText ? { text: result.diskText } : {}),
        durationMs: result.durationMs,
        lint: result.lint,
      });
    }
    const byUri = new Map<string, { version?: number; list: Diagnostic[] }>();
    for (const s of previous?.segments ?? []) if (!(pull && s.doc)) byUri.set(s.uri, { list: [] });
    for (const [uri, list] of diagnosticsOf(result)) {
      const segment = result.segments.find((s) => s.uri === uri);
      // Pulled by the client when it wants them.
      if (pull && segment?.doc) byUri.delete(uri);
      else byUri.set(uri, { version: segment?.doc?.version, list });
    }
    for (const [uri, { version, list }] of byUri) void connection.sendDiagnostics({ uri, version, diagnostics: list });
  }

  /** A result's diagnostics by the URI of the document, cell or file they stand in (every segment listed). */
  function diagnosticsOf(result: Result): Map<string, Diagnostic[]> {
    const out = new Map<string, Diagnostic[]>(result.segments.map((s) => [s.uri, []]));
    for (const f of result.analysis.findings) {
      const where = rangeOf(result.segments, f.start, f.end);
      if (where) out.get(where.uri)?.push(diagnosticOf(result, f, where.range));
    }
    return out;
  }

  /** Lints a document or notebook now if its result is older than its text (a pull before the debounced lint). */
  function fresh(uri: string): Result | undefined {
    const doc = documents.get(uri);
    const nb = doc ? undefined : (notebooks.getNotebookDocument(uri) ?? notebooks.findNotebookDocumentForCell(uri));
    const key = doc?.uri ?? nb?.uri;
    const version = doc?.version ?? nb?.version;
    if (key && results.get(key)?.version !== version) {
      clearTimeout(timers.get(key));
      timers.delete(key);
      if (doc) lintDocument(doc);
      else if (nb) lintNotebook(nb);
    }
    return resultFor(uri);
  }

  connection.languages.diagnostics.on((params) => {
    const uri = params.textDocument.uri;
    const result = fresh(uri);
    // The lint names what the report says: unchanged while neither the text nor the settings change.
    const resultId = result ? String(result.lint) : 'none';
    if (params.previousResultId === resultId) return { kind: 'unchanged', resultId };
    return { kind: 'full', resultId, items: (result && diagnosticsOf(result).get(uri)) ?? [] };
  });

  function clear(key: string): void {
    clearTimeout(timers.get(key));
    timers.delete(key);
    const r = results.get(key);
    results.delete(key);
    base?.forget(key);
    for (const s of r?.segments ?? []) if (!(pull && s.doc)) void connection.sendDiagnostics({ uri: s.uri, diagnostics: [] });
    if (r && client.analyses)
      void connection.sendNotification(analysisNotification, { uri: key, version: null, analysis: null, segments: [], durationMs: 0, lint: r.lint });
  }

  /** A closed editor's file: reported as it is on disk where the scan covers it, else withdrawn. */
  function closed(key: string): void {
    clear(key);
    if (diskFiles.has(key)) lintFromDisk(key);
  }

  function relintAll(): void {
    // The server's own scan reads the closed files again with the new settings (its `exclude` may
    // have changed too); the VS Code client rescans on its side.
    if (lintWorkspace) schedule('initlint:rescan', () => void scanWorkspace(), 300);
    for (const doc of documents.all()) lintDocument(doc);
    for (const r of [...results.values()]) {
      const nb = notebooks.getNotebookDocument(r.key);
      if (nb) lintNotebook(nb);
    }
    // New settings: a pulling client asks again.
    if (pull && canRefresh) void connection.languages.diagnostics.refresh();
  }

  /** The result a document's or cell's URI belongs to. */
  function resultFor(uri: string): Result | undefined {
    const direct = results.get(uri);
    if (direct) return direct;
    for (const r of results.values()) if (r.segments.some((s) => s.uri === uri)) return r;
    return undefined;
  }

  /** A pyproject.toml or initlint.json changed (saved in the client, or on disk): settings are read again. */
  function configChanged(uri: string): void {
    // A client that sends settings reads the config files itself, and sends them again.
    if (managed || !/(?:^|\/)(?:pyproject\.toml|initlint\.json)$/.test(uri)) return;
    configs.clear();
    linters.clear();
    relintAll();
  }
  documents.onDidSave((e) => {
    configChanged(e.document.uri);
    if (!lintsOnType(e.document.uri)) lintDocument(e.document);
  });
  connection.onDidChangeWatchedFiles((e) => {
    for (const c of e.changes) {
      configChanged(c.uri);
      if (!lintWorkspace || isOpen(c.uri)) continue;
      const file = fsPath(c.uri);
      if (!file || !LINTED_EXTENSIONS.has(path.extname(file).toLowerCase()) || !folders.some((f) => file.startsWith(f + path.sep))) continue;
      if (c.type === FileChangeType.Deleted) {
        diskFiles.delete(c.uri);
        clear(c.uri);
        continue;
      }
      // New files count where the walk would find them (not ignored, not excluded): one walk of
      // the folders after a burst of creations (a checkout creates hundreds), not one per file.
      if (!diskFiles.has(c.uri)) {
        if (c.type === FileChangeType.Created) schedule('initlint:rescan', () => void scanWorkspace(true), 300);
        continue;
      }
      const why = tryLintFromDisk(c.uri);
      if (why) log(`${file}: ${why}`);
    }
  });

  documents.onDidOpen((e) => lintDocument(e.document));
  documents.onDidChangeContent((e) => {
    if (!lintsOnType(e.document.uri)) return;
    schedule(e.document.uri, () => {
      const doc = documents.get(e.document.uri);
      if (doc) lintDocument(doc);
    });
  });
  documents.onDidClose((e) => closed(e.document.uri));
  notebooks.onDidOpen((nb) => lintNotebook(nb));
  notebooks.onDidChange((e) => {
    if (!lintsOnType(e.notebookDocument.uri)) return;
    schedule(e.notebookDocument.uri, () => {
      const nb = notebooks.getNotebookDocument(e.notebookDocument.uri);
      if (nb) lintNotebook(nb);
    });
  });
  notebooks.onDidSave((nb) => {
    if (!lintsOnType(nb.uri)) lintNotebook(nb);
  });
  notebooks.onDidClose((nb) => closed(nb.uri));

  // ---- the workspace scan: files the client found, linted from disk ----

  connection.onRequest(lintFilesRequest, (params, token) => lintDiskFiles(params.uris, () => token.isCancellationRequested));
  connection.onRequest(rewritesRequest, (params) => {
    const result = results.get(params.uri);
    const model = result?.lint === params.lint ? result.analysis.models[params.model] : undefined;
    return model ? rewritesToWire(model) : null;
  });
  connection.onRequest(fixesRequest, (params) => {
    const result = results.get(params.uri);
    if (result?.lint !== params.lint) return null;
    // Edited since, and not yet linted again (the debounce): the offsets are the old text's.
    const now = documents.get(params.uri)?.version ?? notebooks.getNotebookDocument(params.uri)?.version;
    if (result.version !== undefined && now !== undefined && now !== result.version) return null;
    const all = result.analysis.findings;
    const asked = params.findings ? params.findings.flatMap((i) => all[i] ?? []) : all;
    return editOf(result, asked) ?? null;
  });

  connection.onNotification(forgetFilesNotification, (params) => {
    for (const uri of params.uris) {
      diskFiles.delete(uri);
      if (!isOpen(uri)) clear(uri);
    }
  });

  // ---- code actions ----

  connection.onCodeAction((params) => codeActions(params));

  function codeActions(params: CodeActionParams): CodeAction[] {
    const uri = params.textDocument.uri;
    // Linted now if edited since (the debounce): the last result's offsets are the old text's,
    // and its edits would land in the wrong places (fix-all on save, typed within 120 ms).
    const result = fresh(uri);
    if (!result) return [];
    const only = params.context.only;
    const onlyFixAll = !!only && only.some((k) => FIX_ALL_KIND.startsWith(k) && k !== '' && k !== CodeActionKind.QuickFix);
    const out: CodeAction[] = [];
    const doc = result.segments.find((s) => s.uri === uri)?.doc;
    const isJson = /\.json$/i.test(result.analysis.file);
    const ours = params.context.diagnostics.filter((d) => d.source === 'initlint');
    if (!onlyFixAll && doc) {
      for (const d of ours) {
        const finding = findingFor(result, uri, d);
        if (!finding) continue;
        const edit = finding.fix ? editOf(result, [finding]) : undefined;
        if (edit) out.push({ title: finding.fix!.title, kind: CodeActionKind.QuickFix, diagnostics: [d], isPreferred: true, edit });
        const shared = !edit ? sharedInitOf(finding) : undefined;
        const sharedAt = shared && rangeOf(result.segments, shared.start, shared.end);
        if (shared && sharedAt) {
          // No per-layer edit: the layer is initialized by a call that also initializes layers wanting another initializer.
          const title = shared.title;
          out.push({
            title,
            kind: CodeActionKind.QuickFix,
            diagnostics: [d],
            command: { title, command: SHOW_COMMAND, arguments: [sharedAt.uri, sharedAt.range] },
          });
        }
        // JSON has no comments: a directive would make the config invalid (model_from_json rejects
        // it); per-file-ignores in the project's config instead.
        if (!isJson) out.push(disableLine(doc, d, finding.code), disableFile(doc, d, finding.code));
        else {
          const ignore = ignoreInConfig(uri, d, finding.code);
          if (ignore) out.push(ignore);
        }
        out.push(...docsActions(d, finding.code));
      }
    }
    const fixable = result.analysis.findings.filter((f) => f.fix);
    // As a quick fix only beside an initlint problem (no lightbulb on every line); as a source action when asked.
    if (fixable.length > 0 && (onlyFixAll || ours.length > 0)) {
      const edit = editOf(result, fixable);
      if (edit) {
        out.push({
          title: onlyFixAll ? 'Fix all initlint problems' : 'Fix all initlint problems in this file',
          kind: onlyFixAll ? FIX_ALL_KIND : CodeActionKind.QuickFix,
          edit,
        });
        // The source action too where asked for everything: a request for quick fixes alone must not get one back.
        if (!onlyFixAll && (!only || only.some((k) => FIX_ALL_KIND.startsWith(k) && k !== '')))
          out.push({ title: 'Fix all initlint problems', kind: FIX_ALL_KIND, edit });
      }
    }
    return out;
  }

  /** The rule's documentation: the client's own view of it where it has one, and the web page. */
  function docsActions(d: Diagnostic, code: RuleCode): CodeAction[] {
    const out: CodeAction[] = [];
    const show = client.commands?.showRuleDocs;
    if (show) {
      const title = `Show documentation for ${code}`;
      out.push({ title, kind: CodeActionKind.QuickFix, diagnostics: [d], command: { title, command: show, arguments: [code] } });
    }
    const title = `Open ${code} on the web`;
    out.push({ title, kind: CodeActionKind.QuickFix, diagnostics: [d], command: { title, command: RULE_ON_WEB_COMMAND, arguments: [code] } });
    return out;
  }

  /** The comment syntax of a document: Python's for Python files, notebooks and their cells; JavaScript's otherwise. */
  function languageOfDoc(doc: TextDocument): 'python' | 'javascript' {
    const byName = languageOf(fsPath(doc.uri) ?? doc.uri);
    return doc.languageId === 'python' || byName === 'python' || byName === 'notebook' || doc.uri.startsWith('vscode-notebook-cell') ? 'python' : 'javascript';
  }

  function disableLine(doc: TextDocument, d: Diagnostic, code: RuleCode): CodeAction {
    const line = d.range.start.line;
    // The document clamps a character past the line's end to just before its line break.
    const end = doc.positionAt(doc.offsetAt({ line, character: Number.MAX_SAFE_INTEGER }));
    const text = doc.getText({ start: { line, character: 0 }, end });
    return {
      title: `Disable ${code} for this line`,
      kind: CodeActionKind.QuickFix,
      diagnostics: [d],
      edit: { changes: { [doc.uri]: [{ range: { start: end, end }, newText: lineSuppressionText(text, code, languageOfDoc(doc)) }] } },
    };
  }

  function disableFile(doc: TextDocument, d: Diagnostic, code: RuleCode): CodeAction {
    const at = { line: fileSuppressionLine(doc.getText()), character: 0 };
    return {
      title: `Disable ${code} for this file`,
      kind: CodeActionKind.QuickFix,
      diagnostics: [d],
      edit: { changes: { [doc.uri]: [{ range: { start: at, end: at }, newText: `${fileSuppressionComment(code, languageOfDoc(doc))}\n` }] } },
    };
  }

  /**
   * A JSON config has no comments: "Disable IL00x for this file" adds a per-file-ignores entry to
   * the project's config (the nearest pyproject.toml or initlint.json with initlint settings,
   * else a pyproject.toml beside the file, else a new initlint.json there). A client with its own
   * command for it (the VS Code extension, which falls back to the folder's settings) gets that.
   */
  function ignoreInConfig(uri: string, d: Diagnostic, code: RuleCode): CodeAction | undefined {
    const title = `Disable ${code} for this file (per-file-ignores)`;
    const own = client.commands?.ignoreInFile;
    if (own) return { title, kind: CodeActionKind.QuickFix, diagnostics: [d], command: { title, command: own, arguments: [uri, code] } };
    const file = fsPath(uri);
    if (!file) return undefined;
    // Inside the workspace folder that holds the file, else the file's own folder.
    const root = folders.find((f) => file.startsWith(f + path.sep)) ?? path.dirname(file);
    const place = perFileIgnoreTarget(root, path.dirname(file), file);
    if (!place) return undefined;
    const { config, kind, glob } = place;
    const exists = fs.existsSync(config);
    let before: string;
    try {
      before = exists ? fs.readFileSync(config, 'utf8') : '';
    } catch {
      return undefined;
    }
    const text = addPerFileIgnore(before, kind, glob, code);
    if (text === undefined || text === before) return undefined;
    const target = url.pathToFileURL(config).toString();
    const lines = before.split('\n');
    const end = { line: lines.length - 1, character: lines[lines.length - 1].length };
    const edit: WorkspaceEdit = exists
      ? { changes: { [target]: [{ range: { start: { line: 0, character: 0 }, end }, newText: text }] } }
      : {
          documentChanges: [
            { kind: 'create', uri: target },
            {
              textDocument: { uri: target, version: null },
              edits: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: text }],
            },
          ],
        };
    return { title: `Disable ${code} for this file (per-file-ignores in ${path.basename(config)})`, kind: CodeActionKind.QuickFix, diagnostics: [d], edit };
  }

  connection.onExecuteCommand(async (params) => {
    if (params.command === SHOW_COMMAND) {
      const [target, range] = params.arguments ?? [];
      if (typeof target === 'string' && range) await connection.window.showDocument({ uri: target, selection: range as Range, takeFocus: true });
      return;
    }
    if (params.command === RULE_ON_WEB_COMMAND) {
      const [code] = params.arguments ?? [];
      await connection.window.showDocument({
        uri: typeof code === 'string' && /^IL\d{3}$/.test(code) ? ruleDocUrl(code as RuleCode) : RULES_DOC_URL,
        external: true,
      });
      return;
    }
    if (params.command !== FIX_ALL_COMMAND) return;
    const uri = params.arguments?.[0];
    const result = typeof uri === 'string' ? fresh(uri) : undefined;
    const edit =
      result &&
      editOf(
        result,
        result.analysis.findings.filter((f) => f.fix),
      );
    if (edit) await connection.workspace.applyEdit({ label: 'Fix all initlint problems', edit });
  });

  // ---- hover and code lens ----

  connection.onHover((params): Hover | undefined => {
    const result = fresh(params.textDocument.uri);
    const segment = result?.segments.find((s) => s.uri === params.textDocument.uri);
    if (!result || !segment?.doc) return undefined;
    const at = layerAt(result.analysis.models, segment.start + segment.doc.offsetAt(params.position));
    if (!at) return undefined;
    const value = `${explanationMarkdown(at.layer, explainLayer(at.model, at.layer))}\n\n*${at.model.name}* · [initlint rules](${RULES_DOC_URL})`;
    return { contents: { kind: 'markdown', value } };
  });

  connection.onCodeLens((params): CodeLens[] => {
    const result = fresh(params.textDocument.uri);
    if (!result) return [];
    const lenses: CodeLens[] = [];
    for (const model of result.analysis.models) {
      const where = rangeOf(result.segments, model.span.start, model.span.start);
      if (!where || where.uri !== params.textDocument.uri) continue;
      // A title only: the command is the client's to choose (the VS Code extension opens its panel).
      lenses.push({ range: where.range, command: { title: modelSummary(model, result.analysis.findings), command: '' } });
    }
    return lenses;
  });

  connection.onShutdown(() => {
    for (const t of timers.values()) clearTimeout(t);
    timers.clear();
  });

  documents.listen(connection);
  notebooks.listen(connection);
  connection.listen();
}

// ---- positions ----

function rangeOf(segments: readonly Segment[], start: number, end: number): { uri: string; range: Range } | undefined {
  for (const s of segments) {
    if (start < s.start || start > s.start + s.length) continue;
    const localEnd = Math.min(Math.max(end - s.start, start - s.start), s.length);
    return { uri: s.uri, range: { start: s.positionAt(start - s.start), end: s.positionAt(localEnd) } };
  }
  return undefined;
}

function diagnosticOf(result: Result, f: Finding, range: Range): Diagnostic {
  const severity = f.severity === 'error' ? DiagnosticSeverity.Error : f.severity === 'warning' ? DiagnosticSeverity.Warning : DiagnosticSeverity.Information;
  const relatedInformation = f.related.flatMap((r) => {
    const where = rangeOf(result.segments, r.start, r.end);
    return where ? [{ location: { uri: where.uri, range: where.range }, message: r.message }] : [];
  });
  return {
    range,
    severity,
    source: 'initlint',
    code: f.code,
    codeDescription: { href: ruleDocUrl(f.code) },
    message: f.message,
    ...(relatedInformation.length ? { relatedInformation } : {}),
  };
}

/** The finding a diagnostic shows: same code, same range. */
function findingFor(result: Result, uri: string, d: Diagnostic): Finding | undefined {
  return result.analysis.findings.find((f) => {
    if (f.code !== d.code) return false;
    const where = rangeOf(result.segments, f.start, f.end);
    return !!where && where.uri === uri && sameRange(where.range, d.range);
  });
}

function sameRange(a: Range, b: Range): boolean {
  return a.start.line === b.start.line && a.start.character === b.start.character && a.end.line === b.end.line && a.end.character === b.end.character;
}

/** One workspace edit for the fixes that can be applied together (one undo step in the client). */
function editOf(result: Result, findings: Finding[]): WorkspaceEdit | undefined {
  const chosen = selectFixes(findings);
  if (chosen.length === 0) return undefined;
  const changes: Record<string, TextEdit[]> = {};
  for (const e of chosen.flatMap((f) => f.fix!.edits)) {
    const where = rangeOf(result.segments, e.start, e.end);
    if (where) (changes[where.uri] ??= []).push({ range: where.range, newText: e.newText });
  }
  return Object.keys(changes).length ? { changes } : undefined;
}

function fsPath(uri: string): string | undefined {
  try {
    return uri.startsWith('file:') ? url.fileURLToPath(uri) : undefined;
  } catch {
    return undefined;
  }
}
