/** Hover on a layer or its initializer: the numbers behind it, in a small table. */
import * as vscode from 'vscode';
import { explainLayer, explanationMarkdown, layerAt } from '../engine/explain';
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
    const at = layerAt(result.analysis.models, offset);
    if (!at) return undefined;
    const md = new vscode.MarkdownString(explanationMarkdown(at.layer, explainLayer(at.model, at.layer)));
    md.appendMarkdown(`\n\n*${at.model.name}* · [initlint rules](${RULES_DOC_URL})`);
    return new vscode.Hover(md);
  }
}
