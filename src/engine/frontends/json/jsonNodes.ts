/** Reading jsonc-parser trees: property lookup, scalars and shapes, with offsets kept. */
import type { Node } from 'jsonc-parser';

export type Dim = number | null;

/** The value node of `key` in an object node (the last one, as JSON.parse keeps). */
export function prop(obj: Node | undefined, key: string): Node | undefined {
  if (!obj || obj.type !== 'object' || !obj.children) return undefined;
  let found: Node | undefined;
  for (const p of obj.children) {
    const k = p.children?.[0];
    if (k && k.type === 'string' && k.value === key) found = p.children?.[1];
  }
  return found;
}

/** The property nodes of an object that have both a key and a value. */
export function properties(obj: Node | undefined): Array<{ key: Node; value: Node; prop: Node }> {
  if (!obj || obj.type !== 'object' || !obj.children) return [];
  const out: Array<{ key: Node; value: Node; prop: Node }> = [];
  for (const p of obj.children) {
    const key = p.children?.[0];
    const value = p.children?.[1];
    if (key && value) out.push({ key, value, prop: p });
  }
  return out;
}

export function str(n: Node | undefined): string | undefined {
  return n?.type === 'string' && typeof n.value === 'string' ? n.value : undefined;
}

export function num(n: Node | undefined): number | undefined {
  return n?.type === 'number' && typeof n.value === 'number' && Number.isFinite(n.value) ? n.value : undefined;
}

export function int(n: Node | undefined): number | undefined {
  const v = num(n);
  return v !== undefined && Number.isInteger(v) && v >= 0 ? v : undefined;
}

export function isObject(n: Node | undefined): n is Node {
  return n?.type === 'object';
}

export function items(n: Node | undefined): Node[] {
  return n?.type === 'array' && n.children ? n.children : [];
}

/** `[null, 28, 28, 1]` as dims; undefined for anything else. */
export function shapeOf(n: Node | undefined): Dim[] | undefined {
  if (n?.type !== 'array' || !n.children) return undefined;
  const out: Dim[] = [];
  for (const d of n.children) {
    if (d.type === 'null') out.push(null);
    else {
      const v = int(d);
      if (v === undefined) return undefined;
      out.push(v);
    }
  }
  return out;
}

/** An int or an int list of the given rank (`3` or `[3, 3]`), as Keras normalizes kernel sizes. */
export function tupleOf(n: Node | undefined, rank: number): number[] | undefined {
  const single = int(n);
  if (single !== undefined) return Array(rank).fill(single);
  const s = shapeOf(n);
  if (!s || s.length !== rank || s.some((d) => d === null)) return undefined;
  return s as number[];
}

export function textOf(text: string, n: Node): string {
  return text.slice(n.offset, n.offset + n.length);
}

/** A JSON value as a constant (numbers, strings, booleans, null, arrays of them); undefined for objects. */
export function constOf(n: Node | undefined, depth = 0): unknown {
  if (!n) return undefined;
  switch (n.type) {
    case 'number':
      return num(n);
    case 'string':
    case 'boolean':
      return n.value;
    case 'null':
      return null;
    case 'array': {
      if (depth > 8) return undefined;
      const out = items(n).map((c) => constOf(c, depth + 1));
      return out.some((v) => v === undefined) ? undefined : out;
    }
    default:
      return undefined;
  }
}
