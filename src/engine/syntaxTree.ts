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
 *
 * Real model files keep most of their code in a few large classes (timm's vision_transformer.py:
 * 5,000 lines, a 700-line `VisionTransformer`): an edit in one method would copy the whole
 * class again, 11 ms of a 33 ms re-lint. So definitions inside a block (methods, nested
 * functions and classes) are segments of their own too, and so are the entries of a large
 * literal (timm's 3,000-line `default_cfgs` dict), taken over the same way: the re-lint copies
 * the class's outline and the one method that changed.
 *
 * A Python edit goes further (parser.ts, `parsePython`): only the statements around it are
 * parsed, alone, and `spliceTree` builds the new tree from their copy, the previous copy's other
 * statements, and new nodes for the blocks that hold them.
 */
import type { Language, Tree, TreeCursor } from 'web-tree-sitter';
import { LineIndex } from './text';

/**
 * A top-level statement, or a definition inside a block, and its descendants: they move together
 * when text before them changes.
 */
interface Segment {
  /** Added to every stored offset: how far the statement moved since it was copied. */
  shift: number;
  /** The tree the statement now belongs to (its text is what `node.text` slices). */
  tree: SyntaxTree;
  /** The segments of the definitions inside it: they move with it. */
  nested?: Segment[];
}

/** Nodes whose definition children are segments of their own (Python's and JavaScript's blocks and class bodies). */
const CONTAINERS = new Set(['block', 'class_body', 'statement_block']);
/** Definitions: what a container's child must be to be a segment (a method, a nested function or class). */
const DEFINITION = /definition$|declaration$/;
/**
 * Literals whose entries are segments of their own: a model zoo's configuration table
 * (`default_cfgs = {...}`, 3,000 lines in timm's vision_transformer.py) is one statement.
 */
const COLLECTIONS = new Set(['dictionary', 'list', 'tuple', 'set', 'array', 'object']);
/** @internal A block or literal this long (in UTF-16 units) has statements or entries of their own; a short one is copied whole (fewer segments to move). */
export const LARGE_LITERAL = 2048;

/**
 * Whether a node is a segment of its own: a definition in a block, any statement of a large
 * block (a 300-line `forward`), or an entry of a large literal; never a token.
 */
function isUnit(parent: Frame | undefined, parentType: string | undefined, type: string, named: boolean): boolean {
  if (!parent || parentType === undefined || !named) return false;
  if (CONTAINERS.has(parentType)) return parent.large === true || DEFINITION.test(type);
  return parent.large === true && COLLECTIONS.has(parentType);
}

function moveSegment(segment: Segment, tree: SyntaxTree, delta: number): void {
  segment.shift += delta;
  segment.tree = tree;
  for (const n of segment.nested ?? []) moveSegment(n, tree, delta);
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
  private tokenText?: string = undefined;
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
    // A token's text is read again and again (names, numbers): sliced once. A node keeps its text
    // for its whole life: it is taken over into a newer tree only where that text is unchanged.
    if (this.children.length === 0) return (this.tokenText ??= this.segment.tree.text.slice(this.start + this.segment.shift, this.end + this.segment.shift));
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
    // Field names are the grammar's interned strings: an identity test per child, no string compare.
    const children = this.children;
    for (let i = 0; i < children.length; i++) if (children[i].field === name) return children[i];
    return null;
  }

  childrenForFieldName(name: string): SyntaxNode[] {
    return this.children.filter((c) => c.field === name);
  }

  /**
   * The smallest node that contains `index` (tree-sitter's `descendantForIndex`). Children do not
   * overlap: the one that can hold it is the last to start at or before it, found by binary
   * search (a module has hundreds of statements, and the scans for names ask once per match).
   */
  descendantForIndex(index: number): SyntaxNode {
    let node: SyntaxNode = this;
    for (;;) {
      const children = node.children;
      const at = lastStartingBefore(children, index + 1);
      const next = at >= 0 && index < children[at].endIndex ? children[at] : undefined;
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
    moveSegment(this.segment, tree, delta);
  }

  /** @internal The segment this node starts (a top-level statement or a definition in a block), for nesting it in its parent's. */
  get ownSegment(): Segment {
    return this.segment;
  }

  /** @internal Used to decide whether a statement can be taken over. */
  sameAs(type: string, start: number, end: number): boolean {
    return this.type === type && this.startIndex === start && this.endIndex === end;
  }
}

export class SyntaxTree {
  readonly rootNode: SyntaxNode;
  private lineIndex?: LineIndex;

  /**
   * `copied`: statements copied for this tree (after a splice, the region's children, a literal's
   * commas included); `reused`: statements taken over whole from the previous tree (after a splice,
   * at every level: the container's other children and its ancestors'); `nested`: definitions
   * inside copied statements taken over; `parsed`: characters given to tree-sitter.
   */
  readonly stats = { copied: 0, reused: 0, nested: 0, parsed: 0 };
  /**
   * A newer tree of the same file took over some of this tree's statements and moved them: its
   * nodes now describe the newer text. Whatever still holds this tree must not read it.
   */
  superseded = false;
  /** The edit from the previous tree of the same file, when this one was copied from it. */
  readonly edit?: Edit;
  /**
   * What the front ends keep of their evaluation of this tree for the next lint of the same file
   * (frontends/eval/definitionCache.ts), by front end; undefined for a tree no later edit starts
   * from (a file read once).
   */
  readonly kept?: Map<string, unknown>;
  /** The previous tree's `kept`, in the previous text's offsets (`edit` maps them to this text's). */
  inherited?: Map<string, unknown>;

  constructor(
    readonly text: string,
    source: Tree,
    previous?: Reuse,
    keep = false,
    splice?: Splice,
  ) {
    this.rootNode = splice && previous ? spliceTree(this, source, previous, splice) : copyTree(this, source, previous);
    if (keep) this.kept = new Map();
    if (previous && keep) {
      this.edit = previous.edit;
      this.inherited = previous.tree.kept;
    }
  }

  /** `carry`'s values of a tree not kept for an edit (a kept tree holds them in `kept`). */
  private own?: Map<string, unknown>;

  /**
   * A value derived from this tree, made once per tree. A tree kept for the next edit hands it on:
   * `make` gets the previous tree's value under the same key (in the previous text's offsets,
   * which `edit` maps to this text's) to update rather than make afresh, or undefined.
   */
  carry<T>(key: string, make: (previous: T | undefined) => T): T {
    const store = this.kept ?? (this.own ??= new Map());
    if (store.has(key)) return store.get(key) as T;
    const previous = this.edit ? (this.inherited?.get(key) as T | undefined) : undefined;
    this.inherited?.delete(key);
    const value = make(previous);
    store.set(key, value);
    return value;
  }

  get lines(): LineIndex {
    return (this.lineIndex ??= new LineIndex(this.text));
  }
}

/** An edit in offsets: [start, oldEnd) of the old text became [start, newEnd) of the new. */
export interface Edit {
  start: number;
  oldEnd: number;
  newEnd: number;
}

/** What an incremental parse tells about the previous copy: the edit and tree-sitter's changed ranges. */
export interface Reuse {
  tree: SyntaxTree;
  edit: Edit;
  /** Ranges of the new text whose syntax changed (`oldTree.getChangedRanges(newTree)`). */
  changed: Array<{ startIndex: number; endIndex: number }>;
  /**
   * The new tree is a fresh parse, not derived from the old one: no changed ranges vouch for a
   * node outside the edit (error recovery can shape a statement next to an error otherwise, with
   * the same type and extent), so one is taken over only where the new tree's node has its shape
   * all the way down (`sameShape`).
   */
  verify?: boolean;
}

/**
 * A Python re-parse of only the statements around an edit (parser.ts, `parsePython`, `cleanRegion`):
 * `region` is the parse of those statements alone, which stand for the children `first..last` of
 * `path`'s last node, the container (the module, a block, or a dict, list or set literal);
 * everything else is taken over from the previous copy.
 */
export interface Splice {
  /** The previous copy's nodes from the root down to the container whose children are re-parsed. */
  path: SyntaxNode[];
  first: number;
  last: number;
  /** Where the parsed text starts in the new text (before it, for a block's statements, the wrapper line): added to every offset the parse gives. */
  base: number;
  /**
   * How the region was parsed: alone (the module's statements); `block`, as the body of an `if 1:`
   * line (their indentation kept), whose block holds them; `literal`, between the literal's
   * brackets, whose entries they are.
   */
  wrapped?: 'block' | 'literal';
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
      // A backslash ending a line (Python's `line_continuation`, an extra that may stand anywhere)
      // is no operand, argument or entry: in `nn.Linear(64, \` then `128)` it was read as the
      // second argument (fan_out unknown). Copied as a token, like a comma.
      named[id] = language.nodeTypeIsNamed(id) && types[id] !== 'line_continuation';
    }
    t = { types, named, fields: language.fields };
    languageTables.set(language, t);
  }
  return t;
}

