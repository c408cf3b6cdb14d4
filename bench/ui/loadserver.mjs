// A loopback stand-in for a centre, for the console benchmark: it serves
// ui/dist and the few API routes the map needs (/api/login, /api/me,
// /api/tracks, /api/events; /api/link 404 = no hotline), with N synthetic
// tracks that each move once a second, with the members web_json_track
// writes and t_last_ms = the moment the report is sent (the latency's
// start). The SSE events are the daemon's (docs/centre.md): every stream_ms
// (50 ms) one `tracks` event {"now_ms", "tracks":[...]} with the tracks
// updated since the last (mode 'tracks'); or, as the daemon sent before,
// one `track` event per track (mode 'events'); or none (updates: false).
// A console asking /api/events?form=moves gets the lean form as the
// contract (notes) and docs/console.md say: {"now_ms", "tracks":[full
// objects], "moves":[[id, lat, lon, alt_ft, gs_kt, track_deg, vrate_fpm,
// t_last_ms], ...]}, a track in full at its first flush, when a slow member
// changed and 30 s after its last full object, as a row otherwise (lean:
// 'ignore': the default form whatever is asked, as the daemon before it;
// 'refuse': 400).
import http from 'node:http';
import { readFileSync, existsSync, statSync } from 'node:fs';
import { join, extname, normalize } from 'node:path';

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json', '.png': 'image/png', '.svg': 'image/svg+xml' };

