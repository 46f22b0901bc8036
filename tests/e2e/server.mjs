// A static server for the e2e tests: dist/ under /stitch/ and /deep/sub/path/, fixtures under /fixtures/.
// Loopback only. Usage: node tests/e2e/server.mjs PORT
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
  ['/deep/sub/path/', path.join(root, 'dist')],
  ['/fixtures/', path.join(root, 'tests', 'fixtures')],
  ['/examples/', path.join(root, 'examples')],
  ['/generated/', path.join(root, 'target', 'e2e')],
  ['/generated-bench/', path.join(root, 'target', 'bench')],
];

http.createServer((req, res) => {
  const url = new URL(req.url, 'http://localhost');
  for (const [prefix, dir] of mounts) {
    if (!url.pathname.startsWith(prefix)) continue;
    let rel = decodeURIComponent(url.pathname.slice(prefix.length)) || 'index.html';
    const file = path.resolve(dir, rel);
    if (!file.startsWith(dir)) break;
    fs.readFile(file, (err, data) => {
      if (err) { res.writeHead(404, { 'content-type': 'text/plain' }); res.end('not found'); return; }
      res.writeHead(200, {
        'content-type': types[path.extname(file)] || 'application/octet-stream',
        'cache-control': 'no-cache',
        'access-control-allow-origin': '*',
      });
      res.end(data);
    });
    return;
  }
  res.writeHead(404, { 'content-type': 'text/plain' });
  res.end('not found');
}).listen(port, '127.0.0.1', () => console.log(`e2e server on http://127.0.0.1:${port}/stitch/`));
