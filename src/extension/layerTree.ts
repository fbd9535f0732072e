/**
 * The "Initialization" panel: files -> models -> layers, each layer with its initializer,
 * activation, fans and gain, a severity icon, the numbers in its tooltip; click reveals it.
 */
import * as vscode from 'vscode';
import type { Layer, Model } from '../engine/ir';
import type { WireFinding } from '../engine/wire';
import { explainLayer, findingsOfLayer, layerKey, writtenLayers } from '../engine/explain';
import { passReason } from '../engine/rules';
import { DEFAULT_SETTINGS } from '../engine/settings';
import { fmt } from '../engine/variance';
import { rangeOf, type FileResult, type LintService } from './lintService';

/** A row of the panel: a file, a model, or a layer. */
export type LayerTreeNode =
  | { kind: 'file'; result: FileResult }
  | { kind: 'model'; result: FileResult; model: Model }
  | { kind: 'layer'; result: FileResult; model: Model; layer: Layer; repeat: number; findings: WireFinding[] };

export type LayerNode = Extract<LayerTreeNode, { kind: 'layer' }>;

const SEVERITY_ORDER = { error: 0, warning: 1, info: 2 } as const;

export class LayerTree implements vscode.TreeDataProvider<LayerTreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<LayerTreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private problemsOnly = false;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly service: LintService) {
    // A lint of a file with no model that the panel does not list (a settings.json, a script)
    // changes nothing here: no refresh, which would reset a type-to-navigate in progress.
    this.subscription = service.onDidChange((result) => {
      if (result && result.analysis.models.length === 0 && !this.listed.has(result.uri.toString())) return;
      this.changed.fire(undefined);
    });
  }

  /** The files the panel lists now. */
  private listed = new Set<string>();

  /** Asks the view to fetch everything again. */
  refresh(): void {
    this.changed.fire(undefined);
  }

  setProblemsOnly(on: boolean): void {
    this.problemsOnly = on;
    void vscode.commands.executeCommand('setContext', 'initlint.problemsOnly', on);
    this.changed.fire(undefined);
  }

  getChildren(node?: LayerTreeNode): LayerTreeNode[] {
    if (!node) {
      const files = this.service.all
        .filter((r) => r.analysis.models.length > 0 && (!this.problemsOnly || r.analysis.findings.length > 0))
        .sort((a, b) => a.uri.path.localeCompare(b.uri.path));
      this.listed = new Set(files.map((r) => r.uri.toString()));
      return files.map((result) => ({ kind: 'file', result }));
    }
    if (node.kind === 'file') {
      return node.result.analysis.models
        .filter((model) => !this.problemsOnly || node.result.analysis.findings.some((f) => f.model === model.name))
        .map((model) => ({ kind: 'model', result: node.result, model }));
    }
    if (node.kind === 'model') {
      // A layer built in a loop appears once, with its repeat count; calls of one constructor
      // that build layers of different sizes (a helper called with other channels) are rows of their own.
      const unique = new Map<string, LayerNode>();
      for (const layer of node.model.layers) {
        const key = `${layerKey(layer)}:${layer.fanIn}:${layer.fanOut}:${layer.init.spec.name}`;
        const seen = unique.get(key);
        if (seen) seen.repeat++;
        else
          unique.set(key, {
            kind: 'layer',
            result: node.result,
            model: node.model,
            layer,
            repeat: 1,
            findings: findingsOfLayer(node.result.analysis.findings, node.model, layer),
          });
      }
      return [...unique.values()].filter((n) => !this.problemsOnly || n.findings.length > 0);
    }
    return [];
  }

  getTreeItem(node: LayerTreeNode): vscode.TreeItem {
    if (node.kind === 'file') {
      const item = new vscode.TreeItem(node.result.uri, vscode.TreeItemCollapsibleState.Expanded);
      item.id = node.result.uri.toString();
      const n = node.result.analysis.findings.length;
      // The folder, as the Problems view shows it: two mlp.py in two folders are told apart.
      const rel = vscode.workspace.asRelativePath(node.result.uri);
      const folder = rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/')) : '';
      item.description = `${folder ? `${folder} · ` : ''}${n === 0 ? 'no problems' : `${n} problem${n === 1 ? '' : 's'}`}`;
      item.contextValue = 'file';
      return item;
    }
    if (node.kind === 'model') {
      const item = new vscode.TreeItem(node.model.name, vscode.TreeItemCollapsibleState.Expanded);
      item.id = `${node.result.uri.toString()}#${node.model.name}@${node.model.span.start}`;
      const n = node.result.analysis.findings.filter((f) => f.model === node.model.name).length;
      const layers = writtenLayers(node.model);
      item.description = `${node.model.framework} · ${layers} layer${layers === 1 ? '' : 's'}${n ? ` · ${n} problem${n === 1 ? '' : 's'}` : ''}`;
      item.iconPath = new vscode.ThemeIcon('symbol-class');
      item.contextValue = 'model';
      item.command = this.reveal(node.result, node.model.span.start, node.model.span.end);
      return item;
    }
    const { layer, findings } = node;
    const e = explainLayer(node.model, layer);
    const item = new vscode.TreeItem(node.repeat > 1 ? `${layer.label} ×${node.repeat}` : layer.label, vscode.TreeItemCollapsibleState.None);
    const fans = `${e.fanIn ?? '?'} → ${e.fanOut ?? '?'}`;
    item.description = `${layer.init.spec.name} · ${e.activation} · ${fans} · g ${e.gain === undefined ? '?' : fmt(e.gain)}`;
    const worst = [...findings].sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity])[0];
    item.iconPath = !worst
      ? new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed'))
      : worst.severity === 'error'
        ? new vscode.ThemeIcon('error', new vscode.ThemeColor('problemsErrorIcon.foreground'))
        : worst.severity === 'warning'
          ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'))
          : new vscode.ThemeIcon('info', new vscode.ThemeColor('problemsInfoIcon.foreground'));
    const tip = new vscode.MarkdownString();
    tip.appendMarkdown(`**${layer.label}**\n\n`);
    tip.appendMarkdown(`- initializer: ${e.initializer}\n- Var(w): ${e.varianceFormula}${e.variance === undefined ? '' : ` = ${fmt(e.variance)}`}\n`);
    tip.appendMarkdown(
      `- fan_in → fan_out: ${fans}\n- activation: ${e.activation} (${e.family})\n- gain g: ${e.gain === undefined ? 'unknown' : fmt(e.gain)}\n`,
    );
    tip.appendMarkdown(`- recommended: ${e.recommended}\n`);
    for (const f of findings) tip.appendMarkdown(`\n**${f.code}** ${f.message}\n`);
    if (findings.length === 0) {
      const settings = this.service.settingsFor(node.result.uri) ?? DEFAULT_SETTINGS;
      tip.appendMarkdown(`\n**No problem**: ${passReason(node.model, layer, settings)}.\n`);
    }
    item.tooltip = tip;
    item.contextValue = findings.some((f) => f.fixable) ? 'layer-fixable' : 'layer';
    item.command = this.reveal(node.result, layer.span.start, layer.span.end);
    return item;
  }

  getParent(node: LayerTreeNode): LayerTreeNode | undefined {
    if (node.kind === 'layer') return { kind: 'model', result: node.result, model: node.model };
    if (node.kind === 'model') return { kind: 'file', result: node.result };
    return undefined;
  }

  /** The tree node of a model of a file, for revealing it (the verdict lens). */
  modelNode(uri: string, name: string): LayerTreeNode | undefined {
    const result = this.service.all.find((r) => r.uri.toString() === uri);
    const model = result?.analysis.models.find((m) => m.name === name);
    return result && model ? { kind: 'model', result, model } : undefined;
  }

  private reveal(result: FileResult, start: number, end: number): vscode.Command | undefined {
    const where = rangeOf(result.segments, start, end);
    if (!where) return undefined;
    return { title: 'Reveal', command: 'vscode.open', arguments: [where.uri, { selection: where.range } satisfies vscode.TextDocumentShowOptions] };
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
