// Playwright runs against a release build of dist/ served under a sub-path by tests/e2e/server.mjs.
import { defineConfig } from '@playwright/test';

// E2E_PORT lets two checkouts run their own specs at once (the specs that start a host page use fixed ports).
const PORT = Number(process.env.E2E_PORT) || 4173;

export default defineConfig({
  testDir: 'tests/e2e',
  testMatch: /.*\.spec\.mjs/,
  timeout: 60_000,
  retries: 0,
  workers: 1,
  reporter: [['list']],
  outputDir: 'test-results',
  use: {
    baseURL: `http://127.0.0.1:${PORT}/stitch/`,
    viewport: { width: 1400, height: 860 },
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync',
      ],
    },
  },
  webServer: {
    command: `node tests/e2e/server.mjs ${PORT}`,
    url: `http://127.0.0.1:${PORT}/stitch/`,
    reuseExistingServer: false,
    timeout: 30_000,
  },
});
