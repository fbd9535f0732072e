/** The TF.js front end (JavaScript and TypeScript). */
import type { Tree } from 'web-tree-sitter';
import type { FrontEndResult } from '../../ir';

export function analyzeTfjs(tree: Tree, text: string): FrontEndResult {
  void tree;
  void text;
  return { models: [], errors: [] };
}
