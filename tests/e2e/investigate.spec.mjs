// Investigating one request: exceptions, focus on a subtree, and the view tabs with the span table, on the trace the
// real OpenTelemetry JS SDK writes (tests/e2e/otel-client.mjs): GET /checkout > cart.Get > SELECT cart (an error,
// with a recorded DeadlockError), and GET /checkout > render. Expected values are read from that file here.
import fs from 'node:fs';
import path from 'node:path';
import { test, expect } from '@playwright/test';
import { openApp, dropUrl, rows, root } from './helpers.mjs';

const FILE = 'otel-js-otlp.json';
const otlp = JSON.parse(fs.readFileSync(path.join(root, 'target/e2e', FILE), 'utf8'));
const spans = otlp.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));
const byName = (name) => spans.find((s) => s.name === name);
const attr = (attrs, key) => attrs.find((a) => a.key === key)?.value.stringValue;
const exceptionEvent = byName('SELECT cart').events.find((e) => e.name === 'exception');
const hexId = (id) => (/^[0-9a-f]+$/i.test(id) ? id.toLowerCase() : Buffer.from(id, 'base64').toString('hex'));

async function openCheckout(page) {
  const errors = await openApp(page);
  await dropUrl(page, `/generated/${FILE}`, FILE);
  await expect(rows(page)).toHaveCount(4);
  return errors;
}

test('an exception recorded by the SDK shows as a card, on its row and in the header', async ({ page }) => {
  const errors = await openCheckout(page);
  const type = attr(exceptionEvent.attributes, 'exception.type');
  const message = attr(exceptionEvent.attributes, 'exception.message');
  const stack = attr(exceptionEvent.attributes, 'exception.stacktrace');
  expect(type).toBe('DeadlockError');
  // The row of SELECT cart names the type beside the operation.
  await expect(rows(page).nth(2).getByTestId('row-exception')).toHaveText(type);
  // The header counts it; a click selects the span that holds it.
  await expect(page.getByTestId('exception-count')).toHaveText('1 exception');
  await page.getByTestId('exception-count').click();
  const card = page.getByTestId('exception-card');
  await expect(card).toHaveCount(1);
  await expect(card.getByTestId('exception-type')).toHaveText(type);
  await expect(card.getByTestId('exception-message')).toHaveText(message);
  // The stack trace is folded, and keeps its lines when opened.
  const pre = card.locator('pre');
  await expect(pre).toBeHidden();
  await card.getByTestId('exception-stack').locator('summary').click();
  await expect(pre).toBeVisible();
  expect(await pre.textContent()).toBe(stack);
  expect(stack.split('\n').length).toBeGreaterThan(2);
  await page.getByTestId('detail').screenshot({ path: 'tests/e2e/screenshots/exception-card.png' });
  expect(errors).toEqual([]);
});

test('focus shows one subtree with its breadcrumb, is in the link, and Esc leaves it', async ({ page }) => {
  const errors = await openCheckout(page);
  // Focus on cart.Get from its row's context action.
  await rows(page).nth(1).click({ button: 'right' });
  await expect(rows(page)).toHaveCount(2);
  await expect(rows(page).nth(0)).toContainText('cart.Get');
  await expect(rows(page).nth(1)).toContainText('SELECT cart');
  const crumb = page.getByTestId('breadcrumb');
  await expect(crumb.getByTestId('crumb-here')).toHaveText('checkout: cart.Get');
  await expect(crumb.locator('button.crumb')).toHaveText(['Whole trace', 'checkout: GET /checkout']);
  // The summary and the statistics speak of the subtree.
  await expect(page.getByTestId('summary')).toContainText('(the focused subtree)');
  await page.getByTestId('stats-toggle').click();
  await expect(page.getByTestId('stats-scope')).toBeVisible();
  await expect(page.getByTestId('stats-table').locator('tbody tr')).toHaveCount(2);
  await page.getByTestId('stats-toggle').click();
  await page.locator('.views').screenshot({ path: 'tests/e2e/screenshots/focus.png' });
  // The link names the focused span.
  const cartId = hexId(byName('cart.Get').spanId);
  await expect.poll(() => page.evaluate(() => location.hash)).toContain(`focus=${cartId}`);
  // The breadcrumb's ancestor focuses on it: the whole tree is under GET /checkout.
  await crumb.locator('button.crumb', { hasText: 'GET /checkout' }).click();
  await expect(rows(page)).toHaveCount(4);
  await expect(crumb.getByTestId('crumb-here')).toHaveText('checkout: GET /checkout');
  // z on a selected span focuses; Esc leaves.
  await rows(page).nth(3).click();
  await page.keyboard.press('z');
  await expect(rows(page)).toHaveCount(1);
  await expect(rows(page).nth(0)).toContainText('render');
  await page.keyboard.press('Escape');
  await expect(crumb).toHaveCount(0);
  await expect(rows(page)).toHaveCount(4);
  expect(errors).toEqual([]);
});

