/**
 * The workspace scan (`initlint.lintWorkspace`): lint model files that are not open, once at
 * start and when they change on disk, honouring `files.exclude`, `.gitignore`, `initlint.exclude`
 * and `maxFileSize`. Large scans show a cancellable progress notification. Virtual file
 * systems are not scanned: there, open documents only.
 */
import * as vscode from 'vscode';
import ignore, { type Ignore } from 'ignore';
import picomatch from 'picomatch';
import type { LintService } from './lintService';
import { savedModelOf } from '../engine/frontends/json/savedModels';

const GLOB = '**/*.{py,ipynb,js,mjs,cjs,ts,mts,cts,json,keras,h5,hdf5}';
const NEVER = /(^|\/)(node_modules|\.git|__pycache__|\.venv|venv|site-packages|\.tox|\.ipynb_checkpoints)\//;
const PROGRESS_ABOVE = 200;

export class WorkspaceScan implements vscode.Disposable {
  private watcher?: vscode.FileSystemWatcher;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly service: LintService,
    private readonly log: vscode.LogOutputChannel,
    /** The settings of the folder a file is in. */
    private readonly settings: (uri: vscode.Uri) => { exclude: string[]; maxFileSize: number },
  ) {}

  private isOpen(uri: vscode.Uri): boolean {
    const key = uri.toString();
    return vscode.workspace.textDocuments.some((d) => d.uri.toString() === key) || vscode.workspace.notebookDocuments.some((nb) => nb.uri.toString() === key);
  }

  /** Each folder's .gitignore, read once per scan and again only when one changes. */
  private ignores?: Promise<Map<string, Ignore>>;

  private readIgnores(): Promise<Map<string, Ignore>> {
    this.ignores ??= (async () => {
      const out = new Map<string, Ignore>();
      for (const folder of vscode.workspace.workspaceFolders ?? []) {
        const ig = ignore();
        try {
          ig.add(new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder.uri, '.gitignore'))));
        } catch {
          // No .gitignore: nothing to honour.
        }
        out.set(folder.uri.toString(), ig);
      }
      return out;
    })();
    return this.ignores;
  }

  private async filter(uris: vscode.Uri[]): Promise<vscode.Uri[]> {
    const ignores = await this.readIgnores();
    // `initlint.exclude` is per folder, and its globs are relative to that folder.
    const matchers = new Map<string, ((path: string) => boolean) | undefined>();
    const excludedIn = (folder: vscode.WorkspaceFolder | undefined, uri: vscode.Uri) => {
      const key = folder?.uri.toString() ?? '';
      if (!matchers.has(key)) {
        const { exclude } = this.settings(uri);
        matchers.set(key, exclude.length ? picomatch(exclude, { dot: true }) : undefined);
      }
      return matchers.get(key);
    };
    return uris.filter((uri) => {
      const folder = vscode.workspace.getWorkspaceFolder(uri);
      // Relative to the file's own folder (asRelativePath finds it, and matches its case as the OS does).
      const rel = folder ? vscode.workspace.asRelativePath(uri, false) : uri.path;
      if (NEVER.test(`/${rel}`)) return false;
      if (excludedIn(folder, uri)?.(rel)) return false;
      const ig = folder ? ignores.get(folder.uri.toString()) : undefined;
      return !ig?.ignores(rel);
    });
  }

  async scan(): Promise<number> {
    const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file');
    if (folders.length === 0) return 0;
    this.ignores = undefined;
    // Undefined exclude: files.exclude applies (a pattern of ours would replace it).
    const uris = await this.filter(await vscode.workspace.findFiles(GLOB, undefined));
    const run = async (token?: vscode.CancellationToken, progress?: vscode.Progress<{ increment: number; message: string }>) => {
      let done = 0;
      for (const uri of uris) {
        if (token?.isCancellationRequested) break;
        if (!this.isOpen(uri)) await this.lintFromDisk(uri);
        done++;
        if (progress && done % 50 === 0) progress.report({ increment: (50 / uris.length) * 100, message: `${done} / ${uris.length} files` });
        // Let the extension host breathe between files.
        if (done % 20 === 0) await new Promise((r) => setImmediate(r));
      }
      return done;
    };
    const t0 = Date.now();
    const count =
      uris.length > PROGRESS_ABOVE
        ? await vscode.window.withProgress(
            { location: vscode.ProgressLocation.Notification, title: 'initlint: linting the workspace', cancellable: true },
            (p, t) => run(t, p),
          )
        : await run();
    this.log.info(`workspace scan: ${count} of ${uris.length} files in ${Date.now() - t0} ms`);
    return count;
  }

  /** A closed editor may have held unsaved text: report the file as it is on disk, if the scan covers it. */
  async closed(uri: vscode.Uri): Promise<void> {
    if ((await this.filter([uri])).length === 0) this.service.forget(uri, false);
    else await this.lintFromDisk(uri);
  }

  private async lintFromDisk(uri: vscode.Uri): Promise<void> {
    try {
      const stat = await vscode.workspace.fs.stat(uri);
      // Saved models are read as bytes: their config is judged (frontends/json/savedModels.ts).
      const saved = savedModelOf(uri.path);
      // A saved model holds its weights beside the config: it may be far larger than a source file.
      const limit = this.settings(uri).maxFileSize * (saved ? 64 : 1);
      if (stat.size > limit) {
        this.log.info(`${vscode.workspace.asRelativePath(uri)}: ${stat.size} bytes is above ${saved ? '64 x ' : ''}maxFileSize: skipped`);
        return;
      }
      const bytes = await vscode.workspace.fs.readFile(uri);
      if (saved) {
        const read = saved.read(bytes);
        if ('error' in read) this.log.info(`${vscode.workspace.asRelativePath(uri)}: ${read.error}: skipped`);
        else if (read.text !== undefined) this.service.lintSavedModel(uri, read.text, saved.part);
        return;
      }
      if (bytes.subarray(0, 8192).includes(0)) return;
      this.service.lintText(uri, new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    } catch (err) {
      this.log.debug(`workspace scan: ${uri.fsPath}: ${(err as Error).message}`);
    }
  }

  watch(): void {
    if (this.watcher) return;
    this.watcher = vscode.workspace.createFileSystemWatcher(GLOB);
    const gitignores = vscode.workspace.createFileSystemWatcher('**/.gitignore');
    const forgetIgnores = () => {
      this.ignores = undefined;
    };
    this.disposables.push(gitignores, gitignores.onDidChange(forgetIgnores), gitignores.onDidCreate(forgetIgnores), gitignores.onDidDelete(forgetIgnores));
    const relint = async (uri: vscode.Uri) => {
      if (this.isOpen(uri) || (await this.filter([uri])).length === 0) return;
      this.service.schedule(uri.toString(), 300, () => void this.lintFromDisk(uri));
    };
    this.disposables.push(
      this.watcher,
      this.watcher.onDidChange(relint),
      this.watcher.onDidCreate(relint),
      this.watcher.onDidDelete((uri) => this.service.forget(uri, false)),
    );
  }

  dispose(): void {
    this.disposables.forEach((d) => d.dispose());
    this.watcher = undefined;
  }
}
