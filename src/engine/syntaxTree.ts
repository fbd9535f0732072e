/**
 * A JavaScript copy of a tree-sitter tree, which is what the front ends read.
 *
 * Reading web-tree-sitter's `Node` goes into WebAssembly on every property: `type`,
 * `childForFieldName` and `namedChildren` each cross the boundary and allocate a fresh
 * wrapper. The front ends read every node of a model file several times, so a lint spent most
 * of its time crossing. Here the tree is copied once with a cursor, and every later read is a
 * property access.
 *
 * Copying a whole 2,000-line file costs about as much as one lint used to spend crossing, so an
 * edited file is not copied again: after an incremental parse, each top-level statement that
 * lies outside the edit and outside tree-sitter's changed ranges is taken over from the previous
 * copy. A statement after the edit keeps its nodes and only moves: its offsets are stored
 * relative to a `Segment` whose shift is updated, so the re-lint after a keystroke copies the
 * one statement that changed.
 */
import type { Language, Tree, TreeCursor } from 'web-tree-sitter';
import { LineIndex } from './text';

/** A top-level statement and its descendants: they move together when text before them changes. */
interface Segment {
  /** Added to every stored offset: how far the statement moved since it was copied. */
  shift: number;
  /** The tree the statement now belongs to (its text is what `node.text` slices). */
  tree: SyntaxTree;
}

export interface Point {
  row: number;
  column: number;
}

let nextId = 1;

/** The children of every leaf: one shared empty list rather than an array per token. */
const NO_CHILDREN: SyntaxNode[] = Object.freeze([]) as unknown as SyntaxNode[];

/** Bits of `SyntaxNode.flags`: three booleans in one field keep a node small (a file has tens of thousands). */
const NAMED = 1;
const MISSING = 2;
const HAS_ERROR = 4;

export class SyntaxNode {
  readonly id = nextId++;
  parent: SyntaxNode | null = null;
  private named?: SyntaxNode[];
  private readonly flags: number;

  constructor(
    readonly type: string,
    isNamed: boolean,
    /** The field this node fills in its parent (`name`, `body`, ...), if any. */
    readonly field: string | null,
    private readonly start: number,
    private readonly end: number,
    private readonly segment: Segment,
    readonly children: SyntaxNode[],
    isMissing: boolean,
    hasError: boolean,
  ) {
    this.flags = (isNamed ? NAMED : 0) | (isMissing ? MISSING : 0) | (hasError ? HAS_ERROR : 0);
    for (const c of children) c.parent = this;
  }

  get isNamed(): boolean {
    return (this.flags & NAMED) !== 0;
  }

  /** Inserted by the parser where the text lacks a token. */
  get isMissing(): boolean {
    return (this.flags & MISSING) !== 0;
  }

  /** An ERROR or missing node is in this subtree. */
  get hasError(): boolean {
    return (this.flags & HAS_ERROR) !== 0;
  }

  get startIndex(): number {
    return this.start + this.segment.shift;
  }

  get endIndex(): number {
    return this.end + this.segment.shift;
  }

  get tree(): SyntaxTree {
    return this.segment.tree;
  }

  get text(): string {
    return this.segment.tree.text.slice(this.start + this.segment.shift, this.end + this.segment.shift);
  }

  get isError(): boolean {
    return this.type === 'ERROR';
  }

  get startPosition(): Point {
    const p = this.segment.tree.lines.position(this.startIndex);
    return { row: p.line, column: p.column };
  }

  get endPosition(): Point {
    const p = this.segment.tree.lines.position(this.endIndex);
    return { row: p.line, column: p.column };
  }

  get namedChildren(): SyntaxNode[] {
    return (this.named ??= this.children.length === 0 ? NO_CHILDREN : this.children.filter((c) => c.isNamed));
  }

  get lastChild(): SyntaxNode | null {
    return this.children[this.children.length - 1] ?? null;
  }

  child(index: number): SyntaxNode | null {
    return this.children[index] ?? null;
  }

  childForFieldName(name: string): SyntaxNode | null {
    for (const c of this.children) if (c.field === name) return c;
    return null;
  }

  childrenForFieldName(name: string): SyntaxNode[] {
    return this.children.filter((c) => c.field === name);
  }

