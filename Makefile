# Stitch: `make serve` and `make test` install whatever is missing, at pinned versions, then run.
SHELL := /bin/bash
.DEFAULT_GOAL := help

TRUNK_VERSION        := 0.21.14
WASM_BINDGEN_VERSION := $(shell sed -n '/^name = "wasm-bindgen"$$/{n;s/^version = "\(.*\)"/\1/p;}' Cargo.lock)
CARGO_BIN            := $(HOME)/.cargo/bin
export PATH          := $(CURDIR)/node_modules/.bin:$(CARGO_BIN):$(PATH)
export CHROMEDRIVER  := /usr/bin/chromedriver

.PHONY: help tools rust-tools node-tools browser build serve test lint unit e2e e2e-data bench clean

help:
	@echo "make serve   build a release and serve it on http://127.0.0.1:8080/"
	@echo "make test    fmt, clippy (host + wasm32), native tests, e2e tests in chromium"
	@echo "make bench   performance benchmark in headless chromium (writes target/bench/)"

tools: rust-tools node-tools browser

rust-tools:
	@rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
	@rustup component list --installed | grep -q '^clippy' || rustup component add clippy
	@rustup component list --installed | grep -q '^rustfmt' || rustup component add rustfmt
	@if [ "$$(trunk --version 2>/dev/null)" != "trunk $(TRUNK_VERSION)" ]; then \
		echo "installing trunk $(TRUNK_VERSION)"; cargo install trunk --locked --version $(TRUNK_VERSION); fi
	@if [ "$$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $(WASM_BINDGEN_VERSION)" ]; then \
		echo "installing wasm-bindgen-cli $(WASM_BINDGEN_VERSION)"; cargo install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION); fi
	@cargo fetch --quiet

node-tools: node_modules/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

browser:
	@if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then \
		echo "installing Debian chromium"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver fonts-liberation; fi

build: rust-tools node-tools
	trunk build --release

serve: build
	@echo "Stitch on http://127.0.0.1:8080/"
	python3 tests/tools/serve.py dist 8080

lint: rust-tools
	cargo fmt --all -- --check
	cargo check --lib --no-default-features
	cargo clippy --all-targets -- -D warnings
	cargo clippy --target wasm32-unknown-unknown --lib --bins -- -D warnings

# The core's tests need no web crate: the `web` feature (the UI) is left out.
unit: rust-tools
	cargo test --release --no-default-features

e2e: build browser e2e-data
	npx playwright test

# Generated traces for the browser tests (deterministic; the OpenTelemetry SDK's IDs are random). `cargo run` finds
# the example wherever the target directory is.
e2e-data: rust-tools node-tools
	cargo build --release --no-default-features --example gen
	@for f in jaeger otlp zipkin; do \
		[ -f target/e2e/$$f-10k.json ] || cargo run --release --no-default-features --quiet --example gen -- --spans 10000 --format $$f --out target/e2e/$$f-10k.json; done
	@[ -f target/e2e/jaeger-200k.json ] || cargo run --release --no-default-features --quiet --example gen -- --spans 200000 --format jaeger --out target/e2e/jaeger-200k.json
	node tests/e2e/otel-client.mjs target/e2e
	node tests/e2e/otel-set.mjs target/e2e
	node tests/e2e/otel-links.mjs target/e2e

test: tools
	$(MAKE) lint
	$(MAKE) unit
	$(MAKE) e2e

bench: build browser
	cargo run --release --no-default-features --example gen -- --bench-files target/bench
	cargo run --release --no-default-features --example bench_core
	node tests/bench/bench.mjs
	node tests/bench/set.mjs
	node tests/bench/views.mjs

clean:
	rm -rf dist target/bench test-results
