/**
 * What the evaluator keeps of each definition's standalone evaluation from one lint of a file to
 * the next (eval/evaluator.ts, `standalone`), so that a re-lint after an edit evaluates again
 * only the definitions the edit reached.
 *
 * Why: the interpreter runs the module body, then every function and class nothing called, on
 * its own (`evaluateUncalled`). In a large model file that is most of a re-lint: of a 15 ms
 * re-lint of timm's vision_transformer.py (5,000 lines, 200 re-lints under `node --cpu-prof`),
 * 7.7 ms went to the standalone evaluations and 2.6 ms to the module body; the parse and the tree
 * copy, which are already incremental (syntaxTree.ts), 4 ms.
 *
 * What an evaluation depends on, and how each is checked before its result is used again:
 *
 * - the definition's own syntax: the key is its node object. The incremental tree copy takes a
 *   definition outside the edit over from the previous tree, the same object with the same text
 *   (moved); a definition the edit touched is a new object and misses.
 * - everything it read from outside itself, noted as it ran (`Recording.read`) and read again,
 *   from the new lint's state, before the result is used: each name looked up in the module
 *   scope (an import's path, a constant's value, the node of a function or class it calls or
 *   builds, or that the name is unbound), whether a definition had already run (`invoked`,
 *   `built`), how often the file calls a name (the order of a plain class's methods), the
 *   file's config class, whether the file is TF1 code, the other models of the same name. A
 *   function or class it reached through a module name is read through that name: which
 *   definition it is, and, where the evaluation read what it is (called or built it, looked at its
 *   methods), its node, whose identity covers its text; what it reads is noted in the same
 *   recording. One only passed along by name (to a builder initlint cannot read) does not depend
 *   on its text.
 * - mutable state it shares with the rest of the file (a layer, an instance or a tensor bound at
 *   module level, a config's default instance): an evaluation that reads any of it is not kept
 *   (`poisoned`) and runs again at every lint.
 * - the per-file limits (budget.ts): a result is used again only where its steps and layers fit
 *   in what is left, as they did when it was recorded; one that ran into a limit is not kept.
 *
 * What it left, replayed in the same place of the run: its models and layers (copied, with
 * `rewrite` bound to the new lint's front end and every offset moved by the edit), the
 * definitions it ran, its steps and layers against the limits, and the front end's own notes on
 * its layers (PyTorch's init call sites: `effect`).
 *
 * A module-level statement that binds one name to data (`default_cfgs = {...}`, timm's
 * 1,200-entry table of `_cfg(...)` calls: about a third of a re-lint of vision_transformer.py
 * after a keystroke in a class) is kept the same way (`Evaluator.keptStatement`), with the data it
 * left (`binds`), bound again at each replay (data is never changed once made). Kept only where it
 * made no layer, bound no other name and read no list or dict of the module (comparing one costs
 * what evaluating again does), and not while an edit is in it.
 */
import type { Edit, SyntaxNode as Node } from '../../syntaxTree';
import type { Flow, Layer, Span } from '../../ir';
import type { ModelBuilder } from '../signal';
import { afterInputs, flowInputs } from '../../graph';

/** Builds a layer's `rewrite` for a front end (its text, its init sites): a copied layer gets its own. */
export type Rebind<F> = (layer: Layer, front: F) => Layer['rewrite'];

const rebinders = new WeakMap<Layer, Rebind<unknown>>();

/** @internal Records how a layer's `rewrite` is built, and builds it. */
export function bindRewrite<F>(layer: Layer, front: F, rebind: Rebind<F>): void {
  rebinders.set(layer, rebind as Rebind<unknown>);
  layer.rewrite = rebind(layer, front);
}

/** A value read from outside the definition that has no stable identity to compare: the evaluation is not kept. */
export const IMPURE: unique symbol = Symbol('impure');

/** One definition's standalone evaluation, kept: what it read, and what it left (copies, in the kept text's offsets). */
export interface Entry {
  /** Each outside read: its kind, its argument, and what was seen. */
  reads: Array<[kind: string, arg: string, seen: unknown]>;
  steps: number;
  layerCount: number;
  invoked: number[];
  built: number[];
  /** Every layer it made, whether or not a model holds it (PyTorch counts layers an init call serves). */
  layers: Layer[];
  models: ModelBuilder[];
  /** The front end's notes on its layers, in order (`Evaluator.effect`). */
  effects: Array<[layer: Layer, data: unknown]>;
  /**
   * Added to every span of the copies: an edit before everything the entry holds moves it by
   * changing this number alone (a replay copies the entry once, not twice: copying took 1.2 ms
   * of a re-lint of vision_transformer.py). `first` and `last`: its smallest start and largest
   * end, before the offset.
   */
  offset: number;
  first: number;
  last: number;
  /** A module-level statement's: the name it binds and the data it left there (`Evaluator.keptStatement`). */
  binds?: { name: string; value: unknown };
}

