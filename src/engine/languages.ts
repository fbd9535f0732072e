/** Editors' language ids, apart from the linter so the VS Code extension can read them without loading it. */

/**
 * The editors' language ids initlint lints, each with the file extension it is linted as (an
 * untitled buffer has only its language id). The language server and the extension read this one list.
 */
export const EXTENSION_OF_LANGUAGE_ID: Readonly<Record<string, string>> = {
  python: '.py',
  javascript: '.js',
  javascriptreact: '.jsx',
  typescript: '.ts',
  typescriptreact: '.tsx',
  json: '.json',
  jsonc: '.json',
};
