/**
 * The host of the Simulate Initialization webview: one panel, following the model it was
 * opened on (re-sent, debounced, when its source changes), restored after a reload by a
 * serializer. Every message from the webview is validated; "apply" goes through the engine's
 * fixes (asked of the language server for the model shown) as one WorkspaceEdit.
 */
import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';
import { gainLiteral, type InitTarget, type Model, type Recommendation } from '../engine/ir';
import { applyOption, presetModel, sameLayerCounts, toSimModel } from '../engine/simModel';
import { RECOMMENDATION_LABEL } from '../engine/variance';
import { layerKey, writtenLayers } from '../engine/explain';
import {
  isBackendPreference,
  parseWebviewMessage,
  restoredTarget,
  type ApplyGroup,
  type BackendPreference,
  type FromWebview,
  type SimModel,
  type SimTarget,
  type ToWebview,
} from '../protocol';
import { renderPage } from '../../webview/page';
import { rangeOf, type FileResult, type LintService } from './lintService';

export const SIMULATOR_VIEW_TYPE = 'initlint.simulator';
const FOLLOW_DELAY_MS = 500;
/**
 * The WebGL renderer this session's first panel found ('': none). Learning it takes a WebGL
 * context, 0.2-0.4 s of a webview's start on a software renderer: the later panels are told.
 * Kept for the session only, so a changed GPU or driver is seen at the next start.
 */
let sessionRenderer: string | undefined;

/** What a panel shows: a model of a file, or the preset. Persisted for restoring the panel. */
export type { SimTarget };

export class SimulatorPanel implements vscode.Disposable {
  static current?: SimulatorPanel;
  private readonly disposables: vscode.Disposable[] = [];
  private timer?: NodeJS.Timeout;
  private ready = false;
  /** How many times the webview (re)started: once per panel while its context is retained. */
  readyCount = 0;

