// bench_worker — the console's stream worker (ui/src/stream/worker.js) alone,
// in node, against loadserver.mjs in a child process: how many tracks a
// second it applies, and its cost per track (parse, apply, post), with the
// default form (every track in full) and the lean one (move rows). No
// browser, no drawing: the worker's share of the 50k latency.
// usage: node bench/ui/bench_worker.mjs [--n 50000] [--seconds 8] [--form moves|full|both]
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';

const arg = (k, d) => { const i = process.argv.indexOf(`--${k}`); return i > 0 ? process.argv[i + 1] : d; };
const N = Number(arg('n', '50000'));
const SECONDS = Number(arg('seconds', '8'));
const FORM = arg('form', 'both');
const here = fileURLToPath(new URL('.', import.meta.url));

if (process.argv[2] === '--child') {
  /* the load server, alone in its process */
  const { startLoadServer } = await import('./loadserver.mjs');
  const srv = await startLoadServer({ dist: '/nonexistent', n: Number(process.argv[3]), lean: process.argv[4] });
  process.send({ url: srv.url });
  process.on('message', (m) => { if (m === 'stats') process.send({ sent: srv.sent(), bytes: srv.bytes() }); });
} else {
  const results = [];
  for (const form of FORM === 'both' ? ['full', 'moves'] : [FORM]) results.push(await measure(form));
  console.log(`load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  for (const r of results) {
    const d = (k) => ((r.c1[k] - (r.c0[k] || 0)) * 1000) / Math.max(1, r.applied);
    console.log(`n=${N} form ${r.form.padEnd(5)}: applied ${(r.applied / r.secs / 1000).toFixed(1)}k of ${(r.sent / r.secs / 1000).toFixed(1)}k tracks/s sent, stream ${(r.bytes / r.secs / 1e6).toFixed(2)} MB/s; ` +
      `per track: parse ${d('parse').toFixed(2)} µs, apply ${d('apply').toFixed(2)} µs, post ${d('post').toFixed(2)} µs; the worker's thread busy ${(100 * r.busy).toFixed(0)}%`);
  }
  process.exit(0);
}

async function measure(form) {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--child', String(N), form === 'moves' ? 'on' : 'ignore'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const { url } = await new Promise((res) => child.once('message', res));
  const stats = () => new Promise((res) => { child.once('message', res); child.send('stats'); });
  /* the worker's globals: its messages to the page answered at once (the page's ack) */
  let last = null;
  globalThis.self = globalThis;
  globalThis.postMessage = (m) => {
    if (m && m.type === 'batch') { last = m; queueMicrotask(() => self.onmessage({ data: { type: 'ack' } })); }
  };
  const realFetch = globalThis.__realFetch || (globalThis.__realFetch = globalThis.fetch);
  globalThis.fetch = (p, o = {}) => realFetch(url + p, { ...o, headers: { ...(o.headers || {}), Authorization: 'Bearer bench' } });
  /* a fresh module each time: its table empty */
  await import(`${here}../../ui/src/stream/worker.js?${form}`);
  self.onmessage({ data: { type: 'start', token: 'bench', gen: 1 } });
  /* settle: the first GET /api/tracks applied and the stream caught up */
  const t0 = Date.now();
  while (Date.now() - t0 < 30000 && !(last && last.n >= N && Date.now() - last.nowMs < 1000)) await new Promise((r) => setTimeout(r, 100));
  await new Promise((r) => setTimeout(r, 1000));
  const c0 = { ...last.cost };
  const e0 = last.events;
  const s0 = await stats();
  const w0 = Date.now();
  /* the worker's thread: how much of the wall time a 1 ms timer is late (busy) */
  let late = 0;
  let ticks = 0;
  let prev = performance.now();
  const probe = setInterval(() => { const now = performance.now(); late += Math.max(0, now - prev - 1); prev = now; ticks++; }, 1);
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  clearInterval(probe);
  const secs = (Date.now() - w0) / 1000;
  const s1 = await stats();
  self.onmessage({ data: { type: 'stop' } });
  child.kill();
  const bytes = s1.bytes[''] + s1.bytes.moves - s0.bytes[''] - s0.bytes.moves;
  return { form, secs, applied: last.events - e0, sent: s1.sent - s0.sent, bytes, c0, c1: { ...last.cost }, busy: Math.min(1, late / (secs * 1000)) };
}
