"""`make serve`: serves dist/ on 127.0.0.1:8080 with the headers README.md's "Hosting" section asks of a deployment.

- `Content-Security-Policy: frame-ancestors *`: who may frame Stitch at all (open here: embedding is a feature; a
  deployment names its dashboards instead).
- `X-Content-Type-Options: nosniff`, and `.wasm` as `application/wasm`.
- `Cache-Control: no-cache` on every file: the parse worker's files (worker-boot.js, engine-boot.js, worker.js,
  worker_bg.wasm) and stitch.config.json are not content-hashed by Trunk, so a browser must revalidate them, or after a
  rebuild it could pair a stale worker.js with a new worker_bg.wasm.
"""
import functools
import http.server
import sys

HEADERS = {
    "Content-Security-Policy": "frame-ancestors *",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-cache",
}


class Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".wasm": "application/wasm",
        ".js": "text/javascript",
        ".json": "application/json",
    }

    def end_headers(self):
        for name, value in HEADERS.items():
            self.send_header(name, value)
        super().end_headers()


if __name__ == "__main__":
    directory = sys.argv[1] if len(sys.argv) > 1 else "dist"
    port = int(sys.argv[2]) if len(sys.argv) > 2 else 8080
    handler = functools.partial(Handler, directory=directory)
    http.server.ThreadingHTTPServer(("127.0.0.1", port), handler).serve_forever()
