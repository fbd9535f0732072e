/** Hover on a layer or its initializer: the numbers behind it, in a small table. */
import * as vscode from 'vscode';
import { explainLayer, explanationMarkdown } from '../engine/explain';
import { RULES_DOC_URL } from '../engine/docs';
import { locate, type LintService } from './lintService';

export class InitlintHover implements vscode.HoverProvider {
  constructor(private readonly service: LintService) {}

  provideHover(doc: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const result = this.service.resultFor(doc.uri);
    if (!result) return undefined;
    const segment = result.segments.find((s) => s.uri.toString() === doc.uri.toString());
    if (!segment) return undefined;
    const offset = segment.start + doc.offsetAt(position);
    if (!locate(result.segments, offset)) return undefined;
    for (const model of result.analysis.models) {
      // The innermost span wins: the initializer inside its layer call.
      const layer = model.layers
        .filter((l) => (l.span.start <= offset && offset <= l.span.end) || (l.init.span && l.init.span.start <= offset && offset <= l.init.span.end))
        .sort((a, b) => (a.span.end - a.span.start) - (b.span.end - b.span.start))[0];
      if (!layer) continue;
      const md = new vscode.MarkdownString(explanationMarkdown(layer, explainLayer(model, layer)));
      md.appendMarkdown(`\n\n*${model.name}* · [initlint rules](${RULES_DOC_URL})`);
      return new vscode.Hover(md);
    }
    return undefined;
  }
}
