// Hosting and embedding: sub-paths, ?url=, deep links, embed mode, the postMessage API, and hostile traces.
import { test, expect } from '@playwright/test';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { openApp, dropFile, rows, root } from './helpers.mjs';

const HOST_PORT = 4175;
const STITCH = 'http://127.0.0.1:4173/stitch/';
let host;
test.beforeAll(async () => {
  host = spawn('node', [path.join(root, 'tests/e2e/server.mjs'), String(HOST_PORT)], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 400));
});
test.afterAll(() => host?.kill());

const hostPage = (stitchUrl) =>
  `http://127.0.0.1:${HOST_PORT}/examples/embed.html?stitch=${encodeURIComponent(stitchUrl)}`;
const events = (page, type) => page.evaluate((t) => window.events.filter((e) => e.type === t), type);

/** Records every message the page receives (Stitch posts to itself when not framed). */
async function recordMessages(page) {
  await page.addInitScript(() => {
    window.__msgs = [];
    addEventListener('message', (e) => window.__msgs.push(e.data));
  });
}

test('dist/ works under a deep sub-path', async ({ page }) => {
  const errors = await openApp(page, 'http://127.0.0.1:4173/deep/sub/path/');
  await expect(page.getByTestId('span-count')).toHaveText('60');
  expect(errors).toEqual([]);
});

test('a host page on another origin loads a trace as a transferred ArrayBuffer', async ({ page }) => {
  await page.goto(hostPage(STITCH));
  await expect.poll(() => events(page, 'stitch:ready')).toHaveLength(1);
  expect((await events(page, 'stitch:ready'))[0].version).toBe(1);
  await page.evaluate(() => window.loadTrace('/fixtures/jaeger/single-trace-object.json', 'single.json'));
  await expect.poll(() => events(page, 'stitch:loaded')).toHaveLength(1);
  const [loaded] = await events(page, 'stitch:loaded');
  // Counted by hand from the file (see waterfall.spec.mjs): 11 spans, 2 services, 1 root, 1 error, 1 s.
  expect(loaded).toEqual({
    type: 'stitch:loaded', name: 'single.json', format: 'jaeger', shown: 'trace-123',
    traces: [{ traceId: 'trace-123', spans: 11, services: 2, roots: 1, errors: 1, durationUs: 1000000, warnings: 0 }],
  });
  const frame = page.frameLocator('#stitch');
  await expect(frame.locator('g.row')).toHaveCount(11);
  // In embed mode there is no top bar or drop zone.
  await expect(frame.locator('.topbar')).toHaveCount(0);
  // Selecting a span tells the host; the host can select one too.
  await frame.locator('g.row[data-span-id="span-3"]').click();
  await expect.poll(() => events(page, 'stitch:selected')).toEqual([{ type: 'stitch:selected', traceId: 'trace-123', spanId: 'span-3' }]);
  await page.evaluate(() => window.send({ type: 'stitch:select', spanId: 'span-5' }));
  await expect(frame.locator('g.row.selected')).toHaveAttribute('data-span-id', 'span-5');
  await page.evaluate(() => window.send({ type: 'stitch:theme', theme: 'dark' }));
  await expect(frame.locator('html')).toHaveAttribute('data-theme', 'dark');
  await page.screenshot({ path: path.join(root, 'test-results', 'embed.png') });
});

test('with a non-matching ?origin= the host is ignored', async ({ page }) => {
  const url = `${STITCH}?origin=${encodeURIComponent('http://elsewhere.example')}`;
  await page.goto(hostPage(url));
  const frame = page.frameLocator('#stitch');
  await expect(frame.locator('g.row').first()).toBeVisible();
  // Stitch says in the console when it ignores a message: wait for that, not for a time.
  const ignored = page.waitForEvent('console', (m) => m.text().includes('ignored stitch:load from origin'));
  await page.evaluate(() => window.loadTrace('/fixtures/jaeger/single-trace-object.json'));
  await ignored;
  await expect(frame.getByTestId('progress')).toHaveCount(0);
  // Still the demo: its first span, not the file's span-1.
  await expect(frame.locator('g.row[data-span-id="span-1"]')).toHaveCount(0);
  await expect(frame.locator('g.row').first()).toContainText('POST /v1/rides');
  // Events go only to the allowed origin, so this host hears nothing.
  expect(await page.evaluate(() => window.events.length)).toBe(0);
});

