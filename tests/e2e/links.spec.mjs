// Links to your own tools (link templates): from the deployer's stitch.config.json (/links/, whose file is
// tests/e2e/links.config.json), from ?config=, and from a trusted host page's stitch:config; refused from an
// untrusted one. Every expected address is the template expanded by hand from TRACE below.
import { test, expect } from '@playwright/test';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { openApp, dropFile, root } from './helpers.mjs';

const APP = 'http://127.0.0.1:4173';
const HOST = 'http://127.0.0.1:4179'; // trusted by /links/stitch.config.json, by nobody else
let host;

test.beforeAll(async () => {
  host = spawn('node', [path.join(root, 'tests/e2e/server.mjs'), '4179'], { stdio: 'ignore' });
  for (;;) {
    try { if ((await fetch(`${HOST}/pages/host.html`)).ok) break; } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 50));
  }
});
test.afterAll(() => host?.kill());

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const str = (key, v) => ({ key, value: { stringValue: v } });
// One resource (checkout, pod checkout-7d9f/2); a root POST /cart from 1700000000000.5 ms to 1700000000120.25 ms; a
// child SELECT cart (from 1700000000010 ms) with a statement and an event; a child whose values are hostile.
const TRACE = JSON.stringify({ resourceSpans: [{
  resource: { attributes: [str('service.name', 'checkout'), str('k8s.pod.name', 'checkout-7d9f/2')] },
  scopeSpans: [{ spans: [
    { traceId: TRACE_ID, spanId: 'aaaaaaaaaaaaaaa1', name: 'POST /cart',
      startTimeUnixNano: '1700000000000500000', endTimeUnixNano: '1700000000120250000' },
    { traceId: TRACE_ID, spanId: 'bbbbbbbbbbbbbbb2', parentSpanId: 'aaaaaaaaaaaaaaa1', name: 'SELECT cart',
      startTimeUnixNano: '1700000000010000000', endTimeUnixNano: '1700000000030000001',
      attributes: [str('db.system', 'postgresql'), str('db.statement', 'SELECT * FROM cart WHERE id = 7')],
      events: [{ timeUnixNano: '1700000000020000000', name: 'rows',
        attributes: [{ key: 'sql.rows', value: { intValue: '3' } }] }] },
    { traceId: TRACE_ID, spanId: 'ccccccccccccccc3', parentSpanId: 'aaaaaaaaaaaaaaa1', name: 'render',
      startTimeUnixNano: '1700000000040000000', endTimeUnixNano: '1700000000050000000',
      attributes: [str('db.statement', 'javascript:window.__pwned=1'),
        str('note', '<img src=x onerror=window.__pwned=1>')] },
  ] }],
}] });

const LOGS = `https://logs.example/search?q=trace_id:${TRACE_ID}&from=1700000000000&to=1700000000121`;

/** The row of the attribute `key` in the detail panel's table `testId` (or the events list). */
const attrRow = (page, scope, key) =>
  scope.locator('tr', { has: page.locator('th.key', { hasText: new RegExp(`^${key.replace('.', '\\.')}$`) }) });

async function loadTrace(page) {
  await dropFile(page, 'cart.json', TRACE);
  await expect(page.getByTestId('trace-id')).toHaveText(TRACE_ID);
}

async function expectLink(link, href) {
  await expect(link).toHaveAttribute('href', href);
  await expect(link).toHaveAttribute('target', '_blank');
  await expect(link).toHaveAttribute('rel', 'noopener noreferrer');
}

