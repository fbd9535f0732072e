// Debian's Chromium as every browser-driving test here launches it (never a downloaded browser).
export const CHROMIUM = process.env.INITLINT_CHROMIUM || process.env.CHROMIUM || '/usr/bin/chromium';

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