/** tree-sitter's symbol for an ERROR node. */
const ERROR_SYMBOL = 65535;

/** What the copy reads of a cursor: web-tree-sitter's `TreeCursor`, or the direct one below. */
interface CopyCursor {
  readonly nodeTypeId: number;
  readonly currentFieldId: number;
  readonly startIndex: number;
  readonly endIndex: number;
  readonly nodeIsMissing: boolean;
  gotoFirstChild(): boolean;
  gotoNextSibling(): boolean;
  gotoParent(): boolean;
}

/**
 * The runtime's own exports (web-tree-sitter's Emscripten module), where `Parsers.load` could
 * reach them: `Parser.init` fills in the options object it is given and uses it as its module.
 */
export interface RuntimeExports {
  HEAP32: Int32Array;
  _ts_init(): number;
  _ts_tree_cursor_goto_first_child_wasm(tree: number): number;
  _ts_tree_cursor_goto_next_sibling_wasm(tree: number): number;
  _ts_tree_cursor_goto_parent_wasm(tree: number): number;
  _ts_tree_cursor_current_node_type_id_wasm(tree: number): number;
  _ts_tree_cursor_current_field_id_wasm(tree: number): number;
  _ts_tree_cursor_start_index_wasm(tree: number): number;
  _ts_tree_cursor_end_index_wasm(tree: number): number;
  _ts_tree_cursor_current_node_is_missing_wasm(tree: number): number;
}

