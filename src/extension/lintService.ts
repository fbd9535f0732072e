/**
 * Lints documents and notebooks for the editor: debounced per document (a burst of edits
 * leaves at most one pending lint), one DiagnosticCollection, and the last analysis of each
 * file kept for hovers, code actions, code lenses, the tree view and the status item.
 * Notebook code cells are joined in order and linted as one program; each finding lands on
 * its cell.
 */
import * as vscode from 'vscode';
import { createLinter, languageOf, type Analysis, type Finding, type Linter } from '../engine/linter';
import { LineIndex } from '../engine/text';
import { fileOffset, joinCells } from '../engine/notebook';
import { ruleDocUrl } from '../engine/docs';
import type { Settings } from '../engine/settings';

/** Where a stretch of the linted code lives: a text document, a notebook cell, or a file on disk. */
export interface Segment {
  uri: vscode.Uri;
  start: number;
  length: number;
  positionAt(offset: number): vscode.Position;
}

export interface FileResult {
  /** The document, notebook or file this result is for. */
  uri: vscode.Uri;
  analysis: Analysis;
  segments: Segment[];
  version: number;
  durationMs: number;
  /** Linted from disk by the workspace scan, not from an open editor. */
  fromDisk: boolean;
}

export const LINTED_LANGUAGES = new Set(['python', 'javascript', 'typescript', 'javascriptreact', 'typescriptreact', 'json', 'jsonc']);
const SLOW_LINT_MS = 200;
const EXTENSION_OF_LANGUAGE: Record<string, string> = {
  python: '.py',
  javascript: '.js',
  javascriptreact: '.jsx',
  typescript: '.ts',
  typescriptreact: '.tsx',
  json: '.json',
  jsonc: '.json',
};

function segmentOf(doc: vscode.TextDocument, start: number): Segment {
  return { uri: doc.uri, start, length: doc.getText().length, positionAt: (o) => doc.positionAt(o) };
}

function diskSegment(uri: vscode.Uri, text: string): Segment {
  const lines = new LineIndex(text);
  return {
    uri,
    start: 0,
    length: text.length,
    positionAt: (o) => {
      const p = lines.position(o);
      return new vscode.Position(p.line, p.column);
    },
  };
}

/** The segment holding an offset of the linted code, and the offset inside it. */
export function locate(segments: Segment[], offset: number): { segment: Segment; local: number } | undefined {
  for (const s of segments) if (offset >= s.start && offset <= s.start + s.length) return { segment: s, local: offset - s.start };
  return undefined;
}

export function rangeOf(segments: Segment[], start: number, end: number): { uri: vscode.Uri; range: vscode.Range } | undefined {
  const a = locate(segments, start);
  const b = locate(segments, end);
  if (!a) return undefined;
  const endPos = b && b.segment === a.segment ? a.segment.positionAt(b.local) : a.segment.positionAt(a.segment.length);
  return { uri: a.segment.uri, range: new vscode.Range(a.segment.positionAt(a.local), endPos) };
}

export class LintService implements vscode.Disposable {
  /** Loads the grammars once; the linters of the folders share them and its parse cache. */
  private base?: Promise<Linter>;
  /** The linter for files outside every folder (all linters share one parse cache, so `forget` goes through it). */
  private linter?: Linter;
  /** Each workspace folder's own linter, keyed by the folder's URI. */
  private folderLinters = new Map<string, Linter>();
  private readonly results = new Map<string, FileResult>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly changed = new vscode.EventEmitter<FileResult | undefined>();
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly diagnostics: vscode.DiagnosticCollection,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /** Lint with these settings from now on: `fallback` outside every folder, `byFolder` inside one. */
  async configure(fallback: Settings, byFolder: ReadonlyMap<string, Settings> = new Map()): Promise<void> {
    this.base ??= createLinter();
    let base: Linter;
    try {
      base = await this.base;
    } catch (err) {
      // Loading the grammars failed: try again on the next configure, not never.
      this.base = undefined;
      throw err;
    }
    this.linter = base.withSettings(fallback);
    this.folderLinters = new Map([...byFolder].map(([folder, settings]) => [folder, base.withSettings(settings)]));
  }

