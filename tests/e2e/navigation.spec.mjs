// Navigation at scale (a generated 10k-span trace) and search/filters on the demo traces.
import { test, expect } from '@playwright/test';
import path from 'node:path';
import fs from 'node:fs';
import { openApp, dropUrl, dropFile, readFixture, rows, root } from './helpers.mjs';

const TEN_K = '/generated/jaeger-10k.json';
const rowCount = (page) => page.getByTestId('row-count');

test('only the rows in view are in the DOM while scrolling 10,000 spans', async ({ page }) => {
  const errors = await openApp(page);
  await dropUrl(page, TEN_K);
  await expect(page.getByTestId('span-count')).toHaveText('10,000');
  await page.keyboard.press('['); // expand all, sibling groups too: 10,000 rows
  await expect(rowCount(page)).toHaveText('10,000 spans');
  const scroller = page.getByTestId('rows-scroll');
  for (const frac of [0, 0.25, 0.5, 0.75, 1]) {
    const top = await scroller.evaluate((el, f) => (el.scrollTop = f * (el.scrollHeight - el.clientHeight)), frac);
    // Drawn once the row at the top of the view is in the DOM.
    await expect(page.locator(`g[data-row="${Math.floor(top / 26)}"]`)).toHaveCount(1);
    const n = await rows(page).count();
    expect(n).toBeGreaterThan(10);
    expect(n).toBeLessThanOrEqual(60);
  }
  // At the bottom, the last row is drawn (10,000 spans plus the sibling-group rows, 26 px each).
  const total = await scroller.evaluate((el) => Math.round(el.scrollHeight / 26));
  expect(total).toBeGreaterThanOrEqual(10000);
  await expect(page.locator(`g.row[data-row="${total - 1}"]`)).toHaveCount(1);
  expect(errors).toEqual([]);
});

test('keyboard: collapse and expand all, levels, focus, Enter, pan, zoom, help', async ({ page }) => {
  await openApp(page);
  await dropUrl(page, TEN_K);
  await page.keyboard.press(']');
  await expect(rowCount(page)).toHaveText('1 of 10,000 spans shown');
  await page.keyboard.press('[');
  await expect(rowCount(page)).toHaveText('10,000 spans');
  await page.keyboard.press('p'); // collapse the deepest level that has children
  await expect(rowCount(page)).toHaveText(/of 10,000 spans shown/);
  await page.keyboard.press('o');
  await expect(rowCount(page)).toHaveText('10,000 spans');
  // f focuses the first row, f again the second; Enter opens its detail.
  await page.keyboard.press('f');
  await page.keyboard.press('f');
  await expect(page.locator('g.row.focused')).toHaveAttribute('data-row', '1');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('detail')).toBeVisible();
  await page.keyboard.press('b');
  await expect(page.locator('g.row.focused')).toHaveAttribute('data-row', '0');
  // Zoom in with ↑, pan with → and d, reset with 0.
  const label = page.getByTestId('window-label');
  const full = await label.textContent();
  await page.keyboard.press('ArrowUp');
  await expect(label).not.toHaveText(full);
  const zoomed = await label.textContent();
  await page.keyboard.press('ArrowRight');
  await expect(label).not.toHaveText(zoomed);
  await page.keyboard.press('0');
  await expect(label).toHaveText(full);
  await page.keyboard.press('?');
  await expect(page.getByTestId('help')).toContainText('expand all');
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('help')).toHaveCount(0);
});

test('search by words, key=value and quoted phrases, with next and matches only', async ({ page }) => {
  await openApp(page);
  const search = page.getByTestId('search');
  // Ride demo, read from src/demo/ride-request.json: six spans carry db.system=postgresql.
  await search.fill('db.system=postgresql');
  await expect(page.getByTestId('match-count')).toHaveText('6 matches');
  await expect(page.locator('g.row.hit').first()).toBeVisible();
  await search.press('Enter');
  await expect(page.getByTestId('match-count')).toHaveText('1 / 6');
  // Rows follow start order: GET /v1/nearby (12.0 ms) comes before pricing.GetSurge (12.3 ms).
  await expect(page.locator('g.row.selected')).toContainText('SELECT drivers');
  // Matches only: the 6 hits and their 9 ancestors (root, dispatch client and server, pricing client and server,
  // nearby client, geo-index server, CreateTrip client, trip server).
  await page.getByTestId('matches-only').check();
  await expect(rows(page)).toHaveCount(15);
  await page.getByTestId('matches-only').uncheck();
  // "GET /v1/nearby" is dispatch's client span and geo-index's server span.
  await search.fill('"GET /v1/nearby"');
  await expect(page.getByTestId('match-count')).toHaveText('2 matches');
  await page.getByTestId('matches-only').check();
  // The two hits and their ancestors: POST /v1/rides, dispatch.RequestRide, its server span.
  await expect(rows(page)).toHaveCount(5);
  await page.getByTestId('matches-only').uncheck();
  // Two words must both match: the SELECT drivers span.
  await search.fill('geo-index drivers');
  // SELECT drivers (operation) and filter.available (attribute keys drivers.in, drivers.out).
  await expect(page.getByTestId('match-count')).toHaveText('2 matches');
  await search.press('Escape');
  await expect(search).toHaveValue('');
  await expect(page.getByTestId('match-count')).toHaveText('');
  // Back to the default view: the 8 routing.ComputeETA calls (24 spans with their subtrees) are one group row.
  await expect(rowCount(page)).toHaveText('60 spans, 24 in 1 folded group');
});