let runtime: { exports: RuntimeExports; buffer: number } | undefined;

/**
 * @internal Called by `Parsers.load` with the options object `Parser.init` was given. The
 * runtime is built once per process, on the first init's options: a later load passes options
 * the runtime never saw, which must not take the direct cursor away from the first.
 */
export function useRuntime(exports: Partial<RuntimeExports> | undefined): void {
  const needed: Array<keyof RuntimeExports> = [
    '_ts_init',
    '_ts_tree_cursor_goto_first_child_wasm',
    '_ts_tree_cursor_goto_next_sibling_wasm',
    '_ts_tree_cursor_goto_parent_wasm',
    '_ts_tree_cursor_current_node_type_id_wasm',
    '_ts_tree_cursor_current_field_id_wasm',
    '_ts_tree_cursor_start_index_wasm',
    '_ts_tree_cursor_end_index_wasm',
    '_ts_tree_cursor_current_node_is_missing_wasm',
  ];
  const complete = !!exports && exports.HEAP32 instanceof Int32Array && needed.every((k) => typeof exports[k] === 'function');
  if (!complete || runtime) return;
  // ts_init returns the address of the runtime's transfer buffer (and writes the language versions there).
  runtime = { exports: exports as RuntimeExports, buffer: (exports as RuntimeExports)._ts_init() };
}

/**
 * web-tree-sitter's TreeCursor copies its four words into the runtime's transfer buffer before
 * every call and back after every move: 3.4 s of a 16 s lint of the corpus went to that
 * marshalling (setValue/getValue). During a copy nothing else uses the runtime, so this cursor
 * writes its state there once, calls the runtime's cursor functions directly (they read the
 * state from the buffer, and the moves write it back), and hands the final state back to the
 * TreeCursor (`close`), which then deletes it as usual.
 */
class DirectCursor implements CopyCursor {
  private readonly tree: number;

  constructor(
    private readonly cursor: TreeCursor,
    private readonly rt: { exports: RuntimeExports; buffer: number },
  ) {
    const handle = cursor as unknown as { [i: number]: number; tree: { [i: number]: number } };
    this.tree = handle.tree[0];
    const heap = rt.exports.HEAP32;
    for (let i = 0; i < 4; i++) heap[(rt.buffer >> 2) + i] = handle[i];
  }

  /** The cursor's state back into the TreeCursor (its stack may have been reallocated by the moves). */
  close(): void {
    const handle = this.cursor as unknown as { [i: number]: number };
    const heap = this.rt.exports.HEAP32;
    for (let i = 0; i < 4; i++) handle[i] = heap[(this.rt.buffer >> 2) + i];
  }

