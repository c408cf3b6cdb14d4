// The browser side of the e2e tests: Debian's chromium driven by
// playwright-core (no browser download), a page logged in to a centre,
// screenshots into the build folder (CAIRN_E2E_ARTIFACTS, else
// ./e2e-artifacts under the current folder, which ctest sets to the build).
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CHROMIUM } from './env.mjs';

export const ARTIFACTS = resolve(process.env.CAIRN_E2E_ARTIFACTS || 'e2e-artifacts');

export async function launch(pw) {
  return pw.chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    /* chromium's own choice of WebGL backend (SwiftShader on a machine without
     * a GPU); forcing --use-angle=swiftshader stalled its frames (0.5 rAF/s) */
    args: ['--no-sandbox', ...(process.env.CAIRN_CHROMIUM_ARGS || '').split(' ').filter(Boolean)],
  });
}

export async function newPage(browser, url, { width = 1600, height = 900, lang = 'en' } = {}) {
  const ctx = await browser.newContext({ viewport: { width, height }, locale: lang === 'ru' ? 'ru-RU' : 'en-GB' });
  const page = await ctx.newPage();
  page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
  page.on('console', (m) => {
    /* 404s of routes a centre may lack (/api/link without a hotline, /api/zones) are expected */
    if (m.type() === 'error' && !/status of 404/.test(m.text())) console.error(`console: ${m.text()}`);
  });
  await page.goto(url);
  return page;
}

export const tid = (id) => `[data-testid="${id}"]`;

export async function login(page, user, password) {
  await page.fill(tid('login-user'), user);
  await page.fill(tid('login-password'), password);
  await page.click(tid('login-submit'));
}

export async function screenshot(page, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path });
  console.log(`screenshot: ${path}`);
  return path;
}
