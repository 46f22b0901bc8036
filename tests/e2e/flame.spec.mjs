// The flame graph (#19): tests/fixtures/flame/checkout.json, read by hand (µs from the root's start, 1000 µs in all):
//   row 0  frontend: GET /checkout 0–1000
//   row 1  cart: load cart 10–300 · payment: charge 400–900 · frontend: render 950–1000
//   row 2  cart-db: SELECT cart_items 20–290 · bank: authorize 450–850 · payment: audit log 880–883 (error)
//   row 3  bank: sign 460–463;  row 4  bank: hsm.call 460–700
// Self time: authorize 400 − 3 = 397 µs (the most); charge 500 − 400 − 3 = 97 µs.
import { test, expect } from '@playwright/test';
import path from 'node:path';
import { openApp, dropFile, readFixture, root } from './helpers.mjs';

const ROW_H = 20;

async function openCheckout(page) {
  const errors = await openApp(page);
  await dropFile(page, 'checkout.json', readFixture('flame/checkout.json'));
  await expect(page.getByTestId('trace-title')).toHaveText('frontend: GET /checkout');
  return errors;
}

/** Switches to the flame graph with the key 2 and waits for it to draw. */
async function showFlame(page) {
  await page.locator('body').press('2');
  await expect(page.getByTestId('flame-canvas')).toBeVisible();
  await expect(page.getByTestId('tab-flame')).toHaveAttribute('aria-selected', 'true');
}

/** The page point at time `us` (µs from the start) on flame row `row`, with the whole trace in the window. */
async function at(page, us, row) {
  const box = await page.getByTestId('flame-canvas').boundingBox();
  return { x: box.x + (box.width * us) / 1000, y: box.y + row * ROW_H + ROW_H / 2 };
}

/** The canvas's colour at a page point, as `rgb(r, g, b)`. */
async function pixel(page, { x, y }) {
  return page.getByTestId('flame-canvas').evaluate((c, p) => {
    const r = c.getBoundingClientRect();
    const k = c.width / r.width;
    const [R, G, B] = c.getContext('2d').getImageData(Math.round((p.x - r.left) * k), Math.round((p.y - r.top) * k), 1, 1).data;
    return `rgb(${R}, ${G}, ${B})`;
  }, { x, y });
}

const serviceColour = (page, name) =>
  page.locator(`.legend .chip[data-service="${name}"] .dot`).evaluate((d) => getComputedStyle(d).backgroundColor);

test('the flame graph draws every span a pixel wide, the root in its service colour', async ({ page }) => {
  const errors = await openCheckout(page);
  await showFlame(page);
  // Over ~1,400 px a 3 µs span is 4 px: all nine are drawn.
  await expect(page.getByTestId('flame-canvas')).toHaveAttribute('data-rects', '9');
  // Past the root's label, the root's rectangle is frontend's colour; payment's charge, payment's.
  expect(await pixel(page, await at(page, 600, 0))).toBe(await serviceColour(page, 'frontend'));
  expect(await pixel(page, await at(page, 800, 1))).toBe(await serviceColour(page, 'payment'));
  // Between load cart (ends at 300 µs) and charge (starts at 400 µs) row 1 is empty.
  expect(await pixel(page, await at(page, 350, 1))).not.toBe(await serviceColour(page, 'payment'));
  expect(errors).toEqual([]);
});

test('a click on a rectangle selects its span; the hover card gives its times', async ({ page }) => {
  await openCheckout(page);
  await showFlame(page);
  const loadCart = await at(page, 155, 1);
  await page.mouse.click(loadCart.x, loadCart.y);
  await expect(page.getByTestId('detail')).toContainText('load cart');
  const authorize = await at(page, 650, 2);
  await page.mouse.click(authorize.x, authorize.y);
  await expect(page.getByTestId('detail')).toContainText('authorize');
  const charge = await at(page, 880, 1);
  await page.mouse.move(charge.x, charge.y);
  const card = page.getByTestId('flame-card');
  await expect(card).toContainText('payment');
  await expect(card).toContainText('charge');
  await expect(card).toContainText('Duration 500µs');
  await expect(card).toContainText('Self time 97µs (19%)');
});