  get nodeTypeId(): number {
    return this.rt.exports._ts_tree_cursor_current_node_type_id_wasm(this.tree);
  }
  get currentFieldId(): number {
    return this.rt.exports._ts_tree_cursor_current_field_id_wasm(this.tree);
  }
  get startIndex(): number {
    return this.rt.exports._ts_tree_cursor_start_index_wasm(this.tree);
  }
  get endIndex(): number {
    return this.rt.exports._ts_tree_cursor_end_index_wasm(this.tree);
  }
  get nodeIsMissing(): boolean {
    return this.rt.exports._ts_tree_cursor_current_node_is_missing_wasm(this.tree) === 1;
  }
  gotoFirstChild(): boolean {
    return this.rt.exports._ts_tree_cursor_goto_first_child_wasm(this.tree) === 1;
  }
  gotoNextSibling(): boolean {
    return this.rt.exports._ts_tree_cursor_goto_next_sibling_wasm(this.tree) === 1;
  }
  gotoParent(): boolean {
    return this.rt.exports._ts_tree_cursor_goto_parent_wasm(this.tree) === 1;
  }
}

/** @internal Whether copies read the runtime directly (the tests check it is so in Node). */
export function usesDirectCursor(): boolean {
  return runtime !== undefined;
}

/** @internal For the tests: copy with web-tree-sitter's own TreeCursor only. */
export function withPublicCursor<T>(run: () => T): T {
  const saved = runtime;
  runtime = undefined;
  try {
    return run();
  } finally {
    runtime = saved;
  }
}

/** Runs `read` with a cursor on `source`'s root (the direct one where the runtime is reachable), and closes it. */
function walk<T>(source: Tree, read: (cursor: CopyCursor) => T): T {
  const treeCursor = source.walk();
  const direct = runtime ? new DirectCursor(treeCursor, runtime) : undefined;
  try {
    return read(direct ?? treeCursor);
  } finally {
    direct?.close();
    treeCursor.delete();
  }
}

/** The children of the cursor's node, each taken over from the previous copy where it can be, else copied. */
interface Children {
  nodes: SyntaxNode[];
  /** Which of `nodes` were copied (the others are taken over). */
  copied: boolean[];
  /** Everything taken over, nested definitions in the copies included, with how far each moves. */
  taken: Array<{ node: SyntaxNode; delta: number }>;
  /** How many of `taken` are definitions inside the copies. */
  nested: number;
}

/**
 * Copies the children of the cursor's node (the cursor ends on its last child). With `previous`,
 * a child is taken over where `oldParent`, the previous copy's node for their parent, has one
 * that can stand for it (`reusableStatements`); `base` is where the parsed text starts in the
 * tree's; `keep(typeId)` false: never taken over.
 */
function copyChildren(
  cursor: CopyCursor,
  tables: Tables,
  tree: SyntaxTree,
  inError: boolean,
  previous?: { reuse: Reuse; reusable: Reusable; oldParent: SyntaxNode; keep?: (typeId: number) => boolean },
  base = 0,
): Children {
  const out: Children = { nodes: [], copied: [], taken: [], nested: 0 };
  if (!cursor.gotoFirstChild()) return out;
  do {
    const old =
      previous && (previous.keep?.(cursor.nodeTypeId) ?? true)
        ? previous.reusable(nodeType(cursor, tables), cursor.startIndex + base, cursor.endIndex + base, previous.oldParent, cursor, inError)
        : undefined;
    if (old) {
      out.taken.push(old);
      out.nodes.push(old.node);
      out.copied.push(false);
    } else {
      const copy = new Copy(cursor, tables, tree, inError, previous, base);
      out.nodes.push(copy.run());
      out.copied.push(true);
      out.taken.push(...copy.taken);
      out.nested += copy.taken.length;
    }
  } while (cursor.gotoNextSibling());
  return out;
}

function copyTree(tree: SyntaxTree, source: Tree, previous: Reuse | undefined): SyntaxNode {
  const tables = tablesOf(source.language);
  return walk(source, (cursor) => {
    const rootType = nodeType(cursor, tables);
    const rootStart = cursor.startIndex;
    const rootEnd = cursor.endIndex;
    const isError = rootType === 'ERROR';
    const reusable = previous && { reuse: previous, reusable: reusableStatements(previous, tables), oldParent: previous.tree.rootNode };
    const { nodes, taken, nested } = copyChildren(cursor, tables, tree, isError, reusable);
    // Moved once the copy is complete. A throw above leaves the previous tree's taken-over nodes
    // with new parents: the parser then keeps no parse of the file, and its next lint starts afresh.
    for (const { node, delta } of taken) node.moveTo(tree, delta);
    if (taken.length) previous!.tree.superseded = true;
    tree.stats.reused = taken.length - nested;
    tree.stats.copied = nodes.length - tree.stats.reused;
    tree.stats.nested = nested;
    return new SyntaxNode(rootType, true, null, rootStart, rootEnd, { shift: 0, tree }, nodes, false, isError || nodes.some((s) => s.hasError));
  });
}

