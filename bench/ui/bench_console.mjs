// bench_console — the console's map in Debian's chromium under synthetic
// load (loadserver.mjs: N tracks, each moving once a second, sent as the
// daemon's SSE `tracks` events every 50 ms), measured with the browser's
// performance API (requestAnimationFrame times, ol's postrender):
//   - frames/s while the view pans and zooms continuously (rAF-driven),
//     N = 1k, 10k, 50k (trails on, pre-filled to their full length at 50k);
//   - report-to-symbol latency: from a report's t_last_ms (when the server
//     sent it) to the first map frame drawn with the new position (p50, p99);
//   - the JS bundle's size and the first paint / first contentful paint.
// usage: node bench/ui/bench_console.mjs [--n 1000,10000,50000] [--seconds 10]
//          [--mode tracks|events|still] [--trails auto|on|off]
//   mode tracks: the daemon's `tracks` event every 50 ms (default);
//   events: the older one `track` event per track; still: no updates.
//   trails auto: on (pre-filled) at 50k only, as the targets say.
// Chromium's flags: tests/e2e/lib/browser.mjs (CAIRN_CHROMIUM_ARGS adds some).
// Skips (77) without chromium, ui/node_modules or ui/dist.
import { readdirSync, statSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { loadavg, cpus } from 'node:os';
import { requireBrowser, DIST } from '../../tests/e2e/lib/env.mjs';
import { launch, tid } from '../../tests/e2e/lib/browser.mjs';
import { startLoadServer } from './loadserver.mjs';

const arg = (k, d) => { const i = process.argv.indexOf(`--${k}`); return i > 0 ? process.argv[i + 1] : d; };
const SIZES = arg('n', '1000,10000,50000').split(',').map(Number);
const SECONDS = Number(arg('seconds', '10'));
const MODE = arg('mode', 'tracks');
const TRAILS = arg('trails', 'auto');
const DIST_DIR = arg('dist', DIST); /* another build of the console (a before/after comparison) */
const TARGET_FPS = { 1000: 60, 10000: 60, 50000: 30 };

const pw = await requireBrowser();

function bundle() {
  const dir = join(DIST_DIR, 'assets');
  let raw = 0, gz = 0, other = 0;
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    if (f.endsWith('.js')) { const b = readFileSync(p); raw += b.length; gz += gzipSync(b).length; }
    else other += statSync(p).size;
  }
  return { raw, gz, other };
}

const pct = (a, p) => { if (!a.length) return NaN; const s = [...a].sort((x, y) => x - y); return s[Math.min(s.length - 1, Math.floor(p / 100 * s.length))]; };

