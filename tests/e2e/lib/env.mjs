// What an e2e test needs, or a skip (exit 77 with "SKIP: why", which
// tools/skipped.sh lists after `make check`).
import { existsSync } from 'node:fs';
import { dirname, resolve, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const UI = join(ROOT, 'ui');
export const DIST = join(UI, 'dist');
export const CHROMIUM = process.env.CAIRN_CHROMIUM || '/usr/bin/chromium';

export function skip(why) {
  console.log(`SKIP: ${why}`);
  process.exit(77);
}

/** playwright-core from ui/node_modules, chromium, ui/dist and (optionally) the cairn binary. */
export async function requireBrowser() {
  if (!existsSync(CHROMIUM)) skip(`no browser at ${CHROMIUM} (apt-get install chromium)`);
  if (!existsSync(join(UI, 'node_modules', 'playwright-core')))
    skip('ui/node_modules absent (cd ui && npm ci)');
  if (!existsSync(join(DIST, 'index.html'))) skip('ui/dist absent (cd ui && npm run build)');
  const require = createRequire(join(UI, 'package.json'));
  return require('playwright-core');
}

export function requireCairn(bin) {
  if (!bin || !existsSync(bin)) skip(`no cairn binary (${bin || 'none given'})`);
  return resolve(bin);
}

/** A test's whole run is bounded: fail (not hang) after ms. */
export function deadline(ms, what = 'test') {
  const t = setTimeout(() => {
    console.error(`FAIL: ${what} did not finish within ${ms} ms`);
    process.exit(1);
  }, ms);
  t.unref();
}

export function check(cond, what) {
  if (!cond) throw new Error(`check failed: ${what}`);
  console.log(`ok - ${what}`);
}