/**
 * The tree after a Python edit from the parse of only the statements around it (`splice`): the
 * region's statements are copied from `region` (taking over definitions inside them that lie
 * outside the edit, as after an incremental parse); the container's other children are taken
 * over, moved by the edit; and the container's ancestors get new nodes, their other children
 * taken over where they are segments of their own and cloned where they are not (a class's name,
 * its statements that are not definitions).
 */
function spliceTree(tree: SyntaxTree, region: Tree, previous: Reuse, splice: Splice): SyntaxNode {
  const { path, first, last, base, wrapped } = splice;
  const tables = tablesOf(region.language);
  const container = path[path.length - 1];
  const kids = container.children;
  const delta = previous.edit.newEnd - previous.edit.oldEnd;
  const taken: Array<{ node: SyntaxNode; delta: number }> = [];
  // Each node of the path gets a new node; one that was a segment of its own (a top-level
  // statement, a definition) gets a new segment too, nested in its parent's.
  const segments: Segment[] = [{ shift: 0, tree }];
  for (let i = 1; i < path.length; i++) {
    const own = path[i].ownSegment !== path[i - 1].ownSegment;
    segments.push(own ? { shift: 0, tree } : segments[i - 1]);
    if (own) (segments[i - 1].nested ??= []).push(segments[i]);
  }
  const segment = segments[segments.length - 1];
  const children: SyntaxNode[] = [];
  let copied = 0;
  for (let i = 0; i < first; i++) children.push(carry(kids[i], 0, segment, container.ownSegment, taken));
  const { regionStart, regionEnd, nested } = walk(region, (cursor) => {
    const bounds = { regionStart: cursor.startIndex + base, regionEnd: cursor.endIndex + base };
    // The wrapper's block (module > if_statement > block, its last child) or literal (module > expression_statement > literal).
    if (wrapped) {
      cursor.gotoFirstChild();
      cursor.gotoFirstChild();
      if (wrapped === 'block') while (cursor.gotoNextSibling());
    }
    // Not a literal's tokens: its brackets are the wrapper's, though they may lie where the literal's own do.
    const keep = wrapped === 'literal' ? (typeId: number) => !!tables.named[typeId] : undefined;
    const fresh = copyChildren(
      cursor,
      tables,
      tree,
      false,
      { reuse: previous, reusable: reusableStatements(previous, tables), oldParent: container, keep },
      base,
    );
    taken.push(...fresh.taken);
    const from = wrapped === 'literal' ? 1 : 0;
    const to = wrapped === 'literal' ? fresh.nodes.length - 1 : fresh.nodes.length;
    for (let i = from; i < to; i++) {
      (segment.nested ??= []).push(fresh.nodes[i].ownSegment);
      children.push(fresh.nodes[i]);
      if (fresh.copied[i]) copied++;
    }
    return { ...bounds, nested: fresh.nested };
  });
  for (let i = last + 1; i < kids.length; i++) children.push(carry(kids[i], delta, segment, container.ownSegment, taken));
  // The container, then its ancestors up to the root, each with the new node in place of the old.
  let node: SyntaxNode;
  if (path.length === 1) {
    // The module's own extent: the previous one's where statements lie beyond the region, the region's where it reaches an end of the file.
    const start = first > 0 ? container.startIndex : regionStart;
    const end = last < kids.length - 1 ? container.endIndex + delta : regionEnd;
    node = rebuilt(container, start, end, segment, children);
  } else {
    node = rebuilt(container, container.startIndex, container.endIndex + delta, segment, children);
    for (let i = path.length - 2; i >= 0; i--) {
      const old = path[i];
      const below = path[i + 1];
      const siblings = old.children.map((c) =>
        c === below ? node : carry(c, c.startIndex < below.startIndex ? 0 : delta, segments[i], old.ownSegment, taken),
      );
      node = rebuilt(old, old.startIndex, old.endIndex + delta, segments[i], siblings);
    }
  }
  // Moved once the new tree is complete (as in copyTree).
  for (const t of taken) t.node.moveTo(tree, t.delta);
  previous.tree.superseded = true;
  tree.stats.reused = taken.length - nested;
  tree.stats.copied = copied;
  tree.stats.nested = nested;
  return node;
}

