// The service graph view: nodes, calls and arrows of a file counted by hand, the operations toggle, and a click on a
// node narrowing the waterfall to that service.
import { test, expect } from '@playwright/test';
import path from 'node:path';
import { openApp, dropFile, readFixture, rows, root } from './helpers.mjs';

// zipkin/ascend.json, read by hand (as in tests/service_graph_test.rs): mobile-gateway's server span "get" is the
// root, with two client spans "get"; one is answered by auth-service (which calls extend-token-life inside it), the
// other by content-service (its server span holds "hystrix" and a client "get"). So: mobile-gateway 3 calls,
// auth-service 2, content-service 3; one call from the gateway to each of the other two.
test('the service graph counts the calls of a file counted by hand, and a click narrows the waterfall', async ({ page }) => {
  const errors = await openApp(page);
  await dropFile(page, 'ascend.json', readFixture('zipkin/ascend.json'));
  await expect(page.getByTestId('span-count')).toHaveText('8');
  await page.keyboard.press('4');
  const graph = page.getByTestId('service-graph');
  await expect(graph).toBeVisible();
  const nodes = graph.getByTestId('graph-node');
  await expect(nodes.getByTestId('graph-node-title')).toHaveText(['mobile-gateway', 'auth-service', 'content-service']);
  await expect(nodes.getByTestId('graph-node-calls')).toHaveText(['3 calls', '2 calls', '3 calls']);
  await expect(graph.getByTestId('graph-edge')).toHaveCount(2);
  await expect(graph.locator('.graph-edge-label')).toHaveText(['1 call', '1 call']);
  // Callers left of callees.
  const x = async (k) => (await nodes.nth(k).boundingBox()).x;
  expect(await x(0)).toBeLessThan(await x(1));
  expect(await x(0)).toBeLessThan(await x(2));

  // Hover: the tooltip has the numbers.
  await nodes.nth(2).hover();
  await expect(page.getByTestId('graph-tip')).toContainText('content-service');
  await expect(page.getByTestId('graph-tip')).toContainText('3 calls (1 from other nodes)');

  // Operations: six nodes; the gateway's three "get" spans are one.
  await graph.getByTestId('graph-operations').click();
  await expect(nodes).toHaveCount(6);
  await expect(nodes.first().getByTestId('graph-node-title')).toHaveText('mobile-gateway: get');
  await expect(nodes.first().getByTestId('graph-node-calls')).toHaveText('3 calls');
  await expect(graph.getByTestId('graph-edge')).toHaveCount(5);
  await graph.getByTestId('graph-services').click();
  await expect(nodes).toHaveCount(3);

  // A click on content-service: the waterfall shows its three spans and their two ancestors, nothing of auth-service.
  await nodes.nth(2).click();
  await expect(nodes.nth(2)).toHaveClass(/active/);
  await page.keyboard.press('1');
  await expect(rows(page)).toHaveCount(5);
  const text = (await rows(page).allTextContents()).join('\n');
  expect(text).not.toContain('auth-service');
  expect(text).not.toContain('extend-token-life');
  expect(text).toContain('hystrix');
  // Back on the graph, a second click shows everything again.
  await page.keyboard.press('4');
  await nodes.nth(2).click();
  await expect(nodes.nth(2)).not.toHaveClass(/active/);
  await page.keyboard.press('1');
  await expect(rows(page)).toHaveCount(8);
  expect(errors).toEqual([]);
});

test('the demo as a service graph, in both themes', async ({ page }) => {
  const errors = await openApp(page);
  await page.setViewportSize({ width: 1400, height: 820 });
  await page.getByTestId('tab-graph').click();
  const graph = page.getByTestId('service-graph');
  await expect(graph.getByTestId('graph-node').first()).toBeVisible();
  // A node of a filtered service is highlighted, as is the tooltip of the one under the pointer.
  await graph.getByTestId('graph-node').nth(1).click();
  await graph.getByTestId('graph-node').filter({ hasText: 'geo-index' }).hover();
  await expect(page.getByTestId('graph-tip')).toContainText('geo-index');
  await page.screenshot({ path: path.join(root, 'tests', 'e2e', 'screenshots', 'service-graph.png') });
  const dark = await page.locator('html').getAttribute('data-theme') === 'dark';
  await page.getByTestId('theme-toggle').click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', dark ? 'light' : 'dark');
  await page.screenshot({ path: path.join(root, 'test-results', 'service-graph-other-theme.png') });
  expect(errors).toEqual([]);
});
