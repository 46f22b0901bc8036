// Hostile pages and hostile files: a page on another origin learns nothing about a trace it did not send unless the
// deployment trusts it (stitch.config.json), not even that one loaded; ?url= never sends credentials; bombs are
// refused without a crash.
import { test, expect } from '@playwright/test';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { openApp, dropFile, rows, root } from './helpers.mjs';

const HOST = 'http://127.0.0.1:4176'; // trusted by /trusted/stitch.config.json, by nobody else
const APP = 'http://127.0.0.1:4173';
let host;

async function until(check) {
  for (;;) {
    try { if (await check()) return; } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 50));
  }
}

test.beforeAll(async () => {
  host = spawn('node', [path.join(root, 'tests/e2e/server.mjs'), '4176'], { stdio: 'ignore' });
  await until(async () => (await fetch(`${HOST}/pages/host.html`)).ok);
});
test.afterAll(() => host?.kill());

/** Opens the host page framing Stitch at `stitchPath` (under the app's origin). */
async function frameStitch(page, stitchPath) {
  await page.goto(`${HOST}/pages/host.html?stitch=${encodeURIComponent(APP + stitchPath)}`);
  await expect.poll(() => page.evaluate(() => window.events.filter((e) => e.type === 'stitch:ready').length)).toBe(1);
  return page.frameLocator('#stitch');
}
const events = (page) => page.evaluate(() => window.events);
const ofType = async (page, type) => (await events(page)).filter((e) => e.type === type);

// Every trace and span ID of tests/fixtures/jaeger/single-trace-object.json, and its file name.
const SECRETS = ['trace-123', 'span-1', 'span-2', 'span-3', 'span-4', 'span-5', 'span-6', 'span-7', 'span-8',
  'span-9', 'span-10', 'span-11', 'single-trace-object', 'service1', 'op1'];
function expectNoSecrets(list) {
  const text = JSON.stringify(list);
  for (const s of SECRETS) expect(text, `an unlisted origin heard "${s}"`).not.toContain(s);
}

/** Asks for the analysis and a selection, and expects both refused with how to allow an embedder; the refusals are
 * answers, so once they are in, any event about the trace posted before them would be in too. */
async function expectRefused(page, frame) {
  const before = (await ofType(page, 'stitch:error')).length;
  await page.evaluate(() => window.send({ type: 'stitch:analyze' }));
  await page.evaluate(() => window.send({ type: 'stitch:analyze', traceId: 'trace-123' }));
  await page.evaluate(() => window.send({ type: 'stitch:select', spanId: 'span-3' }));
  await expect.poll(async () => (await ofType(page, 'stitch:error')).length).toBe(before + 3);
  for (const e of await ofType(page, 'stitch:error')) {
    expect(e.message).toContain(`refused: ${HOST} may only ask about traces it sent with stitch:load`);
    expect(e.message).toContain('stitch.config.json');
  }
  expect(await ofType(page, 'stitch:analysis')).toEqual([]);
  if (frame) await expect(frame.locator('g.row.selected')).toHaveCount(0);
}

const URL_TRACE = `?url=${encodeURIComponent('/fixtures/jaeger/single-trace-object.json')}`;

test('a page on an unlisted origin that frames a ?url= trace learns nothing of it, with or without ?origin=', async ({ page }) => {
  for (const query of [URL_TRACE, `${URL_TRACE}&origin=${encodeURIComponent(HOST)}`]) {
    const frame = await frameStitch(page, `/stitch/${query}`);
    await expect(frame.getByTestId('trace-id')).toHaveText('trace-123');
    await expectRefused(page, frame);
    // Not even that it loaded (that would tell whether a guessed address exists), nor what the visitor clicks.
    await frame.locator('g.row[data-span-id="span-3"]').click();
    await expect(frame.locator('g.row.selected')).toHaveAttribute('data-span-id', 'span-3');
    await expectRefused(page);
    expect((await events(page)).map((e) => e.type).filter((t) => t !== 'stitch:error')).toEqual(['stitch:ready']);
    expectNoSecrets(await events(page));
  }
});

test('a page on an unlisted origin learns nothing about a file the visitor drops into its frame', async ({ page }) => {
  const frame = await frameStitch(page, '/stitch/');
  const content = fs.readFileSync(path.join(root, 'tests/fixtures/jaeger/single-trace-object.json'), 'utf8');
  const f = page.frames().find((fr) => fr.url().startsWith(APP));
  await dropFile(f, 'single-trace-object.json', content);
  await expect(frame.getByTestId('trace-id')).toHaveText('trace-123');
  await expectRefused(page, frame);
  // A file that fails is not told of either.
  await dropFile(f, 'secret-name.json', '{"data": [');
  await expect(frame.getByRole('alert')).toContainText('secret-name.json');
  await expectRefused(page, frame);
  expect((await events(page)).map((e) => e.type).filter((t) => t !== 'stitch:error')).toEqual(['stitch:ready']);
  expectNoSecrets(await events(page));
});