/** A new node for `old` (a node on the path to the edit), with new children and extent. */
function rebuilt(old: SyntaxNode, start: number, end: number, segment: Segment, children: SyntaxNode[]): SyntaxNode {
  const hasError = old.isError || old.isMissing || children.some((c) => c.hasError);
  return new SyntaxNode(old.type, old.isNamed, old.field, start - segment.shift, end - segment.shift, segment, children, old.isMissing, hasError);
}

/**
 * An old node outside the edit, for a new parent in `segment`: a segment of its own (a
 * definition, a statement of a large block) is taken over and moved by `delta`; anything else
 * shares its old parent's segment with nodes on the other side of the edit, so it is cloned.
 */
function carry(node: SyntaxNode, delta: number, segment: Segment, parentSegment: Segment, taken: Array<{ node: SyntaxNode; delta: number }>): SyntaxNode {
  if (node.ownSegment !== parentSegment) {
    taken.push({ node, delta });
    (segment.nested ??= []).push(node.ownSegment);
    return node;
  }
  const children = node.children.length === 0 ? NO_CHILDREN : node.children.map((c) => carry(c, delta, segment, parentSegment, taken));
  return new SyntaxNode(
    node.type,
    node.isNamed,
    node.field,
    node.startIndex + delta - segment.shift,
    node.endIndex + delta - segment.shift,
    segment,
    children,
    node.isMissing,
    node.hasError,
  );
}

/**
 * The previous copy's node that can stand for a node of the new tree being copied (a child of
 * `oldParent`, the previous copy's node for its parent), and how far it moves: one of the same
 * type and extent, entirely before or after the edit, in no changed range, that is a segment of
 * its own (a statement sharing its block's segment cannot move alone), and, after a fresh parse
 * (`Reuse.verify`), whose new node has its shape all the way down (`cursor` stands on it).
 */
type Reusable = (
  type: string,
  start: number,
  end: number,
  oldParent: SyntaxNode,
  cursor: CopyCursor,
  inError: boolean,
) => { node: SyntaxNode; delta: number } | undefined;

function reusableStatements(previous: Reuse, tables: Tables): Reusable {
  const { edit, changed } = previous;
  const delta = edit.newEnd - edit.oldEnd;
  return (type, start, end, oldParent, cursor, inError) => {
    if (changed.some((r) => r.startIndex < end && start < r.endIndex)) return undefined;
    // Before the edit a statement stays where it was; after it, it moves with the edit.
    let moved: number;
    if (end < edit.start) moved = 0;
    else if (start > edit.newEnd) moved = delta;
    else return undefined;
    const oldStart = start - moved;
    const oldEnd = oldStart + (end - start);
    // A binary search: a scan of the children per statement was quadratic in a large block or literal.
    const old = childAround(oldParent.children, oldStart, oldEnd);
    // Only a segment of its own moves alone: a statement of a block that was short before the
    // edit shares its block's segment, though the longer block now makes it a unit.
    if (!old?.sameAs(type, oldStart, oldEnd) || old.ownSegment === oldParent.ownSegment) return undefined;
    if (previous.verify && !sameShape(cursor, tables, old, moved, inError)) return undefined;
    return { node: old, delta: moved };
  };
}

/**
 * Whether the cursor's node and everything under it read exactly as `old` does (types, fields,
 * offsets moved by `delta`, named and missing flags), walked in step without copying; the
 * cursor ends where it started. `inError`: the node's parent is an ERROR (its children have no
 * fields).
 */
