// Shared helpers for the e2e suite.
import fs from 'node:fs';
import path from 'node:path';
import { expect } from '@playwright/test';

export const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
export const fixture = (rel) => path.join(root, 'tests', 'fixtures', rel);

/** Opens the app and collects console errors and page errors into the returned array. */
export async function openApp(page, query = '') {
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(query);
  await expect(page.getByTestId('trace-title')).toBeVisible();
  return errors;
}

/** Drops a file on the page with a synthetic DataTransfer, as a user dragging it in would. */
export async function dropFile(page, name, content) {
  const data = typeof content === 'string' ? content : content.toString('base64');
  const isText = typeof content === 'string';
  await page.evaluate(({ name, data, isText }) => {
    const bytes = isText ? new TextEncoder().encode(data) : Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
    const dt = new DataTransfer();
    dt.items.add(new File([bytes], name, { type: 'application/json' }));
    for (const type of ['dragenter', 'dragover', 'drop']) {
      document.body.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: dt }));
    }
  }, { name, data, isText });
}

/** Drops several files at once (`[{ name, content }]`, text), as a user dragging a selection of files in would. */
export async function dropFiles(page, files) {
  await page.evaluate((files) => {
    const dt = new DataTransfer();
    for (const f of files) dt.items.add(new File([f.content], f.name, { type: 'application/json' }));
    for (const type of ['dragenter', 'dragover', 'drop']) {
      document.body.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: dt }));
    }
  }, files);
}

export function readFixture(rel) {
  return fs.readFileSync(fixture(rel), 'utf8');
}

export const rows = (page) => page.locator('g.row');

/** Loads a file served by the test server into the page through a drop, and waits until it shows. */
export async function dropUrl(page, url, name = 'trace.json') {
  const before = await page.getByTestId('trace-id').textContent();
  await page.evaluate(async ({ url, name }) => {
    const buf = await (await fetch(url)).arrayBuffer();
    const dt = new DataTransfer();
    dt.items.add(new File([buf], name));
    document.body.dispatchEvent(new DragEvent('drop', { bubbles: true, cancelable: true, dataTransfer: dt }));
  }, { url, name });
  await expect(page.getByTestId('trace-id')).not.toHaveText(before, { timeout: 30_000 });
}
