// Writes two traces with span links, with the real OpenTelemetry JS SDK, as one OTLP JSON request (the
// otlp-transformer JSON serializer): trace B, orders-api "POST /orders" with its producer span "publish
// order.created"; and trace A, billing-worker "consume order.created", whose span "charge card" links to "load
// invoice" (in A), to "publish order.created" (in B) and to a span of a trace the file does not hold.
// Times in ms from 2025-11-20 14:00:00 UTC: B 0–30 (publish 20–25); A 40–160: load invoice 45–65, apply discounts
// 65–75, tax.calculate 75–90 (rates lookup 76–88), charge card 95–150.
// Usage: node tests/e2e/otel-links.mjs OUTDIR
import fs from 'node:fs';
import path from 'node:path';
import { ROOT_CONTEXT, SpanKind, TraceFlags, trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';

const out = process.argv[2] || 'target/e2e';
fs.mkdirSync(out, { recursive: true });
const EPOCH_S = 1763647200;
const hr = (ms) => [EPOCH_S + Math.floor(ms / 1000), Math.round((ms % 1000) * 1e6)];

const exporter = new InMemorySpanExporter();
const tracerOf = (name) => new BasicTracerProvider({
  resource: resourceFromAttributes({ 'service.name': name }),
  spanProcessors: [new SimpleSpanProcessor(exporter)],
}).getTracer(`stitch-links/${name}`, '1.0.0');
const orders = tracerOf('orders-api');
const billing = tracerOf('billing-worker');

const span = (tracer, name, kind, from, to, parent, links = []) => {
  const ctx = parent ? trace.setSpan(ROOT_CONTEXT, parent) : ROOT_CONTEXT;
  const s = tracer.startSpan(name, { kind, startTime: hr(from), links }, ctx);
  return { s, end: () => s.end(hr(to)) };
};

// Trace B.
const post = span(orders, 'POST /orders', SpanKind.SERVER, 0, 30);
const publish = span(orders, 'publish order.created', SpanKind.PRODUCER, 20, 25, post.s);
publish.end();
post.end();

// Trace A.
const consume = span(billing, 'consume order.created', SpanKind.CONSUMER, 40, 160);
const load = span(billing, 'load invoice', SpanKind.INTERNAL, 45, 65, consume.s);
load.end();
span(billing, 'apply discounts', SpanKind.INTERNAL, 65, 75, consume.s).end();
const tax = span(billing, 'tax.calculate', SpanKind.INTERNAL, 75, 90, consume.s);
span(billing, 'rates lookup', SpanKind.CLIENT, 76, 88, tax.s).end();
tax.end();
const elsewhere = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: TraceFlags.SAMPLED };
const charge = span(billing, 'charge card', SpanKind.CLIENT, 95, 150, consume.s, [
  { context: load.s.spanContext(), attributes: { 'link.reason': 'invoice' } },
  { context: publish.s.spanContext(), attributes: { 'link.reason': 'order' } },
  { context: elsewhere, attributes: { 'link.reason': 'fraud review' } },
]);
charge.end();
consume.end();

const spans = exporter.getFinishedSpans();
fs.writeFileSync(path.join(out, 'otel-links.json'), Buffer.from(JsonTraceSerializer.serializeRequest(spans)));
console.log(`wrote ${spans.length} spans to ${out}/otel-links.json`);
