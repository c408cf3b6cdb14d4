// The centre's HTTP API (docs/web.md): login, authenticated JSON calls and
// the live event stream /api/events.
//
// Authentication: the login reply sets the HttpOnly cookie cairn_session
// (which EventSource and every same-origin fetch carry) and also gives a
// token; the token is kept in sessionStorage and sent as Authorization:
// Bearer so that a reload of the tab keeps the session without a cookie.
//
// Events: `subscribe(name, fn)` for the daemon's SSE event names ("alert",
// and any others the daemon adds, e.g. "message", "case", "link"; the
// tracks' "tracks"/"track" are applied by the stream worker and arrive as
// "tracks.batch"),
// plus the console's own:
//   "open"   the stream is (re)connected: reload your lists now (the daemon
//            does not replay missed events; docs/web.md)
//   "state"  {connected: bool, since_ms} for the status bar
//   "login" / "logout"  the session began / ended (401 anywhere ends it)

const TOKEN_KEY = 'cairn.token';

class Emitter {
  constructor() { this.h = new Map(); }
  on(name, fn) {
    if (!this.h.has(name)) this.h.set(name, new Set());
    this.h.get(name).add(fn);
    return () => this.h.get(name).delete(fn);
  }
  emit(name, arg) {
    const s = this.h.get(name);
    if (!s) return;
    for (const fn of [...s]) {
      try { fn(arg); } catch (e) { console.error('handler for', name, e); }
    }
  }
}

export const events = new Emitter();

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.error) || `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

let token = sessionStorage.getItem(TOKEN_KEY) || '';
let user = '';

export function currentUser() { return user; }

async function call(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  const init = { method, headers, credentials: 'same-origin', cache: 'no-store' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const r = await fetch(path, init);
  let data = null;
  const text = await r.text();
  if (text) {
    try { data = JSON.parse(text); } catch { data = { text }; }
  }
  if (r.status === 401 && path !== '/api/login') {
    endSession();
    throw new ApiError(401, data);
  }
  if (!r.ok) throw new ApiError(r.status, data);
  return data;
}

/** GET a JSON path of the API, e.g. get('/api/alerts'). */
export const get = (path) => call('GET', path);
/** POST a JSON object (always an object: the daemon refuses others). */
export const post = (path, body = {}) => call('POST', path, body);

/** Log in; resolves to {user,...}; rejects with ApiError (401 wrong, 429 rate-limited). */
export async function login(name, password) {
  const r = await call('POST', '/api/login', { user: name, password });
  token = r.token || '';
  sessionStorage.setItem(TOKEN_KEY, token);
  user = r.user || name;
  events.emit('login', { user });
  stream.start();
  return r;
}

/** Resume a session (cookie or stored token); resolves true when logged in. */
export async function resume() {
  try {
    const me = await call('GET', '/api/me');
    user = me.user;
    events.emit('login', { user });
    stream.start();
    return true;
  } catch {
    return false;
  }
}

export async function logout() {
  try { await call('POST', '/api/logout', {}); } catch { /* ended anyway */ }
  endSession();
}

function endSession() {
  const was = !!user || !!token;
  token = '';
  user = '';
  sessionStorage.removeItem(TOKEN_KEY);
  stream.stop();
  if (was) events.emit('logout');
}

// ------------------------------------------------------------ the stream

/* The event stream is read, parsed and applied to the track table by a
 * dedicated worker (stream/worker.js): at 10,000 tracks a second, parsing
 * it here took the map's frames (bench/ui). The worker posts the table's
 * changes as packed arrays at most once per frame (emitted here as
 * "tracks.batch" for map/tracks.js, which returns the credit with
 * streamPost({type:'ack'})), and forwards every other event parsed. Here
 * stays the session: a stream that ends (a stall of 40 s, a refusal, the
 * centre gone) is retried with a growing delay after checking the session
 * (401 ends it). */
const stream = {
  worker: null,
  timer: 0,
  delay: 1000,
  retryMs: 2000,
  connected: false,
  gen: 0,
  spawn() {
    if (this.worker) return this.worker;
    const w = new Worker(new URL('./stream/worker.js', import.meta.url), { type: 'module' });
    w.onmessage = (e) => this.message(e.data);
    w.onerror = (e) => console.error('stream worker', e.message || e);
    this.worker = w;
    return w;
  },
  message(m) {
    switch (m.type) {
      case 'batch': events.emit('tracks.batch', m); break;
      case 'picture': events.emit('tracks.picture', m); break;
      case 'picture-state': events.emit('tracks.picture-state', m); break;
      case 'event': events.emit(m.name, m.data); break;
      case 'open': if (m.gen === this.gen) { this.delay = 1000; events.emit('open'); } break;
      case 'state': if (m.gen === this.gen) this.setConnected(m.connected); break;
      case 'retry': this.retryMs = m.ms; break;
      case 'unauthorised': endSession(); break;
      case 'ended':
        if (m.gen !== this.gen) break; /* stopped or restarted meanwhile */
        this.setConnected(false);
        this.retry();
        break;
      default: break;
    }
  },
  start() {
    this.stop();
    this.spawn().postMessage({ type: 'start', token, gen: ++this.gen });
  },
  retry() {
    clearTimeout(this.timer);
    this.timer = setTimeout(async () => {
      /* resume() restarts the stream when the session lives, ends it on a
       * 401; when the centre cannot be reached, try again later */
      if (!(await resume()) && user) this.retry();
    }, Math.max(this.delay, this.retryMs));
    this.delay = Math.min(this.delay * 2, 15000);
  },
  stop() {
    this.gen++;
    clearTimeout(this.timer);
    if (this.worker) this.worker.postMessage({ type: 'stop' });
    this.setConnected(false);
  },
  setConnected(v) {
    if (this.connected === v) return;
    this.connected = v;
    events.emit('state', { connected: v, since_ms: Date.now() });
  },
};

/** A message to the stream worker (map/tracks.js: ack, resync, prefill). */
export function streamPost(msg) { stream.spawn().postMessage(msg); }

/** An SSE event by name ("alert", "message", "case", "link", "zone", ...;
 * the tracks' events go to the map's table through the worker instead). */
export function subscribe(name, fn) {
  return events.on(name, fn);
}

export function streamConnected() { return stream.connected; }
