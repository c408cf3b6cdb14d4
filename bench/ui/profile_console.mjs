// profile_console — where the console's main thread spends its time while
// the view pans and zooms under load (loadserver.mjs): a CPU profile of the
// page (CDP Profiler) summarised by self time per function, and the
// renderer's frame figures. A tool for finding cost, not a pass/fail bench.
// usage: node bench/ui/profile_console.mjs [--n 10000] [--seconds 5] [--mode batch|events|still] [--trails]
//          [--trace] [--hide tracks,base,labels] [--eval JS] [--out FILE] [--dist DIR]
// Without a GPU the tracks are drawn by the stream worker (stream/picture.js):
// its GLES2 calls are on the DedicatedWorker thread in --trace.
import { writeFileSync } from 'node:fs';
import { requireBrowser, DIST } from '../../tests/e2e/lib/env.mjs';
import { launch, tid } from '../../tests/e2e/lib/browser.mjs';
import { startLoadServer } from './loadserver.mjs';

const arg = (k, d) => { const i = process.argv.indexOf(`--${k}`); return i > 0 ? process.argv[i + 1] : d; };
const N = Number(arg('n', '10000'));
const SECONDS = Number(arg('seconds', '5'));
const MODE = arg('mode', 'tracks');
const TRAILS = process.argv.includes('--trails');
const OUT = arg('out', '');

