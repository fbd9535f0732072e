/** A one-line verdict over each model: "initlint: 5 layers · 2 problems". */
import * as vscode from 'vscode';
import { modelSummary } from '../engine/explain';
import { rangeOf, type LintService } from './lintService';

export class InitlintCodeLens implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly service: LintService) {
    this.subscription = service.onDidChange(() => this.changed.fire());
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const result = this.service.resultFor(doc.uri);
    if (!result) return [];
    const lenses: vscode.CodeLens[] = [];
    for (const model of result.analysis.models) {
      const where = rangeOf(result.segments, model.span.start, model.span.start);
      if (!where || where.uri.toString() !== doc.uri.toString()) continue;
      const title = modelSummary(model, result.analysis.findings);
      const at = new vscode.Range(where.range.start, where.range.start);
      lenses.push(
        new vscode.CodeLens(at, {
          title: 'Simulate Initialization',
          command: 'initlint.simulate',
          tooltip: "Run this model's layers in TensorFlow.js and chart the variance per layer",
          arguments: [{ uri: result.uri.toString(), model: model.name }],
        }),
      );
      lenses.push(
        new vscode.CodeLens(at, {
          title,
          command: 'initlint.revealModel',
          tooltip: 'Show the layers in the Initialization panel',
          arguments: [{ uri: result.uri.toString(), model: model.name }],
        }),
      );
    }
    return lenses;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