test('an origin listed in stitch.config.json is told everything', async ({ page }) => {
  const frame = await frameStitch(page, `/trusted/${URL_TRACE}`);
  await expect(frame.getByTestId('trace-id')).toHaveText('trace-123');
  await expect.poll(async () => (await ofType(page, 'stitch:loaded')).length).toBe(1);
  const [loaded] = await ofType(page, 'stitch:loaded');
  expect(loaded.name).toBe('single-trace-object.json');
  expect(loaded.traces[0].traceId).toBe('trace-123');
  await page.evaluate(() => window.send({ type: 'stitch:analyze' }));
  await expect.poll(async () => (await ofType(page, 'stitch:analysis')).length).toBe(1);
  expect((await ofType(page, 'stitch:analysis'))[0].traceId).toBe('trace-123');
  await frame.locator('g.row[data-span-id="span-3"]').click();
  await expect.poll(() => ofType(page, 'stitch:selected'))
    .toEqual([{ type: 'stitch:selected', traceId: 'trace-123', spanId: 'span-3' }]);
  expect(await ofType(page, 'stitch:error')).toEqual([]);
});

test("an unlisted origin is told everything about the trace it sent itself", async ({ page }) => {
  const frame = await frameStitch(page, '/stitch/');
  await page.evaluate(() => window.loadTrace('/fixtures/jaeger/single-trace-object.json', 'mine.json'));
  await expect.poll(async () => (await ofType(page, 'stitch:loaded')).length).toBe(1);
  expect((await ofType(page, 'stitch:loaded'))[0].traces[0].traceId).toBe('trace-123');
  await page.evaluate(() => window.send({ type: 'stitch:analyze' }));
  await expect.poll(async () => (await ofType(page, 'stitch:analysis')).length).toBe(1);
  await page.evaluate(() => window.send({ type: 'stitch:select', spanId: 'span-5' }));
  await expect(frame.locator('g.row.selected')).toHaveAttribute('data-span-id', 'span-5');
  expect(await ofType(page, 'stitch:error')).toEqual([]);
});

test('?url= never sends cookies, and a javascript: or data: address is refused as such', async ({ page, context }) => {
  await context.addCookies([{ name: 'session', value: 'secret', url: APP }]);
  await openApp(page, `${APP}/stitch/?url=${encodeURIComponent('/no-credentials/jaeger/single-trace-object.json')}`);
  await expect(page.getByTestId('trace-id')).toHaveText('trace-123');
  for (const [bad, scheme] of [['javascript:alert(1)', 'javascript'], ['data:application/json,{}', 'data']]) {
    await page.goto(`${APP}/stitch/?url=${encodeURIComponent(bad)}`);
    await expect(page.getByRole('alert')).toContainText(
      `refused: Stitch downloads only http:// and https:// addresses, and this one is ${scheme}`);
  }
});

test("make serve's server sends the hosting headers", async () => {
  const server = spawn('python3', [path.join(root, 'tests/tools/serve.py'), path.join(root, 'dist'), '4177'], { stdio: 'ignore' });
  try {
    await until(async () => (await fetch('http://127.0.0.1:4177/')).ok);
    for (const file of ['', 'worker.js', 'worker_bg.wasm', 'stitch.config.json']) {
      const r = await fetch(`http://127.0.0.1:4177/${file}`);
      expect(r.headers.get('content-security-policy'), file).toBe('frame-ancestors *');
      expect(r.headers.get('x-content-type-options'), file).toBe('nosniff');
      expect(r.headers.get('cache-control'), file).toBe('no-cache');
    }
    expect((await fetch('http://127.0.0.1:4177/worker_bg.wasm')).headers.get('content-type')).toBe('application/wasm');
  } finally {
    server.kill();
  }
});

// ---- bombs ----

/** Writes `spans` tiny Jaeger spans (76 bytes each), gzipped, to target/e2e/<name> once. */
function gzipBomb(name, spans) {
  const file = path.join(root, 'target', 'e2e', name);
  if (fs.existsSync(file)) return file;
  const span = '{"traceID":"b","spanID":"1","operationName":"o","startTime":1,"duration":1},';
  const block = Buffer.from(span.repeat(100_000));
  const gz = zlib.createGzip({ level: 6 });
  const parts = [];
  gz.on('data', (d) => parts.push(d));
  gz.write('{"data":[{"traceID":"b","spans":[');
  for (let n = 0; n < spans; n += 100_000) gz.write(block);
  gz.end('{"traceID":"b","spanID":"2","operationName":"o","startTime":1,"duration":1}]}]}');
  return new Promise((resolve) => gz.on('end', () => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, Buffer.concat(parts));
    resolve(file);
  }));
}