function sameShape(cursor: CopyCursor, tables: Tables, old: SyntaxNode, delta: number, inError: boolean): boolean {
  const stack: Array<{ node: SyntaxNode; next: number }> = [];
  let node = old;
  let fieldless = inError;
  const fail = () => {
    for (let i = stack.length; i > 0; i--) cursor.gotoParent();
    return false;
  };
  for (;;) {
    const typeId = cursor.nodeTypeId;
    const start = cursor.startIndex;
    const end = cursor.endIndex;
    const field = fieldless ? null : (tables.fields[cursor.currentFieldId] ?? null);
    if (typeName(tables, typeId) !== node.type || field !== node.field || start !== node.startIndex + delta || end !== node.endIndex + delta) return fail();
    if ((typeId === ERROR_SYMBOL || tables.named[typeId]) !== node.isNamed) return fail();
    if (node.children.length > 0) {
      if (!cursor.gotoFirstChild()) return fail();
      stack.push({ node, next: 1 });
      fieldless = typeId === ERROR_SYMBOL;
      node = node.children[0];
      continue;
    }
    if (cursor.gotoFirstChild()) {
      cursor.gotoParent();
      return fail();
    }
    if (start === end && typeId !== ERROR_SYMBOL && cursor.nodeIsMissing !== node.isMissing) return fail();
    // The next node in step: a sibling, or up until one has one.
    for (;;) {
      const top = stack[stack.length - 1];
      if (!top) return true;
      if (top.next < top.node.children.length) {
        if (!cursor.gotoNextSibling()) return fail();
        node = top.node.children[top.next++];
        fieldless = top.node.isError;
        break;
      }
      if (cursor.gotoNextSibling()) return fail();
      cursor.gotoParent();
      stack.pop();
    }
  }
}

/**
 * The previous copy's node for a node being copied now, found by its old offsets (the edit moved
 * what lies after it), if the old tree has one of the same type and extent; undefined inside
 * the edit.
 */
function oldCounterpart(root: SyntaxNode, type: string, start: number, end: number, edit: Edit): SyntaxNode | undefined {
  const delta = edit.newEnd - edit.oldEnd;
  // Offsets in the old text: a node's start before the edit stays, its end after the edit moved.
  const oldStart = start <= edit.start ? start : start >= edit.newEnd ? start - delta : -1;
  const oldEnd = end <= edit.start ? end : end >= edit.newEnd ? end - delta : -1;
  if (oldStart < 0 || oldEnd < 0) return undefined;
  let node = root;
  for (;;) {
    if (node.startIndex === oldStart && node.endIndex === oldEnd && node.type === type) return node;
    const next = childAround(node.children, oldStart, oldEnd);
    if (!next) return undefined;
    node = next;
  }
}

