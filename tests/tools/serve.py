"""`make serve`: serves dist/ on 127.0.0.1:8080 with `Cache-Control: no-cache`.

The parse worker's files (worker-boot.js, worker.js, worker_bg.wasm) are not content-hashed by Trunk, so a browser
must revalidate them, or after a rebuild it could pair a stale worker.js with a new worker_bg.wasm.
"""
import functools
import http.server
import sys


class Handler(http.server.SimpleHTTPRequestHandler):
    def end_headers(self):
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()


if __name__ == "__main__":
    directory = sys.argv[1] if len(sys.argv) > 1 else "dist"
    port = int(sys.argv[2]) if len(sys.argv) > 2 else 8080
    handler = functools.partial(Handler, directory=directory)
    http.server.ThreadingHTTPServer(("127.0.0.1", port), handler).serve_forever()
