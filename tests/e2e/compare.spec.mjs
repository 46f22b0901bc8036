// The aligned comparison view: a normal POST /v1/charges trace (A) beside a slow one (B) of the generated OpenTelemetry
// set. Every expected value comes from the generator's truth file and the input file, never from Stitch.
import { test, expect } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';
import { root } from './helpers.mjs';

const dir = path.join(root, 'target', 'e2e');
const truth = JSON.parse(fs.readFileSync(path.join(dir, 'otel-set-truth.json'), 'utf8'));

/** Every span of the input as { trace, id, parent, name: "service: operation", ns }, grouped by trace ID. */
function spansByTrace() {
  const out = new Map();
  for (const line of fs.readFileSync(path.join(dir, 'otel-set.jsonl'), 'utf8').split('\n')) {
    if (!line.trim()) continue;
    for (const rs of JSON.parse(line).resourceSpans) {
      const service = rs.resource.attributes.find((a) => a.key === 'service.name').value.stringValue;
      for (const ss of rs.scopeSpans) {
        for (const s of ss.spans) {
          const list = out.get(s.traceId) ?? [];
          list.push({
            id: s.spanId, parent: s.parentSpanId ?? '', name: `${service}: ${s.name}`,
            ns: Number(BigInt(s.endTimeUnixNano) - BigInt(s.startTimeUnixNano)),
          });
          out.set(s.traceId, list);
        }
      }
    }
  }
  return out;
}

/** A duration as Stitch writes one (at most 3 significant digits, trailing zeros dropped), for the truth's values. */
function ms(ns) {
  const v = ns / 1e6;
  const s = v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
  return `${s.includes('.') ? s.replace(/\.?0+$/, '') : s}ms`;
}

const INSERT = `${truth.slow.service}: ${truth.slow.operation}`;
const spans = spansByTrace();
const slowId = truth.slow.trace_ids[0];
const slow = spans.get(slowId);
const names = (list) => list.map((s) => s.name).sort().join('|');
const span = (list, name) => list.find((s) => s.name === name);
// A: a charge that is neither slow nor failed, with the same spans as B; of those, the one whose auth.verify took
// the most nearly the same time, so that at least one pair barely changed.
const auth = 'api-gateway: auth.verify';
const normalId = [...spans.keys()]
  .filter((id) => !truth.slow.trace_ids.includes(id) && !truth.error_trace_ids.includes(id))
  .filter((id) => names(spans.get(id)) === names(slow))
  .sort((x, y) => Math.abs(span(spans.get(x), auth).ns - span(slow, auth).ns)
    - Math.abs(span(spans.get(y), auth).ns - span(slow, auth).ns))[0];
const normal = spans.get(normalId);