const pw = await requireBrowser();
const browser = await launch(pw);
const srv = await startLoadServer({ dist: arg('dist', DIST), n: N, updates: MODE !== 'still', mode: MODE === 'batch' ? 'tracks' : MODE });
const ctx = await browser.newContext({ viewport: { width: 1600, height: 900 } });
const page = await ctx.newPage();
page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
await page.goto(srv.url);
await page.fill(tid('login-user'), 'bench');
await page.fill(tid('login-password'), 'bench-password');
await page.click(tid('login-submit'));
await page.waitForFunction((k) => window.__cairn && window.__cairn.map.tracks.count() >= k, N, { timeout: 120000 });
await page.evaluate((on) => { const m = window.__cairn.map; m.tracks.setTrails(on); if (on) m.tracks.prefillTrails(); }, TRAILS);
const HIDE = arg('hide', '');
if (HIDE) await page.evaluate((names) => { for (const l of window.__cairn.map.ol.getLayers().getArray()) if (names.includes(l.get('name'))) l.setVisible(false); }, HIDE.split(','));
const EVAL = arg('eval', '');
if (EVAL) await page.evaluate(EVAL);
await page.waitForTimeout(2000);
const w0 = await page.evaluate(() => { const t = window.__cairn.map.tracks; return { cost: { ...(t.lastBatch && t.lastBatch.cost) }, events: t.stats.events }; });
const cdp = await ctx.newCDPSession(page);
await cdp.send('Profiler.enable');
await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
await cdp.send('Profiler.start');
const TRACE = process.argv.includes('--trace');
const traceEvents = [];
if (TRACE) {
  cdp.on('Tracing.dataCollected', (e) => traceEvents.push(...e.value));
  await cdp.send('Tracing.start', { categories: 'devtools.timeline,disabled-by-default-devtools.timeline,blink,cc,gpu,viz,v8', transferMode: 'ReportEvents' });
}
const r = await page.evaluate((secs) => new Promise((resolve) => {
  const m = window.__cairn.map;
  const view = m.ol.getView();
  const c0 = view.getCenter();
  let renders = 0;
  const onR = () => renders++;
  m.ol.on('postrender', onR);
  view.beginInteraction();
  const t0 = performance.now();
  const step = (ts) => {
    const t = (ts - t0) / 1000;
    view.setCenter([c0[0] + 300000 * Math.sin(t * 0.9), c0[1] + 200000 * Math.cos(t * 0.7)]);
    view.setZoom(5.5 + 1.2 * Math.sin(t * 0.5));
    if (t < secs) requestAnimationFrame(step);
    else { m.ol.un('postrender', onR); view.endInteraction(); resolve({ fps: renders / t }); }
  };
  requestAnimationFrame(step);
}), SECONDS);
const { profile } = await cdp.send('Profiler.stop');
{
  const w = await page.evaluate(() => { const t = window.__cairn.map.tracks; return { cost: t.lastBatch && t.lastBatch.cost, events: t.stats.events, lean: t.stats.lean }; });
  const pk = await page.evaluate(() => { const r = window.__cairn.map.tracks.remote; const k = r && r.k; return k ? { issueMs: k.issueMs, rasterMs: k.rasterMs, drawMs: k.drawMs, cost: k.cost, coarse: k.coarse, w: k.cssW, h: k.cssH } : null; });
  if (pk) console.log(`the worker's last picture: ${pk.w}x${pk.h} CSS px, coarse trails ${pk.coarse}; issued ${pk.issueMs.toFixed(0)} ms, rasterised ${pk.rasterMs.toFixed(0)} ms, bitmap ${pk.drawMs.toFixed(0)} ms after its beginning; the one before shown ${pk.cost.toFixed(0)} ms after its beginning`);
  console.log('worker ms (since start):', JSON.stringify(w.cost), 'tracks/rows applied', w.events, w.lean ? '(lean form)' : '(default form)');
  const d = (k) => (w.cost[k] - (w0.cost[k] || 0)) * 1000 / Math.max(1, w.events - w0.events);
  if (w.cost && w.events) console.log(`worker per track or row applied while profiled (${w.events - w0.events}): parse ${d('parse').toFixed(2)} µs, spans ${d('spans').toFixed(2)} µs, apply ${d('apply').toFixed(2)} µs, post ${d('post').toFixed(2)} µs (of which the changed tracks' ${d('chg').toFixed(2)})`);
}
if (TRACE) {
  const done = new Promise((res) => cdp.once('Tracing.tracingComplete', res));
  await cdp.send('Tracing.end');
  await done;
  /* thread names, then the total duration of each event name per thread (complete events, top level by name only) */
  const tn = new Map();
  for (const e of traceEvents) if (e.ph === 'M' && e.name === 'thread_name') tn.set(`${e.pid}:${e.tid}`, e.args.name);
  const agg = new Map();
  const open = new Map();
  for (const e of traceEvents) {
    const th = tn.get(`${e.pid}:${e.tid}`) || `${e.pid}:${e.tid}`;
    let d = 0;
    if (e.ph === 'X') d = e.dur || 0;
    else if (e.ph === 'B') { open.set(`${th}|${e.name}`, e.ts); continue; }
    else if (e.ph === 'E') { const t = open.get(`${th}|${e.name}`); if (t == null) continue; d = e.ts - t; }
    else continue;
    const k = `${th} | ${e.name}`;
    agg.set(k, (agg.get(k) || 0) + d);
  }
  console.log('trace: total ms per thread | event (nested events counted in their parents too)');
  for (const [k, us] of [...agg].sort((a, b) => b[1] - a[1]).slice(0, 45)) console.log(`${(us / 1000).toFixed(0).padStart(7)} ms  ${k}`);
  if (OUT) writeFileSync(`${OUT}.trace.json`, JSON.stringify({ traceEvents }));
}
if (OUT) writeFileSync(OUT, JSON.stringify(profile));
const self = new Map();
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const dt = new Map();
for (let i = 0; i < profile.samples.length; i++) dt.set(profile.samples[i], (dt.get(profile.samples[i]) || 0) + (profile.timeDeltas[i] || 0));
let total = 0;
for (const [id, us] of dt) {
  const n = byId.get(id);
  const f = n.callFrame;
  const k = `${f.functionName || '(anon)'} ${f.url.split('/').pop()}:${f.lineNumber}`;
  self.set(k, (self.get(k) || 0) + us);
  total += us;
}
console.log(`n=${N} mode=${MODE} trails=${TRAILS}: ${r.fps.toFixed(1)} frames/s; profile ${(total / 1e6).toFixed(1)} s`);
for (const [k, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 30))
  console.log(`${(us / 1000).toFixed(0).padStart(7)} ms ${(100 * us / total).toFixed(1).padStart(5)}%  ${k}`);
await ctx.close();
srv.close();
await browser.close();
