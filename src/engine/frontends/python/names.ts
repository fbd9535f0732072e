/**
 * Import aliases of a Python module: which local name stands for which qualified name.
 * `import tensorflow as tf`, `from tensorflow import keras`, `from keras.layers import Dense as D`
 * and `L = tf.keras.layers` all end up here, normalised so that every spelling of Keras reads
 * `keras.…` (tf.keras, tensorflow.keras, tensorflow.python.keras and tf_keras are one API).
 */
import type { SyntaxNode as Node } from '../../syntaxTree';
import { statementsAt } from './syntax';

const PREFIXES: Array<[string, string]> = [
  ['tensorflow.python.keras', 'keras'],
  ['tensorflow.compat.v1.keras', 'keras'],
  ['tensorflow.keras', 'keras'],
  ['tf_keras', 'keras'],
  ['keras.src', 'keras'],
  ['keras.api', 'keras'],
  ['tensorflow.initializers', 'keras.initializers'],
];

/** The prefixes with their dot, made once: this runs for every attribute the interpreter reads. */
const DOTTED_PREFIXES = PREFIXES.map(([from, to]) => [from, `${from}.`, to] as const);

export function normalizeQualified(path: string): string {
  for (const [from, dotted, to] of DOTTED_PREFIXES) {
    if (path === from || path.startsWith(dotted)) return to + path.slice(from.length);
  }
  return path;
}

export interface ImportTable {
  /** Local name -> normalised qualified name. */
  aliases: Map<string, string>;
  /** Modules imported with `from M import *`. */
  wildcards: string[];
}

function dotted(node: Node | null): string | undefined {
  return node ? node.text.replace(/\s+/g, '') : undefined;
}

/** Collect the import statements of a module (at any depth: imports inside functions count too). */
export function collectImports(root: Node, text: string): ImportTable {
  const table: ImportTable = { aliases: new Map(), wildcards: [] };
  for (const stmt of statementsAt(root, text, /import\b|from\b/, ['import_statement', 'import_from_statement'])) {
    if (stmt.type === 'import_statement') {
      for (const child of stmt.namedChildren) {
        if (!child) continue;
        if (child.type === 'aliased_import') {
          const name = dotted(child.childForFieldName('name'));
          const alias = child.childForFieldName('alias')?.text;
          if (name && alias) table.aliases.set(alias, normalizeQualified(name));
        } else if (child.type === 'dotted_name') {
          // `import tensorflow.keras.layers` binds `tensorflow`.
          const first = child.text.split('.')[0].trim();
          table.aliases.set(first, normalizeQualified(first));
        }
      }
    } else {
      const moduleNode = stmt.childForFieldName('module_name');
      const mod = dotted(moduleNode);
      if (!mod || mod.startsWith('.')) continue;
      for (const child of stmt.namedChildren) {
        if (!child || child.id === moduleNode?.id) continue;
        if (child.type === 'wildcard_import') table.wildcards.push(normalizeQualified(mod));
        else if (child.type === 'aliased_import') {
          const name = dotted(child.childForFieldName('name'));
          const alias = child.childForFieldName('alias')?.text;
          if (name && alias) table.aliases.set(alias, normalizeQualified(`${mod}.${name}`));
        } else if (child.type === 'dotted_name') {
          table.aliases.set(child.text, normalizeQualified(`${mod}.${child.text}`));
        }
      }
    }
  }
  return table;
}

export function lastSegment(path: string): string {
  const i = path.lastIndexOf('.');
  return i < 0 ? path : path.slice(i + 1);
}