  /** The smallest node that contains `index` (tree-sitter's `descendantForIndex`). */
  descendantForIndex(index: number): SyntaxNode {
    let node: SyntaxNode = this;
    for (;;) {
      const next: SyntaxNode | undefined = node.children.find((c) => c.startIndex <= index && index < c.endIndex);
      if (!next) return node;
      node = next;
    }
  }

  /** Descendants of the given types, in document order (tree-sitter's `descendantsOfType`). */
  descendantsOfType(types: string | readonly string[]): SyntaxNode[] {
    const wanted = typeof types === 'string' ? [types] : types;
    const out: SyntaxNode[] = [];
    // Depth-first with an explicit stack: nesting as deep as the parser allows must not overflow.
    const stack: SyntaxNode[] = [this];
    while (stack.length) {
      const node = stack.pop()!;
      if (wanted.includes(node.type)) out.push(node);
      for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i]);
    }
    return out;
  }

  /** @internal Adopt a statement copied for an earlier tree into `tree`, moved by `delta` (its parent is set by the new root). */
  moveTo(tree: SyntaxTree, delta: number): void {
    this.segment.shift += delta;
    this.segment.tree = tree;
  }

  /** @internal Used to decide whether a statement can be taken over. */
  sameAs(type: string, start: number, end: number): boolean {
    return this.type === type && this.startIndex === start && this.endIndex === end;
  }
}

export class SyntaxTree {
  readonly rootNode: SyntaxNode;
  private lineIndex?: LineIndex;

  /** Top-level statements copied for this tree, and those taken over from the previous one. */
  readonly stats = { copied: 0, reused: 0 };
  /**
   * A newer tree of the same file took over some of this tree's statements and moved them: its
   * nodes now describe the newer text. Whatever still holds this tree must not read it.
   */
  superseded = false;

  constructor(
    readonly text: string,
    source: Tree,
    previous?: Reuse,
  ) {
    this.rootNode = copyTree(this, source, previous);
  }

  get lines(): LineIndex {
    return (this.lineIndex ??= new LineIndex(this.text));
  }
}

/** What an incremental parse tells about the previous copy: the edit and tree-sitter's changed ranges. */
export interface Reuse {
  tree: SyntaxTree;
  /** The edit, in offsets: [start, oldEnd) of the old text became [start, newEnd) of the new. */
  edit: { start: number; oldEnd: number; newEnd: number };
  /** Ranges of the new text whose syntax changed (`oldTree.getChangedRanges(newTree)`). */
  changed: Array<{ startIndex: number; endIndex: number }>;
}

/** A grammar's node type names, whether each is named, and its field names, by id: read once. */
type Tables = { types: string[]; named: boolean[]; fields: (string | null)[] };

const languageTables = new WeakMap<Language, Tables>();

function tablesOf(language: Language): Tables {
  let t = languageTables.get(language);
  if (!t) {
    const types: string[] = [];
    const named: boolean[] = [];
    for (let id = 0; id < language.nodeTypeCount; id++) {
      types[id] = language.nodeTypeForId(id) ?? '';
      named[id] = language.nodeTypeIsNamed(id);
    }
    t = { types, named, fields: language.fields };
    languageTables.set(language, t);
  }
  return t;
}

/** tree-sitter's symbol for an ERROR node. */
const ERROR_SYMBOL = 65535;

function copyTree(tree: SyntaxTree, source: Tree, previous: Reuse | undefined): SyntaxNode {
  const tables = tablesOf(source.language);
  const cursor = source.walk();
  try {
    const rootType = nodeType(cursor, tables);
    const rootStart = cursor.startIndex;
    const rootEnd = cursor.endIndex;
    const statements: SyntaxNode[] = [];
    const reusable = previous ? reusableStatements(previous) : undefined;
    const taken: Array<{ node: SyntaxNode; delta: number }> = [];
    if (cursor.gotoFirstChild()) {
      do {
        const old = reusable?.(nodeType(cursor, tables), cursor.startIndex, cursor.endIndex);
        if (old) {
          taken.push(old);
          statements.push(old.node);
        } else {
          statements.push(copySubtree(cursor, tables, { shift: 0, tree }, rootType === 'ERROR'));
        }
      } while (cursor.gotoNextSibling());
    }
    // Only once the copy is complete: the previous tree stays whole if anything above throws.
    for (const { node, delta } of taken) node.moveTo(tree, delta);
    if (taken.length) previous!.tree.superseded = true;
    tree.stats.reused = taken.length;
    tree.stats.copied = statements.length - taken.length;
    const isError = rootType === 'ERROR';
    return new SyntaxNode(rootType, true, null, rootStart, rootEnd, { shift: 0, tree }, statements, false, isError || statements.some((s) => s.hasError));
  } finally {
    cursor.delete();
  }
}

