/**
 * The extension's settings (`initlint.*`), with `[tool.initlint]` of the workspace's
 * pyproject.toml (or initlint.json) underneath, so the CLI and the editor agree.
 */
import * as vscode from 'vscode';
import { findConfig } from '../cli/config';
import { parseSettings, type Settings } from '../engine/settings';

export type RunMode = 'onType' | 'onSave';

export interface ExtensionSettings {
  engine: Settings;
  run: RunMode;
  lintWorkspace: boolean;
  problems: string[];
  /** The project config file read under the editor's values (pyproject.toml or initlint.json), if any. */
  configFile?: string;
}

export function readSettings(folder?: vscode.WorkspaceFolder): ExtensionSettings {
  const cfg = vscode.workspace.getConfiguration('initlint', folder?.uri);
  const problems: string[] = [];
  let base = parseSettings(undefined).settings;
  let configFile: string | undefined;
  if (folder && folder.uri.scheme === 'file') {
    try {
      const file = findConfig(folder.uri.fsPath);
      if (file.raw !== undefined) {
        configFile = file.file;
        const parsed = parseSettings(file.raw);
        base = parsed.settings;
        problems.push(...parsed.problems.map((p) => `${file.file}: ${p}`));
      }
    } catch (err) {
      problems.push((err as Error).message);
    }
  }
  // Only values the user set: the package.json defaults must not hide pyproject.toml's.
  const explicit = <T>(key: string): T | undefined => {
    const v = cfg.inspect<T>(key);
    return v?.workspaceFolderValue ?? v?.workspaceValue ?? v?.globalValue;
  };
  const editor: Record<string, unknown> = {
    maxFileSize: explicit<number>('maxFileSize'),
    normalizationAware: explicit<boolean>('normalizationAware'),
    severityByImpact: explicit<boolean>('severityByImpact'),
    exclude: explicit<string[]>('exclude'),
    perFileIgnores: explicit<Record<string, string[]>>('perFileIgnores'),
  };
  const rules = explicit<Record<string, string>>('rules');
  if (rules && Object.keys(rules).length > 0) editor.rules = { ...base.rules, ...rules };
  for (const k of Object.keys(editor)) if (editor[k] === undefined) delete editor[k];
  const merged = parseSettings(editor, base);
  problems.push(...merged.problems.map((p) => `settings: ${p}`));
  return {
    engine: merged.settings,
    run: cfg.get<RunMode>('run') === 'onSave' ? 'onSave' : 'onType',
    lintWorkspace: cfg.get<boolean>('lintWorkspace') ?? true,
    problems,
    configFile,
  };
}

/**
 * The settings of every workspace folder: in a multi-root workspace each folder has its own
 * `initlint.*` values and its own pyproject.toml, and a file is linted with its folder's.
 */
export class WorkspaceSettings {
  private constructor(
    private readonly byFolder: Map<string, ExtensionSettings>,
    /**
     * For files outside every folder, and for window-wide settings: the user's and the
     * workspace's values, without any folder's own settings or pyproject.toml.
     */
    readonly fallback: ExtensionSettings,
  ) {}

  static read(): WorkspaceSettings {
    const byFolder = new Map<string, ExtensionSettings>();
    for (const folder of vscode.workspace.workspaceFolders ?? []) byFolder.set(folder.uri.toString(), readSettings(folder));
    return new WorkspaceSettings(byFolder, readSettings(undefined));
  }

  /** The settings a file or notebook is linted with. */
  for(uri: vscode.Uri): ExtensionSettings {
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    return (folder && this.byFolder.get(folder.uri.toString())) ?? this.fallback;
  }

  /** Each folder's settings, keyed by the folder's URI (as a string). */
  folders(): ReadonlyMap<string, ExtensionSettings> {
    return this.byFolder;
  }

  /** Problems in every folder's settings, each prefixed with its folder where there are several. */
  problems(): string[] {
    if (this.byFolder.size === 0) return this.fallback.problems;
    if (this.byFolder.size === 1) return [...this.byFolder.values()][0].problems;
    const out: string[] = [];
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      for (const p of this.byFolder.get(folder.uri.toString())?.problems ?? []) out.push(`${folder.name}: ${p}`);
    }
    return out;
  }
}