export function startLoadServer({ dist, n, tickMs = 1000, streamMs = 50, classes = true, updates = true, mode = 'tracks', lean = 'on' }) {
  const slices = Math.max(1, Math.round(tickMs / streamMs));
  let detailSources = null;
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
  /* the members web_json_track_extra writes (src/web/wjson.c, the centre's
   * origin/class/military), about 600 bytes a track as the daemon's */
  const json = (t, nowMs) => {
    const o = { id: t.id, status: 'confirmed', kind: t.cls === 0 ? 'vessel' : 'aircraft' };
    if (t.cls === 0) o.mmsi = 200000000 + t.id;
    else if (t.cls !== 1) { o.icao = t.icao; o.callsign = t.cs; o.squawk = String(1000 + (t.ver || 0)); }
    o.lat = +t.lat.toFixed(6); o.lon = +t.lon.toFixed(6);
    if (t.cls !== 0) o.alt_ft = t.alt;
    o.gs_kt = t.cls === 0 ? 12 : +t.gs.toFixed(1); o.track_deg = +t.hdg.toFixed(1); o.vrate_fpm = 0;
    Object.assign(o, {
      emergency: 'none', on_ground: false, transponder: t.cls === 1 ? 'no' : 'yes', flight_plan: 'unknown', radio: 'unknown',
      operator: [], manoeuvre: false, pos_sigma_m: 120, t_first_ms: now0, t_last_ms: nowMs, age_s: 0,
    });
    o.sources = t.cls === 0 ? { ais: 0.4 } : t.cls === 1 ? { psr: 0.8 } : t.cls === 3 ? { 'peer:MOSCOW-CC': 1.5 } : { adsb: 0.3, ssr: 2.1 };
    o.sensors = t.cls === 3 ? [] : [{ id: 1 + (t.id % 7), n: 1200 + t.id, track_no: 1 + (t.id % 4000), age_s: 0.3 }, { id: 11, n: 300 + (t.id % 977), age_s: 2.1 }];
    o.origin = t.cls === 3 ? 'peer:MOSCOW-CC' : 'own';
    o.class = t.cls === 2 ? 'military' : 'civil';
    o.military = t.cls === 2;
    return o;
  };
  /* the lean form's move row ([id, lat, lon, alt_ft, gs_kt, track_deg,
   * vrate_fpm, t_last_ms], the contract's /api/events?form=moves) */
  const row = (t, nowMs) => `[${t.id},${t.lat.toFixed(6)},${t.lon.toFixed(6)},${t.cls === 0 ? 'null' : t.alt},${(t.cls === 0 ? 12 : t.gs).toFixed(1)},${t.hdg.toFixed(1)},0,${nowMs}]`;
  /* When a track goes in full in the lean form (the daemon's rule): its
   * first flush, a change of a slow member (here: a few tracks' squawk,
   * every 20 s), and 30 s after its last full object (a refresh; the
   * first one spread over those 30 s by id). */
  const lastFull = new Float64Array(n);
  const fullVer = new Int32Array(n).fill(-1);
  const REFRESH_MS = 30000;
  const move = (t, dt) => {
    const d = (t.gs * 1852 / 3600) * dt / 111320;
    t.lat += d * Math.cos(t.hdg * Math.PI / 180);
    t.lon += d * Math.sin(t.hdg * Math.PI / 180) / Math.cos(t.lat * Math.PI / 180);
    if (t.lat < 48 || t.lat > 64 || t.lon < 2 || t.lon > 33) t.hdg = (t.hdg + 180) % 360;
  };
  const clients = new Map(); /* response -> its form: 'moves' (lean) or '' */
  let slice = 0;
  let sent = 0;
  let fulls = 0; /* full objects sent in the lean form (the rest are rows) */
  const bytes = { '': 0, moves: 0 }; /* SSE bytes written per form, all clients */
  const per = Math.ceil(n / slices);
  const write = (res, text) => { res.write(text); bytes[clients.get(res)] += Buffer.byteLength(text); };
  const timer = setInterval(() => {
    /* every track once per tickMs, in `slices` batches spread over it */
    const a = slice * per;
    const b = Math.min(n, a + per);
    slice = (slice + 1) % slices;
    if (!clients.size || !updates) return;
    const nowMs = Date.now();
    const forms = new Set(clients.values());
    const parts = [];
    const full = [];
    const rows = [];
    for (let i = a; i < b; i++) {
      const t = tr[i];
      move(t, tickMs / 1000);
      if (t.id % 500 === 7 && nowMs - (t.verMs || 0) >= 20000) { t.ver = (t.ver || 0) + 1; t.verMs = nowMs; }
      if (forms.has('')) parts.push(mode === 'tracks' ? JSON.stringify(json(t, nowMs)) : `event: track\ndata: ${JSON.stringify(json(t, nowMs))}\n\n`);
      if (forms.has('moves')) {
        if (fullVer[i] !== (t.ver || 0) || nowMs - lastFull[i] >= REFRESH_MS) {
          full.push(JSON.stringify(json(t, nowMs)));
          /* the first refresh spread over REFRESH_MS by id */
          lastFull[i] = fullVer[i] < 0 ? nowMs - (t.id * 1009) % REFRESH_MS : nowMs;
          fullVer[i] = t.ver || 0;
          fulls++;
        } else rows.push(row(t, nowMs));
      }
    }
    const chunk = forms.has('') ? (mode === 'tracks' ? `event: tracks\ndata: {"now_ms":${nowMs},"tracks":[${parts.join(',')}]}\n\n` : parts.join('')) : '';
    const lean = forms.has('moves') ? `event: tracks\ndata: {"now_ms":${nowMs},"tracks":[${full.join(',')}],"moves":[${rows.join(',')}]}\n\n` : '';
    for (const [res, form] of clients) write(res, form ? lean : chunk);
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
    const m = /^\/api\/tracks\/([0-9]{1,9})$/.exec(p);
    if (m) {
      const t = tr[Number(m[1]) - 1];
      if (!t) return send(404, '{"error":"NOTFOUND"}');
      const nowMs = Date.now();
      const o = json(t, nowMs);
      /* the slow members as they are now (the detail pane reads them here) */
      if (detailSources) o.sources = detailSources;
      return send(200, JSON.stringify({ track: o, trail: [[nowMs, o.lat, o.lon, o.alt_ft ?? null]] }));
    }
    if (p === '/api/events') {
      const form = url.searchParams.get('form');
      if (form != null && form !== 'moves') return send(400, '{"error":"BADREQUEST"}');
      if (form && lean === 'refuse') return send(400, '{"error":"BADREQUEST"}');
      res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store' });
      res.write(': cairn events\nretry: 2000\n\n');
      clients.set(res, lean === 'on' ? form || '' : ''); /* 'ignore': as a daemon before the lean form */
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
        /** Full objects sent in the lean form so far (the rest were rows). */
        fulls: () => fulls,
        /** SSE bytes written so far, per form ('' the default, 'moves' the lean), all clients together. */
        bytes: () => ({ ...bytes }),
        /** The forms the connected consoles asked for ('' or 'moves'). */
        forms: () => [...clients.values()],
        /** Raw SSE text to every connected console asking for form (undefined: all) (tests). */
        inject(text, form) { let k = 0; for (const [c, f] of clients) if (form === undefined || f === form) { write(c, text); k++; } return k; },
        /** (tests) the sources GET /api/tracks/ID gives (null: the track's own). */
        setDetailSources(v) { detailSources = v; },
        close() { clearInterval(timer); for (const c of clients.keys()) c.destroy(); server.close(); },
      });
    });
  });
}
