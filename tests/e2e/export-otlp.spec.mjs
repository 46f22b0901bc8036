// The trace on screen saved as OTLP JSON, read back into the page; the selected span copied as JSON.
// Expected values are read by hand from tests/fixtures/zipkin/yelp.json.
import { test, expect } from '@playwright/test';
import fs from 'node:fs';
import { openApp, dropFile, readFixture, rows } from './helpers.mjs';

const spansOf = (doc) => doc.resourceSpans.flatMap((rs) => {
  const service = rs.resource.attributes.find((a) => a.key === 'service.name').value.stringValue;
  return rs.scopeSpans.flatMap((ss) => ss.spans.map((s) => ({ ...s, service })));
});

test('the trace saves as OTLP JSON, and the file opens as the same trace', async ({ page }) => {
  const errors = await openApp(page);
  await dropFile(page, 'yelp.json', readFixture('zipkin/yelp.json'));
  await expect(page.locator('.format-badge')).toHaveText('Zipkin v2 JSON');
  await expect(page.getByTestId('span-count')).toHaveText('16');
  const title = await page.getByTestId('trace-title').textContent();

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('export-otlp').click(),
  ]);
  // Trace ID a03ee8fff1dcd9b9, padded to 32 hex digits.
  expect(download.suggestedFilename()).toBe('0000000000000000a03ee8fff1dcd9b9.otlp.json');
  const text = fs.readFileSync(await download.path(), 'utf8');
  const spans = spansOf(JSON.parse(text));
  expect(spans).toHaveLength(16);
  for (const s of spans) expect(s.traceId).toBe('0000000000000000a03ee8fff1dcd9b9');

  // "post" by mobile_api: timestamp 1571896375322000 µs, duration 14000 µs, CLIENT, parent f5f268651b2a2b34,
  // which is both yelp-main's client span and mobile_api's shared server span: its parent is the server side.
  const post = spans.find((s) => s.spanId === '15fc03927f0f68df');
  expect(post.service).toBe('mobile_api');
  expect(post.name).toBe('post');
  expect(post.kind).toBe(3);
  expect(post.startTimeUnixNano).toBe('1571896375322000000');
  expect(post.endTimeUnixNano).toBe('1571896375336000000');
  expect(post.attributes).toContainEqual({ key: 'http.uri.client', value: { stringValue: '/visits' } });
  const server = spans.find((s) => s.service === 'mobile_api' && s.name === 'post /location/update/v4');
  const client = spans.find((s) => s.service === 'yelp-main' && s.spanId === 'f5f268651b2a2b34');
  expect(client.kind).toBe(3);
  expect(server.kind).toBe(2);
  expect(server.spanId).not.toBe('f5f268651b2a2b34');
  expect(server.parentSpanId).toBe('f5f268651b2a2b34');
  expect(post.parentSpanId).toBe(server.spanId);
  // The root: routing's shared server span 2e8cfb154b59a41f, with no client in the file, keeps its ID.
  const root = spans.find((s) => s.spanId === '2e8cfb154b59a41f');
  expect(root.service).toBe('routing');
  expect(root.parentSpanId).toBeUndefined();
  // yelp_main/api_proxy's span has one annotation.
  const proxy = spans.find((s) => s.service === 'yelp_main/api_proxy');
  expect(proxy.events).toHaveLength(1);

  await dropFile(page, 'yelp.otlp.json', text);
  await expect(page.locator('.format-badge')).toHaveText('OTLP JSON');
  await expect(page.getByTestId('span-count')).toHaveText('16');
  await expect(page.getByTestId('trace-title')).toHaveText(title);
  await expect(page.getByTestId('trace-id')).toHaveText('0000000000000000a03ee8fff1dcd9b9');
  await expect(rows(page)).toHaveCount(16);
  expect(errors).toEqual([]);
});

test('Copy JSON copies the selected span as a document of its own', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const errors = await openApp(page);
  await dropFile(page, 'yelp.json', readFixture('zipkin/yelp.json'));
  await expect(page.getByTestId('span-count')).toHaveText('16');
  // The first row is the root: routing, "post /location/update/v4".
  await rows(page).first().click();
  await expect(page.getByTestId('detail')).toBeVisible();
  await page.getByTestId('copy-span-json').click();
  await expect(page.getByTestId('copy-span-json')).toHaveText('Copied');
  await page.screenshot({ path: 'tests/e2e/screenshots/export-otlp.png' });
  const copied = JSON.parse(await page.evaluate(() => navigator.clipboard.readText()));
  const spans = spansOf(copied);
  expect(spans).toHaveLength(1);
  expect(spans[0].service).toBe('routing');
  expect(spans[0].name).toBe('post /location/update/v4');
  expect(spans[0].spanId).toBe('2e8cfb154b59a41f');
  expect(spans[0].traceId).toBe('0000000000000000a03ee8fff1dcd9b9');
  // timestamp 1571896375237354 µs, duration 131848 µs.
  expect(spans[0].startTimeUnixNano).toBe('1571896375237354000');
  expect(spans[0].endTimeUnixNano).toBe('1571896375369202000');
  expect(errors).toEqual([]);
});
