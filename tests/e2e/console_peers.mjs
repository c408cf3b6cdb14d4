// e2e: two centres (`cairn demo`) and both consoles in Debian's chromium.
//   - each console's status bar shows the other centre's link up;
//   - tracks appear on both maps;
//   - the peer's tracks (the demo's shared picture) are marked as the peer's;
//   - the link going down (KALININGRAD-CC stopped with SIGSTOP) is shown on
//     WARSAW-CC's console within seconds, and up again after SIGCONT;
//   - screenshots of both consoles kept in the build folder.
// usage: node console_peers.mjs CAIRN_BINARY
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireBrowser, requireCairn, deadline, check, ROOT } from './lib/env.mjs';
import { startDemo } from './lib/demo.mjs';
import { launch, newPage, login, tid, screenshot } from './lib/browser.mjs';

deadline(220000, 'console_peers');
const pw = await requireBrowser();
const bin = requireCairn(process.argv[2]);

const demo = await startDemo({ bin, speed: 10 });
const [wa, ka] = demo.centres;
let browser;
let failed = false;
const pages = [];
try {
  browser = await launch(pw);
  for (const c of [wa, ka]) {
    const page = await newPage(browser, c.url);
    await page.waitForSelector(tid('login-user'));
    await login(page, c.user, c.password);
    await page.waitForSelector(`${tid('app')}:visible`, { timeout: 20000 });
    pages.push(page);
  }
  check(true, 'both consoles logged in');
  const [pw_, pk] = pages;
  const up = (page, peer) => page.waitForSelector(`${tid(`peer-${peer}`)}[data-state="up"]`, { timeout: 20000 });
  await up(pw_, ka.name);
  await up(pk, wa.name);
  check(true, `each console shows the other's link up (${wa.name} <-> ${ka.name})`);
  check(/\S/.test(await pw_.textContent(tid(`peer-${ka.name}-age`))), 'the peer\'s picture age is shown');
  for (const [page, c] of [[pw_, wa], [pk, ka]]) {
    await page.waitForFunction(() => window.__cairn.map.tracks.count() >= 1, null, { timeout: 40000 });
    check(true, `tracks on ${c.name}'s map (${await page.evaluate(() => window.__cairn.map.tracks.count())})`);
  }
  /* the demo's [peer] sections share each side's released tracks: they
   * reach WARSAW-CC's map fused with its own (the track's "peers") or
   * alone (origin "peer:NAME", drawn in the peer's colour) */
  const shared = (name) => window.__cairn.map.tracks.all().filter((t) =>
    window.__cairn.peerOf(t) === name || (Array.isArray(t.peers) && t.peers.includes(name))).length;
  await pw_.waitForFunction(shared, ka.name, { timeout: 60000 });
  check(true, `${await pw_.evaluate(shared, ka.name)} track(s) on ${wa.name}'s map carry ${ka.name}'s shared picture`);
  const id = await pw_.evaluate(() => (window.__cairn.map.tracks.all().find((t) => window.__cairn.peerOf(t)) || {}).id);
  if (id != null) {
    await pw_.evaluate((i) => window.__cairn.map.select(i), id);
    await pw_.waitForSelector(tid('track-peer'), { timeout: 10000 });
    check((await pw_.textContent(tid('track-peer'))).includes(ka.name), 'a track only the peer sees is marked as the peer\'s');
  }
  await pw_.waitForFunction((n) => /\d/.test(document.querySelector(`[data-testid="peer-${n}-age"]`)?.textContent || ''), ka.name, { timeout: 20000 });
  check(true, `the peer's picture age is shown: ${await pw_.textContent(tid(`peer-${ka.name}-age`))}`);
  await screenshot(pw_, 'console-peers-warsaw');
  /* the README's picture: WARSAW-CC's console with the no-transponder
   * aircraft (or any track) selected, close enough for labels */
  const pick = await pw_.evaluate(() => {
    const all = window.__cairn.map.tracks.all();
    const t = all.find((x) => window.__cairn.classOf(x) === 'noxpdr') || all[0];
    window.__cairn.map.select(t.id);
    window.__cairn.map.centreOn(t.lon, t.lat, 8);
    return t.id;
  });
  await pw_.waitForSelector(tid('track-title'), { timeout: 10000 });
  await pw_.waitForTimeout(1500);
  const readme = await screenshot(pw_, 'console-demo');
  if (process.env.CAIRN_E2E_DOCS) copyFileSync(readme, join(ROOT, 'docs', 'console.png'));
  check(pick != null, 'a track selected for the picture');
  await screenshot(pk, 'console-peers-kaliningrad');

  /* the link going down */
  process.kill(ka.pid, 'SIGSTOP');
  const t0 = Date.now();
  await pw_.waitForSelector(`${tid(`peer-${ka.name}`)}:not([data-state="up"])`, { timeout: 30000 });
  const sec = (Date.now() - t0) / 1000;
  check(sec <= 15, `the link going down is shown within ${sec.toFixed(1)} s`);
  check((await pw_.textContent(tid(`peer-${ka.name}-link`))).includes('LINK DOWN'), 'it says LINK DOWN');
  await screenshot(pw_, 'console-peers-link-down');
  process.kill(ka.pid, 'SIGCONT');
  await up(pw_, ka.name);
  check(true, 'and up again after the centre resumes');
} catch (e) {
  failed = true;
  console.error(`FAIL: ${e.stack || e}`);
  for (const [i, p] of pages.entries()) await screenshot(p, `console-peers-failure-${i}`).catch(() => {});
  console.error(`--- demo output (tail)\n${demo.log().slice(-3000)}`);
} finally {
  if (browser) await browser.close();
  const ex = await demo.stop();
  if (!failed && ex && ex.code !== 0) { console.error(`FAIL: cairn demo exited ${JSON.stringify(ex)}`); failed = true; }
}
process.exit(failed ? 1 : 0);
