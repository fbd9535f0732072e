// A tiny static server for the browser test, on 127.0.0.1 only: dist/ and media/ as the
// extension serves them to its webview, the harness files, and at / the panel's page from
// renderPage (the function the extension uses) with the stand-in for VS Code added by nonce.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { extname, join, normalize, sep } from 'node:path';
import { renderPage } from '../../webview/page.ts';

const TYPES = {
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.wasm': 'application/wasm',
  '.map': 'application/json',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
};

/** The test page: renderPage's HTML plus the fixture, the theme and the harness (by the same nonce). */
/** `backend`, `renderer`: what the extension would pass (initlint.simulator.backend, the renderer an earlier panel found): the page's ?backend= and ?renderer=. */
export function testPage(origin, model, backend, renderer) {
  const nonce = randomBytes(16).toString('base64');
  const html = renderPage({
    cspSource: origin,
    nonce,
    scriptUri: `${origin}/dist/webview.js`,
    styleUri: `${origin}/media/simulator.css`,
    title: 'Simulate Initialization',
    backend,
    renderer,
  });
  const json = JSON.stringify(model).replace(/</g, '\\u003c');
  const inject = [
    `<script type="application/json" id="fixture">${json}</script>`,
    `<link rel="stylesheet" href="${origin}/test/theme.css">`,
    `<script nonce="${nonce}" src="${origin}/test/harness.js"></script>`,
  ].join('\n');
  return html.replace('</head>', `${inject}\n</head>`);
}

export async function startServer(root, model) {
  const mounts = { '/dist/': join(root, 'dist'), '/media/': join(root, 'media'), '/test/': join(root, 'test', 'browser') };
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const origin = `http://${req.headers.host}`;
    try {
      if (url.pathname === '/favicon.ico') {
        res.writeHead(204);
        res.end();
        return;
      }
      if (url.pathname === '/' || url.pathname === '/index.html') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
        res.end(testPage(origin, model, url.searchParams.get('backend') ?? undefined, url.searchParams.get('renderer') ?? undefined));
        return;
      }
      const mount = Object.keys(mounts).find((m) => url.pathname.startsWith(m));
      if (!mount) throw Object.assign(new Error('not found'), { code: 'ENOENT' });
      const base = mounts[mount];
      const file = normalize(join(base, decodeURIComponent(url.pathname.slice(mount.length))));
      if (!file.startsWith(base + sep)) throw Object.assign(new Error('outside'), { code: 'ENOENT' });
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
      res.end(body);
    } catch (e) {
      res.writeHead(e && e.code === 'ENOENT' ? 404 : 500, { 'content-type': 'text/plain' });
      res.end(String(e && e.message));
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return { origin: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(resolve)) };
}