test('two charges side by side: the slow insert leads, and the aligned view follows the differences', async ({ page }) => {
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  expect(normalId).toBeTruthy();
  await page.goto(`?url=${encodeURIComponent('/generated/otel-set.jsonl')}&compare=${normalId},${slowId}`);
  await expect(page.getByTestId('compare')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('compare-summary')).toContainText(INSERT);

  // One row per pair: the five spans of a charge.
  const rows = page.getByTestId('pair-row');
  await expect(rows).toHaveCount(slow.length);
  await expect(page.getByTestId('pair-count')).toHaveText(`${slow.length} pairs`);

  // The first difference is the insert; a click selects its row in the aligned view and shows both durations.
  const first = page.getByTestId('difference').first();
  await expect(first).toContainText(INSERT);
  const row = await first.getAttribute('data-row');
  await first.click();
  const selected = page.locator(`[data-testid="pair-row"][data-row="${row}"]`);
  await expect(selected).toHaveClass(/selected/);
  await expect(selected).toContainText(truth.slow.operation);
  const detail = page.getByTestId('pair-detail');
  await expect(detail).toBeVisible();
  const duration = detail.locator('[data-testid="fact"][data-label="Duration"] td');
  await expect(duration).toHaveText([ms(span(normal, INSERT).ns), ms(truth.slow.slow_ns[slowId])]);
  await expect(detail.locator('[data-testid="fact"][data-label="Duration"]')).toHaveClass(/differs/);

  // Collapsing the payments span hides what is below it: fraud-check and the insert.
  const charge = span(slow, 'payments: charge');
  const below = slow.filter((s) => s.parent === charge.id).length;
  expect(below).toBe(2);
  const chargeRow = rows.filter({ hasText: 'charge' }).filter({ hasNotText: '/v1/charges' });
  await chargeRow.getByTestId('pair-chevron').click();
  await expect(rows).toHaveCount(slow.length - below);
  await expect(rows.filter({ hasText: truth.slow.operation })).toHaveCount(0);
  // Clicking the difference again opens it back and selects the insert.
  await first.click();
  await expect(rows).toHaveCount(slow.length);
  await expect(selected).toHaveClass(/selected/);

  // auth.verify took nearly the same time in both (less than 1% of B): "only differences" hides it.
  expect(Math.abs(span(normal, auth).ns - span(slow, auth).ns)).toBeLessThan(span(slow, 'api-gateway: POST /v1/charges').ns / 100);
  await page.getByTestId('only-differences').check();
  await expect(rows.filter({ hasText: 'auth.verify' })).toHaveCount(0);
  const fewer = await rows.count();
  expect(fewer).toBeLessThan(slow.length);
  await expect(page.getByTestId('pair-count')).toHaveText(`${fewer} of ${slow.length} pairs`);
  await page.getByTestId('only-differences').uncheck();

  // The search narrows to matching pairs and their ancestors: the insert under payments under the root.
  let chain = 1;
  for (let s = span(slow, INSERT); s.parent; s = slow.find((p) => p.id === s.parent)) chain += 1;
  await page.getByTestId('pair-search').fill('ledger');
  await expect(rows).toHaveCount(chain);
  await expect(rows.nth(chain - 1)).toContainText(INSERT.split(': ')[1]);
  await page.getByTestId('pair-search').fill('');
  await expect(rows).toHaveCount(slow.length);

  await page.screenshot({ path: path.join(root, 'test-results', 'compare.png') });
  expect(errors).toEqual([]);
});

test('the keyboard moves through the pairs and folds them; Collapse all leaves the root', async ({ page }) => {
  await page.goto(`?url=${encodeURIComponent('/generated/otel-set.jsonl')}&compare=${normalId},${slowId}`);
  await expect(page.getByTestId('compare')).toBeVisible({ timeout: 30_000 });
  const rows = page.getByTestId('pair-row');
  await expect(rows).toHaveCount(slow.length);
  const selected = page.locator('[data-testid="pair-row"][aria-selected="true"]');
  // The pairs follow B's tree in order of start: the root first, then auth.verify, then payments' charge.
  await page.keyboard.press('ArrowDown');
  await expect(selected).toContainText('POST /v1/charges');
  const chargeAt = await rows.evaluateAll((rs) => rs.findIndex((r) => / charge$/.test(r.querySelector('.op').textContent)));
  for (let k = 0; k < chargeAt; k += 1) await page.keyboard.press('j');
  await expect(selected.locator('.op')).toHaveText(' charge');
  // ← closes payments' charge (fraud-check and the insert go), ← again goes to its parent, → there goes back down.
  const below = slow.filter((s) => s.parent === span(slow, 'payments: charge').id).length;
  await page.keyboard.press('ArrowLeft');
  await expect(rows).toHaveCount(slow.length - below);
  await page.keyboard.press('ArrowLeft');
  await expect(selected).toContainText('POST /v1/charges');
  await page.keyboard.press(']');
  await expect(rows).toHaveCount(1);
  await page.keyboard.press('[');
  await expect(rows).toHaveCount(slow.length);
  await page.getByTestId('pairs-collapse-all').click();
  await expect(rows).toHaveCount(1);
  await page.getByTestId('pairs-expand-all').click();
  await expect(rows).toHaveCount(slow.length);
  // End selects the last pair shown.
  await page.keyboard.press('End');
  await expect(selected).toHaveAttribute('data-row', String(slow.length - 1));
});