/** Flow nesting copied by recursion (copyResult); deeper, by an explicit stack. */
const SHALLOW = 256;

/** @internal For the tests: how many evaluations were used again, and how many were kept. */
export const cacheStats = { replayed: 0 };

/** The kept evaluations of a file's definitions and data statements, by node. */
export type DefinitionCache = Map<Node, Entry>;

/** What is noted while one definition is evaluated on its own. */
export class Recording {
  /** By kind, then argument: no key string is built per read (a table's 1,200 calls of one helper read its name 1,200 times). */
  private readonly seen = new Map<string, Map<string, [string, string, unknown]>>();
  poisoned = false;
  readonly layers: Layer[] = [];
  readonly effects: Array<[Layer, unknown]> = [];
  /** Definitions run and classes built during the recording, in order. */
  readonly invoked = new Set<number>();
  readonly built = new Set<number>();

  constructor(
    /** this.models.length, steps and layers spent when the evaluation started. */
    readonly modelsBefore: number,
    readonly stepsBefore: number,
    readonly layersBefore: number,
  ) {}

  /** Whether a read of this kind and argument was noted already (the first one is what the definition saw). */
  has(kind: string, arg: string): boolean {
    return this.seen.get(kind)?.has(arg) ?? false;
  }

  read(kind: string, arg: string, seen: unknown): void {
    if (seen === IMPURE) this.poisoned = true;
    let byArg = this.seen.get(kind);
    if (!byArg) this.seen.set(kind, (byArg = new Map()));
    if (!byArg.has(arg)) byArg.set(arg, [kind, arg, seen]);
  }

  /** The entry to keep, once the evaluation ended within the limits; undefined when it cannot be kept. */
  finish(models: ModelBuilder[], steps: number, layers: number): Entry | undefined {
    if (this.poisoned) return undefined;
    const copy = copyResult({ layers: this.layers, models, effects: this.effects }, (s) => s);
    if (!copy) return undefined;
    return {
      ...extent(copy),
      reads: [...this.seen.values()].flatMap((byArg) => [...byArg.values()]),
      steps: steps - this.stepsBefore,
      layerCount: layers - this.layersBefore,
      invoked: [...this.invoked],
      built: [...this.built],
      ...copy,
    };
  }
}

/** A set of definition ids whose reads and additions a recording notes (`Evaluator.invoked`, `built`). */
export class NotedSet extends Set<number> {
  recording?: Recording;

  constructor(private readonly kind: 'i' | 'b') {
    super();
  }

  override add(id: number): this {
    if (this.recording && !super.has(id)) (this.kind === 'i' ? this.recording.invoked : this.recording.built).add(id);
    return super.add(id);
  }

  /** `has`, noted as a read unless the recorded definition added the id itself. */
  seen(id: number): boolean {
    const has = super.has(id);
    const rec = this.recording;
    if (rec && !(this.kind === 'i' ? rec.invoked : rec.built).has(id)) rec.read(this.kind, String(id), has);
    return has;
  }
}

/** The entry moved to the new text's offsets; undefined if one of its offsets lies in the edit (then it is evaluated again). */
export function moveEntry(entry: Entry, edit: Edit | undefined): Entry | undefined {
  if (!edit) return entry;
  const { offset } = entry;
  const delta = edit.newEnd - edit.oldEnd;
  if (entry.last + offset <= edit.start) return entry;
  if (entry.first + offset >= edit.oldEnd) return { ...entry, offset: offset + delta };
  // Spans on both sides of the edit (a definition after it calls a helper before it): copied.
  const copy = copyResult(entry, (s) => {
    const start = s.start + offset;
    const end = s.end + offset;
    return end <= edit.start ? { start, end } : start >= edit.oldEnd ? { start: start + delta, end: end + delta } : undefined;
  });
  return copy && { ...entry, ...copy, ...extent(copy) };
}

/** The entry's models, layers and notes, copied for a lint, each layer's `rewrite` bound to `front`. */
export function instantiate(entry: Entry, front: unknown): Pick<Entry, 'models' | 'effects'> {
  const { offset } = entry;
  return copyResult(entry, (s) => ({ start: s.start + offset, end: s.end + offset }), front)!;
}

/** The extent of a copy's spans, at offset 0. */
function extent(copy: Result): Pick<Entry, 'offset' | 'first' | 'last'> {
  let first = Infinity;
  let last = -Infinity;
  const span = (s: Span | undefined) => {
    if (!s) return;
    first = Math.min(first, s.start);
    last = Math.max(last, s.end);
  };
  for (const l of copy.layers) {
    span(l.span);
    span(l.init.span);
    span(l.activation.span);
  }
  for (const m of copy.models) span(m.span);
  return { offset: 0, first, last };
}

