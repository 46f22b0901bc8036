// The events table: every span event and log of the trace in time order, filtered by text, windowed; a click
// selects the span, whose events are then marked on its bar. Expected values are read from the files by hand.
import { test, expect } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';
import { openApp, dropFile, dropUrl, readFixture, root } from './helpers.mjs';

const cells = (row) => row.locator('td');

test('the demo\'s logs in time order; a filter; a click selects the span and marks its events', async ({ page }) => {
  const errors = await openApp(page);
  // The ride-request demo (src/demo/ride-request.json) has seven logs; the trace starts with POST /v1/rides.
  const toggle = page.getByTestId('events-toggle');
  await expect(toggle).toHaveText('Events (7)');
  await page.keyboard.press('e');
  const panel = page.getByTestId('events-panel');
  await expect(panel).toBeVisible();
  await expect(page.getByTestId('events-count')).toHaveText('7 events');
  const list = panel.getByTestId('event-row');
  await expect(list).toHaveCount(7);
  // request.received 400 µs in; cache.miss on the first GET /v1/nearby (geo-index) 14 ms in, with its key.
  await expect(cells(list.nth(0))).toHaveText(['400µs', 'api-gateway', 'POST /v1/rides', 'request.received', 'event=request.received']);
  await expect(cells(list.nth(1))).toHaveText(['11ms', 'dispatch', 'dispatch.v2.Dispatch/RequestRide', 'zone.resolved', 'event=zone.resolved, zone=sf-soma']);
  await expect(cells(list.nth(2))).toHaveText(['14ms', 'geo-index', 'GET /v1/nearby', 'cache.miss', 'event=cache.miss, key=cells:sf-soma:1500']);
  await expect(list.locator('td.name')).toHaveText([
    'request.received', 'zone.resolved', 'cache.miss', 'query.sent', 'rows.received', 'candidates.ranked', 'response.sent',
  ]);
  await expect(cells(list.nth(6))).toHaveText(['812ms', 'api-gateway', 'POST /v1/rides', 'response.sent', 'event=response.sent, http.response.body.size=412']);

  // The filter ignores case and reads attributes: sf-soma is in zone.resolved's zone and in cache.miss's key.
  const filter = page.getByTestId('events-filter');
  await filter.fill('SF-SOMA');
  await expect(list.locator('td.name')).toHaveText(['zone.resolved', 'cache.miss']);
  await expect(page.getByTestId('events-count')).toHaveText('2 of 7 events');
  // ... and the service.
  await filter.fill('geo-index');
  await expect(list.locator('td.name')).toHaveText(['cache.miss', 'query.sent', 'rows.received']);
  await filter.fill('nothing like this');
  await expect(list).toHaveCount(0);
  await filter.fill('rows=214');
  await expect(list.locator('td.name')).toHaveText(['rows.received']);

  // A click selects SELECT drivers (starts 60.2 ms in): the detail panel shows it, and its bar marks both its logs.
  await list.first().click();
  await expect(page.getByTestId('detail')).toContainText('SELECT drivers');
  await expect(list.first()).toHaveClass(/selected/);
  const selected = page.locator('g.row.selected');
  await expect(selected).toHaveCount(1);
  await expect(selected).toContainText('SELECT drivers');
  const marks = selected.getByTestId('event-mark');
  await expect(marks).toHaveCount(2);
  await expect(marks.locator('title')).toHaveText([
    'query.sent at 60.3ms (100µs into the span)',
    'rows.received at 600ms (540ms into the span)',
  ]);
  // Only the selected span's events are marked.
  await expect(page.getByTestId('event-mark')).toHaveCount(2);
  // The marks sit on the bar: the first at its start (query.sent is 0.1 ms after it), the second near its end.
  const bar = await selected.locator('rect.bar').boundingBox();
  const first = await marks.nth(0).boundingBox();
  const second = await marks.nth(1).boundingBox();
  expect(Math.abs(first.x + first.width / 2 - bar.x)).toBeLessThan(3);
  expect(Math.abs(second.x + second.width / 2 - (bar.x + bar.width * (539.6 / 540.3)))).toBeLessThan(3);
  // The filter cleared, the selected span's events stay marked in the table too.
  await filter.fill('');
  await expect(list).toHaveCount(7);
  await expect(page.locator('tr.event-row.selected td.name')).toHaveText(['query.sent', 'rows.received']);
  await page.mouse.move(second.x + second.width / 2, second.y + second.height / 2);
  fs.mkdirSync(path.join(root, 'tests/e2e/screenshots'), { recursive: true });
  await page.screenshot({ path: path.join(root, 'tests/e2e/screenshots/events.png') });

  // Another span selected: the marks move to it. `e` closes the panel.
  await list.nth(0).click();
  await expect(page.locator('g.row.selected')).toContainText('POST /v1/rides');
  await expect(page.getByTestId('event-mark').locator('title')).toHaveText([
    'request.received at 400µs (400µs into the span)',
    'response.sent at 812ms (812ms into the span)',
  ]);
  await page.keyboard.press('e');
  await expect(panel).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('an OTLP event from a Tempo response', async ({ page }) => {
  await openApp(page);
  await dropFile(page, 'tempo.json', readFixture('quirks/tempo-batches-base64.json'));
  // cart's cart.Get records retry, attempt=2, at 1700000000100000000 ns: 100 ms after frontend's GET /checkout
  // starts.
  await expect(page.getByTestId('events-toggle')).toHaveText('Events (1)');
  await page.getByTestId('events-toggle').click();
  const list = page.getByTestId('event-row');
  await expect(list).toHaveCount(1);
  await expect(cells(list.first())).toHaveText(['100ms', 'cart', 'cart.Get', 'retry', 'attempt=2']);
});

test('the OpenTelemetry JS SDK\'s addEvent', async ({ page }) => {
  await openApp(page);
  const file = path.join(root, 'target/e2e/otel-js-otlp.json');
  await dropUrl(page, '/generated/otel-js-otlp.json', 'otel-js-otlp.json');
  // tests/e2e/otel-client.mjs: sql.addEvent('retry', { attempt: 2 }) on SELECT cart (checkout). Its time since the
  // trace start is read from the file.
  const spans = JSON.parse(fs.readFileSync(file, 'utf8')).resourceSpans[0].scopeSpans[0].spans;
  const start = spans.map((s) => BigInt(s.startTimeUnixNano)).reduce((a, b) => (a < b ? a : b));
  const sql = spans.find((s) => s.name === 'SELECT cart');
  const at = Number(BigInt(sql.events.find((e) => e.name === 'retry').timeUnixNano) - start);
  // Every event of the file is listed (the client may record more than the retry, e.g. an exception).
  const total = spans.reduce((n, s) => n + (s.events || []).length, 0);
  await page.getByTestId('events-toggle').click();
  await expect(page.getByTestId('event-row')).toHaveCount(total);
  const list = page.getByTestId('event-row').filter({ has: page.locator('td.name', { hasText: /^retry$/ }) });
  await expect(list).toHaveCount(1);
  await expect(cells(list.first()).nth(1)).toHaveText('checkout');
  await expect(cells(list.first()).nth(2)).toHaveText('SELECT cart');
  await expect(cells(list.first()).nth(4)).toHaveText('attempt=2');
  // The time, as the app writes durations (3 significant digits).
  const text = await cells(list.first()).nth(0).textContent();
  const unit = { ns: 1, 'µs': 1e3, ms: 1e6, s: 1e9 };
  const m = text.match(/^([\d.]+)(ns|µs|ms|s)$/);
  expect(m).not.toBeNull();
  expect(Math.abs(Number(m[1]) * unit[m[2]] - at) / at).toBeLessThan(0.01);
  await list.first().click();
  await expect(page.getByTestId('detail')).toContainText('SELECT cart');
  // Each of its events is marked on its bar, the retry among them.
  const marks = page.locator('g.row.selected').getByTestId('event-mark');
  await expect(marks).toHaveCount(sql.events.length);
  await expect(marks.locator('title', { hasText: /^retry at / })).toHaveCount(1);
});

test('a hundred thousand events: only the rows in view are in the page', async ({ page }) => {
  await openApp(page);
  // 1,000 spans of 100 events each; span k starts k µs in, its event j is (99 - j) ms after its start, and every
  // tenth is a "flush".
  const base = 1700000000000000000n;
  const spans = [];
  for (let k = 0; k < 1000; k++) {
    const start = base + BigInt(k) * 1000n;
    const events = [];
    for (let j = 0; j < 100; j++) {
      events.push(`{"timeUnixNano":"${start + BigInt(99 - j) * 1000000n}","name":"${j % 10 === 0 ? 'flush' : 'write'}"}`);
    }
    spans.push(`{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"${(k + 1).toString(16).padStart(16, '0')}",`
      + `"name":"op${k}","startTimeUnixNano":"${start}","endTimeUnixNano":"${start + 100000000n}","events":[${events.join(',')}]}`);
  }
  const json = `{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"io"}}]},`
    + `"scopeSpans":[{"spans":[${spans.join(',')}]}]}]}`;
  await dropFile(page, 'many-events.json', json);
  await expect(page.getByTestId('events-toggle')).toHaveText('Events (100,000)', { timeout: 30_000 });
  await page.keyboard.press('e');
  await expect(page.getByTestId('events-count')).toHaveText('100,000 events');
  await expect(page.getByTestId('events-table')).toHaveAttribute('aria-rowcount', '100000');
  const list = page.getByTestId('event-row');
  const drawn = await list.count();
  expect(drawn).toBeGreaterThan(5);
  expect(drawn).toBeLessThan(60);
  // The first is op0's last-listed event, at 0.
  await expect(cells(list.first())).toHaveText(['0', 'io', 'op0', 'write', '']);
  // Scrolled to the end: the last is op999's first event, 999 µs + 99 ms = 99.999 ms in.
  await page.getByTestId('events-scroll').evaluate((el) => { el.scrollTop = el.scrollHeight; });
  await expect(list.last()).toHaveAttribute('aria-rowindex', '100000');
  await expect(cells(list.last())).toHaveText(['100ms', 'io', 'op999', 'flush', '']);
  expect(await list.count()).toBeLessThan(60);
  await page.getByTestId('events-filter').fill('FLUSH');
  await expect(page.getByTestId('events-count')).toHaveText('10,000 of 100,000 events');
  await expect(list.first().locator('td.name')).toHaveText('flush');
  expect(await list.count()).toBeLessThan(60);
});
