/**
 * The workspace scan (`initlint.lintWorkspace`): model files that are not open are linted once
 * at start and when they change on disk, honouring `files.exclude`, `.gitignore` and
 * `initlint.exclude`. The extension finds the files; the language server reads and lints them
 * (and applies `maxFileSize`), in batches, and keeps reporting a file when its editor closes.
 * Large scans show a cancellable progress notification. Virtual file systems are not scanned:
 * there, open documents only.
 */
import * as vscode from 'vscode';
import ignore, { type Ignore } from 'ignore';
import picomatch from 'picomatch';
import type { LintFilesResult } from '../server/protocol';

/** The server's side of the scan: `initlint/lintFiles` and `initlint/forgetFiles`. */
export interface ScanServer {
  lintFiles(uris: string[], token?: vscode.CancellationToken): Promise<LintFilesResult>;
  forgetFiles(uris: string[]): void;
}

const GLOB = '**/*.{py,ipynb,js,mjs,cjs,ts,mts,cts,json,keras,h5,hdf5}';
const NEVER = /(^|\/)(node_modules|\.git|__pycache__|\.venv|venv|site-packages|\.tox|\.ipynb_checkpoints)\//;
const PROGRESS_ABOVE = 200;
/** Files per request: small enough for progress and cancellation, large enough to keep the server busy. */
const BATCH = 25;
const CHANGE_DELAY_MS = 300;

export class WorkspaceScan implements vscode.Disposable {
  private watcher?: vscode.FileSystemWatcher;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly server: ScanServer,
    private readonly log: vscode.LogOutputChannel,
    /** The settings of the folder a file is in. */
    private readonly settings: (uri: vscode.Uri) => { exclude: string[] },
  ) {}

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
      for (let i = 0; i < uris.length && !token?.isCancellationRequested; i += BATCH) {
        const batch = uris.slice(i, i + BATCH);
        try {
          const { skipped } = await this.server.lintFiles(
            batch.map((u) => u.toString()),
            token,
          );
          for (const { uri, reason } of skipped) this.log.info(`${vscode.workspace.asRelativePath(vscode.Uri.parse(uri, true))}: ${reason}: skipped`);
        } catch (err) {
          if (token?.isCancellationRequested) break;
          this.log.warn(`workspace scan: the server could not lint ${batch.length} files: ${(err as Error).message}`);
        }
        done += batch.length;
        progress?.report({ increment: (batch.length / uris.length) * 100, message: `${done} / ${uris.length} files` });
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

  watch(): void {
    if (this.watcher) return;
    this.watcher = vscode.workspace.createFileSystemWatcher(GLOB);
    const gitignores = vscode.workspace.createFileSystemWatcher('**/.gitignore');
    const forgetIgnores = () => {
      this.ignores = undefined;
    };
    this.disposables.push(gitignores, gitignores.onDidChange(forgetIgnores), gitignores.onDidCreate(forgetIgnores), gitignores.onDidDelete(forgetIgnores));
    const relint = async (uri: vscode.Uri) => {
      if ((await this.filter([uri])).length === 0) return;
      // A burst of writes (a formatter, a checkout) is read once.
      const key = uri.toString();
      clearTimeout(this.timers.get(key));
      this.timers.set(
        key,
        setTimeout(() => {
          this.timers.delete(key);
          this.server.lintFiles([key]).catch((err: Error) => this.log.warn(`workspace scan: ${uri.fsPath}: ${err.message}`));
        }, CHANGE_DELAY_MS),
      );
    };
    this.disposables.push(
      this.watcher,
      this.watcher.onDidChange(relint),
      this.watcher.onDidCreate(relint),
      this.watcher.onDidDelete((uri) => this.server.forgetFiles([uri.toString()])),
    );
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.disposables.forEach((d) => d.dispose());
    this.watcher = undefined;
  }
}