type Result = Pick<Entry, 'layers' | 'models' | 'effects'>;

/**
 * A deep copy of what an evaluation left, spans moved by `move`. A layer's flow is shared
 * between layers (one node of the graph): copies keep that sharing. Without `front` the copy is
 * kept data, whose `rewrite` offers nothing (it must not hold a lint's front end alive); with
 * it, each layer's `rewrite` is built for that front end. Undefined where a span cannot be
 * moved or a layer refers to one the evaluation did not make.
 */
function copyResult(src: Result, move: (s: Span) => Span | undefined, front?: unknown): Result | undefined {
  const copies = new Map<Layer, Layer>();
  for (const l of src.layers) {
    const rebind = rebinders.get(l);
    const span = move(l.span);
    const initSpan = l.init.span && move(l.init.span);
    const actSpan = l.activation.span && move(l.activation.span);
    if (!rebind || !span || (l.init.span && !initSpan) || (l.activation.span && !actSpan)) return undefined;
    const copy: Layer = {
      ...l,
      span: { start: span.start, end: span.end },
      init: initSpan ? { ...l.init, span: { start: initSpan.start, end: initSpan.end } } : { ...l.init },
      activation: actSpan ? { ...l.activation, span: { start: actSpan.start, end: actSpan.end } } : { ...l.activation },
      rewrite: noRewrite,
    };
    rebinders.set(copy, rebind);
    if (front !== undefined) copy.rewrite = rebind(copy, front);
    copies.set(l, copy);
  }
  // Each flow copied once, its inputs first (afterInputs: a chain of 65,000 activations nests as
  // deep); null where it cannot be (it reads a layer the evaluation did not make).
  const flows = new Map<Flow, Flow | null>();
  const copyFlow = (f: Flow): Flow | null => {
    const from = (g: Flow): Flow | null => flows.get(g) ?? null;
    switch (f.kind) {
      case 'input':
        return f;
      case 'layer': {
        const layer = copies.get(f.layer);
        return layer ? { kind: 'layer', layer } : null;
      }
      case 'norm':
      case 'activation': {
        const input = from(f.from);
        return input && { ...f, from: input };
      }
      case 'opaque': {
        if (!f.from) return { kind: 'opaque' };
        const input = from(f.from);
        return input && { kind: 'opaque', from: input };
      }
      case 'merge': {
        const parts = f.from.map(from);
        return parts.every((x) => x) ? { ...f, from: parts as Flow[] } : null;
      }
    }
  };
  // By recursion while shallow (a replay copies every kept layer's input at every re-lint; the
  // walk's bookkeeping cost a third of a millisecond there), by afterInputs past that.
  const copied = (f: Flow, depth: number): void => {
    if (flows.has(f)) return;
    if (depth >= SHALLOW) {
      afterInputs(
        f,
        flowInputs,
        (g) => flows.has(g),
        (g) => flows.set(g, copyFlow(g)),
      );
      return;
    }
    switch (f.kind) {
      case 'activation':
      case 'norm':
        copied(f.from, depth + 1);
        break;
      case 'opaque':
        if (f.from) copied(f.from, depth + 1);
        break;
      case 'merge':
        for (const g of f.from) copied(g, depth + 1);
        break;
    }
    // A cycle, which no front end builds, recurses down to SHALLOW, where afterInputs copies it.
    if (!flows.has(f)) flows.set(f, copyFlow(f));
  };
  const flow = (root: Flow): Flow | undefined => {
    copied(root, 0);
    return flows.get(root) ?? undefined;
  };
  for (const [l, copy] of copies) {
    if (!l.input) continue;
    const input = flow(l.input);
    if (!input) return undefined;
    copy.input = input;
  }
  const models: ModelBuilder[] = [];
  for (const m of src.models) {
    const span = move(m.span);
    const layers = m.layers.map((l) => copies.get(l));
    if (!span || layers.some((l) => !l)) return undefined;
    const outputs = m.outputs?.map(flow);
    if (outputs?.some((o) => !o)) return undefined;
    models.push({ ...m, span: { start: span.start, end: span.end }, layers: layers as Layer[], ...(outputs ? { outputs: outputs as Flow[] } : {}) });
  }
  const effects: Array<[Layer, unknown]> = [];
  for (const [l, data] of src.effects) {
    const copy = copies.get(l);
    if (!copy) return undefined;
    effects.push([copy, data]);
  }
  return { layers: [...copies.values()], models, effects };
}

function noRewrite(): undefined {
  return undefined;
}

/** A constant as a string that tells constants apart (`-0` from `0`, `'1'` from `1`). */
export function constKey(c: unknown): string {
  if (Array.isArray(c)) return `[${c.map(constKey).join(',')}]`;
  if (typeof c === 'number') return Object.is(c, -0) ? '-0' : String(c);
  return typeof c === 'string' ? JSON.stringify(c) : String(c);
}
