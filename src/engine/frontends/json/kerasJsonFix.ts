/**
 * Quick fixes for Keras JSON configs: the `kernel_initializer` value is rewritten to the
 * recommended class in the shape and layout the file already uses. Keys the original object
 * has (`module`, `registered_name` of Keras 3) are kept in their order; the seed is kept;
 * a compact one-line object stays one line with its separators, a pretty-printed one is
 * indented from the line the value starts on with the file's own indentation unit.
 */
import { LineIndex } from '../../text';
import type { Node } from 'jsonc-parser';
import type { Fix, InitTarget, Recommendation } from '../../ir';
import { properties, prop, str, textOf } from './jsonNodes';

export type JsonFramework = 'keras' | 'tfjs';

/** Class names as each framework serializes them (TF.js spells LeCun `LeCunNormal`). */
const CLASS: Record<JsonFramework, Record<Recommendation, string>> = {
  keras: { he_normal: 'HeNormal', he_uniform: 'HeUniform', glorot_uniform: 'GlorotUniform', lecun_normal: 'LecunNormal' },
  tfjs: { he_normal: 'HeNormal', he_uniform: 'HeUniform', glorot_uniform: 'GlorotUniform', lecun_normal: 'LeCunNormal' },
};
/** String identifiers, for files that write the initializer as a string. */
const SHORT: Record<JsonFramework, Record<Recommendation, string>> = {
  keras: { he_normal: 'he_normal', he_uniform: 'he_uniform', glorot_uniform: 'glorot_uniform', lecun_normal: 'lecun_normal' },
  tfjs: { he_normal: 'heNormal', he_uniform: 'heUniform', glorot_uniform: 'glorotUniform', lecun_normal: 'leCunNormal' },
};

export function recommendedClass(framework: JsonFramework, to: Recommendation): string {
  return CLASS[framework][to];
}

type Out = { raw: string } | { entries: Array<[string, Out]>; multiline: boolean; pad: string };

interface Layout {
  eol: string;
  unit: string;
  keySep: string;
  itemSep: string;
}

/**
 * What the fixes of one file share, computed once per text: its line starts, indentation unit
 * and line ending. Each fix used to scan back to its line's start, so the 10,000 fixes of a
 * one-line config (what `model.to_json()` writes) scanned 10,000 times along a 2 MB line: 10 s;
 * each looked for a "\r\n" through the whole text too: 0.2 s of the 0.35 s those fixes took.
 */
