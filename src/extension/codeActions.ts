/**
 * Code actions: the rule's fix (preferred), fix all in the file (also as `source.fixAll.initlint`
 * for `editor.codeActionsOnSave`), a suppression comment for the line, and the rule's docs.
 * The engine's edits become one WorkspaceEdit: one undo step.
 */
import * as vscode from 'vscode';
import type { Finding } from '../engine/linter';
import { sharedInitOf, type RuleCode } from '../engine/rules';
import { ruleDocUrl } from '../engine/docs';
import { selectFixes } from '../engine/edits';
import { fileSuppressionComment, fileSuppressionLine, lineSuppressionText } from '../engine/suppression';
import { rangeOf, type FileResult, type LintService } from './lintService';

export const FIX_ALL_KIND = vscode.CodeActionKind.SourceFixAll.append('initlint');

/** The finding a diagnostic shows: same code, same range. */
export function findingFor(result: FileResult, uri: vscode.Uri, diagnostic: vscode.Diagnostic): Finding | undefined {
  const code = typeof diagnostic.code === 'object' ? diagnostic.code.value : diagnostic.code;
  return result.analysis.findings.find((f) => {
    if (f.code !== code) return false;
    const where = rangeOf(result.segments, f.start, f.end);
    return !!where && where.uri.toString() === uri.toString() && where.range.isEqual(diagnostic.range);
  });
}

export function editFor(result: FileResult, findings: Finding[]): vscode.WorkspaceEdit | undefined {
  const chosen = selectFixes(findings);
  if (chosen.length === 0) return undefined;
  const edit = new vscode.WorkspaceEdit();
  for (const e of chosen.flatMap((f) => f.fix!.edits)) {
    const where = rangeOf(result.segments, e.start, e.end);
    if (where) edit.replace(where.uri, where.range, e.newText);
  }
  return edit;
}

function isJson(doc: vscode.TextDocument): boolean {
  return doc.languageId === 'json' || doc.languageId === 'jsonc' || /\.json$/i.test(doc.uri.path);
}

export class InitlintCodeActions implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix, FIX_ALL_KIND];

  constructor(private readonly service: LintService) {}

  provideCodeActions(doc: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const result = this.service.resultFor(doc.uri);
    if (!result) return [];
    const out: vscode.CodeAction[] = [];
    const onlyFixAll = (context.only && FIX_ALL_KIND.contains(context.only)) || context.only?.value === vscode.CodeActionKind.SourceFixAll.value;
    if (!onlyFixAll) {
      for (const d of context.diagnostics) {
        if (d.source !== 'initlint') continue;
        const finding = findingFor(result, doc.uri, d);
        if (!finding) continue;
        const edit = finding.fix ? editFor(result, [finding]) : undefined;
        const shared = !edit ? sharedInitOf(finding) : undefined;
        const sharedAt = shared && rangeOf(result.segments, shared.start, shared.end);
        if (shared && sharedAt) {
          // No per-layer edit: the layer is initialized by a call that also initializes layers wanting another initializer.
          const open = new vscode.CodeAction(shared.title, vscode.CodeActionKind.QuickFix);
          open.command = {
            title: open.title,
            command: 'vscode.open',
            arguments: [sharedAt.uri, { selection: sharedAt.range } satisfies vscode.TextDocumentShowOptions],
          };
          open.diagnostics = [d];
          out.push(open);
        }
        if (edit) {
          const a = new vscode.CodeAction(finding.fix!.title, vscode.CodeActionKind.QuickFix);
          a.edit = edit;
          a.diagnostics = [d];
          a.isPreferred = true;
          out.push(a);
        }
        // JSON has no comments: a directive would make the config invalid (model_from_json rejects it).
        if (!isJson(doc)) out.push(this.disableAction(doc, d, finding.code), this.disableFileAction(doc, d, finding.code));
        else if (vscode.workspace.getWorkspaceFolder(doc.uri)) out.push(this.ignoreInSettingsAction(d, doc.uri, finding.code));
        // The docs bundled in the extension, in VS Code's Markdown preview; the web page second.
        const docs = new vscode.CodeAction(`Show documentation for ${finding.code}`, vscode.CodeActionKind.QuickFix);
        docs.command = { title: docs.title, command: 'initlint.showRuleDocs', arguments: [finding.code] };
        const web = new vscode.CodeAction(`Open ${finding.code} on the web`, vscode.CodeActionKind.QuickFix);
        web.command = { title: web.title, command: 'vscode.open', arguments: [vscode.Uri.parse(ruleDocUrl(finding.code))] };
        out.push(docs, web);
      }
    }
    const fixable = result.analysis.findings.filter((f) => f.fix);
    // As a quick fix only beside an initlint problem (no lightbulb on every line); as a source action when asked.
    const atProblem = context.diagnostics.some((d) => d.source === 'initlint');
    if (fixable.length > 0 && (onlyFixAll || atProblem)) {
      const all = new vscode.CodeAction('Fix all initlint problems in this file', onlyFixAll ? FIX_ALL_KIND : vscode.CodeActionKind.QuickFix);
      all.edit = editFor(result, fixable);
      out.push(all);
      // Only where asked: a request for quick fixes must not get a source action back.
      if (!onlyFixAll && (!context.only || context.only.contains(FIX_ALL_KIND))) {
        const source = new vscode.CodeAction('Fix all initlint problems', FIX_ALL_KIND);
        source.edit = all.edit;
        out.push(source);
      }
    }
    return out;
  }

  /** JSON has no comments: the file's entry in per-file-ignores (the workspace folder's settings) instead. */
  private ignoreInSettingsAction(d: vscode.Diagnostic, uri: vscode.Uri, code: RuleCode): vscode.CodeAction {
    const a = new vscode.CodeAction(`Disable ${code} for this file (per-file-ignores)`, vscode.CodeActionKind.QuickFix);
    a.command = { title: a.title, command: 'initlint.ignoreInFile', arguments: [uri, code] };
    a.diagnostics = [d];
    return a;
  }

  private disableFileAction(doc: vscode.TextDocument, d: vscode.Diagnostic, code: RuleCode): vscode.CodeAction {
    const a = new vscode.CodeAction(`Disable ${code} for this file`, vscode.CodeActionKind.QuickFix);
    const language = doc.languageId === 'python' || doc.uri.scheme === 'vscode-notebook-cell' ? 'python' : 'javascript';
    const edit = new vscode.WorkspaceEdit();
    edit.insert(doc.uri, new vscode.Position(fileSuppressionLine(doc.getText()), 0), `${fileSuppressionComment(code, language)}\n`);
    a.edit = edit;
    a.diagnostics = [d];
    return a;
  }

  private disableAction(doc: vscode.TextDocument, d: vscode.Diagnostic, code: RuleCode): vscode.CodeAction {
    const a = new vscode.CodeAction(`Disable ${code} for this line`, vscode.CodeActionKind.QuickFix);
    const line = doc.lineAt(d.range.start.line);
    const language = doc.languageId === 'python' || doc.uri.scheme === 'vscode-notebook-cell' ? 'python' : 'javascript';
    const edit = new vscode.WorkspaceEdit();
    edit.insert(doc.uri, line.range.end, lineSuppressionText(line.text, code, language));
    a.edit = edit;
    a.diagnostics = [d];
    return a;
  }
}