async function run(browser, n) {
  const srv = await startLoadServer({ dist: DIST_DIR, n, updates: MODE !== 'still', mode: MODE });
  const ctx = await browser.newContext({ viewport: { width: 1600, height: 900 } });
  const page = await ctx.newPage();
  page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
  try {
    await page.goto(srv.url);
    const paint = await page.evaluate(() => new Promise((res) => {
      const out = {};
      new PerformanceObserver((l) => {
        for (const e of l.getEntries()) out[e.name] = e.startTime;
        if (out['first-contentful-paint'] != null) res(out);
      }).observe({ type: 'paint', buffered: true });
      setTimeout(() => res(out), 10000);
    }));
    await page.fill(tid('login-user'), 'bench');
    await page.fill(tid('login-password'), 'bench-password');
    await page.click(tid('login-submit'));
    await page.waitForFunction((k) => window.__cairn && window.__cairn.map.tracks.count() >= k, n, { timeout: 120000 });
    const tLoaded = Date.now();
    /* trails at their full length (as after 10 minutes), only for the largest load */
    const trails = TRAILS === 'auto' ? n >= 50000 : TRAILS === 'on';
    await page.evaluate((on) => {
      const m = window.__cairn.map;
      m.tracks.setTrails(on);
      if (on) m.tracks.prefillTrails();
      m.ol.getView().setCenter(m.ol.getView().getCenter());
    }, trails);
    if (trails) await page.waitForFunction(() => window.__cairn.map.tracks.gl.segN > 0, null, { timeout: 120000 });
    /* the latency probe: ids applied by a flush, then the frame drawn with
     * buffers generated after that flush */
    await page.evaluate(() => {
      const m = window.__cairn.map;
      const L = (window.__lat = { pend: [], out: [] });
      m.tracks.onChange(() => {
        /* up to 200 of the batch's report times, spread over it */
        const tl = m.tracks.lastBatch && m.tracks.lastBatch.tl;
        if (!tl) return;
        const rep = [];
        const step = Math.max(1, Math.ceil(tl.length / 200));
        for (let i = 0; i < tl.length; i += step) rep.push(tl[i]);
        L.pend.push([m.tracks.rev, rep]);
      });
      m.tracks.onDrawn((rev) => {
        if (!L.pend.length) return;
        const now = Date.now();
        const keep = [];
        for (const [r, rep] of L.pend) {
          if (r <= rev) for (const t of rep) L.out.push(now - t);
          else keep.push([r, rep]);
        }
        L.pend = keep;
      });
    });
    await page.waitForTimeout(3000); /* settle */
    await page.evaluate(() => { window.__lat.out = []; });
    const r = await page.evaluate((secs) => new Promise((resolve) => {
      const m = window.__cairn.map;
      const view = m.ol.getView();
      const c0 = view.getCenter();
      const z0 = 5.5;
      let renders = 0;
      const onR = () => renders++;
      m.ol.on('postrender', onR);
      const frames = [];
      view.beginInteraction(); /* as a drag or a wheel does */
      const t0 = performance.now();
      const ev0 = m.tracks.stats.events;
      const step = (ts) => {
        const t = (ts - t0) / 1000;
        frames.push(ts);
        view.setCenter([c0[0] + 300000 * Math.sin(t * 0.9), c0[1] + 200000 * Math.cos(t * 0.7)]);
        view.setZoom(z0 + 1.2 * Math.sin(t * 0.5));
        if (t < secs) requestAnimationFrame(step);
        else {
          m.ol.un('postrender', onR);
          view.endInteraction();
          const d = [];
          for (let i = 1; i < frames.length; i++) d.push(frames[i] - frames[i - 1]);
          resolve({ raf: frames.length / t, renders: renders / t, frameMs: d, events: (m.tracks.stats.events - ev0) / t });
        }
      };
      requestAnimationFrame(step);
    }), SECONDS);
    const lat = await page.evaluate(() => window.__lat.out);
    return {
      n, trails, paint, fps: r.renders, raf: r.raf, frameP95: pct(r.frameMs, 95), events: r.events,
      latP50: pct(lat, 50), latP99: pct(lat, 99), latN: lat.length, loadS: (tLoaded - 0) && 0,
    };
  } finally {
    await ctx.close();
    srv.close();
  }
}

const browser = await launch(pw);
console.log(`machine: ${cpus().length} cores, load average ${loadavg().map((x) => x.toFixed(1)).join(' ')} at the start (figures are upper bounds of the cost when loaded)`);
const b = bundle();
console.log(`bundle: ${(b.raw / 1024).toFixed(0)} KiB of JavaScript (${(b.gz / 1024).toFixed(0)} KiB gzipped), other assets ${(b.other / 1024).toFixed(0)} KiB (base map, CSS)`);
const rows = [];
let bad = 0;
for (const n of SIZES) {
  const r = await run(browser, n);
  rows.push(r);
  const tgt = TARGET_FPS[n] ?? 30;
  if (r.fps < tgt || !(r.latP99 <= 1000)) bad++;
  console.log(`n=${n}: first paint ${r.paint['first-paint']?.toFixed(0)} ms, first contentful paint ${r.paint['first-contentful-paint']?.toFixed(0)} ms`);
}
await browser.close();
console.log('');
console.log(`updates: ${MODE === 'events' ? 'one SSE "track" event per track, each track once a second (the daemon\'s older protocol)' : MODE === 'tracks' ? 'one SSE "tracks" event every 50 ms, each track once a second (the daemon\'s protocol)' : 'none (the view only)'}`);
console.log('  tracks  trails  frames/s  target  rAF/s  frame p95  tracks/s   report->symbol p50 / p99  target   samples');
for (const r of rows) {
  const tgt = TARGET_FPS[r.n] ?? 30;
  console.log(`  ${String(r.n).padStart(6)}  ${r.trails ? 'on ' : 'off'}     ${r.fps.toFixed(1).padStart(5)}  >= ${String(tgt).padEnd(2)} ${r.fps >= tgt ? 'ok  ' : 'MISS'} ${r.raf.toFixed(1).padStart(5)}  ${r.frameP95.toFixed(0).padStart(5)} ms  ${r.events.toFixed(0).padStart(7)}   ${r.latP50.toFixed(0).padStart(6)} / ${r.latP99.toFixed(0).padStart(6)} ms  p99 <= 1000 ms ${r.latP99 <= 1000 ? 'ok  ' : 'MISS'} ${r.latN}`);
}
console.log(`load average at the end: ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
console.log(bad ? `${bad} of ${rows.length} loads miss a target` : 'all targets met');
process.exit(0);