test('?url= loads a file, and a 404 gives the error and stitch:error', async ({ page }) => {
  await recordMessages(page);
  await page.goto(`${STITCH}?url=${encodeURIComponent('/fixtures/jaeger/single-trace-object.json')}`);
  await expect(page.getByTestId('trace-title')).toHaveText('service1: op1');
  await expect.poll(() => page.evaluate(() => window.__msgs.filter((m) => m.type === 'stitch:loaded').length)).toBe(1);
  await page.goto(`${STITCH}?url=${encodeURIComponent('/fixtures/missing.json')}`);
  await expect(page.getByRole('alert')).toContainText('HTTP 404');
  const err = await page.evaluate(() => window.__msgs.find((m) => m.type === 'stitch:error'));
  expect(err.name).toBe('missing.json');
  expect(err.message).toContain('404');
});

test('?trace= picks one trace from a file with several, and the link follows the trace picked after', async ({ page }) => {
  await recordMessages(page);
  await page.goto(`${STITCH}?url=${encodeURIComponent('/fixtures/quirks/jaeger-three-traces.json')}&trace=mid`);
  await expect(page.getByTestId('trace-id')).toHaveText('mid');
  await expect(page.getByTestId('all-traces')).toHaveText('← All traces (3)');
  // stitch:loaded names the trace on screen, not the file's first.
  await expect.poll(() => page.evaluate(() => window.__msgs.find((m) => m.type === 'stitch:loaded')?.shown)).toBe('mid');
  // Another trace picked from the list: the address names it, and no longer ?trace=mid.
  await page.getByTestId('all-traces').click();
  await page.locator('[data-testid="trace-row"][data-trace-id="late"]').click();
  await expect(page.getByTestId('trace-id')).toHaveText('late');
  await expect.poll(() => page.url()).toMatch(/#trace=late&/);
  expect(page.url()).not.toContain('trace=mid');
  // The link opens that trace.
  await page.goto(page.url().replace('/stitch/#', `/stitch/?url=${encodeURIComponent('/fixtures/quirks/jaeger-three-traces.json')}#`));
  await expect(page.getByTestId('trace-id')).toHaveText('late');
});

test('a deep link restores the selected span and the zoom', async ({ page }) => {
  // 923a736994e3bf91 is SELECT drivers in src/demo/ride-request.json; t is in µs since the trace start.
  await page.goto(`${STITCH}#span=923a736994e3bf91&t=100000-300000`);
  await expect(page.getByTestId('detail')).toContainText('SELECT drivers');
  await expect(page.getByTestId('window-label')).toHaveText('100ms – 300ms');
  await expect(page.locator('g.row.selected')).toHaveAttribute('data-span-id', '923a736994e3bf91');
  // The hash follows the view, so the address bar is always a link to it.
  await page.keyboard.press('0');
  await expect.poll(() => page.evaluate(() => location.hash)).toBe('#span=923a736994e3bf91&t=0-812400');
});

test('?embed=1 shows only the waterfall', async ({ page }) => {
  await page.goto(`${STITCH}?embed=1&minimap=0&summary=0`);
  await expect(rows(page).first()).toBeVisible();
  await expect(page.locator('.topbar')).toHaveCount(0);
  await expect(page.getByTestId('trace-title')).toHaveCount(0);
  await expect(page.getByTestId('minimap')).toHaveCount(0);
  await expect(page.getByTestId('summary')).toHaveCount(0);
  await page.screenshot({ path: path.join(root, 'test-results', 'embed-mode.png') });
});

test('a trace full of XSS payloads runs no script and creates no element from the data', async ({ page }) => {
  const errors = await openApp(page);
  const evil = '<img src=x onerror="window.__xss=1">';
  const trace = {
    data: [{
      traceID: 'x1', processes: { p1: { serviceName: '<svg onload="window.__xss=2">', tags: [{ key: '<b>k</b>', type: 'string', value: evil }] } },
      spans: [{
        traceID: 'x1', spanID: 's1', operationName: evil, references: [], startTime: 1000, duration: 50, processID: 'p1',
        tags: [
          { key: 'url.js', type: 'string', value: 'javascript:window.__xss=3' },
          { key: 'url.data', type: 'string', value: 'data:text/html,<script>window.__xss=4</script>' },
          { key: 'url.ok', type: 'string', value: 'https://ok.example/path' },
          { key: 'json', type: 'string', value: '{"a":"<script>window.__xss=5</script>"}' },
        ],
        logs: [{ timestamp: 1010, fields: [{ key: 'event', type: 'string', value: '<iframe src="javascript:window.__xss=6">' }] }],
      }],
    }],
  };
  await dropFile(page, '<img src=x onerror=alert(1)>.json', JSON.stringify(trace));
  await expect(page.getByTestId('trace-id')).toHaveText('x1');
  await rows(page).first().click();
  const detail = page.getByTestId('detail');
  await expect(detail).toContainText('javascript:window.__xss=3');
  await expect(detail).toContainText('<iframe src="javascript:window.__xss=6">');
  // A bad file name in an error message stays text too.
  await dropFile(page, '<img src=y onerror="window.__xss=7">.json', 'nonsense');
  await expect(page.getByRole('alert')).toContainText('<img src=y');
  // No element was made from the text, so no handler can run later.
  expect(await page.locator('img, iframe, script:not([src])').count()).toBe(0);
  expect(await page.evaluate(() => window.__xss)).toBeUndefined();
  await expect(page.getByTestId('resource-attrs')).toContainText('<b>k</b>');
  expect(await page.locator('[onerror], [onload]').count()).toBe(0);
  // Only the https value became a link, and it opens safely.
  const links = detail.locator('a');
  await expect(links).toHaveCount(1);
  await expect(links).toHaveAttribute('href', 'https://ok.example/path');
  await expect(links).toHaveAttribute('rel', 'noopener noreferrer');
  expect(errors).toEqual([]);
});

test('stitch:analyze answers with the critical path Jaeger UI expects', async ({ page }) => {
  const expected = JSON.parse(fs.readFileSync(path.join(root, 'tests/fixtures/critical-path/expected.json'), 'utf8'));
  await page.goto(hostPage(STITCH));
  await expect.poll(() => events(page, 'stitch:ready')).toHaveLength(1);
  for (const [i, file] of ['jaeger-ui-test1.json', 'jaeger-ui-test6.json', 'jaeger-ui-test5.json'].entries()) {
    await page.evaluate((f) => window.loadTrace(`/fixtures/critical-path/${f}`), file);
    await expect.poll(() => events(page, 'stitch:loaded')).toHaveLength(i + 1);
    await page.evaluate(() => window.send({ type: 'stitch:analyze' }));
    await expect.poll(() => events(page, 'stitch:analysis')).toHaveLength(i + 1);
    const a = (await events(page, 'stitch:analysis'))[i];
    expect(a.criticalPath, file).toEqual(expected[file]);
    expect(a.summary.length).toBeGreaterThan(10);
    expect(a.contributors[0].share).toBeGreaterThan(0);
    expect(a.stats.length).toBeGreaterThan(0);
  }
  // test1: span-C (0–100 µs... from 1 to 101) with children D and E: durationUs = 100.
  const first = (await events(page, 'stitch:analysis'))[0];
  expect(first.durationUs).toBe(100);
  const statC = first.stats.find((s) => s.operation === 'operation C');
  expect(statC).toMatchObject({ count: 1, totalUs: 100, selfUs: 70, errors: 0 });
  await page.evaluate(() => window.send({ type: 'stitch:analyze', traceId: 'no-such-trace' }));
  await expect.poll(async () => (await events(page, 'stitch:error')).map((e) => e.message).join()).toContain('no-such-trace');
});