test("stitch.config.json's templates: the trace's link in the header, a span's beside its attribute", async ({ page, context }) => {
  const errors = await openApp(page, `${APP}/links/`);
  await loadTrace(page);
  const header = page.getByTestId('trace-links');
  // The javascript:, data: and "#{value}" templates of the file are left out: one trace link.
  await expect(header.locator('a')).toHaveCount(1);
  const logs = header.getByRole('link', { name: /Logs for this trace/ });
  await expectLink(logs, LOGS);
  await page.locator('.trace-header').screenshot({ path: path.join(root, 'test-results', 'links-header.png') });

  await page.locator('g.row[data-span-id="bbbbbbbbbbbbbbb2"]').click();
  const detail = page.getByTestId('detail');
  const statement = attrRow(page, detail.getByTestId('span-attrs'), 'db.statement');
  await expectLink(statement.getByRole('link', { name: /Explain/ }),
    'https://sql.example/explain?q=SELECT%20*%20FROM%20cart%20WHERE%20id%20%3D%207&span=bbbbbbbbbbbbbbb2');
  // db.system has no template.
  await expect(attrRow(page, detail.getByTestId('span-attrs'), 'db.system').locator('a')).toHaveCount(0);
  const pod = attrRow(page, detail.getByTestId('resource-attrs'), 'k8s.pod.name');
  await expectLink(pod.getByRole('link', { name: /Pod dashboard/ }),
    'https://k8s.example/pods/checkout-7d9f%2F2?span=bbbbbbbbbbbbbbb2');
  const rows = attrRow(page, detail.getByTestId('events'), 'sql.rows');
  await expectLink(rows.getByRole('link', { name: /Rows/ }), 'https://sql.example/rows?n=3&at=1700000000010');
  await page.screenshot({ path: path.join(root, 'tests', 'e2e', 'screenshots', 'links.png') });

  // A click opens the address in a new tab that cannot reach back to Stitch and is not told where it came from.
  await context.route('https://logs.example/**', (r) => r.fulfill({ contentType: 'text/html', body: '<title>logs</title>' }));
  const [tab] = await Promise.all([context.waitForEvent('page'), logs.click()]);
  await tab.waitForLoadState();
  expect(tab.url()).toBe(LOGS);
  expect(await tab.evaluate(() => ({ opener: window.opener, referrer: document.referrer }))).toEqual({ opener: null, referrer: '' });
  expect(errors).toEqual([]);
});

