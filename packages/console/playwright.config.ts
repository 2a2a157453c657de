import { defineConfig, devices } from '@playwright/test';

/**
 * End-to-end tests of the console in Debian's Chromium against a real server (e2e/global-setup.ts builds the
 * console when stale, starts `packages/server/src/main.ts` on a fresh SQLite data dir and a free port, creates one
 * user per role). Playwright never downloads a browser here (PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1): it drives the
 * Chromium at CHROMIUM_PATH, default /usr/lib/chromium/chromium (`apt-get install chromium fonts-noto-cjk`).
 * Run from the repository root: `npm run test:e2e`, or `npx playwright test -c packages/console/playwright.config.ts`.
 */
process.env.PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD = '1';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/lib/chromium/chromium';

export default defineConfig({
  testDir: './e2e',
  testMatch: '**/*.spec.ts',
  outputDir: '../../test-results/console/artifacts',
  globalSetup: './e2e/global-setup.ts',
  fullyParallel: false,
  workers: Number(process.env.E2E_WORKERS ?? 1),
  retries: 0,
  forbidOnly: !!process.env.CI,
  // A shared 2-core machine can be slow: generous limits, conditions rather than sleeps in the tests.
  timeout: 90_000,
  expect: { timeout: 20_000 },
  globalTimeout: 20 * 60_000,
  reporter: [['line'], ['json', { outputFile: '../../test-results/console/report.json' }]],
  use: {
    ...devices['Desktop Chrome'],
    headless: true,
    video: 'off',
    trace: 'off',
    screenshot: 'only-on-failure',
    actionTimeout: 20_000,
    navigationTimeout: 45_000,
    locale: 'en-US',
    timezoneId: 'UTC',
    launchOptions: {
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    },
  },
  projects: [{ name: 'chromium' }],
});
