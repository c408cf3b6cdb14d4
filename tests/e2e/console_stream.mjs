// e2e_console_stream: the console's stream worker against the daemon's
// `tracks` events (docs/centre.md: one event per flush, {"now_ms",
// "tracks":[...]}) and the older one-track `track` events, in Chromium,
// served by bench/ui/loadserver.mjs (no daemon needed): the initial
// GET /api/tracks, a batch that moves one track and deletes another, a
// `track` event, a track whose text holds brackets and quotes, hostile
// events (cut JSON, not an object, no id) ignored without harm; without a
// GPU, the stream worker's WebGL context lost and restored, then lost for
// good (the page draws again).
// usage: node tests/e2e/console_stream.mjs [cairn binary: unused]
import { requireBrowser, DIST, deadline } from './lib/env.mjs';
import { launch, newPage, login, screenshot } from './lib/browser.mjs';
import { startLoadServer } from '../../bench/ui/loadserver.mjs';

deadline(120000, 'e2e_console_stream');
const pw = await requireBrowser();
let failed = 0;
const check = (ok, what) => { console.log(`${ok ? 'ok' : 'not ok'} - ${what}`); if (!ok) failed++; };

const N = 300;
const srv = await startLoadServer({ dist: DIST, n: N, updates: false });
const browser = await launch(pw);
try {
  const page = await newPage(browser, srv.url);
  await login(page, 'bench', 'bench-password');
  await page.waitForFunction((n) => window.__cairn && window.__cairn.map.tracks.count() === n, N, { timeout: 30000 });
  check(true, `the ${N} tracks of GET /api/tracks on the map`);
  const t6 = await page.evaluate(() => window.__cairn.map.tracks.get(6));
  check(t6 && t6.id === 6 && typeof t6.lat === 'number' && t6.callsign === 'BNC00005' && t6.sources.ssr === 2.1,
    'a track\'s object read back whole (get)');
  await page.waitForFunction(() => window.__cairn.api && window.__cairn.status && document.querySelector('[data-testid="statusbar"] .sse.ok'), null, { timeout: 10000 });

  const now = Date.now();
  const moved = { id: 2, status: 'confirmed', lat: 60.5, lon: 20.25, track_deg: 90, t_last_ms: now, callsign: 'Q]}"{[X', icao: '400001', sources: { adsb: 0.1 } };
  const n = srv.inject(`event: tracks\ndata: ${JSON.stringify({ now_ms: now, tracks: [moved, { id: 1, status: 'deleted' }] })}\n\n`);
  check(n === 1, 'one console connected to the stream');
  await page.waitForFunction(() => window.__cairn.map.tracks.get(1) === null, null, { timeout: 10000 });
  check(await page.evaluate(() => window.__cairn.map.tracks.count()) === N - 1, 'a `tracks` event\'s deleted track is gone');
  const t2 = await page.evaluate(() => window.__cairn.map.tracks.get(2));
  check(t2 && t2.lat === 60.5 && t2.lon === 20.25 && t2.callsign === moved.callsign, 'a `tracks` event moves a track (its text with brackets and quotes intact)');
  const ll = await page.evaluate(() => window.__cairn.map.tracks.lonLat(2));
  check(ll && Math.abs(ll[0] - 20.25) < 1e-4 && Math.abs(ll[1] - 60.5) < 1e-4, 'its symbol\'s slot is at the new position');

  srv.inject(`event: track\ndata: ${JSON.stringify({ id: 3, status: 'confirmed', lat: 55, lon: 12, t_last_ms: now + 1, mmsi: 219000001, kind: 'vessel' })}\n\n`);
  await page.waitForFunction(() => { const t = window.__cairn.map.tracks.get(3); return t && t.lat === 55; }, null, { timeout: 10000 });
  check(true, 'an older one-track `track` event is applied too');
  check(await page.evaluate(() => window.__cairn.classOf(window.__cairn.map.tracks.get(3))) === 'vessel', 'its class from its own object');

  /* hostile input: ignored, the stream goes on */
  srv.inject('event: tracks\ndata: {"now_ms":1,"tracks":[{"id":\n\n');
  srv.inject('event: tracks\ndata: [1,2,3]\n\n');
  srv.inject('event: tracks\ndata: {"now_ms":1,"tracks":[{"lat":1,"lon":2},7,null,"x"]}\n\n');
  srv.inject('event: track\ndata: "just a string"\n\n');
  srv.inject('event: tracks\ndata: {"now_ms":1,"tracks":[{"id":9,"lat":1,"lon":2,"callsign":7,"sources":"x","track_deg":"n"}]}\n\n');
  srv.inject(`event: tracks\ndata: ${JSON.stringify({ now_ms: now, tracks: [{ id: 4, lat: 58, lon: 18, t_last_ms: now + 2 }] })}\n\n`);
  await page.waitForFunction(() => { const t = window.__cairn.map.tracks.get(4); return t && t.lat === 58; }, null, { timeout: 10000 });
  check(await page.evaluate(() => window.__cairn.map.tracks.count()) === N - 1, 'malformed events ignored; the next one applied');
  check(await page.evaluate(() => window.__cairn.api.streamConnected()), 'the stream still connected');
  await screenshot(page, 'console-stream');

  /* Without a GPU the stream worker draws the tracks (stream/picture.js):
   * its WebGL context lost, as at a driver reset, is restored and drawn
   * again; one lost for good hands the drawing back to the page. */
  const wp = await newPage(browser, srv.url);
  await wp.evaluate(() => { window.CAIRN_PICTURE = 'worker'; });
  await login(wp, 'bench', 'bench-password');
  await wp.waitForFunction(() => window.__cairn && window.__cairn.map.tracks.count() > 0, null, { timeout: 30000 });
  const inWorker = await wp.waitForFunction(() => { const t = window.__cairn.map.tracks; return t.drawnIn === 'worker' && t.remote.pictures > 0; }, null, { timeout: 15000 })
    .then(() => true, () => false);
  if (!inWorker) console.log('NOTE: the tracks are drawn on the page here (a GPU, or no WebGL2 in workers): the worker\'s lost context not tested');
  else {
    const moveTo = async (lat, k) => {
      srv.inject(`event: tracks\ndata: ${JSON.stringify({ now_ms: Date.now(), tracks: [{ id: 5, status: 'confirmed', lat, lon: 15, t_last_ms: Date.now() + k }] })}\n\n`);
      await wp.waitForFunction((la) => { const t = window.__cairn.map.tracks.get(5); return t && t.lat === la; }, lat, { timeout: 10000 });
    };
    const p0 = await wp.evaluate(() => { window.__cairn.map.tracks.loseContext(1000); return window.__cairn.map.tracks.remote.pictures; });
    await wp.waitForTimeout(300);
    await moveTo(57.5, 3);
    await wp.waitForTimeout(1500); /* restored */
    await moveTo(57.75, 4);
    const again = await wp.waitForFunction((p) => window.__cairn.map.tracks.remote && window.__cairn.map.tracks.remote.pictures > p, p0, { timeout: 10000 })
      .then(() => true, () => false);
    check(again, 'the worker\'s lost WebGL context restored: pictures drawn again');
    await wp.evaluate(() => window.__cairn.map.tracks.loseContext(-1));
    const back = await wp.waitForFunction(() => window.__cairn.map.tracks.drawnIn === 'page', null, { timeout: 10000 }).then(() => true, () => false);
    check(back, 'a context lost for good: the page draws the tracks');
    await moveTo(57.25, 5);
    const drawn = await wp.waitForFunction(() => { const t = window.__cairn.map.tracks; return t.gl.gl && !t.gl.lost && t.gl.drawnRev === t.rev; }, null, { timeout: 10000 })
      .then(() => true, () => false);
    check(drawn, 'the page\'s own layer drew the latest batch');
    await screenshot(wp, 'console-stream-context-lost');
  }
} finally {
  await browser.close();
  srv.close();
}
if (failed) { console.log(`FAIL: ${failed} check(s)`); process.exit(1); }
console.log('PASS');
