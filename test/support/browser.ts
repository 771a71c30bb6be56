/**
 * End-to-end support: the real server on a real port (127.0.0.1), the built web app, and Debian's
 * Chromium driven by playwright-core. Screenshots go to test-artifacts/screenshots; axe-core runs
 * inside the page and a test fails on any serious or critical violation.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { before, after } from 'node:test';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { AddressInfo } from 'node:net';
import { startTestApp, PASSWORD, type TestApp, type TestTenant } from './harness.ts';
import type { Config } from '../../src/config.ts';

const require = createRequire(import.meta.url);
export const ARTIFACTS = path.resolve('test-artifacts', 'screenshots');

export interface WebTestApp extends TestApp {
  /** http://localhost:<port>: the practice is chosen on the sign-in page. */
  readonly baseUrl: string;
  /** http://<practice>.localhost:<port>: the practice's own host (Chromium resolves *.localhost to loopback). */
  practiceUrl(slug: string): string;
}

/** The test app listening on 127.0.0.1 with the web build the test runner made. */
export async function startWebApp(overrides: Partial<Config> = {}): Promise<WebTestApp> {
  const webDir = process.env.HEALTHTRACK_WEB_DIR;
  if (!webDir || !existsSync(path.join(webDir, 'index.html'))) {
    throw new Error('No web build: run the tests through `npm test` (it builds the app into HEALTHTRACK_WEB_DIR), or set HEALTHTRACK_WEB_DIR to a build');
  }
  const t = await startTestApp({ webDir, baseHost: 'localhost', ...overrides });
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = t.app.server.address() as AddressInfo;
  return Object.assign(t, {
    baseUrl: `http://localhost:${port}`,
    practiceUrl: (slug: string) => `http://${slug}.localhost:${port}`,
  });
}

/** What a browser test file works with: the server, one Chromium, and a fresh practice. */
export interface BrowserSuite {
  readonly web: WebTestApp;
  readonly browser: Browser;
  readonly tenant: TestTenant;
}

/**
 * Registers a browser test file's before/after: starts the real server with the built web app and
 * one Chromium, makes a practice, and hands them to `ready` before any test (and before any `before`
 * hook registered after this call); closes both at the end.
 * @example browserSuite((suite) => ({ web, browser, tenant } = suite));
 */
export function browserSuite(ready: (suite: BrowserSuite) => void, overrides: Partial<Config> = {}): void {
  let web: WebTestApp | undefined;
  let browser: Browser | undefined;
  before(async () => {
    web = await startWebApp(overrides);
    browser = await launchBrowser();
    ready({ web, browser, tenant: await web.createTenant() });
  });
  after(async () => {
    await browser?.close();
    await web?.close();
  });
}

export function chromiumPath(): string {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter((p): p is string => !!p);
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error('Chromium not found: install it (apt-get install -y chromium) or set CHROMIUM_PATH');
  return found;
}

/** Headless Chromium with the flags this sandbox needs (no background networking, fresh profile). */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}

export const DESKTOP = { width: 1280, height: 860 } as const;
export const PHONE = { width: 375, height: 740 } as const;

/** A fresh context (own storage) whose page fails the test on any uncaught page error. */
export async function newPage(browser: Browser, viewport: { width: number; height: number } = DESKTOP): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport, acceptDownloads: true, locale: 'en-US', timezoneId: 'UTC' });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  return { context, page, errors };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

let axeSource: string | undefined;

export interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly nodes: readonly { target: unknown; html: string }[];
}

/** Runs axe-core in the page; answers the serious and critical violations (empty when clean). */
export async function seriousA11yViolations(page: Page): Promise<AxeViolation[]> {
  axeSource ??= readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  // Evaluated over the DevTools protocol: the page's CSP (scripts from its own origin only) stays on.
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, opts: unknown): Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => ({ target: n.target, html: n.html })) }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** Fails with the violations listed when axe finds anything serious or critical. */
export async function assertAccessible(page: Page, what: string): Promise<void> {
  const found = await seriousA11yViolations(page);
  if (found.length > 0) {
    throw new Error(`${what}: ${found.length} serious/critical accessibility violation(s):\n${JSON.stringify(found, null, 2)}`);
  }
}

/** True when the page is wider than the viewport (a layout that breaks on a phone). */
export async function overflowsHorizontally(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
}

/** Signs in through the sign-in page at the shared host (typing the practice) and waits for the dashboard. */
export async function signIn(page: Page, web: WebTestApp, tenant: Pick<TestTenant, 'slug' | 'adminEmail'>, password = PASSWORD): Promise<void> {
  await page.goto(`${web.baseUrl}/login`);
  await page.getByLabel('Practice').fill(tenant.slug);
  await page.getByLabel('Email').fill(tenant.adminEmail);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/dashboard/);
}