  private constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly extensionUri: vscode.Uri,
    private readonly service: LintService,
    private readonly log: vscode.LogOutputChannel,
    private target: SimTarget,
  ) {
    panel.webview.options = SimulatorPanel.webviewOptions(extensionUri);
    panel.webview.html = this.html();
    this.setTitle();
    void this.rememberModel().catch((err: Error) => this.log.error('simulator: the model could not be read', err));
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((raw) => void this.receive(raw)),
      service.onDidChange((result) => {
        if (!result || !this.target.uri || result.uri.toString() !== this.target.uri) return;
        clearTimeout(this.timer);
        this.timer = setTimeout(
          () => void this.sendModel().catch((err: Error) => this.log.error('simulator: the model could not be sent', err)),
          FOLLOW_DELAY_MS,
        );
      }),
      // The backend starts with the page: a new choice reloads it (the model is sent again on 'ready').
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration('initlint.simulator.backend')) return;
        this.ready = false;
        panel.webview.html = this.html();
      }),
    );
  }

  /** initlint.simulator.backend, read where the panel opens (a window-wide setting). */
  private static backendSetting(): BackendPreference {
    const value = vscode.workspace.getConfiguration('initlint').get<unknown>('simulator.backend');
    return isBackendPreference(value) ? value : 'auto';
  }

  static webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
    return {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')],
    };
  }

  /** Open (or reveal and retarget) the panel. */
  static show(extensionUri: vscode.Uri, service: LintService, log: vscode.LogOutputChannel, target: SimTarget): SimulatorPanel {
    if (SimulatorPanel.current) {
      SimulatorPanel.current.retarget(target);
      SimulatorPanel.current.panel.reveal(vscode.ViewColumn.Beside);
      return SimulatorPanel.current;
    }
    const panel = vscode.window.createWebviewPanel(SIMULATOR_VIEW_TYPE, 'Simulate Initialization', vscode.ViewColumn.Beside, {
      ...SimulatorPanel.webviewOptions(extensionUri),
      // Hidden (another editor on top, the group maximised elsewhere), the panel keeps its charts,
      // numbers and scroll position, and shows them again without a re-run: a run takes seconds
      // on software WebGL. The cost is the webview's memory while hidden.
      retainContextWhenHidden: true,
    });
    SimulatorPanel.current = new SimulatorPanel(panel, extensionUri, service, log, target);
    return SimulatorPanel.current;
  }

  /** A panel VS Code restores after a reload, with the target its webview state saved. */
  static revive(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, service: LintService, log: vscode.LogOutputChannel, state: unknown): void {
    const { target, warning } = restoredTarget(state, (uri) => !!vscode.workspace.getWorkspaceFolder(vscode.Uri.parse(uri, true)));
    if (warning) log.warn(`simulator: ${warning}`);
    SimulatorPanel.current?.dispose();
    SimulatorPanel.current = new SimulatorPanel(panel, extensionUri, service, log, target);
  }

  retarget(target: SimTarget): void {
    this.target = target;
    this.setTitle();
    // sendModel keeps what it sends (lastGood); before the webview is ready, only that is done.
    void (this.ready ? this.sendModel() : this.rememberModel()).catch((err: Error) => this.log.error('simulator: the model could not be read', err));
  }

  private setTitle(): void {
    this.panel.title = this.target.model ? `Simulate: ${this.target.model}` : 'Simulate Initialization';
  }

  private html(): string {
    const webview = this.panel.webview;
    const asset = (...p: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, ...p)).toString();
    return renderPage({
      cspSource: webview.cspSource,
      nonce: randomBytes(16).toString('base64'),
      scriptUri: asset('dist', 'webview.js'),
      styleUri: asset('media', 'simulator.css'),
      title: 'Simulate Initialization',
      backend: SimulatorPanel.backendSetting(),
      renderer: sessionRenderer,
    });
  }

  private post(message: ToWebview): void {
    void this.panel.webview.postMessage(message);
  }

  private find(): { result?: FileResult; model?: Model } {
    if (!this.target.uri) return {};
    const result = this.service.resultFor(vscode.Uri.parse(this.target.uri));
    const model = result?.analysis.models.find((m) => m.name === this.target.model) ?? result?.analysis.models[0];
    return { result, model };
  }

  /** The last model sent for a file: shown again, with a notice, while an edit leaves the file unparsable. */
  private lastGood?: { uri: string; name: string; model: SimModel; result: FileResult; complete: boolean };

  /**
   * The simulator's model of a file's model, with what Apply can write into each layer: the
   * layers' fixes are asked of the server first (`complete`: they came; without them every layer
   * would say "no safe edit", so such a model is not kept for reuse). Undefined when a newer
   * analysis of the file arrived meanwhile (the model of that one is sent instead).
   */
  private async simModel(result: FileResult, model: Model): Promise<{ sim: SimModel; complete: boolean } | undefined> {
    const complete = await this.service.loadRewrites(result, model);
    if (this.find().result !== result) return undefined;
    return { sim: toSimModel(model, result.analysis.findings, vscode.workspace.asRelativePath(result.uri, false)), complete };
  }

  /** The target's model as it parses now, kept for the moments it does not (the webview may not be ready yet). */
  private async rememberModel(): Promise<void> {
    const { result, model } = this.find();
    const uri = this.target.uri;
    if (!result || !model || !uri) return;
    const built = await this.simModel(result, model);
    if (built && uri === this.target.uri) this.lastGood = { uri, name: model.name, model: built.sim, result, complete: built.complete };
  }

  async sendModel(): Promise<void> {
    const { result, model } = this.find();
    const last = this.lastGood;
    const broken = result?.analysis.errors.some((e) => /syntax error/i.test(e));
    if (result && broken && last && last.uri === this.target.uri && (this.target.model ?? last.name) === last.name && model?.name !== last.name) {
      // A momentary syntax error while typing: the model as it was, not another model or the demo.
      this.post({
        type: 'model',
        model: last.model,
        version: last.result.version,
        target: { uri: this.target.uri, model: last.name },
        notice: 'The file does not parse: showing the model as it was before the edit.',
      });
      return;
    }
    if (!result || !model) {
      this.log.info(
        `simulator: no model in ${this.target.uri ?? 'the editor'}${result?.analysis.errors.length ? ` (${result.analysis.errors[0]})` : ''}: the demo model`,
      );
      this.panel.title = 'Simulate Initialization';
      this.post({ type: 'model', model: presetModel(), version: 0, target: {} });
      return;
    }
    const file = vscode.workspace.asRelativePath(result.uri, false);
    this.log.info(`simulator: ${model.name} of ${file} (${model.layers.length} layers, version ${result.version})`);
    this.panel.title = `Simulate: ${model.name}`;
    // rememberModel may have built it already for this analysis.
    const built =
      last && last.result === result && last.name === model.name && last.complete ? { sim: last.model, complete: true } : await this.simModel(result, model);
    // A newer analysis or another target arrived while the fixes were asked for: its own sendModel posts.
    if (!built || this.find().model !== model) return;
    if (!built.complete) this.log.warn(`simulator: the fixes of ${model.name} could not be read from the language server: Apply offers no edit`);
    if (this.target.uri) this.lastGood = { uri: this.target.uri, name: model.name, model: built.sim, result, complete: built.complete };
    this.post({ type: 'model', model: built.sim, version: result.version, target: { uri: this.target.uri, model: model.name } });
  }

  /** Validated messages only; anything else is logged and ignored. */
  async receive(raw: unknown): Promise<void> {
    const { message, problem } = parseWebviewMessage(raw);
    if (!message) {
      this.log.warn(`simulator: ignored a message from the webview (${problem})`);
      return;
    }
    await this.handle(message);
  }

  private async handle(message: FromWebview): Promise<void> {
    switch (message.type) {
      case 'ready':
        this.ready = true;
        this.readyCount++;
        await this.sendModel();
        return;
      case 'apply': {
        const outcome = await this.apply(message.groups);
        this.post({ type: 'applied', requestId: message.requestId, ...outcome });
        return;
      }
      case 'export': {
        const outcome = await this.export(message.format, message.suggestedName, message.data);
        this.post({ type: 'exported', requestId: message.requestId, ...outcome });
        return;
      }
      case 'log':
        this.log[message.level](`simulator: ${message.message}`);
        return;
      case 'renderer':
        this.log.info(`simulator: WebGL renderer ${message.renderer || 'none'}`);
        sessionRenderer = message.renderer;
        return;
      default: {
        const unreachable: never = message;
        void unreachable;
      }
    }
  }

  /**
   * Write each group's initializer into its layers: one WorkspaceEdit, so one undo step. The
   * answer says what happened to every layer: written, already drawn that way (nothing written,
   * no explicit default), or no safe edit and why.
   */
  async apply(groups: readonly ApplyGroup[]): Promise<{ ok: boolean; message: string }> {
    const { result, model } = this.find();
    if (!result || !model) return { ok: false, message: 'The preset has no source to edit.' };
    const loaded = await this.service.loadRewrites(result, model);
    if (this.service.isStale(result) || this.find().result !== result) {
      // The layer numbers the webview sent are those of the text it was shown; the analysis of the
      // edited text is on its way, and the panel follows it.
      return { ok: false, message: 'The file changed since the simulator read it; its layers are being updated. Apply again.' };
    }
    if (!loaded) return { ok: false, message: "The language server did not send this model's fixes (see the initlint log). Apply again." };
    const edit = new vscode.WorkspaceEdit();
    const seen = new Set<string>();
    const written = new Map<string, number>();
    const already: string[] = [];
    const refused = new Map<string, string[]>();
    const same = sameLayerCounts(model);
    for (const group of groups) {
      group.layers.forEach((i, k) => {
        const layer = model.layers[i];
        if (!layer) return;
        const key = layerKey(layer);
        if (seen.has(key)) return;
        seen.add(key);
        // LSUV's gain is the run's, per layer: an orthogonal kernel with that gain.
        const target: InitTarget = group.choice === 'lsuv' ? { kind: 'orthogonal', gain: gainLiteral(group.gains[k]) } : (group.choice as Recommendation);
        const { option, fix } = applyOption(layer, target, same.get(layer));
        if (!option.edit && option.already) {
          already.push(layer.label);
          return;
        }
        if (!fix) {
          const why = option.edit ? 'no safe edit' : option.reason;
          refused.set(why, [...(refused.get(why) ?? []), layer.label]);
          return;
        }
        for (const e of fix.edits) {
          const where = rangeOf(result.segments, e.start, e.end);
          if (where) edit.replace(where.uri, where.range, e.newText);
        }
        const name = typeof target === 'string' ? RECOMMENDATION_LABEL[target] : "Orthogonal with LSUV's gain";
        written.set(name, (written.get(name) ?? 0) + 1);
      });
    }
    const n = (k: number) => `${k} layer${k === 1 ? '' : 's'}`;
    const parts: string[] = [];
    if (written.size) parts.push(`Applied ${[...written].map(([name, k]) => `${name} to ${n(k)}`).join(', ')}`);
    if (already.length) parts.push(`${already.length === 1 ? already[0] : n(already.length)} already ${already.length === 1 ? 'uses' : 'use'} it`);
    for (const [why, labels] of refused) parts.push(`${labels.length === 1 ? labels[0] : n(labels.length)}: ${why}`);
    const message = `${parts.join('; ') || 'Nothing to change'}.`;
    if (written.size === 0) {
      if (refused.size) this.log.warn(`simulator: nothing written into ${result.uri.fsPath}: ${message}`);
      return { ok: false, message };
    }
    const ok = await vscode.workspace.applyEdit(edit);
    if (ok) this.log.info(`simulator: ${message} (${result.uri.fsPath})`);
    else this.log.warn(`simulator: VS Code rejected the edit of ${result.uri.fsPath}`);
    return { ok, message: ok ? message : 'VS Code rejected the edit.' };
  }

  /**
   * Asks where to save, starting beside the model's file (else in the first workspace folder),
   * writes, and says so in a notification that opens the file or shows it in the Explorer.
   */
  private async export(format: 'png' | 'csv', suggestedName: string, data: string): Promise<{ ok: boolean; message: string }> {
    const source = this.target.uri ? vscode.Uri.parse(this.target.uri, true) : undefined;
    const folder = source?.scheme === 'file' ? vscode.Uri.joinPath(source, '..') : vscode.workspace.workspaceFolders?.[0]?.uri;
    const target = await vscode.window.showSaveDialog({
      defaultUri: folder ? vscode.Uri.joinPath(folder, suggestedName) : undefined,
      filters: format === 'png' ? { 'PNG image': ['png'] } : { 'CSV table': ['csv'] },
      title: format === 'png' ? 'Save the charts as PNG' : 'Save the numbers as CSV',
    });
    if (!target) return { ok: false, message: 'Export cancelled.' };
    const bytes = format === 'png' ? Buffer.from(data, 'base64') : Buffer.from(data, 'utf8');
    try {
      await vscode.workspace.fs.writeFile(target, bytes);
    } catch (err) {
      this.log.warn(`simulator: could not write ${target.fsPath || target.toString()}: ${(err as Error).message}`);
      return { ok: false, message: `Not saved: ${(err as Error).message}` };
    }
    const name = vscode.workspace.asRelativePath(target);
    this.log.info(`simulator: saved ${target.fsPath || target.toString()}`);
    // Not awaited: the panel's answer does not wait for the notification to be dismissed.
    void vscode.window.showInformationMessage(`initlint: saved ${name}.`, 'Open', 'Reveal in Explorer').then(async (choice) => {
      if (choice === 'Open') await vscode.commands.executeCommand('vscode.open', target);
      else if (choice === 'Reveal in Explorer') await vscode.commands.executeCommand('revealInExplorer', target);
    });
    return { ok: true, message: `Saved ${name}.` };
  }

  dispose(): void {
    clearTimeout(this.timer);
    if (SimulatorPanel.current === this) SimulatorPanel.current = undefined;
    this.disposables.forEach((d) => d.dispose());
    this.disposables.length = 0;
    this.panel.dispose();
  }
}

/** The model under the cursor; a quick pick when the file has several and the cursor is in none. */
export async function pickTarget(service: LintService, editor?: vscode.TextEditor): Promise<SimTarget | undefined> {
  if (!editor) return {};
  const result = service.resultFor(editor.document.uri);
  const models = result?.analysis.models ?? [];
  if (!result || models.length === 0) return {};
  const segment = result.segments.find((s) => s.uri.toString() === editor.document.uri.toString());
  const offset = (segment?.start ?? 0) + editor.document.offsetAt(editor.selection.active);
  const under =
    models.find((m) => m.layers.some((l) => offset >= m.span.start && offset <= Math.max(m.span.end, l.span.end))) ??
    models.find((m) => m.layers.some((l) => offset >= l.span.start && offset <= l.span.end));
  if (under || models.length === 1) return { uri: result.uri.toString(), model: (under ?? models[0]).name };
  const pick = await vscode.window.showQuickPick(
    models.map((m) => ({ label: m.name, description: `${writtenLayers(m)} layers` })),
    {
      placeHolder: 'Which model should be simulated?',
    },
  );
  return pick ? { uri: result.uri.toString(), model: pick.label } : undefined;
}
