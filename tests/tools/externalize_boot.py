#!/usr/bin/env python3
"""Trunk post-build hook: moves Trunk's inline boot <script> into its own file.

A strict Content-Security-Policy (`script-src 'self' 'wasm-unsafe-eval'`, no 'unsafe-inline') blocks inline
scripts, and Trunk 0.21 always writes one. This rewrites <dir>/index.html to load ./boot-<hash>.js instead.
Usage: externalize_boot.py [dir]   (default: $TRUNK_STAGING_DIR)
"""
import hashlib
import os
import re
import sys

d = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("TRUNK_STAGING_DIR", "dist")
path = os.path.join(d, "index.html")
html = open(path, encoding="utf-8").read()
m = re.search(r'<script type="module"(?: nonce="[^"]*")?>(.*?)</script>', html, re.S)
if not m:
    sys.exit(0)  # already external
body = m.group(1).strip() + "\n"
name = "boot-%s.js" % hashlib.sha256(body.encode()).hexdigest()[:16]
with open(os.path.join(d, name), "w", encoding="utf-8") as f:
    f.write(body)
html = html[: m.start()] + '<script type="module" src="./%s"></script>' % name + html[m.end():]
open(path, "w", encoding="utf-8").write(html)