test('a hostile template or attribute value gives no link, stays text, and runs nothing', async ({ page }) => {
  const warnings = [];
  page.on('console', (m) => { if (m.type() === 'warning') warnings.push(m.text()); });
  await openApp(page, `${APP}/links/`);
  await loadTrace(page);
  await page.locator('g.row[data-span-id="ccccccccccccccc3"]').click();
  const detail = page.getByTestId('detail');
  const attrs = detail.getByTestId('span-attrs');
  // The values are text; each link is https with the value as one encoded component.
  const statement = attrRow(page, attrs, 'db.statement');
  await expect(statement.locator('.val')).toHaveText('javascript:window.__pwned=1');
  await expect(statement.locator('a')).toHaveCount(1);
  await expectLink(statement.getByRole('link', { name: /Explain/ }),
    'https://sql.example/explain?q=javascript%3Awindow.__pwned%3D1&span=ccccccccccccccc3');
  const note = attrRow(page, attrs, 'note');
  await expect(note.locator('.val')).toHaveText('<img src=x onerror=window.__pwned=1>');
  await expect(note.locator('img')).toHaveCount(0);
  // "Note" only: the template whose whole address is #{value} gives none.
  await expect(note.locator('a')).toHaveCount(1);
  await expectLink(note.getByRole('link', { name: /Note/ }),
    'https://notes.example/?n=%3Cimg%20src%3Dx%20onerror%3Dwindow.__pwned%3D1%3E');
  await expect(page.locator('a[href^="javascript:" i], a[href^="data:" i], iframe, img')).toHaveCount(0);
  for (const href of await page.locator('a.tool-link').evaluateAll((as) => as.map((a) => a.getAttribute('href')))) {
    expect(href).toMatch(/^https:\/\/[a-z0-9.-]+\.example\//);
  }
  await expect(page.getByTestId('trace-links').getByRole('link')).toHaveText(['Logs for this trace ↗']);
  expect(await page.evaluate(() => window.__pwned)).toBeUndefined();
  // The deployer is told on the console which templates were left out and why.
  const leftOut = warnings.map((w) => w.match(/stitch\.config\.json: link (\d+) left out: "url"/)?.[1]).filter(Boolean);
  expect(leftOut).toEqual(['6', '7', '8']);
});

test("?config= names another file whose templates replace the deployer's; a javascript: one is refused", async ({ page }) => {
  await openApp(page, `${APP}/links/?config=${encodeURIComponent('/examples/stitch.config.links.json')}`);
  await loadTrace(page);
  await page.locator('g.row[data-span-id="bbbbbbbbbbbbbbb2"]').click();
  // The example's Explain has no &span=, unlike the deployer's.
  await expectLink(attrRow(page, page.getByTestId('span-attrs'), 'db.statement').getByRole('link', { name: /Explain/ }),
    'https://sql.example/explain?q=SELECT%20*%20FROM%20cart%20WHERE%20id%20%3D%207');
  await expect(attrRow(page, page.getByTestId('events'), 'sql.rows').locator('a')).toHaveCount(0);
  await expectLink(page.getByTestId('trace-links').getByRole('link', { name: /Logs for this trace/ }), LOGS);

  const refused = page.waitForEvent('console', (m) => m.text().includes('?config=: javascript:alert(1): refused: Stitch downloads only http:// and https://'));
  await page.goto(`${APP}/links/?config=${encodeURIComponent('javascript:alert(1)')}`);
  await refused;
  await expect(page.getByTestId('trace-title')).toBeVisible();
  await loadTrace(page);
  // The deployer's templates stay.
  await page.locator('g.row[data-span-id="bbbbbbbbbbbbbbb2"]').click();
  await expect(attrRow(page, page.getByTestId('events'), 'sql.rows').getByRole('link', { name: /Rows/ })).toHaveCount(1);

  // A file on a site the deployer did not list is not read: anyone can send a link.
  const foreign = 'http://127.0.0.1:4177/examples/stitch.config.links.json';
  const ignored = page.waitForEvent('console', (m) => m.text().includes(`?config=${foreign} ignored: link templates are read only from Stitch's own origin or an embedder`));
  await page.goto(`${APP}/links/?config=${encodeURIComponent(foreign)}`);
  await ignored;
  await loadTrace(page);
  await page.locator('g.row[data-span-id="bbbbbbbbbbbbbbb2"]').click();
  await expect(attrRow(page, page.getByTestId('events'), 'sql.rows').getByRole('link', { name: /Rows/ })).toHaveCount(1);
});

/** Opens the host page framing Stitch at `stitchPath`, waits for stitch:ready, and loads TRACE into it by message. */
async function frameStitch(page, stitchPath) {
  await page.goto(`${HOST}/pages/host.html?stitch=${encodeURIComponent(APP + stitchPath)}`);
  await expect.poll(() => page.evaluate(() => window.events.filter((e) => e.type === 'stitch:ready').length)).toBe(1);
  await page.evaluate((data) => window.send({ type: 'stitch:load', data, name: 'cart.json' }), TRACE);
  const frame = page.frameLocator('#stitch');
  await expect(frame.getByTestId('trace-id')).toHaveText(TRACE_ID);
  return frame;
}
const ofType = (page, type) => page.evaluate((t) => window.events.filter((e) => e.type === t), type);

const HOST_CONFIG = { version: 1, links: [
  { scope: 'trace', text: 'Host logs', url: 'https://host-logs.example/t/#{traceId}?svc=#{service}' },
  { scope: 'span', key: 'db.statement', text: 'Host explain', url: 'https://host-sql.example/?q=#{value}' },
] };

test("a trusted host's stitch:config replaces the templates", async ({ page }) => {
  const frame = await frameStitch(page, '/links/');
  await expectLink(frame.getByTestId('trace-links').getByRole('link', { name: /Logs for this trace/ }), LOGS);
  await page.evaluate((config) => window.send({ type: 'stitch:config', config }), HOST_CONFIG);
  const header = frame.getByTestId('trace-links');
  await expect(header.getByRole('link')).toHaveText(['Host logs ↗']);
  await expectLink(header.getByRole('link'), `https://host-logs.example/t/${TRACE_ID}?svc=checkout`);
  await frame.locator('g.row[data-span-id="bbbbbbbbbbbbbbb2"]').click();
  const statement = attrRow(frame, frame.getByTestId('span-attrs'), 'db.statement');
  await expect(statement.getByRole('link')).toHaveText(['Host explain ↗']);
  await expectLink(statement.getByRole('link'), 'https://host-sql.example/?q=SELECT%20*%20FROM%20cart%20WHERE%20id%20%3D%207');
  await expect(frame.getByTestId('resource-attrs').locator('a')).toHaveCount(0);
  expect(await ofType(page, 'stitch:error')).toEqual([]);
});

test('an untrusted host is refused stitch:config, and its ?config= is not read', async ({ page }) => {
  // /stitch/'s stitch.config.json trusts nobody: this host may load and see its own trace, but set no template.
  const frame = await frameStitch(page, `/stitch/?config=${encodeURIComponent('/examples/stitch.config.links.json')}`);
  await page.evaluate((config) => window.send({ type: 'stitch:config', config }), HOST_CONFIG);
  await expect.poll(() => ofType(page, 'stitch:error')).toHaveLength(1);
  const [refusal] = await ofType(page, 'stitch:error');
  expect(refusal.message).toContain(`stitch:config: refused: ${HOST} may not set link templates`);
  expect(refusal.message).toContain('stitch.config.json');
  await expect(frame.getByTestId('trace-links')).toHaveCount(0);
  await frame.locator('g.row[data-span-id="bbbbbbbbbbbbbbb2"]').click();
  await expect(frame.getByTestId('detail').locator('a.tool-link')).toHaveCount(0);
  // The host still hears about the trace it sent.
  expect(await ofType(page, 'stitch:loaded')).toHaveLength(1);
});
