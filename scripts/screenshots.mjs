#!/usr/bin/env node
// Refreshes the pictures in docs/images: runs the end-to-end journey (test/e2e/journey.mjs) at
// 1280×800 and lets it save its screenshots of the main screens there:
//
//   hover.png                 the squiggles and the hover with Var(w) and the fans
//   quick-fix.png             Ctrl+. on the diagnostic: "Use HeNormal"
//   initialization-panel.png  the Initialization panel: file → model → layers
//   simulator.png             the Simulate Initialization webview, compared with LeCun normal
//
//   node scripts/screenshots.mjs [--out docs/images]
//
// The journey writes into a scratch folder; the pictures replace those in docs/images only when
// every step passed, so a failed run never leaves a mix of old and new. Exit code: the journey's.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { out: { type: 'string', default: join(root, 'docs', 'images') } } });
const out = resolve(values.out);
const PICTURES = ['hover', 'quick-fix', 'initialization-panel', 'simulator'].map((name) => `${name}.png`);

const scratch = mkdtempSync(join(tmpdir(), 'initlint-screenshots-'));
try {
  const journey = spawnSync(process.execPath, [join(root, 'test', 'e2e', 'journey.mjs'), '--screenshots', scratch, '--viewport', '1280x800'], {
    cwd: root,
    stdio: 'inherit',
  });
  const missing = PICTURES.filter((name) => !existsSync(join(scratch, name)));
  if (journey.status !== 0 || missing.length) {
    console.error(`[screenshots] ${relative(process.cwd(), out) || '.'} left as it was: the journey ${journey.status !== 0 ? `failed (exit ${journey.status ?? journey.signal})` : `did not take ${missing.join(', ')}`}`);
    process.exitCode = journey.status || 1;
  } else {
    mkdirSync(out, { recursive: true });
    for (const name of PICTURES) {
      copyFileSync(join(scratch, name), join(out, name));
      console.log(`[screenshots] ${relative(process.cwd(), join(out, basename(name)))}: ${Math.round(statSync(join(out, name)).size / 1024)} KB`);
    }
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
