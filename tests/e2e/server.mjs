// A static server for the e2e tests: dist/ under /stitch/, /deep/sub/path/, /trusted/ (whose stitch.config.json
// trusts the origin of hostile.spec.mjs's host pages, http://127.0.0.1:4176) and /links/ (whose stitch.config.json has
// link templates and trusts links.spec.mjs's host pages, http://127.0.0.1:4179), fixtures under /fixtures/. /no-credentials/<fixture> answers
// 403 to a request that carries a cookie or HTTP authentication. Loopback only. Usage: node tests/e2e/server.mjs PORT
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const port = Number(process.argv[2] || 4173);
const types = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm',
  '.css': 'text/css', '.svg': 'image/svg+xml', '.json': 'application/json', '.jsonl': 'application/json',
  '.gz': 'application/gzip', '.png': 'image/png',
};
const mounts = [
  ['/stitch/', path.join(root, 'dist')],
  ['/trusted/', path.join(root, 'dist')],
  ['/links/', path.join(root, 'dist')],
  ['/no-credentials/', path.join(root, 'tests', 'fixtures')],
  ['/deep/sub/path/', path.join(root, 'dist')],
  ['/fixtures/', path.join(root, 'tests', 'fixtures')],
  ['/examples/', path.join(root, 'examples')],
  ['/pages/', path.join(root, 'tests', 'e2e', 'pages')],
  ['/generated/', path.join(root, 'target', 'e2e')],
  ['/generated-bench/', path.join(root, 'target', 'bench')],
];

// The deployer's file, in place of dist/'s default one.
const overrides = {
  '/trusted/stitch.config.json': path.join(root, 'tests', 'e2e', 'trusted.config.json'),
  '/links/stitch.config.json': path.join(root, 'tests', 'e2e', 'links.config.json'),
};

http.createServer((req, res) => {
  const url = new URL(req.url, 'http://localhost');
  if (url.pathname.startsWith('/no-credentials/') && (req.headers.cookie || req.headers.authorization)) {
    res.writeHead(403, { 'content-type': 'text/plain', 'access-control-allow-origin': '*' });
    res.end('credentials were sent');
    return;
  }
  for (const [prefix, dir] of mounts) {
    if (!url.pathname.startsWith(prefix)) continue;
    let rel = decodeURIComponent(url.pathname.slice(prefix.length)) || 'index.html';
    const file = overrides[url.pathname] || path.resolve(dir, rel);
    if (!file.startsWith(dir) && !overrides[url.pathname]) break;
    fs.readFile(file, (err, data) => {
      if (err) { res.writeHead(404, { 'content-type': 'text/plain' }); res.end('not found'); return; }
      res.writeHead(200, {
        'content-type': types[path.extname(file)] || 'application/octet-stream',
        'cache-control': 'no-cache',
        'x-content-type-options': 'nosniff',
        'access-control-allow-origin': '*',
      });
      res.end(data);
    });
    return;
  }
  res.writeHead(404, { 'content-type': 'text/plain' });
  res.end('not found');
}).listen(port, '127.0.0.1', () => console.log(`e2e server on http://127.0.0.1:${port}/stitch/`));
