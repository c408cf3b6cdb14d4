// A loopback stand-in for a centre, for the console benchmark: it serves
// ui/dist and the few API routes the map needs (/api/login, /api/me,
// /api/tracks, /api/events; /api/link 404 = no hotline), with N synthetic
// tracks that each move once a second, with the members web_json_track
// writes and t_last_ms = the moment the report is sent (the latency's
// start). The SSE events are the daemon's (docs/centre.md): every stream_ms
// (50 ms) one `tracks` event {"now_ms", "tracks":[...]} with the tracks
// updated since the last (mode 'tracks'); or, as the daemon sent before,
// one `track` event per track (mode 'events'); or none (updates: false).
import http from 'node:http';
import { readFileSync, existsSync, statSync } from 'node:fs';
import { join, extname, normalize } from 'node:path';

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json', '.png': 'image/png', '.svg': 'image/svg+xml' };

export function startLoadServer({ dist, n, tickMs = 1000, streamMs = 50, classes = true, updates = true, mode = 'tracks' }) {
  const slices = Math.max(1, Math.round(tickMs / streamMs));
  const now0 = Date.now();
  /* tracks over the Baltic: a grid of random walkers */
  const tr = new Array(n);
  let seed = 12345;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  for (let i = 0; i < n; i++) {
    const hdg = rnd() * 360;
    tr[i] = {
      id: i + 1, lat: 50 + rnd() * 12, lon: 5 + rnd() * 25, hdg, gs: 250 + rnd() * 200,
      alt: Math.round(rnd() * 400) * 100, icao: (0x400000 + i).toString(16),
      cs: `BNC${String(i).padStart(5, '0')}`, cls: classes ? i % 50 : 1,
    };
  }
  const json = (t, nowMs) => {
    const o = {
      id: t.id, status: 'confirmed', kind: t.cls === 0 ? 'vessel' : 'aircraft',
      lat: +t.lat.toFixed(6), lon: +t.lon.toFixed(6), gs_kt: Math.round(t.gs), track_deg: Math.round(t.hdg),
      transponder: t.cls === 1 ? 'no' : 'yes', flight_plan: 'unknown', radio: 'unknown',
      t_first_ms: now0, t_last_ms: nowMs, age_s: 0,
    };
    if (t.cls === 0) { o.mmsi = 200000000 + t.id; o.gs_kt = 12; }
    else if (t.cls !== 1) { o.icao = t.icao; o.callsign = t.cs; o.squawk = '1000'; o.alt_ft = t.alt; o.vrate_fpm = 0; o.sources = { adsb: 0.3, ssr: 2.1 }; }
    else { o.alt_ft = t.alt; o.sources = { psr: 0.8 }; }
    if (t.cls === 2) o.military = true;
    if (t.cls === 3) o.sources = { 'peer:MOSCOW-CC': 1.5 };
    return o;
  };
  const move = (t, dt) => {
    const d = (t.gs * 1852 / 3600) * dt / 111320;
    t.lat += d * Math.cos(t.hdg * Math.PI / 180);
    t.lon += d * Math.sin(t.hdg * Math.PI / 180) / Math.cos(t.lat * Math.PI / 180);
    if (t.lat < 48 || t.lat > 64 || t.lon < 2 || t.lon > 33) t.hdg = (t.hdg + 180) % 360;
  };
  const clients = new Set();
  let slice = 0;
  let sent = 0;
  const per = Math.ceil(n / slices);
  const timer = setInterval(() => {
    /* every track once per tickMs, in `slices` batches spread over it */
    const a = slice * per;
    const b = Math.min(n, a + per);
    slice = (slice + 1) % slices;
    if (!clients.size || !updates) return;
    const nowMs = Date.now();
    const parts = [];
    for (let i = a; i < b; i++) {
      move(tr[i], tickMs / 1000);
      parts.push(mode === 'tracks' ? JSON.stringify(json(tr[i], nowMs)) : `event: track\ndata: ${JSON.stringify(json(tr[i], nowMs))}\n\n`);
    }
    const chunk = mode === 'tracks' ? `event: tracks\ndata: {"now_ms":${nowMs},"tracks":[${parts.join(',')}]}\n\n` : parts.join('');
    for (const res of clients) res.write(chunk);
    sent += b - a;
  }, tickMs / slices);

  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    const p = url.pathname;
    const send = (code, body, type = 'application/json') => {
      res.writeHead(code, { 'Content-Type': type, 'Cache-Control': 'no-store' });
      res.end(body);
    };
    if (p === '/api/login' && req.method === 'POST') {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'Content-Type': 'application/json', 'Set-Cookie': 'cairn_session=bench; Path=/; HttpOnly; SameSite=Strict' });
        res.end(JSON.stringify({ user: 'bench', token: 'bench', expires_in_s: 43200, idle_timeout_s: 1800 }));
      });
      return;
    }
    const authed = /cairn_session=bench/.test(req.headers.cookie || '') || req.headers.authorization === 'Bearer bench';
    if (p.startsWith('/api/') && !authed) return send(401, '{"error":"UNAUTHORISED"}');
    if (p === '/api/me') return send(200, JSON.stringify({ user: 'bench', expires_in_s: 43200 }));
    if (p === '/api/tracks') {
      const nowMs = Date.now();
      return send(200, JSON.stringify({ now_ms: nowMs, tracks: tr.map((t) => json(t, nowMs)) }));
    }
    if (p === '/api/events') {
      res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store' });
      res.write(': cairn events\nretry: 2000\n\n');
      clients.add(res);
      req.on('close', () => clients.delete(res));
      return;
    }
    if (p.startsWith('/api/')) return send(404, '{"error":"NOTFOUND"}');
    let f = normalize(join(dist, p === '/' ? 'index.html' : p));
    if (!f.startsWith(dist) || !existsSync(f) || !statSync(f).isFile()) return send(404, 'not found', 'text/plain');
    send(200, readFileSync(f), TYPES[extname(f)] || 'application/octet-stream');
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({
        url: `http://127.0.0.1:${server.address().port}`,
        sent: () => sent,
        /** Raw SSE text to every connected console (tests). */
        inject(text) { for (const c of clients) c.write(text); return clients.size; },
        close() { clearInterval(timer); for (const c of clients) c.destroy(); server.close(); },
      });
    });
  });
}
