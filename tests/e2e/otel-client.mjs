// Writes a nested trace with the real OpenTelemetry JS SDK: as OTLP JSON (the otlp-transformer JSON serializer)
// and as the Zipkin exporter's JSON (captured from its POST to a loopback server).
// Usage: node tests/e2e/otel-client.mjs OUTDIR
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { context, trace, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { ZipkinExporter } from '@opentelemetry/exporter-zipkin';

const out = process.argv[2] || 'target/e2e';
fs.mkdirSync(out, { recursive: true });
const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({
  resource: resourceFromAttributes({ 'service.name': 'checkout' }),
  spanProcessors: [new SimpleSpanProcessor(exporter)],
});
const tracer = provider.getTracer('stitch-e2e', '1.0.0');
const child = (parent, name, kind, attrs) =>
  tracer.startSpan(name, { kind, attributes: attrs }, trace.setSpan(context.active(), parent));

// GET /checkout (server) > cart.Get (client) > SELECT cart (client, error, with a recorded exception);
// GET /checkout > render (internal)
const root = tracer.startSpan('GET /checkout', { kind: SpanKind.SERVER, attributes: { 'http.request.method': 'GET', 'http.response.status_code': 200 } });
const cart = child(root, 'cart.Get', SpanKind.CLIENT, { 'rpc.system': 'grpc' });
const sql = child(cart, 'SELECT cart', SpanKind.CLIENT, { 'db.system': 'postgresql', 'db.statement': 'SELECT * FROM cart WHERE id = $1' });
sql.addEvent('retry', { attempt: 2 });
// A thrown error recorded the SDK's way: an `exception` event with its type, message and stack trace.
class DeadlockError extends Error {}
DeadlockError.prototype.name = 'DeadlockError';
sql.recordException(new DeadlockError('deadlock detected on cart row 42'));
sql.setStatus({ code: SpanStatusCode.ERROR, message: 'deadlock detected' });
await new Promise((r) => setTimeout(r, 5));
sql.end();
cart.end();
const render = child(root, 'render', SpanKind.INTERNAL, { 'template': 'checkout.html' });
await new Promise((r) => setTimeout(r, 3));
render.end();
root.end();
const spans = exporter.getFinishedSpans();

fs.writeFileSync(path.join(out, 'otel-js-otlp.json'), Buffer.from(JsonTraceSerializer.serializeRequest(spans)));

// The Zipkin exporter POSTs its JSON; catch it on loopback.
const body = await new Promise((resolve, reject) => {
  const server = http.createServer((req, res) => {
    let data = '';
    req.on('data', (c) => { data += c; });
    req.on('end', () => { res.writeHead(202); res.end(); server.close(); resolve(data); });
  });
  server.listen(0, '127.0.0.1', () => {
    const zipkin = new ZipkinExporter({ url: `http://127.0.0.1:${server.address().port}/api/v2/spans`, serviceName: 'checkout' });
    zipkin.export(spans, (r) => { if (r.code !== 0) reject(r.error); });
  });
  setTimeout(() => reject(new Error('zipkin exporter did not post')), 10000);
});
fs.writeFileSync(path.join(out, 'otel-js-zipkin.json'), body);
console.log(`wrote ${spans.length} spans to ${out}/otel-js-otlp.json and otel-js-zipkin.json`);
