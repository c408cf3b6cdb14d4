// The centre's HTTP API (docs/web.md): login, authenticated JSON calls and
// the live event stream /api/events.
//
// Authentication: the login reply sets the HttpOnly cookie cairn_session
// (which EventSource and every same-origin fetch carry) and also gives a
// token; the token is kept in sessionStorage and sent as Authorization:
// Bearer so that a reload of the tab keeps the session without a cookie.
//
// Events: `subscribe(name, fn)` for the daemon's SSE event names ("track",
// "alert", and any others the daemon adds, e.g. "message", "case", "link"),
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

/* The event stream is read with fetch() and parsed here rather than by
 * EventSource: the daemon sends one event per track, and at 10,000 tracks a
 * second EventSource's per-event DOM dispatch alone took the main thread
 * (measured: bench/ui). Same protocol (text/event-stream: "event:",
 * "data:" lines, comments, "retry:"), the session's token as a Bearer
 * header. A stream that says nothing for STALL_MS (the daemon's heartbeat
 * is 15 s) is presumed dead and reopened; a refused one is retried with a
 * growing delay after checking the session (401 ends it). */
const STALL_MS = 40000;

const stream = {
  ctrl: null,
  timer: 0,
  delay: 1000,
  retryMs: 2000,
  connected: false,
  gen: 0,
  names: new Set(['track', 'tracks', 'alert']),
  start() {
    this.stop();
    const gen = ++this.gen;
    this.run(gen).catch(() => {}).finally(() => {
      if (gen !== this.gen) return; /* stopped or restarted meanwhile */
      this.setConnected(false);
      this.retry();
    });
  },
  async run(gen) {
    const ctrl = new AbortController();
    this.ctrl = ctrl;
    const headers = { Accept: 'text/event-stream' };
    if (token) headers.Authorization = `Bearer ${token}`;
    const r = await fetch('/api/events', { headers, credentials: 'same-origin', cache: 'no-store', signal: ctrl.signal });
    if (r.status === 401) { endSession(); return; }
    if (!r.ok || !r.body) throw new Error(`events: HTTP ${r.status}`);
    this.delay = 1000;
    this.setConnected(true);
    events.emit('open');
    const reader = r.body.getReader();
    const dec = new TextDecoder();
    let buf = '';
    let stall = setTimeout(() => ctrl.abort(), STALL_MS);
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done || gen !== this.gen) break;
        clearTimeout(stall);
        stall = setTimeout(() => ctrl.abort(), STALL_MS);
        buf += dec.decode(value, { stream: true });
        if (buf.indexOf('\r') >= 0) buf = buf.replace(/\r\n?/g, '\n');
        let at = 0;
        for (let i; (i = buf.indexOf('\n\n', at)) >= 0; at = i + 2) this.block(buf, at, i);
        if (at) buf = buf.slice(at);
      }
    } finally {
      clearTimeout(stall);
    }
  },
  /* one event: the lines of buf[a, b) */
  block(buf, a, b) {
    let name = 'message';
    let data = null;
    while (a < b) {
      let e = buf.indexOf('\n', a);
      if (e < 0 || e > b) e = b;
      const c = buf.charCodeAt(a);
      if (c === 100 /* d */ && buf.startsWith('data:', a)) {
        const v = buf.slice(a + (buf.charCodeAt(a + 5) === 32 ? 6 : 5), e);
        data = data == null ? v : `${data}\n${v}`;
      } else if (c === 101 /* e */ && buf.startsWith('event:', a)) {
        name = buf.slice(a + 6, e).trim();
      } else if (c === 114 /* r */ && buf.startsWith('retry:', a)) {
        const ms = parseInt(buf.slice(a + 6, e), 10);
        if (ms > 0) this.retryMs = ms;
      }
      a = e + 1;
    }
    if (data == null || !this.names.has(name)) return;
    let obj;
    try { obj = JSON.parse(data); } catch { return; }
    events.emit(name, obj);
  },
  listen() { /* every name in `names` is dispatched; nothing to register */ },
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
    if (this.ctrl) this.ctrl.abort();
    this.ctrl = null;
    this.setConnected(false);
  },
  setConnected(v) {
    if (this.connected === v) return;
    this.connected = v;
    events.emit('state', { connected: v, since_ms: Date.now() });
  },
};

/** Ask for an SSE event name beyond "track" and "alert" (e.g. "message"). */
export function subscribe(name, fn) {
  if (!stream.names.has(name)) {
    stream.names.add(name);
    stream.listen(name);
  }
  return events.on(name, fn);
}

export function streamConnected() { return stream.connected; }
