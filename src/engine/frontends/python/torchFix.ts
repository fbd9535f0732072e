/**
 * Quick fixes for PyTorch code: replace the `nn.init` call (or the `weight.data.normal_()` call)
 * with the recommended one through the alias the file already imports, or, for a layer on the
 * default initialization held in an attribute, add the init call on the line after it.
 */
import type { SyntaxNode as Node } from '../../syntaxTree';
import type { Fix, InitTarget, Recommendation, TextEdit } from '../../ir';
import { beforeLineBreak, eolOf, lineIndent } from '../../text';

interface InitCall {
  fn: string;
  /** The arguments after the weight, as written with the file's quote. */
  extra?: (quote: string) => string;
  title: string;
}

const CALL: Record<Recommendation, InitCall> = {
  he_normal: { fn: 'kaiming_normal_', extra: (q) => `nonlinearity=${q}relu${q}`, title: "Use kaiming_normal_(nonlinearity='relu')" },
  he_uniform: { fn: 'kaiming_uniform_', extra: (q) => `nonlinearity=${q}relu${q}`, title: "Use kaiming_uniform_(nonlinearity='relu')" },
  glorot_uniform: { fn: 'xavier_uniform_', title: 'Use xavier_uniform_' },
  lecun_normal: { fn: 'kaiming_normal_', extra: (q) => `nonlinearity=${q}linear${q}`, title: "Use kaiming_normal_(nonlinearity='linear')" },
};

function initCall(to: InitTarget): InitCall {
  return typeof to === 'string' ? CALL[to] : { fn: 'orthogonal_', extra: () => `gain=${to.gain}`, title: `Use orthogonal_(gain=${to.gain})` };
}

export interface TorchStyle {
  text: string;
  quote: "'" | '"';
  /** Local name -> qualified name. */
  aliases: Map<string, string>;
  /** End of the module's last top-level import, where a missing import is added. */
  lastImportEnd: number;
}

/** How this file can name `torch.nn.init.<fn>`: `init.fn`, `nn.init.fn`, `torch.nn.init.fn` or a bare imported `fn`. */
export function initCallee(style: TorchStyle, fn: string): string | undefined {
  let viaModule: string | undefined;
  for (const [local, q] of style.aliases) {
    if (q === `torch.nn.init.${fn}`) return local;
    if (q === 'torch.nn.init') viaModule ??= `${local}.${fn}`;
  }
  if (viaModule) return viaModule;
  for (const [local, q] of style.aliases) if (q === 'torch.nn') return `${local}.init.${fn}`;
  for (const [local, q] of style.aliases) if (q === 'torch') return `${local}.nn.init.${fn}`;
  return undefined;
}

/**
 * The call to write, and the import it needs when the file has no name for torch.nn.init
 * (only `from torch.nn.init import xavier_uniform_`, say): then the function is imported too.
 */
function callText(style: TorchStyle, c: InitCall, weight: string, callee?: string): { text: string; imports: TextEdit[] } {
  let fn = callee ?? initCallee(style, c.fn);
  const imports: TextEdit[] = [];
  if (!fn) {
    fn = c.fn;
    imports.push({ start: style.lastImportEnd, end: style.lastImportEnd, newText: `${eolOf(style.text)}from torch.nn.init import ${c.fn}` });
  }
  const text = c.extra ? `${fn}(${weight}, ${c.extra(style.quote)})` : `${fn}(${weight})`;
  return { text, imports };
}

/**
 * Replace an init call written for one layer. `call` is `nn.init.xavier_uniform_(w, ...)` or
 * `w.data.normal_(...)`; `weight` is the node of the weight tensor it targets.
 */
export function rewriteInitCall(style: TorchStyle, call: Node, weight: Node, to: InitTarget): Fix | undefined {
  const c = initCall(to);
  const fnNode = call.childForFieldName('function');
  let callee: string | undefined;
  // Keep the module prefix the user wrote (`init.`, `nn.init.`, `torch.nn.init.`).
  if (
    fnNode?.type === 'attribute' &&
    fnNode.childForFieldName('object')?.text !== weight.text &&
    !/\.data$/.test(fnNode.childForFieldName('object')?.text ?? '')
  ) {
    callee = `${fnNode.childForFieldName('object')!.text}.${c.fn}`;
  }
  const weightText = weight.text.replace(/\.data$/, '');
  const { text: newText, imports } = callText(style, c, weightText, callee);
  if (newText === call.text) return undefined;
  return { title: c.title, edits: [...imports, { start: call.startIndex, end: call.endIndex, newText }] };
}

/** Add `nn.init.kaiming_normal_(self.fc.weight, ...)` on the line after `self.fc = nn.Linear(...)`. */
export function insertInitAfter(style: TorchStyle, layerCall: Node, to: InitTarget): Fix | undefined {
  const assignment = layerCall.parent;
  if (assignment?.type !== 'assignment' || assignment.childForFieldName('right')?.id !== layerCall.id) return undefined;
  const target = assignment.childForFieldName('left');
  if (!target || (target.type !== 'identifier' && target.type !== 'attribute')) return undefined;
  const statement = assignment.parent;
  if (statement?.type !== 'expression_statement') return undefined;
  const text = style.text;
  // The body of a one-line compound statement (`if big: self.fc = nn.Linear(...)`): a line after
  // it would run whatever the condition, or split the `if` from its `else` (a syntax error).
  if (!/^[ \t\f]*$/.test(text.slice(text.lastIndexOf('\n', statement.startIndex - 1) + 1, statement.startIndex))) return undefined;
  const indent = lineIndent(text, statement.startIndex);
  // After the statement's own line ends (a trailing comment stays where it is).
  const lineEnd = text.indexOf('\n', statement.endIndex);
  const at = lineEnd < 0 ? text.length : beforeLineBreak(text, lineEnd);
  const c = initCall(to);
  const { text: call, imports } = callText(style, c, `${target.text}.weight`);
  return { title: c.title, edits: [...imports, { start: at, end: at, newText: `${eolOf(text)}${indent}${call}` }] };
}
