// Writes a set of traces with the real OpenTelemetry JS SDK, as the Collector's file exporter would store them:
// OTLP JSON Lines, one ExportTraceServiceRequest per line, batches of about 50 spans, so traces run over lines.
// Four services, each its own BasicTracerProvider and resource; the W3C traceparent header carries a trace from one
// service to the next. Three request kinds; in about one POST /v1/charges trace in ten the ledger insert takes ten
// times its usual time and everything else is as usual.
// Also writes the producer's ground truth (otel-set-truth.json) and the first five POST traces once more as Zipkin
// JSON, one file per service, from the SDK's Zipkin exporter (its POST caught on loopback).
// Deterministic but for the IDs (the SDK's own, random): a seeded PRNG and explicit start and end times.
// Usage: node tests/e2e/otel-set.mjs OUTDIR
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, defaultTextMapGetter, defaultTextMapSetter, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { ZipkinExporter } from '@opentelemetry/exporter-zipkin';

const out = process.argv[2] || 'target/e2e';
fs.mkdirSync(out, { recursive: true });

const TRACES = 300;
const EPOCH_S = 1763647200; // 2025-11-20 14:00:00 UTC
const SPREAD_NS = 600e9; // ten minutes
const SLOW_FACTOR = 10;
const SLOW_SHARE = 0.1;
const INSERT_NS = [4e6, 6e6]; // the ledger insert's usual time, uniform in this range
const MS = 1e6;

// mulberry32: a small seeded PRNG.
let seed = 20251120;
const random = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const between = (lo, hi) => Math.round(lo + random() * (hi - lo));

// Times are integer nanoseconds since EPOCH_S, handed to the SDK as HrTime [seconds, nanoseconds].
const hr = (ns) => [EPOCH_S + Math.floor(ns / 1e9), ns % 1e9];

const exporter = new InMemorySpanExporter();
const SERVICES = ['api-gateway', 'payments', 'fraud-check', 'ledger-db'];
const tracers = Object.fromEntries(SERVICES.map((name) => {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': name, 'service.version': '1.4.2', 'deployment.environment.name': 'staging' }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  return [name, provider.getTracer(`stitch-set/${name}`, '1.0.0')];
}));

// A call from one service to the next: the traceparent header is injected on one side and extracted on the other.
const propagator = new W3CTraceContextPropagator();
const headersFor = (span) => {
  const headers = {};
  propagator.inject(trace.setSpan(ROOT_CONTEXT, span), headers, defaultTextMapSetter);
  return headers;
};
const received = (headers) => propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
const local = (span) => trace.setSpan(ROOT_CONTEXT, span);

const start = (service, name, kind, attributes, at, ctx = ROOT_CONTEXT) =>
  tracers[service].startSpan(name, { kind, attributes, startTime: hr(at) }, ctx);

const fail = (span, type, message, at) => {
  span.recordException({ name: type, message }, hr(at));
  span.setStatus({ code: SpanStatusCode.ERROR, message });
};

const gateway = (method, route, at) => start('api-gateway', `${method} ${route}`, SpanKind.SERVER, {
  'http.request.method': method, 'http.route': route, 'url.path': route, 'url.scheme': 'https',
  'server.address': 'api.example.com', 'user_agent.original': 'stitch-set/1.0',
}, at);

const auth = (root, at) => {
  const span = start('api-gateway', 'auth.verify', SpanKind.INTERNAL, { 'enduser.id': `acct-${between(1000, 9999)}` }, at, local(root));
  const end = at + between(0.2 * MS, 0.5 * MS);
  span.end(hr(end));
  return end;
};

