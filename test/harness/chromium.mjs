// The Chromium every browser-driving test here launches (never a browser downloaded at test time):
//   1. INITLINT_CHROMIUM (or CHROMIUM): a path you choose;
//   2. Debian's chromium at /usr/bin/chromium, what .ci/run installs;
//   3. otherwise the Chromium inside the @sparticuz/chromium npm package (a devDependency, MIT,
//      about 64 MB): brotli-compressed in the package, unpacked once into the temp folder, with
//      the shared libraries it ships for machines that lack Chromium's system packages and
//      SwiftShader for WebGL. INITLINT_NPM_CHROMIUM=1 picks it even where Debian's exists.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

const SYSTEM_CHROMIUM = '/usr/bin/chromium';

async function npmChromium() {
  const require = createRequire(import.meta.url);
  // Its entry is build/cjs/index.cjs (its package.json is not exported): the package is three folders up.
  const pkg = dirname(dirname(dirname(require.resolve('@sparticuz/chromium'))));
  const { default: chromium } = await import('@sparticuz/chromium');
  const path = await chromium.executablePath();
  // Its libraries (NSS, ATK, GTK's few, ...), which it unpacks itself only on Amazon Linux: here too,
  // so that a machine without Debian's chromium package still has them.
  const { inflate } = await import(pathToFileURL(join(pkg, 'build', 'esm', 'lambdafs.js')).href);
  const lib = join(await inflate(join(pkg, 'bin', 'al2023.tar.br')), 'lib');
  return { path, env: { LD_LIBRARY_PATH: [lib, tmpdir(), process.env.LD_LIBRARY_PATH].filter(Boolean).join(':') }, source: '@sparticuz/chromium (npm)' };
}

async function resolveChromium() {
  const chosen = process.env.INITLINT_CHROMIUM || process.env.CHROMIUM;
  if (chosen) return { path: chosen, env: {}, source: 'INITLINT_CHROMIUM' };
  if (existsSync(SYSTEM_CHROMIUM) && !process.env.INITLINT_NPM_CHROMIUM) return { path: SYSTEM_CHROMIUM, env: {}, source: "Debian's chromium" };
  try {
    return await npmChromium();
  } catch (error) {
    // The callers report a missing browser with what to do.
    return { path: SYSTEM_CHROMIUM, env: {}, source: `none (no ${SYSTEM_CHROMIUM}, and @sparticuz/chromium failed: ${error.message})` };
  }
}

const resolved = await resolveChromium();
export const CHROMIUM = resolved.path;
/** Environment the browser needs (the npm Chromium's library path); merge it into launch options. */
export const CHROMIUM_ENV = { ...process.env, ...resolved.env };
export const CHROMIUM_SOURCE = resolved.source;

export const CHROMIUM_ARGS = [
  '--no-sandbox', // runs as root in containers and CI
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking', // no internet here: no update, safe-browsing, ... look-ups
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage', // small /dev/shm in containers
  // WebGL2 through ANGLE on SwiftShader: the simulator's TF.js webgl backend works without a GPU.
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
];