  /** The settings a file is linted with (its folder's). */
  settingsFor(uri: vscode.Uri): Settings | undefined {
    return this.linterFor(uri)?.settings;
  }

  private linterFor(uri: vscode.Uri): Linter | undefined {
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    return (folder && this.folderLinters.get(folder.uri.toString())) ?? this.linter;
  }

  get all(): FileResult[] {
    return [...this.results.values()];
  }

  resultFor(uri: vscode.Uri): FileResult | undefined {
    const direct = this.results.get(uri.toString());
    if (direct) return direct;
    // A notebook cell: its notebook's result.
    for (const r of this.results.values()) if (r.segments.some((s) => s.uri.toString() === uri.toString())) return r;
    return undefined;
  }

  /** Lint after `delay` ms; a newer request for the same key replaces the pending one. */
  schedule(key: string, delay: number, run: () => void): void {
    clearTimeout(this.timers.get(key));
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        run();
      }, delay),
    );
  }

  lintDocument(doc: vscode.TextDocument): FileResult | undefined {
    if (doc.uri.scheme === 'vscode-notebook-cell' || !this.isCandidate(doc)) return undefined;
    // An untitled buffer ("Untitled-1", its language picked by the user) is linted as its language.
    const name = doc.uri.fsPath || doc.uri.path;
    const fileName = languageOf(name) ? name : `${name}${EXTENSION_OF_LANGUAGE[doc.languageId] ?? ''}`;
    return this.run(doc.uri, doc.getText(), fileName, [segmentOf(doc, 0)], doc.version, doc.uri.toString());
  }

  lintNotebook(nb: vscode.NotebookDocument): FileResult | undefined {
    if (nb.notebookType !== 'jupyter-notebook') return undefined;
    const cells = nb.getCells().filter((cell) => cell.kind === vscode.NotebookCellKind.Code && cell.document.languageId === 'python');
    // Linted as the Python program the cells make (magics blanked); findings are mapped back to their cells.
    const { program, starts } = joinCells(cells.map((cell) => cell.document.getText()));
    const segments = cells.map((cell, i) => segmentOf(cell.document, starts[i]));
    return this.run(nb.uri, program, `${nb.uri.fsPath || nb.uri.path}.py`, segments, nb.version, nb.uri.toString());
  }

  /** A file the workspace scan read from disk: parsed from scratch, and no tree kept (nobody is editing it). */
  lintText(uri: vscode.Uri, text: string): FileResult | undefined {
    // A closed notebook: findings (in its joined code, from the analysis' own read of the
    // notebook) stand where that code is in the .ipynb file.
    return this.run(
      uri,
      text,
      uri.fsPath,
      (analysis) => {
        const doc = analysis.notebook;
        if (!doc) return [diskSegment(uri, text)];
        const lines = new LineIndex(text);
        return [
          {
            uri,
            start: 0,
            length: doc.program.length,
            positionAt: (o) => {
              const p = lines.position(fileOffset(doc, text, o));
              return new vscode.Position(p.line, p.column);
            },
          },
        ];
      },
      0,
      false,
    );
  }

  /**
   * A saved model the workspace scan read (`.keras`, `.h5`): its config is judged and every
   * finding stands at the start of the file, without fixes (as on the command line).
   */
  lintSavedModel(uri: vscode.Uri, config: string, part: string): FileResult | undefined {
    const segment: Segment = { uri, start: 0, length: config.length, positionAt: () => new vscode.Position(0, 0) };
    return this.run(uri, config, `${uri.fsPath}/${part}.json`, [segment], 0, false);
  }

  private isCandidate(doc: vscode.TextDocument): boolean {
    return LINTED_LANGUAGES.has(doc.languageId) || /\.(py|js|mjs|cjs|ts|mts|cts|json)$/i.test(doc.uri.path);
  }

  /**
   * `cacheKey`: the document's URI, so two documents of one path (a file and its diff view) do
   * not trade one parse cache; false for a file read from disk.
   */
  /** `segments`: where the linted text lives, or how to tell from its analysis (a notebook read from disk). */
  private run(
    uri: vscode.Uri,
    text: string,
    fileName: string,
    segmentsOf: Segment[] | ((analysis: Analysis) => Segment[]),
    version: number,
    cacheKey: string | false,
  ): FileResult | undefined {
    const fromDisk = cacheKey === false;
    const linter = this.linterFor(uri);
    if (!linter) return undefined;
    const t0 = performance.now();
    let analysis: Analysis;
    try {
      // per-file-ignores globs are relative to the file's workspace folder, as `exclude`.
      analysis = linter.analyze(text, fileName, {
        cacheKey,
        relativePath: vscode.workspace.getWorkspaceFolder(uri) ? vscode.workspace.asRelativePath(uri, false) : undefined,
      });
    } catch (err) {
      // The engine reports its own errors; anything else is our bug: log it, never throw into the host.
      this.log.error(`linting ${uri.toString()} failed`, err as Error);
      return undefined;
    }
    const durationMs = performance.now() - t0;
    if (analysis.skipped?.includes('maxFileSize')) this.log.info(analysis.skipped);
    for (const e of analysis.errors) this.log.debug(`${uri.fsPath}: ${e}`);
    if (durationMs > SLOW_LINT_MS) this.log.warn(`linting ${uri.fsPath} took ${Math.round(durationMs)} ms`);
    else this.log.trace(`linted ${uri.fsPath || uri.toString()} in ${durationMs.toFixed(1)} ms: ${analysis.findings.length} findings`);
    const segments = typeof segmentsOf === 'function' ? segmentsOf(analysis) : segmentsOf;
    const result: FileResult = { uri, analysis, segments, version, durationMs, fromDisk };
    this.publish(result);
    return result;
  }

  private publish(result: FileResult): void {
    const previous = this.results.get(result.uri.toString());
    const byUri = new Map<string, { uri: vscode.Uri; list: vscode.Diagnostic[] }>();
    for (const s of [...(previous?.segments ?? []), ...result.segments]) byUri.set(s.uri.toString(), { uri: s.uri, list: [] });
    for (const f of result.analysis.findings) {
      const d = this.toDiagnostic(result, f);
      if (d) byUri.get(d.uri.toString())?.list.push(d.diagnostic);
    }
    for (const { uri, list } of byUri.values()) this.diagnostics.set(uri, list);
    this.results.set(result.uri.toString(), result);
    this.changed.fire(result);
  }

  private toDiagnostic(result: FileResult, f: Finding): { uri: vscode.Uri; diagnostic: vscode.Diagnostic } | undefined {
    const where = rangeOf(result.segments, f.start, f.end);
    if (!where) return undefined;
    const severity =
      f.severity === 'error'
        ? vscode.DiagnosticSeverity.Error
        : f.severity === 'warning'
          ? vscode.DiagnosticSeverity.Warning
          : vscode.DiagnosticSeverity.Information;
    const d = new vscode.Diagnostic(where.range, f.message, severity);
    d.source = 'initlint';
    d.code = { value: f.code, target: vscode.Uri.parse(ruleDocUrl(f.code)) };
    const related = this.relatedOf(result, f);
    if (related.length) d.relatedInformation = related;
    return { uri: where.uri, diagnostic: d };
  }

  private relatedOf(result: FileResult, f: Finding): vscode.DiagnosticRelatedInformation[] {
    const out: vscode.DiagnosticRelatedInformation[] = [];
    for (const r of f.related) {
      const where = rangeOf(result.segments, r.start, r.end);
      if (where) out.push(new vscode.DiagnosticRelatedInformation(new vscode.Location(where.uri, where.range), r.message));
    }
    return out;
  }

  /** Forget a closed document, unless the workspace scan keeps its result from disk. */
  forget(uri: vscode.Uri, keep: boolean): void {
    const key = uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    this.linter?.forget(uri.toString());
    if (keep) return;
    const r = this.results.get(key);
    if (!r) return;
    for (const s of r.segments) this.diagnostics.delete(s.uri);
    this.results.delete(key);
    this.changed.fire(undefined);
  }

  clearAll(): void {
    this.diagnostics.clear();
    this.results.clear();
    this.changed.fire(undefined);
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.changed.dispose();
  }
}