/** The index of the last of `children` (in document order) that starts before `offset`, or -1: a binary search (a module or a literal can have thousands). */
export function lastStartingBefore(children: readonly SyntaxNode[], offset: number): number {
  let lo = 0;
  let hi = children.length - 1;
  let at = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (children[mid].startIndex < offset) {
      at = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return at;
}

/** The child spanning [start, end). */
function childAround(children: readonly SyntaxNode[], start: number, end: number): SyntaxNode | undefined {
  // The last child that starts at or before `start`; zero-width children before it may share its start.
  const at = lastStartingBefore(children, start + 1);
  for (let i = at; i >= 0 && children[i].startIndex === children[at].startIndex; i--) if (end <= children[i].endIndex) return children[i];
  return undefined;
}

function nodeType(cursor: CopyCursor, tables: Tables): string {
  const id = cursor.nodeTypeId;
  return id === ERROR_SYMBOL ? 'ERROR' : tables.types[id];
}

/** A node whose children are being copied: they collect on a shared stack from `base` on. */
interface Frame {
  typeId: number;
  field: string | null;
  start: number;
  base: number;
  /** The segment the node and its children get: a definition's own, else its parent's. */
  inner: Segment;
  /** The previous copy's node for this one, where there is one: where definitions inside are looked for. */
  old?: SyntaxNode;
  /** A block or literal long enough for its statements or entries to be segments of their own. */
  large?: boolean;
}

/**
 * Copies the cursor's node and everything under it; the cursor ends where it started.
 *
 * A node's offsets are read from the cursor, not derived from its children: the cursor skips
 * hidden children (`_string_content`, `_indent`, ...) that may begin or end the node. The copy
 * outlives the lint, so it is kept small: children gather on one shared stack and each parent
 * takes an array of exactly their number (arrays grown by `push` carry spare room).
 *
 * A definition in a block gets a segment of its own; with `reusable` (an incremental parse),
 * one outside the edit is taken over from the previous copy instead of copied (`taken`).
 */
class Copy {
  readonly taken: Array<{ node: SyntaxNode; delta: number }> = [];

  constructor(
    private readonly cursor: CopyCursor,
    private readonly tables: Tables,
    private readonly tree: SyntaxTree,
    private readonly inError: boolean,
    private readonly previous?: { reuse: Reuse; reusable: Reusable },
    /** Where the parsed text starts in the tree's text (a spliced region's parse): every offset read is moved by it. */
    private readonly base = 0,
  ) {}

  run(): SyntaxNode {
    const { cursor, tables, previous, base } = this;
    const frames: Frame[] = [];
    const pending: SyntaxNode[] = [];
    const top: Segment = { shift: base, tree: this.tree };
    let typeId = cursor.nodeTypeId;
    let field = this.inError ? null : (tables.fields[cursor.currentFieldId] ?? null);
    for (;;) {
      const start = cursor.startIndex;
      const parent: Frame | undefined = frames[frames.length - 1];
      const segment = parent ? parent.inner : top;
      const type = typeName(tables, typeId);
      // A definition in a block or an entry of a literal: its own segment, or the previous copy's node taken over.
      const definition = isUnit(parent, parent && typeName(tables, parent.typeId), type, tables.named[typeId] ?? typeId === ERROR_SYMBOL);
      let done: SyntaxNode | undefined;
      if (definition && parent.old && previous) {
        const old = previous.reusable(type, start + base, cursor.endIndex + base, parent.old, cursor, parent.typeId === ERROR_SYMBOL);
        // A token has no segment of its own to move: copied, never taken over.
        if (old && old.node.children.length > 0) {
          this.taken.push(old);
          (segment.nested ??= []).push(old.node.ownSegment);
          done = old.node;
        }
      }
      // The previous copy's node, followed down as far as it exists (its end is read before the
      // cursor moves to the children).
      const follow = !done && !!previous && (!parent || !!parent.old);
      const collection = !done && (COLLECTIONS.has(type) || CONTAINERS.has(type));
      const end = follow || collection ? cursor.endIndex : 0;
      if (!done && cursor.gotoFirstChild()) {
        const inner: Segment = definition ? { shift: base, tree: this.tree } : segment;
        if (inner !== segment) (segment.nested ??= []).push(inner);
        const old = follow ? oldCounterpart(parent?.old ?? previous!.reuse.tree.rootNode, type, start + base, end + base, previous!.reuse.edit) : undefined;
        frames.push({ typeId, field, start, base: pending.length, inner, old, large: collection && end - start > LARGE_LITERAL });
      } else {
        let node = done ?? leaf(cursor, tables, typeId, field, start, segment);
        for (;;) {
          if (frames.length === 0) return node;
          pending.push(node);
          if (cursor.gotoNextSibling()) break;
          cursor.gotoParent();
          const frame = frames.pop()!;
          node = inner(frame, cursor.endIndex, pending.slice(frame.base), tables);
          pending.length = frame.base;
        }
      }
      typeId = cursor.nodeTypeId;
      // tree-sitter gives the children of an ERROR node no fields.
      field = frames[frames.length - 1].typeId === ERROR_SYMBOL ? null : (tables.fields[cursor.currentFieldId] ?? null);
    }
  }
}

function typeName(t: Tables, typeId: number): string {
  return typeId === ERROR_SYMBOL ? 'ERROR' : (t.types[typeId] ?? '');
}

function leaf(cursor: CopyCursor, tables: Tables, typeId: number, field: string | null, start: number, segment: Segment): SyntaxNode {
  const end = cursor.endIndex;
  // Only a zero-width node can be one the parser inserted; asking costs a call into the runtime.
  const isMissing = start === end && typeId !== ERROR_SYMBOL && cursor.nodeIsMissing;
  return node(tables, typeId, field, start, end, segment, NO_CHILDREN, isMissing);
}

function inner(frame: Frame, end: number, children: SyntaxNode[], tables: Tables): SyntaxNode {
  // A definition's node belongs to its own segment: moving the segment moves the whole definition.
  return node(tables, frame.typeId, frame.field, frame.start, end, frame.inner, children, false);
}

/** A copied node; it has an error if it is an ERROR or missing node or holds one. */
function node(
  tables: Tables,
  typeId: number,
  field: string | null,
  start: number,
  end: number,
  segment: Segment,
  children: SyntaxNode[],
  isMissing: boolean,
): SyntaxNode {
  const isError = typeId === ERROR_SYMBOL;
  const hasError = isError || isMissing || children.some((c) => c.hasError);
  return new SyntaxNode(typeName(tables, typeId), isError || tables.named[typeId], field, start, end, segment, children, isMissing, hasError);
}
