/**
 * What `initlint server` and its VS Code client say beyond LSP, typed once for both sides.
 * Other editors need none of it: they get diagnostics, code actions, hovers and code lenses
 * through LSP alone. The VS Code client asks for more in `initializationOptions`:
 * - analyses: after every lint the server sends the file's analysis (`initlint/analysis`), which
 *   the Initialization panel, the code lenses, the status item and the simulator read; the fixes
 *   a model's layers can build are sent when the client asks (`initlint/rewrites`: the
 *   simulator's Apply), not with every lint, and so are the edits of the findings' fixes
 *   (`initlint/fixes`: the panel's Fix, Fix All);
 * - settings: the client sends each workspace folder's settings (`initlint/settings`), already
 *   merged with the folder's pyproject.toml as the extension reads them, so the editor's
 *   settings UI, multi-root folders and the log stay the extension's;
 * - the workspace scan: the client finds the files (files.exclude, .gitignore, initlint.exclude)
 *   and asks the server to lint them from disk (`initlint/lintFiles`); the server keeps reporting
 *   them, and reports a closed editor's file as it is on disk again.
 * No vscode import: the server bundle must not need it.
 */
import { NotificationType, RequestType, type WorkspaceEdit } from 'vscode-languageserver-protocol';
import type { Settings } from '../engine/settings';
import type { WireAnalysis, WireRewrites } from '../engine/wire';

export type RunMode = 'onType' | 'onSave';

export interface ClientOptions {
  /** Send `initlint/analysis` after every lint. */
  analyses?: boolean;
  /** Offer code lenses (false where the client draws its own from the analyses). */
  codeLens?: boolean;
  /** Commands the client runs itself, offered in code actions where it has them. */
  commands?: {
    /** Arguments [ruleCode]: the rule's documentation. */
    showRuleDocs?: string;
    /** Arguments [fileUri, ruleCode]: a per-file-ignores entry for a file that cannot hold a comment (JSON). */
    ignoreInFile?: string;
  };
}

export interface InitializationOptions {
  /** The `initlint` settings, for clients without workspace/configuration. */
  settings?: unknown;
  /**
   * Lint every model file of the workspace folders, not only open ones (the CLI's walk: .gitignore
   * and `exclude` honoured), and keep them current through file watching. For clients that do not
   * scan themselves (the VS Code client scans and sends `initlint/lintFiles`). Off by default.
   */
  lintWorkspace?: boolean;
  /** Where the grammars' .wasm files are (default: beside the server's bundle). */
  wasmDir?: string;
  client?: ClientOptions;
}

export interface FolderSettings {
  engine: Settings;
  run: RunMode;
}

export interface SettingsParams {
  /** For files outside every folder. */
  fallback: FolderSettings;
  /** Each workspace folder by its URI; a file is linted with the settings of the folder it is in. */
  folders: Array<{ uri: string; settings: FolderSettings }>;
}

/** Where a stretch of the linted code lives: the document itself, or one notebook cell. */
export interface WireSegment {
  uri: string;
  /** Offset of the stretch in the linted code. */
  start: number;
  length: number;
}

export interface AnalysisParams {
  /** The document, notebook or file linted. */
  uri: string;
  /** The document's or notebook's version; null for a file read from disk. */
  version: number | null;
  /** Null: the file is no longer linted (closed, deleted, excluded); forget it. */
  analysis: WireAnalysis | null;
  segments: WireSegment[];
  /**
   * A file read from disk: the text the findings' offsets are in (for a closed notebook, the
   * .ipynb file's; `analysis.notebook` maps the code into it). Absent for open documents, and for
   * files without models (nothing to show).
   */
  text?: string;
  durationMs: number;
  /** Which of the server's lints this is: names the analysis in `initlint/rewrites`. */
  lint: number;
}

export const analysisNotification = new NotificationType<AnalysisParams>('initlint/analysis');
export const settingsNotification = new NotificationType<SettingsParams>('initlint/settings');

export interface LintFilesParams {
  uris: string[];
}
export interface LintFilesResult {
  /** Files linted from disk (open ones are reported from their editor). */
  linted: number;
  /** Files not read, each with why (too large, binary, unreadable). */
  skipped: Array<{ uri: string; reason: string }>;
}
export const lintFilesRequest = new RequestType<LintFilesParams, LintFilesResult, void>('initlint/lintFiles');
/** Files gone from disk, or no longer covered by the scan: their findings are withdrawn. */
export const forgetFilesNotification = new NotificationType<LintFilesParams>('initlint/forgetFiles');

export interface RewritesParams {
  /** The document, notebook or file, as in `AnalysisParams`. */
  uri: string;
  /** The lint whose analysis the client holds (`AnalysisParams.lint`). */
  lint: number;
  /** The model's index in that analysis. */
  model: number;
}
/**
 * The fixes a model's layers can build (`rewritesToWire`); null when the server has linted the
 * file again since (the client's analysis is stale: the newer one is on its way) or has no such model.
 */
export const rewritesRequest = new RequestType<RewritesParams, WireRewrites | null, void>('initlint/rewrites');

export interface FixesParams {
  /** The document, notebook or file, as in `AnalysisParams`. */
  uri: string;
  /** The lint whose analysis the client holds (`AnalysisParams.lint`). */
  lint: number;
  /** Indices into that analysis's findings; absent: every finding. */
  findings?: number[];
}
/**
 * The fixes of those findings that can be applied together (the CLI's `--fix` choice), as one
 * workspace edit: one undo step. Null when the file was edited or linted again since (as
 * `initlint/rewrites`) or when none of the findings has a fix that applies.
 */
export const fixesRequest = new RequestType<FixesParams, WorkspaceEdit | null, void>('initlint/fixes');
