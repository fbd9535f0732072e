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
}

export function readSettings(folder?: vscode.WorkspaceFolder): ExtensionSettings {
  const cfg = vscode.workspace.getConfiguration('initlint', folder?.uri);
  const problems: string[] = [];
  let base = parseSettings(undefined).settings;
  if (folder && folder.uri.scheme === 'file') {
    try {
      const file = findConfig(folder.uri.fsPath);
      if (file.raw !== undefined) {
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
    exclude: explicit<string[]>('exclude'),
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
  };
}