test('filters: a service from the legend, errors only, minimum duration', async ({ page }) => {
  await openApp(page);
  // geo-index has 8 spans; with their 4 ancestors, 12 rows.
  await page.locator('.chip[data-service="geo-index"]').click();
  await expect(rows(page)).toHaveCount(12);
  await expect(rowCount(page)).toHaveText('12 of 60 spans shown');
  // Clicking again hides geo-index: 60 - 8 = 52 spans remain, and the 8 routing.ComputeETA calls (24 spans with
  // their subtrees, none in geo-index) stay folded in their group row.
  await page.locator('.chip[data-service="geo-index"]').click();
  await expect(rowCount(page)).toHaveText('52 of 60 spans shown, 24 in 1 folded group');
  await page.locator('.chip[data-service="geo-index"]').click();
  await expect(rowCount(page)).toHaveText('60 spans, 24 in 1 folded group');
  // Spans of at least 500 ms: POST /v1/rides, dispatch.RequestRide (client and server), GET /v1/nearby
  // (client and server) and SELECT drivers = 6, all on one ancestor chain.
  await page.getByTestId('min-duration').fill('500');
  await expect(rowCount(page)).toHaveText('6 of 60 spans shown');
  await page.getByTestId('min-duration').fill('');
  // The card demo has one error; with its ancestors, 4 rows.
  await page.getByTestId('demo-select').selectOption({ index: 1 });
  await page.getByTestId('errors-only').check();
  await expect(rowCount(page)).toHaveText('4 of 26 spans shown');
});

test('filters keep filtering while the search box has text', async ({ page }) => {
  await openApp(page);
  await dropFile(page, 'messaging-kafka.json', readFixture('zipkin/messaging-kafka.json'));
  await expect(page.getByTestId('span-count')).toHaveText('28');
  // 13 of the 28 spans fail or lead to one that does.
  await page.getByTestId('errors-only').check();
  await expect(rowCount(page)).toHaveText('13 of 28 spans shown');
  await page.getByTestId('search').fill('poll');
  await expect(page.getByTestId('match-count')).not.toHaveText('');
  await expect(rowCount(page)).toHaveText('13 of 28 spans shown');
});

test('the minimap moves the view, and its brush drags', async ({ page }) => {
  await openApp(page);
  const label = page.getByTestId('window-label');
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('ArrowUp');
  const before = await label.textContent();
  const mm = await page.getByTestId('minimap').boundingBox();
  await page.mouse.click(mm.x + mm.width * 0.9, mm.y + mm.height / 2);
  await expect(label).not.toHaveText(before);
  const moved = await label.textContent();
  const brush = await page.getByTestId('brush').boundingBox();
  await page.mouse.move(brush.x + brush.width / 2, brush.y + brush.height / 2);
  await page.mouse.down();
  await page.mouse.move(brush.x + brush.width / 2 - 200, brush.y + brush.height / 2, { steps: 4 });
  await page.mouse.up();
  await expect(label).not.toHaveText(moved);
});

test('the tree is accessible and both themes are legible', async ({ page }) => {
  await openApp(page);
  await expect(page.locator('svg.rows[role=tree]')).toHaveCount(1);
  const first = page.locator('g.row').first();
  await expect(first).toHaveAttribute('role', 'treeitem');
  await expect(first).toHaveAttribute('aria-level', '1');
  await expect(first).toHaveAttribute('aria-expanded', 'true');
  await page.screenshot({ path: path.join(root, 'test-results', 'theme-light.png') });
  await page.getByTestId('theme-toggle').click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await page.locator('g.row').nth(17).click();
  await page.screenshot({ path: path.join(root, 'test-results', 'theme-dark.png') });
});