test('the wheel zooms the flame graph and the waterfall together; a drag pans', async ({ page }) => {
  await openCheckout(page);
  await showFlame(page);
  const label = page.getByTestId('flame-window-label');
  await expect(label).toHaveText('0 – 1ms');
  const p = await at(page, 500, 2);
  await page.mouse.move(p.x, p.y);
  for (let i = 0; i < 3; i++) await page.mouse.wheel(0, -300);
  await expect(label).not.toHaveText('0 – 1ms');
  const zoomed = await label.textContent();
  // Drag to the right: earlier times come into view.
  await page.mouse.move(p.x, p.y);
  await page.mouse.down();
  await page.mouse.move(p.x + 200, p.y, { steps: 4 });
  await page.mouse.up();
  await expect(label).not.toHaveText(zoomed);
  const panned = await label.textContent();
  await page.locator('body').press('1');
  await expect(page.getByTestId('window-label')).toHaveText(panned);
  await page.locator('body').press('2');
  await page.getByTestId('flame-reset-zoom').click();
  await expect(label).toHaveText('0 – 1ms');
});

test('the tab and a link open the flame graph; a focused subtree starts on the top row', async ({ page }) => {
  await openCheckout(page);
  await page.getByTestId('tab-flame').click();
  await expect(page.getByTestId('flame-canvas')).toHaveAttribute('data-rects', '9');
  const charge = await at(page, 600, 1);
  await page.mouse.click(charge.x, charge.y);
  await expect(page.getByTestId('detail')).toContainText('charge');
  // z focuses the selected span: charge and its four descendants, charge on the top row, the window fitted to it.
  await page.locator('body').press('z');
  await expect(page.getByTestId('flame-canvas')).toHaveAttribute('data-rects', '5');
  const box = await page.getByTestId('flame-canvas').boundingBox();
  const top = { x: box.x + box.width / 2, y: box.y + ROW_H / 2 };
  await expect.poll(() => pixel(page, top)).toBe(await serviceColour(page, 'payment'));
  await page.locator('body').press('Escape');
  await expect(page.getByTestId('flame-canvas')).toHaveAttribute('data-rects', '9');
  await page.getByTestId('tab-waterfall').click();
  await expect(page.getByTestId('flame-canvas')).toHaveCount(0);

  await openApp(page, '#view=flame');
  await expect(page.getByTestId('flame-canvas')).toBeVisible();
});

test('colour by self time, and filters dim what does not match', async ({ page }) => {
  await openCheckout(page);
  await showFlame(page);
  await page.getByTestId('flame-colour-self').click();
  await expect(page.getByTestId('flame-heat-key')).toContainText('397µs self time');
  // authorize has the most self time: the hot end of the scale (#a8470b).
  await expect.poll(async () => pixel(page, await at(page, 700, 2))).toBe('rgb(168, 71, 11)');
  await page.getByTestId('flame-colour-service').click();
  const root = await at(page, 600, 0);
  await expect.poll(() => pixel(page, root)).toBe(await serviceColour(page, 'frontend'));
  // Errors only: the root does not match and fades; the error span keeps its colour.
  await page.getByText('Errors only').click();
  await expect.poll(() => pixel(page, root)).not.toBe(await serviceColour(page, 'frontend'));
});

test('screenshot: the demo trace as a flame graph', async ({ page }) => {
  const errors = await openApp(page);
  await showFlame(page);
  await expect.poll(async () => Number(await page.getByTestId('flame-canvas').getAttribute('data-rects'))).toBeGreaterThan(40);
  await page.screenshot({ path: path.join(root, 'tests', 'e2e', 'screenshots', 'flame.png') });
  expect(errors).toEqual([]);
});