// POST /v1/charges: api-gateway → payments: charge → fraud-check: score, then ledger-db: INSERT ledger_entries.
function charge(at, slow) {
  const root = gateway('POST', '/v1/charges', at);
  let t = auth(root, at + between(0.1 * MS, 0.3 * MS)) + between(0.2 * MS, 0.4 * MS);
  const pay = start('payments', 'charge', SpanKind.SERVER, {
    'rpc.system': 'grpc', 'rpc.service': 'payments.v1.Payments', 'rpc.method': 'Charge', 'network.peer.address': '10.0.3.14',
  }, t, received(headersFor(root)));
  t += between(0.1 * MS, 0.3 * MS);
  const score = start('fraud-check', 'score', SpanKind.SERVER, {
    'rpc.system': 'grpc', 'rpc.service': 'fraud.v1.FraudCheck', 'rpc.method': 'Score', 'fraud.model': 'gbm-2025-10',
  }, t, received(headersFor(pay)));
  const failed = random() < 0.06;
  t += between(3 * MS, 6 * MS);
  if (failed) fail(score, 'ModelTimeout', 'fraud model did not answer in time', t - 0.1 * MS);
  score.setAttribute('rpc.grpc.status_code', failed ? 4 : 0);
  score.end(hr(t));
  let insertNs = null;
  if (!failed) {
    t += between(0.1 * MS, 0.2 * MS);
    insertNs = between(INSERT_NS[0], INSERT_NS[1]) * (slow ? SLOW_FACTOR : 1);
    const insert = start('ledger-db', 'INSERT ledger_entries', SpanKind.CLIENT, {
      'db.system': 'postgresql', 'db.namespace': 'ledger', 'db.operation.name': 'INSERT', 'db.collection.name': 'ledger_entries',
      'db.statement': 'INSERT INTO ledger_entries (account_id, amount_minor, currency) VALUES ($1, $2, $3)',
      'server.address': 'ledger-db.internal', 'server.port': 5432,
    }, t, received(headersFor(pay)));
    t += insertNs;
    insert.end(hr(t));
  }
  t += between(0.2 * MS, 0.4 * MS);
  if (failed) pay.setStatus({ code: SpanStatusCode.ERROR, message: 'fraud check failed' });
  pay.setAttribute('rpc.grpc.status_code', failed ? 14 : 0);
  pay.end(hr(t));
  t += between(0.2 * MS, 0.4 * MS);
  root.setAttribute('http.response.status_code', failed ? 502 : 201);
  if (failed) root.setStatus({ code: SpanStatusCode.ERROR });
  root.end(hr(t));
  return { traceId: root.spanContext().traceId, failed, insertNs, spans: failed ? 4 : 5 };
}

// GET /v1/balance: api-gateway → ledger-db: SELECT balances.
function balance(at) {
  const root = gateway('GET', '/v1/balance', at);
  let t = auth(root, at + between(0.1 * MS, 0.3 * MS)) + between(0.1 * MS, 0.2 * MS);
  const select = start('ledger-db', 'SELECT balances', SpanKind.CLIENT, {
    'db.system': 'postgresql', 'db.namespace': 'ledger', 'db.operation.name': 'SELECT', 'db.collection.name': 'balances',
    'db.statement': 'SELECT amount_minor, currency FROM balances WHERE account_id = $1',
    'server.address': 'ledger-db.internal', 'server.port': 5432,
  }, t, received(headersFor(root)));
  const failed = random() < 0.04;
  t += between(1 * MS, 3 * MS);
  if (failed) fail(select, 'DeadlockDetected', 'deadlock detected', t - 0.05 * MS);
  select.end(hr(t));
  t += between(0.2 * MS, 0.4 * MS);
  root.setAttribute('http.response.status_code', failed ? 500 : 200);
  if (failed) root.setStatus({ code: SpanStatusCode.ERROR });
  root.end(hr(t));
  return { traceId: root.spanContext().traceId, failed, spans: 3 };
}

// GET /v1/health: api-gateway alone.
function health(at) {
  const root = gateway('GET', '/v1/health', at);
  root.setAttribute('http.response.status_code', 200);
  root.end(hr(at + between(0.1 * MS, 0.4 * MS)));
  return { traceId: root.spanContext().traceId, failed: false, spans: 1 };
}

const KINDS = ['POST /v1/charges', 'GET /v1/balance', 'GET /v1/health'];
const made = [];
for (let i = 0; i < TRACES; i++) {
  const at = Math.round((i * SPREAD_NS) / TRACES) + between(0, 1.5e9);
  const pick = random();
  const kind = pick < 0.5 ? KINDS[0] : pick < 0.8 ? KINDS[1] : KINDS[2];
  const slow = kind === KINDS[0] && random() < SLOW_SHARE;
  const r = kind === KINDS[0] ? charge(at, slow) : kind === KINDS[1] ? balance(at) : health(at);
  made.push({ ...r, kind, slow, at });
}
const spans = exporter.getFinishedSpans();
const expected = made.reduce((n, m) => n + m.spans, 0);
if (spans.length !== expected) throw new Error(`the SDK finished ${spans.length} spans, ${expected} were made`);

