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
  type Range,
  type TextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { createLinter, type Analysis, type Finding, type Linter } from '../engine/linter';
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

export const FIX_ALL_KIND = `${CodeActionKind.SourceFixAll}.initlint`;
/** The command behind "Fix all initlint problems" for clients that run commands: arguments [uri]. */
export const FIX_ALL_COMMAND = 'initlint.applyFixAll';
/** Shows a location in the client (window/showDocument): arguments [uri, range]. */
export const SHOW_COMMAND = 'initlint.show';
/** Changes closer together than this are linted once. */
const DEBOUNCE_MS = 120;

/** Where a stretch of the linted code lives: a document, or a notebook's cell. */
interface Segment {
  uri: string;
  start: number;
  doc: TextDocument;
}

interface Result {
  /** The document's or the notebook's URI. */
  key: string;
  analysis: Analysis;
  segments: Segment[];
}

const LANGUAGES = new Set(['python', 'javascript', 'typescript', 'javascriptreact', 'typescriptreact', 'json', 'jsonc']);

/** Starts the server on stdin/stdout; it runs until the client sends `exit`. */
export function startServer(connection: Connection = createConnection(ProposedFeatures.all, process.stdin, process.stdout)): void {
  const documents = new TextDocuments(TextDocument);
  const notebooks = new NotebookDocuments(TextDocument);
  const results = new Map<string, Result>();
  const timers = new Map<string, NodeJS.Timeout>();
  const linters = new Map<string, Linter>();
  const configs = new Map<string, { raw?: unknown; file?: string }>();
  let base: Linter | undefined;
  let clientSettings: unknown;
  let canConfigure = false;
  let folders: string[] = [];
  let wasmDir = __dirname;

  const log = (message: string) => connection.console.log(`initlint: ${message}`);

  connection.onInitialize(async (params): Promise<InitializeResult> => {
    const options = (params.initializationOptions ?? {}) as { settings?: unknown; wasmDir?: string };
    clientSettings = options.settings;
    if (typeof options.wasmDir === 'string') wasmDir = options.wasmDir;
    canConfigure = !!params.capabilities.workspace?.configuration;
    folders = (params.workspaceFolders ?? []).map((f) => fsPath(f.uri)).filter((p): p is string => !!p);
    base = await createLinter({ wasmDir });
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
        notebookDocumentSync: { notebookSelector: [{ notebook: '*', cells: [{ language: 'python' }] }] },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND] },
        hoverProvider: true,
        codeLensProvider: { resolveProvider: false },
        executeCommandProvider: { commands: [FIX_ALL_COMMAND, SHOW_COMMAND] },
      },
      serverInfo: { name: 'initlint' },
    };
  });

  connection.onInitialized(async () => {
    if (canConfigure) await refreshSettings();
  });

  connection.onDidChangeConfiguration(async (change) => {
    const pushed = (change.settings as { initlint?: unknown } | undefined)?.initlint;
    if (canConfigure) await refreshSettings();
    else if (pushed !== undefined) clientSettings = pushed;
    linters.clear();
    configs.clear();
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

  /**
   * The linter for a file: its project's `[tool.initlint]` (found from the file's folder up),
   * with the client's settings over it. Linters share grammars and parse caches (withSettings).
   */
  function linterFor(uri: string): { linter: Linter; relativePath?: string } | undefined {
    if (!base) return undefined;
    const file = fsPath(uri);
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
    if (!LANGUAGES.has(doc.languageId) && !/\.(py|pyi|m?[jt]sx?|c[jt]s|json)$/i.test(doc.uri)) return;
    const fileName = fsPath(doc.uri) ?? doc.uri;
    run(doc.uri, doc.getText(), fileName, [{ uri: doc.uri, start: 0, doc }]);
  }

  function lintNotebook(nb: NotebookDocument): void {
    const cells = nb.cells.map((cell) => notebooks.getCellTextDocument(cell)).filter((d): d is TextDocument => !!d && d.languageId === 'python');
    const { program, starts } = joinCells(cells.map((d) => d.getText()));
    const segments = cells.map((doc, i) => ({ uri: doc.uri, start: starts[i], doc }));
    run(nb.uri, program, `${fsPath(nb.uri) ?? nb.uri}.py`, segments);
  }

  function run(key: string, text: string, fileName: string, segments: Segment[]): void {
    const found = linterFor(key);
    if (!found) return;
    let analysis: Analysis;
    try {
      analysis = found.linter.analyze(text, fileName, { cacheKey: key, relativePath: found.relativePath });
    } catch (err) {
      // The engine reports its own errors; anything else is our bug: logged, never fatal.
      log(`linting ${key} failed: ${(err as Error).stack ?? err}`);
      return;
    }
    if (analysis.skipped) log(`${fileName}: ${analysis.skipped}`);
    const previous = results.get(key);
    const result: Result = { key, analysis, segments };
    results.set(key, result);
    publish(result, previous);
  }

  function publish(result: Result, previous?: Result): void {
    const byUri = new Map<string, { version?: number; list: Diagnostic[] }>();
    for (const s of previous?.segments ?? []) byUri.set(s.uri, { list: [] });
    for (const s of result.segments) byUri.set(s.uri, { version: s.doc.version, list: [] });
    for (const f of result.analysis.findings) {
      const where = rangeOf(result.segments, f.start, f.end);
      if (!where) continue;
      byUri.get(where.uri)?.list.push(diagnosticOf(result, f, where.range));
    }
    for (const [uri, { version, list }] of byUri) void connection.sendDiagnostics({ uri, version, diagnostics: list });
  }

  function clear(key: string): void {
    clearTimeout(timers.get(key));
    timers.delete(key);
    const r = results.get(key);
    results.delete(key);
    base?.forget(key);
    for (const s of r?.segments ?? []) void connection.sendDiagnostics({ uri: s.uri, diagnostics: [] });
  }

  function relintAll(): void {
    for (const doc of documents.all()) lintDocument(doc);
    for (const r of [...results.values()]) {
      const nb = notebooks.getNotebookDocument(r.key);
      if (nb) lintNotebook(nb);
    }
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
    if (!/(?:^|\/)(?:pyproject\.toml|initlint\.json)$/.test(uri)) return;
    configs.clear();
    linters.clear();
    relintAll();
  }
  documents.onDidSave((e) => configChanged(e.document.uri));
  connection.onDidChangeWatchedFiles((e) => e.changes.forEach((c) => configChanged(c.uri)));

  documents.onDidOpen((e) => lintDocument(e.document));
  documents.onDidChangeContent((e) =>
    schedule(e.document.uri, () => {
      const doc = documents.get(e.document.uri);
      if (doc) lintDocument(doc);
    }),
  );
  documents.onDidClose((e) => clear(e.document.uri));
  notebooks.onDidOpen((nb) => lintNotebook(nb));
  notebooks.onDidChange((e) =>
    schedule(e.notebookDocument.uri, () => {
      const nb = notebooks.getNotebookDocument(e.notebookDocument.uri);
      if (nb) lintNotebook(nb);
    }),
  );
  notebooks.onDidClose((nb) => clear(nb.uri));

  // ---- code actions ----

  connection.onCodeAction((params) => codeActions(params));

  function codeActions(params: CodeActionParams): CodeAction[] {
    const uri = params.textDocument.uri;
    const result = resultFor(uri);
    if (!result) return [];
    const only = params.context.only;
    const onlyFixAll = !!only && only.some((k) => FIX_ALL_KIND.startsWith(k) && k !== '' && k !== CodeActionKind.QuickFix);
    const out: CodeAction[] = [];
    const segment = result.segments.find((s) => s.uri === uri);
    const isJson = /\.json$/i.test(result.analysis.file);
    const ours = params.context.diagnostics.filter((d) => d.source === 'initlint');
    if (!onlyFixAll && segment) {
      for (const d of ours) {
        const finding = findingFor(result, uri, d);
        if (!finding) continue;
        const edit = finding.fix ? editOf(result, [finding]) : undefined;
        if (edit) out.push({ title: finding.fix!.title, kind: CodeActionKind.QuickFix, diagnostics: [d], isPreferred: true, edit });
        const shared = !edit ? sharedInitOf(finding) : undefined;
        const sharedAt = shared && rangeOf(result.segments, shared.start, shared.end);
        if (shared && sharedAt) {
          const title = shared.title;
          out.push({
            title,
            kind: CodeActionKind.QuickFix,
            diagnostics: [d],
            command: { title, command: SHOW_COMMAND, arguments: [sharedAt.uri, sharedAt.range] },
          });
        }
        // JSON has no comments: a directive would make the config invalid; per-file-ignores in the project's config instead.
        if (!isJson) out.push(disableLine(segment.doc, d, finding.code), disableFile(segment.doc, d, finding.code));
        else {
          const ignore = ignoreInConfig(uri, d, finding.code);
          if (ignore) out.push(ignore);
        }
      }
    }
    const fixable = result.analysis.findings.filter((f) => f.fix);
    // As a quick fix only beside an initlint problem (no lightbulb on every line); as a source action when asked.
    if (fixable.length > 0 && (onlyFixAll || ours.length > 0)) {
      const edit = editOf(result, fixable);
      if (edit) out.push({ title: 'Fix all initlint problems', kind: onlyFixAll ? FIX_ALL_KIND : CodeActionKind.QuickFix, edit });
    }
    return out;
  }

  function languageOfDoc(doc: TextDocument): 'python' | 'javascript' {
    return doc.languageId === 'python' || /\.(py|pyi|ipynb)$/i.test(doc.uri) || doc.uri.startsWith('vscode-notebook-cell') ? 'python' : 'javascript';
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
   * else a pyproject.toml beside the file, else a new initlint.json there), as the extension does.
   */
  function ignoreInConfig(uri: string, d: Diagnostic, code: RuleCode): CodeAction | undefined {
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
    if (params.command !== FIX_ALL_COMMAND) return;
    const uri = params.arguments?.[0];
    const result = typeof uri === 'string' ? resultFor(uri) : undefined;
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
    const result = resultFor(params.textDocument.uri);
    const segment = result?.segments.find((s) => s.uri === params.textDocument.uri);
    if (!result || !segment) return undefined;
    const at = layerAt(result.analysis.models, segment.start + segment.doc.offsetAt(params.position));
    if (!at) return undefined;
    const value = `${explanationMarkdown(at.layer, explainLayer(at.model, at.layer))}\n\n*${at.model.name}* · [initlint rules](${RULES_DOC_URL})`;
    return { contents: { kind: 'markdown', value } };
  });

  connection.onCodeLens((params): CodeLens[] => {
    const result = resultFor(params.textDocument.uri);
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
    const length = s.doc.getText().length;
    if (start < s.start || start > s.start + length) continue;
    const localEnd = Math.min(Math.max(end - s.start, start - s.start), length);
    return { uri: s.uri, range: { start: s.doc.positionAt(start - s.start), end: s.doc.positionAt(localEnd) } };
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