test('a gzip bomb is refused by its span count, the page stays, and the next load gets a fresh worker', async ({ page }) => {
  test.setTimeout(120_000);
  // 14.1M spans of 76 bytes: 1.07 GB of JSON, just under the 1 GiB (1,073.7 MB) limit, in about 1 MB of gzip.
  const bomb = await gzipBomb('bomb-14m.json.gz', 14_100_000);
  const errors = await openApp(page);
  await dropFile(page, 'bomb.json.gz', fs.readFileSync(bomb));
  await expect(page.getByRole('alert')).toContainText(
    'bomb.json.gz: read as Jaeger JSON, but it holds more than 2,000,000 spans', { timeout: 90_000 });
  // The demo is still on screen, and the page did not parse the bomb itself.
  await expect(page.getByTestId('trace-title')).toContainText('POST /v1/rides');
  const content = fs.readFileSync(path.join(root, 'tests/fixtures/jaeger/single-trace-object.json'), 'utf8');
  await dropFile(page, 'after.json', content.padEnd(1_100_000, ' '));
  await expect(page.getByTestId('trace-id')).toHaveText('trace-123', { timeout: 30_000 });
  expect(errors).toEqual([]);
});

test('a gzip over 1 GiB is refused with the size limit while it is decompressed', async ({ page }) => {
  test.setTimeout(120_000);
  const bomb = await gzipBomb('bomb-16m.json.gz', 16_000_000);
  await openApp(page);
  await dropFile(page, 'big.json.gz', fs.readFileSync(bomb));
  await expect(page.getByRole('alert')).toHaveText(
    /big\.json\.gz: it decompresses to more than the 1074 MB Stitch can hold in a browser tab/, { timeout: 90_000 });
  await expect(rows(page).first()).toContainText('POST /v1/rides');
});

test('a 50 MB attribute shows a bounded part, with the whole value to copy or download', async ({ page }) => {
  await openApp(page);
  await page.evaluate(() => {
    const huge = 'x'.repeat(50_000_000);
    const trace = { data: [{ traceID: 'big-attr', processes: { p: { serviceName: 's' } }, spans: [
      { traceID: 'big-attr', spanID: 'a', operationName: 'op', startTime: 1, duration: 5, processID: 'p',
        tags: [{ key: 'payload', type: 'string', value: huge }] }] }] };
    const dt = new DataTransfer();
    dt.items.add(new File([JSON.stringify(trace)], 'big-attr.json'));
    document.body.dispatchEvent(new DragEvent('drop', { bubbles: true, cancelable: true, dataTransfer: dt }));
  });
  await expect(page.getByTestId('trace-id')).toHaveText('big-attr', { timeout: 30_000 });
  await rows(page).first().click();
  await page.getByRole('button', { name: 'show more' }).click();
  await expect(page.getByTestId('value-rest')).toContainText('49,980,000 more characters, not shown');
  expect(await page.evaluate(() => document.body.innerText.length)).toBeLessThan(100_000);
  const [dl] = await Promise.all([page.waitForEvent('download'),
    page.getByTestId('value-rest').getByRole('button', { name: 'download' }).click()]);
  expect(dl.suggestedFilename()).toBe('payload.txt');
  expect(fs.statSync(await dl.path()).size).toBe(50_000_000);
});

test('a link with NaN times is ignored, and the address is never rewritten to NaN', async ({ page }) => {
  for (const [i, hash] of ['#t=0-NaN', '#t=NaN-NaN', '#span=923a736994e3bf91&t=Infinity-5'].entries()) {
    // A query of its own each time: a change of the hash alone does not reload the page.
    const errors = await openApp(page, `${APP}/stitch/?n=${i}${hash}`);
    await expect(page.getByTestId('window-label')).toHaveText('0 – 812ms');
    await expect(rows(page).first()).toContainText('POST /v1/rides');
    await page.keyboard.press('ArrowUp');
    await expect.poll(() => page.evaluate(() => location.hash)).toMatch(/^#(span=923a736994e3bf91&)?t=\d+-\d+$/);
    expect(errors).toEqual([]);
  }
});

test('names with characters XML forbids still export a well-formed SVG', async ({ page }) => {
  await openApp(page);
  const trace = { data: [{ traceID: 'xml', processes: { p: { serviceName: 'svc\uFFFE' } }, spans: [
    { traceID: 'xml', spanID: 'a', operationName: 'op\uFFFF\u0001end', startTime: 1, duration: 5, processID: 'p' }] }] };
  await dropFile(page, 'xml.json', JSON.stringify(trace));
  await expect(page.getByTestId('trace-id')).toHaveText('xml');
  const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-svg').click()]);
  const svg = fs.readFileSync(await dl.path(), 'utf8');
  const parsed = await page.evaluate((s) => {
    const doc = new DOMParser().parseFromString(s, 'image/svg+xml');
    return doc.getElementsByTagName('parsererror').length;
  }, svg);
  expect(parsed).toBe(0);
  expect(svg).toContain('op\uFFFD end');
});
