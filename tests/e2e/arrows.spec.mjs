// Link arrows: a span's links drawn between the bars while it is selected or hovered, and the span panel's links
// (to this trace, to another trace of the file, to a span not loaded). The file is written by the OpenTelemetry JS
// SDK (tests/e2e/otel-links.mjs): in trace A, "charge card" links to "load invoice" (A), to "publish order.created"
// (trace B) and to a span of a trace the file does not hold. IDs are the SDK's own, so they are read from the file.
import { test, expect } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';
import { root } from './helpers.mjs';

const spans = () => {
  const d = JSON.parse(fs.readFileSync(path.join(root, 'target/e2e/otel-links.json'), 'utf8'));
  const all = d.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));
  return Object.fromEntries(all.map((s) => [s.name, s]));
};

/** The start and end of the arrow's line, in page pixels. */
const arrowEnds = (arrow) => arrow.locator('path.link-line').evaluate((p) => {
  const m = p.getScreenCTM();
  const at = (len) => { const q = p.getPointAtLength(len); return { x: m.a * q.x + m.e, y: m.d * q.y + m.f }; };
  return { from: at(0), to: at(p.getTotalLength()) };
});

const row = (page, name) => page.locator('g.row', { hasText: name });
const centreY = async (loc) => { const b = await loc.boundingBox(); return b.y + b.height / 2; };

test('a selected or hovered span\'s link is an arrow between the bars; the panel opens a link into another trace', async ({ page }) => {
  const s = spans();
  const [a, b] = [s['charge card'].traceId, s['publish order.created'].traceId];
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto('?url=/generated/otel-links.json');
  await page.locator(`[data-testid="trace-row"][data-trace-id="${a}"]`).click();
  await expect(page.getByTestId('trace-id')).toHaveText(a);
  await page.mouse.move(2, 2);
  const arrows = page.getByTestId('link-arrow');
  await expect(row(page, 'charge card')).toHaveCount(1);
  await expect(arrows).toHaveCount(0);

  // Selected: one arrow, from the start of charge card's bar to the end of load invoice's (which ends 30 ms before
  // charge card starts), each at its row's middle.
  await row(page, 'charge card').click();
  await page.mouse.move(2, 2);
  await expect(arrows).toHaveCount(1);
  const ends = await arrowEnds(arrows.first());
  const chargeBar = await row(page, 'charge card').locator('rect.bar').boundingBox();
  const loadBar = await row(page, 'load invoice').locator('rect.bar').boundingBox();
  expect(Math.abs(ends.from.x - chargeBar.x)).toBeLessThan(1.5);
  expect(Math.abs(ends.from.y - await centreY(row(page, 'charge card').locator('rect.row-bg')))).toBeLessThan(1.5);
  expect(Math.abs(ends.to.x - (loadBar.x + loadBar.width))).toBeLessThan(1.5);
  expect(Math.abs(ends.to.y - await centreY(row(page, 'load invoice').locator('rect.row-bg')))).toBeLessThan(1.5);
  expect(ends.to.y).toBeLessThan(ends.from.y);
  const shot = page.locator('section.waterfall .rows-scroll');
  await shot.screenshot({ path: path.join(root, 'tests/e2e/screenshots/link-arrow.png') });
  await page.getByTestId('theme-toggle').click();
  await shot.screenshot({ path: path.join(root, 'test-results/link-arrow-dark.png') });
  await page.getByTestId('theme-toggle').click();

  // The span panel: the link into this trace selects its span; the one into trace B is a button too; the third
  // says it is not loaded.
  const items = page.getByTestId('detail').getByTestId('link-item');
  await expect(items).toHaveCount(3);
  await expect(items.nth(0).locator('button')).toHaveText(s['load invoice'].spanId);
  await expect(items.nth(1).locator('button')).toHaveText(`${s['publish order.created'].spanId} in trace ${b}`);
  await expect(items.nth(2).locator('button')).toHaveCount(0);
  await expect(items.nth(2)).toContainText('00f067aa0ba902b7 in trace 4bf92f3577b34da6a3ce929d0e0e4736');
  await expect(items.nth(2).getByTestId('link-missing')).toHaveText('— not in the loaded file');

  // Hovered (nothing selected): load invoice shows the arrow into it; leaving the row hides it.
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('detail')).toHaveCount(0);
  await expect(arrows).toHaveCount(0);
  await row(page, 'load invoice').hover();
  await expect(arrows).toHaveCount(1);
  const hovered = await arrowEnds(arrows.first());
  expect(Math.abs(hovered.to.y - await centreY(row(page, 'load invoice').locator('rect.row-bg')))).toBeLessThan(1.5);
  expect(Math.abs(hovered.from.y - await centreY(row(page, 'charge card').locator('rect.row-bg')))).toBeLessThan(1.5);
  await row(page, 'apply discounts').hover();
  await expect(arrows).toHaveCount(0);

  // The link into trace B opens it with that span selected.
  await row(page, 'charge card').click();
  await page.getByTestId('detail').getByTestId('link-item').nth(1).locator('button').click();
  await expect(page.getByTestId('trace-id')).toHaveText(b);
  await expect(page.locator('g.row.selected')).toContainText('publish order.created');
  await expect(page.getByTestId('detail')).toContainText('publish order.created');
  // Back returns to trace A, where the link was followed.
  await page.goBack();
  await expect(page.getByTestId('trace-id')).toHaveText(a);
  expect(errors).toEqual([]);
});

test('an end scrolled out of view or folded is drawn at the edge or its ancestor, with a label', async ({ page }) => {
  const s = spans();
  await page.goto('?url=/generated/otel-links.json');
  await page.locator(`[data-testid="trace-row"][data-trace-id="${s['charge card'].traceId}"]`).click();
  // Fold the root: charge card shows at it, labelled; its link to load invoice (also folded) starts and ends there.
  await row(page, 'charge card').click();
  await page.mouse.move(2, 2);
  await row(page, 'consume order.created').getByTestId('chevron').click();
  await page.mouse.move(2, 2);
  await expect(row(page, 'charge card')).toHaveCount(0);
  const arrow = page.getByTestId('link-arrow');
  await expect(arrow).toHaveCount(1);
  await expect(arrow.locator('text.link-label')).toHaveText([
    'billing-worker: charge card (folded here)', 'billing-worker: load invoice (folded here)',
  ]);
  const ends = await arrowEnds(arrow);
  const rootY = await centreY(row(page, 'consume order.created').locator('rect.row-bg'));
  expect(Math.abs(ends.from.y - rootY)).toBeLessThan(1.5);
  expect(Math.abs(ends.to.y - rootY)).toBeLessThan(1.5);
});