// The Collector's file exporter: one request per line, spans in the order they ended, batches of 40 to 60.
const lines = [];
for (let i = 0; i < spans.length;) {
  const n = between(40, 60);
  lines.push(Buffer.from(JsonTraceSerializer.serializeRequest(spans.slice(i, i + n))).toString('utf8'));
  i += n;
}
fs.writeFileSync(path.join(out, 'otel-set.jsonl'), lines.join('\n') + '\n');

// The first five POST traces, once more, as each service's Zipkin exporter posts them.
const postIds = made.filter((m) => m.kind === KINDS[0]).slice(0, 5).map((m) => m.traceId);
const zipkinFiles = {};
for (const service of SERVICES) {
  const own = spans.filter((s) => postIds.includes(s.spanContext().traceId) && s.resource.attributes['service.name'] === service);
  if (own.length === 0) continue;
  const file = `otel-zipkin-${service}.json`;
  fs.writeFileSync(path.join(out, file), await zipkinPost(own));
  zipkinFiles[file] = own.length;
}

/** The body the Zipkin exporter POSTs for `batch`, caught by a server on loopback. */
function zipkinPost(batch) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('zipkin exporter did not post')), 10000);
    const server = http.createServer((req, res) => {
      let data = '';
      req.on('data', (c) => { data += c; });
      req.on('end', () => { res.writeHead(202); res.end(); server.close(); clearTimeout(timer); resolve(data); });
    });
    server.listen(0, '127.0.0.1', () => {
      const zipkin = new ZipkinExporter({ url: `http://127.0.0.1:${server.address().port}/api/v2/spans` });
      zipkin.export(batch, (r) => { if (r.code !== 0) reject(r.error); });
    });
  });
}

const charges = made.filter((m) => m.kind === KINDS[0]);
const slowOnes = charges.filter((m) => m.slow && m.insertNs !== null);
const usual = charges.filter((m) => !m.slow && m.insertNs !== null).map((m) => m.insertNs);
const iso = (ns) => new Date(EPOCH_S * 1000 + ns / 1e6).toISOString();
const truth = {
  about: 'Ground truth of otel-set.jsonl, written by tests/e2e/otel-set.mjs with the OpenTelemetry JS SDK',
  traces: made.length,
  spans: spans.length,
  lines: lines.length,
  services: SERVICES,
  first_start: iso(Math.min(...made.map((m) => m.at))),
  last_start: iso(Math.max(...made.map((m) => m.at))),
  kinds: Object.fromEntries(KINDS.map((k) => {
    const of = made.filter((m) => m.kind === k);
    return [k, { traces: of.length, spans: of.reduce((n, m) => n + m.spans, 0), errors: of.filter((m) => m.failed).length }];
  })),
  slow: {
    kind: KINDS[0],
    service: 'ledger-db',
    operation: 'INSERT ledger_entries',
    factor: SLOW_FACTOR,
    usual_ns_range: INSERT_NS,
    slow_ns_range: INSERT_NS.map((x) => x * SLOW_FACTOR),
    usual_ns_observed: { min: Math.min(...usual), max: Math.max(...usual), count: usual.length },
    trace_ids: slowOnes.map((m) => m.traceId),
    slow_ns: Object.fromEntries(slowOnes.map((m) => [m.traceId, m.insertNs])),
  },
  // A charge whose fraud check failed makes no insert (4 spans), so it is never slow.
  error_trace_ids: made.filter((m) => m.failed).map((m) => m.traceId),
  zipkin: { trace_ids: postIds, files: zipkinFiles },
};
fs.writeFileSync(path.join(out, 'otel-set-truth.json'), JSON.stringify(truth, null, 2) + '\n');
console.log(`wrote ${made.length} traces (${spans.length} spans, ${lines.length} lines) to ${out}/otel-set.jsonl, ` +
  `${slowOnes.length} slow; truth in otel-set-truth.json; Zipkin: ${Object.keys(zipkinFiles).join(', ')}`);
