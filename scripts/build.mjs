// Bundles the engine, the CLI (and, later, the extension and webview) with esbuild into dist/,
// and copies the tree-sitter .wasm files beside them so nothing is fetched at run time.
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const dist = join(root, 'dist');

// The engine must stay free of `vscode`: it runs in the CLI, tests and the webview too.
const forbidVscodeInEngine = {
  name: 'forbid-vscode-in-engine',
  setup(build) {
    build.onResolve({ filter: /^vscode$/ }, (args) => {
      if (args.importer.includes(`${join('src', 'engine')}`)) {
        return { errors: [{ text: `src/engine must not import vscode (imported by ${args.importer})` }] };
      }
      return { path: 'vscode', external: true };
    });
  },
};

// `--production` (used by `npm run package`): minified, no source maps in the .vsix.
const production = process.argv.includes('--production');
// A package build starts from an empty dist/: no stale source maps in the .vsix.
if (production) rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  plugins: [forbidVscodeInEngine],
  // jsonc-parser's UMD build requires its modules dynamically, which a bundle cannot follow.
  mainFields: ['module', 'main'],
  // The CommonJS build of web-tree-sitter: its ESM build needs import.meta.url, empty in a CJS bundle.
  alias: { 'web-tree-sitter': require.resolve('web-tree-sitter') },
};

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
await Promise.all([
  esbuild.build({ ...common, entryPoints: [join(root, 'src/engine/index.ts')], outfile: join(dist, 'engine.js') }),
  esbuild.build({ ...common, entryPoints: [join(root, 'src/extension/extension.ts')], outfile: join(dist, 'extension.js') }),
  esbuild.build({
    ...common,
    entryPoints: [join(root, 'src/cli/main.ts')],
    outfile: join(dist, 'cli.js'),
    banner: { js: '#!/usr/bin/env node' },
    define: { INITLINT_VERSION: JSON.stringify(pkg.version) },
  }),
  // The `initlint-server` bin: the language server alone (`initlint server` runs the same).
  esbuild.build({ ...common, entryPoints: [join(root, 'src/server/main.ts')], outfile: join(dist, 'server.js'), banner: { js: '#!/usr/bin/env node' } }),
]);

// The integration suite runs inside VS Code's extension host: bundled like the extension,
// with mocha resolved at run time from node_modules.
await esbuild.build({
  ...common,
  entryPoints: ['index.ts', 'extension.test.ts', 'multiRoot.test.ts'].map((f) => join(root, 'test/integration', f)),
  outdir: join(root, 'dist-test', 'integration'),
  external: ['vscode', 'mocha'],
});

// The Simulate Initialization webview: the page's bundle (TF.js, chart.js, the toolkit) and the
// simulation worker's for long runs (TF.js and the simulation core), with the TF.js wasm
// backend's binaries beside them (both point setWasmPaths at their own folder).
for (const [entry, out] of [
  ['webview/main.ts', 'webview.js'],
  ['webview/simWorker.ts', 'simWorker.js'],
]) {
  await esbuild.build({
    entryPoints: [join(root, entry)],
    outfile: join(dist, out),
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    sourcemap: !production,
    minify: production,
    logLevel: 'warning',
  });
}
// Not the threaded build: a webview is not cross-origin isolated, and the app turns threads off.
for (const file of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm']) {
  copyFileSync(require.resolve(`@tensorflow/tfjs-backend-wasm/dist/${file}`), join(dist, file));
}

for (const [pkgName, file] of [
  ['web-tree-sitter', 'tree-sitter.wasm'],
  ['tree-sitter-python', 'tree-sitter-python.wasm'],
  ['tree-sitter-javascript', 'tree-sitter-javascript.wasm'],
  ['tree-sitter-typescript', 'tree-sitter-typescript.wasm'],
  ['tree-sitter-typescript', 'tree-sitter-tsx.wasm'],
]) {
  copyFileSync(require.resolve(`${pkgName}/${file}`), join(dist, file));
}
console.log('built dist/engine.js, dist/cli.js, dist/server.js, dist/extension.js, dist/webview.js, dist/simWorker.js');