test('a link with #focus= and #view= opens on them', async ({ page }) => {
  await openCheckout(page);
  await rows(page).nth(1).click({ button: 'right' });
  await page.keyboard.press('3');
  await expect(page.getByTestId('span-table')).toBeVisible();
  await expect.poll(() => page.evaluate(() => location.hash)).toContain('view=table');
  const hash = await page.evaluate(() => location.hash);
  expect(hash).toContain(`focus=${hexId(byName('cart.Get').spanId)}`);
  // The same view from a link that downloads the file: the span table of cart.Get's subtree.
  await page.goto('about:blank');
  await page.goto(`?url=${encodeURIComponent(`/generated/${FILE}`)}${hash}`);
  await expect(page.getByTestId('span-table')).toBeVisible();
  await expect(page.getByTestId('span-row')).toHaveCount(2);
  await expect(page.getByTestId('crumb-here')).toHaveText('checkout: cart.Get');
  await expect(page.getByTestId('tab-table')).toHaveAttribute('aria-selected', 'true');
});

test('the span table lists, sorts and selects spans, and follows the focus', async ({ page }) => {
  const errors = await openCheckout(page);
  await page.getByTestId('tab-table').click();
  const table = page.getByTestId('span-table');
  await expect(table).toBeVisible();
  await expect(page.getByTestId('tab-table')).toHaveAttribute('aria-selected', 'true');
  const ops = () => page.getByTestId('span-row').locator('td.op').allTextContents();
  // In start order, as the file's start times say (a child that starts with its parent comes after it).
  const depth = (s) => (s.parentSpanId ? 1 + depth(spans.find((p) => p.spanId === s.parentSpanId)) : 0);
  const cmp = (x, y) => (x < y ? -1 : x > y ? 1 : 0);
  const byStart = [...spans]
    .sort((a, b) => cmp(BigInt(a.startTimeUnixNano), BigInt(b.startTimeUnixNano)) || depth(a) - depth(b))
    .map((s) => s.name);
  expect(byStart[0]).toBe('GET /checkout');
  await expect.poll(ops).toEqual(byStart);
  // Longest first: the durations from the file.
  const dur = (s) => BigInt(s.endTimeUnixNano) - BigInt(s.startTimeUnixNano);
  const byDuration = [...spans].sort((a, b) => (dur(b) > dur(a) ? 1 : dur(b) < dur(a) ? -1 : 0)).map((s) => s.name);
  await page.getByTestId('sort-Duration').click();
  await expect.poll(ops).toEqual(byDuration);
  // The error row says so, with the status message.
  const sqlRow = page.getByTestId('span-row').filter({ hasText: 'SELECT cart' });
  await expect(sqlRow.locator('td.err')).toHaveText(`error: ${byName('SELECT cart').status.message}`);
  await sqlRow.click();
  await expect(page.getByTestId('detail')).toContainText('SELECT cart');
  await page.locator('.main').screenshot({ path: 'tests/e2e/screenshots/span-table.png' });
  // z focuses on the selected span: the table lists its subtree.
  await page.keyboard.press('z');
  await expect(page.getByTestId('span-row')).toHaveCount(1);
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('span-row')).toHaveCount(4);
  // Key 1 is the waterfall again.
  await page.keyboard.press('1');
  await expect(table).toHaveCount(0);
  await expect(rows(page).first()).toBeVisible();
  expect(errors).toEqual([]);
});

test('the label beside each bar: an attribute, nothing, and back; kept in the link and in the browser', async ({ page }) => {
  const errors = await openCheckout(page);
  const label = (name) => rows(page).filter({ hasText: name }).getByTestId('bar-label-text');
  // The default is the duration.
  await expect(label('SELECT cart')).toHaveText(/^\d[\d.]*(µs|ms)$/);
  await page.getByTestId('bar-label').selectOption('attr');
  await page.getByTestId('bar-label-key').fill('db.statement');
  await page.getByTestId('bar-label-key').press('Enter');
  await expect(label('SELECT cart')).toHaveText(attr(byName('SELECT cart').attributes, 'db.statement'));
  // A span without that attribute shows nothing beside its bar.
  await expect(label('render')).toHaveText('');
  await expect.poll(() => page.evaluate(() => decodeURIComponent(location.hash))).toContain('label=attr:db.statement');
  await page.getByTestId('bar-label').selectOption('none');
  await expect(label('SELECT cart')).toHaveText('');
  // The choice stays for the next visit (localStorage), without a link saying so.
  await page.goto('about:blank');
  await page.goto(`?url=${encodeURIComponent(`/generated/${FILE}`)}`);
  await expect(rows(page)).toHaveCount(4);
  await expect(page.getByTestId('bar-label')).toHaveValue('none');
  await expect(label('SELECT cart')).toHaveText('');
  await page.getByTestId('bar-label').selectOption('duration');
  expect(errors).toEqual([]);
});