/**
 * Which statements of the previous copy can stand for a statement of the new tree: the same
 * type and the same text, entirely before or after the edit, and in no changed range.
 */
function reusableStatements(previous: Reuse): (type: string, start: number, end: number) => { node: SyntaxNode; delta: number } | undefined {
  const { edit, changed } = previous;
  const delta = edit.newEnd - edit.oldEnd;
  const byOldStart = new Map<number, SyntaxNode>();
  for (const c of previous.tree.rootNode.children) byOldStart.set(c.startIndex, c);
  return (type, start, end) => {
    if (changed.some((r) => r.startIndex < end && start < r.endIndex)) return undefined;
    // Before the edit a statement stays where it was; after it, it moves with the edit.
    let moved: number;
    if (end < edit.start) moved = 0;
    else if (start > edit.newEnd) moved = delta;
    else return undefined;
    const oldStart = start - moved;
    const old = byOldStart.get(oldStart);
    return old && old.sameAs(type, oldStart, oldStart + (end - start)) ? { node: old, delta: moved } : undefined;
  };
}

function nodeType(cursor: TreeCursor, tables: Tables): string {
  const id = cursor.nodeTypeId;
  return id === ERROR_SYMBOL ? 'ERROR' : tables.types[id];
}

/** A node whose children are being copied: they collect on a shared stack from `base` on. */
interface Frame {
  typeId: number;
  field: string | null;
  start: number;
  base: number;
}

/**
 * Copy the cursor's node and everything under it; the cursor ends where it started.
 *
 * A node's offsets are read from the cursor, not derived from its children: the cursor skips
 * hidden children (`_string_content`, `_indent`, ...) that may begin or end the node. The copy
 * outlives the lint, so it is kept small: children gather on one shared stack and each parent
 * takes an array of exactly their number (arrays grown by `push` carry spare room).
 */
function copySubtree(cursor: TreeCursor, tables: Tables, segment: Segment, inError: boolean): SyntaxNode {
  const frames: Frame[] = [];
  const pending: SyntaxNode[] = [];
  let typeId = cursor.nodeTypeId;
  let field = inError ? null : (tables.fields[cursor.currentFieldId] ?? null);
  for (;;) {
    const start = cursor.startIndex;
    if (cursor.gotoFirstChild()) {
      frames.push({ typeId, field, start, base: pending.length });
    } else {
      let node = leaf(cursor, tables, typeId, field, start, segment);
      for (;;) {
        if (frames.length === 0) return node;
        pending.push(node);
        if (cursor.gotoNextSibling()) break;
        cursor.gotoParent();
        const frame = frames.pop()!;
        node = inner(frame, cursor.endIndex, pending.slice(frame.base), tables, segment);
        pending.length = frame.base;
      }
    }
    typeId = cursor.nodeTypeId;
    // tree-sitter gives the children of an ERROR node no fields.
    field = frames[frames.length - 1].typeId === ERROR_SYMBOL ? null : (tables.fields[cursor.currentFieldId] ?? null);
  }
}

function leaf(cursor: TreeCursor, tables: Tables, typeId: number, field: string | null, start: number, segment: Segment): SyntaxNode {
  const end = cursor.endIndex;
  const isError = typeId === ERROR_SYMBOL;
  // Only a zero-width node can be one the parser inserted; asking costs a node wrapper.
  const isMissing = start === end && !isError && cursor.currentNode.isMissing;
  return new SyntaxNode(
    isError ? 'ERROR' : tables.types[typeId],
    isError || tables.named[typeId],
    field,
    start,
    end,
    segment,
    NO_CHILDREN,
    isMissing,
    isError || isMissing,
  );
}

function inner(frame: Frame, end: number, children: SyntaxNode[], tables: Tables, segment: Segment): SyntaxNode {
  const { typeId, field, start } = frame;
  const isError = typeId === ERROR_SYMBOL;
  return new SyntaxNode(
    isError ? 'ERROR' : tables.types[typeId],
    isError || tables.named[typeId],
    field,
    start,
    end,
    segment,
    children,
    false,
    isError || children.some((c) => c.hasError),
  );
}
