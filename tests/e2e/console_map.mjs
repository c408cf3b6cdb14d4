// e2e: the console's map against a real centre in Debian's chromium.
//   - a wrong password is refused, the right one lets in;
//   - tracks appear on the map (the store, and their symbols' pixels);
//   - the primary-only aircraft (Il-20 in malmo-2014) is drawn as a
//     NO-TRANSPONDER symbol and its detail says so;
//   - a click shows a track's detail; "set radio contact" reaches the centre;
//   - the peer's tracks are marked as the peer's (skipped with a note when
//     this centre has no shared picture);
//   - English and Russian; screenshots kept in the build folder.
// usage: node console_map.mjs CAIRN_BINARY
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireBrowser, requireCairn, deadline, check, ROOT } from './lib/env.mjs';
import { startCentre, apiLogin } from './lib/centre.mjs';
import { launch, newPage, login, tid, screenshot } from './lib/browser.mjs';

deadline(170000, 'console_map');
const pw = await requireBrowser();
const bin = requireCairn(process.argv[2]);

const centre = await startCentre({ bin, name: 'warsaw-cc', speed: 2 });
let browser;
let page;
let failed = false;
try {
  browser = await launch(pw);
  page = await newPage(browser, centre.url);

  /* login: wrong, then right */
  await page.waitForSelector(tid('login-user'));
  await login(page, centre.user, 'not-the-password');
  await page.waitForSelector(`${tid('login-error')}:visible`, { timeout: 15000 });
  check(await page.isHidden(tid('app')), 'a wrong password is refused (login error shown, console hidden)');
  await login(page, centre.user, centre.password);
  await page.waitForSelector(`${tid('app')}:visible`, { timeout: 15000 });
  check(true, 'the right password opens the console');

  /* live stream and tracks */
  await page.waitForSelector(`${tid('sse-state')}[data-state="up"]`, { timeout: 15000 });
  check(true, 'the event stream is connected');
  await page.waitForFunction(() => window.__cairn && window.__cairn.map.tracks.count() >= 2, null, { timeout: 30000 });
  const n = await page.evaluate(() => window.__cairn.map.tracks.count());
  check(n >= 2, `tracks on the map (${n})`);

  /* the tracks move by SSE events, not by reloading the list */
  const ev0 = await page.evaluate(() => window.__cairn.map.tracks.stats.events);
  await page.waitForFunction((e0) => window.__cairn.map.tracks.stats.events > e0 + 5, ev0, { timeout: 15000 });
  check(true, 'track updates arrive as SSE events');

  /* the no-transponder aircraft */
  await page.waitForFunction(() => window.__cairn.map.tracks.all().some((t) => window.__cairn.classOf(t) === 'noxpdr'),
    null, { timeout: 40000 }).catch(() => {});
  const nox = await page.evaluate(() => window.__cairn.map.tracks.all()
    .filter((t) => window.__cairn.classOf(t) === 'noxpdr').map((t) => t.id));
  check(nox.length >= 1, `a NO-TRANSPONDER track on the map (${nox.join(',')})`);

  /* its symbol is drawn: the map shows the no-transponder red at its pixel */
  await page.evaluate((id) => window.__cairn.map.centreOn(...(() => { const t = window.__cairn.map.tracks.get(id); return [t.lon, t.lat]; })(), 8), nox[0]);
  /* WebGL buffers are made in a worker: wait (bounded) for the frame that shows it */
  const box = await page.locator(tid('map')).boundingBox();
  let red = 0;
  let px = null;
  for (const t0 = Date.now(); red < 20 && Date.now() - t0 < 20000;) {
    await page.waitForTimeout(250);
    px = await page.evaluate((id) => window.__cairn.map.pixelOf(id), nox[0]);
    const shot = await page.screenshot({ clip: { x: box.x + px[0] - 12, y: box.y + px[1] - 12, width: 24, height: 24 } });
    red = await page.evaluate(async (b64) => {
      const img = new Image();
      img.src = `data:image/png;base64,${b64}`;
      await img.decode();
      const c = document.createElement('canvas');
      c.width = img.width; c.height = img.height;
      const g = c.getContext('2d');
      g.drawImage(img, 0, 0);
      const d = g.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i] > 200 && d[i + 1] < 90 && d[i + 2] < 90) n++;
      return n;
    }, shot.toString('base64'));
  }
  check(red >= 20, `the NO-TRANSPONDER symbol is drawn in red at its position (${red} red pixels)`);

  /* click it: the detail */
  await page.mouse.click(box.x + px[0], box.y + px[1]);
  await page.waitForSelector(tid('track-title'), { state: 'visible', timeout: 10000 });
  check((await page.textContent(tid('track-class'))).includes('NO TRANSPONDER'), 'the detail says NO TRANSPONDER');
  check((await page.textContent(tid('track-id'))) === String(nox[0]), 'the clicked track is the one shown');
  await page.waitForSelector(`${tid('track-history')} tr`, { timeout: 10000 });
  check(true, 'the recent history is listed');
  await screenshot(page, 'console-map-en');

  /* set radio contact */
  await page.click(tid('track-radio'));
  await page.waitForSelector(tid('track-action-msg'), { timeout: 10000 });
  const token = await apiLogin(centre);
  const det = await (await fetch(`${centre.url}/api/tracks/${nox[0]}`, { headers: { Authorization: `Bearer ${token}` } })).json();
  check(det.track && det.track.radio === 'yes', 'set radio contact reached the centre (radio: yes)');

  /* the peer's tracks */
  const peers = await page.evaluate(() => window.__cairn.map.tracks.all().filter((t) => window.__cairn.peerOf(t)).length);
  if (peers === 0) console.log('NOTE: this centre has no shared picture (no peer tracks): the peer marking is not checked here');
  else check(true, `the peer's tracks are marked as the peer's (${peers})`);

  /* Russian */
  await page.click(tid('lang-switch'));
  check((await page.textContent(tid('tab-track'))).includes('Трасса'), 'the console switches to Russian');
  check((await page.textContent(tid('track-class'))).includes('БЕЗ ОТВЕТЧИКА'), 'the detail in Russian');
  check(/Z$/.test((await page.textContent(tid('utc-clock'))).trim()), 'times in UTC');
  await screenshot(page, 'console-map-ru');
  await page.click(tid('lang-switch'));

  /* a calm overview for the README */
  await page.evaluate(() => { window.__cairn.map.select(null); window.__cairn.map.fitTracks(); });
  await page.waitForTimeout(1000);
  const overview = await screenshot(page, 'console-overview');
  if (process.env.CAIRN_E2E_DOCS) copyFileSync(overview, join(ROOT, 'docs', 'console.png'));
} catch (e) {
  failed = true;
  console.error(`FAIL: ${e.stack || e}`);
  if (page) {
    await screenshot(page, 'console-map-failure').catch(() => {});
    const side = await page.textContent(tid('panes')).catch(() => '');
    console.error(`--- side panel: ${side.slice(0, 600)}`);
  }
  console.error(`--- centre log (tail)\n${centre.log().slice(-3000)}`);
} finally {
  if (browser) await browser.close();
  const ex = await centre.stop();
  if (!failed && ex && ex.code !== 0) { console.error(`FAIL: cairn run exited ${JSON.stringify(ex)}`); failed = true; }
}
process.exit(failed ? 1 : 0);
