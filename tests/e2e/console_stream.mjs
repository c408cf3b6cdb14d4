// e2e_console_stream: the console's stream worker against the daemon's
// `tracks` events (docs/centre.md: one event per flush, {"now_ms",
// "tracks":[...]}) and the older one-track `track` events, in Chromium,
// served by bench/ui/loadserver.mjs (no daemon needed): the initial
// GET /api/tracks, a batch that moves one track and deletes another, a
// `track` event, a track whose text holds brackets and quotes, hostile
// events (cut JSON, not an object, no id) ignored without harm; the lean
// form's move rows (/api/events?form=moves: a row patches the track's
// copy, its symbol and label; unknown ids and malformed rows ignored; the
// detail pane's sources from GET /api/tracks/ID), and a server refusing
// that form (the default form read instead); without a
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

  /* The lean form (/api/events?form=moves, the contract): move rows patch
   * the worker's copy of a known track — position, kinematics, age, the
   * label (altitude) — and the page's object is its last full text under
   * them; rows for unknown ids and malformed rows are ignored. */
  check(srv.forms().includes('moves'), 'the console asked for the lean form (/api/events?form=moves)');
  const lean = (tracks, moves, nowMs = Date.now()) => srv.inject(`event: tracks\ndata: {"now_ms":${nowMs},"tracks":${JSON.stringify(tracks)},"moves":${moves}}\n\n`, 'moves');
  const t0ms = Date.now() + 100;
  const slot7 = await page.evaluate(() => window.__cairn.map.tracks.idSlot.get(7));
  lean([], `[[7,61.500000,22.250000,12300,321.5,45.5,-640,${t0ms}],[99999,1,2,3,4,5,6,${t0ms}]]`, t0ms + 2500);
  await page.waitForFunction(() => { const t = window.__cairn.map.tracks.get(7); return t && t.lat === 61.5; }, null, { timeout: 10000 });
  const t7 = await page.evaluate(() => window.__cairn.map.tracks.get(7));
  check(t7.lon === 22.25 && t7.alt_ft === 12300 && t7.gs_kt === 321.5 && t7.track_deg === 45.5 && t7.vrate_fpm === -640 &&
    t7.t_last_ms === t0ms && t7.age_s === 2.5, `a move row's members applied (${JSON.stringify([t7.lon, t7.alt_ft, t7.gs_kt, t7.track_deg, t7.vrate_fpm, t7.age_s])})`);
  check(t7.callsign === 'BNC00006' && t7.sources && t7.sources.ssr === 2.1 && Array.isArray(t7.sensors) && t7.status === 'confirmed',
    'the slow members kept from its full object');
  const st7 = await page.evaluate((s) => { const t = window.__cairn.map.tracks; return { ll: t.lonLat(7), label: t.labels[s], slot: t.idSlot.get(7), n: t.count() }; }, slot7);
  check(Math.abs(st7.ll[0] - 22.25) < 1e-4 && Math.abs(st7.ll[1] - 61.5) < 1e-4 && st7.slot === slot7, 'its symbol moved (the same slot)');
  check(st7.label === 'BNC00006\nFL123', `its label follows the altitude (${JSON.stringify(st7.label)})`);
  check(st7.n === N - 1 && await page.evaluate(() => window.__cairn.map.tracks.get(99999)) === null, 'a row for an unknown track ignored');
  /* no altitude, then malformed rows among good ones */
  lean([], `[[7,61.6,22.3,null,300.0,50.0,0,${t0ms + 1000}]]`);
  await page.waitForFunction(() => { const t = window.__cairn.map.tracks.get(7); return t && t.lat === 61.6; }, null, { timeout: 10000 });
  const t7b = await page.evaluate((s) => ({ t: window.__cairn.map.tracks.get(7), label: window.__cairn.map.tracks.labels[s] }), slot7);
  check(!('alt_ft' in t7b.t) && t7b.label === 'BNC00006', `a row without altitude: no alt_ft, the label without it (${JSON.stringify(t7b.label)})`);
  lean([], `[[7,"x",22,1,2,3,4,5],[7,61.7],7,null,[8,95,22,1,2,3,4,${t0ms}],[7,61.7,22.4,13000,300.0,50.0,0,"t"],[8,58.25,16.5,9000,250.0,10.0,0,${t0ms + 2000}]]`);
  lean([], 'not json');
  await page.waitForFunction(() => { const t = window.__cairn.map.tracks.get(8); return t && t.lat === 58.25; }, null, { timeout: 10000 });
  check(await page.evaluate(() => window.__cairn.map.tracks.get(7).lat) === 61.6, 'malformed rows dropped; the good row after them applied');
  /* a full object after rows: its slow members replace the copy's */
  const full7 = { ...t7, callsign: 'NEW7', lat: 61.8, lon: 22.5, alt_ft: 14000, t_last_ms: t0ms + 3000 };
  lean([full7], `[[8,58.5,16.5,9000,250.0,10.0,0,${t0ms + 3000}]]`);
  await page.waitForFunction(() => { const t = window.__cairn.map.tracks.get(8); return t && t.lat === 58.5; }, null, { timeout: 10000 });
  const t7c = await page.evaluate((s) => ({ t: window.__cairn.map.tracks.get(7), label: window.__cairn.map.tracks.labels[s] }), slot7);
  check(t7c.t.callsign === 'NEW7' && t7c.t.lat === 61.8 && t7c.t.alt_ft === 14000 && t7c.label === 'NEW7\nFL140', 'a full object in the lean form replaces the copy');
  /* the detail pane: kinematics from the stream, the sources' ages from GET /api/tracks/ID */
  srv.setDetailSources({ adsb: 0.2, mlat: 4.5 });
  await page.evaluate(() => window.__cairn.map.select(8));
  const pane = await page.waitForFunction(() => {
    const el = document.querySelector('[data-testid="track-sources"]');
    return el && el.textContent.includes('mlat') && document.querySelector('[data-testid="track-detail"]').textContent.includes('58.5000');
  }, null, { timeout: 10000 }).then(() => true, () => false);
  check(pane, 'the detail pane: the position from the rows, the sources from GET /api/tracks/ID');
  lean([], `[[8,58.75,16.5,9000,250.0,10.0,0,${t0ms + 4000}]]`);
  const paneMoved = await page.waitForFunction(() => document.querySelector('[data-testid="track-detail"]').textContent.includes('58.7500'), null, { timeout: 10000 })
    .then(() => true, () => false);
  check(paneMoved, 'the detail pane follows a move row');
  await page.evaluate(() => window.__cairn.map.select(null));
  srv.setDetailSources(null);

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
    /* a heading of 1e999 (JSON.parse makes it Infinity): the picture drawn with it, and after it */
    srv.inject(`event: tracks\ndata: {"now_ms":${Date.now()},"tracks":[{"id":5,"status":"confirmed","lat":57.4,"lon":15,"track_deg":1e999,"t_last_ms":${Date.now() + 2}}]}\n\n`);
    await wp.waitForFunction(() => { const t = window.__cairn.map.tracks.get(5); return t && t.lat === 57.4; }, null, { timeout: 10000 });
    /* The page has it, so the worker had it before: of the pictures that
     * reach the page from now on, at most one was begun without it. Two
     * more, each after another track moved (the worker draws on a change),
     * show that pictures with it are drawn (a picture that threw stopped
     * them all before). */
    const pictures = () => wp.evaluate(() => window.__cairn.map.tracks.remote.pictures);
    const drawnAfter = (p) => wp.waitForFunction((q) => window.__cairn.map.tracks.remote.pictures > q, p, { timeout: 10000, polling: 50 })
      .then(() => true, () => false);
    const move6 = (lat) => srv.inject(`event: tracks\ndata: ${JSON.stringify({ now_ms: Date.now(), tracks: [{ id: 6, status: 'confirmed', lat, lon: 16, t_last_ms: Date.now() + 2 }] })}\n\n`);
    const pA = await pictures();
    move6(57.1);
    let onInf = await drawnAfter(pA);
    const pB = await pictures();
    move6(57.15);
    onInf = onInf && await drawnAfter(pB);
    check(onInf, 'a heading of 1e999: pictures drawn on');
    await moveTo(57.45, 2.5);
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

  /* A daemon that refuses the lean form (400): the console asks again
   * without it and gets every track in full, as before. */
  const old = await startLoadServer({ dist: DIST, n: 50, lean: 'refuse' });
  try {
    const op = await newPage(browser, old.url);
    await login(op, 'bench', 'bench-password');
    await op.waitForFunction(() => window.__cairn && window.__cairn.map.tracks.count() === 50, null, { timeout: 30000 });
    const e0 = await op.evaluate(() => window.__cairn.map.tracks.stats.events);
    const moving = await op.waitForFunction((e) => window.__cairn.map.tracks.stats.events >= e + 50, e0, { timeout: 10000 }).then(() => true, () => false);
    check(moving && old.forms().length === 1 && old.forms()[0] === '' && !(await op.evaluate(() => window.__cairn.map.tracks.stats.lean)),
      'a daemon refusing the lean form: the default form read instead, tracks moving');
    await op.close();
  } finally {
    old.close();
  }
} finally {
  await browser.close();
  srv.close();
}
if (failed) { console.log(`FAIL: ${failed} check(s)`); process.exit(1); }
console.log('PASS');
