/**
 * The analyses the language server sent (`initlint/analysis`), kept for what the extension draws
 * itself: the Initialization panel, the code lenses, the status item and the simulator. Nothing
 * is linted here: the server lints in its own process, and publishes the diagnostics, code
 * actions and hovers through LSP (src/server/server.ts). A result's offsets are mapped to
 * positions through the open document or cell they are in, or through the text the server read
 * from disk. The fixes a model's layers can build are asked of the server when the simulator
 * needs them (`loadRewrites`), and the edits of the findings' fixes when they are applied
 * (`fixes`): neither is sent with every lint.
 */
import * as vscode from 'vscode';
import type { Model } from '../engine/ir';
import { EXTENSION_OF_LANGUAGE_ID } from '../engine/languages';
import type { Settings } from '../engine/settings';
import { filePositions } from '../engine/notebook';
import { fromWire, installRewrites, type RevivedAnalysis, type WireFinding, type WireRewrites } from '../engine/wire';
import type { AnalysisParams, FixesParams, RewritesParams } from '../server/protocol';

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
  analysis: RevivedAnalysis;
  segments: Segment[];
  /** The document's or notebook's version it was linted at; 0 for a file read from disk. */
  version: number;
  durationMs: number;
  /** Linted from disk by the workspace scan, not from an open editor. */
  fromDisk: boolean;
  /** The server's number for the lint (`initlint/rewrites` and `initlint/fixes` name the analysis by it). */
  lint: number;
  /** The URI as the server wrote it (its key for the file). */
  key: string;
}

/** The language ids the server lints (engine/languages.ts). */
export const LINTED_LANGUAGES: ReadonlySet<string> = new Set(Object.keys(EXTENSION_OF_LANGUAGE_ID));
const SLOW_LINT_MS = 200;

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

/** What the service asks of the language server beyond the analyses it is sent. */
export interface ServerRequests {
  /** `initlint/rewrites`: the fixes a model's layers can build. */
  rewrites(params: RewritesParams): Promise<WireRewrites | null>;
  /** `initlint/fixes`: the edits of findings' fixes, as one WorkspaceEdit. */
  fixes(params: FixesParams): Promise<vscode.WorkspaceEdit | null>;
}

export class LintService implements vscode.Disposable {
  private readonly results = new Map<string, FileResult>();
  private readonly changed = new vscode.EventEmitter<FileResult | undefined>();
  readonly onDidChange = this.changed.event;
  private settings: { fallback?: Settings; byFolder: ReadonlyMap<string, Settings> } = { byFolder: new Map() };

  /** A model's fixes, asked of the server once per model of a result. */
  private readonly rewritesLoaded = new WeakMap<Model, Promise<boolean>>();

  constructor(
    private readonly log: vscode.LogOutputChannel,
    private readonly server: ServerRequests,
  ) {}

  /**
   * The fixes of these findings of a result (all of them when absent) that can be applied
   * together, as one WorkspaceEdit: one undo step. Undefined where none has a fix; null where
   * the server has linted the file again since (the newer analysis is on its way).
   */
  async fixes(result: FileResult, findings?: readonly WireFinding[]): Promise<vscode.WorkspaceEdit | null | undefined> {
    const all = result.analysis.findings;
    const asked = (findings ?? all).filter((f) => f.fixable);
    if (asked.length === 0) return undefined;
    const indices = findings ? asked.map((f) => all.indexOf(f)).filter((i) => i >= 0) : undefined;
    return this.server.fixes({ uri: result.key, lint: result.lint, ...(indices ? { findings: indices } : {}) });
  }

  /**
   * Gives the layers of one of a result's models the fixes they can build, asked of the server
   * once. False where the server has linted the file again since (the newer analysis is on its
   * way) or could not answer: the layers then offer no fix.
   */
  loadRewrites(result: FileResult, model: Model): Promise<boolean> {
    let loaded = this.rewritesLoaded.get(model);
    if (!loaded) {
      const index = result.analysis.models.indexOf(model);
      loaded =
        index < 0
          ? Promise.resolve(false)
          : this.server
              .rewrites({ uri: result.key, lint: result.lint, model: index })
              .then((wire) => !!wire && installRewrites(model, wire))
              .catch((err: Error) => {
                this.log.warn(`the fixes of ${model.name} could not be read from the server: ${err.message}`);
                this.rewritesLoaded.delete(model);
                return false;
              });
      this.rewritesLoaded.set(model, loaded);
    }
    return loaded;
  }