test('the view exports as a standalone SVG and as a PNG', async ({ page }) => {
  await openApp(page);
  const [svgDl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-svg').click()]);
  expect(svgDl.suggestedFilename()).toBe('stitch-view.svg');
  const svg = fs.readFileSync(await svgDl.path(), 'utf8');
  expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
  expect(svg).toContain('POST /v1/rides');
  expect(svg).toContain('SELECT drivers');
  const [pngDl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-png').click()]);
  expect(pngDl.suggestedFilename()).toBe('stitch-view.png');
  const png = fs.readFileSync(await pngDl.path());
  expect([...png.subarray(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
  expect(png.length).toBeGreaterThan(10000);
});

test('many same-operation siblings are one expandable row', async ({ page }) => {
  await openApp(page);
  // dispatch calls routing.ComputeETA 8 times in parallel: 14.2 + 11.8 + 19.6 + 12.9 + 16.3 + 10.7 + 13.4 + 17.1 ms.
  const group = page.getByTestId('group-row');
  await expect(group).toHaveCount(1);
  await expect(group).toContainText('8 × dispatch: routing.ComputeETA');
  await expect(group).toContainText('total 116ms');
  await expect(group).toHaveAttribute('aria-expanded', 'false');
  await group.click();
  await expect(group).toHaveAttribute('aria-expanded', 'true');
  await expect(rowCount(page)).toHaveText('60 spans');
  await expect(page.locator('g.row').filter({ hasText: 'routing.v1.Routing/ComputeETA' }).first()).toBeVisible();
  await group.click();
  await expect(rowCount(page)).toHaveText('60 spans, 24 in 1 folded group');
});

test('a new file starts with no search or filter, and a hash edited alone is applied', async ({ page }) => {
  await openApp(page);
  await page.getByTestId('search').fill('drivers');
  await page.getByTestId('errors-only').check();
  await dropFile(page, 'messaging-kafka.json', readFixture('zipkin/messaging-kafka.json'));
  await expect(page.getByTestId('span-count')).toHaveText('28');
  await expect(page.getByTestId('search')).toHaveValue('');
  await expect(page.getByTestId('errors-only')).not.toBeChecked();
  await expect(rowCount(page)).toHaveText('28 spans');
  // Back to the demo, then a link pasted over the hash alone (no reload).
  await page.getByTestId('demo-select').selectOption('0');
  await page.evaluate(() => { location.hash = '#span=923a736994e3bf91&t=100000-300000'; });
  await expect(page.getByTestId('detail')).toContainText('SELECT drivers');
  await expect(page.getByTestId('window-label')).toHaveText('100ms – 300ms');
});

test('statistics say when they show only the first rows, and show all on request', async ({ page }) => {
  await openApp(page);
  // A root and 720 children, each its own operation: 721 service/operation rows.
  const spans = [{ traceID: 'ops', spanID: 'root', operationName: 'root', startTime: 1, duration: 1000, processID: 'p' }];
  for (let i = 0; i < 720; i++) {
    spans.push({ traceID: 'ops', spanID: `c${i}`, operationName: `op-${i}`, startTime: 2, duration: 1, processID: 'p',
      references: [{ refType: 'CHILD_OF', traceID: 'ops', spanID: 'root' }] });
  }
  await dropFile(page, 'ops.json', JSON.stringify({ data: [{ traceID: 'ops', processes: { p: { serviceName: 's' } }, spans }] }));
  await expect(page.getByTestId('trace-id')).toHaveText('ops');
  await page.getByTestId('stats-toggle').click();
  const more = page.getByTestId('stats-more');
  await expect(more).toContainText('Showing the first 500 of 721 rows');
  await expect(page.locator('.stat-row')).toHaveCount(500);
  await more.getByRole('button', { name: 'Show all' }).click();
  await expect(page.locator('.stat-row')).toHaveCount(721);
  await expect(more).toHaveCount(0);
});

test('with 33 services the legend keeps to one line, with the rest behind "+21 more"', async ({ page }) => {
  await openApp(page);
  const processes = {};
  const spans = [];
  for (let i = 0; i < 33; i++) {
    processes[`p${i}`] = { serviceName: `service-${String(i).padStart(2, '0')}` };
    spans.push({ traceID: 'many', spanID: `s${i}`, operationName: 'op', startTime: 1 + i, duration: 100 - i, processID: `p${i}`,
      references: i ? [{ refType: 'CHILD_OF', traceID: 'many', spanID: 's0' }] : [] });
  }
  await dropFile(page, 'many.json', JSON.stringify({ data: [{ traceID: 'many', processes, spans }] }));
  await expect(page.getByTestId('trace-id')).toHaveText('many');
  const legend = page.getByTestId('legend');
  await expect(legend.locator('.chip[data-service]')).toHaveCount(12);
  await expect(page.getByTestId('legend-more')).toHaveText('+21 more');
  const box = await legend.boundingBox();
  expect(box.height).toBeLessThan(48);
  await page.getByTestId('legend-more').click();
  await expect(legend.locator('.chip[data-service]')).toHaveCount(33);
});

test('axe finds no serious or critical accessibility problem on the demo and on an open detail panel', async ({ page }) => {
  const axe = fs.readFileSync(path.join(root, 'node_modules/axe-core/axe.min.js'), 'utf8');
  // Rules broken, with their elements, at the serious and critical levels.
  const problems = async () => {
    await page.evaluate(axe); // evaluate runs outside the page's CSP, which allows no inline script
    return page.evaluate(async () => (await window.axe.run(document)).violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`));
  };
  await openApp(page);
  await expect.poll(() => rows(page).count()).toBeGreaterThan(20);
  expect(await problems()).toEqual([]);
  await rows(page).nth(3).click();
  await expect(page.getByTestId('detail')).toBeVisible();
  expect(await problems()).toEqual([]);
});
