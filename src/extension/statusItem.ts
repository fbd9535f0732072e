/** The language status item on model files: "initlint: 3 layers ok, 1 problem", or why it is idle. */
import * as vscode from 'vscode';
import { LINTED_LANGUAGES, type LintService } from './lintService';
import { writtenLayers } from '../engine/explain';

const SELECTOR: vscode.DocumentSelector = [...LINTED_LANGUAGES];

export class StatusItem implements vscode.Disposable {
  private readonly item = vscode.languages.createLanguageStatusItem('initlint.status', SELECTOR);
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly service: LintService) {
    this.item.name = 'initlint';
    this.item.command = { title: 'Show log', command: 'initlint.showOutput' };
    this.subscriptions = [service.onDidChange(() => this.update()), vscode.window.onDidChangeActiveTextEditor(() => this.update())];
    this.update();
  }

  update(): void {
    const doc = vscode.window.activeTextEditor?.document;
    const result = doc ? this.service.resultFor(doc.uri) : undefined;
    this.item.severity = vscode.LanguageStatusSeverity.Information;
    if (!result) {
      this.item.text = 'initlint: idle';
      this.item.detail = 'not linted yet';
      return;
    }
    const { analysis } = result;
    if (analysis.skipped) {
      this.item.text = 'initlint: idle';
      this.item.detail = analysis.skipped;
      return;
    }
    const layers = analysis.models.reduce((n, m) => n + writtenLayers(m), 0);
    const flagged = new Set(analysis.findings.map((f) => `${f.model}/${f.layer}`)).size;
    const problems = analysis.findings.length;
    this.item.text =
      layers === 0
        ? 'initlint: no model'
        : `initlint: ${Math.max(0, layers - flagged)} layer${layers - flagged === 1 ? '' : 's'} ok, ${problems} problem${problems === 1 ? '' : 's'}`;
    this.item.detail = `linted in ${Math.round(result.durationMs)} ms`;
    if (result.durationMs > 200) {
      this.item.severity = vscode.LanguageStatusSeverity.Warning;
      this.item.detail = `linting took ${Math.round(result.durationMs)} ms (over 200 ms)`;
    }
  }

  dispose(): void {
    this.subscriptions.forEach((s) => s.dispose());
    this.item.dispose();
  }
}