  /** The settings the server lints with: `fallback` outside every folder, `byFolder` inside one (for the panel's numbers). */
  configure(fallback: Settings, byFolder: ReadonlyMap<string, Settings>): void {
    this.settings = { fallback, byFolder };
  }

  /** The settings a file is linted with (its folder's). */
  settingsFor(uri: vscode.Uri): Settings | undefined {
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    return (folder && this.settings.byFolder.get(folder.uri.toString())) ?? this.settings.fallback;
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

  /** Whether the document or notebook was edited since this result was linted (its newer lint is on its way). */
  isStale(result: FileResult): boolean {
    if (result.fromDisk) return false;
    const key = result.uri.toString();
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === key);
    const nb = vscode.workspace.notebookDocuments.find((n) => n.uri.toString() === key);
    const version = doc?.version ?? nb?.version;
    return version !== undefined && version !== result.version;
  }

  /** An analysis from the server (`initlint/analysis`). */
  accept(params: AnalysisParams): void {
    const uri = vscode.Uri.parse(params.uri, true);
    if (!params.analysis) {
      if (this.results.delete(params.uri)) this.changed.fire(undefined);
      return;
    }
    const previous = this.results.get(params.uri);
    // A lint of an older version than the one shown (a reply overtaken by a newer one): dropped.
    if (previous && !previous.fromDisk && params.version !== null && params.version < previous.version) return;
    let analysis: RevivedAnalysis;
    try {
      analysis = fromWire(params.analysis);
    } catch (err) {
      this.log.error(`the server's analysis of ${params.uri} could not be read`, err as Error);
      return;
    }
    const fromDisk = params.version === null;
    const segments = params.segments.map((s): Segment => {
      const segmentUri = vscode.Uri.parse(s.uri, true);
      return { uri: segmentUri, start: s.start, length: s.length, positionAt: positions(segmentUri, analysis, params.text) };
    });
    const result: FileResult = {
      uri,
      analysis,
      segments,
      version: params.version ?? 0,
      durationMs: params.durationMs,
      fromDisk,
      lint: params.lint,
      key: params.uri,
    };
    if (params.durationMs > SLOW_LINT_MS) this.log.warn(`linting ${uri.fsPath || uri.toString()} took ${Math.round(params.durationMs)} ms`);
    else this.log.trace(`linted ${uri.fsPath || uri.toString()} in ${params.durationMs.toFixed(1)} ms: ${analysis.findings.length} findings`);
    for (const e of analysis.errors) this.log.debug(`${uri.fsPath || uri.toString()}: ${e}`);
    this.results.set(params.uri, result);
    this.changed.fire(result);
  }

  clearAll(): void {
    this.results.clear();
    this.changed.fire(undefined);
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/**
 * Offsets of a segment to positions: through the open document or cell (the text the server
 * linted, unless it was edited since: the next analysis follows), else through the text the
 * server read from disk (a closed notebook's code mapped into its .ipynb file), else the start
 * of the file (a saved model has no text to point into).
 */
function positions(uri: vscode.Uri, analysis: RevivedAnalysis, diskText: string | undefined): (offset: number) => vscode.Position {
  const key = uri.toString();
  let doc: vscode.TextDocument | undefined;
  let inFile: ((offset: number) => { line: number; column: number }) | undefined;
  return (offset) => {
    if (diskText === undefined) {
      if (!doc || doc.isClosed) doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === key);
      return doc ? doc.positionAt(offset) : new vscode.Position(0, 0);
    }
    inFile ??= filePositions(diskText, analysis.notebook);
    const p = inFile(offset);
    return new vscode.Position(p.line, p.column);
  };
}