let shared: { text: string; lines: LineIndex; unit: string; eol: string } | undefined;
function sharedOf(text: string): { lines: LineIndex; unit: string; eol: string } {
  if (shared?.text !== text) {
    const m = /\n([ \t]+)["{[\]}]/.exec(text.slice(0, 65536));
    shared = { text, lines: new LineIndex(text), unit: m ? m[1] : '    ', eol: text.includes('\r\n') ? '\r\n' : '\n' };
  }
  return shared;
}

/** Leading whitespace of the line holding `offset`. */
function lineIndent(text: string, offset: number): string {
  const start = offset - sharedOf(text).lines.position(offset).column;
  const m = /^[ \t]*/.exec(text.slice(start, Math.min(text.length, start + 256)));
  return m ? m[0] : '';
}

const isMultiline = (text: string, n: Node) => textOf(text, n).includes('\n');

/** The file's indentation unit: the first indented line's whitespace (json.dumps(indent=N) writes N spaces). */
function fileIndentUnit(text: string): string {
  return sharedOf(text).unit;
}

/** Separators as written in an object with at least two properties. */
function separatorsOf(text: string, obj: Node | undefined): { keySep?: string; itemSep?: string; pad?: string } {
  const ps = properties(obj);
  if (!obj || !ps.length) return {};
  const out: { keySep?: string; itemSep?: string; pad?: string } = {};
  const ks = text.slice(ps[0].key.offset + ps[0].key.length, ps[0].value.offset);
  if (/^[ \t]*:[ \t]*$/.test(ks)) out.keySep = ks;
  if (ps.length > 1) {
    const is = text.slice(ps[0].prop.offset + ps[0].prop.length, ps[1].prop.offset);
    if (/^[ \t]*,[ \t]*$/.test(is)) out.itemSep = is;
  }
  const pad = text.slice(obj.offset + 1, ps[0].prop.offset);
  if (/^[ \t]*$/.test(pad)) out.pad = pad;
  return out;
}

function render(o: Out, indent: string, layout: Layout): string {
  if ('raw' in o) return o.raw;
  if (!o.entries.length) return '{}';
  if (o.multiline) {
    const inner = indent + layout.unit;
    const body = o.entries.map(([k, v]) => `${inner}${k}${layout.keySep}${render(v, inner, layout)}`).join(`,${layout.eol}`);
    return `{${layout.eol}${body}${layout.eol}${indent}}`;
  }
  return `{${o.pad}${o.entries.map(([k, v]) => `${k}${layout.keySep}${render(v, indent, layout)}`).join(layout.itemSep)}${o.pad}}`;
}

export interface RewriteContext {
  text: string;
  framework: JsonFramework;
  /** The layer's `config` object: a fallback for separators. */
  layerConfig?: Node;
  /** Another initializer object of the same layer (`bias_initializer`): a template when the kernel's is `null`. */
  sibling?: Node;
}

/**
 * The edit that writes the recommended initializer over `value` (the `kernel_initializer` value
 * node), or `Orthogonal` with a gain in its config (a string cannot carry one: an object is
 * written, shaped like the layer's other initializer objects where it has one).
 */
export function rewriteInitializer(value: Node, to: InitTarget, ctx: RewriteContext): Fix | undefined {
  const { text, framework } = ctx;
  const cls = typeof to === 'string' ? CLASS[framework][to] : 'Orthogonal';
  const title = typeof to === 'string' ? `Use ${cls}` : `Use Orthogonal(gain=${to.gain})`;
  const edit = (newText: string): Fix | undefined =>
    newText === textOf(text, value) ? undefined : { title, edits: [{ start: value.offset, end: value.offset + value.length, newText }] };

  if (value.type === 'string' && typeof to === 'string') {
    // `"he_normal"` / `"heNormal"` stay short identifiers; `"HeNormal"` stays a class name.
    const original = str(value) ?? '';
    return edit(JSON.stringify(/^[a-z]/.test(original) ? SHORT[framework][to] : cls));
  }
  const replaceable = value.type === 'null' || value.type === 'string';
  const template = value.type === 'object' ? value : replaceable && ctx.sibling?.type === 'object' ? ctx.sibling : undefined;
  if (!template) {
    if (!replaceable) return undefined;
    if (typeof to === 'string') return edit(JSON.stringify(SHORT[framework][to]));
    const { keySep = ': ', itemSep = ', ' } = separatorsOf(text, ctx.layerConfig);
    return edit(`{"class_name"${keySep}"Orthogonal"${itemSep}"config"${keySep}{"gain"${keySep}${to.gain}${itemSep}"seed"${keySep}null}}`);
  }
  const ps = properties(template);
  if (!ps.some((p) => p.key.value === 'class_name')) return undefined;

  const own = separatorsOf(text, template);
  const fallback = separatorsOf(text, ctx.layerConfig);
  const multiline = isMultiline(text, template);
  const baseIndent = lineIndent(text, value.offset);
  let unit = fileIndentUnit(text);
  if (multiline && ps.length) {
    const first = lineIndent(text, ps[0].prop.offset);
    const startIndent = lineIndent(text, template.offset);
    if (first.length > startIndent.length && first.startsWith(startIndent)) unit = first.slice(startIndent.length);
  }
  const layout: Layout = {
    eol: sharedOf(text).eol,
    unit,
    keySep: own.keySep ?? fallback.keySep ?? ': ',
    itemSep: own.itemSep ?? fallback.itemSep ?? ', ',
  };

  const oldConfig = prop(template, 'config');
  const seed = template === value ? prop(oldConfig, 'seed') : undefined;
  const seedText = seed && seed.type === 'number' ? textOf(text, seed) : 'null';
  const configPad = oldConfig && oldConfig.type === 'object' && oldConfig.children?.length ? separatorsOf(text, oldConfig).pad : undefined;
  const configMultiline = multiline && !(oldConfig && oldConfig.type === 'object' && oldConfig.children?.length && !isMultiline(text, oldConfig));
  const config: Out = {
    entries: [...(typeof to === 'string' ? [] : [['"gain"', { raw: to.gain }] as [string, Out]]), ['"seed"', { raw: seedText }]],
    multiline: configMultiline,
    pad: configPad ?? own.pad ?? '',
  };

  const entries: Array<[string, Out]> = [];
  let hasConfig = false;
  for (const p of ps) {
    const key = textOf(text, p.key);
    switch (p.key.value) {
      case 'class_name':
        entries.push([key, { raw: JSON.stringify(cls) }]);
        if (!ps.some((q) => q.key.value === 'config')) {
          entries.push(['"config"', config]);
          hasConfig = true;
        }
        break;
      case 'config':
        if (!hasConfig) entries.push([key, config]);
        hasConfig = true;
        break;
      case 'module': {
        const m = str(p.value);
        entries.push([key, { raw: m && /^keras(\.|$)/.test(m) ? textOf(text, p.value) : '"keras.initializers"' }]);
        break;
      }
      case 'registered_name':
        entries.push([key, { raw: 'null' }]);
        break;
      default:
        // Keys of a sibling template describe that object, not ours; our own are kept.
        if (template === value) entries.push([key, { raw: textOf(text, p.value) }]);
    }
  }
  return edit(render({ entries, multiline, pad: own.pad ?? '' }, baseIndent, layout));
}
